// `npm run demo`: the main job end to end on the embedded default. Starts the sandbox of the four APIs and
// takes the repository's Pulumi.yaml program (one token of each kind) through up → drift → refresh → heal →
// destroy with the real Pulumi engine and a throw-away local backend. Exits non-zero if a step fails.
import * as path from "node:path";
import { createTestWorkspace, ensureEngine, type TestWorkspace } from "../test/e2e/harness";
import { sandboxStackConfig, startSandbox, tokensMadeByPrograms } from "../test/sandbox";

const repoRoot = path.resolve(__dirname, "..", "..");
const write = (text: string) => process.stdout.write(text);

function step(n: number, title: string): void {
    write(`\n━━ ${n}. ${title}\n`);
}

async function main(): Promise<void> {
    step(1, "Start the sandbox (local emulator of GitLab, Gitea, Codacy and Qovery)");
    const sandbox = await startSandbox();
    write(`   listening on ${sandbox.url}\n`);
    let workspace: TestWorkspace | undefined;
    try {
        step(2, "Prepare the Pulumi engine and a local backend in a temporary directory");
        workspace = await createTestWorkspace(repoRoot, {
            stackName: "demo",
            config: sandboxStackConfig(sandbox),
        });
        const { stack } = workspace;
        write(
            `   stack "${stack.name}" of ${path.join(repoRoot, "Pulumi.yaml")}, credentials stored as secret config\n`,
        );
        // The version the Automation API read from the CLI it runs (CI checks it when it proves a newer one).
        write(`   Pulumi CLI v${stack.workspace.pulumiVersion} (${ensureEngine()})\n`);

        step(3, "pulumi up: create one token of each kind");
        await stack.up({ onOutput: write });

        step(4, "Stack outputs (secrets stay masked)");
        const outputs = await stack.outputs();
        for (const [name, output] of Object.entries(outputs)) {
            write(`   ${name.padEnd(22)} ${output.secret ? "[secret]" : JSON.stringify(output.value)}\n`);
        }
        write(`   live tokens on the sandbox: ${tokensMadeByPrograms(sandbox).length}\n`);

        step(5, "Revoke the GitLab project token behind Pulumi's back (as someone would in GitLab's UI)");
        const deployTokenId = Number(outputs.deployTokenId?.value);
        if (!sandbox.gitlab.revoke(deployTokenId)) {
            throw new Error(`the sandbox has no GitLab token ${deployTokenId}`);
        }
        write(`   revoked GitLab token ${deployTokenId}\n`);

        step(6, "pulumi refresh: the drift shows (the revoked token leaves the state)");
        const refresh = await stack.refresh({ onOutput: write });
        if ((refresh.summary.resourceChanges?.delete ?? 0) < 1) {
            throw new Error("refresh did not notice the revoked token");
        }

        step(7, "pulumi up: heal (a new token is created, the Qovery git token picks up its value)");
        const heal = await stack.up({ onOutput: write });
        if ((heal.summary.resourceChanges?.create ?? 0) < 1) {
            throw new Error("up did not recreate the revoked token");
        }

        step(8, "pulumi destroy: revoke everything");
        await stack.destroy({ onOutput: write });

        step(9, "Check the sandbox holds no live token of the stack");
        const left = tokensMadeByPrograms(sandbox);
        if (left.length > 0) {
            throw new Error(`tokens still live after destroy: ${left.map((t) => `${t.service}:${t.id}`).join(", ")}`);
        }
        write("   none left: every token the stack created was revoked\n\nDemo finished: all steps passed.\n");
    } finally {
        await workspace?.dispose();
        await sandbox.close();
    }
}

main().catch((error: unknown) => {
    process.stderr.write(`\nDemo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
});
