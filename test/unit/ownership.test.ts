// Ownership marks (provider/ownership.ts): what an interrupted or lost attempt left behind is found by the mark
// the resource's URN gives it, and only that: another stack's token of the same name, a person's token, and the
// token being replaced are never touched. Codacy tokens cannot carry a mark, so nothing is ever taken as ours.
import { expect } from "chai";
import { CodacyTokenLifecycle } from "../../provider/codacy/lifecycle";
import { GiteaClient } from "../../provider/gitea/client";
import { GiteaTokenLifecycle } from "../../provider/gitea/lifecycle";
import {
    GitLabClient,
    GitLabDeployTokenClient,
    type GitLabPersonalTokenOwner,
    personalTokenHome,
} from "../../provider/gitlab/client";
import { DeployTokenLifecycle } from "../../provider/gitlab/deployTokenLifecycle";
import { PipelineTriggerLifecycle } from "../../provider/gitlab/triggerLifecycle";
import { GitLabTokenLifecycle } from "../../provider/gitlab/lifecycle";
import { addDays, type PlainObject, todayUtc } from "../../provider/lifecycle";
import {
    carriesMark,
    markDoesNotFit,
    OWNER_INPUT,
    ownerMarkIn,
    ownerMarkOf,
    withMark,
    withoutMark,
} from "../../provider/ownership";
import { QoveryClient } from "../../provider/qovery/client";
import { QoveryApiTokenLifecycle } from "../../provider/qovery/apiTokenLifecycle";
import { QoveryTokenLifecycle } from "../../provider/qovery/lifecycle";
import type { TokenLifecycle } from "../../provider/types";
import { SEED, type Sandbox, type ServiceName, startSandbox } from "../sandbox";
import { caught, contextWith } from "../support/context";
import { ownedBy } from "../support/ownership";

const ORG = SEED.qovery.organizationId;
const MINE = ownedBy("ci").__owner;
const OTHER_STACK = ownedBy("ci", "other-stack").__owner;

describe("ownership marks", () => {
    it("are a short hash of the URN: stable, distinct per URN, recognised only in the hidden input", () => {
        const urn = "urn:pulumi:dev::app::pulumi-nodejs:dynamic/gitlab:ProjectAccessToken::ci";
        expect(ownerMarkOf(urn))
            .to.equal(ownerMarkOf(urn))
            .and.match(/^pulumi-owner:[0-9a-f]{16}$/);
        expect(ownerMarkOf(urn)).to.not.equal(ownerMarkOf(urn.replace("dev", "prod")));
        expect(ownerMarkIn({ [OWNER_INPUT]: ownerMarkOf(urn) })).to.equal(ownerMarkOf(urn));
        expect(ownerMarkIn({ [OWNER_INPUT]: "pulumi-owner:not-a-hash" })).to.equal(undefined);
        expect(ownerMarkIn({})).to.equal(undefined);
    });

    it("go after the user's text, come off again, and are left out when they do not fit", () => {
        expect(withMark("deploys", MINE, 255)).to.equal(`deploys [${MINE}]`);
        expect(withMark(undefined, MINE, 255)).to.equal(`[${MINE}]`);
        expect(withMark("deploys", undefined, 255)).to.equal("deploys");
        expect(carriesMark(`deploys [${MINE}]`, MINE)).to.equal(true);
        expect(carriesMark(`deploys [${OTHER_STACK}]`, MINE)).to.equal(false);
        expect(carriesMark("deploys", MINE)).to.equal(false);
        expect(withoutMark(`deploys [${MINE}]`)).to.equal("deploys");
        expect(withoutMark(`[${MINE}]`)).to.equal(undefined);
        expect(withoutMark("deploys")).to.equal("deploys");
        const long = "x".repeat(240);
        expect(withMark(long, MINE, 255)).to.equal(long);
        expect(markDoesNotFit(long, MINE, 255)).to.equal(true);
        expect(markDoesNotFit("short", MINE, 255)).to.equal(false);
    });
});

/** One kind, as the tests below need it. */
interface Kind {
    title: string;
    service: ServiceName;
    /** The sandbox's owner of the tokens (see LiveToken.owner). */
    owner: string;
    lifecycle(sb: Sandbox): TokenLifecycle;
    inputs: PlainObject;
    /** A change that replaces the token with the new one created first (undefined: the kind deletes first). */
    replacing?: PlainObject;
    /** Puts a token on the service as a run would have, carrying `mark` (or none); returns its id. */
    plant(sb: Sandbox, mark: string | undefined): Promise<string>;
    /** Names are unique on the service and carry no mark (Qovery API tokens): another stack needs another name. */
    uniqueNames?: boolean;
}

const gitLabAdmin = (sb: Sandbox) =>
    new GitLabClient({ apiUrl: `${sb.baseUrls.gitlab}/api/v4`, token: SEED.gitlab.tokens.root });
const serviceAccountId = SEED.gitlab.serviceAccounts.deploy.id;
const giteaBob = (sb: Sandbox) =>
    new GiteaClient({
        apiUrl: `${sb.baseUrls.gitea}/api/v1`,
        username: SEED.gitea.users.bob.username,
        password: SEED.gitea.users.bob.password,
    });
const qoveryAdmin = (sb: Sandbox) => new QoveryClient({ apiUrl: sb.baseUrls.qovery, apiToken: SEED.qovery.apiToken });

/** A GitLab personal access token of `owner`, created with `credential` (an administrator's, the group Owner's). */
function personalKind(title: string, owner: GitLabPersonalTokenOwner, sandboxOwner: string, credential: string): Kind {
    return {
        title,
        service: "gitlab",
        owner: sandboxOwner,
        lifecycle: (sb) =>
            new GitLabTokenLifecycle(
                "personal",
                contextWith({ "gitlab:baseUrl": sb.baseUrls.gitlab, "gitlab:token": credential }),
            ),
        inputs: { ...owner, name: "ci", scopes: ["read_api"] },
        replacing: { scopes: ["api"] },
        plant: async (sb, mark) =>
            String(
                (
                    await gitLabAdmin(sb).createAt(personalTokenHome(owner), {
                        name: "ci",
                        scopes: ["read_api"],
                        expires_at: addDays(todayUtc(), 30),
                        ...(mark ? { description: withMark(undefined, mark, 255)! } : {}),
                    })
                ).id,
            ),
    };
}

const KINDS: Kind[] = [
    {
        title: "GitLab project access token",
        service: "gitlab",
        owner: "project:101",
        lifecycle: (sb) =>
            new GitLabTokenLifecycle(
                "project",
                contextWith({ "gitlab:baseUrl": sb.baseUrls.gitlab, "gitlab:token": SEED.gitlab.tokens.maintainer }),
            ),
        inputs: { project: "acme/web", name: "ci", scopes: ["read_api"] },
        replacing: { scopes: ["api"] },
        plant: async (sb, mark) =>
            String(
                (
                    await gitLabAdmin(sb).create("project", "101", {
                        name: "ci",
                        scopes: ["read_api"],
                        expires_at: addDays(todayUtc(), 30),
                        ...(mark ? { description: withMark(undefined, mark, 255)! } : {}),
                    })
                ).id,
            ),
    },
    {
        title: "GitLab deploy token",
        service: "gitlab",
        owner: "deploy:project:101",
        lifecycle: (sb) =>
            new DeployTokenLifecycle(
                contextWith({ "gitlab:baseUrl": sb.baseUrls.gitlab, "gitlab:token": SEED.gitlab.tokens.maintainer }),
            ),
        inputs: { project: "acme/web", name: "ci", scopes: ["read_registry"] },
        replacing: { scopes: ["read_repository"] },
        // The mark rides in the name (deploy tokens have no description); names need not be unique.
        plant: async (sb, mark) =>
            String(
                (
                    await new GitLabDeployTokenClient({
                        apiUrl: `${sb.baseUrls.gitlab}/api/v4`,
                        token: SEED.gitlab.tokens.root,
                    }).create("project", "101", { name: withMark("ci", mark, 255)!, scopes: ["read_registry"] })
                ).id,
            ),
    },
    {
        title: "GitLab pipeline trigger token",
        service: "gitlab",
        owner: "trigger:project:101",
        lifecycle: (sb) =>
            new PipelineTriggerLifecycle(
                contextWith({ "gitlab:baseUrl": sb.baseUrls.gitlab, "gitlab:token": SEED.gitlab.tokens.maintainer }),
            ),
        inputs: { project: "acme/web", description: "ci" },
        replacing: { rotationTrigger: "2" },
        // Planted as a run of another process would leave it: created by the API with the mark (or none).
        plant: async (sb, mark) => {
            const planter = new PipelineTriggerLifecycle(
                contextWith({ "gitlab:baseUrl": sb.baseUrls.gitlab, "gitlab:token": SEED.gitlab.tokens.owner }),
            );
            const inputs = { project: "acme/web", description: "ci", ...(mark ? { [OWNER_INPUT]: mark } : {}) };
            return (await planter.create((await planter.check({}, inputs)).inputs as PlainObject)).id;
        },
    },
    {
        title: "Gitea token",
        service: "gitea",
        owner: "user:bob",
        lifecycle: (sb) =>
            new GiteaTokenLifecycle(
                contextWith({
                    "gitea:baseUrl": sb.baseUrls.gitea,
                    "gitea:username": SEED.gitea.users.bob.username,
                    "gitea:password": SEED.gitea.users.bob.password,
                }),
            ),
        inputs: { name: "ci", scopes: ["read:repository"] },
        // Same name, same user: Gitea's unique names make the replacement delete first.
        plant: async (sb, mark) =>
            String((await giteaBob(sb).create("bob", withMark("ci", mark, 255)!, ["read:repository"])).id),
    },
    personalKind("GitLab personal access token of a user", { userId: 2 }, "user:2", SEED.gitlab.tokens.root),
    personalKind(
        "GitLab personal access token of a group service account",
        { serviceAccount: { group: "acme", userId: serviceAccountId } },
        `service_account:${serviceAccountId}`,
        SEED.gitlab.tokens.owner,
    ),
    {
        title: "Qovery git token",
        service: "qovery",
        owner: `organization:${ORG}`,
        lifecycle: (sb) =>
            new QoveryTokenLifecycle(
                contextWith({ "qovery:baseUrl": sb.baseUrls.qovery, "qovery:apiToken": SEED.qovery.apiToken }),
            ),
        inputs: { organizationId: ORG, name: "ci", type: "GITLAB", token: "git-provider-token-1" },
        replacing: { type: "GITHUB" },
        plant: async (sb, mark) =>
            (
                await qoveryAdmin(sb).create(ORG, {
                    name: "ci",
                    type: "GITLAB",
                    token: "left-behind",
                    ...(mark ? { description: withMark(undefined, mark, 1024)! } : {}),
                })
            ).id,
    },
    {
        title: "Qovery API token",
        service: "qovery",
        owner: `organization:${ORG}`,
        lifecycle: (sb) =>
            new QoveryApiTokenLifecycle(
                contextWith({ "qovery:baseUrl": sb.baseUrls.qovery, "qovery:apiToken": SEED.qovery.apiToken }),
            ),
        inputs: { organizationId: ORG, name: "ci", roleId: SEED.qovery.roles.devops.id },
        // A replacement that keeps the name deletes first (names are unique): a new name overlaps.
        replacing: { name: "ci-2" },
        uniqueNames: true,
        // Only this resource's own leftover can hold its name; the others are named after who made them.
        plant: async (sb, mark) =>
            (
                await qoveryAdmin(sb).createApiToken(ORG, {
                    name: mark === MINE ? "ci" : `ci-${mark === undefined ? "unmarked" : "other-stack"}`,
                    role_id: SEED.qovery.roles.devops.id,
                    ...(mark ? { description: withMark(undefined, mark, 1024)! } : {}),
                })
            ).id,
    },
];

describe("ownership marks against the sandbox: leftovers, bystanders, replacements, two stacks at once", () => {
    let sandbox: Sandbox;

    before(async () => {
        sandbox = await startSandbox();
    });
    after(async () => {
        await sandbox.close();
    });
    beforeEach(() => {
        sandbox.reset();
    });

    const live = (kind: { service: ServiceName; owner: string }): string[] =>
        sandbox
            .liveTokens(kind.service)
            .filter((token) => token.owner === kind.owner && token.active)
            .map((token) => token.id)
            .sort();

    async function create(lifecycle: TokenLifecycle, news: PlainObject, olds: PlainObject = {}) {
        const checked = await lifecycle.check(olds, news);
        expect(checked.failures ?? []).to.deep.equal([]);
        const result = await lifecycle.create(checked.inputs as PlainObject);
        return { id: result.id, outs: result.outs as PlainObject, inputs: checked.inputs as PlainObject };
    }

    for (const kind of KINDS) {
        describe(kind.title, () => {
            it("a create clears its own leftover and leaves another stack's and an unmarked token of that name", async () => {
                const leftover = await kind.plant(sandbox, MINE);
                const otherStack = await kind.plant(sandbox, OTHER_STACK);
                // Gitea names are unique per user: an unmarked "ci" would only make the others' names differ more.
                const unmarked = kind.service === "gitea" ? undefined : await kind.plant(sandbox, undefined);
                const { id } = await create(kind.lifecycle(sandbox), { ...kind.inputs, ...ownedBy("ci") });
                const survivors = live(kind);
                expect(survivors).to.include(id).and.include(otherStack);
                if (unmarked) {
                    expect(survivors).to.include(unmarked);
                }
                if (kind.title === "Qovery git token") {
                    // The git token's value is ours to give: the leftover is taken over rather than replaced.
                    expect(id).to.equal(leftover);
                } else {
                    expect(survivors).to.not.include(leftover);
                }
                expect(survivors).to.have.length(unmarked ? 3 : 2);
            });

            it("without a mark (a state from before marks), nothing is taken for a leftover", async () => {
                const planted = await kind.plant(sandbox, MINE);
                // Where names are unique the planted token holds the name: this create takes another.
                const news = kind.uniqueNames ? { ...kind.inputs, name: "ci-before-marks" } : kind.inputs;
                const { id } = await create(kind.lifecycle(sandbox), news);
                expect(live(kind)).to.include(planted).and.include(id);
            });

            if (kind.replacing) {
                it("the token being replaced stays alive while its replacement (same mark) is created", async () => {
                    const lifecycle = kind.lifecycle(sandbox);
                    const first = await create(lifecycle, { ...kind.inputs, ...ownedBy("ci") });
                    const news = { ...first.inputs, ...kind.replacing };
                    const diff = await lifecycle.diff(first.id, first.outs, news);
                    expect(diff.replaces ?? []).to.not.deep.equal([]);
                    const second = await create(lifecycle, news, first.inputs);
                    expect(live(kind)).to.include(first.id).and.include(second.id);
                    await lifecycle.delete(first.id, first.outs);
                    expect(live(kind)).to.deep.equal([second.id]);
                });
            }

            it("two stacks create the same name at once, one answer lost: each ends with its own token", async () => {
                sandbox.faults.add({ service: kind.service, method: "POST", when: "after", kind: "reset" });
                const theirName = kind.uniqueNames ? { name: "ci-other-stack" } : {};
                const [mine, theirs] = await Promise.all([
                    create(kind.lifecycle(sandbox), { ...kind.inputs, ...ownedBy("ci") }),
                    create(kind.lifecycle(sandbox), { ...kind.inputs, ...theirName, ...ownedBy("ci", "other-stack") }),
                ]);
                expect(mine.id).to.not.equal(theirs.id);
                expect(live(kind)).to.deep.equal([mine.id, theirs.id].sort());
            });
        });
    }

    describe("Codacy repository token (no field can carry a mark)", () => {
        const codacy = { service: "codacy" as const, owner: "gh/acme/repo-001" };
        const inputs = { provider: "gh", organization: "acme", repository: "repo-001" };
        const lifecycle = () =>
            new CodacyTokenLifecycle(
                contextWith({ "codacy:baseUrl": sandbox.baseUrls.codacy, "codacy:apiToken": SEED.codacy.apiToken }),
            );

        it("two stacks at once, one answer lost: the other stack's token is neither adopted nor deleted", async () => {
            sandbox.faults.add({ service: "codacy", method: "POST", when: "after", kind: "reset" });
            const [first, second] = await Promise.allSettled([
                create(lifecycle(), inputs),
                create(lifecycle(), inputs),
            ]);
            const settled = [first, second];
            const made = settled.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value.id] : []));
            const failed = settled.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason] : []));
            expect(made).to.have.length(1);
            expect(failed).to.have.length(1);
            expect(String(failed[0])).to.include("adopt: { tokenId:");
            const survivors = live(codacy);
            expect(survivors, "both tokens live: the unprovable one is left for the user").to.have.length(2);
            expect(survivors).to.include(made[0]);
        });

        it("a lost answer is explained, naming the new token, and nothing is removed", async () => {
            const bystander = String(sandbox.codacy.insertToken("gh", "acme", "repo-001").id);
            sandbox.faults.add({ service: "codacy", method: "POST", when: "after", kind: "reset" });
            const error = await caught(() => create(lifecycle(), inputs));
            const survivors = live(codacy);
            const made = survivors.filter((id) => id !== bystander);
            expect(made).to.have.length(1);
            expect(error.message).to.include(`adopt: { tokenId: ${made[0]} }`);
            expect(survivors).to.include(bystander);
        });
    });
});
