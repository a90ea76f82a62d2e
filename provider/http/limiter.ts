import { z } from "zod";
import { ConfigurationError } from "./errors";

/**
 * Client-side throttling shared by every request to one API root in this Node process. In a Pulumi
 * deployment all dynamic resources run in the same provider process, so hundreds of tokens of one service
 * share one limiter: at most `maxConcurrency` requests in flight, optionally no more than
 * `requestsPerSecond` started per second, and a rate-limit answer (429, or 503 with `Retry-After`) pauses
 * every request to that API until the time the server asked for. After a pause the requests resume one at a
 * time, and each answer lets one more in flight, back up to `maxConcurrency` (slow start): a server whose
 * bucket has just refilled is not hit by every waiting request at once.
 */
export interface ApiLimits {
    /** Requests in flight at once to one API root. */
    maxConcurrency: number;
    /** Steady pace: at most this many requests started per second. Unset: no pacing (the server's 429s rule). */
    requestsPerSecond?: number | undefined;
}

/** Concurrency when nothing is configured: gentle on the service, fast enough for hundreds of tokens. */
export const DEFAULT_MAX_CONCURRENCY = 4;

export const DEFAULT_API_LIMITS: ApiLimits = { maxConcurrency: DEFAULT_MAX_CONCURRENCY };

/** Permission to send one request; `release` it when the answer (or the failure) is in. */
export interface Permit {
    /** Time spent waiting for a slot, a shared pause or the pace, in ms. */
    readonly waitedMs: number;
    /**
     * Gives the slot back. `pauseForMs`: the answer was a rate limit; hold every request to this API back that
     * long (the server's `Retry-After`) and resume them one at a time.
     */
    release(outcome?: { pauseForMs?: number }): void;
}

export interface LimiterStats {
    /** Requests holding a slot now. */
    active: number;
    /** Requests waiting for a slot. */
    queued: number;
    /** Most requests ever in flight at once. */
    peakConcurrency: number;
    /** Requests allowed in flight right now (below `maxConcurrency` while slow-starting after a pause). */
    window: number;
    /** Epoch ms until which requests are held back after a rate-limit answer (0: never paused). */
    pausedUntil: number;
    /** How many times a rate-limit answer paused this API. */
    pauses: number;
}

/** Semaphore + shared pause + slow start + optional pace, for one API root. */
export class ApiLimiter {
    private limits: ApiLimits;
    private active = 0;
    private peak = 0;
    /** Requests allowed in flight now: 1 after a pause, one more per answer, up to `maxConcurrency`. */
    private window: number;
    private pausedUntil = 0;
    private pauses = 0;
    private resumeTimer: NodeJS.Timeout | undefined;
    private nextStartAt = 0;
    /**
     * Without a configured pace, the pace the server turned out to sustain: learned from the starts between two
     * rate-limit answers, so that after the first 429s requests flow at about the server's rate instead of
     * bursting into the next 429 and waiting out a whole-second `Retry-After`. Creeps up while no 429 comes.
     */
    private learnedRate: number | undefined;
    private lastLearnedAt = 0;
    /** When answers that were not rate limits came back, over the last seconds, for learning the pace. */
    private readonly recentAnswers: number[] = [];
    /** Retries of requests already under way go first: they have waited once already. */
    private readonly urgent: Array<() => void> = [];
    private readonly waiting: Array<() => void> = [];

    constructor(
        limits: Partial<ApiLimits> = {},
        private readonly clock: () => number = Date.now,
    ) {
        this.limits = normalizeLimits(limits);
        this.window = this.limits.maxConcurrency;
    }

    /** Changes the limits (the last client made for this API root wins); waiting requests are let in if room. */
    configure(limits: Partial<ApiLimits>): void {
        this.limits = normalizeLimits(limits);
        this.admitWaiters();
    }

    get settings(): Readonly<ApiLimits> {
        return this.limits;
    }

    stats(): LimiterStats {
        return {
            active: this.active,
            queued: this.urgent.length + this.waiting.length,
            peakConcurrency: this.peak,
            window: this.allowed(),
            pausedUntil: this.pausedUntil,
            pauses: this.pauses,
        };
    }

    /**
     * Waits for a slot (none is handed out during a pause), then for the pace. `urgent` (a retry) jumps the
     * queue of requests that have not been sent yet.
     */
    async acquire(options: { urgent?: boolean } = {}): Promise<Permit> {
        const started = this.clock();
        if (!this.isPaused() && this.active < this.allowed() && this.urgent.length === 0 && this.waiting.length === 0) {
            this.take();
        } else {
            // admitWaiters() counts our slot before it wakes us up (at once if there is room, else on a release
            // or when the pause ends).
            await new Promise<void>((resolve) => {
                (options.urgent ? this.urgent : this.waiting).push(resolve);
                this.admitWaiters();
            });
        }
        await this.waitForPace();
        let released = false;
        return {
            waitedMs: this.clock() - started,
            release: (outcome = {}) => {
                if (released) {
                    return;
                }
                released = true;
                this.active--;
                if (outcome.pauseForMs !== undefined) {
                    this.pauseFor(outcome.pauseForMs);
                } else {
                    this.recordAnswer();
                    // An answer came back: one more request may be in flight.
                    this.window = Math.min(this.window + 1, this.limits.maxConcurrency);
                }
                this.admitWaiters();
            },
        };
    }

    /**
     * Holds every request to this API back for `ms` (a server's `Retry-After`; never shortens a pause), then
     * lets them go one at a time, each answer letting one more in flight.
     */
    pauseFor(ms: number): void {
        this.learnPace();
        const until = this.clock() + Math.max(0, ms);
        if (until > this.pausedUntil) {
            this.pausedUntil = until;
            this.pauses++;
        }
        this.window = 1;
        this.admitWaiters();
    }

    /** The pace learned so far (starts per second), if any: for tests and benchmarks. */
    get learnedPace(): number | undefined {
        return this.learnedRate;
    }

    private recordAnswer(): void {
        const now = this.clock();
        this.recentAnswers.push(now);
        while (this.recentAnswers.length > 0 && this.recentAnswers[0]! < now - LEARNING_WINDOW_MS) {
            this.recentAnswers.shift();
        }
    }

    /**
     * On a rate-limit answer: while requests keep hitting the limit, the answers that got through over the last
     * seconds are what the server sustains. Pace a little under that.
     */
    private learnPace(): void {
        if (this.limits.requestsPerSecond !== undefined) {
            return;
        }
        const now = this.clock();
        const since = Math.max(this.recentAnswers[0] ?? now, now - LEARNING_WINDOW_MS);
        const seconds = (now - since) / 1000;
        const answered = this.recentAnswers.filter((t) => t >= since).length;
        if (seconds >= 2 && answered >= 5) {
            this.learnedRate = (0.95 * answered) / seconds;
            this.lastLearnedAt = now;
        }
    }

    private isPaused(): boolean {
        return this.pausedUntil > this.clock();
    }

    private allowed(): number {
        return Math.min(this.window, this.limits.maxConcurrency);
    }

    private take(): void {
        this.active++;
        this.peak = Math.max(this.peak, this.active);
    }

    /** Gives free slots to the next waiters, retries first; during a pause, wakes up when it ends. */
    private admitWaiters(): void {
        if (this.isPaused()) {
            if (this.resumeTimer === undefined && this.urgent.length + this.waiting.length > 0) {
                this.resumeTimer = setTimeout(
                    () => {
                        this.resumeTimer = undefined;
                        this.admitWaiters();
                    },
                    Math.max(1, this.pausedUntil - this.clock()),
                );
            }
            return;
        }
        while (this.active < this.allowed()) {
            const next = this.urgent.shift() ?? this.waiting.shift();
            if (next === undefined) {
                return;
            }
            this.take();
            next();
        }
    }

    /** With `requestsPerSecond`, spaces the starts evenly (the slot is held meanwhile). */
    private async waitForPace(): Promise<void> {
        const now = this.clock();
        if (this.learnedRate !== undefined && now - this.lastLearnedAt > 5_000) {
            // No rate-limit answer for a while: try a little faster.
            this.learnedRate *= 1.05;
            this.lastLearnedAt = now;
        }
        const rate = this.limits.requestsPerSecond ?? this.learnedRate;
        if (rate === undefined) {
            return;
        }
        const at = Math.max(now, this.nextStartAt);
        this.nextStartAt = at + 1000 / rate;
        if (at > now) {
            await sleepMs(at - now);
        }
    }
}

/** How far back answers count when learning the pace a server sustains. */
const LEARNING_WINDOW_MS = 10_000;

function sleepMs(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.ceil(ms)));
}

function normalizeLimits(limits: Partial<ApiLimits>): ApiLimits {
    const maxConcurrency = Math.max(1, Math.floor(limits.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY));
    const rate = limits.requestsPerSecond;
    return rate !== undefined && rate > 0 ? { maxConcurrency, requestsPerSecond: rate } : { maxConcurrency };
}

/** One limiter per API root for the whole process (module state: every client of that API shares it). */
const LIMITERS = new Map<string, ApiLimiter>();

/**
 * The process-wide limiter of an API root (e.g. `https://app.codacy.com/api/v3`). Limits given here replace
 * the previous ones; without limits an existing limiter is kept as it is.
 */
export function limiterFor(apiRoot: string, limits?: Partial<ApiLimits>): ApiLimiter {
    const key = apiRoot.replace(/\/+$/, "");
    let limiter = LIMITERS.get(key);
    if (limiter === undefined) {
        limiter = new ApiLimiter(limits);
        LIMITERS.set(key, limiter);
    } else if (limits !== undefined) {
        limiter.configure(limits);
    }
    return limiter;
}

/** Forgets every limiter (tests). */
export function resetLimiters(): void {
    LIMITERS.clear();
}

const positiveInt = z.coerce.number().int().min(1).max(1000);
const positiveRate = z.coerce.number().positive().max(100_000);

/**
 * Reads limits from their textual settings (stack config or environment). `name` tells, for an error, where
 * a setting comes from, e.g. `codacy:maxConcurrency (or CODACY_MAX_CONCURRENCY)`.
 */
export function parseApiLimits(
    values: { maxConcurrency?: string | undefined; requestsPerSecond?: string | undefined },
    name: (setting: "maxConcurrency" | "requestsPerSecond") => string,
): ApiLimits {
    const limits: ApiLimits = { maxConcurrency: DEFAULT_MAX_CONCURRENCY };
    if (values.maxConcurrency !== undefined && values.maxConcurrency.trim() !== "") {
        const parsed = positiveInt.safeParse(values.maxConcurrency.trim());
        if (!parsed.success) {
            throw new ConfigurationError(
                `Invalid ${name("maxConcurrency")} "${values.maxConcurrency}": expected a whole number from 1 to 1000.`,
            );
        }
        limits.maxConcurrency = parsed.data;
    }
    if (values.requestsPerSecond !== undefined && values.requestsPerSecond.trim() !== "") {
        const parsed = positiveRate.safeParse(values.requestsPerSecond.trim());
        if (!parsed.success) {
            throw new ConfigurationError(
                `Invalid ${name("requestsPerSecond")} "${values.requestsPerSecond}": expected a positive number of requests per second.`,
            );
        }
        limits.requestsPerSecond = parsed.data;
    }
    return limits;
}
