import { expect } from "chai";
import { GitLabClient, type GitLabTokenHome, personalTokenHome } from "../../provider/gitlab/client";
import { GitLabTokenLifecycle } from "../../provider/gitlab/lifecycle";
import { addDays, type PlainObject, todayUtc } from "../../provider/lifecycle";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { caught, contextWith } from "../support/context";
import { ownedBy } from "../support/ownership";

const SERVICE_ACCOUNT = SEED.gitlab.serviceAccounts.deploy;
const owners = [
    {
        label: "a user's (administrator)",
        owner: { userId: SEED.gitlab.users.maintainer.id },
        creator: SEED.gitlab.tokens.root,
        // Anyone but an administrator is refused another user's token.
        refused: SEED.gitlab.tokens.owner,
        hint: /administrator/,
    },
    {
        label: "a group service account's (group Owner)",
        owner: { serviceAccount: { group: "acme", userId: SERVICE_ACCOUNT.id } },
        creator: SEED.gitlab.tokens.owner,
        refused: SEED.gitlab.tokens.maintainer,
        hint: /Owner role on the group/,
    },
] as const;

for (const { label, owner, creator, refused, hint } of owners) {
    describe(`GitLab personal access token lifecycle, ${label} (sandbox)`, () => {
        let sandbox: Sandbox;
        let config: Record<string, string>;
        let lifecycle: GitLabTokenLifecycle;
        let admin: GitLabClient;
        const home: GitLabTokenHome = personalTokenHome(
            "userId" in owner
                ? { userId: owner.userId }
                : { serviceAccount: { group: "11", userId: SERVICE_ACCOUNT.id } },
        );

        before(async () => {
            sandbox = await startSandbox();
        });
        after(async () => {
            await sandbox.close();
        });
        beforeEach(() => {
            sandbox.reset();
            config = { "gitlab:baseUrl": sandbox.baseUrls.gitlab, "gitlab:token": creator };
            lifecycle = new GitLabTokenLifecycle("personal", contextWith(config));
            admin = new GitLabClient({ apiUrl: `${sandbox.baseUrls.gitlab}/api/v4`, token: SEED.gitlab.tokens.root });
        });

        async function checked(news: PlainObject): Promise<PlainObject> {
            const result = await lifecycle.check({}, news);
            expect(result.failures ?? []).to.deep.equal([]);
            return result.inputs as PlainObject;
        }

        async function created(extra: PlainObject = {}): Promise<{ id: string; outs: PlainObject }> {
            const inputs = await checked({ ...owner, name: "ci", scopes: ["read_api"], ...extra });
            const result = await lifecycle.create(inputs);
            return { id: result.id, outs: result.outs as PlainObject };
        }

        /** The token as GitLab has it, found through the owner's listing. */
        async function live(tokenId: number) {
            return (await admin.listAt(home)).find((token) => token.id === tokenId);
        }

        it("creates the token for its owner, marked, with the value once and no access level", async () => {
            const { id, outs } = await created({ description: "for CI", ...ownedBy("ci") });
            expect(outs.token).to.be.a("string").and.not.equal("");
            expect(outs.tokenId).to.equal(Number(id));
            expect(outs.expiresAt).to.equal(addDays(todayUtc(), 365));
            const token = sandbox.gitlab.findToken(Number(id));
            const ownerId = "userId" in owner ? owner.userId : SERVICE_ACCOUNT.id;
            expect(token?.userId).to.equal(ownerId);
            expect(token?.accessLevel).to.equal(null);
            expect(token?.description).to.match(/^for CI \[pulumi-owner:[0-9a-f]{16}\]$/);
            // The owner stays the input: the granted user id is not written over it.
            expect(outs.userId).to.equal("userId" in owner ? owner.userId : undefined);
            const request = sandbox.requests.find((r) => r.method === "POST");
            expect(request?.path).to.include("userId" in owner ? "/users/2/" : "/service_accounts/21/");
        });

        it("refuses a credential without the role, naming the role needed", async () => {
            const other = new GitLabTokenLifecycle("personal", contextWith({ ...config, "gitlab:token": refused }));
            const error = await caught(async () =>
                other.create(await checked({ ...owner, name: "x", scopes: ["api"] })),
            );
            expect(error.message).to.include("HTTP 403").and.match(hint);
            expect(sandbox.gitlab.personalTokens().length).to.equal(0);
        });

        it("reads a live token, and one revoked, expired or deleted out of band as gone", async () => {
            const { id, outs } = await created({ expiresAt: addDays(todayUtc(), 2) });
            expect((await lifecycle.read(id, outs)).props?.token).to.equal(outs.token);
            sandbox.clock.advanceDays(3);
            const later = new GitLabTokenLifecycle(
                "personal",
                contextWith(config, () => sandbox.clock.now()),
            );
            expect((await later.read(id, outs)).id).to.equal(undefined);
            sandbox.clock.advanceDays(-3);
            sandbox.gitlab.revoke(Number(id));
            expect((await lifecycle.read(id, outs)).id).to.equal(undefined);
            sandbox.reset();
            expect((await lifecycle.read(id, outs)).id).to.equal(undefined);
        });

        it("never drops a token because of a 404 about its owner or group, or a server error", async () => {
            const { id, outs } = await created();
            sandbox.faults.add({
                service: "gitlab",
                method: "GET",
                kind: "status",
                status: 404,
                body: JSON.stringify({ message: "404 Group Not Found" }),
            });
            expect((await caught(() => lifecycle.read(id, outs))).message).to.include("404");
            sandbox.faults.add({ service: "gitlab", method: "GET", kind: "status", status: 500, times: 20 });
            expect((await caught(() => lifecycle.read(id, outs))).message).to.include("HTTP 500");
            sandbox.faults.clear();
            expect((await live(Number(id)))?.active).to.equal(true);
        });

        it("replaces on owner, name, scopes or description changes; settings update in place", async () => {
            const { id, outs } = await created();
            const changes: PlainObject[] = [
                { name: "ci2" },
                { scopes: ["api"] },
                { description: "x" },
                "userId" in owner ? { userId: 3 } : { serviceAccount: { group: "acme", userId: 22 } },
            ];
            for (const change of changes) {
                const news = await checked({ ...owner, name: "ci", scopes: ["read_api"], ...change });
                const diff = await lifecycle.diff(id, outs, news);
                expect(diff.replaces, JSON.stringify(change)).to.have.length(1);
            }
            const same = await checked({ ...owner, name: "ci", scopes: ["read_api"] });
            expect((await lifecycle.diff(id, outs, same)).changes).to.equal(false);
            const settings = await checked({
                ...owner,
                name: "ci",
                scopes: ["read_api"],
                rotation: { expiresInDays: 90 },
            });
            const diff = await lifecycle.diff(id, outs, settings);
            expect(diff.replaces).to.deep.equal([]);
            expect((await lifecycle.update(id, outs, settings)).outs?.token).to.equal(outs.token);
        });

        it("with strategy rotate, rotates in place: new id and value, the old one revoked", async () => {
            const rotation = { expiresInDays: 30, strategy: "rotate" };
            const { id, outs } = await created({ rotation, rotationTrigger: "1", ...ownedBy("ci") });
            const news = await checked({
                ...owner,
                name: "ci",
                scopes: ["read_api"],
                rotation,
                rotationTrigger: "2",
                ...ownedBy("ci"),
            });
            expect((await lifecycle.diff(id, outs, news)).replaces).to.deep.equal([]);
            const updated = (await lifecycle.update(id, outs, news)).outs as PlainObject;
            expect(updated.tokenId).to.not.equal(outs.tokenId);
            expect(updated.token).to.not.equal(outs.token);
            expect(updated.expiresAt).to.equal(addDays(todayUtc(), 30));
            expect((await live(Number(outs.tokenId)))?.revoked).to.equal(true);
            expect((await live(Number(updated.tokenId)))?.active).to.equal(true);
        });

        it("rotates when due: replaced with overlap (the default)", async () => {
            const rotation = { expiresInDays: 10, rotateBeforeDays: 3 };
            const { id, outs } = await created({ rotation });
            const news = await checked({ ...owner, name: "ci", scopes: ["read_api"], rotation });
            sandbox.clock.advanceDays(8);
            const later = new GitLabTokenLifecycle(
                "personal",
                contextWith(config, () => sandbox.clock.now()),
            );
            expect((await later.diff(id, outs, news)).replaces).to.deep.equal(["expiresAt"]);
        });

        it("leaves no orphan when the create answer is lost, and clears its own leftover only", async () => {
            const mark = ownedBy("ci");
            const otherStack = await lifecycle.create(
                await checked({ ...owner, name: "ci", scopes: ["read_api"], ...ownedBy("ci", "other") }),
            );
            sandbox.faults.add({
                service: "gitlab",
                method: "POST",
                path: "personal_access_tokens",
                when: "after",
                kind: "reset",
            });
            const { id } = await created(mark);
            const active = (await admin.listAt(home, { state: "active" })).filter((t) => t.name === "ci");
            expect(active.map((t) => t.id).sort()).to.deep.equal([Number(otherStack.id), Number(id)].sort());
        });

        it("adopts an existing token by rotating it", async () => {
            const existing = await admin.createAt(
                "userId" in owner
                    ? home
                    : personalTokenHome({ serviceAccount: { group: "acme", userId: SERVICE_ACCOUNT.id } }),
                { name: "legacy", scopes: ["read_api"] },
            );
            const { outs } = await created({ name: "legacy", adopt: { tokenId: existing.id } });
            expect(outs.token).to.be.a("string").and.not.equal(existing.token);
            expect((await live(existing.id))?.revoked).to.equal(true);
            expect((await live(Number(outs.tokenId)))?.active).to.equal(true);
        });

        it("revokes on delete; a token already gone counts as deleted", async () => {
            const { id, outs } = await created();
            await lifecycle.delete(id, outs);
            expect((await live(Number(id)))?.revoked).to.equal(true);
            sandbox.reset();
            await lifecycle.delete(id, outs);
        });
    });
}

describe("GitLab personal access token check", () => {
    const lifecycle = new GitLabTokenLifecycle(
        "personal",
        contextWith({ "gitlab:baseUrl": "http://127.0.0.1:9/gitlab", "gitlab:token": "t" }),
    );

    it("needs exactly one owner, and names both choices", async () => {
        const none = await lifecycle.check({}, { name: "x", scopes: ["api"] });
        expect(none.failures?.[0]?.property).to.equal("userId");
        expect(none.failures?.[0]?.reason).to.include("userId").and.include("serviceAccount");
        const both = await lifecycle.check(
            {},
            { userId: 2, serviceAccount: { group: "acme", userId: 21 }, name: "x", scopes: ["api"] },
        );
        expect(both.failures?.[0]?.reason).to.include("not both");
    });

    it("knows personal scopes, refuses near misses and an access level", async () => {
        const ok = await lifecycle.check({}, { userId: 2, name: "x", scopes: ["read_user", "sudo"] });
        expect(ok.failures ?? []).to.deep.equal([]);
        const typo = await lifecycle.check({}, { userId: 2, name: "x", scopes: ["read_usr"] });
        expect(typo.failures?.[0]?.reason).to.include('did you mean "read_user"');
        const level = await lifecycle.check({}, { userId: 2, name: "x", scopes: ["api"], accessLevel: 40 });
        expect(level.failures?.[0]?.property).to.equal("accessLevel");
        const badGroup = await lifecycle.check(
            {},
            { serviceAccount: { group: "has space", userId: 21 }, name: "x", scopes: ["api"] },
        );
        expect(badGroup.failures?.[0]?.property).to.equal("serviceAccount");
        expect(badGroup.failures?.[0]?.reason).to.include("group");
        const badUser = await lifecycle.check({}, { userId: -1, name: "x", scopes: ["api"] });
        expect(badUser.failures?.[0]?.reason).to.include("userId");
    });
});
