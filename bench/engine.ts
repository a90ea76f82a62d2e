// 2. Engine overhead (wall time of up/no-op up/refresh/destroy of N tokens against N no-op resources),
// 4. API calls per operation (the sandbox counts them) and 5. peak memory of the dynamic-provider process.
import * as os from "node:os";
import { type Sandbox, sandboxStackConfig } from "../test/sandbox";
import { measureUnitCosts, type UnitCosts } from "./costs";
import { type RssPeak, RssSampler } from "./rss";
import { median, timed } from "./stats";
import {
    type BenchStack,
    benchStack,
    countRequests,
    expectChanges,
    log,
    mixedTokens,
    type RequestCounts,
} from "./stacks";

/** The goal: each operation on tokens takes at most this many times as long as on no-op resources. */
export const ENGINE_GOAL_RATIO = 1.3;

export const OPS = ["create", "noop-up", "refresh", "destroy"] as const;
export type Op = (typeof OPS)[number];
/**
 * The stacks compared: dynamic tokens, no-op dynamic resources, and (item 10) tokens through the native plugin from
 * a YAML program and from a TypeScript one.
 */
export type Program = "tokens" | "noop" | "native" | "native-ts";

export const OP_LABEL: Record<Op, string> = {
    create: "`up` (create N)",
    "noop-up": "`up` (no change)",
    refresh: "`refresh`",
    destroy: "`destroy`",
};

export interface RunTiming {
    run: number;
    program: Program;
    ms: Record<Op, number>;
    /** Each `refresh` of the run, in order (`ms.refresh` is their median). */
    refreshSamplesMs: number[];
    /** 1-minute load average when the series began and when it ended (what else ran on the machine). */
    load?: { before: number; after: number };
}

export interface OpSummary {
    op: Op;
    tokensMs: number;
    noopMs: number;
    /** Median tokens time ÷ median no-op time. */
    ratio: number;
    /** Tokens ÷ no-op within each run (the two stacks ran back to back), in run order. */
    runRatios: number[];
}

export interface EngineResult {
    n: number;
    runs: number;
    timings: RunTiming[];
    medians: OpSummary[];
    /** Requests per operation of the token stack, first run. */
    requests: Record<Op, RequestCounts>;
    /** Whether every run made the same number of requests per operation. */
    requestsStable: boolean;
    rss: RssPeak[];
    /** Isolated costs that explain part of the difference. */
    unitCosts: UnitCosts;
    rssIntervalMs: number;
    rssMedianGapMs: number;
}

/**
 * One stack through create → no-change `up` → `refresh` (`refreshSamples` times in a row, their median counted) →
 * `destroy` as run `run`: timed, with the machine's load before and after, its requests counted (of the first
 * `refresh`).
 */
export async function series(
    run: number,
    section: string,
    target: BenchStack,
    program: Program,
    n: number,
    sandbox: Sandbox,
    rss: RssSampler,
    afterCreate: (() => void) | undefined,
    refreshSamples: number,
): Promise<{ timing: RunTiming; requests: Record<Op, RequestCounts> }> {
    const loadBefore = os.loadavg()[0] ?? 0;
    const ms = {} as Record<Op, number>;
    const requests = {} as Record<Op, RequestCounts>;
    let refreshSamplesMs: number[] = [];
    for (const op of OPS) {
        const what = `${program} ${op}`;
        const samplesMs: number[] = [];
        for (let sample = 1; sample <= (op === "refresh" ? refreshSamples : 1); sample++) {
            sandbox.requests.length = 0;
            rss.label(`${program}:${op}`);
            const { ms: took, value: ops } = await timed(async () => {
                switch (op) {
                    case "create":
                    case "noop-up":
                        return (await target.stack.up()).summary.resourceChanges;
                    case "refresh":
                        return (await target.stack.refresh()).summary.resourceChanges;
                    case "destroy":
                        return (await target.stack.destroy()).summary.resourceChanges;
                }
            });
            rss.label("");
            samplesMs.push(took);
            if (sample === 1) {
                requests[op] = countRequests(sandbox.requests);
            }
            if (op === "create") {
                expectChanges(what, ops, { create: n + 1 });
                afterCreate?.();
            } else if (op === "noop-up") {
                expectChanges(what, ops, {});
            } else if (op === "refresh") {
                if ((ops?.delete ?? 0) > 0) {
                    throw new Error(`${what}: refresh dropped ${ops?.delete} resources`);
                }
            } else {
                expectChanges(what, ops, { delete: n + 1 });
            }
        }
        ms[op] = median(samplesMs);
        if (op === "refresh") {
            refreshSamplesMs = samplesMs;
        }
        const samples =
            samplesMs.length > 1 ? ` (median of ${samplesMs.map((t) => (t / 1000).toFixed(2)).join(", ")})` : "";
        log(`${section}: ${what}: ${(ms[op] / 1000).toFixed(2)} s${samples}, ${requests[op].total} requests`);
    }
    const timing = { run, program, ms, refreshSamplesMs, load: { before: loadBefore, after: os.loadavg()[0] ?? 0 } };
    return { timing, requests };
}

/** What `runs` alternating series of a token stack and a no-op stack of `n` resources measured. */
export interface Comparison {
    timings: RunTiming[];
    medians: OpSummary[];
    /** Requests per operation of the token stack, first run. */
    requests: Record<Op, RequestCounts>;
    /** Whether every run made the same number of requests per operation. */
    requestsStable: boolean;
}

/**
 * Takes the token stack (mixed kinds) and the no-op stack of `n` resources each through create → no-change
 * `up` → `refresh` → `destroy`, `runs` times, alternating which goes first. Shared by items 2 and 6.
 */
export async function compareWithNoop(
    section: string,
    sandbox: Sandbox,
    tokens: BenchStack,
    noop: BenchStack,
    n: number,
    runs: number,
    rss: RssSampler,
    refreshSamples: number,
    /** Called between each stack's first create and its next operation (untimed). */
    afterFirstCreate?: (program: Program) => void,
): Promise<Comparison> {
    const timings: RunTiming[] = [];
    let first: Record<Op, RequestCounts> | undefined;
    let stable = true;
    for (let run = 1; run <= runs; run++) {
        // Alternate which program goes first, so a drift of the machine does not favour one side.
        const order: Program[] = run % 2 === 1 ? ["tokens", "noop"] : ["noop", "tokens"];
        for (const program of order) {
            log(`${section}: run ${run}/${runs}, ${program}`);
            const hook = run === 1 && afterFirstCreate ? () => afterFirstCreate(program) : undefined;
            const target = program === "tokens" ? tokens : noop;
            const outcome = await series(run, section, target, program, n, sandbox, rss, hook, refreshSamples);
            timings.push(outcome.timing);
            if (program === "tokens") {
                if (first === undefined) {
                    first = outcome.requests;
                } else {
                    stable &&= OPS.every((op) => outcome.requests[op].total === first?.[op].total);
                }
            }
        }
    }
    const medians = OPS.map((op) => {
        const tokensMs = median(timings.filter((t) => t.program === "tokens").map((t) => t.ms[op]));
        const noopMs = median(timings.filter((t) => t.program === "noop").map((t) => t.ms[op]));
        const runRatios = Array.from({ length: runs }, (_, i) => {
            const of = (program: Program) => timings.find((t) => t.run === i + 1 && t.program === program)!.ms[op];
            return of("tokens") / of("noop");
        });
        return { op, tokensMs, noopMs, ratio: tokensMs / noopMs, runRatios };
    });
    return { timings, medians, requests: first!, requestsStable: stable };
}

export async function runEngineBench(
    sandbox: Sandbox,
    n: number,
    runs: number,
    rssIntervalMs: number,
    refreshSamples: number,
): Promise<EngineResult> {
    const rss = new RssSampler(rssIntervalMs);
    const tokens = await benchStack("bench-tokens", sandboxStackConfig(sandbox));
    tokens.setTokens(mixedTokens(n));
    const noop = await benchStack("bench-noop", { count: { value: String(n) } });
    let comparison: Comparison;
    try {
        comparison = await compareWithNoop("engine", sandbox, tokens, noop, n, runs, rss, refreshSamples);
    } finally {
        await tokens.dispose();
        await noop.dispose();
    }
    const report = await rss.stop();
    log("engine: unit costs (provider serialization, provider code load)");
    const unitCosts = await measureUnitCosts();
    return {
        n,
        runs,
        ...comparison,
        rss: report.peaks,
        unitCosts,
        rssIntervalMs,
        rssMedianGapMs: report.medianGapMs,
    };
}
