// Stacks written by a released version keep working after an upgrade. For each fixture under
// test/upgrade/fixtures (a stack exported by that version, see test/upgrade/README.md): the state is imported
// into a fresh backend next to this checkout installed from `npm pack`, a sandbox holds the fixture's tokens,
// and refresh, up, a rotation and destroy must behave as they did for the version that wrote it.
import * as path from "node:path";
import type { OpMap } from "@pulumi/pulumi/automation";
import { expect } from "chai";
import { SEED, type Sandbox, startSandbox, tokensMadeByPrograms } from "../sandbox";
import { type Fixture, fixtureDirs, loadFixture } from "../upgrade/fixtures";
import { type InstalledProject, installedProject } from "../upgrade/installed";
import { createTestWorkspace, type TestWorkspace } from "./harness";
import * as fs from "node:fs";

const KINDS = ["ProjectAccessToken", "GroupAccessToken", "GiteaToken", "CodacyRepoToken", "QoveryGitToken"];

interface StateResource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

function resourcesOf(deploymentText: string): StateResource[] {
    return (JSON.parse(deploymentText) as { deployment: { resources: StateResource[] } }).deployment.resources;
}

function tokenResources(deploymentText: string): StateResource[] {
    return resourcesOf(deploymentText).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
}

function changes(ops: OpMap | undefined): Record<string, number> {
    return Object.fromEntries(Object.entries(ops ?? {}).filter(([op, n]) => op !== "same" && (n ?? 0) > 0)) as Record<
        string,
        number
    >;
}

/** Every secret value a sandbox snapshot holds (token values), plus the seeded credentials. */
function secretValues(fixture: Fixture): string[] {
    const values = new Set<string>([
        SEED.gitlab.tokens.owner,
        SEED.gitlab.tokens.maintainer,
        SEED.gitea.users.bob.password,
        SEED.codacy.apiToken,
        SEED.qovery.apiToken,
    ]);
    const walk = (value: unknown): void => {
        if (Array.isArray(value)) {
            value.forEach(walk);
        } else if (value !== null && typeof value === "object") {
            for (const [key, inner] of Object.entries(value)) {
                if ((key === "value" || key === "secret") && typeof inner === "string") {
                    values.add(inner);
                }
                walk(inner);
            }
        }
    };
    walk(fixture.sandboxTokens);
    return [...values];
}

for (const dir of fixtureDirs()) {
    const fixture = loadFixture(dir);
    const { manifest } = fixture;

    describe(`e2e: a stack written by ${manifest.version} after an upgrade`, function () {
        this.timeout(5 * 60 * 1000);
        let sandbox: Sandbox;
        let project: InstalledProject;
        let ws: TestWorkspace;
        const stateIds = new Map(tokenResources(fixture.deploymentText).map((r) => [r.urn, String(r.id)]));

        before(async function () {
            this.timeout(40 * 60 * 1000);
            // Providers, program and sandbox run on the fixture's capture day (test/upgrade/shiftClock.ts).
            const offsetMs = Date.parse(manifest.capturedAt) - Date.now();
            sandbox = await startSandbox({ now: () => new Date(Date.now() + offsetMs) });
            sandbox.restoreTokens(fixture.sandboxTokens);
            project = installedProject(fixture.programDir);
            // The service keeps its URL across the upgrade: the new sandbox takes the captured one's place.
            const relocate = (text: string) => text.split(manifest.sandboxOrigin).join(sandbox.url);
            const stackConfigFile = path.join(project.dir, `Pulumi.${manifest.stackName}.yaml`);
            fs.writeFileSync(stackConfigFile, relocate(fixture.stackConfigText));
            const shim = path.join(__dirname, "..", "upgrade", "shiftClock.js");
            ws = await createTestWorkspace(project.dir, {
                stackName: manifest.stackName,
                envVars: {
                    PULUMI_CONFIG_PASSPHRASE: fixture.passphrase,
                    PAT_TEST_CLOCK_OFFSET_MS: String(offsetMs),
                    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${shim}`.trim(),
                },
            });
            await ws.stack.importStack(JSON.parse(fixture.deploymentText));
            // Secrets (a `connection` holds its base URL) are relocated decrypted, then imported re-encrypted.
            const decrypted = JSON.stringify(await ws.stack.exportStack());
            await ws.stack.importStack(JSON.parse(relocate(decrypted)));
        });
        after(async () => {
            await ws?.dispose();
            project?.dispose();
            await sandbox?.close();
        });

        it("the fixture holds no secret in plaintext and stores each provider by its module path", () => {
            for (const secret of secretValues(fixture)) {
                expect(fixture.deploymentText.includes(secret), "a secret in stack.json").to.equal(false);
                expect(fixture.stackConfigText.includes(secret), "a secret in the stack config").to.equal(false);
            }
            expect(fixture.deploymentText).to.not.include('"plaintext"');
            const resources = tokenResources(fixture.deploymentText);
            expect(new Set(resources.map((r) => r.type.split(":").pop()))).to.deep.equal(new Set(KINDS));
            for (const resource of resources) {
                const kind = resource.type.split(":").pop();
                const module = `pulumi-access-tokens/dist/sdk/providers/${kind}.js`;
                expect(String(resource.inputs?.__provider)).to.include(`require("${module}")`);
                expect(fs.existsSync(path.join(project.dir, "node_modules", module)), module).to.equal(true);
            }
        });

        it("the imported state points at the sandbox and its tokens are live there", async () => {
            const state = JSON.stringify(await ws.stack.exportStack());
            expect(state).to.not.include(manifest.sandboxOrigin);
            expect(state).to.include(`${sandbox.url}/gitlab`);
            const live = new Set(tokensMadeByPrograms(sandbox).map((t) => t.id));
            expect([...stateIds.values()].filter((id) => !live.has(id))).to.deep.equal([]);
        });

        it("refresh finds nothing changed", async () => {
            const refresh = await ws.stack.refresh({ expectNoChanges: true });
            expect(refresh.summary.result).to.equal("succeeded");
            expect(changes(refresh.summary.resourceChanges)).to.deep.equal({});
        });

        it("up changes nothing", async () => {
            const preview = await ws.stack.preview();
            expect(changes(preview.changeSummary)).to.deep.equal({});
            const up = await ws.stack.up({ expectNoChanges: true });
            expect(changes(up.summary.resourceChanges)).to.deep.equal({});
            const ids = (await ws.stack.outputs()).ids?.value as Record<string, unknown>;
            const state = tokenResources(JSON.stringify(await ws.stack.exportStack(), null, 1));
            expect(state.map((r) => String(r.id)).sort()).to.deep.equal([...stateIds.values()].sort());
            expect(String(ids.deploy)).to.equal(stateIdOf("deploy"));
        });

        it("a rotation renews the deploy token and hands the new value to its Qovery consumer", async () => {
            const oldId = Number(stateIdOf("deploy"));
            await ws.stack.setConfig(manifest.rotationTriggerKey, { value: `after-upgrade-${Date.now()}` });
            const up = await ws.stack.up();
            expect(changes(up.summary.resourceChanges)).to.deep.equal({ replace: 1, update: 1 });
            const ids = (await ws.stack.outputs()).ids?.value as Record<string, unknown>;
            const newId = Number(ids.deploy);
            expect(newId).to.not.equal(oldId);
            expect(sandbox.gitlab.findToken(oldId)?.revoked).to.equal(true);
            const renewed = sandbox.gitlab.findToken(newId);
            expect(renewed?.revoked).to.equal(false);
            expect(sandbox.qovery.secretOf(String(ids.qovery))).to.equal(renewed?.value);
            expect(String(ids.qovery)).to.equal(stateIdOf("qovery"), "the consumer is updated in place");
        });

        it("destroy revokes every token the stack held", async () => {
            const ids = (await ws.stack.outputs()).ids?.value as Record<string, unknown>;
            await ws.stack.destroy();
            expect(tokensMadeByPrograms(sandbox)).to.deep.equal([]);
            for (const name of ["ci", "legacy"]) {
                expect(sandbox.gitlab.findToken(Number(ids[name]))?.revoked, name).to.equal(true);
            }
        });

        function stateIdOf(name: string): string {
            const urn = [...stateIds.keys()].find((u) => u.endsWith(`::${name}`));
            if (urn === undefined) {
                throw new Error(`no resource ${name} in the ${manifest.version} fixture`);
            }
            return stateIds.get(urn)!;
        }
    });
}

describe("e2e: upgrade fixtures", () => {
    it("exist for this version's state shape or an earlier one", () => {
        expect(fixtureDirs().length).to.be.greaterThan(0);
    });
});
