// 6. Scale: the engine comparison of item 2 at N = 1,000 (mixed kinds against 1,000 no-op resources), with
// the API calls, the sandbox's own time per request, the dynamic-provider process's peak memory and the
// state bytes per token at that size.
import { type Sandbox, sandboxStackConfig } from "../test/sandbox";
import { type Comparison, compareWithNoop } from "./engine";
import { type RssPeak, RssSampler } from "./rss";
import { type BenchStack, benchStack, expectChanges, log, mixedTokens, type TokenSpec, tokenSpec } from "./stacks";

/** The goal: the state bytes per token at N within this fraction of the figure at SCALE_SMALL_N. */
export const SCALE_STATE_TOLERANCE = 0.02;
/** The size the state per token at N is compared with (the size of item 2). */
export const SCALE_SMALL_N = 50;

export interface ScaleState {
    /** Tokens of the small measure (SCALE_SMALL_N, or N when N is smaller). */
    smallN: number;
    /** `pulumi stack export` bytes with the anchor alone. */
    baseBytes: number;
    /** (export with the anchor and smallN mixed tokens − base) / smallN. */
    smallBytesPerToken: number;
    /** (export with the anchor and N mixed tokens − base) / N. */
    bytesPerToken: number;
    /** Export bytes with the anchor and N tokens. */
    exportBytes: number;
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
 * State per token at smallN and at N, section 1's way: one resource (the anchor) stays throughout, so the
 * shared entries (stack, default provider with the stack config) are in the base and every difference is
 * tokens. Not timed; the stack is left empty for the timed series.
 */
async function measureState(tokens: BenchStack, n: number): Promise<ScaleState> {
    const anchor: TokenSpec = { ...tokenSpec("GiteaToken", 0), name: "anchor" };
    anchor.args = { ...anchor.args, name: "bench-anchor" };
    const smallN = Math.min(SCALE_SMALL_N, n);
    log("scale: state, the anchor alone");
    tokens.setTokens([anchor]);
    expectChanges("scale anchor up", (await tokens.stack.up()).summary.resourceChanges, { create: 2 });
    const baseBytes = Buffer.byteLength(tokens.exportText());
    log(`scale: state, anchor + ${smallN} tokens`);
    tokens.setTokens([anchor, ...mixedTokens(smallN)]);
    expectChanges("scale small up", (await tokens.stack.up()).summary.resourceChanges, { create: smallN });
    const smallBytes = Buffer.byteLength(tokens.exportText());
    if (n > smallN) {
        log(`scale: state, anchor + ${n} tokens`);
        tokens.setTokens([anchor, ...mixedTokens(n)]);
        expectChanges("scale large up", (await tokens.stack.up()).summary.resourceChanges, { create: n - smallN });
    }
    const exportBytes = Buffer.byteLength(tokens.exportText());
    log("scale: state, destroy");
    expectChanges("scale state destroy", (await tokens.stack.destroy()).summary.resourceChanges, { delete: n + 2 });
    return {
        smallN,
        baseBytes,
        smallBytesPerToken: (smallBytes - baseBytes) / smallN,
        bytesPerToken: (exportBytes - baseBytes) / n,
        exportBytes,
    };
}

export async function runScaleBench(
    sandbox: Sandbox,
    n: number,
    runs: number,
    rssIntervalMs: number,
): Promise<ScaleResult> {
    const tokens = await benchStack("bench-tokens", sandboxStackConfig(sandbox));
    const noop = await benchStack("bench-noop", { count: { value: String(n) } });
    const rss = new RssSampler(rssIntervalMs);
    let state: ScaleState;
    let comparison: Comparison;
    try {
        state = await measureState(tokens, n);
        tokens.setTokens(mixedTokens(n));
        comparison = await compareWithNoop("scale", sandbox, tokens, noop, n, runs, rss);
    } finally {
        await tokens.dispose();
        await noop.dispose();
    }
    const report = await rss.stop();
    return {
        n,
        runs,
        ...comparison,
        state,
        rss: report.peaks,
        rssIntervalMs,
        rssMedianGapMs: report.medianGapMs,
    };
}
