// `npm run bench`: measures the package against the sandbox with the real Pulumi engine and writes the
// results to BENCHMARKS.md (see the knobs in ./options.ts). Progress goes to stderr, the report to stdout.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureEngine, repoRoot } from "../test/e2e/harness";
import { type Sandbox, startSandbox } from "../test/sandbox";
import { runEngineBench } from "./engine";
import { runNativeBench } from "./native";
import { machineInfo } from "./machine";
import { knobsInEffect, readOptions } from "./options";
import { runRateBench } from "./ratelimit";
import { type BenchResults, renderReport } from "./report";
import { runScaleBench } from "./scale";
import { log } from "./stacks";
import { runStateBench } from "./state";

async function withSandbox<T>(codacyRepositories: number, fn: (sandbox: Sandbox) => Promise<T>): Promise<T> {
    const sandbox = await startSandbox({ codacyRepositories: Math.max(12, codacyRepositories) });
    try {
        return await fn(sandbox);
    } finally {
        await sandbox.close();
    }
}

/**
 * Repositories the sandbox needs for `mixedTokens(n)`: its Codacy tokens take repo-001 … repo-(n/5). Exactly
 * that many, as the sandbox widens its names past three digits (repo-0001) from 1,000 repositories on.
 */
function codacyRepositoriesOfMix(n: number): number {
    return Math.ceil(n / 5);
}

async function main(): Promise<void> {
    const options = readOptions(path.join(repoRoot, "BENCHMARKS.md"));
    log("preparing the Pulumi engine (scripts/ensure-pulumi)");
    const engineDir = ensureEngine();
    const started = performance.now();
    const results: BenchResults = {
        startedAt: new Date(),
        totalMs: 0,
        machine: machineInfo(repoRoot, engineDir),
        knobs: knobsInEffect(),
        load: { before: os.loadavg(), after: [] },
        rateSettings: { repositories: options.rateRepos, rps: options.rateRps, burst: options.rateBurst },
        failures: [],
    };
    const attempt = async (section: string, fn: () => Promise<void>): Promise<void> => {
        const t0 = performance.now();
        try {
            await fn();
            log(`${section}: done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
        } catch (e: unknown) {
            const message = e instanceof Error ? e.message : String(e);
            log(`${section}: FAILED: ${message}`);
            results.failures.push(`${section}: ${message.split("\n").slice(0, 8).join(" ")}`);
        }
    };
    if (options.sections.includes("state")) {
        await attempt("state", () =>
            withSandbox(options.stateK, async (sandbox) => {
                results.state = await runStateBench(sandbox, options.stateK);
            }),
        );
    }
    if (options.sections.includes("engine")) {
        await attempt("engine", () =>
            withSandbox(codacyRepositoriesOfMix(options.n), async (sandbox) => {
                results.engine = await runEngineBench(
                    sandbox,
                    options.n,
                    options.runs,
                    options.rssIntervalMs,
                    options.refreshSamples,
                );
            }),
        );
    }
    if (options.sections.includes("rate")) {
        await attempt("rate", async () => {
            results.rate = await runRateBench(options.rateRepos, options.rateRps, options.rateBurst, options.rateModes);
        });
    }
    if (options.sections.includes("scale")) {
        await attempt("scale", () =>
            withSandbox(codacyRepositoriesOfMix(options.scaleN), async (sandbox) => {
                results.scale = await runScaleBench(
                    sandbox,
                    options.scaleN,
                    options.scaleRuns,
                    options.rssIntervalMs,
                    options.refreshSamples,
                );
            }),
        );
    }
    if (options.sections.includes("native")) {
        await attempt("native", () =>
            withSandbox(codacyRepositoriesOfMix(options.n), async (sandbox) => {
                results.native = await runNativeBench(sandbox, options.n, options.nativeRuns, options.refreshSamples);
            }),
        );
    }
    results.totalMs = performance.now() - started;
    results.load.after = os.loadavg();
    const report = renderReport(results);
    process.stdout.write(report);
    const json = process.env.BENCH_JSON;
    if (json !== undefined && json !== "") {
        fs.writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
        log(`wrote the raw results to ${json}`);
    }
    if (options.out !== undefined) {
        fs.writeFileSync(options.out, report);
        log(`wrote ${path.relative(process.cwd(), options.out) || options.out}`);
    }
    log(`finished in ${(results.totalMs / 60000).toFixed(1)} min`);
    if (results.failures.length > 0) {
        process.exitCode = 1;
    }
}

main().catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
});
