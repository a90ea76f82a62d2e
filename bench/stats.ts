/** Median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
    if (values.length === 0) {
        throw new Error("median of an empty list");
    }
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function sum(values: readonly number[]): number {
    return values.reduce((a, b) => a + b, 0);
}

/** Milliseconds as seconds with two decimals. */
export function seconds(ms: number): string {
    return (ms / 1000).toFixed(2);
}

/** A ratio with two decimals. */
export function ratio(value: number): string {
    return value.toFixed(2);
}

/** Bytes with thousands separators. */
export function bytes(value: number): string {
    return Math.round(value).toLocaleString("en-US");
}

/** Bytes as MiB with one decimal. */
export function mib(value: number): string {
    return (value / 1024 / 1024).toFixed(1);
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
    const start = performance.now();
    const value = await fn();
    return { ms: performance.now() - start, value };
}

/** Bytes as KiB with one decimal. */
export function kib(value: number): string {
    return (value / 1024).toFixed(1);
}

/** How much a measure grows per unit of size between two sizes: (large − small) / (large size − small size). */
export function growthPerUnit(small: { size: number; value: number }, large: { size: number; value: number }): number {
    if (large.size === small.size) {
        throw new Error(`growth between two equal sizes (${small.size})`);
    }
    return (large.value - small.value) / (large.size - small.size);
}

/** (to − from) / from: +0.01 is 1 % more. */
export function relativeChange(from: number, to: number): number {
    if (from === 0) {
        throw new Error("relative change from 0");
    }
    return (to - from) / from;
}

/** A relative change as a signed percentage with two decimals ("+0.12 %"). */
export function percent(change: number): string {
    const value = (change * 100).toFixed(2);
    return `${change >= 0 ? "+" : ""}${value} %`;
}
