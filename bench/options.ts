// Knobs of `npm run bench`, all from the environment so a quick run needs no flags.
import { RATE_MODES, type RateMode } from "./ratelimit";

export const SECTIONS = ["state", "engine", "rate", "scale", "native"] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
    /** Sections to run (`BENCH_ONLY=state,engine`); all by default. */
    sections: Section[];
    /** Tokens (and no-op resources) in the engine-overhead stacks (`BENCH_N`, default 50). */
    n: number;
    /** Runs of the engine-overhead series; medians are reported (`BENCH_RUNS`, default 5). */
    runs: number;
    /** Resources per kind in the state-size stacks (`BENCH_STATE_K`, default 10). */
    stateK: number;
    /** Repositories of the organization in the rate-limit run (`BENCH_RATE_REPOS`, default 250). */
    rateRepos: number;
    /** Requests per second the sandbox allows Codacy in the rate-limit run (`BENCH_RATE_RPS`, default 5). */
    rateRps: number;
    /** Sandbox bucket size in the rate-limit run (`BENCH_RATE_BURST`, default: one second of requests). */
    rateBurst: number;
    /** Throttling settings to run the rate-limit benchmark with (`BENCH_RATE_MODES`, default reactive,paced). */
    rateModes: RateMode[];
    /** Tokens (and no-op resources) in the scale stacks (`BENCH_SCALE_N`, default 1000). */
    scaleN: number;
    /** Runs of the scale series (`BENCH_SCALE_RUNS`; default BENCH_RUNS when that is given, else 1). */
    scaleRuns: number;
    /**
     * `refresh` runs this many times in a row in each run of items 2, 6 and 10, and the run counts their median
     * (`BENCH_REFRESH_SAMPLES`, default 5): it is the shortest operation (2 to 4 s), so one slow moment of the
     * machine moved a single sample by 15 % and the ratio with it.
     */
    refreshSamples: number;
    /** Runs of item 10, the native plugin against the dynamic resources and the no-op floor (`BENCH_NATIVE_RUNS`, default 3). */
    nativeRuns: number;
    /** RSS sampling interval of the dynamic-provider process in ms (`BENCH_RSS_INTERVAL_MS`, default 50). */
    rssIntervalMs: number;
    /**
     * Where the report goes (`BENCH_OUT`): BENCHMARKS.md at the repository root for a run of every section;
     * a partial run (`BENCH_ONLY`) only prints it unless BENCH_OUT is given. `-` prints only. (`BENCH_JSON=file`
     * also writes the raw results.)
     */
    out: string | undefined;
}

/** Item 10's runs by default: four stacks per run make each run twice item 2's. */
export const DEFAULT_NATIVE_RUNS = 3;

/** `refresh` samples per run (see `refreshSamples`). */
export const DEFAULT_REFRESH_SAMPLES = 5;

/** One series of 1,000 tokens and 1,000 no-op resources takes several minutes on a 2-core machine. */
export const DEFAULT_SCALE_RUNS = 1;

function positiveInteger(name: string, fallback: number): number {
    const raw = process.env[name];
    if (raw === undefined || raw === "") {
        return fallback;
    }
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) {
        throw new Error(`${name} must be a positive integer, not ${JSON.stringify(raw)}`);
    }
    return value;
}

function positiveNumber(name: string, fallback: number): number {
    const raw = process.env[name];
    if (raw === undefined || raw === "") {
        return fallback;
    }
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) {
        throw new Error(`${name} must be a positive number, not ${JSON.stringify(raw)}`);
    }
    return value;
}

function sections(): Section[] {
    const raw = process.env.BENCH_ONLY;
    if (raw === undefined || raw.trim() === "") {
        return [...SECTIONS];
    }
    const wanted = raw.split(",").map((s) => s.trim());
    for (const name of wanted) {
        if (!(SECTIONS as readonly string[]).includes(name)) {
            throw new Error(`BENCH_ONLY: unknown section ${JSON.stringify(name)} (known: ${SECTIONS.join(", ")})`);
        }
    }
    return SECTIONS.filter((s) => wanted.includes(s));
}

function rateModes(): RateMode[] {
    const raw = process.env.BENCH_RATE_MODES;
    if (raw === undefined || raw.trim() === "") {
        return [...RATE_MODES];
    }
    const wanted = raw.split(",").map((s) => s.trim());
    for (const name of wanted) {
        if (!(RATE_MODES as readonly string[]).includes(name)) {
            throw new Error(`BENCH_RATE_MODES: unknown mode ${JSON.stringify(name)} (known: ${RATE_MODES.join(", ")})`);
        }
    }
    return RATE_MODES.filter((m) => wanted.includes(m));
}

export function readOptions(defaultOut: string): BenchOptions {
    const chosen = sections();
    const rateRps = positiveNumber("BENCH_RATE_RPS", 5);
    const explicitOut = process.env.BENCH_OUT;
    const out =
        explicitOut === "-"
            ? undefined
            : explicitOut !== undefined && explicitOut !== ""
              ? explicitOut
              : chosen.length === SECTIONS.length
                ? defaultOut
                : undefined;
    return {
        sections: chosen,
        n: positiveInteger("BENCH_N", 50),
        runs: positiveInteger("BENCH_RUNS", 5),
        stateK: positiveInteger("BENCH_STATE_K", 10),
        rateRepos: positiveInteger("BENCH_RATE_REPOS", 250),
        rateRps,
        rateBurst: positiveInteger("BENCH_RATE_BURST", Math.max(1, Math.round(rateRps))),
        rateModes: rateModes(),
        scaleN: positiveInteger("BENCH_SCALE_N", 1000),
        scaleRuns: positiveInteger("BENCH_SCALE_RUNS", positiveInteger("BENCH_RUNS", DEFAULT_SCALE_RUNS)),
        nativeRuns: positiveInteger("BENCH_NATIVE_RUNS", DEFAULT_NATIVE_RUNS),
        refreshSamples: positiveInteger("BENCH_REFRESH_SAMPLES", DEFAULT_REFRESH_SAMPLES),
        rssIntervalMs: positiveInteger("BENCH_RSS_INTERVAL_MS", 50),
        out,
    };
}

/** The environment knobs that differ from the defaults, as `NAME=value` words (for the report). */
export function knobsInEffect(): string[] {
    return Object.entries(process.env)
        .filter(([name, value]) => name.startsWith("BENCH_") && value !== undefined && value !== "")
        .map(([name, value]) => `${name}=${value ?? ""}`)
        .sort();
}
