import { expect } from "chai";
import { GiteaClient } from "../../provider/gitea/client";
import { GiteaTokenLifecycle } from "../../provider/gitea/lifecycle";
import type { PlainObject } from "../../provider/lifecycle";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { caught, contextWith } from "../support/context";
import { ownedBy } from "../support/ownership";

describe("Gitea token lifecycle (sandbox)", () => {
    let sandbox: Sandbox;
    let config: Record<string, string>;
    let lifecycle: GiteaTokenLifecycle;
    let alice: GiteaClient;
    const { alice: aliceSeed, bob: bobSeed, carol: carolSeed } = SEED.gitea.users;

    before(async () => {
        sandbox = await startSandbox();
    });
    after(async () => {
        await sandbox.close();
    });
    beforeEach(() => {
        sandbox.reset();
        config = {
            "gitea:baseUrl": sandbox.baseUrls.gitea,
            "gitea:username": bobSeed.username,
            "gitea:password": bobSeed.password,
        };
        lifecycle = new GiteaTokenLifecycle(contextWith(config));
        alice = new GiteaClient({
            apiUrl: `${sandbox.baseUrls.gitea}/api/v1`,
            username: aliceSeed.username,
            password: aliceSeed.password,
        });
    });

    async function created(extra: PlainObject = {}, on: GiteaTokenLifecycle = lifecycle) {
        const checked = await on.check({}, { name: "deploy", scopes: ["read:repository"], ...extra });
        expect(checked.failures ?? []).to.deep.equal([]);
        const result = await on.create(checked.inputs as PlainObject);
        return { id: result.id, outs: result.outs as PlainObject, inputs: checked.inputs as PlainObject };
    }

    it("check: rejects unknown scopes with the allowed forms, before any request", async () => {
        const before = sandbox.requests.length;
        const result = await lifecycle.check({}, { name: "x", scopes: ["read:repo"] });
        expect(result.failures?.[0]?.property).to.equal("scopes");
        expect(result.failures?.[0]?.reason)
            .to.match(/did you mean "read:repository"/)
            .and.match(/all, public-only/);
        const empty = await lifecycle.check({}, { name: "x", scopes: [] });
        expect(empty.failures?.[0]?.reason).to.include("must not be empty");
        const rotate = await lifecycle.check({}, { name: "x", scopes: ["all"], rotation: { strategy: "rotate" } });
        expect(rotate.failures?.[0]?.reason).to.include("Gitea does not have");
        const bare = await new GiteaTokenLifecycle(contextWith({})).check({}, { name: "x", scopes: ["all"] });
        expect(bare.failures?.[0]?.reason).to.include("gitea:baseUrl").and.include("GITEA_BASE_URL");
        expect(sandbox.requests.length).to.equal(before);
    });

    it("create: makes the token for the signed-in user, value shown once", async () => {
        const { id, outs } = await created();
        expect(outs.owner).to.equal(bobSeed.username);
        expect(outs.token).to.be.a("string").and.have.length.greaterThan(8);
        expect(outs.tokenLastEight).to.equal((outs.token as string).slice(-8));
        const listed = (await alice.list(bobSeed.username)).find((t) => String(t.id) === id);
        expect(listed?.name).to.equal("deploy");
        expect(listed?.sha1 ?? "").to.equal("");
    });

    it("create: an admin can manage another user's token; a non-admin cannot (403 with a hint)", async () => {
        const asAlice = new GiteaTokenLifecycle(
            contextWith({ ...config, "gitea:username": aliceSeed.username, "gitea:password": aliceSeed.password }),
        );
        const { outs } = await created({ username: bobSeed.username }, asAlice);
        expect(outs.owner).to.equal(bobSeed.username);
        const error = await caught(() => created({ username: aliceSeed.username, name: "other" }));
        expect(error.message).to.include("HTTP 403").and.include("site administrator");
    });

    it("create: sends the OTP header for accounts with two-factor authentication", async () => {
        const carol = (otp?: string) =>
            new GiteaTokenLifecycle(
                contextWith({
                    ...config,
                    "gitea:username": carolSeed.username,
                    "gitea:password": carolSeed.password,
                    ...(otp ? { "gitea:otp": otp } : {}),
                }),
            );
        const missing = await caught(() => created({}, carol()));
        expect(missing.message).to.include("HTTP 401").and.not.include(carolSeed.password);
        const { outs } = await created({}, carol(carolSeed.otp));
        expect(outs.owner).to.equal(carolSeed.username);
    });

    it("create: a duplicate name fails with Gitea's message and what to do", async () => {
        await created();
        const error = await caught(() => created());
        expect(error.message).to.include("has been used already").and.include("adopt");
    });

    it("create: a lost answer leaves no orphan", async () => {
        sandbox.faults.add({ service: "gitea", method: "POST", when: "after", kind: "reset" });
        // The SDK classes give every resource its ownership mark; the Gitea name carries it.
        const { id } = await created(ownedBy("deploy"));
        const mine = (await alice.list(bobSeed.username)).filter((t) => t.name.startsWith("deploy"));
        expect(mine.map((t) => String(t.id))).to.deep.equal([id]);
    });

    it("read: finds the token across pages, and reads a deleted one as gone", async () => {
        for (let i = 0; i < 55; i++) {
            await alice.create(bobSeed.username, `filler-${i}`, ["read:user"]);
        }
        const { id, outs } = await created();
        expect((await lifecycle.read(id, outs)).id).to.equal(id);
        await alice.delete(bobSeed.username, Number(id));
        expect((await lifecycle.read(id, outs)).id).to.equal(undefined);
    });

    it("read: reads at once of one user's tokens share a listing (per credential); a later read lists anew", async () => {
        for (let i = 0; i < 55; i++) {
            await alice.create(bobSeed.username, `filler-${i}`, ["read:user"]);
        }
        const one = await created({ name: "one" });
        const two = await created({ name: "two" });
        const asAlice = new GiteaTokenLifecycle(
            contextWith({ ...config, "gitea:username": aliceSeed.username, "gitea:password": aliceSeed.password }),
        );
        const listingsOf = (start: number) =>
            sandbox.requests.slice(start).filter((r) => r.method === "GET" && r.query.page === "1").length;

        const start = sandbox.requests.length;
        const read = await Promise.all([
            lifecycle.read(one.id, one.outs),
            lifecycle.read(two.id, two.outs),
            asAlice.read(two.id, two.outs),
        ]);
        expect(read.map((r) => r.id)).to.deep.equal([one.id, two.id, two.id]);
        // Bob's two reads shared one listing (two pages); Alice's credentials got their own.
        expect(listingsOf(start)).to.equal(2);

        await alice.delete(bobSeed.username, Number(one.id));
        const again = sandbox.requests.length;
        expect((await lifecycle.read(one.id, one.outs)).id).to.equal(undefined);
        expect(listingsOf(again)).to.equal(1);
    });

    it("diff: same name → delete before replace; new name → create first; no change → none", async () => {
        const { id, outs, inputs } = await created();
        expect((await lifecycle.diff(id, outs, inputs)).changes).to.equal(false);
        const scopes = await lifecycle.diff(id, outs, { ...inputs, scopes: ["write:repository"] });
        expect(scopes).to.include({ changes: true, deleteBeforeReplace: true });
        const renamed = await lifecycle.diff(id, outs, { ...inputs, name: "deploy-2" });
        expect(renamed).to.include({ changes: true, deleteBeforeReplace: false });
    });

    it("delete: removes the token; already gone is fine; a failure keeps it", async () => {
        const { id, outs } = await created();
        sandbox.faults.add({ service: "gitea", method: "DELETE", kind: "status", status: 500, times: 10 });
        await caught(() => lifecycle.delete(id, outs));
        expect((await alice.list(bobSeed.username)).some((t) => String(t.id) === id)).to.equal(true);
        sandbox.faults.clear();
        await lifecycle.delete(id, outs);
        expect((await alice.list(bobSeed.username)).some((t) => String(t.id) === id)).to.equal(false);
        await lifecycle.delete(id, outs);
    });

    it("adopt: takes an existing token over, its value unavailable", async () => {
        const existing = await alice.create(bobSeed.username, "legacy", ["read:user"]);
        const { id, outs } = await created({ name: "legacy", adopt: { tokenId: existing.id } });
        expect(id).to.equal(String(existing.id));
        expect(outs.token).to.equal("");
        await lifecycle.delete(id, outs);
        expect((await alice.list(bobSeed.username)).some((t) => t.id === existing.id)).to.equal(false);
    });
});
