/**
 * Codacy API v3 emulator: repository API tokens and the organization repository list
 * (cursor pagination, Bitbucket quirks). Shapes follow the Swagger 2.0 document and the
 * v3.1 OpenAPI description in /work/shared/specs.
 */
import type { SandboxClock } from "./clock";
import { CODACY_SEED, codacyGithubRepositoryNames } from "./seed";
import type { LiveToken, SandboxRequest, SandboxResponse, ServiceEmulator } from "./types";
import {
    empty,
    header,
    intParam,
    isRecord,
    type JsonValue,
    json,
    parseBody,
    randomHex,
    reasonPhrase,
    snapshotPart,
    toSnapshotJson,
} from "./util";

export const CODACY_PROVIDERS: readonly string[] = ["gh", "ghe", "gl", "gle", "bb", "bbe"];

const ERROR_NAMES: Record<number, string> = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    422: "UnprocessableEntity",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
};

interface CodacyOrg {
    provider: string;
    name: string;
    repositories: Array<{ id: number; name: string }>;
    bitbucket: boolean;
}

interface CodacyToken {
    id: number;
    provider: string;
    organization: string;
    repository: string;
    value: string;
    createdAt: Date;
    expiresAt: Date | null;
}

export interface CodacyTokenView {
    id: number;
    provider: string;
    organization: string;
    repository: string;
    /** The secret. */
    value: string;
    createdAt: string;
    expiresAt: string | null;
    expired: boolean;
}

export interface CodacyAccessor {
    findToken(id: number): CodacyTokenView | undefined;
    /** Tokens, optionally of one repository, in id order (expired ones included). */
    tokens(filter?: { provider?: string; organization?: string; repository?: string }): CodacyTokenView[];
    deleteToken(id: number): boolean;
    /** Insert a token directly (e.g. one that is already expired). Throws on an unknown repository. */
    insertToken(provider: string, organization: string, repository: string, expiresAt?: Date | null): CodacyTokenView;
}

export class CodacyEmulator implements ServiceEmulator {
    readonly name = "codacy" as const;
    private orgs = new Map<string, CodacyOrg>();
    private tokens = new Map<number, CodacyToken>();
    private nextTokenId = 5001;

    readonly accessor: CodacyAccessor = {
        findToken: (id) => this.view(this.tokens.get(id)),
        tokens: (filter = {}) =>
            [...this.tokens.values()]
                .filter(
                    (t) =>
                        (filter.provider === undefined || t.provider === filter.provider) &&
                        (filter.organization === undefined || t.organization === filter.organization) &&
                        (filter.repository === undefined || t.repository === filter.repository),
                )
                .sort((a, b) => a.id - b.id)
                .map((t) => this.view(t) as CodacyTokenView),
        deleteToken: (id) => this.tokens.delete(id),
        insertToken: (provider, organization, repository, expiresAt = null) => {
            const org = this.orgs.get(`${provider}/${organization}`);
            if (org === undefined || !org.repositories.some((r) => r.name === repository)) {
                throw new Error(`unknown codacy repository ${provider}/${organization}/${repository}`);
            }
            return this.view(this.newToken(provider, organization, repository, expiresAt)) as CodacyTokenView;
        },
    };

    constructor(
        private readonly clock: SandboxClock,
        private readonly githubRepositoryCount: number,
    ) {
        this.reset();
    }

    reset(): void {
        this.orgs.clear();
        this.tokens.clear();
        this.nextTokenId = 5001;
        let repoId = 70001;
        const gh = CODACY_SEED.github;
        this.orgs.set(`${gh.provider}/${gh.organization}`, {
            provider: gh.provider,
            name: gh.organization,
            repositories: codacyGithubRepositoryNames(this.githubRepositoryCount).map((name) => ({
                id: repoId++,
                name,
            })),
            bitbucket: false,
        });
        const bb = CODACY_SEED.bitbucket;
        this.orgs.set(`${bb.provider}/${bb.organization}`, {
            provider: bb.provider,
            name: bb.organization,
            repositories: bb.repositories.map((name) => ({ id: repoId++, name })),
            bitbucket: true,
        });
    }

    liveTokens(): LiveToken[] {
        return [...this.tokens.values()]
            .sort((a, b) => a.id - b.id)
            .map((t) => ({
                service: "codacy" as const,
                id: String(t.id),
                name: `${t.provider}/${t.organization}/${t.repository}#${t.id}`,
                owner: `${t.provider}/${t.organization}/${t.repository}`,
                createdAt: t.createdAt.toISOString(),
                expiresAt: t.expiresAt?.toISOString() ?? null,
                active: !this.isExpired(t),
            }));
    }

    snapshotTokens(): JsonValue {
        return toSnapshotJson({ tokens: this.tokens, nextTokenId: this.nextTokenId });
    }

    restoreTokens(snapshot: unknown): void {
        const part = snapshotPart("codacy", snapshot);
        this.tokens = part.tokens as Map<number, CodacyToken>;
        this.nextTokenId = part.nextTokenId as number;
    }

    revokeOutOfBand(id: string): boolean {
        return /^\d+$/.test(id) && this.tokens.delete(Number(id));
    }

    errorResponse(status: number, _req: SandboxRequest, message?: string): SandboxResponse {
        return codacyError(status, message ?? reasonPhrase(status));
    }

    handle(req: SandboxRequest): SandboxResponse {
        const seg = req.segments;
        if (seg[0] !== "api" || seg[1] !== "v3") {
            return codacyError(404, "Resource not found");
        }
        const [a, provider, orgName, b, repoName, c, tokenId, ...extra] = seg.slice(2);
        if (a !== "organizations" || provider === undefined || orgName === undefined || b !== "repositories") {
            return codacyError(404, "Resource not found");
        }
        if (extra.length > 0 || (repoName !== undefined && c !== "tokens")) {
            return codacyError(404, "Resource not found");
        }
        if (header(req, "api-token") !== CODACY_SEED.apiToken) {
            return codacyError(401, "Unauthorized: missing or invalid api-token");
        }
        if (!CODACY_PROVIDERS.includes(provider)) {
            return codacyError(400, `Invalid provider: ${provider}`);
        }
        const org = this.orgs.get(`${provider}/${orgName}`);
        if (org === undefined) {
            return codacyError(404, `Organization ${provider}/${orgName} not found`);
        }
        if (repoName === undefined) {
            return req.method === "GET" ? this.listRepositories(req, org) : methodNotAllowed();
        }
        if (!org.repositories.some((r) => r.name === repoName)) {
            return codacyError(404, `Repository ${provider}/${orgName}/${repoName} not found`);
        }
        if (tokenId === undefined) {
            if (req.method === "GET") {
                return this.listTokens(org, repoName);
            }
            if (req.method === "POST") {
                return this.createToken(req, org, repoName);
            }
            return methodNotAllowed();
        }
        if (req.method !== "DELETE") {
            return methodNotAllowed();
        }
        return this.deleteToken(org, repoName, tokenId);
    }

    // ----- endpoints -----

    private listRepositories(req: SandboxRequest, org: CodacyOrg): SandboxResponse {
        const limitParam = intParam(req.query.get("limit"));
        if (limitParam !== undefined && (Number.isNaN(limitParam) || limitParam < 1 || limitParam > 100)) {
            return codacyError(400, "Invalid limit: must be an integer between 1 and 100");
        }
        const limit = limitParam ?? 100;
        const cursor = req.query.get("cursor");
        let offset = 0;
        if (cursor !== null && cursor !== "") {
            const decoded = decodeCursor(cursor, org.bitbucket);
            if (decoded === undefined) {
                return codacyError(400, `Invalid pagination cursor: ${cursor}`);
            }
            offset = decoded;
        }
        const search = req.query.get("search")?.toLowerCase();
        const repos = org.repositories.filter((r) => search === undefined || r.name.toLowerCase().includes(search));
        // Bitbucket quirk: the first page holds one item more than asked for.
        const pageSize = org.bitbucket && offset === 0 ? limit + 1 : limit;
        const page = repos.slice(offset, offset + pageSize);
        const next = offset + page.length;
        const pagination: Record<string, unknown> = { limit, total: repos.length };
        if (next < repos.length) {
            pagination.cursor = encodeCursor(next, org.bitbucket);
        }
        return json(200, {
            data: page.map((r) => repositoryJson(org, r)),
            pagination,
        });
    }

    private listTokens(org: CodacyOrg, repo: string): SandboxResponse {
        const data = [...this.tokens.values()]
            .filter((t) => t.provider === org.provider && t.organization === org.name && t.repository === repo)
            .sort((a, b) => a.id - b.id)
            .map((t) => tokenJson(t));
        return json(200, { data });
    }

    private createToken(req: SandboxRequest, org: CodacyOrg, repo: string): SandboxResponse {
        const parsed = parseBody(req);
        if (!parsed.ok) {
            return codacyError(400, "Invalid JSON body");
        }
        let expiresAt: Date | null = null;
        if (parsed.value !== undefined) {
            if (!isRecord(parsed.value)) {
                return codacyError(400, "Invalid body: expected a JSON object");
            }
            const raw = parsed.value.expiresAt;
            if (raw !== undefined && raw !== null) {
                const time = typeof raw === "string" && isDateTime(raw) ? Date.parse(raw) : Number.NaN;
                if (Number.isNaN(time)) {
                    return codacyError(400, "Invalid expiresAt: expected an ISO 8601 date-time");
                }
                if (time <= this.clock.now().getTime()) {
                    return codacyError(400, "Invalid expiresAt: must be in the future");
                }
                expiresAt = new Date(time);
            }
        }
        const token = this.newToken(org.provider, org.name, repo, expiresAt);
        return json(201, { data: tokenJson(token) });
    }

    private deleteToken(org: CodacyOrg, repo: string, rawId: string): SandboxResponse {
        if (!/^\d+$/.test(rawId)) {
            return codacyError(400, `Invalid tokenId: ${rawId}`);
        }
        const token = this.tokens.get(Number(rawId));
        if (
            token === undefined ||
            token.provider !== org.provider ||
            token.organization !== org.name ||
            token.repository !== repo
        ) {
            return codacyError(404, `API token ${rawId} not found`);
        }
        this.tokens.delete(token.id);
        return empty(204);
    }

    // ----- model -----

    private newToken(provider: string, organization: string, repository: string, expiresAt: Date | null): CodacyToken {
        const token: CodacyToken = {
            id: this.nextTokenId++,
            provider,
            organization,
            repository,
            value: randomHex(32),
            createdAt: this.clock.now(),
            expiresAt,
        };
        this.tokens.set(token.id, token);
        return token;
    }

    private isExpired(token: CodacyToken): boolean {
        return token.expiresAt !== null && token.expiresAt.getTime() <= this.clock.now().getTime();
    }

    private view(token: CodacyToken | undefined): CodacyTokenView | undefined {
        if (token === undefined) {
            return undefined;
        }
        return {
            id: token.id,
            provider: token.provider,
            organization: token.organization,
            repository: token.repository,
            value: token.value,
            createdAt: token.createdAt.toISOString(),
            expiresAt: token.expiresAt?.toISOString() ?? null,
            expired: this.isExpired(token),
        };
    }
}

function tokenJson(token: CodacyToken): Record<string, unknown> {
    const body: Record<string, unknown> = { id: token.id, token: token.value };
    if (token.expiresAt !== null) {
        body.expiresAt = token.expiresAt.toISOString();
    }
    return body;
}

function repositoryJson(org: CodacyOrg, repo: { id: number; name: string }): Record<string, unknown> {
    const badge = `https://app.codacy.invalid/project/badge`;
    return {
        repositoryId: repo.id,
        provider: org.provider,
        owner: org.name,
        name: repo.name,
        fullPath: `${org.name}/${repo.name}`,
        visibility: "Private",
        remoteIdentifier: String(repo.id),
        lastUpdated: "2025-01-01T00:00:00.000Z",
        permission: "admin",
        problems: [],
        languages: ["TypeScript"],
        defaultBranch: { id: repo.id, name: "main", isDefault: true, isEnabled: true, branchType: "Branch" },
        badges: { grade: `${badge}/Grade/${repo.id}`, coverage: `${badge}/Coverage/${repo.id}` },
        codingStandardId: 1,
        codingStandardName: "Default",
        standards: [{ id: 1, name: "Default" }],
        addedState: "Added",
    };
}

/** Codacy's `ApiError` shape; 401 also carries `code` (required by the v3.1 description). */
export function codacyError(status: number, message: string): SandboxResponse {
    const error = ERROR_NAMES[status] ?? reasonPhrase(status).replace(/\s+/g, "");
    const body: Record<string, unknown> = { message, actions: [], error };
    if (status === 401) {
        body.code = "Unauthorized";
    }
    return json(status, body);
}

function methodNotAllowed(): SandboxResponse {
    return codacyError(405, "Method not allowed");
}

/** GitHub cursors: base64 of an offset. Bitbucket cursors contain `+`, `/` and `=` on purpose. */
function encodeCursor(offset: number, bitbucket: boolean): string {
    return bitbucket ? `Yms+${offset}/Pg==` : Buffer.from(`gh-offset:${offset}`).toString("base64");
}

function decodeCursor(cursor: string, bitbucket: boolean): number | undefined {
    const match = bitbucket
        ? /^Yms\+(\d+)\/Pg==$/.exec(cursor)
        : /^gh-offset:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
    return match?.[1] === undefined ? undefined : Number(match[1]);
}

function isDateTime(value: string): boolean {
    return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value);
}
