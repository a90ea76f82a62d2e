// The fault matrix: every resource × every operation that calls the API × every kind of fault the sandbox can
// inject, generated from two tables. What each cell must show:
// - transient faults (429 honouring Retry-After, 5xx once, a timeout or reset once) are retried within a
//   bounded time and the operation succeeds;
// - permanent ones fail with an error naming the service, the operation, the status, the service's own message
//   and a hint (never the credential);
// - 404 on delete is success, 404 on a read of the token itself is "gone" (404 on a listing of its parent is an
//   error); a network error or a 5xx on read is an error, never "gone";
// - nothing is half-done: a create whose answer was lost leaves no orphan (and never touches a token that was
//   there before), a failed delete leaves the token live, a failed rotation leaves no token the state does not
//   know.
import { expect } from "chai";
import { CodacyTokenLifecycle } from "../../provider/codacy/lifecycle";
import { GiteaClient } from "../../provider/gitea/client";
import { GiteaTokenLifecycle } from "../../provider/gitea/lifecycle";
import { GitLabClient, GitLabDeployTokenClient, personalTokenHome } from "../../provider/gitlab/client";
import { DeployTokenLifecycle } from "../../provider/gitlab/deployTokenLifecycle";
import { PipelineTriggerLifecycle } from "../../provider/gitlab/triggerLifecycle";
import { GitLabTokenLifecycle } from "../../provider/gitlab/lifecycle";
import { ApiError } from "../../provider/http";
import { addDays, type PlainObject, todayUtc } from "../../provider/lifecycle";
import { withMark } from "../../provider/ownership";
import { QoveryClient } from "../../provider/qovery/client";
import { QoveryApiTokenLifecycle } from "../../provider/qovery/apiTokenLifecycle";
import { QoveryTokenLifecycle } from "../../provider/qovery/lifecycle";
import type { ProviderContext, TokenLifecycle } from "../../provider/types";
import { type FaultSpec, SEED, type Sandbox, type ServiceName, startSandbox } from "../sandbox";
import { contextWith } from "../support/context";
import { ownedBy } from "../support/ownership";

/** Short timeouts and backoff so the whole matrix runs in well under a minute. */
const HTTP: NonNullable<ProviderContext["http"]> = {
    timeoutMs: 300,
    retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 3 },
};
/** A retried operation must be done within this (Retry-After included). */
const TRANSIENT_BUDGET_MS = 4_000;
/** A failing operation must give up within this. */
const FAILURE_BUDGET_MS = 6_000;

type Op = "create" | "read" | "update" | "delete";
type Outcome = "ok" | "gone" | "fail";

/** Words that name each operation in an error message. */
const OP_WORDS: Record<Op, RegExp> = {
    create: /\bcreate\b/,
    read: /\b(read|list)\b/,
    update: /\b(rotate|update)\b/,
    delete: /\b(revoke|delete)\b/,
};

interface Target {
    method: string;
    path: RegExp;
}

interface Subject {
    resource: string;
    label: string;
    service: ServiceName;
    /**
     * After a lost create answer: revoke what was made (it carries this resource's ownership mark) and retry
     * once; take it over (marked, and its value is ours: Qovery); or, where nothing on the token can prove it
     * ours (Codacy), leave it untouched and fail naming it.
     */
    recovery: "revoke" | "adopt" | "report";
    owner: string;
    credential: string;
    config(sb: Sandbox): Record<string, string>;
    lifecycle(ctx: ProviderContext): TokenLifecycle;
    inputs: PlainObject;
    /** New inputs for an update that calls the API (GitLab rotate strategy, Qovery PUT). */
    updateNews?: (inputs: PlainObject) => PlainObject;
    targets: Partial<Record<Op, Target>>;
    /** Makes a token the resource must never touch (same owner, same name where the service allows it). */
    bystander?: (sb: Sandbox) => Promise<string>;
    /** The kind reads its token through a listing of the parent (no read of one token), besides Gitea and Codacy. */
    readsThroughListing?: boolean;
    /** What a successful update shows, where it is neither GitLab's rotation nor Qovery's PUT of the git token. */
    updated?: (sb: Sandbox, before: Existing, outs: PlainObject) => void;
}

const ORG = SEED.qovery.organizationId;
/** The ownership mark the SDK classes give every resource (GitLab, Gitea and Qovery tokens carry it). */
const OWNED = ownedBy("ci");
/** The mark of another stack's resource of the same name. */
const ANOTHER_STACK = ownedBy("ci", "other-stack").__owner;

/** GitLab inputs that rotate in place, so an update calls the API. */
const GITLAB_ROTATING = {
    ...OWNED,
    name: "ci",
    scopes: ["read_api"],
    rotation: { expiresInDays: 30, strategy: "rotate" },
    rotationTrigger: "1",
};

function gitLabSubject(kind: "project" | "group"): Subject {
    const parent = kind === "project" ? { project: "acme/web" } : { group: 11 };
    const parentId = kind === "project" ? "101" : "11";
    const credential = kind === "project" ? SEED.gitlab.tokens.maintainer : SEED.gitlab.tokens.owner;
    return {
        resource: kind === "project" ? "ProjectAccessToken" : "GroupAccessToken",
        label: "GitLab",
        service: "gitlab",
        recovery: "revoke",
        owner: `${kind}:${parentId}`,
        credential,
        config: (sb) => ({ "gitlab:baseUrl": sb.baseUrls.gitlab, "gitlab:token": credential }),
        lifecycle: (ctx) => new GitLabTokenLifecycle(kind, ctx),
        inputs: { ...parent, ...GITLAB_ROTATING },
        updateNews: (inputs) => ({ ...inputs, rotationTrigger: "2" }),
        targets: {
            create: { method: "POST", path: /\/access_tokens$/ },
            read: { method: "GET", path: /\/access_tokens\/\d+$/ },
            update: { method: "POST", path: /\/access_tokens\/\d+\/rotate$/ },
            delete: { method: "DELETE", path: /\/access_tokens\/\d+$/ },
        },
        bystander: async (sb) => {
            const admin = new GitLabClient({ apiUrl: `${sb.baseUrls.gitlab}/api/v4`, token: SEED.gitlab.tokens.root });
            const token = await admin.create(kind, parentId, {
                name: "ci",
                scopes: ["read_api"],
                expires_at: addDays(todayUtc(), 30),
            });
            return String(token.id);
        },
    };
}

/** A personal access token of a user (an administrator's API) or of a group's service account (read by listing). */
function personalSubject(of: "user" | "serviceAccount"): Subject {
    const accountId = SEED.gitlab.serviceAccounts.deploy.id;
    const owner =
        of === "user"
            ? { userId: SEED.gitlab.users.maintainer.id }
            : { serviceAccount: { group: "acme", userId: accountId } };
    const credential = of === "user" ? SEED.gitlab.tokens.root : SEED.gitlab.tokens.owner;
    const tokens = of === "user" ? "/personal_access_tokens" : `/service_accounts/${accountId}/personal_access_tokens`;
    return {
        resource: of === "user" ? "PersonalAccessToken" : "PersonalAccessToken (service account)",
        label: "GitLab",
        service: "gitlab",
        recovery: "revoke",
        owner: of === "user" ? `user:${owner.userId}` : `service_account:${accountId}`,
        credential,
        config: (sb) => ({ "gitlab:baseUrl": sb.baseUrls.gitlab, "gitlab:token": credential }),
        lifecycle: (ctx) => new GitLabTokenLifecycle("personal", ctx),
        readsThroughListing: of === "serviceAccount",
        inputs: { ...owner, ...GITLAB_ROTATING },
        updateNews: (inputs) => ({ ...inputs, rotationTrigger: "2" }),
        targets: {
            create: {
                method: "POST",
                path: of === "user" ? /\/users\/\d+\/personal_access_tokens$/ : new RegExp(`${tokens}$`),
            },
            read: { method: "GET", path: of === "user" ? /\/personal_access_tokens\/\d+$/ : new RegExp(`${tokens}$`) },
            update: { method: "POST", path: new RegExp(`${tokens}/\\d+/rotate$`) },
            delete: { method: "DELETE", path: new RegExp(`${tokens}/\\d+$`) },
        },
        bystander: async (sb) => {
            const admin = new GitLabClient({ apiUrl: `${sb.baseUrls.gitlab}/api/v4`, token: SEED.gitlab.tokens.root });
            const token = await admin.createAt(personalTokenHome(owner), {
                name: "ci",
                scopes: ["read_api"],
                expires_at: addDays(todayUtc(), 30),
            });
            return String(token.id);
        },
    };
}

/** GitLab deploy tokens: no update that calls the API (every change replaces); the mark rides in the name. */
function deployTokenSubject(kind: "project" | "group"): Subject {
    const parentId = kind === "project" ? "101" : "11";
    const credential = kind === "project" ? SEED.gitlab.tokens.maintainer : SEED.gitlab.tokens.owner;
    return {
        resource: `DeployToken (${kind})`,
        label: "GitLab",
        service: "gitlab",
        recovery: "revoke",
        owner: `deploy:${kind}:${parentId}`,
        credential,
        config: (sb) => ({ "gitlab:baseUrl": sb.baseUrls.gitlab, "gitlab:token": credential }),
        lifecycle: (ctx) => new DeployTokenLifecycle(ctx),
        inputs: { [kind]: parentId, ...OWNED, name: "ci", scopes: ["read_registry"] },
        targets: {
            create: { method: "POST", path: /\/deploy_tokens$/ },
            read: { method: "GET", path: /\/deploy_tokens\/\d+$/ },
            delete: { method: "DELETE", path: /\/deploy_tokens\/\d+$/ },
        },
        // Another stack's token of the same declared name (its own mark): deploy token names need not be unique.
        bystander: async (sb) => {
            const admin = new GitLabDeployTokenClient({
                apiUrl: `${sb.baseUrls.gitlab}/api/v4`,
                token: SEED.gitlab.tokens.root,
            });
            const name = withMark("ci", ANOTHER_STACK, 255)!;
            return String((await admin.create(kind, parentId, { name, scopes: ["read_registry"] })).id);
        },
    };
}

/** GitLab pipeline trigger tokens: the description is edited in place (PUT), keeping the value and the mark. */
const TRIGGER_SUBJECT: Subject = {
    resource: "PipelineTriggerToken",
    label: "GitLab",
    service: "gitlab",
    recovery: "revoke",
    owner: "trigger:project:101",
    credential: SEED.gitlab.tokens.maintainer,
    config: (sb) => ({ "gitlab:baseUrl": sb.baseUrls.gitlab, "gitlab:token": SEED.gitlab.tokens.maintainer }),
    lifecycle: (ctx) => new PipelineTriggerLifecycle(ctx),
    inputs: { project: "acme/web", ...OWNED, description: "deploys" },
    updateNews: (inputs) => ({ ...inputs, description: "deploys to prod" }),
    targets: {
        create: { method: "POST", path: /\/triggers$/ },
        read: { method: "GET", path: /\/triggers\/\d+$/ },
        update: { method: "PUT", path: /\/triggers\/\d+$/ },
        delete: { method: "DELETE", path: /\/triggers\/\d+$/ },
    },
    // Another stack's trigger of the same description (its own mark).
    bystander: async (sb) => {
        const other = new PipelineTriggerLifecycle(contextWith(TRIGGER_SUBJECT.config(sb)));
        const inputs = { project: "acme/web", description: "deploys", __owner: ANOTHER_STACK };
        return (await other.create((await other.check({}, inputs)).inputs as PlainObject)).id;
    },
    updated: (sb, before, outs) => {
        expect(outs.tokenId, "the same trigger").to.equal(Number(before.id));
        expect(outs.token, "its value kept").to.equal(before.outs.token);
        const trigger = sb.gitlab.triggers(101).find((t) => String(t.id) === before.id);
        expect(trigger?.description).to.equal(withMark("deploys to prod", OWNED.__owner, 255));
    },
};

const SUBJECTS: Subject[] = [
    gitLabSubject("project"),
    gitLabSubject("group"),
    personalSubject("user"),
    personalSubject("serviceAccount"),
    deployTokenSubject("project"),
    deployTokenSubject("group"),
    TRIGGER_SUBJECT,
    {
        resource: "GiteaToken",
        label: "Gitea",
        service: "gitea",
        recovery: "revoke",
        owner: "user:bob",
        credential: SEED.gitea.users.bob.password,
        config: (sb) => ({
            "gitea:baseUrl": sb.baseUrls.gitea,
            "gitea:username": SEED.gitea.users.bob.username,
            "gitea:password": SEED.gitea.users.bob.password,
        }),
        lifecycle: (ctx) => new GiteaTokenLifecycle(ctx),
        inputs: { name: "ci", scopes: ["read:repository"], ...OWNED },
        targets: {
            create: { method: "POST", path: /\/users\/bob\/tokens$/ },
            read: { method: "GET", path: /\/users\/bob\/tokens$/ },
            delete: { method: "DELETE", path: /\/users\/bob\/tokens\/\d+$/ },
        },
        // Another stack's token of the same declared name (its own mark): names are unique per user.
        bystander: async (sb) => {
            const other = new GiteaClient({
                apiUrl: `${sb.baseUrls.gitea}/api/v1`,
                username: SEED.gitea.users.bob.username,
                password: SEED.gitea.users.bob.password,
            });
            return String((await other.create("bob", withMark("ci", ANOTHER_STACK, 255)!, ["read:repository"])).id);
        },
    },
    {
        resource: "CodacyRepoToken",
        label: "Codacy",
        service: "codacy",
        recovery: "report",
        owner: "gh/acme/repo-001",
        credential: SEED.codacy.apiToken,
        config: (sb) => ({ "codacy:baseUrl": sb.baseUrls.codacy, "codacy:apiToken": SEED.codacy.apiToken }),
        lifecycle: (ctx) => new CodacyTokenLifecycle(ctx),
        inputs: { provider: "gh", organization: "acme", repository: "repo-001" },
        targets: {
            create: { method: "POST", path: /\/repositories\/repo-001\/tokens$/ },
            read: { method: "GET", path: /\/repositories\/repo-001\/tokens$/ },
            delete: { method: "DELETE", path: /\/repositories\/repo-001\/tokens\/\d+$/ },
        },
        bystander: async (sb) => String(sb.codacy.insertToken("gh", "acme", "repo-001").id),
    },
    {
        resource: "QoveryGitToken",
        label: "Qovery",
        service: "qovery",
        recovery: "adopt",
        owner: `organization:${ORG}`,
        credential: SEED.qovery.apiToken,
        config: (sb) => ({ "qovery:baseUrl": sb.baseUrls.qovery, "qovery:apiToken": SEED.qovery.apiToken }),
        lifecycle: (ctx) => new QoveryTokenLifecycle(ctx),
        inputs: { organizationId: ORG, name: "gitlab-ci", type: "GITLAB", token: "git-provider-token-1", ...OWNED },
        updateNews: (inputs) => ({ ...inputs, token: "git-provider-token-2" }),
        targets: {
            create: { method: "POST", path: /\/gitToken$/ },
            read: { method: "GET", path: /\/gitToken\/[^/]+$/ },
            update: { method: "PUT", path: /\/gitToken\/[^/]+$/ },
            delete: { method: "DELETE", path: /\/gitToken\/[^/]+$/ },
        },
        bystander: async (sb) => {
            const admin = new QoveryClient({ apiUrl: sb.baseUrls.qovery, apiToken: SEED.qovery.apiToken });
            const token = await admin.create(ORG, { name: "gitlab-ci", type: "GITLAB", token: "someone-elses" });
            return token.id;
        },
    },
    {
        resource: "QoveryApiToken",
        label: "Qovery",
        service: "qovery",
        recovery: "revoke",
        owner: `organization:${ORG}`,
        credential: SEED.qovery.apiToken,
        config: (sb) => ({ "qovery:baseUrl": sb.baseUrls.qovery, "qovery:apiToken": SEED.qovery.apiToken }),
        lifecycle: (ctx) => new QoveryApiTokenLifecycle(ctx),
        inputs: { organizationId: ORG, name: "ci-deploy", roleId: SEED.qovery.roles.devops.id, ...OWNED },
        targets: {
            create: { method: "POST", path: /\/apiToken$/ },
            read: { method: "GET", path: /\/apiToken$/ },
            delete: { method: "DELETE", path: /\/apiToken\/[^/]+$/ },
        },
        readsThroughListing: true,
        // Another stack's API token (its own mark); names are unique in the organization, so it has its own.
        bystander: async (sb) => {
            const admin = new QoveryClient({ apiUrl: sb.baseUrls.qovery, apiToken: SEED.qovery.apiToken });
            const token = await admin.createApiToken(ORG, {
                name: "ci-deploy-other-stack",
                role_id: SEED.qovery.roles.devops.id,
                description: withMark(undefined, ANOTHER_STACK, 1024)!,
            });
            return token.id;
        },
    },
];

type FaultPart = Omit<FaultSpec, "service" | "method" | "path">;
type Expectation = Outcome | ((subject: Subject) => Outcome);

interface Row {
    fault: string;
    /** Armed in order on the operation's method and path. */
    faults: FaultPart[];
    /** Outcome per operation; an operation left out is not part of this row. */
    expect: Partial<Record<Op, Expectation>>;
    /** The status a failure must name. */
    status?: number;
    /** The network cause a failure must name. */
    network?: RegExp;
    /** The operation must take at least this long (a Retry-After honoured). */
    minMs?: number;
    /** The fault answered in the service's place (nothing happened): a delete that "succeeds" leaves the token. */
    answeredInstead?: boolean;
}

const ALL_OK = { create: "ok", read: "ok", update: "ok", delete: "ok" } as const;
const ALL_FAIL = { create: "fail", read: "fail", update: "fail", delete: "fail" } as const;
const TIMEOUT = { kind: "timeout", delayMs: 1_000 } as const;
/** GitLab's rotate is a POST: a lost or garbled answer is reconciled; Qovery's PUT is not retried on garbage. */
const updateReconciled = (subject: Subject): Outcome => (subject.service === "gitlab" ? "ok" : "fail");
/** After repeated lost creates GitLab and Gitea revoke what was made and fail; Qovery takes it over. */
const adoptedOrFailed = (subject: Subject): Outcome => (subject.recovery === "adopt" ? "ok" : "fail");
/** A create whose answer was lost after the service acted: reconciled, except where nothing proves the token ours. */
const reconciledUnlessUnprovable = (subject: Subject): Outcome => (subject.recovery === "report" ? "fail" : "ok");

/**
 * GitLab and Qovery git tokens read the token itself: its 404 means gone. Gitea, Codacy and the kinds marked
 * `readsThroughListing` (a GitLab service account's personal tokens, Qovery API tokens) can only be listed: a 404
 * of that listing is about the parent, never proof the token is gone, so the read fails.
 */
const goneOnlyIfReadOfTheTokenItself = (subject: Subject): Outcome =>
    subject.service === "gitea" || subject.service === "codacy" || subject.readsThroughListing ? "fail" : "gone";

const ROWS: Row[] = [
    // Transient: retried, then success.
    {
        fault: "429 with Retry-After: 1",
        faults: [{ kind: "status", status: 429, retryAfter: 1 }],
        expect: ALL_OK,
        minMs: 900,
    },
    { fault: "500 once", faults: [{ kind: "status", status: 500 }], expect: ALL_OK },
    { fault: "502 once", faults: [{ kind: "status", status: 502 }], expect: ALL_OK },
    { fault: "503 once", faults: [{ kind: "status", status: 503 }], expect: ALL_OK },
    { fault: "504 once", faults: [{ kind: "status", status: 504 }], expect: ALL_OK },
    { fault: "timeout once", faults: [TIMEOUT], expect: ALL_OK },
    { fault: "connection reset once", faults: [{ kind: "reset" }], expect: ALL_OK },
    // Garbage in a 200: never taken for an answer; a create or rotate is reconciled, the rest fail.
    {
        fault: "malformed JSON",
        faults: [{ kind: "malformed" }],
        expect: { create: "ok", read: "fail", update: updateReconciled, delete: "fail" },
        status: 200,
    },
    {
        fault: "schema mismatch",
        faults: [{ kind: "schema" }],
        expect: { create: "ok", read: "fail", update: updateReconciled, delete: "fail" },
        status: 200,
    },
    // Permanent.
    { fault: "401", faults: [{ kind: "status", status: 401 }], expect: ALL_FAIL, status: 401, answeredInstead: true },
    { fault: "403", faults: [{ kind: "status", status: 403 }], expect: ALL_FAIL, status: 403, answeredInstead: true },
    {
        fault: "404",
        faults: [{ kind: "status", status: 404 }],
        expect: { create: "fail", read: goneOnlyIfReadOfTheTokenItself, update: "fail", delete: "ok" },
        status: 404,
        answeredInstead: true,
    },
    { fault: "500 every time", faults: [{ kind: "status", status: 500, times: -1 }], expect: ALL_FAIL, status: 500 },
    { fault: "503 every time", faults: [{ kind: "status", status: 503, times: -1 }], expect: ALL_FAIL, status: 503 },
    {
        fault: "connection reset every time",
        faults: [{ kind: "reset", times: -1 }],
        expect: ALL_FAIL,
        network: /ECONNRESET|socket hang up/,
    },
    {
        fault: "timeout every time",
        faults: [{ ...TIMEOUT, times: -1 }],
        expect: { read: "fail", delete: "fail" },
        network: /ETIMEDOUT|ECONNABORTED|timeout/,
    },
    // Lost answers: the service acted, the answer never arrived.
    {
        fault: "answer lost (reset after)",
        faults: [{ kind: "reset", when: "after" }],
        expect: { ...ALL_OK, create: reconciledUnlessUnprovable },
        network: /ECONNRESET|socket hang up/,
    },
    {
        fault: "answer lost (timeout after)",
        faults: [{ ...TIMEOUT, when: "after" }],
        expect: { create: reconciledUnlessUnprovable, update: "ok", delete: "ok" },
        network: /ETIMEDOUT|ECONNABORTED|timeout/,
    },
    {
        fault: "answer lost (500 after)",
        faults: [{ kind: "status", status: 500, when: "after" }],
        expect: { ...ALL_OK, create: reconciledUnlessUnprovable },
        status: 500,
    },
    {
        fault: "answer garbled (malformed after)",
        faults: [{ kind: "malformed", when: "after" }],
        expect: { create: reconciledUnlessUnprovable, update: updateReconciled },
        status: 200,
    },
    {
        fault: "answer lost every time (reset after)",
        faults: [{ kind: "reset", when: "after", times: -1 }],
        // A delete whose every answer is lost gives up too: the resource stays in state, the next delete sees 404.
        expect: { create: adoptedOrFailed, read: "fail", update: "fail", delete: "fail" },
        network: /ECONNRESET|socket hang up/,
    },
    {
        fault: "502, then the retry's answer lost",
        faults: [
            { kind: "status", status: 502 },
            { kind: "reset", when: "after" },
        ],
        expect: { create: adoptedOrFailed },
        network: /ECONNRESET|socket hang up/,
    },
];

interface Case {
    subject: Subject;
    row: Row;
    op: Op;
    outcome: Outcome;
    title: string;
}

/** The matrix, generated from the two tables: a case per subject × row × operation the row covers. */
function casesOf(subject: Subject): Case[] {
    const cases: Case[] = [];
    for (const row of ROWS) {
        for (const op of ["create", "read", "update", "delete"] as const) {
            const expectation = row.expect[op];
            if (expectation === undefined || subject.targets[op] === undefined) {
                continue;
            }
            const outcome = typeof expectation === "function" ? expectation(subject) : expectation;
            cases.push({ subject, row, op, outcome, title: `${op} × ${row.fault} → ${outcome}` });
        }
    }
    return cases;
}

interface Existing {
    id: string;
    outs: PlainObject;
    inputs: PlainObject;
}

interface Result {
    id?: string;
    outs?: PlainObject;
}

/** Runs one case against its subject's own sandbox and asserts it; throws on the first broken expectation. */
async function runCase(sandbox: Sandbox, { subject, row, op, outcome }: Case): Promise<void> {
    sandbox.reset();
    const target = subject.targets[op]!;
    const lifecycle = subject.lifecycle({ ...contextWith(subject.config(sandbox)), http: HTTP });
    const live = (): string[] =>
        sandbox
            .liveTokens(subject.service)
            .filter((token) => token.owner === subject.owner && token.active)
            .map((token) => token.id)
            .sort();
    const checked = async (news: PlainObject): Promise<PlainObject> => {
        const result = await lifecycle.check({}, news);
        expect(result.failures ?? []).to.deep.equal([]);
        return result.inputs as PlainObject;
    };

    let before: Existing | undefined;
    if (op !== "create") {
        const inputs = await checked(subject.inputs);
        const created = await lifecycle.create(inputs);
        before = { id: created.id, outs: created.outs as PlainObject, inputs };
    }
    const bystander = op === "create" && subject.bystander ? await subject.bystander(sandbox) : undefined;
    for (const part of row.faults) {
        sandbox.faults.add({ ...part, service: subject.service, method: target.method, path: target.path });
    }

    const started = Date.now();
    let result: Result | undefined;
    let error: unknown;
    try {
        result = await perform();
    } catch (e: unknown) {
        error = e;
    }
    const elapsed = Date.now() - started;
    const finite = row.faults.every((f) => (f.times ?? 1) > 0);
    if (finite) {
        expect(sandbox.faults.pending(), "the injected faults were hit").to.deep.equal([]);
    }
    sandbox.faults.clear();
    const beforeOnly = row.faults.every((f) => (f.when ?? "before") === "before");
    const others = (ids: string[]) => ids.filter((id) => id !== bystander);

    if (outcome === "fail") {
        expect(error, `expected a failure, got ${JSON.stringify(result)}`).to.not.equal(undefined);
        expectExplained(error, subject, op, row);
        expect(elapsed, "gave up in bounded time").to.be.below(FAILURE_BUDGET_MS);
        if (op === "create" && subject.recovery === "report" && !beforeOnly) {
            // Nothing proves which token the lost request made: it is left alone and named, for the user to adopt.
            const made = others(live());
            expect(made, "the token the lost request made is left untouched").to.have.length(1);
            expect((error as Error).message).to.include(`adopt: { tokenId: ${made[0]} }`);
        } else if (op === "create") {
            expect(others(live()), "no orphan").to.deep.equal([]);
        } else if (op === "delete" && beforeOnly) {
            expect(live(), "a failed delete leaves the token live").to.include(before!.id);
        } else if (op === "update") {
            // No token alive that the state does not know (the old one, unless GitLab rotated it).
            expect(
                live().filter((id) => id !== before!.id),
                "no orphan",
            ).to.deep.equal([]);
            if (beforeOnly) {
                expect(live(), "the token is untouched").to.include(before!.id);
                if (subject.service === "qovery") {
                    expect(sandbox.qovery.secretOf(before!.id)).to.equal("git-provider-token-1");
                }
            }
        }
    } else {
        if (error !== undefined) {
            throw error;
        }
        expect(elapsed, "done in bounded time").to.be.below(TRANSIENT_BUDGET_MS);
        if (row.minMs !== undefined) {
            expect(elapsed, "Retry-After honoured").to.be.at.least(row.minMs);
        }
        verifySuccess();
    }
    if (bystander !== undefined) {
        expect(live(), "a token that was there before is never touched").to.include(bystander);
    }

    async function perform(): Promise<Result> {
        switch (op) {
            case "create": {
                const created = await lifecycle.create(await checked(subject.inputs));
                return { id: created.id, outs: created.outs as PlainObject };
            }
            case "read": {
                const read = await lifecycle.read(before!.id, before!.outs);
                return { ...(read.id ? { id: read.id } : {}), outs: (read.props ?? {}) as PlainObject };
            }
            case "update": {
                const news = await checked(subject.updateNews!(before!.inputs));
                const diff = await lifecycle.diff(before!.id, before!.outs, news);
                expect(diff.changes, "the update is an in-place change").to.equal(true);
                expect(diff.replaces ?? []).to.deep.equal([]);
                const updated = await lifecycle.update(before!.id, before!.outs, news);
                return { id: before!.id, outs: (updated.outs ?? {}) as PlainObject };
            }
            case "delete":
                await lifecycle.delete(before!.id, before!.outs);
                return {};
        }
    }

    function verifySuccess(): void {
        switch (op) {
            case "create": {
                const id = result!.id!;
                expect(live(), "the created token is live").to.include(id);
                expect(others(live()), "exactly one new token, no orphan").to.deep.equal([id]);
                if (subject.resource === "QoveryGitToken") {
                    expect(sandbox.qovery.secretOf(id)).to.equal("git-provider-token-1");
                } else {
                    expect(result!.outs!.token, "its value").to.be.a("string").that.is.not.empty;
                }
                break;
            }
            case "read":
                if (outcome === "gone") {
                    expect(result!.id, "404 on read means gone").to.equal(undefined);
                } else {
                    expect(result!.id, "a live token reads as present").to.equal(before!.id);
                }
                break;
            case "update":
                if (subject.updated) {
                    subject.updated(sandbox, before!, result!.outs!);
                } else if (subject.service === "gitlab") {
                    const newId = String(result!.outs!.tokenId);
                    expect(newId, "rotated: a new token").to.not.equal(before!.id);
                    expect(result!.outs!.token).to.be.a("string").and.not.equal(before!.outs.token);
                    expect(live(), "only the rotated token is alive").to.deep.equal([newId]);
                } else {
                    expect(sandbox.qovery.secretOf(before!.id)).to.equal("git-provider-token-2");
                    expect(result!.outs!.gitTokenId).to.equal(before!.id);
                }
                break;
            case "delete":
                if (!row.answeredInstead) {
                    expect(live(), "the token is gone").to.not.include(before!.id);
                }
                break;
        }
    }
}

function expectExplained(error: unknown, subject: Subject, op: Op, row: Row): void {
    expect(error, String(error)).to.be.instanceOf(ApiError);
    const e = error as ApiError;
    expect(e.message).to.include(subject.label).and.match(OP_WORDS[op]);
    if (row.status !== undefined) {
        expect(e.status, e.message).to.equal(row.status);
        expect(e.message).to.include(`HTTP ${row.status}`);
        expect(e.serviceMessage, "the service's own message").to.be.a("string").that.is.not.empty;
        expect(e.message).to.include(e.serviceMessage!);
    } else {
        expect(e.networkCause ?? e.message).to.match(row.network ?? /./);
    }
    expect(e.hint, "a hint").to.be.a("string").that.is.not.empty;
    expect(e.message).to.include(e.hint!);
    expect(e.message).to.not.include(subject.credential);
}

// The five subjects run side by side, each on its own sandbox (faults, limiter and clock are per sandbox),
// their cases one after another; each `it` then reports its case. Sequentially this would take about a minute,
// most of it Retry-After and timeouts.
describe("fault matrix: every resource × operation × fault (sandbox)", () => {
    const outcomes = new Map<Case, { error?: unknown }>();
    const plan = SUBJECTS.map((subject) => ({ subject, cases: casesOf(subject) }));
    const sandboxes: Sandbox[] = [];

    before(async function () {
        this.timeout(300_000); // seven subjects side by side on a shared 2-core machine
        await Promise.all(
            plan.map(async ({ cases }) => {
                const sandbox = await startSandbox();
                sandboxes.push(sandbox);
                for (const c of cases) {
                    try {
                        await runCase(sandbox, c);
                        outcomes.set(c, {});
                    } catch (error: unknown) {
                        outcomes.set(c, { error });
                    }
                }
            }),
        );
    });
    after(async () => {
        await Promise.all(sandboxes.map((sandbox) => sandbox.close()));
    });

    it("covers every resource, every operation that calls the API and every fault", () => {
        const total = plan.reduce((n, { cases }) => n + cases.length, 0);
        expect(total).to.be.at.least(200);
        for (const { subject, cases } of plan) {
            const ops = new Set(cases.map((c) => c.op));
            expect([...ops].sort(), subject.resource).to.deep.equal(Object.keys(subject.targets).sort() as Op[]);
        }
    });

    for (const { subject, cases } of plan) {
        describe(subject.resource, () => {
            for (const c of cases) {
                it(c.title, () => {
                    const outcome = outcomes.get(c);
                    if (outcome === undefined) {
                        expect.fail("the case did not run");
                    }
                    if (outcome.error !== undefined) {
                        throw outcome.error;
                    }
                });
            }
        });
    }
});
