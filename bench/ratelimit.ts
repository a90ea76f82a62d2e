// 3. Rate-limit efficiency: organization-wide Codacy tokens (CodacyOrganizationRepoTokens) for many
// repositories while the sandbox lets Codacy answer only R requests per second (429 + Retry-After beyond).
import { SEED, startSandbox } from "../test/sandbox";
import { timed } from "./stats";
import { benchStack, countRequests, expectChanges, log, type RequestCounts } from "./stacks";

/** The goal: total time at most this many times the bound (requests / R). */
export const RATE_GOAL_RATIO = 1.2;
/** Codacy's published script pauses this long after each repository. */
export const PUBLISHED_SCRIPT_PAUSE_S = 2;

export const RATE_MODES = ["reactive", "paced"] as const;
export type RateMode = (typeof RATE_MODES)[number];

export const RATE_MODE_LABEL: Record<RateMode, string> = {
    reactive: "default settings (4 in flight, 429 → shared pause until `Retry-After`)",
    paced: "`codacy:maxRequestsPerSecond` = R (client-side pace)",
};

export interface RateRun {
    mode: RateMode;
    repositories: number;
    rps: number;
    burst: number;
    /** Wall time of `pulumi up`, ms. */
    upMs: number;
    /** From the first to the last Codacy request the sandbox saw, ms. */
    apiSpanMs: number;
    /** Requests answered other than 429: the work that had to be done. */
    neededRequests: number;
    requests: RequestCounts;
    /** neededRequests / R, ms. */
    boundMs: number;
    /** upMs / boundMs. */
    ratio: number;
    /** apiSpanMs / boundMs. */
    apiRatio: number;
    /** Live Codacy tokens after the `up` (one per repository when nothing failed). */
    liveTokens: number;
    succeeded: boolean;
    error?: string;
}

export async function runRateBench(
    repositories: number,
    rps: number,
    burst: number,
    modes: readonly RateMode[],
): Promise<RateRun[]> {
    const runs: RateRun[] = [];
    for (const mode of modes) {
        const sandbox = await startSandbox({
            codacyRepositories: repositories,
            rateLimit: { requestsPerSecond: rps, burst, services: ["codacy"] },
        });
        const ws = await benchStack("bench-codacy-org", {
            "codacy:baseUrl": { value: sandbox.baseUrls.codacy },
            "codacy:apiToken": { value: SEED.codacy.apiToken, secret: true },
            ...(mode === "paced" ? { "codacy:maxRequestsPerSecond": { value: String(rps) } } : {}),
        });
        try {
            log(`rate: ${mode}, ${repositories} repositories at ${rps} requests/s (burst ${burst})`);
            sandbox.requests.length = 0;
            let succeeded = true;
            let error: string | undefined;
            const { ms } = await timed(async () => {
                try {
                    const result = await ws.stack.up();
                    expectChanges(`rate ${mode} up`, result.summary.resourceChanges, { create: repositories + 2 });
                } catch (e: unknown) {
                    succeeded = false;
                    error = (e instanceof Error ? e.message : String(e)).split("\n").slice(0, 6).join(" ");
                }
            });
            const codacy = sandbox.requests.filter((r) => r.service === "codacy");
            const requests = countRequests(codacy);
            const needed = requests.total - requests.limited;
            const times = codacy.map((r) => r.at);
            const apiSpanMs = times.length > 0 ? Math.max(...times) - Math.min(...times) : 0;
            const boundMs = (needed / rps) * 1000;
            const liveTokens = sandbox.liveTokens("codacy").length;
            if (liveTokens !== repositories) {
                succeeded = false;
                error ??= `${liveTokens} live tokens for ${repositories} repositories`;
            }
            const run: RateRun = {
                mode,
                repositories,
                rps,
                burst,
                upMs: ms,
                apiSpanMs,
                neededRequests: needed,
                requests,
                boundMs,
                ratio: ms / boundMs,
                apiRatio: apiSpanMs / boundMs,
                liveTokens,
                succeeded,
                ...(error !== undefined ? { error } : {}),
            };
            log(
                `rate: ${mode}: up ${(ms / 1000).toFixed(1)} s, bound ${(boundMs / 1000).toFixed(1)} s, ` +
                    `${requests.total} requests (${requests.limited} × 429), ratio ${run.ratio.toFixed(2)}`,
            );
            runs.push(run);
        } finally {
            await ws.dispose();
            await sandbox.close();
        }
    }
    return runs;
}
