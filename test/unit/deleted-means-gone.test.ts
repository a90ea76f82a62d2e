// "Deleted" means gone: a delete succeeds only when the token's own DELETE answered 2xx/404 or a read of the
// token itself says it is gone; a 404 from an auxiliary call (a usage look-up, a listing, a parent lookup) never
// counts. Per kind, every auxiliary GET answers 404 while the token is there: the delete deletes the token
// (confirmed on the sandbox) or fails clearly with the token left live. Reads likewise never drop a token
// because a listing of its parent answered 404.
import { expect } from "chai";
import { CodacyTokenLifecycle } from "../../provider/codacy/lifecycle";
import { GiteaTokenLifecycle } from "../../provider/gitea/lifecycle";
import { DeployTokenLifecycle } from "../../provider/gitlab/deployTokenLifecycle";
import { PipelineTriggerLifecycle } from "../../provider/gitlab/triggerLifecycle";
import { GitLabTokenLifecycle } from "../../provider/gitlab/lifecycle";
import { ApiError } from "../../provider/http";
import type { PlainObject } from "../../provider/lifecycle";
import { QoveryApiTokenLifecycle } from "../../provider/qovery/apiTokenLifecycle";
import { QoveryTokenLifecycle } from "../../provider/qovery/lifecycle";
import type { ProviderContext, TokenLifecycle } from "../../provider/types";
import { type FaultSpec, SEED, type Sandbox, type ServiceName, startSandbox } from "../sandbox";
import { caught, contextWith } from "../support/context";

const HTTP: NonNullable<ProviderContext["http"]> = {
    timeoutMs: 2_000,
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2 },
};
const ORG = SEED.qovery.organizationId;

interface Kind {
    resource: string;
    service: ServiceName;
    config(sb: Sandbox): Record<string, string>;
    lifecycle(ctx: ProviderContext): TokenLifecycle;
    inputs: PlainObject;
    /** Every GET the kind could make besides a read of the token itself. */
    auxiliary: RegExp[];
    /** What a delete does when the auxiliary calls answer 404 while the token is there. */
    delete: "deletes" | "refuses";
    /** What a read does when a listing of the token's parent answers 404 (the kinds that read through one). */
    readByListing?: RegExp;
}

function gitLab(kind: "project" | "group"): Kind {
    return {
        resource: kind === "project" ? "ProjectAccessToken" : "GroupAccessToken",
        service: "gitlab",
        config: (sb) => ({
            "gitlab:baseUrl": sb.baseUrls.gitlab,
            "gitlab:token": kind === "project" ? SEED.gitlab.tokens.maintainer : SEED.gitlab.tokens.owner,
        }),
        lifecycle: (ctx) => new GitLabTokenLifecycle(kind, ctx),
        inputs: { ...(kind === "project" ? { project: "acme/web" } : { group: 11 }), name: "ci", scopes: ["read_api"] },
        // The token listing, the parent (project or group), the current user.
        auxiliary: [/\/access_tokens$/, /\/(projects|groups)\/[^/]+$/, /\/user$/],
        delete: "deletes",
    };
}

/** A GitLab personal access token: a user's read itself, a service account's only through the account's listing. */
function personal(of: "user" | "serviceAccount"): Kind {
    const accountId = SEED.gitlab.serviceAccounts.deploy.id;
    const listing = new RegExp(`/service_accounts/${accountId}/personal_access_tokens$`);
    return {
        resource: of === "user" ? "PersonalAccessToken" : "PersonalAccessToken (service account)",
        service: "gitlab",
        config: (sb) => ({
            "gitlab:baseUrl": sb.baseUrls.gitlab,
            "gitlab:token": of === "user" ? SEED.gitlab.tokens.root : SEED.gitlab.tokens.owner,
        }),
        lifecycle: (ctx) => new GitLabTokenLifecycle("personal", ctx),
        inputs: {
            ...(of === "user" ? { userId: 2 } : { serviceAccount: { group: "acme", userId: accountId } }),
            name: "ci",
            scopes: ["read_api"],
        },
        // The owner's token listing, the user or group, the current user.
        auxiliary:
            of === "user"
                ? [/\/personal_access_tokens$/, /\/users\/\d+$/, /\/user$/]
                : [listing, /\/groups\/[^/]+$/, /\/user$/],
        delete: "deletes",
        ...(of === "serviceAccount" ? { readByListing: listing } : {}),
    };
}

const KINDS: Kind[] = [
    gitLab("project"),
    gitLab("group"),
    personal("user"),
    personal("serviceAccount"),
    {
        resource: "DeployToken",
        service: "gitlab",
        config: (sb) => ({ "gitlab:baseUrl": sb.baseUrls.gitlab, "gitlab:token": SEED.gitlab.tokens.maintainer }),
        lifecycle: (ctx) => new DeployTokenLifecycle(ctx),
        inputs: { project: "acme/web", name: "ci", scopes: ["read_registry"] },
        // The deploy token listing (before a create), the project, the current user.
        auxiliary: [/\/deploy_tokens$/, /\/projects\/[^/]+$/, /\/user$/],
        delete: "deletes",
    },
    {
        resource: "PipelineTriggerToken",
        service: "gitlab",
        config: (sb) => ({ "gitlab:baseUrl": sb.baseUrls.gitlab, "gitlab:token": SEED.gitlab.tokens.maintainer }),
        lifecycle: (ctx) => new PipelineTriggerLifecycle(ctx),
        inputs: { project: "acme/web", description: "ci" },
        // The trigger listing (before a create), the project, the current user.
        auxiliary: [/\/triggers$/, /\/projects\/[^/]+$/, /\/user$/],
        delete: "deletes",
    },
    {
        resource: "GiteaToken",
        service: "gitea",
        config: (sb) => ({
            "gitea:baseUrl": sb.baseUrls.gitea,
            "gitea:username": SEED.gitea.users.bob.username,
            "gitea:password": SEED.gitea.users.bob.password,
        }),
        lifecycle: (ctx) => new GiteaTokenLifecycle(ctx),
        inputs: { name: "ci", scopes: ["read:repository"] },
        auxiliary: [/\/users\/bob\/tokens$/, /\/users\/bob$/, /\/user$/],
        delete: "deletes",
        readByListing: /\/users\/bob\/tokens$/,
    },
    {
        resource: "CodacyRepoToken",
        service: "codacy",
        config: (sb) => ({ "codacy:baseUrl": sb.baseUrls.codacy, "codacy:apiToken": SEED.codacy.apiToken }),
        lifecycle: (ctx) => new CodacyTokenLifecycle(ctx),
        inputs: { provider: "gh", organization: "acme", repository: "repo-001" },
        auxiliary: [/\/repositories\/repo-001\/tokens$/, /\/repositories\/repo-001$/, /\/organizations\/gh\/acme$/],
        delete: "deletes",
        readByListing: /\/repositories\/repo-001\/tokens$/,
    },
    {
        resource: "QoveryGitToken",
        service: "qovery",
        config: (sb) => ({ "qovery:baseUrl": sb.baseUrls.qovery, "qovery:apiToken": SEED.qovery.apiToken }),
        lifecycle: (ctx) => new QoveryTokenLifecycle(ctx),
        inputs: { organizationId: ORG, name: "gitlab-ci", type: "GITLAB", token: "git-provider-token-1" },
        // The usage look-up made before a delete, and the organization's listing.
        auxiliary: [/\/gitToken\/[^/]+\/associatedServices$/, /\/gitToken$/],
        delete: "refuses",
    },
    {
        resource: "QoveryApiToken",
        service: "qovery",
        config: (sb) => ({ "qovery:baseUrl": sb.baseUrls.qovery, "qovery:apiToken": SEED.qovery.apiToken }),
        lifecycle: (ctx) => new QoveryApiTokenLifecycle(ctx),
        inputs: { organizationId: ORG, name: "ci-deploy", roleId: SEED.qovery.roles.devops.id },
        // Qovery has no read of one API token: the organization's listing is the only look-up.
        auxiliary: [/\/apiToken$/],
        delete: "deletes",
        readByListing: /\/apiToken$/,
    },
];

describe("a delete reports success only when the token itself is gone (sandbox)", () => {
    let sandbox: Sandbox;

    before(async () => {
        sandbox = await startSandbox();
    });
    after(async () => {
        await sandbox.close();
    });

    function isLive(kind: Kind, id: string): boolean {
        return sandbox.liveTokens(kind.service).some((token) => token.id === id);
    }

    function auxiliary404(kind: Kind, paths: RegExp[] = kind.auxiliary): void {
        for (const path of paths) {
            const fault: FaultSpec = { service: kind.service, method: "GET", path, kind: "status", status: 404 };
            sandbox.faults.add({ ...fault, times: -1 });
        }
    }

    async function created(kind: Kind, extra: PlainObject = {}) {
        const lifecycle = kind.lifecycle({ ...contextWith(kind.config(sandbox)), http: HTTP });
        const checked = await lifecycle.check({}, { ...kind.inputs, ...extra });
        expect(checked.failures ?? []).to.deep.equal([]);
        const result = await lifecycle.create(checked.inputs as PlainObject);
        expect(isLive(kind, result.id), "created").to.equal(true);
        return { lifecycle, id: result.id, outs: result.outs as PlainObject };
    }

    for (const kind of KINDS) {
        describe(kind.resource, () => {
            beforeEach(() => sandbox.reset());

            it(`delete with every auxiliary look-up answering 404 ${kind.delete === "deletes" ? "still deletes the token" : "fails clearly and keeps the token"}`, async () => {
                const { lifecycle, id, outs } = await created(kind);
                auxiliary404(kind);
                if (kind.delete === "deletes") {
                    await lifecycle.delete(id, outs);
                    expect(isLive(kind, id), "the token is gone on the service").to.equal(false);
                    const own = sandbox.requests.filter((r) => r.service === kind.service && r.method === "DELETE");
                    expect(
                        own.map((r) => r.status),
                        "its own DELETE did it",
                    ).to.deep.equal([204]);
                } else {
                    const error = await caught(() => lifecycle.delete(id, outs));
                    expect(error).to.be.instanceOf(ApiError);
                    expect(error.message)
                        .to.include("HTTP 404")
                        .and.include("still exists")
                        .and.include("allowDeleteWhileInUse");
                    expect(isLive(kind, id), "the token is still there, as the error says").to.equal(true);
                }
            });

            it("read with the auxiliary look-ups answering 404 never drops a token that is there", async () => {
                const { lifecycle, id, outs } = await created(kind);
                auxiliary404(kind);
                if (kind.readByListing === undefined) {
                    // The kind reads the token itself: the look-ups around it change nothing.
                    expect((await lifecycle.read(id, outs)).id).to.equal(id);
                } else {
                    const error = await caught(() => lifecycle.read(id, outs));
                    expect(error).to.be.instanceOf(ApiError);
                    expect((error as ApiError).status).to.equal(404);
                    expect(error.message).to.include("does not prove").and.include("the state keeps it");
                    expect(error.message).to.include("pulumi state delete");
                }
                expect(isLive(kind, id)).to.equal(true);
            });

            if (kind.readByListing !== undefined) {
                it("read: a listing that answers without the token still reads it as gone", async () => {
                    const { lifecycle, id, outs } = await created(kind);
                    await lifecycle.delete(id, outs);
                    expect((await lifecycle.read(id, outs)).id).to.equal(undefined);
                });
            }
        });
    }

    describe("GitLab: a 404 about the project or group is not about the token", () => {
        beforeEach(() => sandbox.reset());

        // Kinds below a project or group (a personal token's owner is a user: see its own test).
        for (const kind of KINDS.filter(
            (k) => k.service === "gitlab" && ("project" in k.inputs || "group" in k.inputs),
        )) {
            const ofProject = "project" in kind.inputs;
            it(`${kind.resource}: a renamed parent (404 ${ofProject ? "Project" : "Group"} Not Found) fails read and delete; the token lives on`, async () => {
                const { lifecycle, id, outs } = await created(kind);
                // The state still names the old path, as after a rename or a move on GitLab.
                const renamed: PlainObject = {
                    ...outs,
                    ...(ofProject ? { project: "acme/renamed" } : { group: "renamed" }),
                };
                const readError = await caught(() => lifecycle.read(id, renamed));
                expect(readError.message).to.match(/HTTP 404.*(Project|Group) Not Found/);
                expect(readError.message).to.include("the state keeps it").and.include("pulumi state delete");
                const deleteError = await caught(() => lifecycle.delete(id, renamed));
                expect(deleteError.message).to.match(/HTTP 404.*(Project|Group) Not Found/);
                expect(isLive(kind, id), "the token still lives").to.equal(true);
                // A 404 about the token itself still means gone.
                await lifecycle.delete(id, outs);
                expect(isLive(kind, id)).to.equal(false);
                expect((await lifecycle.read(id, outs)).id).to.equal(undefined);
                await lifecycle.delete(id, outs);
            });
        }
    });

    describe("GitLab: a 404 about a service account (User Not Found) is not about its token", () => {
        beforeEach(() => sandbox.reset());

        it("a service account the state names wrongly fails read and delete; the token lives on", async () => {
            const kind = KINDS.find((k) => k.resource === "PersonalAccessToken (service account)")!;
            const { lifecycle, id, outs } = await created(kind);
            // As after the account left the group, or a state naming another account.
            const moved: PlainObject = { ...outs, serviceAccount: { group: "11", userId: 999 } };
            const readError = await caught(() => lifecycle.read(id, moved));
            expect(readError.message).to.match(/HTTP 404.*User Not Found/);
            expect(readError.message).to.include("the state keeps it");
            const deleteError = await caught(() => lifecycle.delete(id, moved));
            expect(deleteError.message).to.match(/HTTP 404.*User Not Found/);
            expect(isLive(kind, id), "the token still lives").to.equal(true);
            await lifecycle.delete(id, outs);
            expect(isLive(kind, id)).to.equal(false);
        });
    });

    describe("QoveryGitToken: the usage look-up before a delete", () => {
        const qovery = KINDS.find((kind) => kind.service === "qovery")!;
        const usage = [/\/associatedServices$/];
        beforeEach(() => sandbox.reset());

        it("answering 404 for a token its own read shows gone: the delete succeeds", async () => {
            const { lifecycle, id, outs } = await created(qovery);
            sandbox.qovery.deleteToken(id);
            auxiliary404(qovery, usage);
            await lifecycle.delete(id, outs);
            const own = sandbox.requests.filter((r) => r.method === "GET" && r.path.endsWith(`/gitToken/${id}`));
            expect(
                own.map((r) => r.status),
                "confirmed by a read of the token itself",
            ).to.deep.equal([404]);
        });

        it("answering 404 with allowDeleteWhileInUse: the look-up is skipped and the token deleted", async () => {
            const { lifecycle, id, outs } = await created(qovery, { allowDeleteWhileInUse: true });
            auxiliary404(qovery, usage);
            await lifecycle.delete(id, outs);
            expect(isLive(qovery, id)).to.equal(false);
        });

        it("answering 404 once (then working): the next delete deletes the token", async () => {
            const { lifecycle, id, outs } = await created(qovery);
            sandbox.faults.add({ service: "qovery", method: "GET", path: usage[0]!, kind: "status", status: 404 });
            await caught(() => lifecycle.delete(id, outs));
            expect(isLive(qovery, id)).to.equal(true);
            await lifecycle.delete(id, outs);
            expect(isLive(qovery, id)).to.equal(false);
        });

        it("a token in use is still refused, naming the services", async () => {
            const { lifecycle, id, outs } = await created(qovery);
            sandbox.qovery.attachService(id, { service_name: "api" });
            const error = await caught(() => lifecycle.delete(id, outs));
            expect(error.message).to.include("used by 1 service(s)").and.include("api");
            expect(isLive(qovery, id)).to.equal(true);
        });
    });
});
