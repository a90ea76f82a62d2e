import { expect } from "chai";
import { GitLabDeployTokenClient } from "../../provider/gitlab/client";
import { DeployTokenLifecycle } from "../../provider/gitlab/deployTokenLifecycle";
import { ApiError } from "../../provider/http";
import { addDays, type PlainObject, todayUtc } from "../../provider/lifecycle";
import { carriesMark } from "../../provider/ownership";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { caught, contextWith } from "../support/context";
import { ownedBy } from "../support/ownership";

for (const kind of ["project", "group"] as const) {
    const parent = kind === "project" ? { project: "acme/web" } : { group: 11 };
    const resource = kind === "project" ? { type: "project" as const, id: 101 } : { type: "group" as const, id: 11 };
    // GitLab lets a project's Maintainer manage its deploy tokens; a group's need the group's Owner.
    const creator = kind === "project" ? SEED.gitlab.tokens.maintainer : SEED.gitlab.tokens.owner;

    describe(`GitLab ${kind} deploy token lifecycle (sandbox)`, () => {
        let sandbox: Sandbox;
        let log: string[];
        let today: string;
        let lifecycle: DeployTokenLifecycle;

        before(async () => {
            sandbox = await startSandbox();
        });
        after(async () => {
            await sandbox.close();
        });
        beforeEach(() => {
            sandbox.reset();
            log = [];
            today = todayUtc();
            lifecycle = lifecycleAs(creator);
        });

        function lifecycleAs(token: string, now?: () => Date): DeployTokenLifecycle {
            const config = { "gitlab:baseUrl": sandbox.baseUrls.gitlab, "gitlab:token": token };
            return new DeployTokenLifecycle(contextWith(config, now, log));
        }

        async function checked(news: PlainObject): Promise<PlainObject> {
            const result = await lifecycle.check({}, news);
            expect(result.failures ?? []).to.deep.equal([]);
            return result.inputs as PlainObject;
        }

        async function created(
            extra: PlainObject = {},
        ): Promise<{ id: string; outs: PlainObject; inputs: PlainObject }> {
            const inputs = await checked({
                ...parent,
                ...ownedBy("pull"),
                name: "pull",
                scopes: ["read_registry"],
                ...extra,
            });
            const result = await lifecycle.create(inputs);
            return { id: result.id, outs: result.outs as PlainObject, inputs };
        }

        const liveIds = (): string[] =>
            sandbox
                .liveTokens("gitlab")
                .filter((t) => t.owner === `deploy:${resource.type}:${resource.id}` && t.active)
                .map((t) => t.id);

        describe("check", () => {
            it("normalises valid inputs: parent as string, scopes deduplicated, name trimmed", async () => {
                const inputs = await checked({ ...parent, name: " pull ", scopes: ["read_registry", "read_registry"] });
                expect(inputs[kind]).to.equal(kind === "project" ? "acme/web" : "11");
                expect(inputs.name).to.equal("pull");
                expect(inputs.scopes).to.deep.equal(["read_registry"]);
            });

            it("names the field and the allowed values, before any request", async () => {
                const before = sandbox.requests.length;
                const cases: [PlainObject, string, RegExp][] = [
                    [{ ...parent, name: "", scopes: ["read_registry"] }, "name", /must not be empty/],
                    [
                        { ...parent, name: "x", scopes: ["api"] },
                        "scopes",
                        /"api" is not a deploy token scope.*read_repository, read_registry, write_registry, read_package_registry, write_package_registry, read_virtual_registry, write_virtual_registry/,
                    ],
                    [{ ...parent, name: "x", scopes: [] }, "scopes", /must not be empty.*read_repository/],
                    [
                        { ...parent, name: "x", scopes: ["read_registry"], username: "a b" },
                        "username",
                        /letters, digits/,
                    ],
                    [
                        { ...parent, name: "x", scopes: ["read_registry"], expiresAt: "2020-01-01" },
                        "expiresAt",
                        /not in the future/,
                    ],
                    [
                        { ...parent, name: "x", scopes: ["read_registry"], rotation: { strategy: "rotate" } },
                        "rotation",
                        /strategy "rotate" needs a rotate API.*overlap/,
                    ],
                    [{ name: "x", scopes: ["read_registry"] }, "project", /project or group is required/],
                    [
                        { project: "acme/web", group: "acme", name: "x", scopes: ["read_registry"] },
                        "project",
                        /only one of project or group/,
                    ],
                    [
                        // An unknown property names no property (it could hold a credential), only its reason does.
                        { ...parent, name: "x", scopes: ["read_registry"], accessLevel: 40 },
                        "",
                        /unknown property "accessLevel"/,
                    ],
                ];
                for (const [news, property, reason] of cases) {
                    const result = await lifecycle.check({}, news);
                    const failures = result.failures ?? [];
                    expect(failures, JSON.stringify(news)).to.have.length.greaterThan(0);
                    expect(failures[0]!.property, JSON.stringify(news)).to.equal(property);
                    expect(failures[0]!.reason, JSON.stringify(news)).to.match(reason);
                }
                expect(sandbox.requests.length, "no request made").to.equal(before);
            });
        });

        describe("create", () => {
            it("creates the token with the mark in its GitLab name; outputs keep the declared name, value once", async () => {
                const { id, outs } = await created();
                const live = sandbox.gitlab.deployTokens(resource).find((t) => String(t.id) === id)!;
                expect(carriesMark(live.name, ownedBy("pull").__owner), live.name).to.equal(true);
                expect(live.name.startsWith("pull [pulumi-owner:")).to.equal(true);
                expect(outs.name).to.equal("pull");
                expect(outs.token)
                    .to.equal(live.value)
                    .and.match(/^gldt-/);
                expect(outs.username).to.equal(`gitlab+deploy-token-${id}`);
                expect(outs.tokenId).to.equal(Number(id));
                expect(outs.expiresAt).to.equal(null);
                expect(outs.apiUrl).to.equal(`${sandbox.baseUrls.gitlab}/api/v4`);
                expect(live.scopes).to.deep.equal(["read_registry"]);
            });

            it("sends username and expiry; rotation.expiresInDays gives a lifetime when no date is set", async () => {
                const expiry = addDays(today, 20);
                const dated = await created({ username: "k8s-pull", expiresAt: expiry });
                expect(dated.outs.username).to.equal("k8s-pull");
                expect(dated.outs.expiresAt).to.equal(expiry);
                expect(dated.outs.requestedExpiresAt).to.equal(expiry);
                const rotated = await created({ rotation: { expiresInDays: 30 } });
                expect(rotated.outs.expiresAt).to.equal(addDays(today, 30));
                expect(rotated.outs.requestedExpiresAt).to.equal(undefined);
            });

            it("without the role: GitLab's 403 with a hint naming the role needed", async () => {
                lifecycle = lifecycleAs(
                    kind === "project" ? SEED.gitlab.tokens.reporter : SEED.gitlab.tokens.maintainer,
                );
                const error = await caught(() => created());
                expect(error).to.be.instanceOf(ApiError);
                expect((error as ApiError).status).to.equal(403);
                expect(error.message).to.include("Maintainer role on the project").and.include("Owner on a group");
                expect(liveIds()).to.deep.equal([]);
            });
        });

        describe("read", () => {
            it("a live token reads as present, and no diff follows", async () => {
                const { id, outs, inputs } = await created();
                const read = await lifecycle.read(id, outs);
                expect(read.id).to.equal(id);
                const diff = await lifecycle.diff(id, read.props as PlainObject, inputs);
                expect(diff.changes).to.equal(false);
            });

            for (const [how, act] of [
                ["revoked", (sb: Sandbox, id: number) => sb.gitlab.revokeDeployToken(id)],
                [
                    "expired",
                    (sb: Sandbox, id: number) => sb.gitlab.setDeployTokenExpiresAt(id, addDays(todayUtc(), -1)),
                ],
                // GitLab: a deploy token expires at midnight UTC starting its date.
                ["expiring today", (sb: Sandbox, id: number) => sb.gitlab.setDeployTokenExpiresAt(id, todayUtc())],
            ] as const) {
                it(`a token ${how} out of band reads as gone`, async () => {
                    const { id, outs } = await created();
                    expect(act(sandbox, Number(id))).to.equal(true);
                    expect((await lifecycle.read(id, outs)).id).to.equal(undefined);
                });
            }

            it("a token deleted out of band reads as gone; deleting again succeeds", async () => {
                const { id, outs } = await created();
                await lifecycle.delete(id, outs);
                expect(liveIds()).to.deep.equal([]);
                expect((await lifecycle.read(id, outs)).id).to.equal(undefined);
                await lifecycle.delete(id, outs);
            });

            it("a 404 about the parent is not about the token: read fails, the token lives on", async () => {
                const { id, outs } = await created();
                const renamed = {
                    ...outs,
                    ...(kind === "project" ? { project: "acme/renamed" } : { group: "renamed" }),
                };
                const error = await caught(() => lifecycle.read(id, renamed));
                expect(error.message).to.match(/HTTP 404.*(Project|Group) Not Found/);
                expect(liveIds()).to.deep.equal([id]);
            });
        });

        describe("diff and update", () => {
            it("every input change replaces; connection and rotation settings update in place", async () => {
                const { id, outs, inputs } = await created({ username: "k8s" });
                const replaces = async (change: PlainObject) =>
                    (await lifecycle.diff(id, outs, await checked({ ...inputs, ...change }))).replaces;
                expect(await replaces({ name: "other" })).to.deep.equal(["name"]);
                expect(await replaces({ scopes: ["read_repository"] })).to.deep.equal(["scopes"]);
                expect(await replaces({ username: "k9s" })).to.deep.equal(["username"]);
                expect(await replaces({ expiresAt: addDays(today, 10) })).to.deep.equal(["expiresAt"]);
                expect(await replaces({ rotationTrigger: "2" })).to.deep.equal(["rotationTrigger"]);
                const settings = await checked({ ...inputs, rotation: { expiresInDays: 300 } });
                const diff = await lifecycle.diff(id, outs, settings);
                expect(diff.changes).to.equal(true);
                expect(diff.replaces).to.deep.equal([]);
                const before = sandbox.requests.length;
                const updated = (await lifecycle.update(id, outs, settings)).outs as PlainObject;
                expect(sandbox.requests.length, "a settings change calls nothing").to.equal(before);
                expect(updated.token).to.equal(outs.token);
                expect(updated.username).to.equal("k8s");
                expect(updated.rotation).to.deep.equal({ expiresInDays: 300 });
                expect((await lifecycle.diff(id, updated, settings)).changes).to.equal(false);
            });

            it("a rotation falls due near expiry and replaces: the new token first, then the old one deleted", async () => {
                const { id, outs, inputs } = await created({ rotation: { expiresInDays: 30, rotateBeforeDays: 5 } });
                const later = new Date(`${addDays(today, 26)}T12:00:00Z`);
                lifecycle = lifecycleAs(creator, () => later);
                const diff = await lifecycle.diff(id, outs, inputs);
                expect(diff.replaces).to.deep.equal(["expiresAt"]);
                expect(diff.deleteBeforeReplace).to.equal(false);
                expect(log.join("\n")).to.match(/replace expiresAt: expires .* within rotateBeforeDays=5/);
                const next = await lifecycle.create(inputs);
                expect(liveIds().sort()).to.deep.equal([id, next.id].sort());
                expect((next.outs as PlainObject).expiresAt).to.equal(addDays(addDays(today, 26), 30));
                await lifecycle.delete(id, outs);
                expect(liveIds()).to.deep.equal([next.id]);
            });
        });

        it("the client lists only active tokens when asked", async () => {
            const { id } = await created();
            const other = await created({ name: "other" });
            sandbox.gitlab.revokeDeployToken(Number(other.id));
            const client = new GitLabDeployTokenClient({
                apiUrl: `${sandbox.baseUrls.gitlab}/api/v4`,
                token: creator,
            });
            const parentKey = kind === "project" ? "acme/web" : "11";
            expect((await client.list(kind, parentKey, { active: true })).map((t) => String(t.id))).to.deep.equal([id]);
            expect(await client.list(kind, parentKey)).to.have.length(2);
        });
    });
}
