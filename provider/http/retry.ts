/** How a client retries transient failures. */
export interface RetryPolicy {
    /** Attempts in all, the first included. */
    maxAttempts: number;
    /** First backoff step; doubles on each retry (full jitter). */
    baseDelayMs: number;
    /** Cap of one backoff step when the server gives no Retry-After. */
    maxDelayMs: number;
    /** Give up rather than wait past this much time in all (Retry-After included). */
    maxTotalMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
    maxAttempts: 6,
    baseDelayMs: 300,
    maxDelayMs: 20_000,
    maxTotalMs: 120_000,
};

/** Statuses worth retrying: rate limits and gateway trouble. A 500 is retried only for idempotent calls. */
export const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** Network errors after which the same request may succeed. */
export const RETRYABLE_NETWORK_CODES = new Set([
    "ECONNRESET",
    "ECONNREFUSED",
    "ECONNABORTED",
    "ETIMEDOUT",
    "EPIPE",
    "EAI_AGAIN",
    "ERR_SOCKET_CONNECTION_TIMEOUT",
    "ERR_BAD_RESPONSE",
]);

/** Network errors after which the server may have carried out the request although we saw no answer. */
export const AMBIGUOUS_NETWORK_CODES = new Set([
    "ECONNRESET",
    "ECONNABORTED",
    "ETIMEDOUT",
    "EPIPE",
    "ERR_BAD_RESPONSE",
]);

/**
 * Delay before the next attempt, in ms. A server's own instruction wins (`Retry-After` as seconds or an
 * HTTP date, else GitLab's `RateLimit-Reset` epoch seconds); otherwise exponential backoff with full jitter.
 */
export function backoffDelayMs(
    attempt: number,
    policy: RetryPolicy,
    headers: Record<string, string | undefined>,
    now: number = Date.now(),
    random: () => number = Math.random,
): number {
    const fromServer = serverRequestedDelayMs(headers, now);
    if (fromServer !== undefined) {
        // A little jitter on top keeps many clients from returning in the same millisecond.
        return fromServer + Math.floor(random() * 250);
    }
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.max(50, Math.floor(random() * ceiling));
}

export function serverRequestedDelayMs(headers: Record<string, string | undefined>, now: number): number | undefined {
    const retryAfter = headers["retry-after"];
    if (retryAfter !== undefined && retryAfter.trim() !== "") {
        const seconds = Number(retryAfter);
        if (Number.isFinite(seconds)) {
            return Math.max(0, seconds * 1000);
        }
        const date = Date.parse(retryAfter);
        if (!Number.isNaN(date)) {
            return Math.max(0, date - now);
        }
    }
    const reset = headers["ratelimit-reset"];
    if (reset !== undefined && /^\d+$/.test(reset.trim())) {
        const epochMs = Number(reset) * 1000;
        if (epochMs > now) {
            return epochMs - now;
        }
    }
    return undefined;
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
