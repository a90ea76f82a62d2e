/**
 * The sandbox clock: real time (or `options.now`) plus an offset that tests can move.
 * Token expiry, `created_at` and `updated_at` use it; the rate limiter and request timestamps do not.
 */
export interface SandboxClockApi {
    now(): Date;
    /** From now on `now()` returns `date` plus the time elapsed since this call. */
    set(date: Date): void;
    advanceDays(days: number): void;
}

export class SandboxClock implements SandboxClockApi {
    private offsetMs = 0;

    constructor(private readonly base: () => Date = () => new Date()) {}

    now(): Date {
        return new Date(this.base().getTime() + this.offsetMs);
    }

    set(date: Date): void {
        if (Number.isNaN(date.getTime())) {
            throw new Error("clock.set: invalid date");
        }
        this.offsetMs = date.getTime() - this.base().getTime();
    }

    advanceDays(days: number): void {
        if (!Number.isFinite(days)) {
            throw new Error("clock.advanceDays: not a finite number");
        }
        this.offsetMs += days * 86_400_000;
    }

    reset(): void {
        this.offsetMs = 0;
    }
}
