// Worker thread of bench/rss.ts: every `intervalMs` finds the processes below `rootPid` whose command line
// names the dynamic-provider entry point (`@pulumi/pulumi/cmd/dynamic-provider`, started by the
// `pulumi-resource-pulumi-nodejs` launcher) and reads their resident set size from /proc. Sync reads are
// fine here: they block this thread, not the benchmark's event loop (which also serves the sandbox).
import * as fs from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import type { RssPeak, RssWorkerData, RssWorkerMessage } from "./rss";

const { rootPid, intervalMs, match } = workerData as RssWorkerData;

function readOr(file: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return ""; // the process ended between listing and reading
    }
}

/** Parent pid from /proc/PID/stat (the command name in parentheses may hold spaces). */
function parentOf(pid: number): number | undefined {
    const stat = readOr(`/proc/${pid}/stat`);
    const close = stat.lastIndexOf(")");
    if (close < 0) {
        return undefined;
    }
    const fields = stat.slice(close + 2).split(" ");
    const ppid = Number(fields[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
}

function descendants(root: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) {
            continue;
        }
        const pid = Number(entry);
        const ppid = parentOf(pid);
        if (ppid !== undefined) {
            const list = children.get(ppid) ?? [];
            list.push(pid);
            children.set(ppid, list);
        }
    }
    const found: number[] = [];
    const queue = [root];
    while (queue.length > 0) {
        const pid = queue.shift()!;
        for (const child of children.get(pid) ?? []) {
            found.push(child);
            queue.push(child);
        }
    }
    return found;
}

function rssBytes(pid: number): number {
    const line = readOr(`/proc/${pid}/status`)
        .split("\n")
        .find((l) => l.startsWith("VmRSS:"));
    const kb = line ? Number(line.replace(/[^0-9]/g, "")) : 0;
    return Number.isFinite(kb) ? kb * 1024 : 0;
}

let label = "";
const peaks = new Map<string, RssPeak>();
const seenPids = new Map<string, Set<number>>();
let lastAt = 0;
let gaps: number[] = [];

function sample(): void {
    const now = performance.now();
    if (lastAt > 0) {
        gaps.push(now - lastAt);
    }
    lastAt = now;
    if (label === "") {
        return;
    }
    let total = 0;
    let largest = 0;
    const pids = seenPids.get(label) ?? new Set<number>();
    for (const pid of descendants(rootPid)) {
        // `node -e "require.resolve('…/cmd/dynamic-provider')"` (the launcher finding the script) is not it.
        const args = readOr(`/proc/${pid}/cmdline`).split("\0");
        if (!args.includes("-e") && args.some((arg) => arg.includes(match))) {
            const rss = rssBytes(pid);
            total += rss;
            largest = Math.max(largest, rss);
            pids.add(pid);
        }
    }
    seenPids.set(label, pids);
    const peak = peaks.get(label) ?? { label, peakTotalBytes: 0, peakProcessBytes: 0, samples: 0, processes: 0 };
    peak.samples++;
    peak.peakTotalBytes = Math.max(peak.peakTotalBytes, total);
    peak.peakProcessBytes = Math.max(peak.peakProcessBytes, largest);
    peak.processes = pids.size;
    peaks.set(label, peak);
}

const timer = setInterval(sample, intervalMs);

parentPort?.on("message", (message: RssWorkerMessage) => {
    if (message.type === "label") {
        sample();
        label = message.label;
        sample();
    } else {
        sample();
        clearInterval(timer);
        const sorted = [...gaps].sort((a, b) => a - b);
        const medianGapMs = sorted.length > 0 ? sorted[Math.floor(sorted.length / 2)]! : 0;
        gaps = [];
        parentPort?.postMessage({ peaks: [...peaks.values()], medianGapMs });
    }
});
