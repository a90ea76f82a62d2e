// `pulumi import` (the native plugin's Read without state) of every kind but the three GitLab access token kinds
// (test/e2e/native-yaml.test.ts imports those): a token made out of band on the sandbox is read into inputs that
// declare it as it is, so that a diff against those inputs changes nothing; malformed ids and missing tokens fail
// clearly before anything is imported.
import { expect } from "chai";
import { codacyClientFor, CodacyTokenLifecycle } from "../../provider/codacy/lifecycle";
import { giteaClientFor, GiteaTokenLifecycle } from "../../provider/gitea/lifecycle";
import { DeployTokenLifecycle, gitLabDeployTokenClientFor } from "../../provider/gitlab/deployTokenLifecycle";
import { gitLabClientFor, GitLabTokenLifecycle } from "../../provider/gitlab/lifecycle";
import { gitLabTriggerClientFor, PipelineTriggerLifecycle } from "../../provider/gitlab/triggerLifecycle";
import { InputValidationError } from "../../provider/http";
import { addDays, type PlainObject, todayUtc } from "../../provider/lifecycle";
import { ownerMarkOf } from "../../provider/ownership";
import { QoveryApiTokenLifecycle } from "../../provider/qovery/apiTokenLifecycle";
import { qoveryClientFor, QoveryTokenLifecycle } from "../../provider/qovery/lifecycle";
import type { ProviderContext, TokenLifecycle } from "../../provider/types";
import { SEED, type Sandbox, type ServiceName } from "../sandbox";
import { caught, contextWith } from "../support/context";
import { sandboxContext, sandboxPerSuite } from "../support/sandbox";

const ORG = SEED.qovery.organizationId;
const MISSING_UUID = "00000000-0000-4000-8000-000000000000";
const MARK = ownerMarkOf("urn:pulumi:other::project::kind::name");

interface ImportCase {
    kind: string;
    service: ServiceName;
    lifecycle: (ctx: ProviderContext) => TokenLifecycle;
    /** Makes the token out of band (as a person would) and returns its import id and service id. */
    make: (ctx: ProviderContext) => Promise<{ importId: string; tokenId: string }>;
    /** The inputs the import must yield. */
    inputs: PlainObject;
    /** The value import yields: `true` the service's value, `false` none (a warning says so). */
    valueShown: boolean;
    malformed: string[];
    missing: string;
    /** Extra inputs the program must add to the generated code (a value the service never shows back). */
    programAdds?: PlainObject;
    /** Credentials other than the sandbox's default ones, e.g. to import what another user made. */
    config?: Record<string, string>;
}

const CASES: ImportCase[] = [
    {
        // Imported under the engine by test/e2e/native-yaml.test.ts; here for its id forms and errors.
        kind: "ProjectAccessToken",
        service: "gitlab",
        lifecycle: (ctx) => new GitLabTokenLifecycle("project", ctx),
        make: async (ctx) => {
            const made = await gitLabClientFor(undefined, ctx).create("project", "acme/web", {
                name: "by-hand",
                scopes: ["read_api"],
                access_level: 30,
                expires_at: addDays(todayUtc(), 30),
                description: `made in the UI [${MARK}]`,
            });
            return { importId: `acme/web/${made.id}`, tokenId: String(made.id) };
        },
        inputs: {
            project: "acme/web",
            name: "by-hand",
            scopes: ["read_api"],
            accessLevel: 30,
            description: "made in the UI",
        },
        valueShown: false,
        malformed: ["acme/web", "acme//web/5", "/5", "acme/web/5x"],
        missing: "acme/web/99999",
    },
    {
        kind: "GiteaToken",
        service: "gitea",
        lifecycle: (ctx) => new GiteaTokenLifecycle(ctx),
        make: async (ctx) => {
            const made = await giteaClientFor(undefined, ctx).create("bob", `by-hand [${MARK}]`, ["read:repository"]);
            return { importId: `bob/${made.id}`, tokenId: String(made.id) };
        },
        inputs: { username: "bob", name: "by-hand", scopes: ["read:repository"] },
        valueShown: false,
        malformed: ["bob/", "bob/x7", "a b/7", "bob/7/8"],
        missing: "bob/99999",
    },
    {
        kind: "CodacyRepoToken",
        service: "codacy",
        lifecycle: (ctx) => new CodacyTokenLifecycle(ctx),
        make: async (ctx) => {
            const ref = { provider: "gh", organization: "acme", repository: "repo-001" } as const;
            const made = await codacyClientFor(undefined, ctx).createToken(ref);
            return { importId: `gh/acme/repo-001/${made.id}`, tokenId: String(made.id) };
        },
        inputs: { provider: "gh", organization: "acme", repository: "repo-001" },
        valueShown: true,
        malformed: ["acme/repo-001/5", "xx/acme/repo-001/5", "gh/acme/repo-001/five", "gh/acme//5"],
        missing: "gh/acme/repo-001/99999",
    },
    {
        kind: "QoveryGitToken",
        service: "qovery",
        lifecycle: (ctx) => new QoveryTokenLifecycle(ctx),
        make: async (ctx) => {
            const made = await qoveryClientFor(undefined, ctx).create(ORG, {
                name: "by-hand",
                type: "GITLAB",
                token: "glpat-by-hand",
                description: `made in the console [${MARK}]`,
            });
            return { importId: `${ORG}/${made.id}`, tokenId: made.id };
        },
        // Qovery fills in the git provider's API URL when none was given: declared as Qovery holds it.
        inputs: {
            organizationId: ORG,
            name: "by-hand",
            type: "GITLAB",
            description: "made in the console",
            gitApiUrl: "https://gitlab.com",
        },
        valueShown: false,
        malformed: [ORG, `${ORG}/not-a-uuid`, `acme/${MISSING_UUID}`],
        missing: `${ORG}/${MISSING_UUID}`,
        programAdds: { token: "glpat-from-the-program" },
    },
    {
        kind: "QoveryApiToken",
        service: "qovery",
        lifecycle: (ctx) => new QoveryApiTokenLifecycle(ctx),
        make: async (ctx) => {
            const made = await qoveryClientFor(undefined, ctx).createApiToken(ORG, {
                name: "by-hand",
                description: "for CI",
                role_id: SEED.qovery.roles.devops.id,
            });
            return { importId: `${ORG}/${made.id}`, tokenId: made.id };
        },
        inputs: { organizationId: ORG, name: "by-hand", description: "for CI", roleId: SEED.qovery.roles.devops.id },
        valueShown: false,
        malformed: [`${ORG}/`, `${ORG}:${MISSING_UUID}`],
        missing: `${ORG}/${MISSING_UUID}`,
    },
    {
        kind: "DeployToken (project)",
        service: "gitlab",
        lifecycle: (ctx) => new DeployTokenLifecycle(ctx),
        make: async (ctx) => {
            const made = await gitLabDeployTokenClientFor(undefined, ctx).create("project", "acme/web", {
                name: `pull [${MARK}]`,
                scopes: ["read_registry"],
                expires_at: "2099-06-30",
                username: "puller",
            });
            return { importId: `project:acme/web/${made.id}`, tokenId: String(made.id) };
        },
        inputs: {
            project: "acme/web",
            name: "pull",
            scopes: ["read_registry"],
            expiresAt: "2099-06-30",
            username: "puller",
        },
        valueShown: false,
        malformed: ["acme/web/5", "project:5", "team:acme/5", "project:acme//5"],
        missing: "project:acme/web/99999",
    },
    {
        kind: "DeployToken (group, GitLab's default username)",
        service: "gitlab",
        lifecycle: (ctx) => new DeployTokenLifecycle(ctx),
        make: async (ctx) => {
            const made = await gitLabDeployTokenClientFor(undefined, ctx).create("group", "acme", {
                name: "mirror",
                scopes: ["read_repository"],
            });
            return { importId: `group:acme/${made.id}`, tokenId: String(made.id) };
        },
        inputs: { group: "acme", name: "mirror", scopes: ["read_repository"] },
        valueShown: false,
        malformed: ["group:acme"],
        missing: "group:acme/99999",
    },
    {
        kind: "PipelineTriggerToken (the importer's own: value shown)",
        service: "gitlab",
        lifecycle: (ctx) => new PipelineTriggerLifecycle(ctx),
        make: async (ctx) => {
            const made = await gitLabTriggerClientFor(undefined, ctx).create("acme/web", `deploys [${MARK}]`);
            return { importId: `acme/web/${made.id}`, tokenId: String(made.id) };
        },
        inputs: { project: "acme/web", description: "deploys" },
        valueShown: true,
        malformed: ["12", "acme/web/", "acme/web/x"],
        missing: "acme/web/99999",
    },
    {
        kind: "PipelineTriggerToken (another user's: value not shown)",
        service: "gitlab",
        lifecycle: (ctx) => new PipelineTriggerLifecycle(ctx),
        make: async (ctx) => {
            const maintainer = contextWith({ ...configOf(ctx), "gitlab:token": SEED.gitlab.tokens.maintainer });
            const made = await gitLabTriggerClientFor(undefined, maintainer).create("acme/web", "nightly");
            return { importId: `acme/web/${made.id}`, tokenId: String(made.id) };
        },
        inputs: { project: "acme/web", description: "nightly" },
        valueShown: false,
        malformed: [],
        missing: "acme/web/99999",
    },
];

function caseOf(kind: string): ImportCase {
    const found = CASES.find((c) => c.kind === kind);
    if (!found) {
        throw new Error(`no case ${kind}`);
    }
    return found;
}

/** The stack config a context was made with (contextWith keeps it behind `get`). */
function configOf(ctx: ProviderContext): Record<string, string> {
    const keys = ["gitlab:baseUrl", "gitlab:token"];
    return Object.fromEntries(keys.map((key) => [key, String(ctx.config.get(key))]));
}

describe("pulumi import of every other kind (sandbox)", () => {
    const sandboxNow = sandboxPerSuite();
    let sandbox: Sandbox;
    let log: string[];
    let ctx: ProviderContext;

    beforeEach(() => {
        sandbox = sandboxNow();
        log = [];
        ctx = sandboxContext(sandbox, log);
    });

    const writes = (since: number) => sandbox.requests.slice(since).filter((r) => r.method !== "GET");
    const isLive = (service: ServiceName, id: string) => sandbox.liveTokens(service).some((t) => t.id === id);

    for (const c of CASES) {
        describe(c.kind, () => {
            it("imports a token made out of band: its id, the inputs that declare it, and a diff of nothing", async () => {
                const { importId, tokenId } = await c.make(ctx);
                const lifecycle = c.lifecycle(ctx);
                const before = sandbox.requests.length;
                const imported = await lifecycle.importToken!(importId);
                expect(imported.id).to.equal(tokenId);
                expect(imported.inputs).to.deep.equal(c.inputs);
                // Everything the inputs say is in the state too (what diff compares).
                expect(imported.outs).to.deep.include(c.inputs);
                const value = imported.outs.token;
                if (c.valueShown) {
                    expect(value).to.be.a("string").with.length.greaterThan(8);
                    expect(log).to.deep.equal([]);
                } else {
                    expect(value ?? "").to.equal("");
                    expect(log.join("\n")).to.match(/never shows/);
                }
                // Declared as generated (what check makes of it), the next `up` changes nothing.
                const checked = await lifecycle.check({}, { ...imported.inputs, ...c.programAdds });
                expect(checked.failures ?? []).to.deep.equal([]);
                const diff = await lifecycle.diff(imported.id, imported.outs, checked.inputs as PlainObject);
                if (c.programAdds) {
                    expect(diff).to.deep.include({ changes: true, replaces: [] });
                } else {
                    expect(diff.changes).to.equal(false);
                }
                // refresh keeps it; nothing was written so far.
                expect((await lifecycle.read(imported.id, imported.outs)).id).to.equal(imported.id);
                expect(writes(before)).to.deep.equal([]);
                // destroy (or removal from the program) deletes it, as for a token the stack created.
                await lifecycle.delete(imported.id, imported.outs);
                expect(isLive(c.service, tokenId)).to.equal(false);
            });

            it("a malformed id is refused before any request, naming the expected form", async () => {
                const lifecycle = c.lifecycle(ctx);
                const before = sandbox.requests.length;
                for (const id of c.malformed) {
                    const error = await caught(() => lifecycle.importToken!(id));
                    expect(error, id).to.be.instanceOf(InputValidationError);
                    expect(error.message).to.include("import id must be").and.include(JSON.stringify(id));
                }
                expect(sandbox.requests.length).to.equal(before);
            });

            it("an id naming no token says it was not found, and imports nothing", async () => {
                const error = await caught(() => c.lifecycle(ctx).importToken!(c.missing));
                expect(error).to.be.instanceOf(InputValidationError);
                expect(error.message)
                    .to.include(c.missing)
                    .and.match(/has no .*nothing was imported/);
            });
        });
    }

    it("QoveryGitToken: the first update after import sends the program's token, in place", async () => {
        const { importId } = await caseOf("QoveryGitToken").make(ctx);
        const lifecycle = new QoveryTokenLifecycle(ctx);
        const imported = await lifecycle.importToken(importId);
        expect(log.join("\n")).to.include("the program must set `token`");
        const news = (await lifecycle.check({}, { ...imported.inputs, token: "glpat-from-the-program" }))
            .inputs as PlainObject;
        const updated = await lifecycle.update(imported.id, imported.outs, news);
        expect(sandbox.qovery.secretOf(imported.id)).to.equal("glpat-from-the-program");
        expect((await lifecycle.diff(imported.id, updated.outs as PlainObject, news)).changes).to.equal(false);
    });

    it("PersonalAccessToken: the user and service account forms, and a malformed id naming both", async () => {
        const lifecycle = new GitLabTokenLifecycle("personal", ctx);
        for (const id of ["0/5", "acme/x/5", "5"]) {
            const error = await caught(() => lifecycle.importToken(id));
            expect(error.message, id).to.include(
                "import id must be <user id>/<token id> or <group>/<service account user id>/<token id>",
            );
        }
        const missing = await caught(() =>
            lifecycle.importToken(`acme/${SEED.gitlab.serviceAccounts.deploy.id}/99999`),
        );
        expect(missing.message).to.include("has no active token 99999");
    });

    it("an expired deploy token is not imported", async () => {
        const { importId, tokenId } = await caseOf("DeployToken (project)").make(ctx);
        sandbox.gitlab.revokeDeployToken(Number(tokenId));
        const error = await caught(() => new DeployTokenLifecycle(ctx).importToken(importId));
        expect(error.message).to.include("no active deploy token");
    });
});
