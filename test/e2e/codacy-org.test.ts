// Organization-wide Codacy tokens through the real engine: 250 repositories behind a rate limit low enough
// to force 429s. Every repository ends with exactly one managed token, none fails, the output map is secret,
// a second `up` writes nothing, a new repository is picked up, destroy revokes everything.
import { execFileSync } from "node:child_process";
import { expect } from "chai";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { peakConcurrency, recordServed, type Served } from "../support/served";
import { changes, createTestWorkspace, programDir, type TestWorkspace } from "./harness";

const REPOSITORIES = 250;
/**
 * Codacy's requests per second in the sandbox (bucket of as many): the first `up` sends ~510 requests, and the
 * engine alone would send them faster, so it must wait on 429s.
 */
const RATE = 12;
const MAX_CONCURRENCY = 4;
const STEP_TIMEOUT = 5 * 60 * 1000;

describe("e2e: Codacy organization-wide tokens (250 repositories, rate-limited)", function () {
    this.timeout(STEP_TIMEOUT);
    let sandbox: Sandbox;
    let ws: TestWorkspace;
    const served: Served[] = [];
    const timings: Record<string, number> = {};

    /** Runs the CLI itself: the Automation API's outputs always decrypt secrets. */
    function pulumi(...args: string[]): string {
        return execFileSync("pulumi", [...args, "--stack", ws.stack.name], {
            cwd: programDir("codacy-org"),
            env: { ...process.env, ...ws.env },
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        });
    }

    function writes(): number {
        return sandbox.requests.filter((r) => r.service === "codacy" && (r.method === "POST" || r.method === "DELETE"))
            .length;
    }

    async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
        const started = Date.now();
        try {
            return await step();
        } finally {
            timings[label] = Date.now() - started;
        }
    }

    before(async function () {
        this.timeout(40 * 60 * 1000); // a cold cache builds the engine first
        sandbox = await startSandbox({
            codacyRepositories: REPOSITORIES,
            rateLimit: { requestsPerSecond: RATE, services: ["codacy"] },
            logRequests: recordServed(served, (line) => line.includes(" /codacy/")),
        });
        ws = await createTestWorkspace(programDir("codacy-org"), {
            config: {
                "codacy:baseUrl": { value: sandbox.baseUrls.codacy },
                "codacy:apiToken": { value: SEED.codacy.apiToken, secret: true },
                "codacy:maxConcurrency": { value: String(MAX_CONCURRENCY) },
            },
        });
    });

    after(async () => {
        console.log(`      timings (ms): ${JSON.stringify(timings)}`);
        await ws?.dispose();
        await sandbox?.close();
    });

    it("preview lists every token to be created, and creates none", async () => {
        const preview = await timed("preview", () => ws.stack.preview());
        expect(changes(preview.changeSummary)).to.deep.equal({ create: REPOSITORIES + 2 }); // + component + stack
        expect(writes()).to.equal(0);
    });

    it("up: every repository ends with exactly one managed token, through 429s, none failing", async () => {
        sandbox.requests.length = 0;
        served.length = 0;
        // Answers take 20 ms, so requests the provider sends at once really overlap at the sandbox.
        sandbox.faults.add({ service: "codacy", kind: "delay", delayMs: 20, times: -1 });
        const result = await timed("up", () => ws.stack.up()).finally(() => sandbox.faults.clear());
        expect(result.summary.result).to.equal("succeeded");
        expect(changes(result.summary.resourceChanges)).to.deep.equal({ create: REPOSITORIES + 2 });

        const codacy = sandbox.requests.filter((r) => r.service === "codacy");
        const limited = codacy.filter((r) => r.status === 429).length;
        expect(limited, "the rate limit forced 429s").to.be.greaterThan(0);
        expect(
            codacy.filter((r) => r.status !== 200 && r.status !== 201 && r.status !== 429),
            "no other failure",
        ).to.deep.equal([]);
        expect(codacy.filter((r) => r.method === "POST" && r.status === 201)).to.have.length(REPOSITORIES);
        // The provider process keeps to the limit (the program's listing comes before any token request).
        expect(peakConcurrency(served)).to.be.at.most(MAX_CONCURRENCY);
        console.log(
            `      first up: ${codacy.length} Codacy requests, ${limited} answered 429, peak ${peakConcurrency(served)} in flight`,
        );

        const live = sandbox.liveTokens("codacy");
        const perRepository = new Map<string, string[]>();
        for (const token of live) {
            perRepository.set(token.owner, [...(perRepository.get(token.owner) ?? []), token.id]);
        }
        expect(perRepository.size).to.equal(REPOSITORIES);
        expect([...perRepository.values()].every((ids) => ids.length === 1)).to.equal(true);

        const outputs = await ws.stack.outputs();
        expect(outputs.tokens?.secret).to.equal(true);
        const tokens = outputs.tokens?.value as Record<string, string>;
        expect(Object.keys(tokens)).to.have.length(REPOSITORIES);
        const tokenIds = outputs.tokenIds?.value as Record<string, number>;
        for (const [repository, id] of Object.entries(tokenIds)) {
            expect(perRepository.get(`gh/acme/${repository}`)).to.deep.equal([String(id)]);
            expect(sandbox.codacy.findToken(id)?.value).to.equal(tokens[repository]);
        }
        const shown = JSON.parse(pulumi("stack", "output", "--json")) as Record<string, unknown>;
        expect(shown.tokens).to.equal("[secret]");
        expect(shown.repositoryCount).to.equal(REPOSITORIES);
        const state = pulumi("stack", "export");
        expect(state.includes(tokens["repo-001"]!)).to.equal(false);
    });

    it("a second up makes no API writes", async () => {
        sandbox.requests.length = 0;
        const result = await timed("second up", () => ws.stack.up());
        expect(changes(result.summary.resourceChanges)).to.deep.equal({});
        expect(writes()).to.equal(0);
    });

    it("a repository left out gets its token revoked; taken back, it gets a new one", async () => {
        const before = (await ws.stack.outputs()).tokenIds?.value as Record<string, number>;
        await ws.stack.setConfig("exclude", { value: JSON.stringify(["repo-250"]) });
        sandbox.requests.length = 0;
        const removed = await timed("exclude one", () => ws.stack.up());
        expect(changes(removed.summary.resourceChanges)).to.deep.equal({ delete: 1 });
        expect(sandbox.codacy.findToken(before["repo-250"]!)).to.equal(undefined);
        expect(writes()).to.equal(1);
        await ws.stack.removeConfig("exclude");
        const back = await timed("include again", () => ws.stack.up());
        expect(changes(back.summary.resourceChanges)).to.deep.equal({ create: 1 });
        const ids = sandbox.codacy.tokens({ provider: "gh", organization: "acme", repository: "repo-250" });
        expect(ids).to.have.length(1);
    });

    it("destroy revokes every token", async () => {
        sandbox.requests.length = 0;
        const result = await timed("destroy", () => ws.stack.destroy());
        expect(result.summary.result).to.equal("succeeded");
        expect(sandbox.liveTokens("codacy")).to.deep.equal([]);
        const deletes = sandbox.requests.filter((r) => r.method === "DELETE" && r.status === 204);
        expect(deletes).to.have.length(REPOSITORIES);
    });
});
