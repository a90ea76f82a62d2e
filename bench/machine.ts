// What the figures were measured on: machine, operating system and versions.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface MachineInfo {
    cpuModel: string;
    cores: number;
    memoryGiB: number;
    os: string;
    kernel: string;
    node: string;
    pulumiCli: string;
    /** Where the engine came from (the repository's build uses a stand-in Node.js language host). */
    engineSource: string;
    pulumiSdk: string;
    packageVersion: string;
    /** `abc1234`, plus a note when the working tree had uncommitted changes at run time. */
    commit: string;
}

function cpuModel(): string {
    try {
        const line = fs
            .readFileSync("/proc/cpuinfo", "utf8")
            .split("\n")
            .find((l) => l.startsWith("model name"));
        const model = line?.split(":").slice(1).join(":").trim();
        if (model) {
            return model;
        }
    } catch {
        // not Linux: fall back to what Node knows
    }
    return os.cpus()[0]?.model ?? "unknown";
}

function osName(): string {
    try {
        const line = fs
            .readFileSync("/etc/os-release", "utf8")
            .split("\n")
            .find((l) => l.startsWith("PRETTY_NAME="));
        if (line) {
            return line.slice("PRETTY_NAME=".length).replace(/^"|"$/g, "");
        }
    } catch {
        // no os-release
    }
    return `${os.type()} ${os.release()}`;
}

function manifestVersion(file: string): string {
    try {
        const manifest: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
        if (typeof manifest === "object" && manifest !== null && "version" in manifest) {
            return String(manifest.version);
        }
    } catch {
        // missing
    }
    return "unknown";
}

function run(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): string {
    try {
        return execFileSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
        return "";
    }
}

function commit(repoRoot: string): string {
    const head = run("git", ["rev-parse", "--short", "HEAD"], repoRoot) || "unknown";
    const dirty = run("git", ["status", "--porcelain", "--untracked-files=no"], repoRoot)
        .split("\n")
        .filter((l) => l.trim() !== "").length;
    return dirty > 0 ? `${head} (+ ${dirty} tracked files with uncommitted changes at run time)` : head;
}

export function machineInfo(repoRoot: string, engineDir: string): MachineInfo {
    const env = { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" };
    return {
        cpuModel: cpuModel(),
        cores: os.cpus().length,
        memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
        os: osName(),
        kernel: `${os.type()} ${os.release()} ${os.arch()}`,
        node: process.version,
        pulumiCli: run(path.join(engineDir, "pulumi"), ["version"], repoRoot, env) || "unknown",
        engineSource: engineDir.includes(`${path.sep}pulumi-access-tokens${path.sep}engine${path.sep}`)
            ? "built by `scripts/ensure-pulumi` from the Go module proxy, with its stand-in Node.js language host (`scripts/engine/langhost`)"
            : `installed (${engineDir})`,
        pulumiSdk: manifestVersion(path.join(repoRoot, "node_modules", "@pulumi", "pulumi", "package.json")),
        packageVersion: manifestVersion(path.join(repoRoot, "package.json")),
        commit: commit(repoRoot),
    };
}
