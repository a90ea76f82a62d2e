// Interrupted runs (issue 12): for each kind, `pulumi up`, a rotation and `pulumi destroy` are SIGKILLed (the
// CLI and every process it started, the dynamic provider included) at three points, then the recovery the
// README documents ("Failures" → "After an interrupted run") is run:
//
//   pulumi cancel --yes                                   (the killed run left the stack's lock behind)
//   pulumi refresh --yes --clear-pending-creates          (reads every recorded token; drops pending creates)
//   pulumi up --yes   (or: pulumi destroy --yes, when destroy was interrupted)
//
// and the end state is checked from the sandbox's own records: exactly the declared tokens live, each once in
// the state, none orphaned, none lost, nothing pending, every consumer (a Qovery git token) holding the live
// value of its source, and tokens made by hand on the same project/user/repository untouched.
//
// The kill points (the sandbox holds the request matching a fault open and tells the test through the fault's
// onApplied, so the kill happens at that point without sleeping):
// - before:  the provider has not sent the mutating request (create, rotate, update or delete) yet: the
//            request it must finish first is held (its own look-up before a create, or, for a delete, the
//            consumer's delete the engine waits for; for the GitLab in-place rotate, the Qovery update and the
//            Gitea create, which sends nothing before its POST, the GitLab create they follow).
// - held:    the mutating request reached the service and is held open; the service has done nothing.
// - after:   the service acted (the token IS created, rotated, updated or deleted) and its answer is held:
//            the engine never learns of it.
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import {
    GitLabClient,
    GitLabDeployTokenClient,
    GitLabTriggerClient,
    personalTokenHome,
} from "../../provider/gitlab/client";
import { QoveryClient } from "../../provider/qovery/client";
import {
    type FaultSpec,
    type LiveToken,
    SEED,
    type Sandbox,
    type ServiceName,
    sandboxStackConfig,
    startSandbox,
    tokensMadeByPrograms,
} from "../sandbox";
import {
    backendDirOf,
    type CheckpointResource,
    cancelDeadRun,
    createTestWorkspace,
    DELETE_EMPTY_SIDECARS,
    EMPTY_STATE_SIDECAR,
    exportCheckpoint,
    compiledProgramDir,
    ensureEngine,
    killPulumiTree,
    pulumiCli,
    repoRoot,
    startPulumiCli,
    type TestWorkspace,
} from "./harness";

/** A held request stays open far longer than any run here: the kill always comes first. */
const HOLD_MS = 10 * 60 * 1000;
const QOVERY_ORG = SEED.qovery.organizationId;
const CODACY_REPO = "/codacy/api/v3/organizations/gh/acme/repositories/repo-001/tokens";

type Point = "before" | "held" | "after";
const POINTS: readonly Point[] = ["before", "held", "after"];
type Command = "up" | "destroy";

/** A request to hold: which service, method and path (a RegExp of the full path). */
type RequestMatch = Required<Pick<FaultSpec, "service" | "method">> & { path: RegExp };

/** Where to kill one operation: `lookUp` for the point before the request, `mutation` for the other two. */
interface KillSpots {
    lookUp: RequestMatch;
    mutation: RequestMatch;
}

interface Spec {
    kind: string;
    name: string;
    args: Record<string, unknown>;
}

interface Rotation {
    title: string;
    /** The resource whose rotationTrigger changes. */
    resource: string;
    spots: KillSpots;
}

interface KindCase {
    title: string;
    /** The declared resources for the given rotation triggers (resource name → trigger). */
    resources(triggers: Record<string, string>): Spec[];
    /** consumer name → the name of the resource whose token it holds. */
    consumers: Record<string, string>;
    up: KillSpots;
    rotations: Rotation[];
    destroy: KillSpots;
    /**
     * Codacy tokens carry no field for an ownership mark: a token created by an interrupted create cannot be
     * proven the provider's own, so it is left alone and the README's manual step (adopt or delete) applies.
     */
    leftoverNeedsManualStep?: ServiceName;
}

/** Requests to one token collection: `tail` (a RegExp source) follows `collection`'s path. */
const requestsTo =
    (service: ServiceName, collection: string) =>
    (method: string, tail: string): RequestMatch => ({ service, method, path: new RegExp(`${collection}${tail}$`) });
const SERVICE_ACCOUNT = SEED.gitlab.serviceAccounts.deploy.id;
const gitlabProject = requestsTo("gitlab", "/gitlab/api/v4/projects/101/access_tokens");
const gitlabGroup = requestsTo("gitlab", "/gitlab/api/v4/groups/11/access_tokens");
const servicePersonal = requestsTo(
    "gitlab",
    `/gitlab/api/v4/groups/acme/service_accounts/${SERVICE_ACCOUNT}/personal_access_tokens`,
);
const deployTokens = requestsTo("gitlab", "/gitlab/api/v4/projects/101/deploy_tokens");
const triggers = requestsTo("gitlab", "/gitlab/api/v4/projects/101/triggers");
const gitea = requestsTo("gitea", "/gitea/api/v1/users/bob/tokens");
const codacy = requestsTo("codacy", CODACY_REPO);
const qovery = requestsTo("qovery", `/qovery/organization/${QOVERY_ORG}/gitToken`);
const qoveryApi = requestsTo("qovery", `/qovery/organization/${QOVERY_ORG}/apiToken`);
/** The consumer's look-up before its delete: the engine deletes the consumer before the token it holds. */
const consumerDeleteLookUp = qovery("GET", "/[^/]+/associatedServices");

/** A Qovery git token holding `source`'s value (Qovery stores any string for GITHUB; GITLAB ones are checked). */
function consumer(name: string, source: string, type: "GITLAB" | "GITHUB"): Spec {
    return {
        kind: "QoveryGitToken",
        name,
        args: { organizationId: QOVERY_ORG, name, type, token: `$ref:${source}.token` },
    };
}

const ROTATE_IN_PLACE = { expiresInDays: 30, rotateBeforeDays: 7, strategy: "rotate" };

/**
 * A GitLab access or personal token kind: "overlap" (replaced, the new token before the old one goes) and "inplace"
 * (rotated in place whenever "overlap" is replaced, so that the kill point before the rotate request can be held:
 * the rotate waits for that create's answer), and a Qovery git token holding `fed`'s value. `killOverlap` adds the
 * overlap replacement's kill points to the in-place rotate's.
 */
function overlapAndInPlace(c: {
    title: string;
    kind: string;
    parent: Record<string, unknown>;
    tokens: (method: string, tail: string) => RequestMatch;
    fed: "overlap" | "inplace";
    consumerType: "GITLAB" | "GITHUB";
    killOverlap: boolean;
}): KindCase {
    const rotateInPlace: Rotation = {
        title: "rotate rotation (follows the overlap one)",
        resource: "overlap",
        spots: { lookUp: c.tokens("POST", ""), mutation: c.tokens("POST", "/\\d+/rotate") },
    };
    const overlap: Rotation = {
        title: "overlap rotation",
        resource: "overlap",
        spots: { lookUp: c.tokens("GET", ""), mutation: c.tokens("POST", "") },
    };
    return {
        title: c.title,
        resources: (t) => [
            {
                kind: c.kind,
                name: "overlap",
                args: { ...c.parent, name: "overlap", scopes: ["read_api"], rotationTrigger: t.overlap ?? "0" },
            },
            {
                kind: c.kind,
                name: "inplace",
                args: {
                    ...c.parent,
                    name: "inplace",
                    scopes: ["read_api"],
                    rotation: ROTATE_IN_PLACE,
                    rotationTrigger: "$id:overlap",
                },
            },
            consumer("consumer", c.fed, c.consumerType),
        ],
        consumers: { consumer: c.fed },
        up: { lookUp: c.tokens("GET", ""), mutation: c.tokens("POST", "") },
        rotations: c.killOverlap ? [overlap, rotateInPlace] : [rotateInPlace],
        destroy: { lookUp: consumerDeleteLookUp, mutation: c.tokens("DELETE", "/\\d+") },
    };
}

/**
 * One token (`name`) replaced whenever its rotationTrigger changes, new before old unless the title says otherwise,
 * and a Qovery git token holding its value; the list before the create is the point before, the create the
 * mutation.
 */
function replaced(c: {
    title: string;
    kind: string;
    name: string;
    args: Record<string, unknown>;
    tokens: (method: string, tail: string) => RequestMatch;
    rotationTitle: string;
    deleteTail?: string;
    leftoverNeedsManualStep?: ServiceName;
}): KindCase {
    const spots = { lookUp: c.tokens("GET", ""), mutation: c.tokens("POST", "") };
    return {
        title: c.title,
        resources: (t) => [
            { kind: c.kind, name: c.name, args: { ...c.args, rotationTrigger: t[c.name] ?? "0" } },
            consumer("consumer", c.name, "GITHUB"),
        ],
        consumers: { consumer: c.name },
        up: spots,
        rotations: [{ title: c.rotationTitle, resource: c.name, spots }],
        destroy: { lookUp: consumerDeleteLookUp, mutation: c.tokens("DELETE", c.deleteTail ?? "/\\d+") },
        ...(c.leftoverNeedsManualStep ? { leftoverNeedsManualStep: c.leftoverNeedsManualStep } : {}),
    };
}

const KINDS: KindCase[] = [
    overlapAndInPlace({
        title: "ProjectAccessToken",
        kind: "ProjectAccessToken",
        parent: { project: 101 },
        tokens: gitlabProject,
        fed: "overlap",
        consumerType: "GITLAB",
        killOverlap: true,
    }),
    // Same code as ProjectAccessToken, which kills the overlap replacement at each point: here the in-place rotate.
    overlapAndInPlace({
        title: "GroupAccessToken",
        kind: "GroupAccessToken",
        parent: { group: 11 },
        tokens: gitlabGroup,
        fed: "inplace",
        consumerType: "GITLAB",
        killOverlap: false,
    }),
    {
        title: "GiteaToken",
        resources: (t) => [
            {
                kind: "ProjectAccessToken",
                name: "anchor",
                args: { project: 101, name: "anchor", scopes: ["read_api"], rotationTrigger: t.anchor ?? "0" },
            },
            {
                kind: "GiteaToken",
                name: "ci",
                // A Gitea create sends nothing before its POST (a leftover shows up as a name conflict), so the
                // point before it holds the GitLab create it waits for: replaced whenever "anchor" is.
                args: { name: "ci", scopes: ["read:repository"], rotationTrigger: "$id:anchor" },
            },
            consumer("consumer", "ci", "GITHUB"),
        ],
        consumers: { consumer: "ci" },
        up: { lookUp: gitlabProject("POST", ""), mutation: gitea("POST", "") },
        rotations: [
            {
                title: "replacement (follows the GitLab anchor's)",
                resource: "anchor",
                spots: { lookUp: gitlabProject("POST", ""), mutation: gitea("POST", "") },
            },
        ],
        destroy: { lookUp: consumerDeleteLookUp, mutation: gitea("DELETE", "/\\d+") },
    },
    replaced({
        title: "CodacyRepoToken",
        kind: "CodacyRepoToken",
        name: "codacy",
        args: { provider: "gh", organization: "acme", repository: "repo-001" },
        tokens: codacy,
        rotationTitle: "overlap replacement",
        leftoverNeedsManualStep: "codacy",
    }),
    {
        title: "QoveryGitToken fed by a GitLab token",
        resources: (t) => [
            {
                kind: "ProjectAccessToken",
                name: "source",
                args: { project: 101, name: "source", scopes: ["read_api"], rotationTrigger: t.source ?? "0" },
            },
            consumer("git", "source", "GITLAB"),
        ],
        consumers: { git: "source" },
        up: { lookUp: qovery("GET", ""), mutation: qovery("POST", "") },
        rotations: [
            {
                // The GitLab token is replaced; the git token's value update is the operation killed. Before
                // it: the GitLab create the update waits for is held.
                title: "value update from a GitLab rotation",
                resource: "source",
                spots: { lookUp: gitlabProject("POST", ""), mutation: qovery("PUT", "/[^/]+") },
            },
        ],
        destroy: { lookUp: qovery("GET", "/[^/]+/associatedServices"), mutation: qovery("DELETE", "/[^/]+") },
    },
    overlapAndInPlace({
        title: "PersonalAccessToken (a service account's)",
        kind: "PersonalAccessToken",
        parent: { serviceAccount: { group: "acme", userId: SERVICE_ACCOUNT } },
        tokens: servicePersonal,
        fed: "inplace",
        consumerType: "GITHUB",
        killOverlap: true,
    }),
    replaced({
        title: "DeployToken",
        kind: "DeployToken",
        name: "deploy",
        args: { project: 101, name: "deploy", scopes: ["read_registry"] },
        tokens: deployTokens,
        rotationTitle: "replacement",
    }),
    replaced({
        title: "PipelineTriggerToken",
        kind: "PipelineTriggerToken",
        name: "trigger",
        args: { project: 101, description: "deploys" },
        tokens: triggers,
        rotationTitle: "replacement",
    }),
    // Names are unique per organization: the old token is deleted first, then the new one created.
    replaced({
        title: "QoveryApiToken",
        kind: "QoveryApiToken",
        name: "api",
        args: { organizationId: QOVERY_ORG, name: "api", roleId: SEED.qovery.roles.devops.id },
        tokens: qoveryApi,
        rotationTitle: "replacement (delete before create)",
        deleteTail: "/[^/]+",
    }),
];

function nameOf(resource: CheckpointResource): string {
    return resource.urn.split("::").pop() ?? "";
}

/** `pulumi-nodejs:dynamic/gitlab:ProjectAccessToken` → `gitlab`. */
function serviceOf(resource: CheckpointResource): string {
    return resource.type.replace(/^pulumi-nodejs:dynamic\//, "").split(":")[0] ?? "";
}

/** A value of `stack export --show-secrets`: secrets come as `{ plaintext: "<JSON>" }`. */
function plain(value: unknown): unknown {
    if (value !== null && typeof value === "object" && "plaintext" in value) {
        return JSON.parse(String((value as { plaintext: unknown }).plaintext));
    }
    return value;
}

function tokenIdOf(resource: CheckpointResource): string {
    const outputs = resource.outputs ?? {};
    return String(plain(outputs.tokenId ?? outputs.gitTokenId ?? outputs.apiTokenId));
}

function kindChain(kind: KindCase): KindChain {
    let sandbox: Sandbox;
    let ws: TestWorkspace;
    /** The tokens program, compiled once: the CLI runs it about forty times here. */
    let program: { dir: string; dispose(): void };
    let programPath = "";
    let triggers: Record<string, string> = {};
    /** Tokens made by hand next to the declared ones: the provider must never touch them. */
    let foreign: Array<{ service: ServiceName; id: string }> = [];
    /** What the last test left: the declared tokens, nothing, or (it failed) unknown. */
    let left: "deployed" | "empty" | "unknown" = "empty";

    const steps: Step[] = [];

    async function declare(): Promise<void> {
        await ws.stack.setConfig("resources", { value: JSON.stringify(kind.resources(triggers)) });
    }

    /** Brings the stack to the wanted start state when the previous test did not leave it there. */
    async function startFrom(wanted: "empty" | "deployed"): Promise<void> {
        if (left === wanted) {
            return;
        }
        await cancelDeadRun(ws, programPath);
        await pulumiCli(ws, programPath, "refresh", ...RUN_FLAGS, "--clear-pending-creates");
        await pulumiCli(ws, programPath, "destroy", ...RUN_FLAGS);
        removeLeftovers();
        if (wanted === "deployed") {
            await declare();
            await pulumiCli(ws, programPath, "up", ...RUN_FLAGS);
        }
        left = wanted;
    }

    /** Tokens the programs made that the state does not know (after a failed test), foreign ones kept. */
    function removeLeftovers(): void {
        for (const token of madeByPrograms()) {
            sandbox.revokeOutOfBand(token.service, token.id);
        }
    }

    function madeByPrograms(): LiveToken[] {
        return tokensMadeByPrograms(sandbox).filter(
            (t) => !foreign.some((f) => f.service === t.service && f.id === t.id),
        );
    }

    /**
     * Runs `command`, waits until the sandbox holds the request matching the kill point, SIGKILLs the
     * CLI and the processes it started, and checks the dynamic provider was among them.
     */
    async function interrupt(command: Command, spots: KillSpots, point: Point): Promise<void> {
        const match = point === "before" ? spots.lookUp : spots.mutation;
        let reached: () => void = () => undefined;
        const applied = new Promise<void>((resolve) => {
            reached = resolve;
        });
        sandbox.faults.clear();
        sandbox.faults.add({
            ...match,
            kind: "timeout",
            when: point === "after" ? "after" : "before",
            delayMs: HOLD_MS,
            onApplied: () => reached(),
        });
        const run = startPulumiCli(ws, programPath, command, ...RUN_FLAGS);
        const endedFirst = run.exited.then((code) => {
            throw new Error(
                `pulumi ${command} ended (exit ${code}) before ${match.method} ${match.path} was held:\n${run.output()}`,
            );
        });
        endedFirst.catch(() => undefined);
        await Promise.race([applied, endedFirst]);
        const killed = await killPulumiTree(run);
        sandbox.faults.clear();
        expect(killed[0]?.command, "the pulumi CLI was killed").to.match(/^pulumi /);
        expect(
            killed.some((p) => p.command.includes("dynamic-provider")),
            `the dynamic provider was killed (killed: ${killed.map((p) => p.command).join("; ")})`,
        ).to.equal(true);
    }

    /** The README's recovery, then the interrupted command again. */
    async function recover(command: Command): Promise<void> {
        const deleted = await cancelDeadRun(ws, programPath);
        if (deleted.length > 0) {
            // Rare: the kill hit the backend's save of the state (see the dedicated test below).
            console.log(`      the kill left an empty state sidecar; the README's find deleted ${deleted.join(", ")}`);
        }
        await pulumiCli(ws, programPath, "refresh", ...RUN_FLAGS, "--clear-pending-creates");
        await pulumiCli(ws, programPath, command, ...RUN_FLAGS);
    }

    /**
     * The README's manual step for a kind whose tokens cannot carry a mark: a token the interrupted
     * create made is left alone by the provider; the user deletes it in the service (here through its
     * API, as they would with curl).
     */
    async function manualStepForUnmarkedLeftovers(before: Set<string>, point: Point): Promise<void> {
        const service = kind.leftoverNeedsManualStep;
        if (service === undefined) {
            return;
        }
        const inState = new Set((await tokensInState()).map((r) => `${serviceOf(r)}:${tokenIdOf(r)}`));
        const leftovers = madeByPrograms().filter(
            (t) => t.service === service && !before.has(t.id) && !inState.has(`${t.service}:${t.id}`),
        );
        expect(leftovers.length, "only a create the service acted on leaves a token the state does not know").to.equal(
            point === "after" ? 1 : 0,
        );
        for (const leftover of leftovers) {
            expect(
                sandbox.requests.some((r) => r.method === "DELETE" && r.path.endsWith(`/${leftover.id}`)),
                `the provider never deleted ${service} token ${leftover.id}, which it cannot prove its own`,
            ).to.equal(false);
            const res = await fetch(`${sandbox.url}${CODACY_REPO}/${leftover.id}`, {
                method: "DELETE",
                headers: { "api-token": SEED.codacy.apiToken },
            });
            expect(res.status, "the manual delete of the leftover").to.equal(204);
        }
    }

    async function tokensInState(): Promise<CheckpointResource[]> {
        const checkpoint = await exportCheckpoint(ws, programPath);
        expect(checkpoint.pendingOperations, "no pending operation left").to.deep.equal([]);
        return checkpoint.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
    }

    /** The required end state, from the sandbox's own records and the exported state. */
    async function expectEndState(declared: string[]): Promise<void> {
        const inState = await tokensInState();
        expect(inState.map(nameOf).sort(), "each declared token once in the state").to.deep.equal([...declared].sort());
        expect(
            madeByPrograms()
                .map((t) => `${t.service}:${t.id}`)
                .sort(),
            "exactly the tokens in the state are live: none orphaned, none lost",
        ).to.deep.equal(inState.map((r) => `${serviceOf(r)}:${tokenIdOf(r)}`).sort());
        for (const [consumerName, sourceName] of Object.entries(kind.consumers)) {
            const consumerState = inState.find((r) => nameOf(r) === consumerName);
            const sourceState = inState.find((r) => nameOf(r) === sourceName);
            if (consumerState === undefined || sourceState === undefined) {
                continue; // destroyed: checked above
            }
            const sourceValue = plain(sourceState.outputs?.token);
            expect(typeof sourceValue).to.equal("string");
            expect(
                sandbox.qovery.secretOf(tokenIdOf(consumerState)),
                `${consumerName} holds ${sourceName}'s live value`,
            ).to.equal(sourceValue);
        }
        for (const token of foreign) {
            expect(
                sandbox.liveTokens(token.service).some((t) => t.id === token.id),
                `hand-made ${token.service} token ${token.id} untouched`,
            ).to.equal(true);
        }
    }

    const declaredNames = (): string[] => kind.resources(triggers).map((s) => s.name);

    for (const point of POINTS) {
        steps.push({
            title: `up killed ${point}: recovered to exactly the declared tokens`,
            run: async () => {
                await startFrom("empty");
                left = "unknown";
                await declare();
                const before = new Set(madeByPrograms().map((t) => t.id));
                sandbox.requests.length = 0;
                await interrupt("up", kind.up, point);
                await recover("up");
                await manualStepForUnmarkedLeftovers(before, point);
                await expectEndState(declaredNames());
                left = "deployed";
            },
        });

        for (const rotation of kind.rotations) {
            steps.push({
                title: `${rotation.title} killed ${point}: recovered, consumers hold the live value`,
                run: async () => {
                    await startFrom("deployed");
                    left = "unknown";
                    triggers = { ...triggers, [rotation.resource]: `${point}-${Date.now()}` };
                    await declare();
                    const before = new Set(madeByPrograms().map((t) => t.id));
                    sandbox.requests.length = 0;
                    await interrupt("up", rotation.spots, point);
                    await recover("up");
                    await manualStepForUnmarkedLeftovers(before, point);
                    await expectEndState(declaredNames());
                    left = "deployed";
                },
            });
        }

        steps.push({
            title: `destroy killed ${point}: recovered to no token at all`,
            run: async () => {
                await startFrom("deployed");
                left = "unknown";
                await interrupt("destroy", kind.destroy, point);
                await recover("destroy");
                await expectEndState([]);
                left = "empty";
            },
        });
    }

    return {
        kind,
        steps,
        setUp: async () => {
            sandbox = await startSandbox();
            program = compiledProgramDir("tokens");
            programPath = program.dir;
            ws = await createTestWorkspace(programPath, { config: sandboxStackConfig(sandbox) });
            foreign = await makeForeignTokens(sandbox);
        },
        tearDown: async () => {
            await ws?.dispose();
            program?.dispose();
            await sandbox?.close();
        },
    };
}

describe("e2e: interrupted runs (SIGKILL at each point, then the README's recovery)", function () {
    this.timeout(5 * 60 * 1000);
    // The kinds are independent (each has its own sandbox, backend, stack and program copy), so their chains run
    // in LANES lanes at the same time (more only contend for the CPU); each test awaits its own step, which ran
    // after the previous step of its lane settled.
    const chains = KINDS.map(kindChain);
    const outcomes = new Map<KindChain, Array<Promise<void>>>();

    before(async function () {
        this.timeout(40 * 60 * 1000); // a cold cache builds the engine first
        ensureEngine();
        await Promise.all(chains.map((chain) => chain.setUp()));
        const lanes: Array<Promise<unknown>> = Array.from({ length: LANES }, () => Promise.resolve());
        chains.forEach((chain, index) => {
            const lane = index === 0 ? 0 : 1 + ((index - 1) % (LANES - 1));
            const steps = runInOrder(chain.steps, lanes[lane] ?? Promise.resolve());
            outcomes.set(chain, steps);
            lanes[lane] = Promise.allSettled(steps);
        });
    });

    after(async function () {
        this.timeout(15 * 60 * 1000);
        await Promise.all([...outcomes.values()].flat().map((outcome) => outcome.catch(() => undefined)));
        await Promise.all(chains.map((chain) => chain.tearDown()));
    });

    for (const chain of chains) {
        describe(chain.kind.title, () => {
            chain.steps.forEach((step, index) => {
                it(step.title, async () => {
                    const outcome = outcomes.get(chain)?.[index];
                    if (outcome === undefined) {
                        throw new Error(`${chain.kind.title}: set-up did not run`);
                    }
                    await outcome;
                });
            });
        });
    }
});

interface Step {
    title: string;
    run(): Promise<void>;
}

/** One kind's scenarios, run in order on its own sandbox, file backend and stack. */
interface KindChain {
    kind: KindCase;
    steps: Step[];
    setUp(): Promise<void>;
    tearDown(): Promise<void>;
}

/**
 * Runs the steps one after the other once `after` settled (a failed step does not stop the next); one outcome
 * per step.
 */
function runInOrder(steps: Step[], after: Promise<unknown>): Array<Promise<void>> {
    const outcomes: Array<Promise<void>> = [];
    let previous: Promise<unknown> = after;
    for (const step of steps) {
        const outcome = previous.then(() => step.run());
        outcomes.push(outcome);
        previous = outcome.catch(() => undefined); // reported by the step's own test
    }
    return outcomes;
}

/** Chains run at the same time: ProjectAccessToken (the longest) alone, the others taking turns in two lanes. */
const LANES = 3;

const RUN_FLAGS = ["--yes", "--skip-preview", "--non-interactive"];

/** Tokens made by hand (not through Pulumi) next to the declared ones, of every kind, most with a declared name. */
async function makeForeignTokens(sandbox: Sandbox): Promise<Array<{ service: ServiceName; id: string }>> {
    const admin = new GitLabClient({ apiUrl: `${sandbox.baseUrls.gitlab}/api/v4`, token: SEED.gitlab.tokens.root });
    const project = await admin.create("project", "101", { name: "overlap", scopes: ["read_api"] });
    const group = await admin.create("group", "11", { name: "inplace", scopes: ["read_api"] });
    const giteaToken = sandbox.gitea.insertToken("bob", "ci-by-hand", ["read:repository"]);
    const codacyToken = sandbox.codacy.insertToken("gh", "acme", "repo-001");
    // Same names as the declared ones where the service allows it (Qovery API token names are unique).
    const owner = { apiUrl: `${sandbox.baseUrls.gitlab}/api/v4`, token: SEED.gitlab.tokens.owner };
    const personal = await new GitLabClient(owner).createAt(
        personalTokenHome({ serviceAccount: { group: "acme", userId: SERVICE_ACCOUNT } }),
        { name: "overlap", scopes: ["read_api"] },
    );
    const deploy = await new GitLabDeployTokenClient(owner).create("project", "101", {
        name: "deploy",
        scopes: ["read_registry"],
    });
    const trigger = await new GitLabTriggerClient(owner).create("101", "deploys");
    const api = await new QoveryClient({
        apiUrl: sandbox.baseUrls.qovery,
        apiToken: SEED.qovery.apiToken,
    }).createApiToken(QOVERY_ORG, { name: "api-by-hand", role_id: SEED.qovery.roles.devops.id });
    return [
        { service: "gitlab", id: String(personal.id) },
        { service: "gitlab", id: String(deploy.id) },
        { service: "gitlab", id: String(trigger.id) },
        { service: "qovery", id: String(api.id) },
        { service: "gitlab", id: String(project.id) },
        { service: "gitlab", id: String(group.id) },
        { service: "gitea", id: String(giteaToken.id) },
        { service: "codacy", id: String(codacyToken.id) },
    ];
}

describe("e2e: a kill while the file backend saved the state (the README's empty-sidecar step)", function () {
    this.timeout(5 * 60 * 1000);
    let sandbox: Sandbox;
    let ws: TestWorkspace;
    let program: { dir: string; dispose(): void };

    before(async function () {
        this.timeout(40 * 60 * 1000); // a cold cache builds the engine first
        sandbox = await startSandbox();
        program = compiledProgramDir("tokens");
        ws = await createTestWorkspace(program.dir, { config: sandboxStackConfig(sandbox) });
        const kept = { project: 101, name: "kept", scopes: ["read_api"] };
        await ws.stack.setConfig("resources", {
            value: JSON.stringify([{ kind: "ProjectAccessToken", name: "kept", args: kept }]),
        });
        await pulumiCli(ws, program.dir, "up", ...RUN_FLAGS);
    });

    after(async () => {
        await ws?.dispose();
        program?.dispose();
        await sandbox?.close();
    });

    it("cancel names the symptom; after the README's find the recovery keeps the token and writes nothing", async () => {
        const stacksDir = path.join(backendDirOf(ws), ".pulumi", "stacks");
        const sidecar = fs
            .readdirSync(stacksDir, { recursive: true, encoding: "utf8" })
            .map((file) => path.join(stacksDir, file))
            .find((file) => path.basename(file) === `${ws.stack.name}.json.attrs`);
        expect(sidecar, "the file driver keeps a sidecar next to the state").to.be.a("string");
        const before = await exportCheckpoint(ws, program.dir);
        // What a SIGKILL between the driver's create of the sidecar and its write leaves.
        fs.truncateSync(sidecar as string, 0);

        const refused = await pulumiCli(ws, program.dir, "cancel", "--yes").then(
            () => "",
            (error: unknown) => String(error),
        );
        expect(refused, "pulumi cancel fails with the README's symptom").to.include(EMPTY_STATE_SIDECAR);
        const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
        expect(readme, "the README names the symptom").to.include(`error: ${EMPTY_STATE_SIDECAR}`);
        expect(readme, "the README gives the command run here").to.include(
            DELETE_EMPTY_SIDECARS.replace('"$BACKEND/.pulumi"', "~/.pulumi"),
        );

        expect(
            await cancelDeadRun(ws, program.dir),
            "the README's find deletes exactly the empty sidecar",
        ).to.deep.equal([sidecar]);
        sandbox.requests.length = 0;
        await pulumiCli(ws, program.dir, "refresh", ...RUN_FLAGS, "--clear-pending-creates");
        await pulumiCli(ws, program.dir, "up", ...RUN_FLAGS);
        expect(
            sandbox.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`),
            "refresh and up only read",
        ).to.deep.equal([]);
        const after = await exportCheckpoint(ws, program.dir);
        const tokenIds = (checkpoint: typeof before) =>
            checkpoint.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/")).map(tokenIdOf);
        expect(tokenIds(after), "the same token in the state").to.deep.equal(tokenIds(before));
        expect(tokenIds(after)).to.have.length(1);
        expect(
            sandbox.liveTokens("gitlab").some((t) => t.id === tokenIds(after)[0]),
            "and live on the service",
        ).to.equal(true);
    });
});
