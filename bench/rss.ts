// Peak resident memory of the dynamic-provider processes the engine starts, sampled from /proc by a worker
// thread (bench/rssWorker.ts) at a fixed interval. Samples are attributed to the current label (an
// operation), so each operation gets its own peak. Linux only: elsewhere the sampler reports nothing.
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";

/** What identifies a dynamic-provider process in its command line. */
export const DYNAMIC_PROVIDER_MATCH = "cmd/dynamic-provider";

export interface RssWorkerData {
    rootPid: number;
    intervalMs: number;
    match: string;
}

export type RssWorkerMessage = { type: "label"; label: string } | { type: "stop" };

export interface RssPeak {
    label: string;
    /** Highest sum of the RSS of all matching processes in one sample. */
    peakTotalBytes: number;
    /** Highest RSS of one matching process. */
    peakProcessBytes: number;
    samples: number;
    /** Distinct matching processes seen under this label. */
    processes: number;
}

export interface RssReport {
    peaks: RssPeak[];
    /** Median time between two samples, in ms (the interval actually achieved). */
    medianGapMs: number;
}

export class RssSampler {
    private readonly worker: Worker | undefined;

    constructor(intervalMs: number) {
        if (!fs.existsSync("/proc/self/status")) {
            return;
        }
        const data: RssWorkerData = { rootPid: process.pid, intervalMs, match: DYNAMIC_PROVIDER_MATCH };
        this.worker = new Worker(path.join(__dirname, "rssWorker.js"), { workerData: data });
        this.worker.unref();
    }

    get available(): boolean {
        return this.worker !== undefined;
    }

    /** Attributes the following samples to `label` ("" pauses the attribution). */
    label(label: string): void {
        const message: RssWorkerMessage = { type: "label", label };
        this.worker?.postMessage(message);
    }

    async stop(): Promise<RssReport> {
        const worker = this.worker;
        if (worker === undefined) {
            return { peaks: [], medianGapMs: 0 };
        }
        const report = new Promise<RssReport>((resolve, reject) => {
            worker.once("message", (message: RssReport) => resolve(message));
            worker.once("error", reject);
        });
        const stop: RssWorkerMessage = { type: "stop" };
        worker.postMessage(stop);
        const result = await report;
        await worker.terminate();
        return result;
    }
}
