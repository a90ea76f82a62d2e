// Proves the Pulumi engine from scripts/ensure-pulumi works end to end through the Automation
// API: CLI + Node.js language host (TypeScript via the SDK's ts-node support) + the
// dynamic-provider launcher + the random provider, with a local file backend.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { OpMap } from "@pulumi/pulumi/automation";
import { expect } from "chai";
import { createTestWorkspace, ensureEngine, programDir, type TestWorkspace } from "./harness";

const STEP_TIMEOUT = 3 * 60 * 1000;

/** Resource operations other than "same". */
function changes(ops: OpMap | undefined): OpMap {
    const result: OpMap = {};
    for (const [op, count] of Object.entries(ops ?? {})) {
        if (op !== "same" && count !== undefined && count > 0) {
            result[op as keyof OpMap] = count;
        }
    }
    return result;
}

describe("e2e: Pulumi engine", () => {
    let ws: TestWorkspace;
    let outDir: string;
    let filePath: string;
    let suffix: string;

    before(async function () {
        // A cold cache builds the CLI from source.
        this.timeout(40 * 60 * 1000);
        ensureEngine();
        outDir = fs.mkdtempSync(path.join(os.tmpdir(), "pat-engine-smoke-"));
        ws = await createTestWorkspace(programDir("engine-smoke"), { config: { dir: { value: outDir } } });
    });

    after(async function () {
        this.timeout(STEP_TIMEOUT);
        await ws?.dispose();
        if (outDir !== undefined) {
            fs.rmSync(outDir, { recursive: true, force: true });
        }
    });

    it("runs the Pulumi CLI scripts/ensure-pulumi chose", () => {
        // The version the Automation API read from the CLI it runs, against that of the chosen directory's.
        const chosen = execFileSync(path.join(ensureEngine(), "pulumi"), ["version"], {
            encoding: "utf8",
            env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
        });
        expect(`v${ws.stack.workspace.pulumiVersion}`).to.equal(chosen.trim());
    });

    it("up creates the dynamic resource and the RandomString", async function () {
        this.timeout(STEP_TIMEOUT);
        const res = await ws.stack.up();
        expect(res.summary.result).to.equal("succeeded");
        expect(changes(res.summary.resourceChanges)).to.deep.equal({ create: 3 }); // stack + file + random
        expect(res.stdout).not.to.match(/warning:/);

        suffix = String(res.outputs.suffixResult?.value);
        filePath = String(res.outputs.filePath?.value);
        expect(suffix).to.match(/^[a-z0-9]{8}$/);
        expect(filePath).to.equal(path.join(outDir, "engine-smoke.txt"));
        expect(fs.readFileSync(filePath, "utf8")).to.equal(`hello from ${suffix}\n`);
        expect(res.outputs.content?.value).to.equal(`hello from ${suffix}\n`);

        // Nothing was downloaded: the only plugin in PULUMI_HOME is the random one linked in.
        const home = ws.env.PULUMI_HOME ?? "";
        // Plugins are directories; the engine's bookkeeping beside them (.lock; .lastused in newer engines) is not.
        const pluginsDir = path.join(home, "plugins");
        const plugins = fs
            .readdirSync(pluginsDir)
            .filter((entry) => fs.statSync(path.join(pluginsDir, entry)).isDirectory());
        expect(plugins).to.have.lengthOf(1);
        expect(plugins[0]).to.match(/^resource-random-v\d/);
    });

    it("runs the program and the dynamic provider on the expected Node and @pulumi/pulumi", async () => {
        // scripts/prove-platform names the versions it installed; otherwise they are this process's.
        const expected = {
            node: process.env.PLATFORM_EXPECT_NODE ?? process.version,
            pulumiSdk:
                process.env.PLATFORM_EXPECT_PULUMI_SDK ??
                (require("@pulumi/pulumi/package.json") as { version: string }).version,
        };
        const outputs = await ws.stack.outputs();
        expect(outputs.programRuntime?.value).to.deep.equal(expected);
        expect(outputs.providerRuntime?.value).to.deep.equal(expected);
    });

    it("a second up changes nothing", async function () {
        this.timeout(STEP_TIMEOUT);
        const res = await ws.stack.up();
        expect(res.summary.result).to.equal("succeeded");
        expect(changes(res.summary.resourceChanges)).to.deep.equal({});
        expect(res.outputs.suffixResult?.value).to.equal(suffix);
    });

    it("refresh reads both resources back unchanged", async function () {
        this.timeout(STEP_TIMEOUT);
        const res = await ws.stack.refresh();
        expect(res.summary.result).to.equal("succeeded");
        expect(changes(res.summary.resourceChanges)).to.deep.equal({});
        const outputs = await ws.stack.outputs();
        expect(outputs.suffixResult?.value).to.equal(suffix);
        expect(outputs.filePath?.value).to.equal(filePath);
    });

    it("reports a program error as a failed operation", async function () {
        this.timeout(STEP_TIMEOUT);
        await ws.stack.setConfig("fail", { value: "true" });
        try {
            let error: unknown;
            try {
                await ws.stack.preview();
            } catch (err) {
                error = err;
            }
            expect(error).to.be.instanceOf(Error);
            expect(String(error)).to.contain("engine-smoke: failing on request");
        } finally {
            await ws.stack.removeConfig("fail");
        }
    });

    it("destroy deletes the file and the RandomString", async function () {
        this.timeout(STEP_TIMEOUT);
        const res = await ws.stack.destroy();
        expect(res.summary.result).to.equal("succeeded");
        expect(changes(res.summary.resourceChanges)).to.deep.equal({ delete: 3 });
        expect(fs.existsSync(filePath)).to.equal(false);
        const outputs = await ws.stack.outputs();
        expect(outputs).to.deep.equal({});
    });
});
