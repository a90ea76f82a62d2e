import { createHash } from "node:crypto";
import * as https from "node:https";
import * as tls from "node:tls";
import axios, { type AxiosInstance, type AxiosResponse, isAxiosError } from "axios";
import type { z } from "zod";
import { ApiError, type ServiceName, UnexpectedResponseError } from "./errors";
import { type ApiLimiter, type ApiLimits, limiterFor } from "./limiter";
import { redact } from "./redact";
import {
    AMBIGUOUS_NETWORK_CODES,
    backoffDelayMs,
    DEFAULT_RETRY_POLICY,
    RETRYABLE_NETWORK_CODES,
    RETRYABLE_STATUSES,
    type RetryPolicy,
    serverRequestedDelayMs,
    sleep,
} from "./retry";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface HttpClientOptions {
    service: ServiceName;
    /** API root, e.g. `https://gitlab.com/api/v4` (no trailing slash). */
    apiUrl: string;
    /** Authentication headers; never logged, never put in an error. */
    authHeaders: Record<string, string>;
    /** Extra values to scrub from any text that reaches an error (e.g. a password). */
    secrets?: string[];
    /** Per-request timeout. */
    timeoutMs?: number;
    retry?: Partial<RetryPolicy>;
    /**
     * Throttling shared by every client of the same API root in this process (see `limiter.ts`). Omitted: the
     * limits already set for that API root, else 4 requests in flight.
     */
    limits?: Partial<ApiLimits>;
    /** PEM bundle to trust in addition to Node's defaults (self-hosted instances with a private CA). */
    caCertificate?: string;
    /** Pulls the service's own message out of an error body. */
    extractMessage: (body: unknown) => string | undefined;
    /** Advice for a failed request, by status. */
    hint?: (status: number | undefined, operation: string, serviceMessage?: string) => string | undefined;
}

export interface RequestOptions<T> {
    /** Human words for what is being done, e.g. "create project access token". */
    operation: string;
    method: HttpMethod;
    /** Path below the API root, already URL-encoded where needed. */
    path: string;
    query?: Record<string, string | number | boolean | undefined>;
    body?: unknown;
    /** Schema of a successful body; omit for bodiless answers (204). */
    schema?: z.ZodType<T>;
    /**
     * Whether repeating the request is harmless. Non-idempotent requests (creating a token) are retried only
     * when the server certainly did not act on them (429, 503, refused connection).
     */
    idempotent?: boolean;
}

type AttemptOutcome =
    | { kind: "response"; response: AxiosResponse<string> }
    | { kind: "network"; error: ApiError; code: string };

export interface HttpResponse<T> {
    status: number;
    data: T;
    headers: Record<string, string | undefined>;
}

/**
 * Axios instances by who asks where and how (API root, timeout, credential headers, CA bundle), as a digest.
 * Lifecycles build a client per operation: a `refresh` of 1,000 tokens would otherwise create 1,000 instances
 * (and, with a CA bundle, 1,000 HTTPS agents that never reuse a connection). An instance holds no state of its
 * own beyond this configuration, so clients of the same identity may share it.
 */
const axiosInstances = new Map<string, AxiosInstance>();

/** A digest of what a value says (credentials included), to key things by it without keeping it readable. */
function digestOf(value: unknown): string {
    return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

function sortedEntries(headers: Record<string, string>): [string, string][] {
    return Object.entries(headers).sort(([a], [b]) => a.localeCompare(b));
}

function sharedAxiosFor(options: HttpClientOptions): AxiosInstance {
    const key = digestOf([
        options.apiUrl,
        options.timeoutMs ?? null,
        sortedEntries(options.authHeaders),
        options.caCertificate ?? null,
    ]);
    let instance = axiosInstances.get(key);
    if (instance === undefined) {
        instance = axios.create({
            baseURL: options.apiUrl,
            timeout: options.timeoutMs ?? 30_000,
            headers: { ...options.authHeaders, Accept: "application/json", "User-Agent": "pulumi-access-tokens" },
            // Statuses are ours to judge; a redirect could carry the credential headers to another host.
            validateStatus: () => true,
            maxRedirects: 0,
            responseType: "text",
            transformResponse: [(data: unknown) => data],
            transitional: { clarifyTimeoutError: true },
            // `ca` replaces Node's trust store: keep the public roots so the bundle adds to them.
            ...(options.caCertificate
                ? { httpsAgent: new https.Agent({ ca: [...tls.rootCertificates, options.caCertificate] }) }
                : {}),
        });
        axiosInstances.set(key, instance);
    }
    return instance;
}

/** One HTTP client per service and credential: timeouts, retries, zod parsing and redacted errors. */
export class HttpClient {
    private readonly http: AxiosInstance;
    private readonly policy: RetryPolicy;
    private readonly secrets: string[];
    private readonly limiter: ApiLimiter;

    constructor(private readonly options: HttpClientOptions) {
        this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
        this.limiter = limiterFor(options.apiUrl, options.limits);
        this.secrets = [...Object.values(options.authHeaders).flatMap(credentialParts), ...(options.secrets ?? [])];
        this.http = sharedAxiosFor(options);
    }

    /**
     * Who asks where: a digest of the API root and the credential headers. Clients of the same identity get the
     * same answers, so concurrent reads may share one listing (see `listingForRead`); the digest does not reveal
     * the credential.
     */
    get identity(): string {
        return digestOf([this.options.apiUrl, sortedEntries(this.options.authHeaders)]);
    }

    get service(): ServiceName {
        return this.options.service;
    }

    /**
     * Sends a request, retrying transient failures, and returns the parsed body. Each attempt holds a slot of
     * the API root's shared limiter. A rate-limit answer (429, or 503 with `Retry-After`) pauses every request
     * to that API root for the time asked; such answers are retried up to `RATE_LIMIT_ATTEMPTS_FACTOR` times
     * `maxAttempts`, other transient failures up to `maxAttempts`. The time budget (`maxTotalMs`) counts the
     * attempts and this request's own backoff, not the time spent queueing behind other requests.
     */
    async request<T = undefined>(req: RequestOptions<T>): Promise<HttpResponse<T>> {
        const started = Date.now();
        let queuedMs = 0;
        let failures = 0;
        let rateLimited = 0;
        for (let attempt = 1; ; attempt++) {
            const permit = await this.limiter.acquire({ urgent: attempt > 1 });
            queuedMs += permit.waitedMs;
            let outcome: AttemptOutcome;
            try {
                outcome = await this.attempt(req);
            } catch (e: unknown) {
                permit.release();
                throw e;
            }
            if (outcome.kind === "response" && outcome.response.status < 300) {
                permit.release();
                return this.parse(req, outcome.response);
            }
            const headers = outcome.kind === "response" ? normalizeHeaders(outcome.response.headers) : {};
            const rateLimit = outcome.kind === "response" && isRateLimitAnswer(outcome.response.status, headers);
            const tries = rateLimit ? ++rateLimited : ++failures;
            const delay = backoffDelayMs(tries, this.policy, headers);
            // A rate limit concerns the whole API: every request to it waits, then they resume one at a time.
            permit.release(rateLimit ? { pauseForMs: delay } : {});
            const error = outcome.kind === "response" ? this.statusError(req, outcome.response) : outcome.error;
            const maxTries =
                rateLimit && this.policy.maxAttempts > 1
                    ? this.policy.maxAttempts * RATE_LIMIT_ATTEMPTS_FACTOR
                    : this.policy.maxAttempts;
            if (!this.isRetryable(req, outcome) || tries >= maxTries) {
                throw error;
            }
            if (Date.now() - started - queuedMs + delay > this.policy.maxTotalMs) {
                throw error;
            }
            if (rateLimit) {
                // The next acquire waits out the pause (ahead of requests not sent yet); count it as our delay.
                queuedMs -= delay;
                continue;
            }
            await sleep(delay);
        }
    }

    private async attempt<T>(
        req: RequestOptions<T>,
    ): Promise<
        { kind: "response"; response: AxiosResponse<string> } | { kind: "network"; error: ApiError; code: string }
    > {
        try {
            const response = await this.http.request<string>({
                method: req.method,
                url: req.path,
                params: req.query,
                data: req.body === undefined ? undefined : JSON.stringify(req.body),
                headers: req.body === undefined ? {} : { "Content-Type": "application/json" },
            });
            return { kind: "response", response };
        } catch (caught: unknown) {
            // Build our own error: an AxiosError holds the request config, headers included.
            const code = isAxiosError(caught) ? (caught.code ?? "ERR_NETWORK") : "ERR_UNKNOWN";
            const rawMessage = caught instanceof Error ? caught.message : String(caught);
            return {
                kind: "network",
                code,
                error: new ApiError({
                    service: this.options.service,
                    operation: req.operation,
                    method: req.method,
                    path: req.path,
                    cause: `${code}: ${this.scrub(rawMessage)}`,
                    ambiguous: req.method !== "GET" && AMBIGUOUS_NETWORK_CODES.has(code),
                    hint:
                        certificateHint(code, this.options.service, this.options.apiUrl) ??
                        this.options.hint?.(undefined, req.operation) ??
                        `Check that ${this.options.apiUrl} is reachable from this machine, then run the command again.`,
                }),
            };
        }
    }

    private isRetryable<T>(
        req: RequestOptions<T>,
        outcome: { kind: "response"; response: AxiosResponse<string> } | { kind: "network"; code: string },
    ): boolean {
        const idempotent = req.idempotent ?? req.method !== "POST";
        if (outcome.kind === "network") {
            return RETRYABLE_NETWORK_CODES.has(outcome.code) && (idempotent || outcome.code === "ECONNREFUSED");
        }
        const status = outcome.response.status;
        if (status === 429 || status === 503) {
            return true;
        }
        return idempotent && (RETRYABLE_STATUSES.has(status) || status === 500);
    }

    private parse<T>(req: RequestOptions<T>, response: AxiosResponse<string>): HttpResponse<T> {
        const headers = normalizeHeaders(response.headers);
        if (!req.schema) {
            // The calls without a schema are deletes, documented as 204 No Content. A body means something else
            // answered (a proxy, another service): taking it for success could leave a live token behind.
            if (typeof response.data === "string" && response.data.trim() !== "") {
                throw this.unexpected(req, response.status, "expected no content, got a body");
            }
            return { status: response.status, data: undefined as T, headers };
        }
        let json: unknown;
        try {
            json = JSON.parse(response.data);
        } catch {
            throw this.unexpected(req, response.status, "the body is not valid JSON");
        }
        const parsed = req.schema.safeParse(json);
        if (!parsed.success) {
            const first = parsed.error.issues[0];
            const where = first && first.path.length > 0 ? first.path.join(".") : "body";
            throw this.unexpected(req, response.status, `${where}: ${first?.message ?? "does not match the schema"}`);
        }
        return { status: response.status, data: parsed.data, headers };
    }

    private unexpected(req: { operation: string; method: string; path: string }, status: number, why: string) {
        return new UnexpectedResponseError({
            service: this.options.service,
            operation: req.operation,
            method: req.method,
            path: req.path,
            status,
            serviceMessage: `unexpected response (${why})`,
            // A body we cannot read may still mean the change happened.
            ambiguous: req.method !== "GET",
            hint: "The server does not answer like the documented API: check the base URL points at the API of the right service.",
        });
    }

    private statusError(req: RequestOptions<unknown>, response: AxiosResponse<string>): ApiError {
        let body: unknown = response.data;
        try {
            body = JSON.parse(response.data);
        } catch {
            // Plain-text bodies (GitLab's 429, proxies' HTML) are kept as text.
        }
        const said = this.options.extractMessage(body) ?? plainTextMessage(response.data);
        return new ApiError({
            service: this.options.service,
            operation: req.operation,
            method: req.method,
            path: req.path,
            status: response.status,
            serviceMessage: said === undefined ? undefined : this.scrub(said),
            hint: this.options.hint?.(response.status, req.operation, said) ?? defaultHint(response.status),
            ambiguous: req.method !== "GET" && response.status >= 500,
        });
    }

    private scrub(text: string): string {
        return redact(text, this.secrets);
    }
}

/** TLS verification failures, by Node's error code: what went wrong with the server's certificate. */
const CERTIFICATE_PROBLEMS: Record<string, string> = {
    SELF_SIGNED_CERT_IN_CHAIN: "is issued by a certificate authority this machine does not trust",
    DEPTH_ZERO_SELF_SIGNED_CERT: "is self-signed",
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: "is issued by a certificate authority this machine does not trust",
    UNABLE_TO_GET_ISSUER_CERT: "is issued by a certificate authority this machine does not trust",
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "is issued by a certificate authority this machine does not trust",
    CERT_UNTRUSTED: "is not trusted",
    CERT_HAS_EXPIRED: "has expired",
    CERT_NOT_YET_VALID: "is not valid yet",
    ERR_TLS_CERT_ALTNAME_INVALID: "does not name this host",
};

/**
 * Advice for a certificate the client refused, naming the settings that fix it; undefined for other errors.
 * An untrusted issuer is fixed by trusting the CA; an expired certificate or a wrong name only on the server.
 */
export function certificateHint(code: string, service: ServiceName, apiUrl: string): string | undefined {
    const problem = CERTIFICATE_PROBLEMS[code];
    if (problem === undefined) {
        return undefined;
    }
    let host = apiUrl;
    try {
        host = new URL(apiUrl).host;
    } catch {
        // keep the URL as given
    }
    const server = `The TLS certificate of ${host} ${problem}.`;
    if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
        return `${server} Renew the server's certificate (or check this machine's clock); trusting another CA does not help.`;
    }
    if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
        return `${server} Use the host name the certificate was issued for in ${service}:baseUrl, or reissue the certificate with this name.`;
    }
    return (
        `${server} Trust the issuing CA: set ${service}:caCertificate (PEM text, e.g. ` +
        `\`pulumi config set ${service}:caCertificate -- "$(cat ca.pem)"\`) or the resource's connection.caCertificate, ` +
        "or NODE_EXTRA_CA_CERTS=/path/ca.pem for the whole process. Never disable certificate checks."
    );
}

/** Rate-limit answers may be retried this many times `maxAttempts`: the limiter keeps them from piling up. */
export const RATE_LIMIT_ATTEMPTS_FACTOR = 4;

/** 429, or a 503 that says when to come back: the service is shedding load, not failing. */
function isRateLimitAnswer(status: number, headers: Record<string, string | undefined>): boolean {
    return status === 429 || (status === 503 && serverRequestedDelayMs(headers, Date.now()) !== undefined);
}

/** A header value such as `Basic abc=` or `Token xyz`: both the whole value and the credential part are secret. */
function credentialParts(value: string): string[] {
    const parts = value.split(" ");
    return parts.length > 1 ? [value, parts.slice(1).join(" ")] : [value];
}

function normalizeHeaders(headers: AxiosResponse["headers"]): Record<string, string | undefined> {
    const out: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(headers ?? {})) {
        out[key.toLowerCase()] = Array.isArray(value)
            ? value.join(", ")
            : value === undefined
              ? undefined
              : String(value);
    }
    return out;
}

function plainTextMessage(data: unknown): string | undefined {
    if (typeof data !== "string") {
        return undefined;
    }
    const text = data
        .replace(/<[^>]*>/g, " ")
        .replace(/\s+/g, " ")
        .trim();
    return text === "" ? undefined : text.slice(0, 300);
}

function defaultHint(status: number): string | undefined {
    if (status === 429) {
        return "The service kept rate-limiting after several retries: wait a minute and run the command again.";
    }
    if (status >= 500) {
        return "The service had an internal error: run the command again later.";
    }
    if (status >= 300 && status < 400) {
        return "The server answered with a redirect: set the base URL to the final https:// address of the instance.";
    }
    return undefined;
}
