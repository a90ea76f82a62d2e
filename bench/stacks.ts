// Stacks of the bench programs (test/e2e/programs/bench-*) on the sandbox, through the e2e harness: the
// real engine, a temporary PULUMI_HOME and file backend per stack.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { OpMap } from "@pulumi/pulumi/automation";
import { createTestWorkspace, installedProgramDir, pluginsOnPath, type TestWorkspace } from "../test/e2e/harness";
import { type RecordedRequest, SEED } from "../test/sandbox";
import { median, sum } from "./stats";

export type TokenKind = "ProjectAccessToken" | "GroupAccessToken" | "GiteaToken" | "CodacyRepoToken" | "QoveryGitToken";
export const TOKEN_KINDS: readonly TokenKind[] = [
    "ProjectAccessToken",
    "GroupAccessToken",
    "GiteaToken",
    "CodacyRepoToken",
    "QoveryGitToken",
];

export interface TokenSpec {
    kind: TokenKind;
    name: string;
    args: Record<string, unknown>;
}

/** The `i`-th token of a kind; `i` keeps names (and Codacy repositories) distinct. */
export function tokenSpec(kind: TokenKind, i: number): TokenSpec {
    const n = String(i).padStart(3, "0");
    switch (kind) {
        case "ProjectAccessToken":
            return {
                kind,
                name: `project-${n}`,
                args: { project: i % 2 === 0 ? "acme/web" : "acme/api", name: `bench-${n}`, scopes: ["read_api"] },
            };
        case "GroupAccessToken":
            return {
                kind,
                name: `group-${n}`,
                args: { group: "acme", name: `bench-${n}`, scopes: ["read_api"], accessLevel: "developer" },
            };
        case "GiteaToken":
            return { kind, name: `gitea-${n}`, args: { name: `bench-${n}`, scopes: ["read:repository"] } };
        case "CodacyRepoToken":
            return {
                kind,
                name: `codacy-${n}`,
                args: { provider: "gh", organization: "acme", repository: `repo-${String(i + 1).padStart(3, "0")}` },
            };
        case "QoveryGitToken":
            return {
                kind,
                name: `qovery-${n}`,
                args: {
                    organizationId: SEED.qovery.organizationId,
                    name: `bench-${n}`,
                    type: "GITHUB",
                    token: `bench-git-token-${n}`,
                },
            };
    }
}

/** `n` tokens, the kinds taken in turn (50 → 10 of each). */
export function mixedTokens(n: number): TokenSpec[] {
    return Array.from({ length: n }, (_, i) => tokenSpec(TOKEN_KINDS[i % TOKEN_KINDS.length]!, Math.floor(i / 5)));
}

export interface BenchStack extends TestWorkspace {
    program: string;
    /** `pulumi stack export` as the CLI prints it (secrets stay encrypted, as on disk). */
    exportText(): string;
    /** bench-tokens: the tokens the program declares on the next operation. */
    setTokens(specs: readonly TokenSpec[]): void;
}

/** `pulumi stack export` of the workspace's stack, as the CLI prints it (secrets encrypted, as on disk). */
export function exportStack(ws: TestWorkspace, dir: string): string {
    return execFileSync("pulumi", ["stack", "export", "--stack", ws.stack.name], {
        cwd: dir,
        env: { ...process.env, ...ws.env },
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
    });
}

export async function benchStack(
    program: string,
    config: Record<string, { value: string; secret?: boolean }>,
    /** Put the installed package's native plugin (bin/pulumi-resource-accesstokens) on PATH. */
    opts: { nativePlugin?: boolean } = {},
): Promise<BenchStack> {
    // Measure the package as users install it (a copy under node_modules), not as linked in this repository.
    const installed = installedProgramDir(program);
    const dir = installed.dir;
    const specDir = fs.mkdtempSync(path.join(os.tmpdir(), "pat-bench-"));
    const specFile = path.join(specDir, "tokens.json");
    fs.writeFileSync(specFile, "[]");
    let ws: TestWorkspace;
    try {
        ws = await createTestWorkspace(dir, {
            stackName: `bench-${process.pid}-${program}`,
            config,
            envVars: {
                BENCH_TOKENS_FILE: specFile,
                ...(opts.nativePlugin
                    ? pluginsOnPath(path.join(dir, "node_modules", "pulumi-access-tokens", "bin"))
                    : {}),
            },
        });
    } catch (e: unknown) {
        fs.rmSync(specDir, { recursive: true, force: true });
        installed.dispose();
        throw e;
    }
    return {
        ...ws,
        program,
        exportText: () => exportStack(ws, dir),
        setTokens: (specs) => fs.writeFileSync(specFile, JSON.stringify(specs)),
        dispose: async () => {
            try {
                await ws.dispose();
            } finally {
                fs.rmSync(specDir, { recursive: true, force: true });
                installed.dispose();
            }
        },
    };
}

/** Changes other than `same`, e.g. `{create: 51}`. */
export function changes(ops: OpMap | undefined): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [op, count] of Object.entries(ops ?? {})) {
        if (op !== "same" && (count ?? 0) > 0) {
            out[op] = count ?? 0;
        }
    }
    return out;
}

/** Fails with a readable message unless the operation did what it was expected to. */
export function expectChanges(what: string, ops: OpMap | undefined, expected: Record<string, number>): void {
    const got = changes(ops);
    const a = JSON.stringify(Object.entries(got).sort());
    const b = JSON.stringify(Object.entries(expected).sort());
    if (a !== b) {
        throw new Error(`${what}: expected changes ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
    }
}

export interface RequestCounts {
    total: number;
    /** GET, POST, PUT, PATCH, DELETE … */
    byMethod: Record<string, number>;
    byService: Record<string, number>;
    /** Requests other than GET/HEAD. */
    writes: number;
    /** Answers 429 (rate limited). */
    limited: number;
    /** Answers ≥ 500 or no answer. */
    failed: number;
    /** The sandbox's own time per request (arrival to answer), median and sum, in ms (0 without requests). */
    handledMsMedian: number;
    handledMsSum: number;
}

export function countRequests(requests: readonly RecordedRequest[]): RequestCounts {
    const counts: RequestCounts = {
        total: 0,
        byMethod: {},
        byService: {},
        writes: 0,
        limited: 0,
        failed: 0,
        handledMsMedian: requests.length > 0 ? median(requests.map((r) => r.handledMs)) : 0,
        handledMsSum: sum(requests.map((r) => r.handledMs)),
    };
    for (const r of requests) {
        counts.total++;
        counts.byMethod[r.method] = (counts.byMethod[r.method] ?? 0) + 1;
        counts.byService[r.service] = (counts.byService[r.service] ?? 0) + 1;
        if (r.method !== "GET" && r.method !== "HEAD") {
            counts.writes++;
        }
        if (r.status === 429) {
            counts.limited++;
        }
        if (r.status === 0 || r.status >= 500) {
            counts.failed++;
        }
    }
    return counts;
}

export function log(line: string): void {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}
