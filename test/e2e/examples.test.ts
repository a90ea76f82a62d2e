// Every program under examples/ runs up → destroy against the sandbox, and `npm run demo` (the README's
// quickstart, on the root Pulumi.yaml) passes.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import {
    nativeSandboxStackConfig,
    SEED,
    type Sandbox,
    type StackConfigValue,
    sandboxStackConfig,
    startSandbox,
    tokensMadeByPrograms,
} from "../sandbox";
import {
    createTestWorkspace,
    ensureEngine,
    ensureYamlHost,
    pluginsOnPath,
    repoRoot,
    type TestWorkspaceOptions,
} from "./harness";

const STEP_TIMEOUT = 5 * 60 * 1000;
const examplesDir = path.join(repoRoot, "examples");
const examples = fs
    .readdirSync(examplesDir)
    .filter((name) => fs.existsSync(path.join(examplesDir, name, "Pulumi.yaml")))
    .sort();

/**
 * How an example runs: a TypeScript one with the sandbox's stack config; a YAML one (examples/yaml) through the
 * native plugin of this checkout on PATH (as `npm install -g` puts it) and Pulumi's YAML host, with the plugin's keys.
 */
function workspaceOptions(example: string, sandbox: Sandbox): TestWorkspaceOptions {
    const manifest = fs.readFileSync(path.join(examplesDir, example, "Pulumi.yaml"), "utf8");
    if (!/^runtime: yaml$/m.test(manifest)) {
        return { config: sandboxStackConfig(sandbox) };
    }
    const projectKeys = Object.entries(sandboxStackConfig(sandbox)).filter(([key]) => !key.includes(":"));
    return {
        config: { ...nativeSandboxStackConfig(sandbox), ...Object.fromEntries<StackConfigValue>(projectKeys) },
        envVars: pluginsOnPath(path.join(repoRoot, "bin"), ensureYamlHost()),
    };
}

describe("e2e: examples and the demo", function () {
    this.timeout(STEP_TIMEOUT);
    let sandbox: Sandbox;

    before(async function () {
        this.timeout(40 * 60 * 1000);
        ensureEngine();
        sandbox = await startSandbox();
    });
    after(async () => {
        await sandbox?.close();
    });

    it("finds the examples", () => {
        expect(examples).to.include.members(["quickstart", "rotation", "yaml"]);
    });

    for (const example of examples) {
        it(`examples/${example}: up creates tokens, destroy revokes them`, async () => {
            sandbox.reset();
            const ws = await createTestWorkspace(path.join(examplesDir, example), workspaceOptions(example, sandbox));
            try {
                const up = await ws.stack.up();
                expect(up.summary.result).to.equal("succeeded");
                expect(tokensMadeByPrograms(sandbox).length).to.be.greaterThan(0);
                const destroy = await ws.stack.destroy();
                expect(destroy.summary.result).to.equal("succeeded");
                expect(tokensMadeByPrograms(sandbox)).to.deep.equal([]);
            } finally {
                await ws.dispose();
            }
        });
    }

    it("npm run demo passes and tells what it does", async () => {
        const output = await new Promise<string>((resolve, reject) => {
            execFile(
                process.execPath,
                [path.join(repoRoot, "dist", "scripts", "demo.js")],
                { cwd: repoRoot, maxBuffer: 32 * 1024 * 1024 },
                (error, stdout, stderr) =>
                    error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
            );
        });
        expect(output)
            .to.include("pulumi refresh")
            .and.include("1 deleted")
            .and.include("Demo finished: all steps passed.");
        expect(output).to.not.include(SEED.gitlab.tokens.owner).and.not.include(SEED.codacy.apiToken);
    });
});
