import { expect } from "chai";
import { GitLabClient } from "../../provider/gitlab/client";
import { GitLabTokenLifecycle } from "../../provider/gitlab/lifecycle";
import { ApiError, UnexpectedResponseError } from "../../provider/http";
import { addDays, type PlainObject, todayUtc } from "../../provider/lifecycle";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { caught, contextWith } from "../support/context";
import { ownedBy } from "../support/ownership";

for (const kind of ["project", "group"] as const) {
    const parent = kind === "project" ? { project: "acme/web" } : { group: 11 };
    const parentKey = kind === "project" ? "101" : "11";
    // GitLab lets a Maintainer create project tokens, but group tokens need the group's Owner.
    const creator = kind === "project" ? SEED.gitlab.tokens.maintainer : SEED.gitlab.tokens.owner;

    describe(`GitLab ${kind} access token lifecycle (sandbox)`, () => {
        let sandbox: Sandbox;
        let config: Record<string, string>;
        let lifecycle: GitLabTokenLifecycle;
        let admin: GitLabClient;

        before(async () => {
            sandbox = await startSandbox();
        });
        after(async () => {
            await sandbox.close();
        });
        beforeEach(() => {
            sandbox.reset();
            config = { "gitlab:baseUrl": sandbox.baseUrls.gitlab, "gitlab:token": creator };
            lifecycle = new GitLabTokenLifecycle(kind, contextWith(config));
            admin = new GitLabClient({ apiUrl: `${sandbox.baseUrls.gitlab}/api/v4`, token: SEED.gitlab.tokens.root });
        });

        async function checked(news: PlainObject): Promise<PlainObject> {
            const result = await lifecycle.check({}, news);
            expect(result.failures ?? []).to.deep.equal([]);
            return result.inputs as PlainObject;
        }

        async function created(extra: PlainObject = {}): Promise<{ id: string; outs: PlainObject }> {
            const inputs = await checked({ ...parent, name: "ci", scopes: ["read_api"], ...extra });
            const result = await lifecycle.create(inputs);
            return { id: result.id, outs: result.outs as PlainObject };
        }

        describe("check", () => {
            it("normalises valid inputs: access level by name, parent as string, default maintainer", async () => {
                const inputs = await checked({
                    ...parent,
                    name: " ci ",
                    scopes: ["api", "api"],
                    accessLevel: "reporter",
                });
                expect(inputs[kind]).to.equal(kind === "project" ? "acme/web" : "11");
                expect(inputs.accessLevel).to.equal(20);
                expect(inputs.name).to.equal("ci");
                expect(inputs.scopes).to.deep.equal(["api"]);
                const defaults = await checked({ ...parent, name: "ci", scopes: ["api"] });
                expect(defaults.accessLevel).to.equal(40);
            });

            it("names the property and the allowed values, before any request", async () => {
                const before = sandbox.requests.length;
                const cases: [PlainObject, string, RegExp][] = [
                    [{ name: "", scopes: ["api"] }, "name", /must not be empty/],
                    [{ name: "x", scopes: ["read_apii"] }, "scopes", /did you mean "read_api"/],
                    [{ name: "x", scopes: [] }, "scopes", /must not be empty.*read_api/],
                    [{ name: "x", scopes: ["api"], accessLevel: "admin" }, "accessLevel", /guest, planner, reporter/],
                    [{ name: "x", scopes: ["api"], accessLevel: 35 }, "accessLevel", /10, 15, 20, 30, 40, 50/],
                    [
                        { name: "x", scopes: ["api"], expiresAt: "2020-01-01" },
                        "expiresAt",
                        /not in the future.*rotation/,
                    ],
                    [{ name: "x", scopes: ["api"], expiresAt: "2030-02-30" }, "expiresAt", /YYYY-MM-DD/],
                    [{ name: "x", scopes: ["api"], scope: ["api"] }, "scope", /unknown property "scope".*"scopes"/],
                ];
                for (const [news, property, reason] of cases) {
                    const result = await lifecycle.check({}, { ...parent, ...news });
                    // An unknown input names no property (it could hold a credential); its reason names it.
                    const failure = result.failures?.find(
                        (f) => f.property === property || (f.property === "" && f.reason.includes(`"${property}"`)),
                    );
                    expect(failure, `${JSON.stringify(news)} → ${JSON.stringify(result.failures)}`).to.not.equal(
                        undefined,
                    );
                    expect(failure!.reason).to.match(reason);
                }
                const badParent = await lifecycle.check({}, { [kind]: "has space/x", name: "x", scopes: ["api"] });
                expect(badParent.failures?.[0]?.property).to.equal(kind);
                expect(sandbox.requests.length).to.equal(before);
            });

            it("reports missing credentials naming the config key, the variable and `connection`, but no property", async () => {
                const bare = new GitLabTokenLifecycle(kind, contextWith({}));
                const result = await bare.check({}, { ...parent, name: "x", scopes: ["api"] });
                // A failure naming `connection` would make the engine print its value, credentials included.
                expect(result.failures?.[0]?.property).to.equal("");
                expect(result.failures?.[0]?.reason).to.include("connection.token");
                expect(result.failures?.[0]?.reason).to.include("gitlab:token").and.include("GITLAB_TOKEN");
            });

            it("accepts a well-formed scope newer than this package (GitLab adds scopes), refusing near misses", async () => {
                const future = await lifecycle.check({}, { ...parent, name: "x", scopes: ["read_quantum_registry"] });
                expect(future.failures ?? []).to.deep.equal([]);
                const typo = await lifecycle.check({}, { ...parent, name: "x", scopes: ["write_repositry"] });
                expect(typo.failures?.[0]?.reason).to.include('did you mean "write_repository"');
            });

            it("lets values unknown during preview through", async () => {
                const result = await lifecycle.check(
                    {},
                    { ...parent, name: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", scopes: ["api"] },
                );
                expect(result.failures ?? []).to.deep.equal([]);
            });
        });

        describe("create", () => {
            it("creates the token on the service and returns its value once", async () => {
                const { id, outs } = await created({ description: "for CI" });
                expect(outs.token).to.be.a("string").and.not.equal("");
                expect(outs.tokenId).to.equal(Number(id));
                expect(outs.active).to.equal(true);
                const live = await admin.get(kind, parentKey, Number(id));
                expect(live.name).to.equal("ci");
                expect(live.description).to.equal("for CI");
                expect(live.scopes).to.deep.equal(["read_api"]);
            });

            it("sends the maximum lifetime when no expiry is given and reports the granted date", async () => {
                const { outs } = await created();
                expect(outs.expiresAt).to.equal(addDays(todayUtc(), 365));
                expect(outs.requestedExpiresAt).to.equal(undefined);
            });

            it("honours expiresAt and rotation.expiresInDays", async () => {
                const date = addDays(todayUtc(), 30);
                expect((await created({ expiresAt: date })).outs.expiresAt).to.equal(date);
                expect((await created({ rotation: { expiresInDays: 7 } })).outs.expiresAt).to.equal(
                    addDays(todayUtc(), 7),
                );
            });

            it("leaves no orphan when the create answer is lost", async () => {
                sandbox.faults.add({
                    service: "gitlab",
                    method: "POST",
                    path: "/access_tokens",
                    when: "after",
                    kind: "reset",
                });
                // The SDK classes give every resource its ownership mark: that is what proves the made token ours.
                const { id } = await created(ownedBy("ci"));
                const live = (await admin.list(kind, parentKey)).filter((t) => t.active && t.name === "ci");
                expect(live.map((t) => t.id)).to.deep.equal([Number(id)]);
            });

            it("retries a 429 honouring Retry-After, then succeeds", async () => {
                sandbox.faults.add({ service: "gitlab", method: "POST", kind: "status", status: 429, retryAfter: 1 });
                const started = Date.now();
                await created();
                expect(Date.now() - started).to.be.at.least(900);
            });

            it("does not retry a 500 on create, and leaves nothing behind", async () => {
                sandbox.faults.add({
                    service: "gitlab",
                    method: "POST",
                    path: "/access_tokens",
                    kind: "status",
                    status: 500,
                    times: 3,
                });
                const error = await caught(() => created());
                expect(error).to.be.instanceOf(ApiError);
                expect(error.message).to.match(/GitLab create .* failed .*HTTP 500/);
                expect((await admin.list(kind, parentKey, { state: "active" })).length).to.equal(0);
            });

            it("explains a 401 and a 403 with the service's message and a hint, without the credential", async () => {
                const badToken = new GitLabTokenLifecycle(
                    kind,
                    contextWith({ ...config, "gitlab:token": "not-a-real-token-123" }),
                );
                const unauthorized = await caught(async () =>
                    badToken.create(await checked({ ...parent, name: "x", scopes: ["api"] })),
                );
                expect(unauthorized.message)
                    .to.include("HTTP 401")
                    .and.include("401 Unauthorized")
                    .and.include("gitlab:token");
                expect(unauthorized.message).to.not.include("not-a-real-token-123");
                const reporter = new GitLabTokenLifecycle(
                    kind,
                    contextWith({ ...config, "gitlab:token": SEED.gitlab.tokens.reporter }),
                );
                const forbidden = await caught(async () =>
                    reporter.create(await checked({ ...parent, name: "x", scopes: ["api"] })),
                );
                // GitLab refuses a create without the role with 400 and a message, not 403.
                expect(forbidden.message)
                    .to.include("HTTP 400")
                    .and.include("permission")
                    .and.include("Maintainer role");
                sandbox.faults.add({ service: "gitlab", method: "POST", kind: "status", status: 403 });
                const denied = await caught(async () =>
                    lifecycle.create(await checked({ ...parent, name: "x", scopes: ["api"] })),
                );
                expect(denied.message).to.include("HTTP 403").and.include("Maintainer role");
            });

            it("rejects a malformed answer with a clear error", async () => {
                const { id, outs } = await created();
                sandbox.faults.add({ service: "gitlab", method: "GET", kind: "malformed" });
                const error = await caught(() => lifecycle.read(id, outs));
                expect(error).to.be.instanceOf(UnexpectedResponseError);
                expect(error.message).to.include("not valid JSON");
            });

            it("adopts an existing token by rotating it (its value cannot be read back)", async () => {
                const existing = await admin.create(kind, parentKey, { name: "legacy", scopes: ["read_api"] });
                const { outs } = await created({ name: "legacy", adopt: { tokenId: existing.id } });
                expect(outs.token).to.be.a("string").and.not.equal(existing.token);
                expect((await admin.get(kind, parentKey, existing.id)).revoked).to.equal(true);
                expect((await admin.get(kind, parentKey, Number(outs.tokenId))).active).to.equal(true);
            });
        });

        describe("read", () => {
            it("refreshes a live token and keeps the secret", async () => {
                const { id, outs } = await created();
                const result = await lifecycle.read(id, outs);
                expect(result.id).to.equal(id);
                expect(result.props?.token).to.equal(outs.token);
            });

            it("reads a token revoked out of band as gone", async () => {
                const { id, outs } = await created();
                await admin.revoke(kind, parentKey, Number(id));
                expect((await lifecycle.read(id, outs)).id).to.equal(undefined);
            });

            it("reads an expired token as gone", async () => {
                const { id, outs } = await created({ expiresAt: addDays(todayUtc(), 2) });
                sandbox.clock.advanceDays(3);
                const later = new GitLabTokenLifecycle(
                    kind,
                    contextWith(config, () => sandbox.clock.now()),
                );
                expect((await later.read(id, outs)).id).to.equal(undefined);
            });

            it("never drops a token because of a server error", async () => {
                const { id, outs } = await created();
                sandbox.faults.add({ service: "gitlab", method: "GET", kind: "status", status: 500, times: 20 });
                const error = await caught(() => lifecycle.read(id, outs));
                expect(error.message).to.include("HTTP 500");
            });
        });

        describe("diff", () => {
            it("reports no change when nothing changed (scope order aside)", async () => {
                const { id, outs } = await created({ scopes: ["read_api", "api"] });
                const news = await checked({ ...parent, name: "ci", scopes: ["api", "read_api"] });
                expect((await lifecycle.diff(id, outs, news)).changes).to.equal(false);
            });

            it("replaces on identifying or permission changes, new token first", async () => {
                const { id, outs } = await created();
                for (const change of [
                    { name: "ci2" },
                    { scopes: ["api"] },
                    { accessLevel: "developer" },
                    { description: "x" },
                ]) {
                    const news = await checked({ ...parent, name: "ci", scopes: ["read_api"], ...change });
                    const diff = await lifecycle.diff(id, outs, news);
                    expect(diff.replaces, JSON.stringify(change)).to.have.length(1);
                    expect(diff.deleteBeforeReplace).to.equal(false);
                }
            });

            it("updates in place when only the connection credential changes", async () => {
                const { id, outs } = await created({ connection: { token: creator } });
                const news = await checked({
                    ...parent,
                    name: "ci",
                    scopes: ["read_api"],
                    connection: { token: SEED.gitlab.tokens.root },
                });
                const diff = await lifecycle.diff(id, outs, news);
                expect(diff).to.include({ changes: true });
                expect(diff.replaces).to.deep.equal([]);
                const updated = await lifecycle.update(id, outs, news);
                expect(updated.outs?.token).to.equal(outs.token);
            });

            it("rotates when due, the same way in preview and up", async () => {
                const rotation = { expiresInDays: 10, rotateBeforeDays: 3 };
                const { id, outs } = await created({ rotation });
                const news = await checked({ ...parent, name: "ci", scopes: ["read_api"], rotation });
                expect((await lifecycle.diff(id, outs, news)).changes).to.equal(false);
                sandbox.clock.advanceDays(8);
                const later = new GitLabTokenLifecycle(
                    kind,
                    contextWith(config, () => sandbox.clock.now()),
                );
                const diff = await later.diff(id, outs, news);
                expect(diff.replaces).to.deep.equal(["expiresAt"]);
                expect(await later.diff(id, outs, news)).to.deep.equal(diff);
            });

            it("with strategy rotate, rotates in place through the API and the old value dies", async () => {
                const rotation = { expiresInDays: 30, strategy: "rotate" };
                const { id, outs } = await created({ rotation, rotationTrigger: "1" });
                const news = await checked({
                    ...parent,
                    name: "ci",
                    scopes: ["read_api"],
                    rotation,
                    rotationTrigger: "2",
                });
                const diff = await lifecycle.diff(id, outs, news);
                expect(diff).to.include({ changes: true });
                expect(diff.replaces).to.deep.equal([]);
                const updated = (await lifecycle.update(id, outs, news)).outs as PlainObject;
                expect(updated.tokenId).to.not.equal(outs.tokenId);
                expect(updated.token).to.not.equal(outs.token);
                expect((await admin.get(kind, parentKey, Number(outs.tokenId))).revoked).to.equal(true);
            });
        });

        describe("delete", () => {
            it("revokes the token, and a token already gone counts as deleted", async () => {
                const { id, outs } = await created();
                await lifecycle.delete(id, outs);
                expect((await admin.get(kind, parentKey, Number(id))).revoked).to.equal(true);
                sandbox.reset();
                await lifecycle.delete(id, outs);
            });

            it("fails (keeping the resource in state) when the service refuses", async () => {
                const { id, outs } = await created();
                sandbox.faults.add({ service: "gitlab", method: "DELETE", kind: "status", status: 403 });
                const error = await caught(() => lifecycle.delete(id, outs));
                expect(error.message).to.include("HTTP 403");
                expect((await admin.get(kind, parentKey, Number(id))).active).to.equal(true);
            });
        });
    });
}
