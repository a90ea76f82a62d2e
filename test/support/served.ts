// How many requests the sandbox was serving at once, from its own log: each line ends with the time it took.

/** One request as the sandbox served it: from its arrival to its answer (ms since the epoch). */
export interface Served {
    start: number;
    end: number;
}

/** A `logRequests` callback for `startSandbox` that records into `served` the requests whose line `matches`. */
export function recordServed(served: Served[], matches: (line: string) => boolean): (line: string) => void {
    return (line) => {
        const took = / (\d+)ms/.exec(line)?.[1];
        if (took !== undefined && matches(line)) {
            const end = Date.now();
            served.push({ start: end - Number(took), end });
        }
    };
}

/** Most requests being served at once. */
export function peakConcurrency(served: readonly Served[]): number {
    const events = served.flatMap(({ start, end }) => [
        { at: start, delta: 1 },
        { at: end, delta: -1 },
    ]);
    // At equal times an answer counts before an arrival: a slot released and reused in the same millisecond.
    events.sort((a, b) => a.at - b.at || a.delta - b.delta);
    let current = 0;
    let peak = 0;
    for (const event of events) {
        current += event.delta;
        peak = Math.max(peak, current);
    }
    return peak;
}
