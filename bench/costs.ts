// Where the engine-overhead difference comes from, measured in isolation: serializing a resource's provider
// in the program (once per resource, on every `up`, preview and destroy-less run) and loading the package's
// provider code in a fresh dynamic-provider process (once per operation).
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { repoRoot } from "../test/e2e/harness";
import { dynamicProviderFor } from "../sdk/dynamicProvider";
import { median } from "./stats";

export interface UnitCosts {
    /** Median ms to serialize one token resource's provider (`pulumi.runtime.serializeFunction`). */
    serializeTokenMs: number;
    /** The same for the no-op provider of the baseline program. */
    serializeNoopMs: number;
    /** Median ms to `require` the package's provider code in a fresh Node.js that already loaded @pulumi/pulumi. */
    loadProviderMs: number;
}

const noopProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: { name: string }) {
        return { id: inputs.name, outs: inputs };
    },
};

async function serializeMs(make: () => pulumi.dynamic.ResourceProvider, times: number): Promise<number> {
    const samples: number[] = [];
    for (let i = 0; i < times; i++) {
        const provider = make();
        const start = performance.now();
        await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: false });
        samples.push(performance.now() - start);
    }
    return median(samples);
}

function loadProviderMs(times: number): number {
    const script = [
        `require(${JSON.stringify(require.resolve("@pulumi/pulumi"))});`,
        "const start = performance.now();",
        `require(${JSON.stringify(path.join(repoRoot, "dist", "provider"))});`,
        "process.stdout.write(String(performance.now() - start));",
    ].join("\n");
    const samples: number[] = [];
    for (let i = 0; i < times; i++) {
        samples.push(Number(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })));
    }
    return median(samples);
}

export async function measureUnitCosts(): Promise<UnitCosts> {
    // Warm both paths first: the first serialization pays for the inspector session.
    await serializeMs(() => noopProvider, 5);
    await serializeMs(() => dynamicProviderFor("CodacyRepoToken"), 5);
    return {
        serializeNoopMs: await serializeMs(() => noopProvider, 50),
        serializeTokenMs: await serializeMs(() => dynamicProviderFor("CodacyRepoToken"), 50),
        loadProviderMs: loadProviderMs(5),
    };
}
