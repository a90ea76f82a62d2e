// 1. State size per token: bytes of `pulumi stack export` per token of each kind and the size of its
// serialized `__provider`, against a minimal no-op dynamic resource.
//
// Each stack keeps one "anchor" resource throughout, so the shared default-provider entry (which holds the
// whole stack config, credentials included) is in the state before and after: (export with anchor + k
// resources − export with the anchor alone) / k is exactly what one more resource costs.
import { type Sandbox, sandboxStackConfig } from "../test/sandbox";
import { benchStack, expectChanges, log, TOKEN_KINDS, type TokenKind, type TokenSpec, tokenSpec } from "./stacks";

/** The goal: a token's state within this many bytes of the no-op resource's. */
export const STATE_GOAL_BYTES = 2048;

/** Compact-JSON bytes of one resource's state entry, split by what they hold. */
export interface StateBreakdown {
    /** The `__provider` strings (inputs and outputs). */
    provider: number;
    /** Every other input and output (secrets as their ciphertext objects). */
    properties: number;
    /** URN, type, id, dependencies, timestamps, source position, stack trace… */
    metadata: number;
}

export interface StateRow {
    kind: TokenKind | "Noop";
    /** (export with the anchor and k resources − export with the anchor alone) / k. */
    exportBytesPerResource: number;
    /** Bytes of one serialized `__provider` string. */
    providerBytes: number;
    /** How many copies of `__provider` one resource keeps in the state (inputs, outputs). */
    providerCopies: number;
    breakdown: StateBreakdown;
    /** exportBytesPerResource − the no-op's (undefined for the no-op row). */
    overNoopBytes?: number;
}

export interface StateResult {
    k: number;
    rows: StateRow[];
}

interface ExportedResource {
    urn: string;
    type: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    [key: string]: unknown;
}

const ANCHOR = "anchor";

function compactBytes(value: unknown): number {
    return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}

function withoutProvider(props: Record<string, unknown> | undefined): Record<string, unknown> {
    return Object.fromEntries(Object.entries(props ?? {}).filter(([key]) => key !== "__provider"));
}

/** Facts about the k measured resources of `type` (the anchor, named `anchor`, left out). */
function resourceFacts(
    text: string,
    type: string,
    k: number,
    anchor: string,
): Omit<StateRow, "kind" | "exportBytesPerResource"> {
    const parsed = JSON.parse(text) as { deployment?: { resources?: ExportedResource[] } };
    const resources = (parsed.deployment?.resources ?? []).filter(
        (r) => r.type === type && !r.urn.endsWith(`::${anchor}`),
    );
    if (resources.length !== k) {
        throw new Error(`expected ${k} resources of ${type} in the state, found ${resources.length}`);
    }
    const first = resources[0]!;
    const copies = [first.inputs?.__provider, first.outputs?.__provider].filter((p) => typeof p === "string");
    const provider = copies[0];
    const metadata = Object.fromEntries(Object.entries(first).filter(([key]) => key !== "inputs" && key !== "outputs"));
    return {
        providerBytes: typeof provider === "string" ? Buffer.byteLength(provider) : 0,
        providerCopies: copies.length,
        breakdown: {
            provider: copies.reduce((n, p) => n + compactBytes(p), 0),
            properties: compactBytes(withoutProvider(first.inputs)) + compactBytes(withoutProvider(first.outputs)),
            metadata: compactBytes(metadata),
        },
    };
}

async function noopRow(k: number): Promise<StateRow> {
    const noop = await benchStack("bench-noop", { count: { value: "1" } });
    try {
        log(`state: no-op stack, 1 then ${k + 1} resources`);
        expectChanges("no-op base up", (await noop.stack.up()).summary.resourceChanges, { create: 2 });
        const base = Buffer.byteLength(noop.exportText());
        await noop.stack.setConfig("count", { value: String(k + 1) });
        expectChanges("no-op up", (await noop.stack.up()).summary.resourceChanges, { create: k });
        const text = noop.exportText();
        // The first no-op resource (noop-000) is the anchor.
        const facts = resourceFacts(text, "pulumi-nodejs:dynamic/bench:Noop", k, "noop-000");
        return { kind: "Noop", exportBytesPerResource: (Buffer.byteLength(text) - base) / k, ...facts };
    } finally {
        await noop.dispose();
    }
}

export async function runStateBench(sandbox: Sandbox, k: number): Promise<StateResult> {
    const rows: StateRow[] = [await noopRow(k)];
    const tokens = await benchStack("bench-tokens", sandboxStackConfig(sandbox));
    try {
        const anchor: TokenSpec = { ...tokenSpec("GiteaToken", 999), name: ANCHOR };
        log("state: token stack, the anchor alone");
        tokens.setTokens([anchor]);
        expectChanges("tokens base up", (await tokens.stack.up()).summary.resourceChanges, { create: 2 });
        const base = Buffer.byteLength(tokens.exportText());
        let first = true;
        for (const kind of TOKEN_KINDS) {
            log(`state: anchor + ${k} × ${kind}`);
            tokens.setTokens([anchor, ...Array.from({ length: k }, (_, i) => tokenSpec(kind, i))]);
            const result = await tokens.stack.up();
            // The previous kind's tokens go as this kind's arrive: k of one kind beside the anchor at every export.
            expectChanges(
                `${kind} up`,
                result.summary.resourceChanges,
                first ? { create: k } : { create: k, delete: k },
            );
            first = false;
            const text = tokens.exportText();
            rows.push({
                kind,
                exportBytesPerResource: (Buffer.byteLength(text) - base) / k,
                ...resourceFacts(text, `pulumi-nodejs:dynamic/${typeModule(kind)}:${kind}`, k, ANCHOR),
            });
        }
    } finally {
        await tokens.dispose();
    }
    const baseline = rows[0]!.exportBytesPerResource;
    for (const row of rows.slice(1)) {
        row.overNoopBytes = row.exportBytesPerResource - baseline;
    }
    return { k, rows };
}

/** The module part of each kind's Pulumi type (`pulumi-nodejs:dynamic/<module>:<kind>`). */
function typeModule(kind: TokenKind): string {
    switch (kind) {
        case "ProjectAccessToken":
        case "GroupAccessToken":
            return "gitlab";
        case "GiteaToken":
            return "gitea";
        case "CodacyRepoToken":
            return "codacy";
        case "QoveryGitToken":
            return "qovery";
    }
}
