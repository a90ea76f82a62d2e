/**
 * Small helpers shared by the service emulators.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { SandboxRequest, SandboxResponse } from "./types";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function json(status: number, value: JsonValue | object, headers: Record<string, string> = {}): SandboxResponse {
    return {
        status,
        headers: { "content-type": "application/json; charset=utf-8", ...headers },
        body: JSON.stringify(value),
    };
}

export function text(status: number, body: string, headers: Record<string, string> = {}): SandboxResponse {
    return { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers }, body };
}

export function empty(status: number, headers: Record<string, string> = {}): SandboxResponse {
    return { status, headers };
}

/** `Not Found`, `Too Many Requests`, ... */
export function reasonPhrase(status: number): string {
    return STATUS_CODES[status] ?? "Error";
}

export type BodyParse = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Parses a request body: JSON (any content type whose body starts like JSON), or
 * `application/x-www-form-urlencoded` (`scopes[]=a&scopes[]=b` becomes an array). Empty → undefined.
 */
export function parseBody(req: SandboxRequest): BodyParse {
    const raw = req.body.toString("utf8");
    if (raw.trim() === "") {
        return { ok: true, value: undefined };
    }
    const contentType = String(req.headers["content-type"] ?? "").toLowerCase();
    if (contentType.includes("application/x-www-form-urlencoded")) {
        return { ok: true, value: formToObject(new URLSearchParams(raw)) };
    }
    try {
        return { ok: true, value: JSON.parse(raw) as unknown };
    } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
}

/** `a=1&b[]=x&b[]=y` → `{a: "1", b: ["x", "y"]}`. */
export function formToObject(params: URLSearchParams): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of params) {
        if (key.endsWith("[]")) {
            const name = key.slice(0, -2);
            const existing = out[name];
            if (Array.isArray(existing)) {
                existing.push(value);
            } else {
                out[name] = [value];
            }
        } else {
            out[key] = value;
        }
    }
    return out;
}

/** Random lowercase hex. */
export function randomHex(chars: number): string {
    return randomBytes(Math.ceil(chars / 2))
        .toString("hex")
        .slice(0, chars);
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Random [A-Za-z0-9]. */
export function randomAlnum(chars: number): string {
    const bytes = randomBytes(chars);
    let out = "";
    for (const byte of bytes) {
        out += ALNUM[byte % ALNUM.length];
    }
    return out;
}

export function uuid(): string {
    return randomUUID();
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `YYYY-MM-DD` of a date, in UTC. */
export function isoDate(date: Date): string {
    return date.toISOString().slice(0, 10);
}

/** Adds whole days (UTC) to a date. */
export function addDays(date: Date, days: number): Date {
    return new Date(date.getTime() + days * 86_400_000);
}

/** Parses a strict `YYYY-MM-DD` (a real calendar date). */
export function parseIsoDate(value: string): Date | undefined {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (match === null) {
        return undefined;
    }
    const date = new Date(`${value}T00:00:00.000Z`);
    if (Number.isNaN(date.getTime()) || isoDate(date) !== value) {
        return undefined;
    }
    return date;
}

/** Header value as a single string. */
export function header(req: SandboxRequest, name: string): string | undefined {
    const value = req.headers[name.toLowerCase()];
    if (Array.isArray(value)) {
        return value[0];
    }
    return value;
}

/** Integer query parameter, or undefined when absent; NaN when present but not an integer. */
export function intParam(value: string | null | undefined): number | undefined {
    if (value === null || value === undefined || value === "") {
        return undefined;
    }
    return /^-?\d+$/.test(value) ? Number.parseInt(value, 10) : Number.NaN;
}

/** Percent-decodes one path segment; undefined when malformed. */
export function decodeSegment(segment: string): string | undefined {
    try {
        return decodeURIComponent(segment);
    } catch {
        return undefined;
    }
}

/**
 * Encodes emulator state as plain JSON for a token snapshot: a Map becomes `{"$map": [[key, value], ...]}`, a
 * Date `{"$date": "<ISO>"}`; `fromSnapshotJson` reverses it.
 */
export function toSnapshotJson(value: unknown): JsonValue {
    if (value instanceof Map) {
        return { $map: [...value.entries()].map(([k, v]) => [toSnapshotJson(k), toSnapshotJson(v)]) };
    }
    if (value instanceof Date) {
        return { $date: value.toISOString() };
    }
    if (Array.isArray(value)) {
        return value.map(toSnapshotJson);
    }
    if (isRecord(value)) {
        return Object.fromEntries(
            Object.entries(value)
                .filter(([, v]) => v !== undefined)
                .map(([k, v]) => [k, toSnapshotJson(v)]),
        );
    }
    if (value === undefined) {
        return null;
    }
    return value as JsonValue;
}

export function fromSnapshotJson(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(fromSnapshotJson);
    }
    if (isRecord(value)) {
        if (Array.isArray(value.$map)) {
            return new Map(
                (value.$map as unknown[][]).map(([k, v]) => [fromSnapshotJson(k), fromSnapshotJson(v)] as const),
            );
        }
        if (typeof value.$date === "string") {
            return new Date(value.$date);
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromSnapshotJson(v)]));
    }
    return value;
}

/** Reads one service's part of a token snapshot, failing clearly on a snapshot of something else. */
export function snapshotPart(service: string, snapshot: unknown): Record<string, unknown> {
    const decoded = fromSnapshotJson(snapshot);
    if (!isRecord(decoded)) {
        throw new Error(`${service} token snapshot must be an object`);
    }
    return decoded;
}
