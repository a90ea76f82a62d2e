/**
 * Gitea API v1 emulator: user access tokens (+ `/version`, `/user`, `/users/{username}`).
 * Aligned with test/support/gitea-facts.md (observed on a real Gitea 1.26.0) and held to the real
 * server by test/e2e/gitea-contract.test.ts: routing (404 text / 405 empty, before any auth) → auth →
 * token scope → user lookup → self-or-admin → Basic-auth-only → body binding → handler.
 */
import type { SandboxClock } from "./clock";
import { GITEA_SEED } from "./seed";
import type { LiveToken, SandboxRequest, SandboxResponse, ServiceEmulator } from "./types";
import {
    empty,
    header,
    intParam,
    type JsonValue,
    json,
    randomHex,
    reasonPhrase,
    snapshotPart,
    text,
    toSnapshotJson,
} from "./util";

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

    snapshotTokens(): JsonValue {
        return toSnapshotJson({ tokens: this.tokens, nextTokenId: this.nextTokenId });
    }

    restoreTokens(snapshot: unknown): void {
        const part = snapshotPart("gitea", snapshot);
        this.tokens = part.tokens as Map<number, GtToken>;
        this.nextTokenId = part.nextTokenId as number;
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
            return text(404, "Not found.\n", { "content-type": "text/plain;charset=utf-8" });
        }
        // The router answers unknown paths and methods before any middleware (auth included) runs.
        const rest = seg.slice(2);
        const route = giteaRoute(rest);
        if (route === undefined) {
            return routeNotFound();
        }
        if (!route.methods.includes(req.method)) {
            return empty(405, { allow: route.methods.join(", ") });
        }
        const auth = this.authenticate(req);
        if (auth.kind === "error") {
            return auth.response;
        }
        const doer = auth.kind === "anonymous" ? undefined : auth.user;
        const [, b, , d] = rest;
        switch (route.name) {
            case "version":
                return giteaJson(200, { version: GITEA_SEED.version });
            case "self": {
                const scoped = this.requireTokenScope(req, auth, "user");
                if (scoped !== undefined) {
                    return scoped;
                }
                if (doer === undefined) {
                    return apiError(req, 401, "token is required");
                }
                return giteaJson(200, this.userJson(doer, doer, req));
            }
            case "user": {
                const scoped = this.requireTokenScope(req, auth, "user");
                if (scoped !== undefined) {
                    return scoped;
                }
                const user = this.userByName(b ?? "");
                return user === undefined ? userNotFound(req, b ?? "") : giteaJson(200, this.userJson(user, doer, req));
            }
            case "tokens":
            case "token": {
                // tokenRequiresScopes(user) → UserAssignmentAPI → reqSelfOrAdmin → reqBasicOrRevProxyAuth
                const scoped = this.requireTokenScope(req, auth, "user");
                if (scoped !== undefined) {
                    return scoped;
                }
                const contextUser = this.userByName(b ?? "");
                if (contextUser === undefined) {
                    return userNotFound(req, b ?? "");
                }
                if (!(doer?.admin ?? false) && doer?.id !== contextUser.id) {
                    return apiError(req, 403, "doer should be the site admin or be same as the contextUser");
                }
                const isBasic = auth.kind === "basic" || (auth.kind === "token" && auth.viaBasic);
                if (!isBasic) {
                    return apiError(req, 401, "auth required");
                }
                if (route.name === "token") {
                    return this.deleteToken(req, contextUser, d ?? "");
                }
                return req.method === "GET" ? this.listTokens(req, contextUser) : this.createToken(req, contextUser);
            }
        }
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
        const bound = bindCreateAccessTokenOption(req);
        if (!bound.ok) {
            return apiError(req, 422, bound.error);
        }
        const { name, scopes } = bound.value;
        if (name === "") {
            return apiError(req, 422, "[Name]: Required");
        }
        if (this.tokensOf(user.id).some((t) => t.name === name)) {
            return apiError(req, 400, "access token name has been used already");
        }
        const normalized = normalizeGiteaScopes(scopes);
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

    /**
     * Gitea's auth chain. The header must be exactly two whitespace-separated fields: `token <sha1>` or
     * `bearer <sha1>` (any case), or `basic <base64 of user:password>` (strict, padded base64 with a
     * colon). Anything else is no authentication at all (anonymous), not an error.
     */
    private authenticate(req: SandboxRequest): GtAuth {
        const fields = (header(req, "authorization") ?? "").split(/\s+/).filter((f) => f !== "");
        if (fields.length !== 2) {
            return { kind: "anonymous" };
        }
        const [scheme = "", credentials = ""] = fields;
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
        const decoded = decodeStdBase64(credentials);
        const colon = decoded?.indexOf(":") ?? -1;
        if (decoded === undefined || colon < 0) {
            return { kind: "anonymous" };
        }
        const username = decoded.slice(0, colon);
        const password = decoded.slice(colon + 1);
        const usernameIsToken = password === "" || password === "x-oauth-basic";
        const token = this.byValue(usernameIsToken ? username : password);
        const tokenUser = token === undefined ? undefined : this.users.get(token.userId);
        if (token !== undefined && tokenUser !== undefined) {
            token.lastUsedAt = this.clock.now();
            return { kind: "token", user: tokenUser, token, viaBasic: true };
        }
        // The login name may be the user name or the e-mail address (both case-insensitive).
        const user = this.userByName(username) ?? this.userByEmail(username);
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

    private userByEmail(email: string): GtUser | undefined {
        const lower = email.toLowerCase();
        return [...this.users.values()].find((u) => userEmail(u) === lower);
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

    /**
     * Gitea's `convert.ToUser`: the e-mail (kept private), `is_admin`, `last_login` and `active` are
     * shown only to the user itself and to site admins; others see a placeholder e-mail and zero values.
     */
    private userJson(user: GtUser, doer: GtUser | undefined, req: SandboxRequest): Record<string, unknown> {
        const root = req.baseUrl;
        const authed = doer !== undefined && (doer.admin || doer.id === user.id);
        return {
            id: user.id,
            login: user.username,
            login_name: "",
            source_id: 0,
            full_name: "",
            email: authed ? userEmail(user) : `${user.id}+${user.username.toLowerCase()}@noreply.localhost`,
            avatar_url: `${root}/avatars/${user.id}`,
            html_url: `${root}/${user.username}`,
            language: "",
            is_admin: authed && user.admin,
            last_login: authed ? "2025-01-01T00:00:00Z" : GO_ZERO_TIME,
            created: "2025-01-01T00:00:00Z",
            restricted: false,
            active: authed,
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

/** Gitea writes `application/json;charset=utf-8` (no space) and ends the body with a newline (Go's json.Encoder). */
function giteaJson(status: number, value: object, headers: Record<string, string> = {}): SandboxResponse {
    const response = json(status, value, { "content-type": "application/json;charset=utf-8", ...headers });
    return { ...response, body: `${response.body ?? ""}\n` };
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

function userEmail(user: GtUser): string {
    return `${user.username.toLowerCase()}@sandbox.invalid`;
}

type GiteaRouteName = "version" | "self" | "user" | "tokens" | "token";

/** The routes of /api/v1 the sandbox serves, with their methods (HEAD is not routed by Gitea's API). */
function giteaRoute(rest: readonly string[]): { name: GiteaRouteName; methods: readonly string[] } | undefined {
    const [a, b, c, d] = rest;
    if (rest.length === 1 && a === "version") {
        return { name: "version", methods: ["GET"] };
    }
    if (rest.length === 1 && a === "user") {
        return { name: "self", methods: ["GET"] };
    }
    if (a !== "users" || b === undefined || b === "") {
        return undefined;
    }
    if (rest.length === 2) {
        return { name: "user", methods: ["GET"] };
    }
    if (c !== "tokens") {
        return undefined;
    }
    if (rest.length === 3) {
        return { name: "tokens", methods: ["GET", "POST"] };
    }
    if (rest.length === 4 && d !== undefined && d !== "") {
        return { name: "token", methods: ["DELETE"] };
    }
    return undefined;
}

/** Go's http.NotFound, which the API router answers for an unknown path. */
function routeNotFound(): SandboxResponse {
    return text(404, "404 page not found\n");
}

/** Go's `base64.StdEncoding.DecodeString`: standard alphabet, padding required. Undefined when invalid. */
function decodeStdBase64(value: string): string | undefined {
    if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value)) {
        return undefined;
    }
    return Buffer.from(value, "base64").toString("utf8");
}

interface CreateAccessTokenOption {
    name: string;
    scopes: string[];
}

/**
 * Gitea's binding of `CreateAccessTokenOption`, by Content-Type (case-sensitive substring match):
 * `form-urlencoded` and `multipart/form-data` read the form fields `name` and `scopes` (repeatable;
 * `scopes[]` is not recognised); anything containing `json` is decoded like Go's json.Decoder (first
 * value only, keys matched case-insensitively, Go's error messages); no Content-Type →
 * `Empty Content-Type`; any other → `Unsupported Content-Type`. Errors come as `[]: <message>`.
 */
function bindCreateAccessTokenOption(
    req: SandboxRequest,
): { ok: true; value: CreateAccessTokenOption } | { ok: false; error: string } {
    const contentType = header(req, "content-type") ?? "";
    if (contentType.includes("form-urlencoded")) {
        const form = new URLSearchParams(req.body.toString("utf8"));
        return { ok: true, value: { name: form.get("name") ?? "", scopes: form.getAll("scopes") } };
    }
    if (contentType.includes("multipart/form-data")) {
        const fields = parseMultipart(req.body, contentType);
        return {
            ok: true,
            value: {
                name: fields.find(([key]) => key === "name")?.[1] ?? "",
                scopes: fields.filter(([key]) => key === "scopes").map(([, value]) => value),
            },
        };
    }
    if (contentType.includes("json")) {
        const decoded = goDecodeFirstValue(req.body);
        if (!decoded.ok) {
            return { ok: false, error: `[]: ${decoded.error}` };
        }
        const bound = goUnmarshalCreateOption(decoded.value);
        return bound.error === undefined
            ? { ok: true, value: bound.value }
            : { ok: false, error: `[]: ${bound.error}` };
    }
    return { ok: false, error: contentType === "" ? "[]: Empty Content-Type" : "[]: Unsupported Content-Type" };
}

/** `[name, value]` of the non-file fields of a multipart/form-data body. */
function parseMultipart(body: Buffer, contentType: string): Array<[string, string]> {
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
    const marker = boundary?.[1] ?? boundary?.[2];
    if (marker === undefined) {
        return [];
    }
    const fields: Array<[string, string]> = [];
    for (const part of body.toString("utf8").split(`--${marker}`).slice(1)) {
        const headerEnd = part.indexOf("\r\n\r\n");
        if (part.startsWith("--") || headerEnd < 0) {
            continue;
        }
        const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(part.slice(0, headerEnd))?.[1];
        if (name !== undefined) {
            fields.push([name, part.slice(headerEnd + 4).replace(/\r\n$/, "")]);
        }
    }
    return fields;
}

/** A decoded JSON value; objects keep their members in document order (duplicates included). */
type GoJson =
    | { kind: "null" }
    | { kind: "bool"; value: boolean }
    | { kind: "number"; value: number }
    | { kind: "string"; value: string }
    | { kind: "array"; items: GoJson[] }
    | { kind: "object"; members: Array<[string, GoJson]> };

/** Go's `'c'` quoting of an offending byte in its JSON syntax errors. */
function goQuoteChar(c: number): string {
    if (c === 0x27) {
        return "'\\''";
    }
    if (c === 0x22) {
        return "'\"'";
    }
    const named: Record<number, string> = { 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r" };
    const special = named[c];
    if (special !== undefined) {
        return `'${special}'`;
    }
    if (c < 0x20 || c === 0x7f) {
        return `'\\x${c.toString(16).padStart(2, "0")}'`;
    }
    if (c >= 0x80 && c < 0xa0) {
        return `'\\u${c.toString(16).padStart(4, "0")}'`;
    }
    return `'${String.fromCharCode(c)}'`;
}

class GoJsonSyntaxError extends Error {}

/**
 * Go's `json.NewDecoder(body).Decode(&v)`: decodes the first JSON value and ignores whatever follows;
 * an empty body is io.EOF (which Gitea's binding ignores: zero value); a truncated value is
 * `unexpected EOF`; syntax errors carry Go's scanner messages.
 */
function goDecodeFirstValue(body: Buffer): { ok: true; value: GoJson } | { ok: false; error: string } {
    let pos = 0;
    const EOF = -1;
    const peek = (): number => (pos < body.length ? (body[pos] as number) : EOF);
    const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
    const skipSpace = (): void => {
        while (isSpace(peek())) {
            pos++;
        }
    };
    const fail = (context: string): never => {
        const c = peek();
        throw new GoJsonSyntaxError(c === EOF ? "unexpected EOF" : `invalid character ${goQuoteChar(c)} ${context}`);
    };
    const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
    const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

    const literal = (word: string): void => {
        pos++;
        for (let i = 1; i < word.length; i++) {
            if (peek() !== word.charCodeAt(i)) {
                fail(`in literal ${word} (expecting ${goQuoteChar(word.charCodeAt(i))})`);
            }
            pos++;
        }
    };
    const readString = (): string => {
        const start = pos;
        pos++;
        for (;;) {
            const c = peek();
            if (c === EOF) {
                fail("");
            }
            if (c === 0x22) {
                pos++;
                return JSON.parse(body.subarray(start, pos).toString("utf8")) as string;
            }
            if (c < 0x20) {
                fail("in string literal");
            }
            pos++;
            if (c === 0x5c) {
                const e = peek();
                if (e === 0x75) {
                    pos++;
                    for (let i = 0; i < 4; i++) {
                        if (!isHex(peek())) {
                            fail("in \\u hexadecimal character escape");
                        }
                        pos++;
                    }
                } else if ([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74].includes(e)) {
                    pos++;
                } else {
                    fail("in string escape code");
                }
            }
        }
    };
    const number = (): number => {
        const start = pos;
        if (peek() === 0x2d) {
            pos++;
            if (!isDigit(peek())) {
                fail("in numeric literal");
            }
        }
        if (peek() === 0x30) {
            pos++;
        } else {
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (peek() === 0x2e) {
            pos++;
            if (!isDigit(peek())) {
                fail("after decimal point in numeric literal");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (peek() === 0x65 || peek() === 0x45) {
            pos++;
            if (peek() === 0x2b || peek() === 0x2d) {
                pos++;
            }
            if (!isDigit(peek())) {
                fail("in exponent of numeric literal");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        return Number(body.subarray(start, pos).toString("latin1"));
    };
    const value = (): GoJson => {
        skipSpace();
        const c = peek();
        switch (c) {
            case 0x7b: {
                pos++;
                const members: Array<[string, GoJson]> = [];
                skipSpace();
                if (peek() === 0x7d) {
                    pos++;
                    return { kind: "object", members };
                }
                for (;;) {
                    skipSpace();
                    if (peek() !== 0x22) {
                        fail("looking for beginning of object key string");
                    }
                    const key = readString();
                    skipSpace();
                    if (peek() !== 0x3a) {
                        fail("after object key");
                    }
                    pos++;
                    members.push([key, value()]);
                    skipSpace();
                    if (peek() === 0x2c) {
                        pos++;
                        continue;
                    }
                    if (peek() === 0x7d) {
                        pos++;
                        return { kind: "object", members };
                    }
                    fail("after object key:value pair");
                }
            }
            case 0x5b: {
                pos++;
                const items: GoJson[] = [];
                skipSpace();
                if (peek() === 0x5d) {
                    pos++;
                    return { kind: "array", items };
                }
                for (;;) {
                    items.push(value());
                    skipSpace();
                    if (peek() === 0x2c) {
                        pos++;
                        continue;
                    }
                    if (peek() === 0x5d) {
                        pos++;
                        return { kind: "array", items };
                    }
                    fail("after array element");
                }
            }
            case 0x22:
                return { kind: "string", value: readString() };
            case 0x74:
                literal("true");
                return { kind: "bool", value: true };
            case 0x66:
                literal("false");
                return { kind: "bool", value: false };
            case 0x6e:
                literal("null");
                return { kind: "null" };
            default:
                if (c === 0x2d || isDigit(c)) {
                    return { kind: "number", value: number() };
                }
                return fail("looking for beginning of value");
        }
    };

    skipSpace();
    if (peek() === EOF) {
        return { ok: true, value: { kind: "null" } };
    }
    try {
        return { ok: true, value: value() };
    } catch (err) {
        if (err instanceof GoJsonSyntaxError) {
            return { ok: false, error: err.message };
        }
        throw err;
    }
}

/** Go's `encoding/json` key matching: exact, else case-insensitive (with Unicode's ſ → s, K → k). */
function goFoldKey(key: string): string {
    return key
        .replace(/\u017f/g, "s")
        .replace(/\u212a/g, "k")
        .toLowerCase();
}

/**
 * `json.Unmarshal` into `structs.CreateAccessTokenOption{Name string; Scopes []string}`: unknown keys
 * are ignored, `null` leaves a string alone and empties the list, a wrong type is skipped and the
 * earliest such error is reported (after decoding the rest).
 */
function goUnmarshalCreateOption(value: GoJson): { value: CreateAccessTokenOption; error: string | undefined } {
    const option: CreateAccessTokenOption = { name: "", scopes: [] };
    let error: string | undefined;
    const typeError = (v: GoJson, target: string): void => {
        error ??= `json: cannot unmarshal ${v.kind} into ${target}`;
    };
    if (value.kind === "null") {
        return { value: option, error };
    }
    if (value.kind !== "object") {
        typeError(value, "Go value of type structs.CreateAccessTokenOption");
        return { value: option, error };
    }
    for (const [key, member] of value.members) {
        const field = key === "name" || key === "scopes" ? key : goFoldKey(key);
        if (field === "name") {
            if (member.kind === "string") {
                option.name = member.value;
            } else if (member.kind !== "null") {
                typeError(member, "Go struct field CreateAccessTokenOption.name of type string");
            }
        } else if (field === "scopes") {
            if (member.kind === "null") {
                option.scopes = [];
            } else if (member.kind === "array") {
                option.scopes = member.items.map((item) => {
                    if (item.kind === "string") {
                        return item.value;
                    }
                    if (item.kind !== "null") {
                        typeError(item, "Go struct field CreateAccessTokenOption.scopes of type string");
                    }
                    return "";
                });
            } else {
                typeError(member, "Go struct field CreateAccessTokenOption.scopes of type []string");
            }
        }
    }
    return { value: option, error };
}
