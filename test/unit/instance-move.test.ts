// Moving a stack to another instance of a service (issue #17): every token records the instance it lives on,
// reads and revocations go there whatever the configuration says now, and a changed instance replaces the
// token (created on the new one, revoked on the old one). Two sandboxes play the two instances; their seeded
// credentials are the same, so a credential sent to the wrong instance would work and must be caught by
// counting the requests each instance receives.
import { expect } from "chai";
import { envVarName, type StackConfig } from "../../provider/config";
import { CodacyTokenLifecycle } from "../../provider/codacy/lifecycle";
import { GiteaTokenLifecycle } from "../../provider/gitea/lifecycle";
import { GitLabTokenLifecycle } from "../../provider/gitlab/lifecycle";
import { ConfigurationError, type ServiceName } from "../../provider/http/errors";
import type { PlainObject } from "../../provider/lifecycle";
import { QoveryTokenLifecycle } from "../../provider/qovery/lifecycle";
import type { ProviderContext, TokenLifecycle } from "../../provider/types";
import { SEED, type Sandbox, startSandbox, tokensMadeByPrograms } from "../sandbox";
import { caught } from "../support/context";

interface ServiceCase {
    service: ServiceName;
    make(ctx: ProviderContext): TokenLifecycle;
    inputs: PlainObject;
    /** Credential settings by name (`token`, `username`…). */
    credentials: Record<string, string>;
    apiPath: string;
}

const CASES: ServiceCase[] = [
    {
        service: "gitlab",
        make: (ctx) => new GitLabTokenLifecycle("project", ctx),
        inputs: { project: "acme/web", name: "ci", scopes: ["read_api"] },
        credentials: { token: SEED.gitlab.tokens.maintainer },
        apiPath: "/api/v4",
    },
    {
        service: "gitea",
        make: (ctx) => new GiteaTokenLifecycle(ctx),
        inputs: { name: "ci", scopes: ["read:repository"] },
        credentials: { username: SEED.gitea.users.bob.username, password: SEED.gitea.users.bob.password },
        apiPath: "/api/v1",
    },
    {
        service: "codacy",
        make: (ctx) => new CodacyTokenLifecycle(ctx),
        inputs: { provider: "gh", organization: "acme", repository: "repo-001" },
        credentials: { apiToken: SEED.codacy.apiToken },
        apiPath: "/api/v3",
    },
    {
        service: "qovery",
        make: (ctx) => new QoveryTokenLifecycle(ctx),
        // gitApiUrl as the sandbox reports it, so that a refresh shows no drift of its own.
        inputs: {
            organizationId: SEED.qovery.organizationId,
            name: "gitlab",
            type: "GITLAB",
            token: "git-token-1",
            gitApiUrl: "https://gitlab.com",
        },
        credentials: { apiToken: SEED.qovery.apiToken },
        apiPath: "",
    },
];

interface Settings {
    config?: Record<string, string>;
    env?: Record<string, string>;
}

/** What the engine keeps of a resource: its id, checked inputs and outputs. */
interface Resource {
    id: string;
    inputs: PlainObject;
    outs: PlainObject;
}

for (const c of CASES) {
    describe(`${c.service}: moving to another instance`, () => {
        let a: Sandbox;
        let b: Sandbox;
        let log: string[];

        before(async () => {
            [a, b] = await Promise.all([startSandbox(), startSandbox()]);
        });
        after(async () => {
            await Promise.all([a.close(), b.close()]);
        });
        beforeEach(() => {
            a.reset();
            b.reset();
            log = [];
        });

        const url = (sandbox: Sandbox): string => sandbox.baseUrls[c.service];
        const apiRoot = (sandbox: Sandbox): string => `${url(sandbox)}${c.apiPath}`;
        const live = (sandbox: Sandbox): string[] =>
            tokensMadeByPrograms(sandbox)
                .filter((token) => token.service === c.service)
                .map((token) => token.id);
        const requestsTo = (sandbox: Sandbox): number => sandbox.requests.filter((r) => r.service === c.service).length;

        /** Stack config naming `sandbox` with the service's credentials. */
        function configFor(sandbox: Sandbox, baseUrl = url(sandbox)): Record<string, string> {
            const entries = Object.entries(c.credentials).map(([k, v]) => [`${c.service}:${k}`, v]);
            return { [`${c.service}:baseUrl`]: baseUrl, ...Object.fromEntries(entries) };
        }
        function envFor(sandbox: Sandbox, baseUrl = url(sandbox)): Record<string, string> {
            const entries = Object.entries(c.credentials).map(([k, v]) => [envVarName(c.service, k), v]);
            return { [envVarName(c.service, "baseUrl")]: baseUrl, ...Object.fromEntries(entries) };
        }
        function lifecycle(settings: Settings): TokenLifecycle {
            const config: StackConfig = { get: (key) => settings.config?.[key] };
            return c.make({ config, env: settings.env ?? {}, now: () => new Date(), log: (m) => log.push(m) });
        }

        async function checked(settings: Settings, extra: PlainObject): Promise<PlainObject> {
            const result = await lifecycle(settings).check({}, { ...c.inputs, ...extra });
            expect(result.failures ?? []).to.deep.equal([]);
            return result.inputs as PlainObject;
        }

        async function created(settings: Settings, extra: PlainObject = {}): Promise<Resource> {
            const inputs = await checked(settings, extra);
            const result = await lifecycle(settings).create(inputs);
            return { id: result.id, inputs, outs: result.outs as PlainObject };
        }

        /** One `pulumi up` of an unchanged program under new settings, as the engine runs it. */
        async function up(settings: Settings, old: Resource, extra: PlainObject = {}) {
            const provider = lifecycle(settings);
            const inputs = await checked(settings, extra);
            const diff = await provider.diff(old.id, old.outs, inputs);
            if ((diff.replaces ?? []).length > 0) {
                if (diff.deleteBeforeReplace) {
                    await provider.delete(old.id, old.outs);
                }
                const made = await provider.create(inputs);
                if (!diff.deleteBeforeReplace) {
                    await provider.delete(old.id, old.outs);
                }
                return { diff, resource: { id: made.id, inputs, outs: made.outs as PlainObject } };
            }
            if (diff.changes) {
                const updated = await provider.update(old.id, old.outs, inputs);
                return { diff, resource: { id: old.id, inputs, outs: updated.outs as PlainObject } };
            }
            return { diff, resource: { ...old, inputs } };
        }

        /** `pulumi refresh`: the read, then the engine's refresh diff (refreshed outputs against stored inputs). */
        async function refresh(settings: Settings, old: Resource) {
            const provider = lifecycle(settings);
            const read = await provider.read(old.id, old.outs);
            if (read.id === undefined) {
                return { dropped: true as const };
            }
            const diff = await provider.diff(old.id, read.props as PlainObject, old.inputs);
            return { dropped: false as const, diff, resource: { ...old, outs: read.props as PlainObject } };
        }

        function expectMovedAway(error: Error): void {
            expect(error).to.be.instanceOf(ConfigurationError);
            expect(error.message).to.include(apiRoot(a)).and.include(apiRoot(b));
            expect(error.message).to.include("pulumi state delete").and.include(envVarName(c.service, "baseUrl"));
            for (const secret of Object.values(c.credentials)) {
                expect(error.message).to.not.include(secret);
            }
        }

        it("records the instance, in any spelling, as its API root", async () => {
            const token = await created({ config: configFor(a, `${url(a)}${c.apiPath}/`) });
            expect(token.outs.apiUrl).to.equal(apiRoot(a));
        });

        it("stack config moved, old instance's credentials in the environment: replaced, nothing left on A", async () => {
            const token = await created({ config: configFor(a) });
            expect(live(a)).to.deep.equal([token.id]);
            const moved = { config: configFor(b), env: envFor(a) };
            const { diff, resource } = await up(moved, token);
            expect(diff.replaces).to.include("apiUrl");
            expect(diff.deleteBeforeReplace ?? false).to.equal(false); // overlap, even for Gitea's unique names
            expect(log.join("\n")).to.include(`the instance moves from ${apiRoot(a)} to ${apiRoot(b)}`);
            expect(live(a)).to.deep.equal([]);
            expect(live(b)).to.deep.equal([resource.id]);
            expect(resource.outs.apiUrl).to.equal(apiRoot(b));
            const again = await refresh({ config: configFor(b) }, resource);
            expect(again.dropped).to.equal(false);
            expect(again.diff?.changes).to.equal(false);
        });

        it("stack config moved without the old credentials: refresh and up fail naming both, A is never called, nothing is dropped", async () => {
            const token = await created({ config: configFor(a) });
            const before = requestsTo(a);
            const moved = { config: configFor(b) };
            expectMovedAway(await caught(() => refresh(moved, token)));
            expectMovedAway(await caught(() => up(moved, token)));
            expectMovedAway(await caught(() => lifecycle(moved).delete(token.id, token.outs)));
            expect(requestsTo(a)).to.equal(before);
            expect(live(a)).to.deep.equal([token.id]);
            expect(live(b)).to.deep.equal([]);
            // The way out the message gives: the old instance in the environment for one `up`.
            const { resource } = await up({ config: configFor(b), env: envFor(a) }, token);
            expect(live(a)).to.deep.equal([]);
            expect(live(b)).to.deep.equal([resource.id]);
        });

        it("environment moved: without old credentials it fails; with the credentials in `connection` it moves", async () => {
            const token = await created({ env: envFor(a) });
            expectMovedAway(await caught(() => up({ env: envFor(b) }, token)));
            expect(live(a)).to.deep.equal([token.id]);
            // The way out: the new instance in stack config, the old one still in the environment, for one `up`.
            const finished = await up({ config: configFor(b), env: envFor(a) }, token);
            expect(live(a)).to.deep.equal([]);
            expect(live(b)).to.deep.equal([finished.resource.id]);
            await lifecycle({ config: configFor(b) }).delete(finished.resource.id, finished.resource.outs);

            const viaConnection = await created(
                { env: { [envVarName(c.service, "baseUrl")]: url(a) } },
                {
                    connection: c.credentials,
                },
            );
            const { diff, resource } = await up(
                { env: { [envVarName(c.service, "baseUrl")]: url(b) } },
                viaConnection,
                {
                    connection: c.credentials,
                },
            );
            expect(diff.replaces).to.include("apiUrl");
            expect(live(a)).to.deep.equal([]);
            expect(live(b)).to.deep.equal([resource.id]);
        });

        it("connection moved: the stored connection reaches the old instance; without its credentials it fails", async () => {
            const token = await created({}, { connection: { baseUrl: url(a), ...c.credentials } });
            const { diff, resource } = await up({}, token, { connection: { baseUrl: url(b), ...c.credentials } });
            expect(diff.replaces).to.include("apiUrl");
            expect(live(a)).to.deep.equal([]);
            expect(live(b)).to.deep.equal([resource.id]);

            // Credentials from stack config (without a base URL) that are gone by the time of the move.
            const bare = await created({ config: configFor(a, "") }, { connection: { baseUrl: url(a) } });
            const before = requestsTo(a);
            const error = await caught(() => up({}, bare, { connection: { baseUrl: url(b), ...c.credentials } }));
            expectMovedAway(error);
            expect(requestsTo(a)).to.equal(before);
            expect(live(a)).to.deep.equal([bare.id]);
        });

        it("equivalent spellings (API path, trailing slash, config, environment or connection) are no change", async () => {
            const token = await created({ config: configFor(a) });
            const before = requestsTo(a);
            const spellings: [Settings, PlainObject][] = [
                [{ config: configFor(a, `${url(a)}${c.apiPath}/`) }, {}],
                [{ config: configFor(a, `${url(a)}//`) }, {}],
                [{ env: envFor(a, `${url(a)}${c.apiPath}`) }, {}],
                [{ config: configFor(a, "") }, { connection: { baseUrl: `${url(a)}${c.apiPath}/` } }],
            ];
            for (const [settings, extra] of spellings) {
                const { diff } = await up(settings, token, extra);
                expect(diff.changes, JSON.stringify([settings, extra])).to.equal(false);
            }
            expect(log).to.deep.equal([]);
            expect(requestsTo(a)).to.equal(before);
            expect(live(a)).to.deep.equal([token.id]);
        });

        describe("state written before the instance was recorded", () => {
            async function oldState(): Promise<Resource> {
                const token = await created({ config: configFor(a) });
                const { apiUrl: _outs, ...outs } = token.outs;
                const { apiUrl: _inputs, ...inputs } = token.inputs;
                return { ...token, inputs, outs };
            }

            it("refresh records the instance and reports no change", async () => {
                const token = await oldState();
                const result = await refresh({ config: configFor(a) }, token);
                expect(result.dropped).to.equal(false);
                expect(result.diff?.changes).to.equal(false);
                expect(result.resource?.outs.apiUrl).to.equal(apiRoot(a));
            });

            it("up records it by an in-place update without any request, then a move works", async () => {
                const token = await oldState();
                const before = requestsTo(a);
                const { diff, resource } = await up({ config: configFor(a) }, token);
                expect(diff.changes).to.equal(true);
                expect(diff.replaces ?? []).to.deep.equal([]);
                expect(log.join("\n")).to.include(`record the instance the token lives on, ${apiRoot(a)}`);
                expect(requestsTo(a)).to.equal(before);
                expect(resource.outs.apiUrl).to.equal(apiRoot(a));
                expect(resource.outs.tokenId ?? resource.outs.gitTokenId).to.not.equal(undefined);
                const second = await up({ config: configFor(a) }, resource);
                expect(second.diff.changes).to.equal(false);
                const moved = await up({ config: configFor(b), env: envFor(a) }, resource);
                expect(live(a)).to.deep.equal([]);
                expect(live(b)).to.deep.equal([moved.resource.id]);
            });

            it("read and delete use the configured instance; a stored connection.baseUrl counts as the record", async () => {
                const token = await oldState();
                await lifecycle({ config: configFor(a) }).delete(token.id, token.outs);
                expect(live(a)).to.deep.equal([]);

                const withConnection = await created({ config: configFor(a, "") }, { connection: { baseUrl: url(a) } });
                const { apiUrl: _dropped, ...outs } = withConnection.outs;
                const { diff } = await up(
                    { config: configFor(a, "") },
                    { ...withConnection, outs },
                    {
                        connection: { baseUrl: `${url(a)}/` },
                    },
                );
                expect(diff.changes).to.equal(false);
            });
        });
    });
}

describe("gitlab: rotation and a move at once", () => {
    let a: Sandbox;
    let b: Sandbox;

    before(async () => {
        [a, b] = await Promise.all([startSandbox(), startSandbox()]);
    });
    after(async () => {
        await Promise.all([a.close(), b.close()]);
    });

    function lifecycleWith(config: Record<string, string>, env: Record<string, string> = {}): GitLabTokenLifecycle {
        const stackConfig: StackConfig = { get: (key) => config[key] };
        return new GitLabTokenLifecycle("project", { config: stackConfig, env, now: () => new Date(), log: () => {} });
    }

    it("a rotate-in-place due on a moved token replaces it instead: nothing is rotated on either instance", async () => {
        const token = SEED.gitlab.tokens.maintainer;
        const onA = lifecycleWith({ "gitlab:baseUrl": a.baseUrls.gitlab, "gitlab:token": token });
        const program = {
            project: "acme/web",
            name: "ci",
            scopes: ["read_api"],
            rotation: { strategy: "rotate" },
            rotationTrigger: "1",
        };
        const first = await onA.check({}, program);
        const made = await onA.create(first.inputs as PlainObject);
        const moved = lifecycleWith(
            { "gitlab:baseUrl": b.baseUrls.gitlab, "gitlab:token": token },
            { GITLAB_BASE_URL: a.baseUrls.gitlab, GITLAB_TOKEN: token },
        );
        const news = (await moved.check({}, { ...program, rotationTrigger: "2" })).inputs as PlainObject;
        const diff = await moved.diff(made.id, made.outs as PlainObject, news);
        expect(diff.replaces).to.include("apiUrl");
        const rotations = [a, b].flatMap((s) => s.requests.filter((r) => r.path.endsWith("/rotate")));
        expect(rotations).to.deep.equal([]);
        // Same instance, other spelling: the rotation happens in place, on that instance.
        const respelled = lifecycleWith({ "gitlab:baseUrl": `${a.baseUrls.gitlab}/api/v4/`, "gitlab:token": token });
        const again = (await respelled.check({}, { ...program, rotationTrigger: "2" })).inputs as PlainObject;
        const inPlace = await respelled.diff(made.id, made.outs as PlainObject, again);
        expect(inPlace.replaces ?? []).to.deep.equal([]);
        const rotated = await respelled.update(made.id, made.outs as PlainObject, again);
        expect((rotated.outs as PlainObject).apiUrl).to.equal(`${a.baseUrls.gitlab}/api/v4`);
        expect(a.requests.filter((r) => r.path.endsWith("/rotate"))).to.have.length(1);
        expect(b.requests.filter((r) => r.service === "gitlab")).to.deep.equal([]);
    });
});
