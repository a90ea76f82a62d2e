// Set-up of Pulumi YAML programs that use the native provider plugin (bin/pulumi-resource-accesstokens) under the
// real engine, with Pulumi's official YAML language host (built by scripts/ensure-yaml), against the sandbox.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { nativeSandboxStackConfig, type Sandbox, type StackConfigValue, sandboxStackConfig } from "../sandbox";
import { createTestWorkspace, ensureYamlHost, pluginsOnPath, repoRoot, type TestWorkspace } from "./harness";

/** The YAML program: the plugin is found through `plugins.providers` (this checkout's bin/). */
export function yamlProgram(name: string, resources: string): string {
    return [
        `name: ${name}`,
        "runtime: yaml",
        "plugins:",
        "  providers:",
        "    - name: accesstokens",
        `      path: ${path.join(repoRoot, "bin")}`,
        resources,
    ].join("\n");
}

/** A YAML project in a temporary directory, its stack, and the `pulumi` CLI run synchronously in it. */
export interface YamlStack {
    dir: string;
    ws: TestWorkspace;
    /** Replaces the program's resources (and outputs) section. */
    writeProgram(resources: string): void;
    /** Runs `pulumi <args> --stack <stack>` and returns its stdout (throws on a non-zero exit). */
    pulumi(...args: string[]): string;
    /** The stack's credentials (secret config values), which must never reach the state in plaintext. */
    credentials(): string[];
    dispose(): Promise<void>;
}

/**
 * Builds the YAML host and the engine if needed (a cold cache takes long: call from a `before` with a long
 * timeout) and makes a stack whose `accesstokens:*` config points every service at the sandbox.
 */
export async function createYamlStack(
    sandbox: Sandbox,
    name: string,
    resources: string,
    /** The project's own config (keys without a namespace), beside the plugin's. */
    projectConfig: Record<string, StackConfigValue> = {},
): Promise<YamlStack> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pat-${name}-`));
    const writeProgram = (text: string) => fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yamlProgram(name, text));
    writeProgram(resources);
    const ws = await createTestWorkspace(dir, {
        envVars: pluginsOnPath(ensureYamlHost()),
        // The sandbox's usual stack config (`gitlab:token`, …) under the plugin's keys (`accesstokens:gitlabToken`, …).
        config: { ...nativeSandboxStackConfig(sandbox), ...projectConfig },
    });
    return {
        dir,
        ws,
        writeProgram,
        pulumi: (...args) =>
            execFileSync("pulumi", [...args, "--stack", ws.stack.name], {
                cwd: dir,
                env: { ...process.env, ...ws.env },
                encoding: "utf8",
                maxBuffer: 64 * 1024 * 1024,
            }),
        credentials: () =>
            Object.values(sandboxStackConfig(sandbox))
                .filter((entry) => entry.secret)
                .map((entry) => entry.value),
        dispose: async () => {
            await ws.dispose();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
