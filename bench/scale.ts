// 6. Scale: the engine comparison of item 2 at N = 1,000 (mixed kinds against 1,000 no-op resources), with
// the API calls, the sandbox's own time per request, the dynamic-provider process's peak memory and the
// state bytes per token at that size.
import { type Sandbox, sandboxStackConfig } from "../test/sandbox";
import { type Comparison, compareWithNoop } from "./engine";
import { type RssPeak, RssSampler } from "./rss";
import { type BenchStack, benchStack, expectChanges, log, mixedTokens, type TokenSpec } from "./stacks";

/** The goal: the state bytes per token at N within this fraction of the figure at SCALE_SMALL_N. */
export const SCALE_STATE_TOLERANCE = 0.02;
/** The size the state per token at N is compared with (the size of item 2). */
export const SCALE_SMALL_N = 50;

export interface ScaleState {
    /** Tokens beside the anchor in the small measure (SCALE_SMALL_N, fewer when N is small). */
    smallN: number;
    /** `pulumi stack export` bytes with the anchor (the mix's first token) alone. */
    baseBytes: number;
    /** (export with the anchor and the next smallN tokens of the mix − base) / smallN. */
    smallBytesPerToken: number;
    /** (export with all N tokens of the mix, after the first timed create − base) / (N − 1). */
    bytesPerToken: number;
    /** Export bytes with the N tokens. */
    exportBytes: number;
    /** Export bytes of the no-op stack with its N resources (what the engine rewrites per step there). */
    noopExportBytes: number;
}

export interface ScaleResult extends Comparison {
    n: number;
    runs: number;
    state: ScaleState;
    rss: RssPeak[];
    rssIntervalMs: number;
    rssMedianGapMs: number;
}

/**
 * State per token at smallN, item 1's way: the mix's first token (the anchor) alone, then with the next smallN
 * tokens; the difference is tokens only, the shared entries (stack, default provider with the stack config)
 * being in both. Untimed; the stack is left empty for the timed series, whose first create gives the figure
 * at N against the same base.
 */
async function measureSmallState(tokens: BenchStack, specs: readonly TokenSpec[]): Promise<SmallState> {
    const smallN = Math.min(SCALE_SMALL_N, specs.length - 1);
    log("scale: state, the anchor alone");
    tokens.setTokens(specs.slice(0, 1));
    expectChanges("scale anchor up", (await tokens.stack.up()).summary.resourceChanges, { create: 2 });
    const baseBytes = Buffer.byteLength(tokens.exportText());
    log(`scale: state, anchor + ${smallN} tokens`);
    tokens.setTokens(specs.slice(0, smallN + 1));
    expectChanges("scale small up", (await tokens.stack.up()).summary.resourceChanges, { create: smallN });
    const smallBytes = Buffer.byteLength(tokens.exportText());
    expectChanges("scale small destroy", (await tokens.stack.destroy()).summary.resourceChanges, {
        delete: smallN + 2,
    });
    return { smallN, baseBytes, smallBytesPerToken: (smallBytes - baseBytes) / smallN };
}

type SmallState = Pick<ScaleState, "smallN" | "baseBytes" | "smallBytesPerToken">;

export async function runScaleBench(
    sandbox: Sandbox,
    n: number,
    runs: number,
    rssIntervalMs: number,
    refreshSamples: number,
): Promise<ScaleResult> {
    const tokens = await benchStack("bench-tokens", sandboxStackConfig(sandbox));
    const noop = await benchStack("bench-noop", { count: { value: String(n) } });
    const rss = new RssSampler(rssIntervalMs);
    const specs = mixedTokens(n);
    if (specs.length < 2) {
        throw new Error("BENCH_SCALE_N must be at least 2 (an anchor and one token)");
    }
    let small: SmallState;
    let exportBytes = 0;
    let noopExportBytes = 0;
    let comparison: Comparison;
    try {
        small = await measureSmallState(tokens, specs);
        tokens.setTokens(specs);
        comparison = await compareWithNoop("scale", sandbox, tokens, noop, n, runs, rss, refreshSamples, (program) => {
            if (program === "tokens") {
                exportBytes = Buffer.byteLength(tokens.exportText());
            } else {
                noopExportBytes = Buffer.byteLength(noop.exportText());
            }
        });
    } finally {
        await tokens.dispose();
        await noop.dispose();
    }
    const report = await rss.stop();
    return {
        n,
        runs,
        ...comparison,
        state: { ...small, exportBytes, noopExportBytes, bytesPerToken: (exportBytes - small.baseBytes) / (n - 1) },
        rss: report.peaks,
        rssIntervalMs,
        rssMedianGapMs: report.medianGapMs,
    };
}
