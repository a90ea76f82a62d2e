/**
 * Types shared by the sandbox modules. The public ones are re-exported from `./index`.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { JsonValue } from "./util";

/** The four emulated services. */
export type ServiceName = "gitlab" | "gitea" | "codacy" | "qovery";

export const SERVICE_NAMES: readonly ServiceName[] = ["gitlab", "gitea", "codacy", "qovery"];

export function isServiceName(value: unknown): value is ServiceName {
    return typeof value === "string" && (SERVICE_NAMES as readonly string[]).includes(value);
}

/** One request as the sandbox saw it: never headers, bodies or credentials. */
export interface RecordedRequest {
    service: ServiceName;
    /** Upper-case HTTP method. */
    method: string;
    /** Full path as received (still percent-encoded), without the query, e.g. `/gitlab/api/v4/projects/101/access_tokens`. */
    path: string;
    /** Query parameters (last value wins); credential-like keys (`private_token`, `token`, ...) are redacted. */
    query: Record<string, string>;
    /** HTTP status sent; 0 when the connection was reset or timed out without an answer. */
    status: number;
    /** `Date.now()` (real time, not the sandbox clock) when the request arrived. */
    at: number;
    /** Real milliseconds from the request's arrival to its answer (or reset): the sandbox's own cost, body read included. */
    handledMs: number;
}

/** A token that exists in an emulated service and is not revoked or deleted. Never its secret value. */
export interface LiveToken {
    service: ServiceName;
    /** Service id (GitLab/Gitea/Codacy: integer as string; Qovery: uuid). */
    id: string;
    name: string;
    /**
     * Who owns it: `project:101`, `group:11` (GitLab), `user:bob` (Gitea),
     * `gh/acme/repo-001` (Codacy), `organization:<uuid>` (Qovery).
     */
    owner: string;
    createdAt: string;
    /** ISO date or date-time, or null when the token does not expire. */
    expiresAt: string | null;
    /** False when past its expiry by the sandbox clock (still listed by the service). */
    active: boolean;
}

/** What the HTTP layer hands to a service emulator. */
export interface SandboxRequest {
    service: ServiceName;
    /** Upper-case HTTP method. */
    method: string;
    /** Path after the service prefix, still percent-encoded, e.g. `/api/v4/projects/acme%2Fweb/access_tokens`. */
    path: string;
    /** Full path including the service prefix. */
    fullPath: string;
    /** Percent-decoded path segments of `path` (an encoded `/` stays inside its segment). */
    segments: string[];
    query: URLSearchParams;
    headers: IncomingHttpHeaders;
    body: Buffer;
    /** Public base URL of the service, e.g. `http://127.0.0.1:8787/gitlab`. */
    baseUrl: string;
}

/** What a service emulator answers. `body` is already serialized. */
export interface SandboxResponse {
    status: number;
    headers?: Record<string, string>;
    body?: string;
}

/** Contract between the HTTP layer and one emulated service. */
export interface ServiceEmulator {
    readonly name: ServiceName;
    handle(req: SandboxRequest): SandboxResponse;
    /** The service's usual error answer for a status (used by faults and the rate limiter). */
    errorResponse(status: number, req: SandboxRequest, message?: string): SandboxResponse;
    /** Back to the seeded state. */
    reset(): void;
    liveTokens(): LiveToken[];
    /** Out-of-band revoke (GitLab) or delete (others). False when unknown. */
    revokeOutOfBand(id: string): boolean;
    /** Every token (and what it needs, e.g. GitLab's bot users) with the id counters, as plain JSON. */
    snapshotTokens(): JsonValue;
    /** Replaces the tokens (and id counters) by those of a `snapshotTokens()` result. */
    restoreTokens(snapshot: unknown): void;
}
