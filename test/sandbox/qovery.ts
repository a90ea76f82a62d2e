/**
 * Qovery API emulator: organization git tokens and organization API tokens. Shapes follow the OpenAPI
 * excerpts in /work/shared/specs; the stored git token is never returned, only readable through the
 * accessor, and an API token's value is answered once, by its create.
 *
 * API tokens: names are unique in the organization (409, as the excerpt documents); `role_id` must name one
 * of the seeded roles (400 otherwise: unconfirmed, the excerpt documents no body); a null `role_id` falls
 * back to the deprecated `scope: ADMIN` (the Admin role; unconfirmed). A made token's value authenticates
 * (`Token …`) with its role, and writes to git or API tokens need a role that manages organization setup
 * (Owner, Admin, DevOps), like Qovery's RBAC: 403 otherwise. Request properties the excerpt does not declare
 * are refused (400): stricter than Qovery may be, so that a client sending a wrong field is caught.
 *
 * Error bodies: the excerpt documents none. Qovery's own Terraform provider reads `status` and
 * `detail` from error bodies, so the sandbox answers RFC 7807-style problem objects
 * `{type, title, status, detail, instance}` (unconfirmed beyond those two fields).
 */
import { randomBytes } from "node:crypto";
import type { SandboxClock } from "./clock";
import { QOVERY_SEED } from "./seed";
import type { LiveToken, SandboxRequest, SandboxResponse, ServiceEmulator } from "./types";
import {
    empty,
    header,
    isRecord,
    type JsonValue,
    json,
    parseBody,
    reasonPhrase,
    snapshotPart,
    toSnapshotJson,
    UUID_PATTERN,
    uuid,
} from "./util";

export type QoveryGitProvider = "BITBUCKET" | "GITHUB" | "GITLAB";

export const QOVERY_GIT_PROVIDERS: readonly QoveryGitProvider[] = ["BITBUCKET", "GITHUB", "GITLAB"];

const DEFAULT_API_URLS: Record<QoveryGitProvider, string> = {
    BITBUCKET: "https://api.bitbucket.org",
    GITHUB: "https://api.github.com",
    GITLAB: "https://gitlab.com",
};

export interface QoveryAssociatedService {
    project_id: string;
    project_name: string;
    environment_id: string;
    environment_name: string;
    service_id: string;
    service_name: string;
    service_type: "APPLICATION" | "CRON" | "LIFECYCLE" | "HELM" | "TERRAFORM";
}

interface GitToken {
    id: string;
    name: string;
    description: string | undefined;
    type: QoveryGitProvider;
    /** The git provider's token: stored, never returned. */
    secret: string;
    workspace: string | undefined;
    gitApiUrl: string | undefined;
    createdAt: Date;
    updatedAt: Date;
    services: QoveryAssociatedService[];
}

export interface QoveryGitTokenView {
    id: string;
    name: string;
    description: string | null;
    type: QoveryGitProvider;
    workspace: string | null;
    gitApiUrl: string | null;
    createdAt: string;
    updatedAt: string;
    associatedServices: QoveryAssociatedService[];
}

export interface QoveryAccessor {
    findToken(id: string): QoveryGitTokenView | undefined;
    tokens(): QoveryGitTokenView[];
    /** The stored git provider token value (the API never returns it). */
    secretOf(id: string): string | undefined;
    /** Attach a fake service using the token (raises `associated_services_count`). Throws when unknown. */
    attachService(id: string, service?: Partial<QoveryAssociatedService>): QoveryAssociatedService;
    deleteToken(id: string): boolean;
    /** Organization API tokens (never their values). */
    apiTokens(): QoveryApiTokenView[];
    findApiToken(id: string): QoveryApiTokenView | undefined;
    /** Out-of-band delete of an API token. False when unknown. */
    deleteApiToken(id: string): boolean;
}

interface ApiToken {
    id: string;
    name: string;
    description: string | undefined;
    roleId: string;
    /** The value: answered by the create only, kept to authenticate its requests. */
    value: string;
    createdAt: Date;
}

export interface QoveryApiTokenView {
    id: string;
    name: string;
    description: string | null;
    roleId: string;
    roleName: string;
    createdAt: string;
}

type QoveryRole = (typeof QOVERY_SEED.roles)[keyof typeof QOVERY_SEED.roles];

const ROLES: readonly QoveryRole[] = Object.values(QOVERY_SEED.roles);
const OWNER_ROLE: QoveryRole = QOVERY_SEED.roles.owner;
const API_TOKEN_REQUEST_FIELDS = ["name", "description", "scope", "role_id"];

/** Finds the expiry (YYYY-MM-DD) of a git provider token, when the sandbox knows it. */
export type GitTokenExpiryLookup = (type: QoveryGitProvider, secret: string) => string | null | undefined;

export class QoveryEmulator implements ServiceEmulator {
    readonly name = "qovery" as const;
    private tokens = new Map<string, GitToken>();
    private apiTokens = new Map<string, ApiToken>();

    readonly accessor: QoveryAccessor = {
        findToken: (id) => this.view(this.tokens.get(id)),
        tokens: () => this.sorted().map((t) => this.view(t) as QoveryGitTokenView),
        secretOf: (id) => this.tokens.get(id)?.secret,
        attachService: (id, service = {}) => {
            const token = this.tokens.get(id);
            if (token === undefined) {
                throw new Error(`unknown qovery git token ${id}`);
            }
            const n = token.services.length + 1;
            const full: QoveryAssociatedService = {
                project_id: uuid(),
                project_name: "sandbox-project",
                environment_id: uuid(),
                environment_name: "production",
                service_id: uuid(),
                service_name: `sandbox-service-${n}`,
                service_type: "APPLICATION",
                ...service,
            };
            token.services.push(full);
            return { ...full };
        },
        deleteToken: (id) => this.tokens.delete(id),
        apiTokens: () => this.sortedApiTokens().map((t) => apiTokenView(t)),
        findApiToken: (id) => {
            const token = this.apiTokens.get(id);
            return token === undefined ? undefined : apiTokenView(token);
        },
        deleteApiToken: (id) => this.apiTokens.delete(id),
    };

    constructor(
        private readonly clock: SandboxClock,
        private readonly expiryLookup: GitTokenExpiryLookup = () => undefined,
    ) {}

    reset(): void {
        this.tokens.clear();
        this.apiTokens.clear();
    }

    liveTokens(): LiveToken[] {
        const owner = `organization:${QOVERY_SEED.organizationId}`;
        const gitTokens = this.sorted().map((t) => ({
            service: "qovery" as const,
            id: t.id,
            name: t.name,
            owner,
            createdAt: t.createdAt.toISOString(),
            expiresAt: this.expiredAt(t) ?? null,
            active: true,
        }));
        const apiTokens = this.sortedApiTokens().map((t) => ({
            service: "qovery" as const,
            id: t.id,
            name: t.name,
            owner,
            createdAt: t.createdAt.toISOString(),
            expiresAt: null,
            active: true,
        }));
        return [...gitTokens, ...apiTokens];
    }

    snapshotTokens(): JsonValue {
        return toSnapshotJson({ tokens: this.tokens, apiTokens: this.apiTokens });
    }

    restoreTokens(snapshot: unknown): void {
        const part = snapshotPart("qovery", snapshot);
        this.tokens = part.tokens as Map<string, GitToken>;
        this.apiTokens = (part.apiTokens as Map<string, ApiToken> | undefined) ?? new Map();
    }

    revokeOutOfBand(id: string): boolean {
        return this.tokens.delete(id) || this.apiTokens.delete(id);
    }

    errorResponse(status: number, req: SandboxRequest, message?: string): SandboxResponse {
        return problem(status, message ?? reasonPhrase(status), req);
    }

    handle(req: SandboxRequest): SandboxResponse {
        const [a, orgId, b, tokenId, c, ...extra] = req.segments;
        if (a !== "organization" || extra.length > 0) {
            return problem(404, "Resource not found", req);
        }
        const role = this.callerRole(req);
        if (role === undefined) {
            return problem(401, "Access token is missing or invalid", req);
        }
        if (orgId === undefined) {
            return req.method === "GET" ? json(200, { results: [orgJson()] }) : methodNotAllowed(req);
        }
        if (!UUID_PATTERN.test(orgId)) {
            return problem(400, `Invalid UUID string: ${orgId}`, req);
        }
        if (orgId !== QOVERY_SEED.organizationId) {
            return problem(404, `Organization ${orgId} not found`, req);
        }
        if (b === undefined) {
            return req.method === "GET" ? json(200, orgJson()) : methodNotAllowed(req);
        }
        if (req.method !== "GET" && (b === "gitToken" || b === "apiToken") && !role.managesSetup) {
            return problem(403, `Access forbidden: the ${role.name} role cannot manage organization setup`, req);
        }
        if (b === "apiToken") {
            return c === undefined ? this.handleApiTokens(req, tokenId) : problem(404, "Resource not found", req);
        }
        if (b !== "gitToken") {
            return problem(404, "Resource not found", req);
        }
        if (tokenId === undefined) {
            if (req.method === "GET") {
                return json(200, { results: this.sorted().map((t) => this.tokenJson(t)) });
            }
            if (req.method === "POST") {
                return this.create(req);
            }
            return methodNotAllowed(req);
        }
        if (!UUID_PATTERN.test(tokenId)) {
            return problem(400, `Invalid UUID string: ${tokenId}`, req);
        }
        const token = this.tokens.get(tokenId.toLowerCase());
        if (c !== undefined) {
            if (c !== "associatedServices") {
                return problem(404, "Resource not found", req);
            }
            if (req.method !== "GET") {
                return methodNotAllowed(req);
            }
            return token === undefined
                ? problem(404, `Git token ${tokenId} not found`, req)
                : json(200, { results: token.services.map((s) => ({ ...s })) });
        }
        if (token === undefined) {
            return ["GET", "PUT", "DELETE"].includes(req.method)
                ? problem(404, `Git token ${tokenId} not found`, req)
                : methodNotAllowed(req);
        }
        if (req.method === "GET") {
            return json(200, this.tokenJson(token));
        }
        if (req.method === "PUT") {
            return this.update(req, token);
        }
        if (req.method === "DELETE") {
            this.tokens.delete(token.id);
            return empty(204);
        }
        return methodNotAllowed(req);
    }

    private create(req: SandboxRequest): SandboxResponse {
        const input = validateGitTokenRequest(req);
        if ("response" in input) {
            return input.response;
        }
        const now = this.clock.now();
        const token: GitToken = { ...input.value, id: uuid(), createdAt: now, updatedAt: now, services: [] };
        this.tokens.set(token.id, token);
        return json(201, this.tokenJson(token));
    }

    private update(req: SandboxRequest, token: GitToken): SandboxResponse {
        const input = validateGitTokenRequest(req);
        if ("response" in input) {
            return input.response;
        }
        Object.assign(token, input.value, { updatedAt: this.clock.now() });
        return json(200, this.tokenJson(token));
    }

    /** `/organization/{id}/apiToken[/{apiTokenId}]`: list and create, delete; no read of one, no edit. */
    private handleApiTokens(req: SandboxRequest, tokenId: string | undefined): SandboxResponse {
        if (tokenId === undefined) {
            if (req.method === "GET") {
                const name = req.query.get("name");
                const listed = this.sortedApiTokens().filter((t) => name === null || t.name === name);
                return json(200, { results: listed.map((t) => apiTokenJson(t)) });
            }
            return req.method === "POST" ? this.createApiToken(req) : methodNotAllowed(req);
        }
        if (req.method !== "DELETE") {
            return methodNotAllowed(req);
        }
        if (!UUID_PATTERN.test(tokenId)) {
            return problem(400, `Invalid UUID string: ${tokenId}`, req);
        }
        return this.apiTokens.delete(tokenId.toLowerCase())
            ? empty(204)
            : problem(404, `Organization api token ${tokenId} not found`, req);
    }

    private createApiToken(req: SandboxRequest): SandboxResponse {
        const input = validateApiTokenRequest(req);
        if ("response" in input) {
            return input.response;
        }
        if ([...this.apiTokens.values()].some((t) => t.name === input.value.name)) {
            return problem(409, `Organization Api Token name is already taken: ${input.value.name}`, req);
        }
        const token: ApiToken = {
            ...input.value,
            id: uuid(),
            value: `qov_sandbox_${randomBytes(24).toString("hex")}`,
            createdAt: this.clock.now(),
        };
        this.apiTokens.set(token.id, token);
        return json(201, { ...apiTokenJson(token), token: token.value });
    }

    /** The role the request's credential acts with; undefined when it is missing or unknown (401). */
    private callerRole(req: SandboxRequest): QoveryRole | undefined {
        const authorization = header(req, "authorization")?.trim() ?? "";
        const match = /^(Token|Bearer)\s+(.+)$/i.exec(authorization);
        if (match === null) {
            return undefined;
        }
        const scheme = match[1]?.toLowerCase();
        const credential = match[2]?.trim();
        if (scheme === "bearer") {
            return credential === QOVERY_SEED.jwt ? OWNER_ROLE : undefined;
        }
        if (credential === QOVERY_SEED.apiToken) {
            return OWNER_ROLE;
        }
        const made = [...this.apiTokens.values()].find((t) => t.value === credential);
        return made === undefined ? undefined : ROLES.find((r) => r.id === made.roleId);
    }

    private sortedApiTokens(): ApiToken[] {
        return [...this.apiTokens.values()].sort(
            (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name),
        );
    }

    private sorted(): GitToken[] {
        return [...this.tokens.values()].sort(
            (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name),
        );
    }

    private expiredAt(token: GitToken): string | undefined {
        return this.expiryLookup(token.type, token.secret) ?? undefined;
    }

    private tokenJson(token: GitToken): Record<string, unknown> {
        const body: Record<string, unknown> = {
            id: token.id,
            created_at: token.createdAt.toISOString(),
            updated_at: token.updatedAt.toISOString(),
            name: token.name,
        };
        if (token.description !== undefined) {
            body.description = token.description;
        }
        body.type = token.type;
        const expiredAt = this.expiredAt(token);
        if (expiredAt !== undefined) {
            body.expired_at = expiredAt;
        }
        if (token.workspace !== undefined) {
            body.workspace = token.workspace;
        }
        body.git_api_url = token.gitApiUrl ?? DEFAULT_API_URLS[token.type];
        body.associated_services_count = token.services.length;
        return body;
    }

    private view(token: GitToken | undefined): QoveryGitTokenView | undefined {
        if (token === undefined) {
            return undefined;
        }
        return {
            id: token.id,
            name: token.name,
            description: token.description ?? null,
            type: token.type,
            workspace: token.workspace ?? null,
            gitApiUrl: token.gitApiUrl ?? null,
            createdAt: token.createdAt.toISOString(),
            updatedAt: token.updatedAt.toISOString(),
            associatedServices: token.services.map((s) => ({ ...s })),
        };
    }
}

type GitTokenInput = Pick<GitToken, "name" | "description" | "type" | "secret" | "workspace" | "gitApiUrl">;

function validateGitTokenRequest(req: SandboxRequest): { value: GitTokenInput } | { response: SandboxResponse } {
    const parsed = parseBody(req);
    if (!parsed.ok) {
        return { response: problem(400, `Malformed JSON body: ${parsed.error}`, req) };
    }
    if (!isRecord(parsed.value)) {
        return { response: problem(400, "Request body must be a GitTokenRequest JSON object", req) };
    }
    const { name, description, type, token, workspace, git_api_url } = parsed.value;
    const problems: string[] = [];
    if (typeof name !== "string" || name.trim() === "") {
        problems.push("name is required");
    }
    if (typeof type !== "string" || !(QOVERY_GIT_PROVIDERS as readonly string[]).includes(type)) {
        problems.push(`type must be one of ${QOVERY_GIT_PROVIDERS.join(", ")}`);
    }
    if (typeof token !== "string" || token.trim() === "") {
        problems.push("token is required");
    }
    if (description !== undefined && description !== null && typeof description !== "string") {
        problems.push("description must be a string");
    }
    if (workspace !== undefined && workspace !== null && typeof workspace !== "string") {
        problems.push("workspace must be a string");
    }
    if (type === "BITBUCKET" && (typeof workspace !== "string" || workspace.trim() === "")) {
        problems.push("workspace is required for BITBUCKET git tokens");
    }
    if (git_api_url !== undefined && git_api_url !== null && !isHttpUrl(git_api_url)) {
        problems.push("git_api_url must be an absolute http(s) URL");
    }
    if (problems.length > 0) {
        return { response: problem(400, problems.join("; "), req) };
    }
    return {
        value: {
            name: name as string,
            description: typeof description === "string" ? description : undefined,
            type: type as QoveryGitProvider,
            secret: token as string,
            workspace: typeof workspace === "string" && workspace !== "" ? workspace : undefined,
            gitApiUrl: typeof git_api_url === "string" ? git_api_url : undefined,
        },
    };
}

type ApiTokenInput = Pick<ApiToken, "name" | "description" | "roleId">;

/** `OrganizationApiTokenCreateRequest`: `name` and `role_id` required (`role_id` nullable), nothing undeclared. */
function validateApiTokenRequest(req: SandboxRequest): { value: ApiTokenInput } | { response: SandboxResponse } {
    const parsed = parseBody(req);
    if (!parsed.ok) {
        return { response: problem(400, `Malformed JSON body: ${parsed.error}`, req) };
    }
    if (!isRecord(parsed.value)) {
        return { response: problem(400, "Request body must be an OrganizationApiTokenCreateRequest JSON object", req) };
    }
    const body = parsed.value;
    const { name, description, scope, role_id } = body;
    const problems = Object.keys(body)
        .filter((key) => !API_TOKEN_REQUEST_FIELDS.includes(key))
        .map((key) => `unknown property ${key}`);
    if (typeof name !== "string" || name.trim() === "") {
        problems.push("name is required");
    }
    if (description !== undefined && typeof description !== "string") {
        problems.push("description must be a string");
    }
    if (scope !== undefined && scope !== null && scope !== "ADMIN") {
        problems.push("scope must be ADMIN (deprecated)");
    }
    let role: QoveryRole | undefined;
    if (!("role_id" in body)) {
        problems.push("role_id is required");
    } else if (role_id === null) {
        role = QOVERY_SEED.roles.admin; // The deprecated `scope: ADMIN`.
    } else if (typeof role_id !== "string" || !UUID_PATTERN.test(role_id)) {
        problems.push("role_id must be a UUID");
    } else {
        role = ROLES.find((r) => r.id === role_id.toLowerCase());
        if (role === undefined) {
            problems.push(`role_id ${role_id} is not a role of the organization`);
        }
    }
    if (problems.length > 0 || role === undefined) {
        return { response: problem(400, problems.join("; "), req) };
    }
    return {
        value: {
            name: name as string,
            description: typeof description === "string" ? description : undefined,
            roleId: role.id,
        },
    };
}

function apiTokenJson(token: ApiToken): Record<string, unknown> {
    const role = ROLES.find((r) => r.id === token.roleId);
    const body: Record<string, unknown> = {
        id: token.id,
        created_at: token.createdAt.toISOString(),
        updated_at: token.createdAt.toISOString(),
        name: token.name,
    };
    if (token.description !== undefined) {
        body.description = token.description;
    }
    body.role_name = role?.name ?? "";
    body.role_id = token.roleId;
    return body;
}

function apiTokenView(token: ApiToken): QoveryApiTokenView {
    return {
        id: token.id,
        name: token.name,
        description: token.description ?? null,
        roleId: token.roleId,
        roleName: ROLES.find((r) => r.id === token.roleId)?.name ?? "",
        createdAt: token.createdAt.toISOString(),
    };
}

function isHttpUrl(value: unknown): boolean {
    if (typeof value !== "string") {
        return false;
    }
    try {
        const url = new URL(value);
        return url.protocol === "http:" || url.protocol === "https:";
    } catch {
        return false;
    }
}

function orgJson(): Record<string, unknown> {
    return {
        id: QOVERY_SEED.organizationId,
        created_at: "2025-01-01T00:00:00.000Z",
        name: QOVERY_SEED.organizationName,
        plan: "TEAM",
    };
}

function problem(status: number, detail: string, req: SandboxRequest): SandboxResponse {
    return json(status, {
        type: "about:blank",
        title: reasonPhrase(status),
        status,
        detail,
        instance: req.path,
    });
}

function methodNotAllowed(req: SandboxRequest): SandboxResponse {
    return problem(405, `Method ${req.method} not allowed`, req);
}
