// createClearingLeftovers (provider/leftovers.ts), the create of the kinds whose token carries its ownership mark
// and cannot be taken over (GitLab deploy and trigger tokens, Qovery API tokens), on its own with a fake service.
import { expect } from "chai";
import { ApiError } from "../../provider/http";
import { type ClearingCreate, createClearingLeftovers } from "../../provider/leftovers";

const lostAnswer = () =>
    new ApiError({ service: "qovery", operation: "create", method: "POST", path: "/t", ambiguous: true });
const refused = () =>
    new ApiError({ service: "gitlab", operation: "list", method: "GET", path: "/t", status: 403, hint: "role" });

/** A service holding `leftovers` marked tokens; `creates` says what each create does: answer, lose it, or fail. */
function fakeService(opts: { leftovers?: number[]; creates: ("ok" | "lost")[]; listing?: "refused" }) {
    const live = new Set(opts.leftovers ?? []);
    const calls: string[] = [];
    let next = 100;
    const steps: ClearingCreate<{ id: number }, number> = {
        marked: true,
        leftovers: async () => {
            calls.push("list");
            if (opts.listing === "refused") {
                throw refused();
            }
            return [...live].map((id) => ({ id }));
        },
        remove: async (id) => {
            calls.push(`delete ${id}`);
            live.delete(id);
        },
        create: async () => {
            const outcome = opts.creates.shift();
            const id = next++;
            live.add(id); // the service acts in both cases
            calls.push(`create ${id}`);
            if (outcome === "lost") {
                throw lostAnswer();
            }
            return { id };
        },
        noun: "API token",
        unmarkedAdvice: "look by hand",
    };
    return { steps, calls, live };
}

describe("createClearingLeftovers", () => {
    it("deletes this resource's leftovers before creating", async () => {
        const { steps, calls, live } = fakeService({ leftovers: [7, 8], creates: ["ok"] });
        expect(await createClearingLeftovers(steps)).to.deep.equal({ id: 100 });
        expect(calls).to.deep.equal(["list", "delete 7", "delete 8", "create 100"]);
        expect([...live]).to.deep.equal([100]);
    });

    it("after a lost answer deletes what the lost request made and creates once more", async () => {
        const { steps, calls, live } = fakeService({ creates: ["lost", "ok"] });
        expect(await createClearingLeftovers(steps)).to.deep.equal({ id: 101 });
        expect(calls).to.deep.equal(["list", "create 100", "list", "delete 100", "create 101"]);
        expect([...live]).to.deep.equal([101]);
    });

    it("a second lost answer fails saying what it deleted, and leaves nothing behind", async () => {
        const { steps, live } = fakeService({ creates: ["lost", "lost"] });
        const error = await createClearingLeftovers(steps).then(
            () => expect.fail("should fail"),
            (e: unknown) => e as ApiError,
        );
        expect(error.message).to.include("deleted 1 API token(s) the lost requests created");
        expect(error.message).to.include("No API token was left behind");
        expect([...live]).to.deep.equal([]);
    });

    it("an unmarked token's lost answer fails with the kind's advice and touches nothing", async () => {
        const { steps, calls, live } = fakeService({ leftovers: [7], creates: ["lost"] });
        steps.marked = false;
        const error = await createClearingLeftovers(steps).then(
            () => expect.fail("should fail"),
            (e: unknown) => e as ApiError,
        );
        expect(error.message).to.include("carries no ownership mark").and.include("look by hand");
        expect(calls).to.deep.equal(["create 100"]);
        expect([...live].sort((a, b) => a - b)).to.deep.equal([7, 100]);
    });

    it("a refused listing fails the create unless createWhenListingRefused (then the create runs)", async () => {
        const refusedListing = fakeService({ listing: "refused", creates: ["ok"] });
        const error = await createClearingLeftovers(refusedListing.steps).then(
            () => expect.fail("should fail"),
            (e: unknown) => e as ApiError,
        );
        expect(error.status).to.equal(403);
        expect(refusedListing.calls).to.deep.equal(["list"]);

        const gitlab = fakeService({ listing: "refused", creates: ["ok"] });
        gitlab.steps.createWhenListingRefused = true;
        expect(await createClearingLeftovers(gitlab.steps)).to.deep.equal({ id: 100 });
        expect(gitlab.calls).to.deep.equal(["list", "create 100"]);
    });
});
