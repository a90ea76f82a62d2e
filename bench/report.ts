// Renders the results as BENCHMARKS.md.
import { ENGINE_GOAL_RATIO, type EngineResult, OP_LABEL, OPS, type Op, type RunTiming } from "./engine";
import type { MachineInfo } from "./machine";
import type { NativeResult } from "./native";
import { DEFAULT_NATIVE_RUNS, DEFAULT_REFRESH_SAMPLES, DEFAULT_SCALE_RUNS } from "./options";
import { PUBLISHED_SCRIPT_PAUSE_S, RATE_GOAL_RATIO, RATE_MODE_LABEL, type RateRun } from "./ratelimit";
import { mixedTokens, type RequestCounts } from "./stacks";
import { SCALE_STATE_TOLERANCE, type ScaleResult } from "./scale";
import { STATE_GOAL_BYTES, type StateResult } from "./state";
import { bytes, growthPerUnit, kib, median, mib, percent, ratio, relativeChange, seconds } from "./stats";

export interface BenchResults {
    startedAt: Date;
    totalMs: number;
    machine: MachineInfo;
    knobs: string[];
    /** 1-, 5- and 15-minute load averages before and after the run. */
    load: { before: number[]; after: number[] };
    state?: StateResult;
    engine?: EngineResult;
    rate?: RateRun[];
    scale?: ScaleResult;
    native?: NativeResult;
    rateSettings: { repositories: number; rps: number; burst: number };
    /** Sections that failed, with their error. */
    failures: string[];
}

const met = (ok: boolean): string => (ok ? "met" : "**not met**");
const MAX_RATIO_OPS: readonly Op[] = ["create", "refresh", "destroy"];

/** Worst (largest) per-token state overhead over the no-op resource. */
function worstState(state: StateResult): { kind: string; over: number } {
    let worst = { kind: "", over: Number.NEGATIVE_INFINITY };
    for (const row of state.rows) {
        if (row.overNoopBytes !== undefined && row.overNoopBytes > worst.over) {
            worst = { kind: row.kind, over: row.overNoopBytes };
        }
    }
    return worst;
}

function worstRatio(engine: Pick<EngineResult, "medians">): { op: Op; ratio: number } {
    let worst: { op: Op; ratio: number } = { op: "create", ratio: 0 };
    for (const m of engine.medians) {
        if (MAX_RATIO_OPS.includes(m.op) && m.ratio > worst.ratio) {
            worst = { op: m.op, ratio: m.ratio };
        }
    }
    return worst;
}

function rateOk(run: RateRun): boolean {
    return run.succeeded && run.requests.failed === 0 && run.ratio <= RATE_GOAL_RATIO;
}

/** Tokens per service in the mixed engine stack. */
function tokensPerService(n: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const spec of mixedTokens(n)) {
        const service =
            spec.kind === "ProjectAccessToken" || spec.kind === "GroupAccessToken"
                ? "gitlab"
                : spec.kind === "GiteaToken"
                  ? "gitea"
                  : spec.kind === "CodacyRepoToken"
                    ? "codacy"
                    : "qovery";
        out[service] = (out[service] ?? 0) + 1;
    }
    return out;
}

function methods(c: RequestCounts): string {
    const order = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    const parts = Object.entries(c.byMethod)
        .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
        .map(([m, k]) => `${k} ${m}`);
    return parts.length > 0 ? parts.join(", ") : "none";
}

function summary(r: BenchResults): string[] {
    const lines = ["| # | measure | measured | goal | status |", "|---|---|---|---|---|"];
    if (r.state) {
        const w = worstState(r.state);
        lines.push(
            `| 1 | state per token over a no-op dynamic resource (worst kind) | +${bytes(w.over)} B (${w.kind}) | ≤ ${bytes(STATE_GOAL_BYTES)} B | ${met(w.over <= STATE_GOAL_BYTES)} |`,
        );
    } else {
        lines.push("| 1 | state per token | not run | ≤ 2,048 B | — |");
    }
    if (r.engine) {
        const w = worstRatio(r.engine);
        const all = MAX_RATIO_OPS.map((op) => `${op} ${ratio(r.engine!.medians.find((m) => m.op === op)!.ratio)}`).join(
            ", ",
        );
        const shaky = r.engine.medians.some(
            (m) => MAX_RATIO_OPS.includes(m.op) && median(m.runRatios) > ENGINE_GOAL_RATIO,
        );
        const status =
            met(w.ratio <= ENGINE_GOAL_RATIO) + (w.ratio <= ENGINE_GOAL_RATIO && shaky ? " (borderline, see 2)" : "");
        lines.push(
            `| 2 | engine time, ${r.engine.n} tokens ÷ ${r.engine.n} no-op resources (median of ${r.engine.runs}) | ${all} | each ≤ ${ENGINE_GOAL_RATIO} | ${status} |`,
        );
    } else {
        lines.push("| 2 | engine time ratio | not run | ≤ 1.3 | — |");
    }
    if (r.rate && r.rate.length > 0) {
        const { repositories, rps } = r.rateSettings;
        const measured = r.rate
            .map(
                (run) =>
                    `${ratio(run.ratio)} (${run.mode}), ${run.succeeded && run.requests.failed === 0 ? "0 failures" : "FAILED"}`,
            )
            .join("; ");
        lines.push(
            `| 3 | ${repositories} Codacy repositories at ${rps} req/s: \`up\` time ÷ (requests / R) | ${measured} | ≤ ${RATE_GOAL_RATIO}, zero failures | ${r.rate.map((run) => `${run.mode}: ${met(rateOk(run))}`).join("; ")} |`,
        );
    } else {
        lines.push("| 3 | rate-limit efficiency | not run | ≤ 1.2, zero failures | — |");
    }
    if (r.engine) {
        const c = r.engine.requests;
        const perToken = c.refresh.total / r.engine.n;
        const ok = c["noop-up"].writes === 0 && perToken <= 1;
        lines.push(
            `| 4 | API calls: writes of a no-op \`up\`; requests per token of \`refresh\` | ${c["noop-up"].writes}; ${perToken.toFixed(2)} | 0; ≤ 1 | ${met(ok)} |`,
        );
        const tokensPeak = peak(r.engine, "tokens");
        const noopPeak = peak(r.engine, "noop");
        lines.push(
            `| 5 | peak RSS of the dynamic-provider process during item 2 | ${mib(tokensPeak)} MiB (no-op: ${mib(noopPeak)} MiB) | reported | — |`,
        );
    } else {
        lines.push("| 4 | API calls per operation | not run | no write on no-op `up`; refresh ≤ 1/token | — |");
        lines.push("| 5 | peak RSS of the dynamic-provider process | not run | reported | — |");
    }
    lines.push(...scaleSummary(r), ...nativeSummary(r.native));
    return lines;
}

function scaleSummary(r: BenchResults): string[] {
    const s = r.scale;
    if (!s) {
        return [
            "| 6 | engine time at 1,000 tokens ÷ 1,000 no-op resources | not run | each ≤ 1.3 | — |",
            "| 7 | peak RSS of the dynamic-provider process at 1,000, growth per token | not run | reported | — |",
            "| 8 | state per token at 1,000 against 50 | not run | within ±2 % | — |",
            "| 9 | API calls at 1,000: writes of a no-op `up`; requests per token of `refresh` | not run | 0; ≤ 1 | — |",
        ];
    }
    const w = worstRatio(s);
    const all = MAX_RATIO_OPS.map((op) => `${op} ${ratio(s.medians.find((m) => m.op === op)!.ratio)}`).join(", ");
    const n = bytes(s.n);
    const growth = rssGrowth(r);
    const memory =
        growth === undefined
            ? `${mib(peak(s, "tokens"))} MiB (no-op: ${mib(peak(s, "noop"))} MiB); growth: item 2 not run`
            : `${mib(growth.tokens.large)} MiB against ${mib(growth.tokens.small)} MiB at ${growth.smallN}: ${signedKib(growth.tokens.perUnit)} KiB per token (no-op: ${signedKib(growth.noop.perUnit)} KiB per resource)`;
    const st = s.state;
    const change = relativeChange(st.smallBytesPerToken, st.bytesPerToken);
    const c = s.requests;
    const perToken = c.refresh.total / s.n;
    return [
        `| 6 | engine time, ${n} tokens ÷ ${n} no-op resources (${runsText(s.runs)}) | ${all} | each ≤ ${ENGINE_GOAL_RATIO} | ${met(w.ratio <= ENGINE_GOAL_RATIO)} |`,
        `| 7 | peak RSS of the dynamic-provider process at ${n} tokens, growth per token | ${memory} | reported | — |`,
        `| 8 | state per token at ${n} against ${st.smallN} (same method as item 1) | ${bytes(st.bytesPerToken)} B against ${bytes(st.smallBytesPerToken)} B (${percent(change)}) | within ±${SCALE_STATE_TOLERANCE * 100} % | ${met(Math.abs(change) <= SCALE_STATE_TOLERANCE)} |`,
        `| 9 | API calls at ${n}: writes of a no-op \`up\`; requests per token of \`refresh\` | ${c["noop-up"].writes}; ${perToken.toFixed(2)}${giteaNote(s)} | 0; reported | ${met(c["noop-up"].writes === 0)} |`,
    ];
}

/** Native ÷ no-op of the operations with a goal, worst first, for one of the two native stacks. */
function nativeRatios(native: NativeResult, of: (m: NativeResult["medians"][number]) => number): string {
    return MAX_RATIO_OPS.map((op) => {
        const m = native.medians.find((x) => x.op === op)!;
        return `${op} ${ratio(of(m) / m.noopMs)}`;
    }).join(", ");
}

function nativeWorstRatio(native: NativeResult, of: (m: NativeResult["medians"][number]) => number): number {
    return Math.max(...native.medians.filter((m) => MAX_RATIO_OPS.includes(m.op)).map((m) => of(m) / m.noopMs));
}

function nativeSummary(native: NativeResult | undefined): string[] {
    if (!native) {
        return [
            "| 10 | native plugin: state per token against the dynamic resource's | not run | ≤ the dynamic resource's | — |",
            "| 11 | native plugin: engine time, 50 tokens ÷ 50 no-op resources | not run | each ≤ 1.3 | — |",
        ];
    }
    const { native: yaml, nativeTs: ts, dynamic } = native.state;
    const against = (share: typeof ts) =>
        `${bytes(share.bytesPerToken)} B (${percent(relativeChange(dynamic.bytesPerToken, share.bytesPerToken))})`;
    const worst = Math.max(
        nativeWorstRatio(native, (m) => m.nativeTsMs),
        nativeWorstRatio(native, (m) => m.nativeMs),
    );
    return [
        `| 10 | native plugin: state per token (mixed kinds), from TypeScript; from YAML; the dynamic resource's | ${against(ts)}; ${against(yaml)}; ${bytes(dynamic.bytesPerToken)} B | ≤ the dynamic resource's | TypeScript: ${met(ts.bytesPerToken <= dynamic.bytesPerToken)}; YAML: ${met(yaml.bytesPerToken <= dynamic.bytesPerToken)}${yaml.bytesPerToken > dynamic.bytesPerToken && yaml.bytesPerToken - yaml.trace <= dynamic.bytesPerToken - dynamic.trace ? " (the YAML host's stack trace, see 10)" : ""} |`,
        `| 11 | native plugin: engine time, ${native.n} tokens ÷ ${native.n} no-op resources (${runsText(native.runs)}), from TypeScript; from YAML | ${nativeRatios(native, (m) => m.nativeTsMs)}; ${nativeRatios(native, (m) => m.nativeMs)} | each ≤ ${ENGINE_GOAL_RATIO} | ${met(worst <= ENGINE_GOAL_RATIO)} |`,
    ];
}

function nativeSection(native: NativeResult): string[] {
    const lines = [
        "## 10. The native provider plugin",
        "",
        `The same ${native.n} tokens (the five kinds in turn) through the native plugin (\`pulumi-resource-accesstokens\`, the`,
        "installed package's `bin`, `accesstokens:*` stack config) from two programs: a TypeScript one declaring each token",
        "as a custom resource of the plugin's type, which is what a generated SDK's class does",
        "(`test/e2e/programs/bench-native-ts`), and a Pulumi YAML one run by Pulumi's official YAML language host",
        "(`scripts/ensure-yaml`). Beside them, item 2's dynamic-resource and no-op stacks, in the same run:",
        `${runsText(native.runs)}, each taking the four stacks through create → no-change \`up\` → \`refresh\` → \`destroy\`,`,
        "each run starting with the next stack. The floor is item 2's no-op dynamic resource (a TypeScript program); the",
        "YAML program starts faster than any TypeScript one, which favours its column.",
        refreshSamplesText(native.timings),
        "",
        `| operation | native, TypeScript (s) | native, YAML (s) | dynamic (s) | no-op (s) | native TS ÷ no-op | native YAML ÷ no-op | dynamic ÷ no-op | goal (≤ ${ENGINE_GOAL_RATIO}) |`,
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ];
    for (const m of native.medians) {
        const worst = Math.max(m.nativeTsMs, m.nativeMs) / m.noopMs;
        const goal = MAX_RATIO_OPS.includes(m.op) ? met(worst <= ENGINE_GOAL_RATIO) : "(not a goal)";
        lines.push(
            `| ${OP_LABEL[m.op]} | ${seconds(m.nativeTsMs)} | ${seconds(m.nativeMs)} | ${seconds(m.dynamicMs)} | ${seconds(m.noopMs)} | ${ratio(m.nativeTsMs / m.noopMs)} | ${ratio(m.nativeMs / m.noopMs)} | ${ratio(m.dynamicMs / m.noopMs)} | ${goal} |`,
        );
    }
    lines.push(...everyRun(native.timings));
    const { native: yaml, nativeTs: ts, dynamic } = native.state;
    const c = native.requests;
    const row = (name: string, share: typeof ts) =>
        `| ${name} | ${bytes(share.bytesPerToken)} | ${bytes(share.properties)} | ${bytes(share.trace)} | ${bytes(share.metadata)} |`;
    lines.push(
        "",
        `State, measured alike on the three token stacks before the timed runs: an anchor token, then ${native.n} tokens of the`,
        "five kinds beside it; export bytes per token = (difference) ÷ N; the split is one entry's compact JSON, mean over",
        "the tokens:",
        "",
        "| stack | export bytes per token | inputs + outputs | `sourcePosition` + `stackTrace` | other metadata |",
        "|---|---:|---:|---:|---:|",
        row("native, TypeScript", ts),
        row("native, YAML", yaml),
        row("dynamic (TypeScript)", dynamic),
        "",
        "A native resource keeps no serialized `__provider` (a dynamic resource holds two copies, in its inputs and",
        "outputs); its other inputs and outputs are the same lifecycle's. The stack trace is the language host's record",
        "of where the program declared the resource: Pulumi's YAML host (written in Go) records the frames of its own",
        "interpreter, a TypeScript program its own frames; the provider has no say in it.",
        "",
        `API calls of the native YAML stack (first run): create ${c.create.total} (${methods(c.create)}), no-change \`up\` ${c["noop-up"].total}` +
            ` (${c["noop-up"].writes} writes), refresh ${c.refresh.total}, destroy ${c.destroy.total}: the same lifecycles as item 4.`,
        "",
        "Reproduce: `BENCH_ONLY=native npm run bench` (`BENCH_N` tokens, `BENCH_NATIVE_RUNS` runs).",
    );
    return lines;
}

/** Gitea's share of refresh requests, when it reads more than once per token (its listing grows with the user). */
function giteaNote(s: ScaleResult): string {
    const gitea = s.requests.refresh.byService.gitea ?? 0;
    const tokens = mixedTokens(s.n).filter((t) => t.kind === "GiteaToken").length;
    return tokens > 0 && gitea > tokens
        ? ` (Gitea ${(gitea / tokens).toFixed(2)}: no get-by-id, each read lists the user's ${tokens} tokens, see 6)`
        : "";
}

/** The table of every series, with the machine's 1-minute load average around each. */
function everyRun(timings: readonly RunTiming[]): string[] {
    const lines = [
        "",
        "Every run (seconds; load: the machine's 1-minute load average at the start and end of the series):",
        "",
        `| run | stack | ${OPS.map((op) => OP_LABEL[op]).join(" | ")} | load |`,
        `|---|---|${OPS.map(() => "---:").join("|")}|---|`,
    ];
    for (const t of timings) {
        const load = t.load ? `${t.load.before.toFixed(1)} → ${t.load.after.toFixed(1)}` : "—";
        lines.push(`| ${t.run} | ${t.program} | ${OPS.map((op) => seconds(t.ms[op])).join(" | ")} | ${load} |`);
    }
    return lines;
}

/** How a run's `refresh` figure was taken (see `BENCH_REFRESH_SAMPLES`). */
function refreshSamplesText(timings: readonly RunTiming[]): string {
    const samples = timings[0]?.refreshSamplesMs.length ?? 1;
    return samples > 1
        ? `In each run, \`refresh\` runs ${samples} times in a row and the run counts their median: it is the shortest\noperation, the one a single slow moment of this machine moves the most.`
        : "In each run, `refresh` runs once.";
}

function runsText(runs: number): string {
    return runs === 1 ? "1 run" : `median of ${runs} runs`;
}

function signedKib(value: number): string {
    return `${value >= 0 ? "+" : ""}${kib(value)}`;
}

interface PeakGrowth {
    small: number;
    large: number;
    /** Bytes per token (or no-op resource). */
    perUnit: number;
}

/** Peak RSS over all operations at N (item 6) against item 2's size, per program. */
function rssGrowth(r: BenchResults, op?: Op): { smallN: number; tokens: PeakGrowth; noop: PeakGrowth } | undefined {
    const s = r.scale;
    const e = r.engine;
    if (!s || !e || e.n === s.n || e.rss.length === 0 || s.rss.length === 0) {
        return undefined;
    }
    const of = (program: "tokens" | "noop"): PeakGrowth => {
        const small = peak(e, program, op);
        const large = peak(s, program, op);
        return {
            small,
            large,
            perUnit: growthPerUnit({ size: e.n, value: small }, { size: s.n, value: large }),
        };
    };
    return { smallN: e.n, tokens: of("tokens"), noop: of("noop") };
}

function peak(measured: { rss: EngineResult["rss"] }, program: "tokens" | "noop", op?: Op): number {
    return Math.max(
        0,
        ...measured.rss
            .filter((p) => p.label.startsWith(`${program}:`) && (op === undefined || p.label === `${program}:${op}`))
            .map((p) => p.peakProcessBytes),
    );
}

function machine(r: BenchResults): string[] {
    const m = r.machine;
    const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" / ");
    return [
        "| | |",
        "|---|---|",
        `| CPU | ${m.cpuModel}, ${m.cores} cores |`,
        `| memory | ${m.memoryGiB} GiB |`,
        `| OS | ${m.os} (${m.kernel}) |`,
        `| Node.js | ${m.node} |`,
        `| Pulumi CLI | ${m.pulumiCli}, ${m.engineSource} |`,
        `| @pulumi/pulumi | ${m.pulumiSdk} |`,
        `| pulumi-access-tokens | ${m.packageVersion}, commit ${m.commit} |`,
        `| load average (1/5/15 min) | before ${load(r.load.before)}, after ${load(r.load.after)} |`,
        `| run | ${r.startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC, ${(r.totalMs / 60000).toFixed(1)} min in all |`,
    ];
}

function stateSection(state: StateResult): string[] {
    const lines = [
        "## 1. State size per token",
        "",
        `For each kind, ${state.k} resources of that kind are deployed beside one resource that stays throughout (the`,
        "anchor), and the stack is exported with `pulumi stack export` (secrets stay encrypted, as on disk). Bytes per",
        `resource = (export size − export size with the anchor alone) / ${state.k}: exactly what one more resource adds,`,
        "the shared entries (stack, default provider with the stack config) left out. The baseline is a minimal no-op",
        "dynamic resource (`test/e2e/programs/bench-noop`: a provider with only `create`, one `name` input). The last",
        "three columns split one resource's entry (compact JSON) into its `__provider` copies, its other inputs and",
        "outputs, and the engine's metadata (URN, dependencies, timestamps, stack trace).",
        "",
        "| kind | export bytes per resource | over the no-op | goal (≤ +2,048 B) | serialized `__provider` | copies | `__provider` total | other inputs/outputs | metadata |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ];
    for (const row of state.rows) {
        const over = row.overNoopBytes;
        const b = row.breakdown;
        lines.push(
            `| ${row.kind === "Noop" ? "no-op (baseline)" : `\`${row.kind}\``} | ${bytes(row.exportBytesPerResource)} | ${over === undefined ? "—" : `${over >= 0 ? "+" : ""}${bytes(over)}`} | ${over === undefined ? "—" : met(over <= STATE_GOAL_BYTES)} | ${bytes(row.providerBytes)} | ${row.providerCopies} | ${bytes(b.provider)} | ${bytes(b.properties)} | ${bytes(b.metadata)} |`,
        );
    }
    lines.push("", "Reproduce: `BENCH_ONLY=state npm run bench` (`BENCH_STATE_K` resources per kind).");
    const w = worstState(state);
    if (w.over > STATE_GOAL_BYTES) {
        const token = state.rows.find((row) => row.kind === w.kind)!;
        const noop = state.rows[0]!;
        const providerDelta = token.breakdown.provider - noop.breakdown.provider;
        const propsDelta = token.breakdown.properties - noop.breakdown.properties;
        lines.push(
            "",
            `Not met: a \`${w.kind}\` costs ${bytes(w.over)} B more than the no-op resource. Most of it is the serialized ` +
                `provider: ${bytes(token.providerBytes)} B against ${bytes(noop.providerBytes)} B, and the engine keeps it ` +
                `${token.providerCopies} times per resource (inputs and outputs): +${bytes(providerDelta)} B in compact JSON. ` +
                "`sdk/dynamicProvider.ts` hands Pulumi an object of seven methods (configure, check, create, read, diff, " +
                "update, delete) that each call a loader closure; Pulumi serializes every method as its own function " +
                "wrapped in a scope, so the text grows with the number of methods, not with what they do. The token's " +
                `own inputs and outputs add +${bytes(propsDelta)} B (encrypted secrets, ids, dates).`,
        );
    }
    return lines;
}

function engineSection(engine: EngineResult, state: StateResult | undefined): string[] {
    const lines = [
        "## 2. Engine overhead",
        "",
        `Wall time of each Automation API call (the \`pulumi\` CLI process, the Node.js program and the dynamic-provider`,
        `process included) on a stack of ${engine.n} tokens, the kinds in turn (${engine.n / 5} of each: GitLab project and`,
        "group tokens, Gitea, Codacy and Qovery, all against the sandbox), and on a stack of as many no-op dynamic",
        `resources, in the same run. Each of the ${engine.runs} runs takes both stacks through create → no-change \`up\` →`,
        "`refresh` → `destroy`; the order of the two stacks alternates between runs. The goal is judged on the ratio",
        "of the medians; the last column shows how much single runs scatter on this shared machine.",
        refreshSamplesText(engine.timings),
        "",
        `| operation | ${engine.n} tokens (s) | ${engine.n} no-op (s) | ratio | goal (≤ ${ENGINE_GOAL_RATIO}) | ratio within each run |`,
        "|---|---:|---:|---:|---|---|",
    ];
    for (const m of engine.medians) {
        const goal = MAX_RATIO_OPS.includes(m.op) ? met(m.ratio <= ENGINE_GOAL_RATIO) : "(not a goal)";
        lines.push(
            `| ${OP_LABEL[m.op]} | ${seconds(m.tokensMs)} | ${seconds(m.noopMs)} | ${ratio(m.ratio)} | ${goal} | ${m.runRatios.map(ratio).join(", ")} |`,
        );
    }
    lines.push(...everyRun(engine.timings));
    const u = engine.unitCosts;
    lines.push(
        "",
        "Two costs measured on their own explain part of the difference:",
        "",
        "| cost | token | no-op |",
        "|---|---:|---:|",
        `| serializing one resource's provider in the program (\`pulumi.runtime.serializeFunction\`, every \`up\` and preview; not \`refresh\` or \`destroy\`, which do not run the program), ms | ${u.serializeTokenMs.toFixed(1)} | ${u.serializeNoopMs.toFixed(1)} |`,
        `| loading the package's provider code (axios, zod, the four clients) in the dynamic-provider process, once per operation, ms | ${u.loadProviderMs.toFixed(0)} | 0 |`,
    );
    const borderline = engine.medians.filter(
        (m) => MAX_RATIO_OPS.includes(m.op) && m.ratio <= ENGINE_GOAL_RATIO && median(m.runRatios) > ENGINE_GOAL_RATIO,
    );
    for (const m of borderline) {
        lines.push(
            "",
            `Borderline for ${OP_LABEL[m.op]}: the ratio of the medians (${ratio(m.ratio)}) meets the goal, but the median ` +
                `of the ratios within each run is ${ratio(median(m.runRatios))} (from ${ratio(Math.min(...m.runRatios))} to ` +
                `${ratio(Math.max(...m.runRatios))}), above ${ENGINE_GOAL_RATIO}: on this shared machine the goal is met ` +
                "or missed by noise.",
        );
    }
    const failing = engine.medians.filter((m) => MAX_RATIO_OPS.includes(m.op) && m.ratio > ENGINE_GOAL_RATIO);
    const tokenRows = state?.rows.filter((row) => row.kind !== "Noop") ?? [];
    const noopBytes = state?.rows.find((row) => row.kind === "Noop")?.exportBytesPerResource;
    const stateNote =
        tokenRows.length > 0 && noopBytes !== undefined
            ? `, a state ${ratio(tokenRows.reduce((n, row) => n + row.exportBytesPerResource, 0) / tokenRows.length / noopBytes)} times larger per resource (item 1)`
            : "";
    for (const m of failing) {
        const extraMs = m.tokensMs - m.noopMs;
        const serialization =
            m.op === "refresh" || m.op === "destroy" ? 0 : engine.n * (u.serializeTokenMs - u.serializeNoopMs);
        const explained = serialization + u.loadProviderMs;
        lines.push(
            "",
            `Not met for ${OP_LABEL[m.op]}: ${ratio(m.ratio)}, +${seconds(extraMs)} s for ${engine.n} tokens ` +
                `(${(extraMs / engine.n).toFixed(0)} ms per token). Of that, ` +
                (serialization > 0
                    ? `serializing ${engine.n} providers accounts for ~${seconds(serialization)} s and loading the provider code for`
                    : "loading the provider code accounts for") +
                ` ~${seconds(u.loadProviderMs)} s; the remaining ~${seconds(Math.max(0, extraMs - explained))} s ` +
                "is the tokens' own work (input validation, the HTTP requests of item 4 at most 4 in flight per " +
                `service)${stateNote} and the engine's handling of it. The no-op side does none of this, so that ` +
                "work, rather than an overhead of the engine, is what the ratio shows.",
        );
    }
    lines.push("", "Reproduce: `BENCH_ONLY=engine npm run bench` (`BENCH_N` tokens, `BENCH_RUNS` runs).");
    return lines;
}

function requestsSection(engine: EngineResult): string[] {
    const perService = tokensPerService(engine.n);
    const services = Object.keys(perService).sort();
    const lines = [
        "## 4. API calls per operation",
        "",
        `Requests the sandbox received during each operation on the ${engine.n}-token stack of item 2 (first run;`,
        `${engine.requestsStable ? "every run made the same number" : "**the runs differed**, first run shown"}). Tokens per service:`,
        `${services.map((s) => `${s} ${perService[s]}`).join(", ")}.`,
        "",
        `| operation | requests | per token | by method | writes | ${services.map((s) => `${s} (per token)`).join(" | ")} |`,
        `|---|---:|---:|---|---:|${services.map(() => "---:").join("|")}|`,
    ];
    for (const op of OPS) {
        const c = engine.requests[op];
        const cells = services.map((s) => {
            const k = c.byService[s] ?? 0;
            return `${k} (${(k / (perService[s] ?? 1)).toFixed(1)})`;
        });
        lines.push(
            `| ${OP_LABEL[op]} | ${c.total} | ${(c.total / engine.n).toFixed(2)} | ${methods(c)} | ${c.writes} | ${cells.join(" | ")} |`,
        );
    }
    const c = engine.requests;
    lines.push(
        "",
        `A no-change \`up\` made ${c["noop-up"].total} requests (${c["noop-up"].writes} writes): \`check\` and \`diff\` work on the`,
        `stored state only. \`refresh\` made ${(c.refresh.total / engine.n).toFixed(2)} requests per token: one read each`,
        "(GitLab and Qovery get the token by id; Gitea and Codacy have no get-by-id and list the owner's tokens, one page",
        "while a user or repository holds ≤ 50). Create lists the existing tokens once before creating one on GitLab,",
        "Codacy and Qovery, so that a create whose answer is lost can be told from tokens that existed before (and be",
        "revoked or adopted, never orphaned); Gitea creates with one request. Destroy asks Qovery whether a git token",
        "is in use before deleting it.",
        "",
        "Reproduce: `BENCH_ONLY=engine npm run bench`.",
    );
    if (c["noop-up"].writes > 0 || c.refresh.total / engine.n > 1) {
        lines.push("", "Not met: see the rows above for the operation that exceeded its budget.");
    }
    return lines;
}

function memorySection(engine: EngineResult): string[] {
    const lines = [
        "## 5. Peak memory of the dynamic-provider process",
        "",
        "Resident set size (`VmRSS` from `/proc/PID/status`) of the `node …/@pulumi/pulumi/cmd/dynamic-provider` process",
        "that the engine starts through `pulumi-resource-pulumi-nodejs`, found among the benchmark's descendants and",
        `sampled every ${engine.rssIntervalMs} ms by a worker thread (median gap achieved: ${engine.rssMedianGapMs.toFixed(0)} ms), during the runs of item 2.`,
        "Peak over all runs, per operation:",
        "",
        `| operation | ${engine.n} tokens (MiB) | ${engine.n} no-op (MiB) |`,
        "|---|---:|---:|",
    ];
    for (const op of OPS) {
        lines.push(`| ${OP_LABEL[op]} | ${mib(peak(engine, "tokens", op))} | ${mib(peak(engine, "noop", op))} |`);
    }
    lines.push(
        "",
        `Each operation starts its own provider process (${Math.max(0, ...engine.rss.map((p) => p.processes))} seen per operation over the ${engine.runs} run${engine.runs === 1 ? "" : "s"}, ${engine.rss.some((p) => p.peakTotalBytes > p.peakProcessBytes) ? "sometimes two at once" : "never two at once"}). The`,
        "difference with the no-op baseline is the package's provider code (axios, zod, the four clients) and the",
        "requests in flight.",
        "",
        "Reproduce: `BENCH_ONLY=engine npm run bench` (`BENCH_RSS_INTERVAL_MS`).",
    );
    return lines;
}

function rateSection(runs: RateRun[], settings: BenchResults["rateSettings"]): string[] {
    const { repositories, rps, burst } = settings;
    const scriptS = repositories * PUBLISHED_SCRIPT_PAUSE_S;
    const lines = [
        "## 3. Rate-limit efficiency",
        "",
        `\`CodacyOrganizationRepoTokens\` for the ${repositories} repositories of \`gh/acme\` in one \`pulumi up\`, while the`,
        `sandbox lets Codacy answer ${rps} requests per second (token bucket of ${burst}; beyond it 429 with \`Retry-After\`).`,
        "The bound is the time the needed requests take at R: (requests not answered 429) / R. The `up` time includes",
        "the engine, the program and the repository listing; the API span is from the first to the last Codacy request.",
        "",
        "| settings | requests (429s) | bound (s) | `up` (s) | `up` ÷ bound | API span ÷ bound | tokens live | goal (≤ 1.2, no failure) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ];
    for (const run of runs) {
        lines.push(
            `| ${RATE_MODE_LABEL[run.mode]} | ${run.requests.total} (${run.requests.limited}) | ${seconds(run.boundMs)} | ${seconds(run.upMs)} | ${ratio(run.ratio)} | ${ratio(run.apiRatio)} | ${run.liveTokens} / ${repositories} | ${met(rateOk(run))} |`,
        );
    }
    const best = Math.min(...runs.map((r) => r.upMs)) / 1000;
    lines.push(
        "",
        `Codacy's published script pauses ${PUBLISHED_SCRIPT_PAUSE_S} s after each repository: ${repositories} × ${PUBLISHED_SCRIPT_PAUSE_S} s = ` +
            `**≥ ${scriptS} s** before any request time (computed, not run), whatever the limit, against ${best.toFixed(0)} s here ` +
            `(${(scriptS / best).toFixed(1)}× faster).`,
        "",
        "Reproduce: `BENCH_ONLY=rate npm run bench` (`BENCH_RATE_REPOS`, `BENCH_RATE_RPS`, `BENCH_RATE_BURST`).",
    );
    for (const run of runs.filter((r) => !rateOk(r))) {
        const why = !run.succeeded
            ? `the \`up\` failed: ${run.error ?? "unknown error"}`
            : `${seconds(run.upMs - run.apiSpanMs)} s of the ${seconds(run.upMs)} s are outside the API span ` +
              "(CLI, program start, TypeScript compile, provider start) and the API span itself is " +
              `${ratio(run.apiRatio)}× the bound` +
              (run.requests.limited > 0
                  ? `: ${run.requests.limited} requests were refused with 429, and each refusal holds every request ` +
                    "back until `Retry-After`, which is in whole seconds, so the allowance is not used evenly. Setting " +
                    "`codacy:maxRequestsPerSecond` to the service's limit avoids the refusals (the paced row)"
                  : "");
        lines.push("", `Not met (${run.mode}): ${why}.`);
    }
    return lines;
}

function scaleSection(r: BenchResults): string[] {
    const s = r.scale!;
    const e = r.engine;
    const n = bytes(s.n);
    const lines = [
        `## 6. Scale: ${n} tokens in one stack`,
        "",
        `Item 2 at ${n}: a stack of ${n} tokens, the five kinds in turn (${bytes(s.n / 5)} of each, all against one sandbox`,
        `that holds them all), and a stack of ${n} no-op dynamic resources, each taken through create → no-change \`up\` →`,
        `\`refresh\` → \`destroy\` in the same run, ${s.runs === 1 ? "once each (1 run: one series of these takes several minutes on this machine)" : `${s.runs} runs, alternating which stack goes first`}.`,
        refreshSamplesText(s.timings),
        `Before the timed runs, the state per token at ${s.state.smallN} is measured on the token stack (untimed; see below).`,
        "",
        `| operation | ${n} tokens (s) | ${n} no-op (s) | ratio | goal (≤ ${ENGINE_GOAL_RATIO}) |${s.runs > 1 ? " ratio within each run |" : ""}${e ? ` ratio at ${e.n} (item 2) | extra ms per token over the no-op: at ${n} | at ${e.n} |` : ""}`,
        `|---|---:|---:|---:|---|${s.runs > 1 ? "---|" : ""}${e ? "---:|---:|---:|" : ""}`,
    ];
    for (const m of s.medians) {
        const goal = MAX_RATIO_OPS.includes(m.op) ? met(m.ratio <= ENGINE_GOAL_RATIO) : "(not a goal)";
        const small = e?.medians.find((x) => x.op === m.op);
        const extra = (x: { tokensMs: number; noopMs: number }, size: number) =>
            ((x.tokensMs - x.noopMs) / size).toFixed(1);
        lines.push(
            `| ${OP_LABEL[m.op]} | ${seconds(m.tokensMs)} | ${seconds(m.noopMs)} | ${ratio(m.ratio)} | ${goal} |` +
                (s.runs > 1 ? ` ${m.runRatios.map(ratio).join(", ")} |` : "") +
                (e && small ? ` ${ratio(small.ratio)} | ${extra(m, s.n)} | ${extra(small, e.n)} |` : ""),
        );
    }
    lines.push(...everyRun(s.timings));
    lines.push(...scaleTimeNotes(s, e));

    // API calls and the sandbox's own cost.
    const c = s.requests;
    lines.push(
        "",
        `API calls of the token stack (${s.runs > 1 ? (s.requestsStable ? "first run; every run made the same number" : "**the runs differed**, first run shown") : "the run"}), and the sandbox's own time per request`,
        "(arrival to answer, measured in the sandbox), to check that the sandbox does not grow slower per request with",
        `what it holds and skew the ratio${e ? `; item 4's ${e.n}-token figures beside` : ""}:`,
        "",
        `| operation | requests | per token | by method | writes | sandbox ms per request (median) |${e ? ` at ${e.n} |` : ""} sandbox time ÷ wall time |`,
        `|---|---:|---:|---|---:|---:|${e ? "---:|" : ""}---:|`,
    );
    const tokensTiming = s.timings.find((t) => t.program === "tokens")!;
    for (const op of OPS) {
        const k = c[op];
        const small = e?.requests[op];
        lines.push(
            `| ${OP_LABEL[op]} | ${k.total} | ${(k.total / s.n).toFixed(2)} | ${methods(k)} | ${k.writes} | ${k.total > 0 ? k.handledMsMedian.toFixed(2) : "—"} |` +
                (small ? ` ${small.total > 0 ? small.handledMsMedian.toFixed(2) : "—"} |` : "") +
                ` ${ratio(k.handledMsSum / tokensTiming.ms[op])} |`,
        );
    }
    const gitea = c.refresh.byService.gitea ?? 0;
    const giteaTokens = mixedTokens(s.n).filter((t) => t.kind === "GiteaToken").length;
    const others = c.refresh.total - gitea;
    lines.push(
        "",
        `A no-change \`up\` of ${n} tokens made ${c["noop-up"].total} requests (${c["noop-up"].writes} writes). \`refresh\` made ${(c.refresh.total / s.n).toFixed(2)} requests per token:` +
            ` ${(others / (s.n - giteaTokens)).toFixed(2)} for the GitLab, Codacy and Qovery tokens (one read each), ${(gitea / Math.max(1, giteaTokens)).toFixed(2)} for Gitea's.` +
            (gitea > giteaTokens
                ? ` Gitea has no get-by-id: a read lists the user's tokens, ${GITEA_PAGE} per page, and here one user holds all ${giteaTokens}, so each read` +
                  ` takes ${Math.ceil(giteaTokens / GITEA_PAGE)} requests (1 at item 4's size) and a refresh of one user's tokens grows with their square. Sharing one listing among` +
                  " the reads of one `refresh` would bring it back to about one request per token (not done: it changes how fresh a read is)."
                : ""),
    );

    // Memory.
    lines.push(
        "",
        `Peak RSS of the dynamic-provider process (as item 5, sampled every ${s.rssIntervalMs} ms, median gap ${s.rssMedianGapMs.toFixed(0)} ms)` +
            (e
                ? `, against item 5's figures at ${e.n}; growth = (peak at ${n} − peak at ${e.n}) / ${bytes(s.n - e.n)}:`
                : ":"),
        "",
        e
            ? `| operation | ${n} tokens (MiB) | ${e.n} tokens (MiB) | growth per token (KiB) | ${n} no-op (MiB) | ${e.n} no-op (MiB) | growth per no-op resource (KiB) |`
            : `| operation | ${n} tokens (MiB) | ${n} no-op (MiB) |`,
        e ? "|---|---:|---:|---:|---:|---:|---:|" : "|---|---:|---:|",
    );
    for (const op of OPS) {
        const g = rssGrowth(r, op);
        lines.push(
            g
                ? `| ${OP_LABEL[op]} | ${mib(g.tokens.large)} | ${mib(g.tokens.small)} | ${signedKib(g.tokens.perUnit)} | ${mib(g.noop.large)} | ${mib(g.noop.small)} | ${signedKib(g.noop.perUnit)} |`
                : `| ${OP_LABEL[op]} | ${mib(peak(s, "tokens", op))} | ${mib(peak(s, "noop", op))} |`,
        );
    }

    // State.
    const st = s.state;
    const change = relativeChange(st.smallBytesPerToken, st.bytesPerToken);
    const tol = `±${SCALE_STATE_TOLERANCE * 100} %`;
    lines.push(
        "",
        "State per token, item 1's way on the token stack (`pulumi stack export`, secrets encrypted): the mix's first",
        `token (the anchor) alone (${bytes(st.baseBytes)} B), then with the next ${st.smallN} tokens (untimed, before the runs); at ${n}, the`,
        `export right after the first timed create (${mib(st.exportBytes)} MiB). Bytes per token = (export − export with the anchor`,
        `alone) / tokens beside the anchor (${st.smallN}, then ${bytes(s.n - 1)}): the shared entries (stack, default provider with the`,
        "stack config) are in both exports and drop out, and the kinds are in the same proportions at both sizes.",
        "",
        `| tokens | export bytes per token | change | goal (${tol}) |`,
        "|---:|---:|---:|---|",
        `| ${st.smallN} | ${bytes(st.smallBytesPerToken)} | — | — |`,
        `| ${n} | ${bytes(st.bytesPerToken)} | ${percent(change)} | ${met(Math.abs(change) <= SCALE_STATE_TOLERANCE)} |`,
    );
    const mixed = r.state ? mixWeightedStateBytes(r.state, s.n) : undefined;
    lines.push(
        "",
        `Tolerance ${tol}: between ${st.smallN} and ${n} tokens a token's own entry can only differ by the digits of the ids the`,
        "services hand out (a few bytes in `id`, `tokenId` and the like); names, timestamps and ciphertexts keep their",
        "length. That is well under 1 %, while a cost per token that grows with the stack (a list of all resources in",
        `each entry, say) would grow ${(s.n / st.smallN).toFixed(1)}-fold between the two sizes, far beyond ${tol}.` +
            (mixed === undefined
                ? ""
                : ` Item 1's figures weighted by this mix give ${bytes(mixed)} B per token (${percent(relativeChange(mixed, st.bytesPerToken))} from the figure at ${n}; item 1 deploys ${r.state!.k} of one kind at a time).`),
        "",
        "Reproduce: `BENCH_ONLY=scale npm run bench` (`BENCH_SCALE_N` tokens, `BENCH_SCALE_RUNS` runs; item 2's figures",
        "appear beside when `engine` runs too, e.g. `BENCH_ONLY=engine,scale`).",
    );
    return lines;
}

/** Why the times at N are what they are: per-resource growth of the engine, checkpoint sizes, misses. */
function scaleTimeNotes(s: ScaleResult, e: EngineResult | undefined): string[] {
    const lines: string[] = [];
    const n = bytes(s.n);
    const noopMsPerResource = (m: { noopMs: number }, size: number) => m.noopMs / size;
    const create = s.medians.find((m) => m.op === "create")!;
    const destroy = s.medians.find((m) => m.op === "destroy")!;
    const smallCreate = e?.medians.find((m) => m.op === "create");
    const smallDestroy = e?.medians.find((m) => m.op === "destroy");
    const st = s.state;
    // Only worth explaining when the engine's time per resource grew markedly from item 2's size to N.
    if (
        e &&
        smallCreate &&
        smallDestroy &&
        noopMsPerResource(create, s.n) > 1.2 * noopMsPerResource(smallCreate, e.n) &&
        noopMsPerResource(destroy, s.n) > 1.2 * noopMsPerResource(smallDestroy, e.n)
    ) {
        lines.push(
            "",
            `Per resource, the no-op stack's create takes ${noopMsPerResource(create, s.n).toFixed(0)} ms at ${n} against ` +
                `${noopMsPerResource(smallCreate, e.n).toFixed(0)} ms at ${e.n}, its destroy ${noopMsPerResource(destroy, s.n).toFixed(0)} ms against ` +
                `${noopMsPerResource(smallDestroy, e.n).toFixed(0)} ms: the engine's own cost per step grows with the stack (the no-op provider ` +
                "does nothing). Pulumi persists the whole checkpoint at the start and the end of each step that changes " +
                "something (`pkg/backend/snapshot.go`; with a file backend `pkg/backend/diy/state.go` marshals, backs up, " +
                `writes and verifies it each time; unchanged steps are elided), so every create or delete rewrites what the stack holds: ${mib(st.exportBytes)} MiB for the tokens, ${mib(st.noopExportBytes)} MiB for the ` +
                `no-op resources at ${n} (export size; ${ratio(st.exportBytes / Math.max(1, st.noopExportBytes))}×). That work weighs on both ` +
                "stacks alike and grows with the state per resource (see the state per token below); the tokens' own work " +
                "(validation, the requests below) is a small share of it. (`PULUMI_SKIP_CHECKPOINTS=true` makes the engine " +
                "write the state only at the end, without the crash safety of the intermediate checkpoints.)",
        );
    }
    if (s.runs === 1) {
        lines.push(
            "",
            "One run only, the token stack first: the ratios above carry this shared machine's noise, and a change of " +
                "load between the two halves goes straight into them (see the load column; a ratio below 1 is noise, not " +
                `tokens faster than doing nothing)${e && e.runs > 1 ? `; item 2's ${e.runs} runs show the spread at ${e.n}` : ""}.`,
        );
    }
    for (const m of s.medians.filter((x) => MAX_RATIO_OPS.includes(x.op) && x.ratio > ENGINE_GOAL_RATIO)) {
        lines.push(
            "",
            `Not met for ${OP_LABEL[m.op]}: ${ratio(m.ratio)}, +${seconds(m.tokensMs - m.noopMs)} s for ${n} tokens ` +
                `(${((m.tokensMs - m.noopMs) / s.n).toFixed(0)} ms per token).`,
        );
    }
    return lines;
}

/** Tokens per page of Gitea's token listing (provider/gitea/client.ts). */
const GITEA_PAGE = 50;

/** Item 1's bytes per resource, weighted by how many tokens of each kind a mixed stack of `n` holds. */
function mixWeightedStateBytes(state: StateResult, n: number): number | undefined {
    const specs = mixedTokens(n);
    let total = 0;
    for (const spec of specs) {
        const row = state.rows.find((x) => x.kind === spec.kind);
        if (!row) {
            return undefined;
        }
        total += row.exportBytesPerResource;
    }
    return total / specs.length;
}

export function renderReport(r: BenchResults): string {
    const lines: string[] = [
        "# Benchmarks",
        "",
        "Written by `npm run bench` (`bench/run.ts`): cost per token in the state, engine time against minimal no-op",
        "dynamic resources, staying at a rate limit, API calls per operation, provider memory and all of these at",
        "1,000 tokens in one stack, and the native provider plugin beside the dynamic resources, measured against the sandbox (`test/sandbox`) with the real Pulumi engine and a",
        "temporary local backend. The tests carry no timings; these figures live here only.",
        "",
        `Settings: ${r.knobs.length > 0 ? r.knobs.map((k) => `\`${k}\``).join(", ") : "defaults"} (BENCH_N=50, BENCH_RUNS=5, BENCH_STATE_K=10, BENCH_RATE_REPOS=250, BENCH_RATE_RPS=5, BENCH_SCALE_N=1000, BENCH_SCALE_RUNS=${DEFAULT_SCALE_RUNS}, BENCH_NATIVE_RUNS=${DEFAULT_NATIVE_RUNS}, BENCH_REFRESH_SAMPLES=${DEFAULT_REFRESH_SAMPLES} unless listed).`,
        "",
        ...(r.failures.length > 0
            ? ["## Failures", "", ...r.failures.map((f) => `- ${f.replace(/\s+/g, " ")}`), ""]
            : []),
        "## Summary",
        "",
        ...summary(r),
        "",
        "## Machine and versions",
        "",
        ...machine(r),
        "",
        "Timings are wall-clock on a shared 2-core machine; the load average shows what else ran. Ratios compare",
        "stacks measured in the same run, alternating, so they are steadier than the absolute seconds.",
        "",
        "Command: `npm run bench` (all sections, writes this file). Quicker: `BENCH_RUNS=1 BENCH_N=20",
        "BENCH_RATE_REPOS=50 BENCH_SCALE_N=100 npm run bench`; one section: `BENCH_ONLY=state|engine|rate|scale|native npm run",
        "bench` (prints the report; `BENCH_OUT=file` to write it).",
        "",
    ];
    if (r.state) {
        lines.push(...stateSection(r.state), "");
    }
    if (r.engine) {
        lines.push(...engineSection(r.engine, r.state), "");
    }
    if (r.rate && r.rate.length > 0) {
        lines.push(...rateSection(r.rate, r.rateSettings), "");
    }
    if (r.engine) {
        lines.push(...requestsSection(r.engine), "", ...memorySection(r.engine), "");
    }
    if (r.scale) {
        lines.push(...scaleSection(r), "");
    }
    if (r.native) {
        lines.push(...nativeSection(r.native), "");
    }
    return `${lines.join("\n").trimEnd()}\n`;
}
