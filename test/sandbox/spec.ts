/**
 * A small validator for the schema subset used by the spec excerpts in /work/shared/specs
 * (Swagger 2.0 and OpenAPI 3.0): `$ref` (any local JSON pointer), `allOf`, `type`, `properties`,
 * `required`, `items`, `enum`, `format` (date-time, date, uuid, uri, int32, int64), `nullable`,
 * `minimum`/`maximum`, `additionalProperties`. Node built-ins only.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isRecord } from "./util";

export type Schema = Record<string, unknown>;

export interface ApiSpec {
    file: string;
    root: Record<string, unknown>;
    /** `swagger` 2.0 or `openapi` 3.x. */
    kind: "swagger2" | "openapi3";
}

export interface ValidateOptions {
    /** Also report properties a schema does not declare (OpenAPI allows them by default). */
    strict?: boolean;
}

export const SPEC_FILES = {
    codacySwagger: "codacy-repository-tokens.swagger.json",
    codacyV31: "codacy-repository-tokens.v3.1.openapi.json",
    qovery: "qovery-git-tokens.openapi.json",
    qoveryApiTokens: "qovery-api-tokens.openapi.json",
} as const;

/**
 * Finds the shared specs folder: `$SHARED_SPECS_DIR`, then `shared/specs` in any ancestor of
 * `startDir` (from dist/test/unit that is /work/shared/specs), then `/work/shared/specs`.
 * Throws a clear error naming every place it looked.
 */
export function locateSpecsDir(startDir: string): string {
    const candidates: string[] = [];
    const fromEnv = process.env.SHARED_SPECS_DIR;
    if (fromEnv !== undefined && fromEnv !== "") {
        candidates.push(path.resolve(fromEnv));
    }
    let dir = path.resolve(startDir);
    for (;;) {
        candidates.push(path.join(dir, "shared", "specs"));
        const parent = path.dirname(dir);
        if (parent === dir) {
            break;
        }
        dir = parent;
    }
    candidates.push("/work/shared/specs");
    for (const candidate of candidates) {
        if (fs.existsSync(path.join(candidate, SPEC_FILES.qovery))) {
            return candidate;
        }
    }
    throw new Error(
        `shared API specs not found (set SHARED_SPECS_DIR); looked for ${SPEC_FILES.qovery} in:\n  ${[...new Set(candidates)].join("\n  ")}`,
    );
}

export function loadSpec(dir: string, file: string): ApiSpec {
    const full = path.join(dir, file);
    const root = JSON.parse(fs.readFileSync(full, "utf8")) as unknown;
    if (!isRecord(root)) {
        throw new Error(`${full}: not a JSON object`);
    }
    const kind =
        typeof root.swagger === "string" ? "swagger2" : typeof root.openapi === "string" ? "openapi3" : undefined;
    if (kind === undefined) {
        throw new Error(`${full}: neither a Swagger 2.0 nor an OpenAPI 3 document`);
    }
    return { file, root, kind };
}

/** Resolves a local `$ref` such as `#/definitions/ApiToken` or `#/components/schemas/GitTokenResponse`. */
export function resolveRef(spec: ApiSpec, ref: string): Schema {
    if (!ref.startsWith("#/")) {
        throw new Error(`${spec.file}: only local $refs are supported, got ${ref}`);
    }
    let node: unknown = spec.root;
    for (const raw of ref.slice(2).split("/")) {
        const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
        if (!isRecord(node) || !(key in node)) {
            throw new Error(`${spec.file}: unresolvable $ref ${ref}`);
        }
        node = node[key];
    }
    if (!isRecord(node)) {
        throw new Error(`${spec.file}: $ref ${ref} is not an object`);
    }
    return node;
}

/** A named schema: `definitions/X` (Swagger) or `components/schemas/X` (OpenAPI). */
export function namedSchema(spec: ApiSpec, name: string): Schema {
    return resolveRef(spec, spec.kind === "swagger2" ? `#/definitions/${name}` : `#/components/schemas/${name}`);
}

function operation(spec: ApiSpec, pathTemplate: string, method: string): Schema {
    const paths = spec.root.paths;
    const item = isRecord(paths) ? paths[pathTemplate] : undefined;
    const op = isRecord(item) ? item[method.toLowerCase()] : undefined;
    if (!isRecord(op)) {
        throw new Error(`${spec.file}: no operation ${method.toUpperCase()} ${pathTemplate}`);
    }
    return op;
}

/** Status codes an operation documents. */
export function documentedStatuses(spec: ApiSpec, pathTemplate: string, method: string): number[] {
    const responses = operation(spec, pathTemplate, method).responses;
    return isRecord(responses) ? Object.keys(responses).map(Number) : [];
}

/** The response schema of an operation for a status; undefined when the response has no body. */
export function responseSchema(
    spec: ApiSpec,
    pathTemplate: string,
    method: string,
    status: number,
): Schema | undefined {
    const responses = operation(spec, pathTemplate, method).responses;
    const declared = isRecord(responses) ? responses[String(status)] : undefined;
    if (!isRecord(declared)) {
        throw new Error(`${spec.file}: ${method.toUpperCase()} ${pathTemplate} documents no ${status} response`);
    }
    const response: Schema = typeof declared.$ref === "string" ? resolveRef(spec, declared.$ref) : declared;
    if (spec.kind === "swagger2") {
        return isRecord(response.schema) ? response.schema : undefined;
    }
    const content = response.content;
    const media = isRecord(content) ? content["application/json"] : undefined;
    return isRecord(media) && isRecord(media.schema) ? media.schema : undefined;
}

/** The JSON request body schema of an operation (OpenAPI 3 `requestBody`, Swagger `in: body`). */
export function requestSchema(spec: ApiSpec, pathTemplate: string, method: string): Schema | undefined {
    const op = operation(spec, pathTemplate, method);
    if (spec.kind === "swagger2") {
        const params = Array.isArray(op.parameters) ? op.parameters : [];
        for (const p of params) {
            const param = isRecord(p) && typeof p.$ref === "string" ? resolveRef(spec, p.$ref) : p;
            if (isRecord(param) && param.in === "body" && isRecord(param.schema)) {
                return param.schema;
            }
        }
        return undefined;
    }
    const body = op.requestBody;
    const content = isRecord(body) ? body.content : undefined;
    const media = isRecord(content) ? content["application/json"] : undefined;
    return isRecord(media) && isRecord(media.schema) ? media.schema : undefined;
}

/** Validates a value; returns human-readable problems (empty when valid). */
export function validate(spec: ApiSpec, schema: Schema, value: unknown, options: ValidateOptions = {}): string[] {
    const problems: string[] = [];
    check(spec, schema, value, "$", options.strict ?? false, problems, 0);
    return problems;
}

function check(
    spec: ApiSpec,
    rawSchema: Schema,
    value: unknown,
    at: string,
    strict: boolean,
    out: string[],
    depth: number,
): void {
    if (depth > 64) {
        out.push(`${at}: schema nesting too deep`);
        return;
    }
    const schema = typeof rawSchema.$ref === "string" ? resolveRef(spec, rawSchema.$ref) : rawSchema;
    if (value === null) {
        if (schema.nullable !== true && schema["x-nullable"] !== true) {
            out.push(`${at}: null is not allowed`);
        }
        return;
    }
    if (Array.isArray(schema.allOf)) {
        for (const part of schema.allOf) {
            if (isRecord(part)) {
                check(spec, part, value, at, false, out, depth + 1);
            }
        }
    }
    const type = schema.type;
    if (typeof type === "string" && !hasType(type, value)) {
        out.push(`${at}: expected ${type}, got ${describe(value)}`);
        return;
    }
    if (Array.isArray(schema.enum) && !schema.enum.includes(value as never)) {
        out.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
    }
    if (typeof schema.format === "string") {
        const problem = checkFormat(schema.format, value);
        if (problem !== undefined) {
            out.push(`${at}: ${problem}`);
        }
    }
    if (typeof value === "number") {
        if (typeof schema.minimum === "number" && value < schema.minimum) {
            out.push(`${at}: ${value} < minimum ${schema.minimum}`);
        }
        if (typeof schema.maximum === "number" && value > schema.maximum) {
            out.push(`${at}: ${value} > maximum ${schema.maximum}`);
        }
    }
    if (Array.isArray(value) && isRecord(schema.items)) {
        value.forEach((item, i) => {
            check(spec, schema.items as Schema, item, `${at}[${i}]`, strict, out, depth + 1);
        });
    }
    if (isRecord(value)) {
        const required = Array.isArray(schema.required) ? schema.required : [];
        for (const name of required) {
            if (typeof name === "string" && !(name in value)) {
                out.push(`${at}: missing required property ${name}`);
            }
        }
        const properties = isRecord(schema.properties) ? schema.properties : {};
        for (const [name, propSchema] of Object.entries(properties)) {
            if (name in value && isRecord(propSchema)) {
                check(spec, propSchema, value[name], `${at}.${name}`, strict, out, depth + 1);
            }
        }
        const declared = declaredProperties(spec, schema, 0);
        const additional = schema.additionalProperties;
        for (const name of Object.keys(value)) {
            if (declared.has(name)) {
                continue;
            }
            if (additional === false || (strict && additional === undefined)) {
                out.push(`${at}: undeclared property ${name}`);
            } else if (isRecord(additional)) {
                check(spec, additional, value[name], `${at}.${name}`, strict, out, depth + 1);
            }
        }
    }
}

function declaredProperties(spec: ApiSpec, rawSchema: Schema, depth: number): Set<string> {
    const schema = typeof rawSchema.$ref === "string" ? resolveRef(spec, rawSchema.$ref) : rawSchema;
    const names = new Set<string>(isRecord(schema.properties) ? Object.keys(schema.properties) : []);
    if (Array.isArray(schema.allOf) && depth < 32) {
        for (const part of schema.allOf) {
            if (isRecord(part)) {
                for (const name of declaredProperties(spec, part, depth + 1)) {
                    names.add(name);
                }
            }
        }
    }
    return names;
}

function hasType(type: string, value: unknown): boolean {
    switch (type) {
        case "object":
            return isRecord(value);
        case "array":
            return Array.isArray(value);
        case "string":
            return typeof value === "string";
        case "integer":
            return typeof value === "number" && Number.isInteger(value);
        case "number":
            return typeof value === "number" && Number.isFinite(value);
        case "boolean":
            return typeof value === "boolean";
        default:
            return true;
    }
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkFormat(format: string, value: unknown): string | undefined {
    switch (format) {
        case "date-time":
            return typeof value === "string" && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))
                ? undefined
                : `${JSON.stringify(value)} is not an RFC 3339 date-time`;
        case "date":
            return typeof value === "string" && DATE.test(value) && !Number.isNaN(Date.parse(value))
                ? undefined
                : `${JSON.stringify(value)} is not a date (YYYY-MM-DD)`;
        case "uuid":
            return typeof value === "string" && UUID.test(value) ? undefined : `${JSON.stringify(value)} is not a uuid`;
        case "uri":
            if (typeof value !== "string") {
                return `${JSON.stringify(value)} is not a URI`;
            }
            try {
                new URL(value);
                return undefined;
            } catch {
                return `${JSON.stringify(value)} is not an absolute URI`;
            }
        case "int32":
            return typeof value === "number" && value >= -(2 ** 31) && value < 2 ** 31
                ? undefined
                : `${value} is not an int32`;
        case "int64":
            return typeof value === "number" && Number.isSafeInteger(value) ? undefined : `${value} is not an int64`;
        default:
            return undefined;
    }
}

function describe(value: unknown): string {
    if (Array.isArray(value)) {
        return "array";
    }
    return value === null ? "null" : typeof value;
}
