/**
 * GitLab REST v4 emulator: project and group access tokens (+ the few endpoints a client uses to check
 * its credentials). Behaviour copied from GitLab's `lib/api/resource_access_tokens.rb` and the services
 * behind it; see the README next to this file for what differs.
 */
import type { SandboxClock } from "./clock";
import { GITLAB_SEED } from "./seed";
import type { LiveToken, SandboxRequest, SandboxResponse, ServiceEmulator } from "./types";
import {
    addDays,
    empty,
    header,
    intParam,
    isoDate,
    isRecord,
    type JsonValue,
    json,
    parseBody,
    parseIsoDate,
    randomAlnum,
    randomHex,
    reasonPhrase,
    snapshotPart,
    text,
    toSnapshotJson,
} from "./util";

export type GitlabResourceType = "project" | "group";

/** Scopes GitLab accepts for project/group access tokens (`Gitlab::Auth.resource_bot_scopes`). */
export const GITLAB_RESOURCE_SCOPES: readonly string[] = [
    "api",
    "read_api",
    "read_repository",
    "write_repository",
    "read_registry",
    "write_registry",
    "create_runner",
    "manage_runner",
    "k8s_proxy",
    "self_rotate",
    "ai_features",
    "read_virtual_registry",
    "write_virtual_registry",
    "read_observability",
    "write_observability",
];

/** Scopes GitLab accepts for personal access tokens: the resource scopes and four more (`Gitlab::Auth`). */
export const GITLAB_PERSONAL_SCOPES: readonly string[] = [
    ...GITLAB_RESOURCE_SCOPES,
    "read_user",
    "sudo",
    "admin_mode",
    "read_service_ping",
];

/** Guest, Planner, Reporter, Developer, Maintainer, Owner. */
export const GITLAB_ACCESS_LEVELS: readonly number[] = [10, 15, 20, 30, 40, 50];

const ROTATE_DEFAULT_DAYS = 7;
/** First id the sandbox gives a deploy token (access tokens start at 1001). */
const DEPLOY_TOKEN_FIRST_ID = 7001;
/** First id the sandbox gives a pipeline trigger token. */
const TRIGGER_FIRST_ID = 9001;

interface GlUser {
    id: number;
    username: string;
    name: string;
    admin: boolean;
    bot: boolean;
    /** For a group's service account: the group. */
    serviceAccountOf?: number;
}

interface GlToken {
    id: number;
    userId: number;
    name: string;
    description: string | null;
    value: string;
    scopes: string[];
    createdAt: Date;
    /** `YYYY-MM-DD`; the token stops working at 00:00 UTC that day. */
    expiresAt: string | null;
    revoked: boolean;
    lastUsedAt: Date | null;
    /** Set for project/group access tokens, absent for personal tokens. */
    resource?: { type: GitlabResourceType; id: number };
    accessLevel?: number;
    /** Set for personal tokens created through the API (not the seeded credentials): whose they are. */
    personal?: "user" | "service_account";
    familyId: number;
    previousId?: number;
}

/** Scopes GitLab accepts for deploy tokens (`DeployToken::AVAILABLE_SCOPES`). */
export const GITLAB_DEPLOY_TOKEN_SCOPES: readonly string[] = [
    "read_repository",
    "read_registry",
    "write_registry",
    "read_package_registry",
    "write_package_registry",
    "read_virtual_registry",
    "write_virtual_registry",
];

/** A project or group deploy token: no user of its own, deleted (not revoked) by the API's DELETE. */
interface GlDeployToken {
    id: number;
    name: string;
    /** Null: GitLab's default `gitlab+deploy-token-{id}`. */
    username: string | null;
    value: string;
    scopes: string[];
    /** `YYYY-MM-DD` (stored as midnight UTC), or null: never expires. */
    expiresAt: string | null;
    revoked: boolean;
    resource: { type: GitlabResourceType; id: number };
    createdAt: Date;
}

/** A deploy token as tests see it through `sandbox.gitlab` (includes the secret value). */
export interface GitlabDeployTokenView {
    id: number;
    name: string;
    username: string;
    value: string;
    scopes: string[];
    expiresAt: string | null;
    revoked: boolean;
    active: boolean;
    resourceType: GitlabResourceType;
    resourceId: number;
}

/** A project's pipeline trigger token; its owner is the user who created it. DELETE removes it. */
interface GlTrigger {
    id: number;
    projectId: number;
    ownerId: number;
    description: string;
    value: string;
    createdAt: Date;
    updatedAt: Date;
    lastUsed: Date | null;
    /** ISO date-time or null: never expires (GitLab 17+ may set one; the sandbox lets tests do it). */
    expiresAt: string | null;
}

/** A trigger token as tests see it through `sandbox.gitlab` (includes the secret value). */
export interface GitlabTriggerView {
    id: number;
    projectId: number;
    description: string;
    value: string;
    ownerId: number;
}

interface GlProject {
    id: number;
    name: string;
    path: string;
    pathWithNamespace: string;
    groupId: number;
}

interface GlGroup {
    id: number;
    name: string;
    path: string;
    fullPath: string;
}

/** A GitLab token as tests see it through `sandbox.gitlab` (includes the secret value). */
export interface GitlabTokenView {
    id: number;
    name: string;
    description: string | null;
    /** The secret. */
    value: string;
    scopes: string[];
    userId: number;
    accessLevel: number | null;
    resourceType: GitlabResourceType | null;
    resourceId: number | null;
    createdAt: string;
    expiresAt: string | null;
    lastUsedAt: string | null;
    revoked: boolean;
    active: boolean;
    /** Id of the token this one replaced by rotation. */
    previousId: number | null;
}

export interface GitlabAccessor {
    /** Any token by id (project/group tokens and the seeded personal tokens). */
    findToken(id: number): GitlabTokenView | undefined;
    findTokenByValue(value: string): GitlabTokenView | undefined;
    /** Personal access tokens created through the API, optionally of one user, in id order (revoked ones included). */
    personalTokens(userId?: number): GitlabTokenView[];
    /** Project/group access tokens, optionally of one resource, in id order (revoked ones included). */
    tokens(resource?: { type: GitlabResourceType; id: number }): GitlabTokenView[];
    /** Revoke out of band (like a user clicking "Revoke" in the UI). False when unknown. */
    revoke(id: number): boolean;
    /** Change a token's expiry date (`YYYY-MM-DD` or null). False when unknown. */
    setExpiresAt(id: number, expiresAt: string | null): boolean;
    /** Deploy tokens, optionally of one resource, in id order (revoked ones included, deleted ones not). */
    deployTokens(resource?: { type: GitlabResourceType; id: number }): GitlabDeployTokenView[];
    /** Revoke a deploy token out of band (the UI's "Revoke"). False when unknown. */
    revokeDeployToken(id: number): boolean;
    /** Change a deploy token's expiry date (`YYYY-MM-DD` or null). False when unknown. */
    setDeployTokenExpiresAt(id: number, expiresAt: string | null): boolean;
    /** Pipeline trigger tokens, optionally of one project, in id order. */
    triggers(projectId?: number): GitlabTriggerView[];
    /** Delete a trigger out of band (the UI's "Revoke" deletes it). False when unknown. */
    deleteTrigger(id: number): boolean;
    /** Edit a trigger's description out of band. False when unknown. */
    setTriggerDescription(id: number, description: string): boolean;
}

type AuthResult = { ok: true; user: GlUser; token: GlToken } | { ok: false; response: SandboxResponse };

export class GitlabEmulator implements ServiceEmulator {
    readonly name = "gitlab" as const;
    private users = new Map<number, GlUser>();
    private tokensById = new Map<number, GlToken>();
    private projects = new Map<number, GlProject>();
    private groups = new Map<number, GlGroup>();
    /** `project:101` / `group:11` → userId → access level. */
    private members = new Map<string, Map<number, number>>();
    private nextTokenId = 1001;
    private nextUserId = 5001;
    private nextFamilyId = 1;
    private deployTokensById = new Map<number, GlDeployToken>();
    /** Deploy tokens have their own id space on GitLab; apart from access tokens' here so an id names one token. */
    private nextDeployTokenId = DEPLOY_TOKEN_FIRST_ID;
    private triggersById = new Map<number, GlTrigger>();
    private nextTriggerId = TRIGGER_FIRST_ID;

    readonly accessor: GitlabAccessor = {
        findToken: (id) => this.view(this.tokensById.get(id)),
        findTokenByValue: (value) => this.view(this.byValue(value)),
        tokens: (resource) =>
            [...this.tokensById.values()]
                .filter((t) => t.resource !== undefined)
                .filter((t) => resource === undefined || sameResource(t.resource, resource))
                .sort((a, b) => a.id - b.id)
                .map((t) => this.view(t) as GitlabTokenView),
        personalTokens: (userId) =>
            [...this.tokensById.values()]
                .filter((t) => t.personal !== undefined && (userId === undefined || t.userId === userId))
                .sort((a, b) => a.id - b.id)
                .map((t) => this.view(t) as GitlabTokenView),
        revoke: (id) => {
            const token = this.tokensById.get(id);
            if (token === undefined) {
                return false;
            }
            token.revoked = true;
            return true;
        },
        setExpiresAt: (id, expiresAt) => {
            const token = this.tokensById.get(id);
            if (token === undefined || (expiresAt !== null && parseIsoDate(expiresAt) === undefined)) {
                return false;
            }
            token.expiresAt = expiresAt;
            return true;
        },
        deployTokens: (resource) =>
            [...this.deployTokensById.values()]
                .filter((t) => resource === undefined || sameResource(t.resource, resource))
                .sort((a, b) => a.id - b.id)
                .map((t) => this.deployView(t)),
        revokeDeployToken: (id) => {
            const token = this.deployTokensById.get(id);
            if (token === undefined) {
                return false;
            }
            token.revoked = true;
            return true;
        },
        triggers: (projectId) =>
            [...this.triggersById.values()]
                .filter((t) => projectId === undefined || t.projectId === projectId)
                .sort((a, b) => a.id - b.id)
                .map((t) => ({
                    id: t.id,
                    projectId: t.projectId,
                    description: t.description,
                    value: t.value,
                    ownerId: t.ownerId,
                })),
        deleteTrigger: (id) => this.triggersById.delete(id),
        setTriggerDescription: (id, description) => {
            const trigger = this.triggersById.get(id);
            if (trigger === undefined) {
                return false;
            }
            trigger.description = description;
            return true;
        },
        setDeployTokenExpiresAt: (id, expiresAt) => {
            const token = this.deployTokensById.get(id);
            if (token === undefined || (expiresAt !== null && parseIsoDate(expiresAt) === undefined)) {
                return false;
            }
            token.expiresAt = expiresAt;
            return true;
        },
    };

    constructor(private readonly clock: SandboxClock) {
        this.reset();
    }

    reset(): void {
        this.users.clear();
        this.tokensById.clear();
        this.projects.clear();
        this.groups.clear();
        this.members.clear();
        this.nextTokenId = 1001;
        this.nextUserId = 5001;
        this.nextFamilyId = 1;
        this.deployTokensById.clear();
        this.nextDeployTokenId = DEPLOY_TOKEN_FIRST_ID;
        this.triggersById.clear();
        this.nextTriggerId = TRIGGER_FIRST_ID;
        const seedTime = new Date(Date.UTC(2025, 0, 1));
        for (const user of Object.values(GITLAB_SEED.users)) {
            this.users.set(user.id, { ...user, bot: false });
        }
        for (const account of Object.values(GITLAB_SEED.serviceAccounts)) {
            const { groupId, ...user } = account;
            this.users.set(user.id, { ...user, admin: false, bot: true, serviceAccountOf: groupId });
        }
        for (const group of Object.values(GITLAB_SEED.groups)) {
            this.groups.set(group.id, { ...group });
        }
        for (const project of Object.values(GITLAB_SEED.projects)) {
            this.projects.set(project.id, { ...project });
        }
        for (const m of GITLAB_SEED.memberships) {
            this.memberMap("group", m.groupId).set(m.userId, m.accessLevel);
        }
        const personal: Array<[number, number, string, string[]]> = [
            [1, GITLAB_SEED.users.root.id, GITLAB_SEED.tokens.root, ["api"]],
            [2, GITLAB_SEED.users.maintainer.id, GITLAB_SEED.tokens.maintainer, ["api"]],
            [3, GITLAB_SEED.users.reporter.id, GITLAB_SEED.tokens.reporter, ["api"]],
            [4, GITLAB_SEED.users.owner.id, GITLAB_SEED.tokens.owner, ["api"]],
            [5, GITLAB_SEED.users.maintainer.id, GITLAB_SEED.tokens.maintainerReadApi, ["read_api"]],
        ];
        for (const [id, userId, value, scopes] of personal) {
            this.tokensById.set(id, {
                id,
                userId,
                name: `sandbox-personal-${id}`,
                description: null,
                value,
                scopes,
                createdAt: seedTime,
                expiresAt: null,
                revoked: false,
                lastUsedAt: null,
                familyId: this.nextFamilyId++,
            });
        }
    }

    liveTokens(): LiveToken[] {
        const accessTokens = [...this.tokensById.values()]
            .filter((t) => (t.resource !== undefined || t.personal !== undefined) && !t.revoked)
            .sort((a, b) => a.id - b.id)
            .map((t) => ({
                service: "gitlab" as const,
                id: String(t.id),
                name: t.name,
                owner: t.resource ? `${t.resource.type}:${t.resource.id}` : `${t.personal}:${t.userId}`,
                createdAt: t.createdAt.toISOString(),
                expiresAt: t.expiresAt,
                active: this.isActive(t),
            }));
        // Deploy tokens are owned apart (`deploy:project:101`), so an access token check never counts them.
        const deployTokens = [...this.deployTokensById.values()]
            .filter((t) => !t.revoked)
            .sort((a, b) => a.id - b.id)
            .map((t) => ({
                service: "gitlab" as const,
                id: String(t.id),
                name: t.name,
                owner: `deploy:${t.resource.type}:${t.resource.id}`,
                createdAt: t.createdAt.toISOString(),
                expiresAt: t.expiresAt,
                active: this.isDeployTokenActive(t),
            }));
        const triggers = [...this.triggersById.values()]
            .sort((a, b) => a.id - b.id)
            .map((t) => ({
                service: "gitlab" as const,
                id: String(t.id),
                name: t.description,
                owner: `trigger:project:${t.projectId}`,
                createdAt: t.createdAt.toISOString(),
                expiresAt: t.expiresAt,
                active: t.expiresAt === null || Date.parse(t.expiresAt) > this.clock.now().getTime(),
            }));
        return [...accessTokens, ...deployTokens, ...triggers];
    }

    snapshotTokens(): JsonValue {
        return toSnapshotJson({
            users: this.users,
            tokens: this.tokensById,
            members: this.members,
            nextTokenId: this.nextTokenId,
            nextUserId: this.nextUserId,
            nextFamilyId: this.nextFamilyId,
            deployTokens: this.deployTokensById,
            nextDeployTokenId: this.nextDeployTokenId,
            triggers: this.triggersById,
            nextTriggerId: this.nextTriggerId,
        });
    }

    restoreTokens(snapshot: unknown): void {
        const part = snapshotPart("gitlab", snapshot);
        this.users = part.users as Map<number, GlUser>;
        this.tokensById = part.tokens as Map<number, GlToken>;
        this.members = part.members as Map<string, Map<number, number>>;
        this.nextTokenId = part.nextTokenId as number;
        this.nextUserId = part.nextUserId as number;
        this.nextFamilyId = part.nextFamilyId as number;
        // Snapshots from before deploy tokens existed have none.
        this.deployTokensById = (part.deployTokens as Map<number, GlDeployToken> | undefined) ?? new Map();
        this.nextDeployTokenId = (part.nextDeployTokenId as number | undefined) ?? DEPLOY_TOKEN_FIRST_ID;
        this.triggersById = (part.triggers as Map<number, GlTrigger> | undefined) ?? new Map();
        this.nextTriggerId = (part.nextTriggerId as number | undefined) ?? TRIGGER_FIRST_ID;
    }

    revokeOutOfBand(id: string): boolean {
        return (
            /^\d+$/.test(id) &&
            (this.accessor.revoke(Number(id)) ||
                this.accessor.revokeDeployToken(Number(id)) ||
                this.accessor.deleteTrigger(Number(id)))
        );
    }

    errorResponse(status: number, _req: SandboxRequest, message?: string): SandboxResponse {
        if (status === 429) {
            return text(429, message ?? "Retry later\n");
        }
        return json(status, { message: message ?? `${status} ${reasonPhrase(status)}` });
    }

    handle(req: SandboxRequest): SandboxResponse {
        const seg = req.segments;
        if (seg[0] !== "api" || seg[1] !== "v4") {
            return json(404, { error: "404 Not Found" });
        }
        const rest = seg.slice(2);
        const m = req.method;
        const [a, b, c, d, e] = rest;
        if (rest.length === 1 && a === "version") {
            return this.only(m, "GET", () => this.withAuth(req, false, () => json(200, versionBody())));
        }
        if (rest.length === 1 && a === "user") {
            return this.only(m, "GET", () => this.withAuth(req, false, (user) => json(200, this.userJson(user, req))));
        }
        if (rest.length === 2 && a === "personal_access_tokens" && b === "self") {
            return this.only(m, "GET", () => this.selfToken(req));
        }
        const personal = this.routePersonal(req, rest);
        if (personal !== undefined) {
            return personal;
        }
        const type: GitlabResourceType | undefined =
            a === "projects" ? "project" : a === "groups" ? "group" : undefined;
        if (type === undefined || b === undefined) {
            return json(404, { error: "404 Not Found" });
        }
        if (rest.length === 2) {
            return this.only(m, "GET", () => this.getResource(req, type, b));
        }
        if (c === "triggers" && type === "project") {
            return this.triggersRoute(req, b, rest.length === 4 ? d : undefined, rest.length);
        }
        if (c === "deploy_tokens") {
            return this.deployTokensRoute(req, type, b, rest.length === 4 ? d : undefined, rest.length);
        }
        if (c !== "access_tokens") {
            return json(404, { error: "404 Not Found" });
        }
        if (rest.length === 3) {
            if (m === "GET") {
                return this.listTokens(req, type, b);
            }
            if (m === "POST") {
                return this.createToken(req, type, b);
            }
            return methodNotAllowed();
        }
        if (d === undefined) {
            return json(404, { error: "404 Not Found" });
        }
        if (rest.length === 4) {
            if (m === "GET") {
                return this.getToken(req, type, b, d);
            }
            if (m === "DELETE") {
                return this.deleteToken(req, type, b, d);
            }
            return methodNotAllowed();
        }
        if (rest.length === 5 && e === "rotate") {
            return this.only(m, "POST", () =>
                d === "self" ? this.selfRotate(req, type, b) : this.rotateToken(req, type, b, d),
            );
        }
        return json(404, { error: "404 Not Found" });
    }

    // ----- endpoints -----

    private selfToken(req: SandboxRequest): SandboxResponse {
        const auth = this.authenticate(req);
        if (!auth.ok) {
            return auth.response;
        }
        return json(200, this.tokenJson(auth.token, false));
    }

    private getResource(req: SandboxRequest, type: GitlabResourceType, rawId: string): SandboxResponse {
        return this.withAuth(req, false, (user) => {
            const found = this.findResource(type, rawId, user);
            if ("response" in found) {
                return found.response;
            }
            return json(200, type === "project" ? this.projectJson(found.id, req) : this.groupJson(found.id, req));
        });
    }

    private listTokens(req: SandboxRequest, type: GitlabResourceType, rawId: string): SandboxResponse {
        return this.withAuth(req, false, (user) => {
            const query = listQuery(req);
            if ("response" in query) {
                return query.response;
            }
            const found = this.findResource(type, rawId, user);
            if ("response" in found) {
                return found.response;
            }
            if (!this.canManage(user, type, found.id, "read")) {
                return unauthorized();
            }
            return this.listing(req, query, this.resourceTokens(type, found.id));
        });
    }

    /** One page of `tokens` after the `state`, `revoked` and `search` filters, with GitLab's paging headers. */
    private listing(req: SandboxRequest, query: ListQuery, tokens: GlToken[]): SandboxResponse {
        const { state, revoked, search } = query;
        const all = tokens
            .filter((t) => state === null || this.isActive(t) === (state === "active"))
            .filter((t) => revoked === null || t.revoked === (revoked === "true"))
            .filter((t) => search === undefined || t.name.toLowerCase().includes(search));
        const { items, headers } = paginate(all, query.paging, req);
        return json(
            200,
            items.map((t) => this.tokenJson(t, false)),
            headers,
        );
    }

    private getToken(req: SandboxRequest, type: GitlabResourceType, rawId: string, tokenId: string): SandboxResponse {
        return this.withAuth(req, false, (user) => {
            const found = this.findResource(type, rawId, user);
            if ("response" in found) {
                return found.response;
            }
            if (!this.canManage(user, type, found.id, "read")) {
                return unauthorized();
            }
            const token = this.findResourceToken(type, found.id, tokenId);
            if (token === undefined) {
                return json(404, { message: `404 ${type} Access Token Not Found` });
            }
            return json(200, this.tokenJson(token, false));
        });
    }

    private createToken(req: SandboxRequest, type: GitlabResourceType, rawId: string): SandboxResponse {
        return this.withAuth(req, true, (user) => {
            const params = gitlabParams(req);
            if ("response" in params) {
                return params.response;
            }
            const p = params.value;
            const { problems, name, scopes, expires } = tokenParams(p, GITLAB_RESOURCE_SCOPES);
            let accessLevel = 40;
            if (p.access_level !== undefined && p.access_level !== null) {
                const level = typeof p.access_level === "number" ? p.access_level : intParam(String(p.access_level));
                if (level === undefined || Number.isNaN(level) || !Number.isInteger(level)) {
                    problems.push("access_level is invalid");
                } else if (!GITLAB_ACCESS_LEVELS.includes(level)) {
                    problems.push("access_level does not have a valid value");
                } else {
                    accessLevel = level;
                }
            }
            const description = p.description;
            if (problems.length > 0) {
                return json(400, { error: problems.join(", ") });
            }
            const found = this.findResource(type, rawId, user);
            if ("response" in found) {
                return found.response;
            }
            if (!this.canManage(user, type, found.id, "create")) {
                return badRequest(`User does not have permission to create ${type} access token`);
            }
            if (!user.admin && accessLevel > this.accessLevel(user, type, found.id)) {
                return badRequest("Access level of the token contains permissions not held by the creating user");
            }
            const tokenName = name as string;
            const scopeList = scopes as string[];
            const expiresAt = this.createdExpiry(expires);
            const modelErrors = this.modelErrors(tokenName, scopeList, expiresAt);
            if (modelErrors.length > 0) {
                return badRequest(toSentence(modelErrors));
            }
            const bot = this.createBotUser(type, found.id, tokenName);
            this.memberMap(type, found.id).set(bot.id, accessLevel);
            const token = this.newToken({
                userId: bot.id,
                name: tokenName,
                description: typeof description === "string" ? description : null,
                scopes: [...scopeList],
                expiresAt,
                resource: { type, id: found.id },
                accessLevel,
                familyId: this.nextFamilyId++,
            });
            return json(201, this.tokenJson(token, true));
        });
    }

    private deleteToken(
        req: SandboxRequest,
        type: GitlabResourceType,
        rawId: string,
        tokenId: string,
    ): SandboxResponse {
        return this.withAuth(req, true, (user) => {
            const found = this.findResource(type, rawId, user);
            if ("response" in found) {
                return found.response;
            }
            const token = this.findResourceToken(type, found.id, tokenId);
            if (token === undefined) {
                return json(404, { message: `404 ${type} Access Token Not Found` });
            }
            if (!this.canManage(user, type, found.id, "destroy")) {
                const bot = this.users.get(token.userId);
                return badRequest(`${user.name} cannot delete ${bot?.name ?? "the bot user"}`);
            }
            token.revoked = true;
            return empty(204);
        });
    }

    private rotateToken(
        req: SandboxRequest,
        type: GitlabResourceType,
        rawId: string,
        tokenId: string,
    ): SandboxResponse {
        return this.withAuth(req, true, (user) => {
            const expires = rotateExpiry(req);
            if (typeof expires === "object") {
                return expires.response;
            }
            const found = this.findResource(type, rawId, user);
            if ("response" in found) {
                return found.response;
            }
            const token = this.canManage(user, type, found.id, "manage")
                ? this.findResourceToken(type, found.id, tokenId)
                : undefined;
            if (token === undefined) {
                return user.admin ? json(404, { message: "404 Not Found" }) : unauthorized();
            }
            return this.rotate(token, expires);
        });
    }

    private selfRotate(req: SandboxRequest, type: GitlabResourceType, rawId: string): SandboxResponse {
        const auth = this.authenticate(req);
        if (!auth.ok) {
            return auth.response;
        }
        const { user, token } = auth;
        if (!token.scopes.includes("api") && !token.scopes.includes("self_rotate")) {
            return insufficientScope(["api", "self_rotate"]);
        }
        const params = gitlabParams(req);
        if ("response" in params) {
            return params.response;
        }
        const expires = dateParam(params.value.expires_at);
        if (expires === "invalid") {
            return json(400, { error: "expires_at is invalid" });
        }
        const found = this.findResource(type, rawId, user);
        if ("response" in found) {
            return found.response;
        }
        if (token.resource === undefined || !sameResource(token.resource, { type, id: found.id })) {
            return json(403, { message: "403 Forbidden" });
        }
        return this.rotate(token, expires);
    }

    private rotate(token: GlToken, expires: string | undefined): SandboxResponse {
        if (token.revoked) {
            for (const t of this.tokensById.values()) {
                if (t.familyId === token.familyId) {
                    t.revoked = true;
                }
            }
            return badRequest("Token already revoked");
        }
        const expiresAt = expires ?? isoDate(addDays(this.today(), ROTATE_DEFAULT_DAYS));
        const errors = this.expiryErrors(expiresAt);
        if (errors.length > 0) {
            return badRequest(toSentence(errors));
        }
        token.revoked = true;
        const rotated = this.newToken({
            userId: token.userId,
            name: token.name,
            description: token.description,
            scopes: [...token.scopes],
            expiresAt,
            resource: token.resource,
            accessLevel: token.accessLevel,
            ...(token.personal ? { personal: token.personal } : {}),
            familyId: token.familyId,
            previousId: token.id,
        });
        return json(200, this.tokenJson(rotated, true));
    }

    // ----- personal access tokens: a user's (administrators) and a group service account's (the group's Owner) -----

    /** Routes of personal access tokens, or undefined for another path. */
    private routePersonal(req: SandboxRequest, rest: string[]): SandboxResponse | undefined {
        const m = req.method;
        const [a, b, c, d, e, , g] = rest;
        if (a === "users" && b !== undefined && c === "personal_access_tokens" && rest.length === 3) {
            return this.only(m, "POST", () => this.createUserToken(req, b));
        }
        if (a === "personal_access_tokens" && b !== "self") {
            if (rest.length === 1) {
                return this.only(m, "GET", () => this.listUserTokens(req));
            }
            if (rest.length === 2 && b !== undefined) {
                if (m === "GET" || m === "DELETE") {
                    return this.userTokenAction(req, b, m === "GET" ? "read" : "revoke");
                }
                return methodNotAllowed();
            }
            if (rest.length === 3 && b !== undefined && c === "rotate") {
                return this.only(m, "POST", () => this.userTokenAction(req, b, "rotate"));
            }
            return undefined;
        }
        if (a === "groups" && b !== undefined && c === "service_accounts" && d !== undefined) {
            if (e !== "personal_access_tokens") {
                return undefined;
            }
            const tokenId = rest[5];
            if (rest.length === 5) {
                if (m === "GET" || m === "POST") {
                    return this.serviceAccountTokens(req, b, d, m === "GET" ? "list" : "create");
                }
                return methodNotAllowed();
            }
            if (rest.length === 6 && tokenId !== undefined) {
                return this.only(m, "DELETE", () => this.serviceAccountTokens(req, b, d, "revoke", tokenId));
            }
            if (rest.length === 7 && tokenId !== undefined && g === "rotate") {
                return this.only(m, "POST", () => this.serviceAccountTokens(req, b, d, "rotate", tokenId));
            }
        }
        return undefined;
    }

    /** `POST /users/:user_id/personal_access_tokens`: administrators only (403 for anyone else). */
    private createUserToken(req: SandboxRequest, rawUserId: string): SandboxResponse {
        return this.withAuth(req, true, (caller) => {
            if (!caller.admin) {
                return forbidden();
            }
            const owner = /^\d+$/.test(rawUserId) ? this.users.get(Number(rawUserId)) : undefined;
            return this.createPersonal(req, owner, "user");
        });
    }

    /** `GET /personal_access_tokens`: an administrator's of anyone (`user_id`), anyone else's own only (401 otherwise). */
    private listUserTokens(req: SandboxRequest): SandboxResponse {
        return this.withAuth(req, false, (caller) => {
            const query = listQuery(req);
            if ("response" in query) {
                return query.response;
            }
            const rawUserId = req.query.get("user_id");
            const userId = rawUserId === null ? undefined : intParam(rawUserId);
            if (userId !== undefined && Number.isNaN(userId)) {
                return json(400, { error: "user_id is invalid" });
            }
            if (!caller.admin && userId !== undefined && userId !== caller.id) {
                return unauthorized();
            }
            const owner = caller.admin ? userId : caller.id;
            const tokens = [...this.tokensById.values()]
                .filter((t) => t.resource === undefined && (owner === undefined || t.userId === owner))
                .sort((x, y) => x.id - y.id);
            return this.listing(req, query, tokens);
        });
    }

    /**
     * `GET`, `DELETE` and `POST .../rotate` of `/personal_access_tokens/:id`. An administrator may act on any token
     * (404 when unknown); anyone else on their own only: 401 for another's or an unknown one (GitLab tells only
     * administrators that a token does not exist).
     */
    private userTokenAction(req: SandboxRequest, rawId: string, action: "read" | "revoke" | "rotate"): SandboxResponse {
        return this.withAuth(req, action !== "read", (caller) => {
            const expires = action === "rotate" ? rotateExpiry(req) : undefined;
            if (typeof expires === "object") {
                return expires.response;
            }
            const token = /^\d+$/.test(rawId) ? this.tokensById.get(Number(rawId)) : undefined;
            if (token === undefined || (!caller.admin && token.userId !== caller.id)) {
                return caller.admin ? json(404, { message: "404 Not Found" }) : unauthorized();
            }
            return this.personalAction(token, action, expires);
        });
    }

    /** A group service account's tokens: the group's Owner (or an administrator) lists, creates, revokes, rotates. */
    private serviceAccountTokens(
        req: SandboxRequest,
        rawGroupId: string,
        rawUserId: string,
        action: "list" | "create" | "revoke" | "rotate",
        rawTokenId?: string,
    ): SandboxResponse {
        return this.withAuth(req, action !== "list", (caller) => {
            const found = this.findResource("group", rawGroupId, caller);
            if ("response" in found) {
                return found.response;
            }
            if (!caller.admin && this.accessLevel(caller, "group", found.id) < 50) {
                return forbidden();
            }
            const account = /^\d+$/.test(rawUserId) ? this.users.get(Number(rawUserId)) : undefined;
            if (account === undefined || account.serviceAccountOf !== found.id) {
                return json(404, { message: "404 User Not Found" });
            }
            if (action === "create") {
                return this.createPersonal(req, account, "service_account");
            }
            if (action === "list") {
                const query = listQuery(req);
                if ("response" in query) {
                    return query.response;
                }
                const tokens = [...this.tokensById.values()]
                    .filter((t) => t.userId === account.id)
                    .sort((x, y) => x.id - y.id);
                return this.listing(req, query, tokens);
            }
            const expires = rotateExpiry(req);
            if (typeof expires === "object") {
                return expires.response;
            }
            const token = /^\d+$/.test(rawTokenId ?? "") ? this.tokensById.get(Number(rawTokenId)) : undefined;
            if (token === undefined || token.userId !== account.id) {
                return json(404, { message: "404 Personal Access Token Not Found" });
            }
            return this.personalAction(token, action, expires);
        });
    }

    private personalAction(
        token: GlToken,
        action: "read" | "revoke" | "rotate",
        expires: string | undefined,
    ): SandboxResponse {
        if (action === "read") {
            return json(200, this.tokenJson(token, false));
        }
        if (action === "revoke") {
            token.revoked = true; // Revoking a revoked token succeeds too.
            return empty(204);
        }
        return this.rotate(token, expires);
    }

    /** Creates a personal access token for `owner` (404 `User Not Found` when there is none). */
    private createPersonal(
        req: SandboxRequest,
        owner: GlUser | undefined,
        personal: "user" | "service_account",
    ): SandboxResponse {
        const params = gitlabParams(req);
        if ("response" in params) {
            return params.response;
        }
        const p = params.value;
        const { problems, name, scopes, expires } = tokenParams(p, GITLAB_PERSONAL_SCOPES);
        if (problems.length > 0) {
            return json(400, { error: problems.join(", ") });
        }
        if (owner === undefined) {
            return json(404, { message: "404 User Not Found" });
        }
        const expiresAt = this.createdExpiry(expires);
        const modelErrors = this.modelErrors(name as string, scopes as string[], expiresAt);
        if (modelErrors.length > 0) {
            return badRequest(toSentence(modelErrors));
        }
        const token = this.newToken({
            userId: owner.id,
            name: name as string,
            description: typeof p.description === "string" ? p.description : null,
            scopes: [...(scopes as string[])],
            expiresAt,
            personal,
            familyId: this.nextFamilyId++,
        });
        return json(201, this.tokenJson(token, true));
    }

    // ----- deploy tokens (lib/api/deploy_tokens.rb) -----

    private deployTokensRoute(
        req: SandboxRequest,
        type: GitlabResourceType,
        rawId: string,
        tokenId: string | undefined,
        length: number,
    ): SandboxResponse {
        const m = req.method;
        if (length === 3) {
            if (m === "GET") {
                return this.listDeployTokens(req, type, rawId);
            }
            return m === "POST" ? this.createDeployToken(req, type, rawId) : methodNotAllowed();
        }
        if (length === 4 && tokenId !== undefined) {
            if (m === "GET" || m === "DELETE") {
                return this.oneDeployToken(req, type, rawId, tokenId);
            }
            return methodNotAllowed();
        }
        return json(404, { error: "404 Not Found" });
    }

    /** Project deploy tokens need Maintainer, group ones Owner; bots never manage them. GitLab answers 403 (authorize!). */
    private deployTokenParent(
        req: SandboxRequest,
        type: GitlabResourceType,
        rawId: string,
        write: boolean,
        fn: (id: number) => SandboxResponse,
    ): SandboxResponse {
        return this.withAuth(req, write, (user) => {
            const found = this.findResource(type, rawId, user);
            if ("response" in found) {
                return found.response;
            }
            if (!this.canManage(user, type, found.id, write ? "manage" : "read")) {
                return json(403, { message: "403 Forbidden" });
            }
            return fn(found.id);
        });
    }

    private listDeployTokens(req: SandboxRequest, type: GitlabResourceType, rawId: string): SandboxResponse {
        const active = req.query.get("active");
        if (active !== null && active !== "true" && active !== "false") {
            return json(400, { error: "active is invalid" });
        }
        const paging = pagingParams(req);
        if ("response" in paging) {
            return paging.response;
        }
        return this.deployTokenParent(req, type, rawId, false, (id) => {
            const all = [...this.deployTokensById.values()]
                .filter((t) => sameResource(t.resource, { type, id }))
                .filter((t) => active === null || this.isDeployTokenActive(t) === (active === "true"))
                .sort((a, b) => a.id - b.id);
            const { items, headers } = paginate(all, paging, req);
            return json(
                200,
                items.map((t) => this.deployTokenJson(t, false)),
                headers,
            );
        });
    }

    private createDeployToken(req: SandboxRequest, type: GitlabResourceType, rawId: string): SandboxResponse {
        const params = gitlabParams(req);
        if ("response" in params) {
            return params.response;
        }
        const p = params.value;
        const problems: string[] = [];
        if (p.name === undefined || p.name === null) {
            problems.push("name is missing");
        } else if (typeof p.name !== "string") {
            problems.push("name is invalid");
        }
        const scopes = typeof p.scopes === "string" ? p.scopes.split(",") : p.scopes;
        if (scopes === undefined || scopes === null) {
            problems.push("scopes is missing");
        } else if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === "string")) {
            problems.push("scopes is invalid");
        } else if (!scopes.every((s) => GITLAB_DEPLOY_TOKEN_SCOPES.includes(s))) {
            problems.push("scopes does not have a valid value");
        }
        const expires = dateParam(p.expires_at);
        if (expires === "invalid") {
            problems.push("expires_at is invalid");
        }
        if (p.username !== undefined && p.username !== null && typeof p.username !== "string") {
            problems.push("username is invalid");
        }
        if (problems.length > 0) {
            return json(400, { error: problems.join(", ") });
        }
        return this.deployTokenParent(req, type, rawId, true, (id) => {
            const name = p.name as string;
            const username = typeof p.username === "string" && p.username !== "" ? p.username : null;
            const scopeList = [...new Set(scopes as string[])];
            const modelErrors: string[] = [];
            if (scopeList.length === 0) {
                modelErrors.push("Scopes can't be blank");
            }
            if (username !== null && !/^[a-zA-Z0-9.+_-]+$/.test(username)) {
                modelErrors.push("Username can contain only letters, digits, '_', '-', '+', and '.'");
            }
            if (username !== null && username.length > 255) {
                modelErrors.push("Username is too long (maximum is 255 characters)");
            }
            if (name.length > 255) {
                modelErrors.push("Name is too long (maximum is 255 characters)");
            }
            if (modelErrors.length > 0) {
                return json(400, { message: toSentence(modelErrors) });
            }
            const token: GlDeployToken = {
                id: this.nextDeployTokenId++,
                name,
                username,
                // Built at run time: no secret-looking literal in the sources.
                value: `${"gldt"}-${randomAlnum(20)}`,
                scopes: GITLAB_DEPLOY_TOKEN_SCOPES.filter((s) => scopeList.includes(s)),
                expiresAt: expires ?? null,
                revoked: false,
                resource: { type, id },
                createdAt: this.clock.now(),
            };
            this.deployTokensById.set(token.id, token);
            return json(201, this.deployTokenJson(token, true));
        });
    }

    /** GET reads one token; DELETE removes it (the record goes: a later GET answers 404). */
    private oneDeployToken(
        req: SandboxRequest,
        type: GitlabResourceType,
        rawId: string,
        tokenId: string,
    ): SandboxResponse {
        if (!/^\d+$/.test(tokenId)) {
            return json(400, { error: "token_id is invalid" });
        }
        const write = req.method === "DELETE";
        return this.deployTokenParent(req, type, rawId, write, (id) => {
            const token = this.deployTokensById.get(Number(tokenId));
            if (token === undefined || !sameResource(token.resource, { type, id })) {
                return json(404, { message: "404 Not found" });
            }
            if (write) {
                this.deployTokensById.delete(token.id);
                return empty(204);
            }
            return json(200, this.deployTokenJson(token, false));
        });
    }

    private isDeployTokenActive(token: GlDeployToken): boolean {
        // Expired from midnight UTC starting the `expires_at` date (`expires_at >= NOW()` is GitLab's active scope).
        return !token.revoked && (token.expiresAt === null || token.expiresAt > isoDate(this.today()));
    }

    private deployTokenJson(token: GlDeployToken, withSecret: boolean): Record<string, unknown> {
        const body: Record<string, unknown> = {
            id: token.id,
            name: token.name,
            username: token.username ?? `gitlab+deploy-token-${token.id}`,
            expires_at: token.expiresAt === null ? null : `${token.expiresAt}T00:00:00.000Z`,
            revoked: token.revoked,
            expired: token.expiresAt !== null && token.expiresAt <= isoDate(this.today()),
            scopes: [...token.scopes],
        };
        if (withSecret) {
            body.token = token.value;
        }
        return body;
    }

    private deployView(token: GlDeployToken): GitlabDeployTokenView {
        const { username: _username, createdAt: _createdAt, resource, ...fields } = token;
        return {
            ...fields,
            scopes: [...token.scopes],
            username: (this.deployTokenJson(token, false).username as string) ?? "",
            active: this.isDeployTokenActive(token),
            resourceType: resource.type,
            resourceId: resource.id,
        };
    }

    // ----- pipeline trigger tokens (lib/api/ci/triggers.rb) -----

    private triggersRoute(
        req: SandboxRequest,
        rawId: string,
        triggerId: string | undefined,
        length: number,
    ): SandboxResponse {
        const m = req.method;
        if (length === 3 && (m === "GET" || m === "POST")) {
            return m === "GET" ? this.listTriggers(req, rawId) : this.createTrigger(req, rawId);
        }
        if (length === 4 && triggerId !== undefined && ["GET", "PUT", "DELETE"].includes(m)) {
            return this.oneTrigger(req, rawId, triggerId);
        }
        return length === 3 || length === 4 ? methodNotAllowed() : json(404, { error: "404 Not Found" });
    }

    /** `admin_build` / `manage_trigger`: the project's Maintainer; GitLab answers 403 (`authorize!`). */
    private triggerProject(
        req: SandboxRequest,
        rawId: string,
        write: boolean,
        fn: (projectId: number, user: GlUser) => SandboxResponse,
    ): SandboxResponse {
        return this.withAuth(req, write, (user) => {
            const found = this.findResource("project", rawId, user);
            if ("response" in found) {
                return found.response;
            }
            if (!this.canManage(user, "project", found.id, write ? "manage" : "read")) {
                return json(403, { message: "403 Forbidden" });
            }
            return fn(found.id, user);
        });
    }

    private listTriggers(req: SandboxRequest, rawId: string): SandboxResponse {
        const paging = pagingParams(req);
        if ("response" in paging) {
            return paging.response;
        }
        return this.triggerProject(req, rawId, false, (projectId, user) => {
            const all = [...this.triggersById.values()]
                .filter((t) => t.projectId === projectId)
                .sort((a, b) => a.id - b.id);
            const { items, headers } = paginate(all, paging, req);
            return json(
                200,
                items.map((t) => this.triggerJson(t, user)),
                headers,
            );
        });
    }

    private createTrigger(req: SandboxRequest, rawId: string): SandboxResponse {
        const params = gitlabParams(req);
        if ("response" in params) {
            return params.response;
        }
        const description = params.value.description;
        if (description === undefined || description === null) {
            return json(400, { error: "description is missing" });
        }
        if (typeof description !== "string") {
            return json(400, { error: "description is invalid" });
        }
        return this.triggerProject(req, rawId, true, (projectId, user) => {
            if (description.length > 255) {
                return badRequest("Description is too long (maximum is 255 characters)");
            }
            const now = this.clock.now();
            const trigger: GlTrigger = {
                id: this.nextTriggerId++,
                projectId,
                ownerId: user.id,
                description,
                // Built at run time: no secret-looking literal in the sources.
                value: `${"glptt"}-${randomHex(20)}`,
                createdAt: now,
                updatedAt: now,
                lastUsed: null,
                expiresAt: null,
            };
            this.triggersById.set(trigger.id, trigger);
            return json(201, this.triggerJson(trigger, user));
        });
    }

    /** GET reads, PUT edits the description (the owner, or an admin), DELETE removes the trigger. */
    private oneTrigger(req: SandboxRequest, rawId: string, triggerId: string): SandboxResponse {
        if (!/^\d+$/.test(triggerId)) {
            return json(400, { error: "trigger_id is invalid" });
        }
        const params = req.method === "PUT" ? gitlabParams(req) : { value: {} };
        if ("response" in params) {
            return params.response;
        }
        return this.triggerProject(req, rawId, req.method !== "GET", (projectId, user) => {
            const trigger = this.triggersById.get(Number(triggerId));
            if (trigger === undefined || trigger.projectId !== projectId) {
                return json(404, { message: "404 Not found" });
            }
            if (req.method === "DELETE") {
                this.triggersById.delete(trigger.id);
                return empty(204);
            }
            if (req.method === "PUT") {
                if (trigger.ownerId !== user.id && !user.admin) {
                    return json(403, {
                        message: "403 Forbidden - The current user is not authorized to manage the trigger token",
                    });
                }
                const description = params.value.description;
                if (description !== undefined && description !== null) {
                    if (typeof description !== "string") {
                        return json(400, { error: "description is invalid" });
                    }
                    trigger.description = description;
                    trigger.updatedAt = this.clock.now();
                }
            }
            return json(200, this.triggerJson(trigger, user));
        });
    }

    /** The whole value only for the trigger's owner; others see its first 4 characters (`short_token`). */
    private triggerJson(trigger: GlTrigger, viewer: GlUser): Record<string, unknown> {
        const owner = this.users.get(trigger.ownerId);
        return {
            id: trigger.id,
            token: trigger.ownerId === viewer.id ? trigger.value : trigger.value.slice(0, 4),
            description: trigger.description,
            created_at: trigger.createdAt.toISOString(),
            updated_at: trigger.updatedAt.toISOString(),
            last_used: trigger.lastUsed?.toISOString() ?? null,
            expires_at: trigger.expiresAt,
            owner:
                owner === undefined
                    ? null
                    : { id: owner.id, username: owner.username, name: owner.name, state: "active" },
        };
    }

    // ----- auth and permissions -----

    private withAuth(req: SandboxRequest, write: boolean, fn: (user: GlUser) => SandboxResponse): SandboxResponse {
        const auth = this.authenticate(req);
        if (!auth.ok) {
            return auth.response;
        }
        const scopes = auth.token.scopes;
        const allowed = write ? scopes.includes("api") : scopes.includes("api") || scopes.includes("read_api");
        if (!allowed) {
            return insufficientScope(write ? ["api"] : ["api", "read_api"]);
        }
        return fn(auth.user);
    }

    private authenticate(req: SandboxRequest): AuthResult {
        let value = header(req, "private-token");
        if (value === undefined) {
            const authorization = header(req, "authorization");
            const match = authorization === undefined ? null : /^Bearer\s+(.+)$/i.exec(authorization);
            value = match?.[1]?.trim();
        }
        value ??= req.query.get("private_token") ?? req.query.get("access_token") ?? undefined;
        const token = value === undefined || value === "" ? undefined : this.byValue(value);
        const user = token === undefined ? undefined : this.users.get(token.userId);
        if (token === undefined || user === undefined) {
            return { ok: false, response: unauthorized() };
        }
        if (token.revoked) {
            return {
                ok: false,
                response: invalidToken("Token was revoked. You have to re-authorize from the user."),
            };
        }
        if (!this.isActive(token)) {
            return { ok: false, response: invalidToken("Token has expired.") };
        }
        token.lastUsedAt = this.clock.now();
        return { ok: true, user, token };
    }

    /** The user's access level on a project (direct or through its group) or group; admins count as Owner. */
    private accessLevel(user: GlUser, type: GitlabResourceType, id: number): number {
        if (user.admin) {
            return 50;
        }
        if (type === "group") {
            return this.memberMap("group", id).get(user.id) ?? 0;
        }
        const project = this.projects.get(id);
        const direct = this.memberMap("project", id).get(user.id) ?? 0;
        const inherited = project === undefined ? 0 : (this.memberMap("group", project.groupId).get(user.id) ?? 0);
        return Math.max(direct, inherited);
    }

    /**
     * Project access tokens need Maintainer, group access tokens need Owner (GitLab's policies);
     * bot users may read but never create or manage tokens.
     */
    private canManage(
        user: GlUser,
        type: GitlabResourceType,
        id: number,
        action: "read" | "create" | "destroy" | "manage",
    ): boolean {
        if (user.admin) {
            return true;
        }
        if (user.bot && action !== "read") {
            return false;
        }
        return this.accessLevel(user, type, id) >= (type === "project" ? 40 : 50);
    }

    /** GitLab hides what the caller cannot see: 404 "Project Not Found" / "Group Not Found". */
    private findResource(
        type: GitlabResourceType,
        rawId: string,
        user: GlUser,
    ): { id: number } | { response: SandboxResponse } {
        let id: number | undefined;
        if (/^\d+$/.test(rawId)) {
            id = Number(rawId);
            if (!(type === "project" ? this.projects.has(id) : this.groups.has(id))) {
                id = undefined;
            }
        } else if (type === "project") {
            id = [...this.projects.values()].find((p) => p.pathWithNamespace === rawId)?.id;
        } else {
            id = [...this.groups.values()].find((g) => g.fullPath === rawId)?.id;
        }
        if (id === undefined || this.accessLevel(user, type, id) === 0) {
            return { response: json(404, { message: `404 ${type === "project" ? "Project" : "Group"} Not Found` }) };
        }
        return { id };
    }

    private findResourceToken(type: GitlabResourceType, id: number, tokenId: string): GlToken | undefined {
        if (!/^\d+$/.test(tokenId)) {
            return undefined;
        }
        const token = this.tokensById.get(Number(tokenId));
        return token?.resource !== undefined && sameResource(token.resource, { type, id }) ? token : undefined;
    }

    // ----- model -----

    private resourceTokens(type: GitlabResourceType, id: number): GlToken[] {
        return [...this.tokensById.values()]
            .filter((t) => t.resource !== undefined && sameResource(t.resource, { type, id }))
            .sort((a, b) => a.id - b.id);
    }

    private memberMap(type: GitlabResourceType, id: number): Map<number, number> {
        const key = `${type}:${id}`;
        let map = this.members.get(key);
        if (map === undefined) {
            map = new Map();
            this.members.set(key, map);
        }
        return map;
    }

    private byValue(value: string): GlToken | undefined {
        for (const token of this.tokensById.values()) {
            if (token.value === value) {
                return token;
            }
        }
        return undefined;
    }

    private today(): Date {
        return parseIsoDate(isoDate(this.clock.now())) as Date;
    }

    private isActive(token: GlToken): boolean {
        if (token.revoked) {
            return false;
        }
        if (token.expiresAt === null) {
            return true;
        }
        return this.clock.now().getTime() < Date.parse(`${token.expiresAt}T00:00:00.000Z`);
    }

    /** A created token's expiry: the one asked for, else the maximum lifetime (GitLab 16.0+). */
    private createdExpiry(expires: string | undefined | "invalid"): string {
        return expires === undefined || expires === "invalid"
            ? isoDate(addDays(this.today(), GITLAB_SEED.maxLifetimeDays))
            : expires;
    }

    /** The token model's validation errors, in GitLab's words. */
    private modelErrors(name: string, scopes: string[], expiresAt: string): string[] {
        const errors: string[] = [];
        if (name.trim() === "") {
            errors.push("Name can't be blank");
        }
        if (scopes.length === 0) {
            errors.push("Scopes can't be blank");
        }
        return [...errors, ...this.expiryErrors(expiresAt)];
    }

    private expiryErrors(expiresAt: string): string[] {
        const today = this.today();
        const max = isoDate(addDays(today, GITLAB_SEED.maxLifetimeDays));
        if (expiresAt > max) {
            return [`Expires at must be before ${max}`];
        }
        if (expiresAt < isoDate(today)) {
            return ["Expires at cannot be in the past"];
        }
        return [];
    }

    private createBotUser(type: GitlabResourceType, resourceId: number, name: string): GlUser {
        const user: GlUser = {
            id: this.nextUserId++,
            username: `${type}_${resourceId}_bot_${randomHex(32)}`,
            name,
            admin: false,
            bot: true,
        };
        this.users.set(user.id, user);
        return user;
    }

    private newToken(fields: Omit<GlToken, "id" | "value" | "createdAt" | "revoked" | "lastUsedAt">): GlToken {
        const token: GlToken = {
            ...fields,
            id: this.nextTokenId++,
            // Built at run time: no secret-looking literal in the sources.
            value: `${"glpat"}-${randomAlnum(20)}`,
            createdAt: this.clock.now(),
            revoked: false,
            lastUsedAt: null,
        };
        this.tokensById.set(token.id, token);
        return token;
    }

    private view(token: GlToken | undefined): GitlabTokenView | undefined {
        if (token === undefined) {
            return undefined;
        }
        return {
            id: token.id,
            name: token.name,
            description: token.description,
            value: token.value,
            scopes: [...token.scopes],
            userId: token.userId,
            accessLevel: token.accessLevel ?? null,
            resourceType: token.resource?.type ?? null,
            resourceId: token.resource?.id ?? null,
            createdAt: token.createdAt.toISOString(),
            expiresAt: token.expiresAt,
            lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
            revoked: token.revoked,
            active: this.isActive(token),
            previousId: token.previousId ?? null,
        };
    }

    // ----- JSON -----

    private tokenJson(token: GlToken, withSecret: boolean): Record<string, unknown> {
        const body: Record<string, unknown> = {
            id: token.id,
            name: token.name,
            revoked: token.revoked,
            created_at: token.createdAt.toISOString(),
            description: token.description,
            scopes: [...token.scopes],
            user_id: token.userId,
            last_used_at: token.lastUsedAt?.toISOString() ?? null,
            active: this.isActive(token),
            expires_at: token.expiresAt,
            last_used_ips: [],
        };
        if (token.resource !== undefined) {
            body.access_level = token.accessLevel ?? 40;
            body.resource_type = token.resource.type;
            body.resource_id = token.resource.id;
        }
        if (withSecret) {
            body.token = token.value;
        }
        return body;
    }

    private userJson(user: GlUser, req: SandboxRequest): Record<string, unknown> {
        return {
            id: user.id,
            username: user.username,
            name: user.name,
            state: "active",
            locked: false,
            avatar_url: null,
            web_url: `${req.baseUrl}/${user.username}`,
            bot: user.bot,
            is_admin: user.admin,
        };
    }

    private projectJson(id: number, req: SandboxRequest): Record<string, unknown> {
        const project = this.projects.get(id) as GlProject;
        const group = this.groups.get(project.groupId) as GlGroup;
        return {
            id: project.id,
            description: null,
            name: project.name,
            name_with_namespace: `${group.name} / ${project.name}`,
            path: project.path,
            path_with_namespace: project.pathWithNamespace,
            created_at: "2025-01-01T00:00:00.000Z",
            default_branch: "main",
            visibility: "private",
            web_url: `${req.baseUrl}/${project.pathWithNamespace}`,
            namespace: {
                id: group.id,
                name: group.name,
                path: group.path,
                kind: "group",
                full_path: group.fullPath,
                parent_id: null,
                web_url: `${req.baseUrl}/groups/${group.fullPath}`,
            },
        };
    }

    private groupJson(id: number, req: SandboxRequest): Record<string, unknown> {
        const group = this.groups.get(id) as GlGroup;
        return {
            id: group.id,
            name: group.name,
            path: group.path,
            full_name: group.name,
            full_path: group.fullPath,
            description: "",
            visibility: "private",
            parent_id: null,
            web_url: `${req.baseUrl}/groups/${group.fullPath}`,
        };
    }

    private only(method: string, allowed: string, fn: () => SandboxResponse): SandboxResponse {
        return method === allowed ? fn() : methodNotAllowed();
    }
}

interface ListQuery {
    state: string | null;
    revoked: string | null;
    search: string | undefined;
    paging: Paging;
}

/** A listing's filters (`state`, `revoked`, `search`) and paging, or Grape's 400 about a bad one. */
function listQuery(req: SandboxRequest): ListQuery | { response: SandboxResponse } {
    const state = req.query.get("state");
    if (state !== null && state !== "active" && state !== "inactive") {
        return { response: json(400, { error: "state does not have a valid value" }) };
    }
    const revoked = req.query.get("revoked");
    if (revoked !== null && revoked !== "true" && revoked !== "false") {
        return { response: json(400, { error: "revoked is invalid" }) };
    }
    const paging = pagingParams(req);
    if ("response" in paging) {
        return paging;
    }
    return { state, revoked, search: req.query.get("search")?.toLowerCase(), paging };
}

/** A token create's common parameters, checked as Grape does (problems in GitLab's words). */
function tokenParams(
    p: Record<string, unknown>,
    allowedScopes: readonly string[],
): { problems: string[]; name: unknown; scopes: unknown; expires: string | undefined | "invalid" } {
    const problems: string[] = [];
    const { name, scopes, description } = p;
    if (name === undefined || name === null) {
        problems.push("name is missing");
    } else if (typeof name !== "string") {
        problems.push("name is invalid");
    }
    if (scopes === undefined || scopes === null) {
        problems.push("scopes is missing");
    } else if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === "string")) {
        problems.push("scopes is invalid");
    } else if (!scopes.every((s) => allowedScopes.includes(s))) {
        problems.push("scopes does not have a valid value");
    }
    const expires = dateParam(p.expires_at);
    if (expires === "invalid") {
        problems.push("expires_at is invalid");
    }
    if (description !== undefined && description !== null && typeof description !== "string") {
        problems.push("description is invalid");
    }
    return { problems, name, scopes, expires };
}

function versionBody(): Record<string, unknown> {
    return { version: "17.11.0-sandbox", revision: "sandbox", kas: { enabled: false }, enterprise: false };
}

function sameResource(a: { type: string; id: number } | undefined, b: { type: string; id: number }): boolean {
    return a !== undefined && a.type === b.type && a.id === b.id;
}

function forbidden(): SandboxResponse {
    return json(403, { message: "403 Forbidden" });
}

function unauthorized(): SandboxResponse {
    return json(401, { message: "401 Unauthorized" });
}

function invalidToken(description: string): SandboxResponse {
    return json(
        401,
        { error: "invalid_token", error_description: description },
        {
            "www-authenticate": `Bearer realm="Protected by OAuth 2.0", error="invalid_token", error_description="${description}"`,
        },
    );
}

function insufficientScope(scopes: string[]): SandboxResponse {
    const description = "The request requires higher privileges than provided by the access token.";
    return json(
        403,
        { error: "insufficient_scope", error_description: description, scope: scopes.join(" ") },
        {
            "www-authenticate": `Bearer realm="Protected by OAuth 2.0", error="insufficient_scope", error_description="${description}", scope="${scopes.join(" ")}"`,
        },
    );
}

function badRequest(message: string): SandboxResponse {
    return json(400, { message: `400 Bad request - ${message}` });
}

function methodNotAllowed(): SandboxResponse {
    return json(405, { error: "405 Not Allowed" });
}

/** Rails' `to_sentence`. */
function toSentence(parts: string[]): string {
    if (parts.length <= 1) {
        return parts[0] ?? "";
    }
    return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

/** Grape merges query parameters and the body (JSON or form). */
function gitlabParams(req: SandboxRequest): { value: Record<string, unknown> } | { response: SandboxResponse } {
    const parsed = parseBody(req);
    if (!parsed.ok) {
        return { response: json(400, { error: "message body does not match declared format" }) };
    }
    const fromQuery: Record<string, unknown> = {};
    for (const [key, value] of req.query) {
        if (key.endsWith("[]")) {
            const name = key.slice(0, -2);
            const list = fromQuery[name];
            fromQuery[name] = Array.isArray(list) ? [...list, value] : [value];
        } else if (key !== "private_token" && key !== "access_token") {
            fromQuery[key] = value;
        }
    }
    if (parsed.value === undefined) {
        return { value: fromQuery };
    }
    if (!isRecord(parsed.value)) {
        return { response: json(400, { error: "message body does not match declared format" }) };
    }
    return { value: { ...fromQuery, ...parsed.value } };
}

/** A rotation's optional `expires_at`, or Grape's 400 about a malformed body or date. */
function rotateExpiry(req: SandboxRequest): string | undefined | { response: SandboxResponse } {
    const params = gitlabParams(req);
    if ("response" in params) {
        return params;
    }
    const expires = dateParam(params.value.expires_at);
    return expires === "invalid" ? { response: json(400, { error: "expires_at is invalid" }) } : expires;
}

/** Grape's `type: Date`: `YYYY-MM-DD` (a date-time keeps its date part). */
function dateParam(value: unknown): string | undefined | "invalid" {
    if (value === undefined || value === null || value === "") {
        return undefined;
    }
    if (typeof value !== "string") {
        return "invalid";
    }
    const datePart = /^\d{4}-\d{2}-\d{2}(?:[T ].*)?$/.test(value) ? value.slice(0, 10) : value;
    return parseIsoDate(datePart) === undefined ? "invalid" : datePart;
}

interface Paging {
    page: number;
    perPage: number;
}

function pagingParams(req: SandboxRequest): Paging | { response: SandboxResponse } {
    const page = intParam(req.query.get("page"));
    const perPage = intParam(req.query.get("per_page"));
    if (page !== undefined && Number.isNaN(page)) {
        return { response: json(400, { error: "page is invalid" }) };
    }
    if (perPage !== undefined && Number.isNaN(perPage)) {
        return { response: json(400, { error: "per_page is invalid" }) };
    }
    return {
        page: page === undefined || page < 1 ? 1 : page,
        perPage: perPage === undefined || perPage < 1 ? 20 : Math.min(perPage, 100),
    };
}

/** Offset pagination with GitLab's headers: `Link`, `x-total`, `x-total-pages`, `x-page`, `x-per-page`, `x-next-page`, `x-prev-page`. */
function paginate<T>(all: T[], paging: Paging, req: SandboxRequest): { items: T[]; headers: Record<string, string> } {
    const { page, perPage } = paging;
    const total = all.length;
    const totalPages = Math.max(1, Math.ceil(total / perPage));
    const items = all.slice((page - 1) * perPage, page * perPage);
    const link = (p: number): string => {
        const params = new URLSearchParams(req.query);
        params.delete("private_token");
        params.delete("access_token");
        params.set("page", String(p));
        params.set("per_page", String(perPage));
        return `<${req.baseUrl}${req.path}?${params.toString()}>`;
    };
    const links: string[] = [];
    if (page > 1 && page <= totalPages) {
        links.push(`${link(page - 1)}; rel="prev"`);
    }
    if (page < totalPages) {
        links.push(`${link(page + 1)}; rel="next"`);
    }
    links.push(`${link(1)}; rel="first"`);
    links.push(`${link(totalPages)}; rel="last"`);
    return {
        items,
        headers: {
            link: links.join(", "),
            "x-total": String(total),
            "x-total-pages": String(totalPages),
            "x-page": String(page),
            "x-per-page": String(perPage),
            "x-next-page": page < totalPages ? String(page + 1) : "",
            "x-prev-page": page > 1 && page <= totalPages ? String(page - 1) : "",
        },
    };
}
