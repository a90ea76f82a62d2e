import type { z } from "zod";
import { ApiError, ConfigurationError } from "./http/errors";

/** The engine's placeholder for a value not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(containsUnknown);
    }
    if (value !== null && typeof value === "object") {
        return Object.values(value).some(containsUnknown);
    }
    return false;
}

export type PlainObject = Record<string, unknown>;

export interface CheckFailure {
    property: string;
    reason: string;
}

export interface CheckOutcome {
    inputs: PlainObject;
    failures: CheckFailure[];
}

/** Pulumi bookkeeping keys that travel with inputs and must be left alone. */
function isEngineKey(key: string): boolean {
    return key.startsWith("__");
}

/**
 * Validates resource inputs with a zod object schema. Values not known yet (preview) are left out of the
 * validation and passed through untouched; everything else comes back normalised by the schema.
 */
export function validateInputs<S extends z.ZodObject>(
    schema: S,
    news: PlainObject,
): CheckOutcome & { parsed?: z.infer<S> } {
    const known: PlainObject = {};
    const pending: PlainObject = {};
    for (const [key, value] of Object.entries(news)) {
        if (isEngineKey(key)) {
            continue;
        }
        if (containsUnknown(value)) {
            pending[key] = value;
        } else if (value !== undefined && value !== null) {
            known[key] = value;
        }
    }
    // Fields not known yet become optional for this validation; they are checked again once known.
    const mask: Record<string, true> = Object.fromEntries(Object.keys(pending).map((key) => [key, true]));
    const partial = (schema as unknown as { partial(mask: Record<string, true>): z.ZodType }).partial;
    const effective: z.ZodType = Object.keys(pending).length > 0 ? partial.call(schema, mask) : schema;
    const result = effective.safeParse(known);
    if (!result.success) {
        const failures = result.error.issues.flatMap((issue) => failuresOf(schema, issue));
        return { inputs: news, failures };
    }
    const parsed = result.data as z.infer<S>;
    const inputs: PlainObject = { ...(parsed as PlainObject), ...pending };
    for (const [key, value] of Object.entries(news)) {
        if (isEngineKey(key)) {
            inputs[key] = value;
        }
    }
    const complete = Object.keys(pending).length === 0;
    return complete ? { inputs, failures: [], parsed } : { inputs, failures: [] };
}

type Issue = z.core.$ZodIssue;

/**
 * Check failures of one zod issue. Each names the input property it is about, and its reason names the field:
 * an unknown key becomes a failure of that key (with the closest known name and the known ones), a message
 * that does not say which field it is about gets the field's name in front.
 */
function failuresOf(schema: z.ZodType, issue: Issue): CheckFailure[] {
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
        const known = keysAt(schema, path);
        const where = path.length > 0 ? ` in ${path.join(".")}` : "";
        return issue.keys.map((key) => {
            const suggestion = known ? closest(key, known, 3) : undefined;
            const hint = suggestion ? ` (did you mean "${suggestion}"?)` : "";
            const list = known ? `; known properties${where}: ${listOf(known)}` : "";
            return {
                property: path[0] ?? key,
                reason: `unknown property "${key}"${where}${hint}${list}`,
            };
        });
    }
    if (path.length === 0) {
        return [{ property: "inputs", reason: issue.message }];
    }
    const property = path[0]!;
    if (path.length > 1) {
        return [{ property, reason: `${path.slice(1).join(".")}: ${issue.message}` }];
    }
    return [{ property, reason: issue.message.includes(property) ? issue.message : `${property}: ${issue.message}` }];
}

/** Property names of the object schema found at `path` below `schema` (through optional/default wrappers). */
function keysAt(schema: unknown, path: readonly string[]): string[] | undefined {
    let current: unknown = unwrapSchema(schema);
    for (const segment of path) {
        const shape = shapeOf(current);
        current = shape ? unwrapSchema(shape[segment]) : undefined;
    }
    const shape = shapeOf(current);
    return shape ? Object.keys(shape) : undefined;
}

function shapeOf(schema: unknown): Record<string, unknown> | undefined {
    const shape = (schema as { shape?: unknown } | undefined)?.shape;
    return typeof shape === "object" && shape !== null ? (shape as Record<string, unknown>) : undefined;
}

function unwrapSchema(schema: unknown): unknown {
    let current = schema;
    for (let depth = 0; depth < 8 && current !== undefined && shapeOf(current) === undefined; depth++) {
        const unwrap = (current as { unwrap?: unknown }).unwrap;
        if (typeof unwrap !== "function") {
            break;
        }
        current = (unwrap as () => unknown).call(current);
    }
    return current;
}

/** Formats `["a","b"]` as `a, b` for messages that list allowed values. */
export function listOf(values: readonly (string | number)[]): string {
    return values.join(", ");
}

/** Today's date in UTC as YYYY-MM-DD. Expiry math is done at day granularity in UTC everywhere. */
export function todayUtc(now: Date = new Date()): string {
    return now.toISOString().slice(0, 10);
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
    const d = new Date(`${date}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
    return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(value: string): boolean {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
        return false;
    }
    const d = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** Order-insensitive equality of two string lists. */
export function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
    const left = [...new Set(a ?? [])].sort();
    const right = [...new Set(b ?? [])].sort();
    return left.length === right.length && left.every((value, i) => value === right[i]);
}

/** Deep equality of JSON-like values (inputs as stored by the engine). */
export function sameValue(a: unknown, b: unknown): boolean {
    if (a === b) {
        return true;
    }
    if ((a === undefined || a === null) && (b === undefined || b === null)) {
        return true;
    }
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
        return false;
    }
    if (Array.isArray(a) !== Array.isArray(b)) {
        return false;
    }
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
        if (!sameValue((a as PlainObject)[key], (b as PlainObject)[key])) {
            return false;
        }
    }
    return true;
}

/** Levenshtein distance, to suggest the intended value of a misspelt one. */
export function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let previous = row[0]!;
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const current = row[j]!;
            row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
            previous = current;
        }
    }
    return row[b.length]!;
}

/** The closest known value within a small distance, if any. */
export function closest(value: string, known: readonly string[], maxDistance = 2): string | undefined {
    let best: string | undefined;
    let bestDistance = maxDistance + 1;
    for (const candidate of known) {
        const distance = editDistance(value, candidate);
        if (distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return best;
}

/**
 * Proves the connection settings resolve (credentials present, base URL acceptable) by building the client,
 * which sends no request. A failure becomes a check failure on `connection`, naming the keys to set.
 */
export function connectionFailures(connection: unknown, build: (connection: never) => unknown): CheckFailure[] {
    if (containsUnknown(connection)) {
        return [];
    }
    try {
        build(connection as never);
        return [];
    } catch (e: unknown) {
        if (e instanceof ConfigurationError) {
            return [{ property: "connection", reason: e.message }];
        }
        throw e;
    }
}

/** What `unlessGone` returns when the service answered 404. */
export const GONE: unique symbol = Symbol("gone");

/**
 * Runs a call for which a 404 means "already gone" (a delete's goal, a read's "drop it from state"): returns
 * `GONE` then instead of failing. Every other failure, network errors included, is thrown, and so is a 404 that
 * `isAboutTheToken` says is about something else (e.g. the token's parent).
 */
export async function unlessGone<T>(
    call: () => Promise<T>,
    isAboutTheToken: (error: ApiError) => boolean = () => true,
): Promise<T | typeof GONE> {
    try {
        return await call();
    } catch (e: unknown) {
        if (e instanceof ApiError && e.isNotFound && isAboutTheToken(e)) {
            return GONE;
        }
        throw e;
    }
}

/**
 * The whole of a lifecycle's `check`: the zod schema, then rules across fields (if any), then the connection
 * settings. Each step runs only when the previous found nothing, so a message is about the first problem.
 */
export function checkInputs<S extends z.ZodObject>(
    schema: S,
    news: PlainObject,
    buildClient: (connection: never) => unknown,
    crossFieldFailures: (inputs: PlainObject) => CheckFailure[] = () => [],
): CheckOutcome {
    const { inputs, failures } = validateInputs(schema, news);
    if (failures.length === 0) {
        failures.push(...crossFieldFailures(inputs));
    }
    if (failures.length === 0) {
        // Fail before any request when credentials or the base URL are missing or unacceptable.
        failures.push(...connectionFailures(inputs.connection, buildClient));
    }
    return { inputs, failures: failures.map((failure) => withoutValueIfSensitive(failure, schema)) };
}

/**
 * Inputs that hold, or may hold, a credential or a token value: every service's `connection` and Qovery's
 * `token` (the git provider's token). A new kind's credential-bearing input belongs here; a unit test fails
 * for a schema property whose name says "token", "password", "secret", "key" or "credential" that is missing.
 */
export const CREDENTIAL_INPUTS: ReadonlySet<string> = new Set(["connection", "token"]);

/**
 * The engine prints a check failure as "property P value V has a problem: R" with V the input's value as it
 * is, secret or not (so a credential would land in CI logs in clear), and as "resource has a problem: R"
 * when the failure names no property. Failures about a credential-bearing input, an input the schema does not
 * know (a misspelt `connection` holds credentials too) or no input at all therefore name no property; their
 * reason starts with the field instead, so the message says as much as before, without the value.
 */
export function withoutValueIfSensitive(failure: CheckFailure, schema: z.ZodObject): CheckFailure {
    const known = Object.hasOwn(schema.shape, failure.property);
    if (known && !CREDENTIAL_INPUTS.has(failure.property)) {
        return failure;
    }
    const field = failure.property === "inputs" ? "" : failure.property;
    const escaped = field.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const named = field === "" || new RegExp(`(^|[^A-Za-z])${escaped}([^A-Za-z]|$)`).test(failure.reason);
    if (named) {
        return { property: "", reason: failure.reason };
    }
    // "baseUrl: must be …" about `connection` becomes "connection.baseUrl: must be …".
    const nested = /^([A-Za-z][\w.]*): /.exec(failure.reason);
    return { property: "", reason: nested ? `${field}.${failure.reason}` : `${field}: ${failure.reason}` };
}

/** Removes keys whose value is undefined, so state holds no `undefined` holes. */
export function compact<T extends PlainObject>(value: T): T {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Listings in flight for reads, by what they list (`listingKey` of a client): see `listingForRead`. */
const readListingsInFlight = new Map<string, Promise<unknown>>();

/**
 * Reads a token through a listing of its parent (Gitea, Codacy have no read of one token). A listing that
 * answers without the token says the token is gone; a listing that answers 404 speaks about the parent (or a
 * wrong base URL, a renamed repository), not the token, so it never drops the token from the state: it fails,
 * saying so and what to do.
 *
 * With `sharedAs` (the client's key for this listing: instance, credentials, parent), reads that arrive while
 * the same listing is in flight wait for it instead of fetching the same pages again: a `refresh` reads many
 * tokens of one parent at once (the engine runs several reads in parallel), and a user's 200 tokens would
 * otherwise be listed 200 times. Only reads share, and only a listing in flight (never a finished one), so a
 * read never sees an answer older than itself by more than one listing; creates and lost-answer look-ups
 * always list anew, after their own request.
 */
export async function listingForRead<T>(
    list: () => Promise<T>,
    parent: string,
    tokenId: string,
    sharedAs?: string,
): Promise<T> {
    try {
        return await (sharedAs === undefined ? list() : joinInFlight(sharedAs, list));
    } catch (e: unknown) {
        if (!(e instanceof ApiError) || !e.isNotFound) {
            throw e;
        }
        throw new ApiError({
            service: e.service,
            operation: e.operation,
            method: e.method,
            path: e.path,
            status: e.status,
            serviceMessage: `${e.serviceMessage ? `${e.serviceMessage}; ` : ""}a 404 from the token list of ${parent} does not prove token ${tokenId} gone, so the state keeps it`,
            hint: `Check the base URL and ${parent}. If ${parent} was deleted on purpose, remove the resource from the program and run \`pulumi up\` (its own delete answering 404 counts as gone), or \`pulumi state delete\` it.`,
        });
    }
}

function joinInFlight<T>(key: string, list: () => Promise<T>): Promise<T> {
    const pending = readListingsInFlight.get(key);
    if (pending) {
        return pending as Promise<T>;
    }
    const started = list().finally(() => readListingsInFlight.delete(key));
    readListingsInFlight.set(key, started);
    return started;
}
