// Plain-fetch access to Gitea's user access-token API, for the suites that pin down what a server itself answers
// (gitea-real.smoke, gitea-contract): no client of ours in between, so nothing of ours can hide a difference.
import type { GiteaAccount } from "./gitea";

/** An access token as Gitea's API shows it (`sha1` is empty except in the answer to its creation). */
export interface RawGiteaToken {
    id: number;
    name: string;
    sha1: string;
    token_last_eight: string;
    scopes: string[];
    created_at: string;
    last_used_at: string;
}

/** Gitea's `last_used_at` of a token never used. */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

/** A response as it came: status, headers, the body as text, and as JSON when it parses. */
export interface RawResponse {
    status: number;
    headers: Headers;
    text: string;
    json: unknown;
}

export interface RawCallOptions {
    /** The Authorization header (see `basicAuth`, `tokenAuth`). */
    auth?: string;
    /** Sent as JSON. */
    body?: unknown;
    /** Sent as is, with `contentType` (none when omitted: fetch then adds text/plain for a string). */
    raw?: string;
    contentType?: string;
}

/** Sends `method url` and reads the whole answer; never throws for a status. */
export async function rawCall(method: string, url: string, options: RawCallOptions = {}): Promise<RawResponse> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (options.auth !== undefined) headers.Authorization = options.auth;
    let body: string | undefined;
    if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers["Content-Type"] = "application/json";
    } else if (options.raw !== undefined) {
        body = options.raw;
    }
    if (options.contentType !== undefined) headers["Content-Type"] = options.contentType;
    const response = await fetch(url, { method, headers, body });
    const text = await response.text();
    let json: unknown;
    try {
        json = text === "" ? undefined : JSON.parse(text);
    } catch {
        json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
}

/** The status and the start of the body, for an assertion's message. */
export function describeResponse(res: RawResponse, maxChars = 500): string {
    return `HTTP ${res.status} ${res.text.slice(0, maxChars)}`;
}

export function basicAuth(username: string, password: string): string {
    return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

export function basic(account: GiteaAccount): string {
    return basicAuth(account.username, account.password);
}

export function tokenAuth(sha1: string): string {
    return `token ${sha1}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The token a body holds, field by field; fails naming the body when one is missing or of another type. */
export function asRawToken(value: unknown): RawGiteaToken {
    if (
        !isRecord(value) ||
        typeof value.id !== "number" ||
        typeof value.name !== "string" ||
        typeof value.sha1 !== "string" ||
        typeof value.token_last_eight !== "string" ||
        !Array.isArray(value.scopes) ||
        !value.scopes.every((s): s is string => typeof s === "string") ||
        typeof value.created_at !== "string" ||
        typeof value.last_used_at !== "string"
    ) {
        throw new Error(`not an access token: ${JSON.stringify(value)}`);
    }
    return {
        id: value.id,
        name: value.name,
        sha1: value.sha1,
        token_last_eight: value.token_last_eight,
        scopes: value.scopes,
        created_at: value.created_at,
        last_used_at: value.last_used_at,
    };
}

export function asRawTokenList(value: unknown): RawGiteaToken[] {
    if (!Array.isArray(value)) {
        throw new Error(`not a list: ${JSON.stringify(value)}`);
    }
    return value.map(asRawToken);
}
