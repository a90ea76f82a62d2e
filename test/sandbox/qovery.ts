/**
 * Qovery API emulator: organization git tokens. Shapes follow the OpenAPI excerpt in
 * /work/shared/specs; the stored git token is never returned, only readable through the accessor.
 *
 * Error bodies: the excerpt documents none. Qovery's own Terraform provider reads `status` and
 * `detail` from error bodies, so the sandbox answers RFC 7807-style problem objects
 * `{type, title, status, detail, instance}` (unconfirmed beyond those two fields).
 */
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
}

/** Finds the expiry (YYYY-MM-DD) of a git provider token, when the sandbox knows it. */
export type GitTokenExpiryLookup = (type: QoveryGitProvider, secret: string) => string | null | undefined;

export class QoveryEmulator implements ServiceEmulator {
    readonly name = "qovery" as const;
    private tokens = new Map<string, GitToken>();

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
    };

    constructor(
        private readonly clock: SandboxClock,
        private readonly expiryLookup: GitTokenExpiryLookup = () => undefined,
    ) {}

    reset(): void {
        this.tokens.clear();
    }

    liveTokens(): LiveToken[] {
        return this.sorted().map((t) => ({
            service: "qovery" as const,
            id: t.id,
            name: t.name,
            owner: `organization:${QOVERY_SEED.organizationId}`,
            createdAt: t.createdAt.toISOString(),
            expiresAt: this.expiredAt(t) ?? null,
            active: true,
        }));
    }

    snapshotTokens(): JsonValue {
        return toSnapshotJson({ tokens: this.tokens });
    }

    restoreTokens(snapshot: unknown): void {
        this.tokens = snapshotPart("qovery", snapshot).tokens as Map<string, GitToken>;
    }

    revokeOutOfBand(id: string): boolean {
        return this.tokens.delete(id);
    }

    errorResponse(status: number, req: SandboxRequest, message?: string): SandboxResponse {
        return problem(status, message ?? reasonPhrase(status), req);
    }

    handle(req: SandboxRequest): SandboxResponse {
        const [a, orgId, b, tokenId, c, ...extra] = req.segments;
        if (a !== "organization" || extra.length > 0) {
            return problem(404, "Resource not found", req);
        }
        if (!this.authenticated(req)) {
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

    private authenticated(req: SandboxRequest): boolean {
        const authorization = header(req, "authorization")?.trim() ?? "";
        const match = /^(Token|Bearer)\s+(.+)$/i.exec(authorization);
        if (match === null) {
            return false;
        }
        const scheme = match[1]?.toLowerCase();
        const credential = match[2]?.trim();
        return scheme === "token" ? credential === QOVERY_SEED.apiToken : credential === QOVERY_SEED.jwt;
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
