/**
 * Fault injection and the optional rate limiter.
 */
import { isRecord } from "./util";
import { isServiceName, type ServiceName } from "./types";

export type FaultKind = "status" | "timeout" | "delay" | "reset" | "malformed" | "schema";

export const FAULT_KINDS: readonly FaultKind[] = ["status", "timeout", "delay", "reset", "malformed", "schema"];

export interface FaultSpec {
    /** Only requests to this service (default: any). */
    service?: ServiceName;
    /** Only this HTTP method, case-insensitive (default: any). */
    method?: string;
    /** Substring of (or RegExp tested against) the full request path without the query, e.g. `/gitlab/api/v4/...`. */
    path?: string | RegExp;
    /** How many matching requests it affects (default 1; `Infinity`, or any number < 0, for all). */
    times?: number;
    /**
     * `before` (default): the fault replaces the handling (nothing changes).
     * `after`: the request is handled (state changes, e.g. a token IS created), then the answer is
     * replaced by the fault: models a lost response.
     */
    when?: "before" | "after";
    /**
     * - `status`: answer `status` (default 500) with `body` or the service's usual error body;
     *   `retryAfter` (seconds) adds a `Retry-After` header.
     * - `timeout`: never answer: hold the socket for `delayMs` (default 30 000), then destroy it.
     * - `delay`: answer normally after `delayMs` (default 1 000).
     * - `reset`: destroy the socket at once.
     * - `malformed`: 200 with a truncated JSON body.
     * - `schema`: 200 with valid JSON of the wrong shape (`body` overrides it).
     */
    kind: FaultKind;
    status?: number;
    retryAfter?: number;
    body?: string;
    delayMs?: number;
    /**
     * In-process only: called when the fault takes effect on a request, i.e. `before`: the request arrived
     * and nothing was done; `after`: the service acted and its answer is being replaced. With `timeout` the
     * request is then held open, so a test can act (e.g. kill the client) at exactly that point.
     */
    onApplied?: (request: AppliedFaultRequest) => void;
}

/** The request a fault took effect on (see `FaultSpec.onApplied`). */
export interface AppliedFaultRequest {
    service: ServiceName;
    method: string;
    /** Full path without the query. */
    path: string;
    when: "before" | "after";
}

export interface FaultController {
    add(spec: FaultSpec): void;
    clear(): void;
    /** Faults not used up yet, in the order they were added. */
    pending(): readonly FaultSpec[];
}

interface ArmedFault {
    spec: FaultSpec;
    remaining: number;
}

export class Faults implements FaultController {
    private armed: ArmedFault[] = [];

    add(spec: FaultSpec): void {
        const problem = validateFaultSpec(spec);
        if (problem !== undefined) {
            throw new Error(`invalid fault spec: ${problem}`);
        }
        const times = spec.times ?? 1;
        this.armed.push({ spec: { ...spec }, remaining: times < 0 ? Number.POSITIVE_INFINITY : times });
    }

    clear(): void {
        this.armed = [];
    }

    pending(): readonly FaultSpec[] {
        return this.armed.map((a) => a.spec);
    }

    /** The first armed fault matching the request, consumed once; undefined when none. */
    take(service: ServiceName, method: string, path: string): FaultSpec | undefined {
        for (let i = 0; i < this.armed.length; i++) {
            const armed = this.armed[i];
            if (armed === undefined || !matches(armed.spec, service, method, path)) {
                continue;
            }
            armed.remaining -= 1;
            if (armed.remaining <= 0) {
                this.armed.splice(i, 1);
            }
            return armed.spec;
        }
        return undefined;
    }
}

function matches(spec: FaultSpec, service: ServiceName, method: string, path: string): boolean {
    if (spec.service !== undefined && spec.service !== service) {
        return false;
    }
    if (spec.method !== undefined && spec.method.toUpperCase() !== method.toUpperCase()) {
        return false;
    }
    if (spec.path !== undefined) {
        if (typeof spec.path === "string") {
            return path.includes(spec.path);
        }
        spec.path.lastIndex = 0;
        return spec.path.test(path);
    }
    return true;
}

function validateFaultSpec(spec: FaultSpec): string | undefined {
    if (!FAULT_KINDS.includes(spec.kind)) {
        return `kind must be one of ${FAULT_KINDS.join(", ")}`;
    }
    if (spec.service !== undefined && !isServiceName(spec.service)) {
        return `unknown service ${String(spec.service)}`;
    }
    if (spec.times !== undefined && (Number.isNaN(spec.times) || spec.times === 0)) {
        return "times must be a positive number (or negative / Infinity for unlimited)";
    }
    if (spec.when !== undefined && spec.when !== "before" && spec.when !== "after") {
        return 'when must be "before" or "after"';
    }
    if (spec.status !== undefined && (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599)) {
        return "status must be an HTTP status code";
    }
    if (spec.delayMs !== undefined && (!Number.isFinite(spec.delayMs) || spec.delayMs < 0)) {
        return "delayMs must be a non-negative number";
    }
    if (spec.retryAfter !== undefined && (!Number.isFinite(spec.retryAfter) || spec.retryAfter < 0)) {
        return "retryAfter must be a non-negative number of seconds";
    }
    if (spec.onApplied !== undefined && typeof spec.onApplied !== "function") {
        return "onApplied must be a function";
    }
    return undefined;
}

/**
 * A fault spec from JSON (the `POST /_sandbox/faults` body). `pathRegex` (a string) stands for a RegExp
 * `path`; `times: -1` means unlimited.
 */
export function faultSpecFromJson(value: unknown): FaultSpec | string {
    if (!isRecord(value)) {
        return "body must be a JSON object";
    }
    const { service, method, path, pathRegex, times, when, kind, status, retryAfter, body, delayMs } = value;
    if (typeof kind !== "string" || !(FAULT_KINDS as readonly string[]).includes(kind)) {
        return `kind must be one of ${FAULT_KINDS.join(", ")}`;
    }
    const spec: FaultSpec = { kind: kind as FaultKind };
    if (service !== undefined) {
        if (!isServiceName(service)) {
            return "service must be gitlab, gitea, codacy or qovery";
        }
        spec.service = service;
    }
    if (method !== undefined) {
        if (typeof method !== "string") {
            return "method must be a string";
        }
        spec.method = method;
    }
    if (path !== undefined && pathRegex !== undefined) {
        return "give path or pathRegex, not both";
    }
    if (path !== undefined) {
        if (typeof path !== "string") {
            return "path must be a string";
        }
        spec.path = path;
    }
    if (pathRegex !== undefined) {
        if (typeof pathRegex !== "string") {
            return "pathRegex must be a string";
        }
        try {
            spec.path = new RegExp(pathRegex);
        } catch (err) {
            return `pathRegex: ${err instanceof Error ? err.message : String(err)}`;
        }
    }
    if (when !== undefined) {
        if (when !== "before" && when !== "after") {
            return 'when must be "before" or "after"';
        }
        spec.when = when;
    }
    for (const [name, raw] of [
        ["times", times],
        ["status", status],
        ["retryAfter", retryAfter],
        ["delayMs", delayMs],
    ] as const) {
        if (raw === undefined) {
            continue;
        }
        if (typeof raw !== "number") {
            return `${name} must be a number`;
        }
        spec[name] = raw;
    }
    if (body !== undefined) {
        if (typeof body !== "string") {
            return "body must be a string";
        }
        spec.body = body;
    }
    const problem = validateFaultSpec(spec);
    return problem ?? spec;
}

export interface RateLimitOptions {
    requestsPerSecond: number;
    /** Bucket size (default: `requestsPerSecond`, at least 1). */
    burst?: number;
    /** Services to limit (default: all). */
    services?: ServiceName[];
}

export type RateDecision =
    | { allowed: true; limit: number; remaining: number; resetSeconds: number }
    | { allowed: false; limit: number; remaining: 0; retryAfterSeconds: number; resetSeconds: number };

/** A token bucket per service, on real (monotonic) time. */
export class RateLimiter {
    private readonly buckets = new Map<ServiceName, { tokens: number; updated: number }>();
    private readonly capacity: number;
    private readonly rate: number;

    constructor(
        private readonly options: RateLimitOptions,
        private readonly monotonicMs: () => number = () => performance.now(),
    ) {
        if (!(options.requestsPerSecond > 0) || !Number.isFinite(options.requestsPerSecond)) {
            throw new Error("rateLimit.requestsPerSecond must be a positive number");
        }
        this.rate = options.requestsPerSecond;
        this.capacity = Math.max(1, options.burst ?? options.requestsPerSecond);
    }

    applies(service: ServiceName): boolean {
        return this.options.services === undefined || this.options.services.includes(service);
    }

    take(service: ServiceName): RateDecision {
        const now = this.monotonicMs();
        const bucket = this.buckets.get(service) ?? { tokens: this.capacity, updated: now };
        bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.updated) / 1000) * this.rate);
        bucket.updated = now;
        this.buckets.set(service, bucket);
        const limit = Math.floor(this.capacity);
        const resetSeconds = Math.max(1, Math.ceil((this.capacity - bucket.tokens) / this.rate));
        if (bucket.tokens >= 1) {
            bucket.tokens -= 1;
            return { allowed: true, limit, remaining: Math.floor(bucket.tokens), resetSeconds };
        }
        const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate));
        return { allowed: false, limit, remaining: 0, retryAfterSeconds, resetSeconds };
    }

    reset(): void {
        this.buckets.clear();
    }
}
