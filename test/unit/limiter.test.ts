import { expect } from "chai";
import { ApiLimiter } from "../../provider/http/limiter";

describe("API limiter: learned pace", () => {
    /** Answers `count` requests, one every `everyMs`, on a fake clock. */
    async function answer(limiter: ApiLimiter, clock: { now: number }, count: number, everyMs: number) {
        for (let i = 0; i < count; i++) {
            clock.now += everyMs;
            const permit = await limiter.acquire();
            permit.release();
        }
    }

    it("paces a little under what the server let through once it answers 429", async () => {
        const clock = { now: 1_000_000 };
        const limiter = new ApiLimiter({ maxConcurrency: 4 }, () => clock.now);
        await answer(limiter, clock, 30, 100); // 10 answers a second for 3 s
        expect(limiter.learnedPace).to.equal(undefined, "no pace before any rate limit");
        const limited = await limiter.acquire();
        limited.release({ pauseForMs: 0 });
        expect(limiter.learnedPace).to.be.closeTo(9.5, 0.5);
    });

    it("learns nothing when a pace is configured, or from too little traffic", async () => {
        const clock = { now: 1_000_000 };
        const paced = new ApiLimiter({ maxConcurrency: 4, requestsPerSecond: 1000 }, () => clock.now);
        await answer(paced, clock, 30, 100);
        (await paced.acquire()).release({ pauseForMs: 0 });
        expect(paced.learnedPace).to.equal(undefined);

        const quiet = new ApiLimiter({ maxConcurrency: 4 }, () => clock.now);
        await answer(quiet, clock, 3, 100);
        (await quiet.acquire()).release({ pauseForMs: 0 });
        expect(quiet.learnedPace).to.equal(undefined);
    });
});
