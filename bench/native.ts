// 10. The native provider plugin (bin/pulumi-resource-accesstokens), from a TypeScript program and from Pulumi's
// official YAML language host: the state per token and the engine time of N tokens, in the same run as the
// dynamic resources and the no-op floor (item 2's stacks), so the two front doors over the same lifecycles can be
// compared.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NATIVE_KINDS } from "../provider/native/kinds";
import { createTestWorkspace, ensureYamlHost, pluginsOnPath } from "../test/e2e/harness";
import { yamlProgram } from "../test/e2e/yaml";
import { nativeSandboxStackConfig, type Sandbox, sandboxStackConfig } from "../test/sandbox";
import { OPS, type Op, type Program, type RunTiming, series } from "./engine";
import { RssSampler } from "./rss";
import {
    type BenchStack,
    benchStack,
    expectChanges,
    exportStack,
    log,
    mixedTokens,
    type RequestCounts,
    type TokenSpec,
    tokenSpec,
} from "./stacks";
import { median } from "./stats";

export interface NativeOpSummary {
    op: Op;
    /** Medians over the runs, ms: native plugin from YAML and from TypeScript, dynamic resources, no-op floor. */
    nativeMs: number;
    nativeTsMs: number;
    dynamicMs: number;
    noopMs: number;
}

export interface NativeResult {
    n: number;
    runs: number;
    timings: RunTiming[];
    medians: NativeOpSummary[];
    /** Export bytes one more token adds, measured alike on both stacks (anchor method of item 1, mixed kinds). */
    state: { native: StateShare; nativeTs: StateShare; dynamic: StateShare };
    /** Requests per operation of the native (YAML) stack, first run. */
    requests: Record<Op, RequestCounts>;
}

const ANCHOR: TokenSpec = { ...tokenSpec("GiteaToken", 999), name: "anchor" };

/** The YAML program declaring `specs` through the plugin of this checkout. */
function benchYamlProgram(specs: readonly TokenSpec[]): string {
    const lines = specs.length > 0 ? ["resources:"] : [];
    for (const spec of specs) {
        const kind = NATIVE_KINDS.find((k) => k.token.endsWith(`:${spec.kind}`));
        if (!kind) {
            throw new Error(`no native kind for ${spec.kind}`);
        }
        // JSON is YAML: the arguments go as a flow mapping.
        lines.push(`  ${spec.name}:`, `    type: ${kind.token}`, `    properties: ${JSON.stringify(spec.args)}`);
    }
    return yamlProgram("bench-native", `${lines.join("\n")}\n`);
}

/** A stack of the YAML program on the sandbox, configured with the plugin's `accesstokens:*` keys. */
async function nativeStack(sandbox: Sandbox): Promise<BenchStack> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pat-bench-native-"));
    const setTokens = (specs: readonly TokenSpec[]) =>
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), benchYamlProgram(specs));
    setTokens([]);
    const ws = await createTestWorkspace(dir, {
        stackName: `bench-${process.pid}-native`,
        config: nativeSandboxStackConfig(sandbox),
        envVars: pluginsOnPath(ensureYamlHost()),
    }).catch((e: unknown) => {
        fs.rmSync(dir, { recursive: true, force: true });
        throw e;
    });
    return {
        ...ws,
        program: "bench-native",
        exportText: () => exportStack(ws, dir),
        setTokens,
        dispose: async () => {
            try {
                await ws.dispose();
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        },
    };
}

/** What one token costs in the exported state, and how its entry splits (compact JSON, mean over the tokens). */
export interface StateShare {
    /** (export with the anchor and n tokens − export with the anchor alone) / n. */
    bytesPerToken: number;
    /** Inputs and outputs: what the provider and the program declare. */
    properties: number;
    /** `sourcePosition` and `stackTrace`: where the language host says the resource was declared. */
    trace: number;
    /** URN, type, id, provider reference, dependencies, secret output names, timestamps. */
    metadata: number;
}

function entryShares(exported: string, n: number): Omit<StateShare, "bytesPerToken"> {
    const parsed = JSON.parse(exported) as { deployment?: { resources?: Record<string, unknown>[] } };
    const tokens = (parsed.deployment?.resources ?? []).filter(
        (r) =>
            r.custom === true &&
            !String(r.type).startsWith("pulumi:providers:") &&
            !String(r.urn).endsWith(`::${ANCHOR.name}`),
    );
    if (tokens.length !== n) {
        throw new Error(`expected ${n} tokens in the exported state, found ${tokens.length}`);
    }
    const size = (value: unknown) => (value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value)));
    const mean = (part: (r: Record<string, unknown>) => number) => tokens.reduce((t, r) => t + part(r), 0) / n;
    const TRACE = ["sourcePosition", "stackTrace"];
    return {
        properties: mean((r) => size(r.inputs) + size(r.outputs)),
        trace: mean((r) => TRACE.reduce((t, key) => t + size(r[key]), 0)),
        metadata: mean((r) =>
            size(Object.fromEntries(Object.entries(r).filter(([k]) => !["inputs", "outputs", ...TRACE].includes(k)))),
        ),
    };
}

/** The anchor alone, then n tokens beside it (see StateShare), then the stack emptied. */
async function stateShare(what: string, target: BenchStack, n: number): Promise<StateShare> {
    log(`native: state of ${what}: the anchor alone, then ${n} tokens beside it`);
    target.setTokens([ANCHOR]);
    expectChanges(`${what} base up`, (await target.stack.up()).summary.resourceChanges, { create: 2 });
    const base = Buffer.byteLength(target.exportText());
    target.setTokens([ANCHOR, ...mixedTokens(n)]);
    expectChanges(`${what} up`, (await target.stack.up()).summary.resourceChanges, { create: n });
    const exported = target.exportText();
    expectChanges(`${what} destroy`, (await target.stack.destroy()).summary.resourceChanges, { delete: n + 2 });
    return { bytesPerToken: (Buffer.byteLength(exported) - base) / n, ...entryShares(exported, n) };
}

export async function runNativeBench(
    sandbox: Sandbox,
    n: number,
    runs: number,
    refreshSamples: number,
): Promise<NativeResult> {
    const rss = new RssSampler(1000); // the series label samples; item 10 reports no memory
    const stacks = {} as Record<Program, BenchStack>;
    try {
        stacks.native = await nativeStack(sandbox);
        stacks["native-ts"] = await benchStack("bench-native-ts", nativeSandboxStackConfig(sandbox), {
            nativePlugin: true,
        });
        stacks.tokens = await benchStack("bench-tokens", sandboxStackConfig(sandbox));
        stacks.noop = await benchStack("bench-noop", { count: { value: String(n) } });
        const state = {
            native: await stateShare("native (YAML)", stacks.native, n),
            nativeTs: await stateShare("native (TypeScript)", stacks["native-ts"], n),
            dynamic: await stateShare("dynamic", stacks.tokens, n),
        };
        for (const program of ["native", "native-ts", "tokens"] as const) {
            stacks[program].setTokens(mixedTokens(n));
        }

        const timings: RunTiming[] = [];
        let requests: Record<Op, RequestCounts> | undefined;
        const rotation: Program[] = ["native", "native-ts", "tokens", "noop"];
        for (let run = 1; run <= runs; run++) {
            // Each run starts with the next stack, so a drift of the machine favours none.
            const order = rotation.map((_, i) => rotation[(i + run - 1) % rotation.length]!);
            for (const program of order) {
                log(`native: run ${run}/${runs}, ${program}`);
                const outcome = await series(
                    run,
                    "native",
                    stacks[program],
                    program,
                    n,
                    sandbox,
                    rss,
                    undefined,
                    refreshSamples,
                );
                timings.push(outcome.timing);
                if (program === "native" && requests === undefined) {
                    requests = outcome.requests;
                }
            }
        }
        const of = (program: Program, op: Op) =>
            median(timings.filter((t) => t.program === program).map((t) => t.ms[op]));
        const medians = OPS.map((op) => ({
            op,
            nativeMs: of("native", op),
            nativeTsMs: of("native-ts", op),
            dynamicMs: of("tokens", op),
            noopMs: of("noop", op),
        }));
        return { n, runs, timings, medians, state, requests: requests! };
    } finally {
        await rss.stop();
        for (const stack of Object.values(stacks)) {
            await stack.dispose();
        }
    }
}
