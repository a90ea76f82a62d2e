/**
 * Gitea API v1 emulator: user access tokens (+ `/version`, `/user`, `/users/{username}`).
 * Aligned with test/support/gitea-facts.md (observed on a real Gitea 1.26.0): middleware order
 * auth → token scope → user lookup → self-or-admin → Basic-auth-only → body binding → handler.
 */
import type { SandboxClock } from "./clock";
import { GITEA_SEED } from "./seed";
import type { LiveToken, SandboxRequest, SandboxResponse, ServiceEmulator } from "./types";
import { empty, header, intParam, json, parseBody, randomHex, reasonPhrase } from "./util";

/** Scope categories, in Gitea's order (it matters for the normalised scope string). */
export const GITEA_SCOPE_CATEGORIES: readonly string[] = [
    "activitypub",
    "admin",
    "misc",
    "notification",
    "organization",
    "package",
    "issue",
    "repository",
    "user",
];

const ALL_WRITE = GITEA_SCOPE_CATEGORIES.map((c) => `write:${c}`).join(",");

/**
 * Gitea's `AccessTokenScope.Normalize()`: joins the list with commas, drops empty entries and `sudo`,
 * folds `read:X` into `write:X`, and writes every `write:*` as `all`.
 */
export function normalizeGiteaScopes(
    scopes: readonly string[],
): { ok: true; scope: string } | { ok: false; error: string } {
    const read = new Set<string>();
    const write = new Set<string>();
    let publicOnly = false;
    for (const raw of scopes.join(",").split(",")) {
        if (raw === "") {
            continue;
        }
        if (raw === "all") {
            for (const c of GITEA_SCOPE_CATEGORIES) {
                write.add(c);
            }
            continue;
        }
        if (raw === "public-only") {
            publicOnly = true;
            continue;
        }
        const match = /^(read|write):(.+)$/.exec(raw);
        const category = match?.[2];
        if (match === null || category === undefined || !GITEA_SCOPE_CATEGORIES.includes(category)) {
            return { ok: false, error: `invalid access token scope: ${raw}` };
        }
        (match[1] === "write" ? write : read).add(category);
    }
    const parts: string[] = publicOnly ? ["public-only"] : [];
    for (const c of GITEA_SCOPE_CATEGORIES) {
        if (write.has(c)) {
            parts.push(`write:${c}`);
        } else if (read.has(c)) {
            parts.push(`read:${c}`);
        }
    }
    return { ok: true, scope: parts.join(",").replace(ALL_WRITE, "all") };
}

function scopeAllows(scope: string, category: string, level: "read" | "write"): boolean {
    const parts = scope.split(",");
    if (parts.includes("all") || parts.includes(`write:${category}`)) {
        return true;
    }
    return level === "read" && parts.includes(`read:${category}`);
}

interface GtUser {
    id: number;
    username: string;
    password: string;
    admin: boolean;
    otp: string | undefined;
}

interface GtToken {
    id: number;
    userId: number;
    name: string;
    value: string;
    /** Normalised, comma-separated. */
    scope: string;
    createdAt: Date;
    /** Gitea's `updated_unix`: the creation time at first, bumped when the token authenticates. */
    lastUsedAt: Date;
}

export interface GiteaTokenView {
    id: number;
    name: string;
    username: string;
    /** The secret (`sha1`). */
    value: string;
    scopes: string[];
    createdAt: string;
    lastUsedAt: string;
}

export interface GiteaAccessor {
    findToken(id: number): GiteaTokenView | undefined;
    findTokenByValue(value: string): GiteaTokenView | undefined;
    /** Tokens of one user (or all), in Gitea's list order (newest second first, then ascending id). */
    tokens(username?: string): GiteaTokenView[];
    /** Delete out of band. False when unknown. */
    deleteToken(id: number): boolean;
    /**
     * Insert a token directly, skipping Gitea's unique-name check (to build an ambiguous name).
     * Throws on an unknown user or an invalid scope.
     */
    insertToken(username: string, name: string, scopes: string[]): GiteaTokenView;
}

type GtAuth =
    | { kind: "anonymous" }
    | { kind: "basic"; user: GtUser }
    | { kind: "token"; user: GtUser; token: GtToken; viaBasic: boolean }
    | { kind: "error"; response: SandboxResponse };

export class GiteaEmulator implements ServiceEmulator {
    readonly name = "gitea" as const;
    private users = new Map<number, GtUser>();
    private tokens = new Map<number, GtToken>();
    private nextTokenId = 1;

    readonly accessor: GiteaAccessor = {
        findToken: (id) => this.view(this.tokens.get(id)),
        findTokenByValue: (value) => this.view(this.byValue(value)),
        tokens: (username) => {
            const user = username === undefined ? undefined : this.userByName(username);
            if (username !== undefined && user === undefined) {
                return [];
            }
            return this.tokensOf(user?.id).map((t) => this.view(t) as GiteaTokenView);
        },
        deleteToken: (id) => this.tokens.delete(id),
        insertToken: (username, name, scopes) => {
            const user = this.userByName(username);
            if (user === undefined) {
                throw new Error(`unknown gitea user ${username}`);
            }
            const normalized = normalizeGiteaScopes(scopes);
            if (!normalized.ok) {
                throw new Error(normalized.error);
            }
            return this.view(this.newToken(user, name, normalized.scope)) as GiteaTokenView;
        },
    };

    constructor(private readonly clock: SandboxClock) {
        this.reset();
    }

    reset(): void {
        this.users.clear();
        this.tokens.clear();
        this.nextTokenId = 1;
        for (const u of Object.values(GITEA_SEED.users)) {
            this.users.set(u.id, { id: u.id, username: u.username, password: u.password, admin: u.admin, otp: u.otp });
        }
    }

    liveTokens(): LiveToken[] {
        return [...this.tokens.values()]
            .sort((a, b) => a.id - b.id)
            .map((t) => ({
                service: "gitea" as const,
                id: String(t.id),
                name: t.name,
                owner: `user:${this.users.get(t.userId)?.username ?? "?"}`,
                createdAt: t.createdAt.toISOString(),
                expiresAt: null,
                active: true,
            }));
    }

    revokeOutOfBand(id: string): boolean {
        return /^\d+$/.test(id) && this.tokens.delete(Number(id));
    }

    errorResponse(status: number, req: SandboxRequest, message?: string): SandboxResponse {
        return apiError(req, status, message ?? reasonPhrase(status));
    }

    handle(req: SandboxRequest): SandboxResponse {
        const seg = req.segments;
        if (seg[0] !== "api" || seg[1] !== "v1") {
            return notFound(req);
        }
        const auth = this.authenticate(req);
        if (auth.kind === "error") {
            return auth.response;
        }
        const rest = seg.slice(2);
        const [a, b, c, d] = rest;
        const m = req.method;
        if (rest.length === 1 && a === "version") {
            return m === "GET" ? giteaJson(200, { version: GITEA_SEED.version }) : methodNotAllowed(req);
        }
        if (rest.length === 1 && a === "user") {
            if (m !== "GET") {
                return methodNotAllowed(req);
            }
            const scoped = this.requireTokenScope(req, auth, "user");
            if (scoped !== undefined) {
                return scoped;
            }
            if (auth.kind === "anonymous") {
                return apiError(req, 401, "token is required");
            }
            return giteaJson(200, this.userJson(auth.user, req));
        }
        if (a !== "users" || b === undefined) {
            return notFound(req);
        }
        if (rest.length === 2) {
            if (m !== "GET") {
                return methodNotAllowed(req);
            }
            const scoped = this.requireTokenScope(req, auth, "user");
            if (scoped !== undefined) {
                return scoped;
            }
            const user = this.userByName(b);
            return user === undefined ? userNotFound(req, b) : giteaJson(200, this.userJson(user, req));
        }
        if (c !== "tokens" || rest.length > 4) {
            return notFound(req);
        }
        if (rest.length === 3 && m !== "GET" && m !== "POST") {
            return methodNotAllowed(req);
        }
        if (rest.length === 4 && m !== "DELETE") {
            return methodNotAllowed(req);
        }
        // tokenRequiresScopes(user) → UserAssignmentAPI → reqSelfOrAdmin → reqBasicOrRevProxyAuth
        const scoped = this.requireTokenScope(req, auth, "user");
        if (scoped !== undefined) {
            return scoped;
        }
        const contextUser = this.userByName(b);
        if (contextUser === undefined) {
            return userNotFound(req, b);
        }
        const doer = auth.kind === "anonymous" ? undefined : auth.user;
        if (!(doer?.admin ?? false) && doer?.id !== contextUser.id) {
            return apiError(req, 403, "doer should be the site admin or be same as the contextUser");
        }
        const isBasic = auth.kind === "basic" || (auth.kind === "token" && auth.viaBasic);
        if (!isBasic) {
            return apiError(req, 401, "auth required");
        }
        if (rest.length === 4 && d !== undefined) {
            return this.deleteToken(req, contextUser, d);
        }
        return m === "GET" ? this.listTokens(req, contextUser) : this.createToken(req, contextUser);
    }

    // ----- endpoints -----

    private listTokens(req: SandboxRequest, user: GtUser): SandboxResponse {
        const pageParam = intParam(req.query.get("page"));
        const limitParam = intParam(req.query.get("limit"));
        const page = pageParam === undefined || Number.isNaN(pageParam) || pageParam < 1 ? 1 : pageParam;
        let limit = limitParam === undefined || Number.isNaN(limitParam) || limitParam < 1 ? 30 : limitParam;
        limit = Math.min(limit, 50);
        const all = this.tokensOf(user.id);
        const items = all.slice((page - 1) * limit, page * limit);
        return giteaJson(
            200,
            items.map((t) => this.tokenJson(t, false)),
            { "x-total-count": String(all.length), "access-control-expose-headers": "X-Total-Count" },
        );
    }

    private createToken(req: SandboxRequest, user: GtUser): SandboxResponse {
        const parsed = parseBody(req);
        if (!parsed.ok) {
            return apiError(req, 422, `[]: ${parsed.error}`);
        }
        const body = parsed.value ?? {};
        if (typeof body !== "object" || body === null || Array.isArray(body)) {
            return apiError(
                req,
                422,
                `[]: json: cannot unmarshal ${goJsonType(body)} into Go value of type structs.CreateAccessTokenOption`,
            );
        }
        const { name, scopes } = body as { name?: unknown; scopes?: unknown };
        if (name !== undefined && name !== null && typeof name !== "string") {
            return apiError(
                req,
                422,
                `[]: json: cannot unmarshal ${goJsonType(name)} into Go struct field CreateAccessTokenOption.name of type string`,
            );
        }
        if (
            scopes !== undefined &&
            scopes !== null &&
            !(Array.isArray(scopes) && scopes.every((s) => typeof s === "string"))
        ) {
            return apiError(
                req,
                422,
                `[]: json: cannot unmarshal ${goJsonType(scopes)} into Go struct field CreateAccessTokenOption.scopes of type []string`,
            );
        }
        if (typeof name !== "string" || name === "") {
            return apiError(req, 422, "[Name]: Required");
        }
        if (this.tokensOf(user.id).some((t) => t.name === name)) {
            return apiError(req, 400, "access token name has been used already");
        }
        const normalized = normalizeGiteaScopes(Array.isArray(scopes) ? (scopes as string[]) : []);
        if (!normalized.ok) {
            return apiError(req, 400, `invalid access token scope provided: ${normalized.error}`);
        }
        if (normalized.scope === "") {
            return apiError(req, 400, "access token must have a scope");
        }
        const token = this.newToken(user, name, normalized.scope);
        return giteaJson(201, this.tokenJson(token, true));
    }

    private deleteToken(req: SandboxRequest, user: GtUser, ref: string): SandboxResponse {
        // strconv.ParseInt(ref, 0, 64): anything that parses as a non-zero integer is an id.
        let id = goParseIntBase0(ref) ?? 0;
        if (id === 0) {
            const matches = this.tokensOf(user.id).filter((t) => t.name === ref);
            if (matches.length === 0) {
                return notFound(req);
            }
            if (matches.length > 1) {
                return apiError(req, 422, `multiple matches for token name '${ref}'`);
            }
            id = (matches[0] as GtToken).id;
        }
        const token = this.tokens.get(id);
        if (token === undefined || token.userId !== user.id) {
            return notFound(req);
        }
        this.tokens.delete(id);
        return empty(204);
    }

    // ----- auth -----

    private authenticate(req: SandboxRequest): GtAuth {
        const authorization = header(req, "authorization")?.trim();
        if (authorization === undefined || authorization === "") {
            return { kind: "anonymous" };
        }
        const [scheme = "", credentials = ""] = authorization.split(/\s+/, 2);
        const lower = scheme.toLowerCase();
        if (lower === "token" || lower === "bearer") {
            const token = this.byValue(credentials);
            const user = token === undefined ? undefined : this.users.get(token.userId);
            if (token === undefined || user === undefined) {
                return { kind: "error", response: apiError(req, 401, "invalid username, password or token") };
            }
            token.lastUsedAt = this.clock.now();
            return { kind: "token", user, token, viaBasic: false };
        }
        if (lower !== "basic") {
            return { kind: "anonymous" };
        }
        const decoded = Buffer.from(credentials, "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        const username = colon < 0 ? decoded : decoded.slice(0, colon);
        const password = colon < 0 ? "" : decoded.slice(colon + 1);
        const usernameIsToken = password === "" || password === "x-oauth-basic";
        const token = this.byValue(usernameIsToken ? username : password);
        const tokenUser = token === undefined ? undefined : this.users.get(token.userId);
        if (token !== undefined && tokenUser !== undefined) {
            token.lastUsedAt = this.clock.now();
            return { kind: "token", user: tokenUser, token, viaBasic: true };
        }
        const user = this.userByName(username);
        if (user === undefined || user.password !== password) {
            return { kind: "error", response: apiError(req, 401, "invalid username, password or token") };
        }
        if (user.otp !== undefined && header(req, "x-gitea-otp")?.trim() !== user.otp) {
            return { kind: "error", response: apiError(req, 401, "invalid provided OTP") };
        }
        return { kind: "basic", user };
    }

    /** `tokenRequiresScopes`: only when a token authenticated the request. */
    private requireTokenScope(req: SandboxRequest, auth: GtAuth, category: string): SandboxResponse | undefined {
        if (auth.kind !== "token") {
            return undefined;
        }
        const level = req.method === "GET" || req.method === "HEAD" ? "read" : "write";
        if (scopeAllows(auth.token.scope, category, level)) {
            return undefined;
        }
        return apiError(
            req,
            403,
            `token does not have at least one of required scope(s), required=[${level}:${category}], token scope=${auth.token.scope}`,
        );
    }

    // ----- model -----

    private userByName(name: string): GtUser | undefined {
        const lower = name.toLowerCase();
        return [...this.users.values()].find((u) => u.username.toLowerCase() === lower);
    }

    private byValue(value: string): GtToken | undefined {
        if (value === "") {
            return undefined;
        }
        return [...this.tokens.values()].find((t) => t.value === value);
    }

    /** Gitea's order: `created_unix DESC` (one-second resolution); ties in ascending id, as observed. */
    private tokensOf(userId: number | undefined): GtToken[] {
        const second = (t: GtToken): number => Math.floor(t.createdAt.getTime() / 1000);
        return [...this.tokens.values()]
            .filter((t) => userId === undefined || t.userId === userId)
            .sort((a, b) => second(b) - second(a) || a.id - b.id);
    }

    private newToken(user: GtUser, name: string, scope: string): GtToken {
        const now = this.clock.now();
        const token: GtToken = {
            id: this.nextTokenId++,
            userId: user.id,
            name,
            value: randomHex(40),
            scope,
            createdAt: now,
            lastUsedAt: now,
        };
        this.tokens.set(token.id, token);
        return token;
    }

    private view(token: GtToken | undefined): GiteaTokenView | undefined {
        if (token === undefined) {
            return undefined;
        }
        return {
            id: token.id,
            name: token.name,
            username: this.users.get(token.userId)?.username ?? "?",
            value: token.value,
            scopes: token.scope === "" ? [] : token.scope.split(","),
            createdAt: token.createdAt.toISOString(),
            lastUsedAt: token.lastUsedAt.toISOString(),
        };
    }

    /** The create answer carries the secret and zero times; the list carries `sha1: ""` and real times. */
    private tokenJson(token: GtToken, created: boolean): Record<string, unknown> {
        return {
            id: token.id,
            name: token.name,
            sha1: created ? token.value : "",
            token_last_eight: token.value.slice(-8),
            scopes: token.scope === "" ? [] : token.scope.split(","),
            created_at: created ? GO_ZERO_TIME : goTime(token.createdAt),
            last_used_at: created ? GO_ZERO_TIME : goTime(token.lastUsedAt),
        };
    }

    private userJson(user: GtUser, req: SandboxRequest): Record<string, unknown> {
        const root = req.baseUrl;
        return {
            id: user.id,
            login: user.username,
            login_name: "",
            source_id: 0,
            full_name: "",
            email: `${user.username}@sandbox.invalid`,
            avatar_url: `${root}/avatars/${user.id}`,
            html_url: `${root}/${user.username}`,
            language: "",
            is_admin: user.admin,
            last_login: "2025-01-01T00:00:00Z",
            created: "2025-01-01T00:00:00Z",
            restricted: false,
            active: true,
            prohibit_login: false,
            location: "",
            website: "",
            description: "",
            visibility: "public",
            followers_count: 0,
            following_count: 0,
            starred_repos_count: 0,
            username: user.username,
        };
    }
}

function swaggerUrl(req: SandboxRequest): string {
    return `${req.baseUrl}/api/swagger`;
}

const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

/** RFC 3339, UTC, second resolution, like Gitea's JSON times. */
function goTime(date: Date): string {
    return `${date.toISOString().slice(0, 19)}Z`;
}

/** Gitea writes `application/json;charset=utf-8` (no space). */
function giteaJson(status: number, value: object, headers: Record<string, string> = {}): SandboxResponse {
    return json(status, value, { "content-type": "application/json;charset=utf-8", ...headers });
}

function apiError(req: SandboxRequest, status: number, message: string): SandboxResponse {
    return giteaJson(status, { message, url: swaggerUrl(req) });
}

function notFound(req: SandboxRequest): SandboxResponse {
    return giteaJson(404, { errors: null, message: "not found", url: swaggerUrl(req) });
}

function userNotFound(req: SandboxRequest, name: string): SandboxResponse {
    return apiError(req, 404, `user redirect does not exist [name: ${name}]`);
}

/** The Go type name `encoding/json` reports for a JSON value. */
function goJsonType(value: unknown): string {
    if (Array.isArray(value)) {
        return "array";
    }
    if (typeof value === "boolean") {
        return "bool";
    }
    return typeof value === "number" ? "number" : typeof value === "string" ? "string" : "object";
}

/**
 * Go's `strconv.ParseInt(s, 0, 64)`: optional sign, `0x`/`0o`/`0b` prefixes, a leading `0` for
 * octal, `_` separators. Undefined when it does not parse.
 */
export function goParseIntBase0(s: string): number | undefined {
    const match = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(s);
    if (match === null) {
        return undefined;
    }
    const body = (match[2] ?? "").toLowerCase();
    if (body.endsWith("_") || body.includes("__")) {
        return undefined;
    }
    const digits = body.replace(/_/g, "");
    let value: number;
    if (digits.startsWith("0x")) {
        value = Number.parseInt(digits.slice(2), 16);
    } else if (digits.startsWith("0o")) {
        value = Number.parseInt(digits.slice(2), 8);
    } else if (digits.startsWith("0b")) {
        value = Number.parseInt(digits.slice(2), 2);
    } else if (digits.length > 1 && digits.startsWith("0")) {
        value = Number.parseInt(digits.slice(1), 8);
    } else {
        value = Number.parseInt(digits, 10);
    }
    if (!Number.isSafeInteger(value)) {
        return undefined;
    }
    return match[1] === "-" ? -value : value;
}

function methodNotAllowed(req: SandboxRequest): SandboxResponse {
    return apiError(req, 405, "Method Not Allowed");
}
