// The Pulumi package schema of the native provider plugin, built from the same zod input schemas the
// lifecycles validate with, so the two cannot drift: every input property, its required-ness and its enum
// values come from zod; only descriptions and the outputs are stated here.
import { z } from "zod";
import { NATIVE_KINDS, type NativeKind, type OutputSpec, PACKAGE_NAME } from "./kinds";
import { NATIVE_SETTINGS } from "./settings";

/** A property of the Pulumi schema (the subset this package needs). */
export interface SchemaProperty {
    type?: "string" | "number" | "integer" | "boolean" | "array" | "object";
    items?: SchemaProperty;
    additionalProperties?: SchemaProperty;
    oneOf?: SchemaProperty[];
    $ref?: string;
    description?: string;
    secret?: boolean;
    replaceOnChanges?: boolean;
}

interface ObjectType {
    type: "object";
    description?: string;
    properties: Record<string, SchemaProperty>;
    required?: string[];
}

interface EnumType {
    type: "string";
    description?: string;
    enum: { value: string }[];
}

export interface PackageSchema {
    name: string;
    displayName: string;
    version: string;
    description: string;
    config: { variables: Record<string, SchemaProperty> };
    provider: { description: string; inputProperties: Record<string, SchemaProperty> };
    types: Record<string, ObjectType | EnumType>;
    resources: Record<string, unknown>;
    language: typeof LANGUAGES;
}

/**
 * What the SDK generators need (scripts/gen-sdks writes sdk/generated/ from this schema). The generated Node.js
 * package has a name of its own so it is never mistaken for this package's hand-written dynamic resources.
 */
export const LANGUAGES = {
    nodejs: { packageName: "@pulumi-access-tokens/accesstokens", respectSchemaVersion: true },
    python: { packageName: "pulumi_accesstokens", respectSchemaVersion: true },
    go: {
        // No public Go module host is fixed for this repository yet: users point a `replace` at sdk/generated/go.
        importBasePath: "example.com/pulumi-access-tokens/sdk/go/accesstokens",
        generateResourceContainerTypes: false,
        respectSchemaVersion: true,
    },
    // Assembly and root namespace PulumiAccessTokens.AccessTokens (not Pulumi.*, which is Pulumi's own), with
    // the services' usual spelling (GitLab, not Gitlab) in the module namespaces.
    csharp: {
        rootNamespace: "PulumiAccessTokens",
        namespaces: {
            accesstokens: "AccessTokens",
            gitlab: "GitLab",
            gitea: "Gitea",
            codacy: "Codacy",
            qovery: "Qovery",
        },
        respectSchemaVersion: true,
    },
} as const;

type JsonSchema = {
    not?: JsonSchema;
    type?: string | string[];
    anyOf?: JsonSchema[];
    properties?: Record<string, JsonSchema>;
    required?: string[];
    items?: JsonSchema;
    enum?: unknown[];
    additionalProperties?: boolean | JsonSchema;
};

/**
 * Converts one zod-derived JSON Schema node into a Pulumi schema property; nested objects and string
 * enums become named types under `typeName`.
 */
function propertyOf(node: JsonSchema, typeName: string, types: PackageSchema["types"]): SchemaProperty {
    if (node.anyOf) {
        const variants = node.anyOf.map((variant, i) => propertyOf(variant, `${typeName}${i}`, types));
        return variants.length === 1 ? variants[0]! : { oneOf: variants };
    }
    if (Array.isArray(node.type)) {
        return { oneOf: node.type.map((type) => propertyOf({ ...node, type }, typeName, types)) };
    }
    if (node.enum?.every((value) => typeof value === "string")) {
        types[typeName] = { type: "string", enum: (node.enum as string[]).map((value) => ({ value })) };
        return { $ref: `#/types/${typeName}` };
    }
    switch (node.type) {
        case "string":
        case "number":
        case "integer":
        case "boolean":
            return { type: node.type };
        case "array":
            return { type: "array", items: propertyOf(node.items ?? {}, `${typeName}Item`, types) };
        case "object": {
            if (!node.properties) {
                return { type: "object", additionalProperties: { type: "string" } };
            }
            types[typeName] = objectType(node, typeName, types);
            return { $ref: `#/types/${typeName}` };
        }
        default:
            // zod's `unknown`/`any` (none in the token inputs today): a string is the closest plain value.
            return { type: "string" };
    }
}

function objectType(node: JsonSchema, typeName: string, types: PackageSchema["types"]): ObjectType {
    const properties: Record<string, SchemaProperty> = {};
    for (const [name, child] of Object.entries(node.properties ?? {})) {
        properties[name] = propertyOf(child, `${typeName}${capitalized(name)}`, types);
    }
    return { type: "object", properties, ...(node.required?.length ? { required: node.required } : {}) };
}

/** zod's `never` becomes `{ not: {} }`: no value is accepted. */
function acceptsNothing(node: JsonSchema): boolean {
    return node.not !== undefined && Object.keys(node.not).length === 0;
}

function capitalized(name: string): string {
    return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The JSON Schema of a kind's inputs as zod accepts them (before transforms). */
export function inputJsonSchema(kind: NativeKind): JsonSchema {
    return z.toJSONSchema(kind.inputs, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

function outputProperty(spec: OutputSpec): SchemaProperty {
    const { type, items, description, secret } = spec;
    return {
        type,
        ...(items ? { items: { type: items } } : {}),
        description,
        ...(secret ? { secret: true } : {}),
    };
}

export function resourceSchema(kind: NativeKind, types: PackageSchema["types"]) {
    const json = inputJsonSchema(kind);
    const inputProperties: Record<string, SchemaProperty> = {};
    for (const [name, node] of Object.entries(json.properties ?? {})) {
        if (acceptsNothing(node)) {
            continue; // an input zod refuses outright (e.g. accessLevel of a personal token): not in the schema
        }
        const property = propertyOf(node, `${kind.token}${capitalized(name)}`, types);
        inputProperties[name] = {
            ...property,
            description: kind.inputDescriptions[name] ?? "",
            ...(kind.secretInputs.includes(name) ? { secret: true } : {}),
            ...(kind.replaceOnChanges.includes(name) ? { replaceOnChanges: true } : {}),
        };
    }
    const properties: Record<string, SchemaProperty> = { ...inputProperties };
    for (const [name, spec] of Object.entries(kind.outputs)) {
        properties[name] = outputProperty(spec);
    }
    return {
        description: kind.description,
        inputProperties,
        requiredInputs: json.required ?? [],
        properties,
        required: Object.entries(kind.outputs)
            .filter(([, spec]) => spec.always)
            .map(([name]) => name),
    };
}

/** The whole package schema, as the plugin answers GetSchema and `schema.json` holds it. */
export function packageSchema(version: string): PackageSchema {
    const types: PackageSchema["types"] = {};
    const resources: Record<string, unknown> = {};
    for (const kind of NATIVE_KINDS) {
        resources[kind.token] = resourceSchema(kind, types);
    }
    const settings = configVariables();
    return {
        name: PACKAGE_NAME,
        displayName: "Access tokens",
        version,
        description:
            "GitLab, Gitea, Codacy and Qovery access tokens as declared, reconciled Pulumi state (the native plugin of pulumi-access-tokens).",
        config: { variables: settings },
        provider: { description: "Where and as whom the tokens are managed.", inputProperties: settings },
        types,
        resources,
        language: LANGUAGES,
    };
}

/** One stack-config key per setting of the dynamic resources' table: `gitlab:token` → `accesstokens:gitlabToken`. */
function configVariables(): Record<string, SchemaProperty> {
    const variables: Record<string, SchemaProperty> = {};
    for (const setting of NATIVE_SETTINGS) {
        variables[setting.key] = {
            type: setting.type,
            description: `Same as \`${setting.service}:${setting.setting}\` of the dynamic resources (environment: ${setting.env}).`,
            ...(setting.secret ? { secret: true } : {}),
        };
    }
    return variables;
}
