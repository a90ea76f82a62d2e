/**
 * The sandbox HTTP(S) server: routing to the four emulators, fault injection, rate limiting,
 * request recording and the `/_sandbox/*` control endpoints.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { Socket } from "node:net";
import { SandboxClock } from "./clock";
import { CodacyEmulator, type CodacyAccessor } from "./codacy";
import {
    type AppliedFaultRequest,
    type FaultController,
    Faults,
    type FaultSpec,
    faultSpecFromJson,
    RateLimiter,
    type RateLimitOptions,
} from "./faults";
import { GiteaEmulator, type GiteaAccessor } from "./gitea";
import { GitlabEmulator, type GitlabAccessor } from "./gitlab";
import { QoveryEmulator, type QoveryAccessor } from "./qovery";
import { buildSeedInfo, SEED_CREDENTIALS, type SeedCredentials, type SeedInfo } from "./seed";
import {
    isServiceName,
    type LiveToken,
    type RecordedRequest,
    SERVICE_NAMES,
    type SandboxRequest,
    type SandboxResponse,
    type ServiceEmulator,
    type ServiceName,
} from "./types";
import { decodeSegment, isRecord, type JsonValue, json, text } from "./util";

export interface SandboxOptions {
    /** TCP port on 127.0.0.1 (default 0: a free port). */
    port?: number;
    /** Repositories in Codacy's `gh/acme` organization (default 12). */
    codacyRepositories?: number;
    /** Token bucket per service; over it → 429 with `Retry-After`. */
    rateLimit?: RateLimitOptions;
    /** Base time source of the sandbox clock (default: real time). */
    now?: () => Date;
    /** PEM key and certificate: serve HTTPS instead of HTTP. */
    tls?: { key: string; cert: string };
    /** Called with one line per request: method, path, status (never headers, query or bodies). */
    logRequests?: (line: string) => void;
}

export interface SandboxBaseUrls {
    /** API under `${gitlab}/api/v4`. */
    gitlab: string;
    /** API under `${gitea}/api/v1`. */
    gitea: string;
    /** API under `${codacy}/api/v3`. */
    codacy: string;
    /** API at the root, like api.qovery.com: `${qovery}/organization/...`. */
    qovery: string;
}

export interface Sandbox {
    /** `http://127.0.0.1:PORT` (or `https://`). */
    url: string;
    baseUrls: SandboxBaseUrls;
    credentials: SeedCredentials;
    seed: SeedInfo;
    /** Every request to a service, in arrival order (live array; `reset()` empties it). */
    requests: RecordedRequest[];
    faults: FaultController;
    clock: { now(): Date; set(date: Date): void; advanceDays(days: number): void };
    /** Back to the seed: tokens, faults, recorded requests, clock offset and rate-limit buckets. */
    reset(): void;
    /** Tokens that exist and are not revoked/deleted (expired ones included, `active: false`). */
    liveTokens(service?: ServiceName): LiveToken[];
    /** Deletes (GitLab: revokes) a token of any kind behind the provider's back; false when there is none. */
    revokeOutOfBand(service: ServiceName, id: string): boolean;
    /**
     * Every token of the four services (values included: in-process or test fixtures only) with the id
     * counters, as JSON that `restoreTokens` takes back, e.g. in another sandbox process started later.
     */
    snapshotTokens(): TokenSnapshot;
    /** Replaces every service's tokens (and id counters) by a snapshot's; the rest of the seed stays. */
    restoreTokens(snapshot: TokenSnapshot): void;
    gitlab: GitlabAccessor;
    gitea: GiteaAccessor;
    codacy: CodacyAccessor;
    qovery: QoveryAccessor;
    close(): Promise<void>;
}

/** What `snapshotTokens` returns: one opaque JSON part per service. */
export interface TokenSnapshot {
    format: typeof TOKEN_SNAPSHOT_FORMAT;
    gitlab: JsonValue;
    gitea: JsonValue;
    codacy: JsonValue;
    qovery: JsonValue;
}

export const TOKEN_SNAPSHOT_FORMAT = "pulumi-access-tokens-sandbox-tokens/1";

const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_DELAY_MS = 1_000;
const REDACTED_QUERY_KEYS = new Set(["private_token", "access_token", "token", "api_token", "api-token", "password"]);

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
    const codacyRepositories = options.codacyRepositories ?? 12;
    if (!Number.isInteger(codacyRepositories) || codacyRepositories < 0) {
        throw new Error("codacyRepositories must be a non-negative integer");
    }
    const clock = new SandboxClock(options.now);
    const gitlab = new GitlabEmulator(clock);
    const gitea = new GiteaEmulator(clock);
    const codacy = new CodacyEmulator(clock, codacyRepositories);
    const qovery = new QoveryEmulator(clock, (type, secret) =>
        type === "GITLAB" ? gitlab.accessor.findTokenByValue(secret)?.expiresAt : undefined,
    );
    const emulators: Record<ServiceName, ServiceEmulator> = { gitlab, gitea, codacy, qovery };
    const faults = new Faults();
    const limiter = options.rateLimit === undefined ? undefined : new RateLimiter(options.rateLimit);
    const requests: RecordedRequest[] = [];
    const sockets = new Set<Socket>();
    const timers = new Set<NodeJS.Timeout>();
    let url = "";
    let closed = false;

    const log = (line: string): void => {
        try {
            options.logRequests?.(line);
        } catch {
            // a failing logger must not break the sandbox
        }
    };

    const sleep = (ms: number): Promise<void> =>
        new Promise((resolve) => {
            const timer = setTimeout(() => {
                timers.delete(timer);
                resolve();
            }, ms);
            timers.add(timer);
        });

    const revokeOutOfBand = (service: ServiceName, id: string): boolean => emulators[service].revokeOutOfBand(id);

    const baseUrls = (): SandboxBaseUrls => ({
        gitlab: `${url}/gitlab`,
        gitea: `${url}/gitea`,
        codacy: `${url}/codacy`,
        qovery: `${url}/qovery`,
    });

    const liveTokens = (service?: ServiceName): LiveToken[] =>
        SERVICE_NAMES.filter((s) => service === undefined || s === service).flatMap((s) => emulators[s].liveTokens());

    const snapshotTokens = (): TokenSnapshot => ({
        format: TOKEN_SNAPSHOT_FORMAT,
        gitlab: gitlab.snapshotTokens(),
        gitea: gitea.snapshotTokens(),
        codacy: codacy.snapshotTokens(),
        qovery: qovery.snapshotTokens(),
    });

    const restoreTokens = (snapshot: unknown): void => {
        if (!isRecord(snapshot) || snapshot.format !== TOKEN_SNAPSHOT_FORMAT) {
            throw new Error(`a token snapshot must be an object with format "${TOKEN_SNAPSHOT_FORMAT}"`);
        }
        for (const service of SERVICE_NAMES) {
            emulators[service].restoreTokens(snapshot[service]);
        }
    };

    const reset = (): void => {
        for (const emulator of Object.values(emulators)) {
            emulator.reset();
        }
        faults.clear();
        requests.length = 0;
        clock.reset();
        limiter?.reset();
    };

    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
        onRequest(req, res).catch((err: unknown) => {
            log(`sandbox internal error: ${err instanceof Error ? err.message : String(err)}`);
            if (!res.headersSent && !res.destroyed) {
                send(res, json(500, { message: "sandbox internal error" }));
            }
        });
    };

    async function onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const arrived = Date.now();
        const arrivedPrecise = performance.now();
        const method = (req.method ?? "GET").toUpperCase();
        const rawUrl = req.url ?? "/";
        const q = rawUrl.indexOf("?");
        const fullPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
        const query = new URLSearchParams(q < 0 ? "" : rawUrl.slice(q + 1));

        const body = await readBody(req);
        if (body === undefined) {
            send(res, json(413, { message: "request body too large" }));
            log(`${method} ${fullPath} 413`);
            return;
        }

        if (fullPath === "/_sandbox" || fullPath.startsWith("/_sandbox/")) {
            const response = control(method, fullPath, body);
            send(res, response);
            log(`${method} ${fullPath} ${response.status}`);
            return;
        }
        const first = fullPath.split("/")[1] ?? "";
        if (!isServiceName(first)) {
            const response =
                fullPath === "/" && method === "GET"
                    ? json(200, { sandbox: "pulumi-access-tokens", baseUrls: baseUrls() })
                    : json(404, {
                          message: `no such sandbox path; services live under ${SERVICE_NAMES.map((s) => `/${s}`).join(", ")}`,
                      });
            send(res, response);
            log(`${method} ${fullPath} ${response.status}`);
            return;
        }
        const service: ServiceName = first;
        const emulator = emulators[service];
        const subPath = fullPath.slice(service.length + 1) || "/";
        const decoded = subPath
            .split("/")
            .filter((s) => s !== "")
            .map(decodeSegment);
        const sreq: SandboxRequest = {
            service,
            method,
            path: subPath,
            fullPath,
            segments: decoded.map((s) => s ?? ""),
            query,
            headers: req.headers,
            body,
            baseUrl: `${url}/${service}`,
        };

        let finished = false;
        const record = (status: number, note = ""): void => {
            if (finished) {
                return;
            }
            finished = true;
            const handledMs = performance.now() - arrivedPrecise;
            requests.push({
                service,
                method,
                path: fullPath,
                query: redactQuery(query),
                status,
                at: arrived,
                handledMs,
            });
            log(`${method} ${fullPath} ${status === 0 ? "(no response)" : status} ${Date.now() - arrived}ms${note}`);
        };
        const reply = (response: SandboxResponse, note = ""): void => {
            record(response.status, note);
            send(res, response);
        };
        const destroy = (note: string): void => {
            record(0, note);
            const socket = req.socket;
            if (typeof socket.resetAndDestroy === "function") {
                socket.resetAndDestroy();
            } else {
                socket.destroy();
            }
        };

        if (decoded.some((s) => s === undefined)) {
            reply(emulator.errorResponse(400, sreq, "malformed percent-encoding in path"));
            return;
        }

        const fault = faults.take(service, method, fullPath);
        const when = fault?.when ?? "before";
        if (fault !== undefined && when === "before") {
            if (await applyFault(fault, ` [fault ${fault.kind} before]`, undefined)) {
                return;
            }
        }

        let rateHeaders: Record<string, string> = {};
        if (limiter?.applies(service)) {
            const decision = limiter.take(service);
            const resetAt = Math.ceil(Date.now() / 1000) + decision.resetSeconds;
            if (service === "gitlab") {
                rateHeaders = {
                    "ratelimit-name": "throttle_authenticated_api",
                    "ratelimit-limit": String(decision.limit),
                    "ratelimit-observed": String(decision.limit - decision.remaining),
                    "ratelimit-remaining": String(decision.remaining),
                    "ratelimit-reset": String(resetAt),
                    "ratelimit-resettime": new Date(resetAt * 1000).toUTCString(),
                };
            }
            if (!decision.allowed) {
                const base =
                    service === "gitlab"
                        ? text(429, "Retry later\n")
                        : emulator.errorResponse(429, sreq, "Too many requests");
                reply(
                    {
                        ...base,
                        headers: { ...base.headers, ...rateHeaders, "retry-after": String(decision.retryAfterSeconds) },
                    },
                    " [rate limited]",
                );
                return;
            }
        }

        let response: SandboxResponse;
        try {
            response = emulator.handle(sreq);
        } catch (err) {
            log(`sandbox ${service} handler error: ${err instanceof Error ? err.message : String(err)}`);
            response = emulator.errorResponse(500, sreq);
        }
        response = { ...response, headers: { ...rateHeaders, ...response.headers } };

        if (fault !== undefined && when === "after") {
            const note = ` [fault ${fault.kind} after; handled with ${response.status}]`;
            if (await applyFault(fault, note, response)) {
                return;
            }
        }
        reply(response, fault === undefined ? "" : ` [fault ${fault.kind} before]`);

        /**
         * Applies a fault before the handling (`handled` undefined) or after it (the emulator's answer, which
         * the fault replaces). True when the fault answered (or dropped) the request; false when the normal
         * handling goes on (a `delay` before).
         */
        async function applyFault(
            applied: FaultSpec,
            note: string,
            handled: SandboxResponse | undefined,
        ): Promise<boolean> {
            notifyApplied(applied, {
                service,
                method,
                path: fullPath,
                when: handled === undefined ? "before" : "after",
            });
            switch (applied.kind) {
                case "status":
                    reply(faultStatusResponse(applied, emulator, sreq), note);
                    return true;
                case "timeout":
                    hold(applied, () => destroy(note));
                    return true;
                case "reset":
                    destroy(note);
                    return true;
                case "malformed":
                    reply(malformedResponse(applied, handled), note);
                    return true;
                case "schema":
                    reply(schemaResponse(applied), note);
                    return true;
                case "delay":
                    await sleep(applied.delayMs ?? DEFAULT_DELAY_MS);
                    if (closed) {
                        return true;
                    }
                    if (handled === undefined) {
                        return false;
                    }
                    reply(handled, note);
                    return true;
            }
        }
    }

    /** Tells the fault's `onApplied` (a test waiting for the request) that it took effect. */
    function notifyApplied(fault: FaultSpec, request: AppliedFaultRequest): void {
        try {
            fault.onApplied?.(request);
        } catch (err) {
            log(`sandbox fault onApplied threw: ${err instanceof Error ? err.message : String(err)}`);
        }
    }

    /** Holds the connection without answering, then runs `onTimeout` (which destroys the socket). */
    function hold(fault: FaultSpec, onTimeout: () => void): void {
        const timer = setTimeout(() => {
            timers.delete(timer);
            onTimeout();
        }, fault.delayMs ?? DEFAULT_TIMEOUT_MS);
        timers.add(timer);
    }

    function control(method: string, path: string, body: Buffer): SandboxResponse {
        const route = `${method} ${path.replace(/\/+$/, "")}`;
        const parseJson = (): { ok: true; value: unknown } | { ok: false } => {
            const raw = body.toString("utf8").trim();
            if (raw === "") {
                return { ok: true, value: undefined };
            }
            try {
                return { ok: true, value: JSON.parse(raw) as unknown };
            } catch {
                return { ok: false };
            }
        };
        switch (route) {
            case "GET /_sandbox/state": {
                const counts: Record<string, number> = { total: requests.length };
                for (const s of SERVICE_NAMES) {
                    counts[s] = requests.filter((r) => r.service === s).length;
                }
                return json(200, {
                    url,
                    baseUrls: baseUrls(),
                    now: clock.now().toISOString(),
                    liveTokens: liveTokens(),
                    requestCounts: counts,
                    pendingFaults: faults.pending().length,
                });
            }
            case "GET /_sandbox/requests":
                return json(200, requests);
            case "POST /_sandbox/reset":
                reset();
                return { status: 204 };
            case "POST /_sandbox/faults": {
                const parsed = parseJson();
                if (!parsed.ok) {
                    return json(400, { error: "body must be JSON" });
                }
                const specs = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
                const valid: FaultSpec[] = [];
                for (const raw of specs) {
                    const spec = faultSpecFromJson(raw);
                    if (typeof spec === "string") {
                        return json(400, { error: spec });
                    }
                    valid.push(spec);
                }
                for (const spec of valid) {
                    faults.add(spec);
                }
                return { status: 204 };
            }
            case "DELETE /_sandbox/faults":
                faults.clear();
                return { status: 204 };
            case "GET /_sandbox/tokens":
                return json(200, snapshotTokens());
            case "PUT /_sandbox/tokens": {
                const parsed = parseJson();
                if (!parsed.ok) {
                    return json(400, { error: "body must be JSON" });
                }
                try {
                    restoreTokens(parsed.value);
                } catch (err) {
                    return json(400, { error: err instanceof Error ? err.message : String(err) });
                }
                return { status: 204 };
            }
            case "POST /_sandbox/revoke": {
                const parsed = parseJson();
                if (!parsed.ok || !isRecord(parsed.value)) {
                    return json(400, { error: 'body must be {"service": ..., "id": ...}' });
                }
                const { service, id } = parsed.value;
                if (!isServiceName(service) || (typeof id !== "string" && typeof id !== "number")) {
                    return json(400, { error: 'body must be {"service": "gitlab|gitea|codacy|qovery", "id": ...}' });
                }
                return revokeOutOfBand(service, String(id))
                    ? { status: 204 }
                    : json(404, { error: `no ${service} token ${id}` });
            }
            case "POST /_sandbox/clock": {
                const parsed = parseJson();
                if (!parsed.ok || !isRecord(parsed.value)) {
                    return json(400, { error: 'body must be {"set": "<ISO date>"} and/or {"advanceDays": n}' });
                }
                const { set, advanceDays } = parsed.value;
                if (set !== undefined) {
                    const date = typeof set === "string" ? new Date(set) : new Date(Number.NaN);
                    if (Number.isNaN(date.getTime())) {
                        return json(400, { error: "set must be an ISO date" });
                    }
                    clock.set(date);
                }
                if (advanceDays !== undefined) {
                    if (typeof advanceDays !== "number" || !Number.isFinite(advanceDays)) {
                        return json(400, { error: "advanceDays must be a number" });
                    }
                    clock.advanceDays(advanceDays);
                }
                return json(200, { now: clock.now().toISOString() });
            }
            default:
                return json(404, {
                    error: "unknown control endpoint",
                    endpoints: [
                        "GET /_sandbox/state",
                        "GET /_sandbox/requests",
                        "POST /_sandbox/reset",
                        "POST /_sandbox/faults",
                        "DELETE /_sandbox/faults",
                        "GET /_sandbox/tokens",
                        "PUT /_sandbox/tokens",
                        "POST /_sandbox/revoke",
                        "POST /_sandbox/clock",
                    ],
                });
        }
    }

    const server =
        options.tls === undefined
            ? http.createServer(handler)
            : https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler);
    server.on("connection", (socket: Socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });
    // Faults and client aborts make sockets vanish mid-request; never let that crash the process.
    server.on("clientError", (_err, socket) => {
        socket.destroy();
    });

    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, "127.0.0.1", () => {
            server.off("error", reject);
            resolve();
        });
    });
    const address = server.address();
    if (address === null || typeof address === "string") {
        throw new Error("sandbox: unexpected server address");
    }
    url = `${options.tls === undefined ? "http" : "https"}://127.0.0.1:${address.port}`;

    return {
        url,
        baseUrls: baseUrls(),
        credentials: SEED_CREDENTIALS,
        seed: buildSeedInfo(codacyRepositories),
        requests,
        faults,
        clock: {
            now: () => clock.now(),
            set: (date) => clock.set(date),
            advanceDays: (days) => clock.advanceDays(days),
        },
        reset,
        liveTokens,
        revokeOutOfBand,
        snapshotTokens,
        restoreTokens,
        gitlab: gitlab.accessor,
        gitea: gitea.accessor,
        codacy: codacy.accessor,
        qovery: qovery.accessor,
        close: async () => {
            if (closed) {
                return;
            }
            closed = true;
            for (const timer of timers) {
                clearTimeout(timer);
            }
            timers.clear();
            const done = new Promise<void>((resolve) => server.close(() => resolve()));
            server.closeAllConnections();
            for (const socket of sockets) {
                socket.destroy();
            }
            await done;
        },
    };
}

function faultStatusResponse(fault: FaultSpec, emulator: ServiceEmulator, req: SandboxRequest): SandboxResponse {
    const status = fault.status ?? 500;
    const base: SandboxResponse =
        fault.body === undefined
            ? emulator.errorResponse(status, req)
            : {
                  status,
                  headers: {
                      "content-type": looksLikeJson(fault.body) ? "application/json" : "text/plain; charset=utf-8",
                  },
                  body: fault.body,
              };
    if (fault.retryAfter === undefined) {
        return base;
    }
    return { ...base, headers: { ...base.headers, "retry-after": String(Math.ceil(fault.retryAfter)) } };
}

/** 200 with the real answer cut in half (or a generic truncated object). */
function malformedResponse(fault: FaultSpec, handled: SandboxResponse | undefined): SandboxResponse {
    let body = fault.body;
    if (body === undefined) {
        const real = handled?.body;
        body =
            real !== undefined && real.length > 2
                ? real.slice(0, Math.max(1, Math.floor(real.length / 2)))
                : '{"id": 1, "name": "trunc';
    }
    return { status: 200, headers: { "content-type": "application/json; charset=utf-8" }, body };
}

/** 200 with valid JSON of a shape no endpoint answers. */
function schemaResponse(fault: FaultSpec): SandboxResponse {
    return {
        status: 200,
        headers: { "content-type": "application/json; charset=utf-8" },
        body: fault.body ?? JSON.stringify({ sandbox: "unexpected shape", items: "not-a-list", id: "not-a-number" }),
    };
}

function looksLikeJson(value: string): boolean {
    try {
        JSON.parse(value);
        return true;
    } catch {
        return false;
    }
}

function send(res: http.ServerResponse, response: SandboxResponse): void {
    if (res.destroyed || res.headersSent) {
        return;
    }
    const headers: Record<string, string> = { ...response.headers };
    const noBody = response.status === 204 || response.status === 304;
    const body = noBody ? "" : (response.body ?? "");
    if (!noBody) {
        headers["content-length"] = String(Buffer.byteLength(body));
    }
    res.writeHead(response.status, headers);
    res.end(body);
}

function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let tooLarge = false;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
                tooLarge = true;
                return;
            }
            chunks.push(chunk);
        });
        req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
        req.on("error", () => resolve(Buffer.concat(chunks)));
        req.on("aborted", () => resolve(Buffer.concat(chunks)));
    });
}

function redactQuery(query: URLSearchParams): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of query) {
        out[key] = REDACTED_QUERY_KEYS.has(key.toLowerCase()) ? "[REDACTED]" : value;
    }
    return out;
}
