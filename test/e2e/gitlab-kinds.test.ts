// GitLab's deploy and pipeline trigger tokens through the real engine (CLI + Node language host + dynamic-provider process) against
// the sandbox: create → a second up with zero writes → out-of-band revocation → refresh reads it gone → up
// heals → a change replaces a deploy token (new token first) and edits a trigger in place → destroy leaves
// nothing live.
import { execFileSync } from "node:child_process";
import type { UpResult } from "@pulumi/pulumi/automation";
import { expect } from "chai";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { changes, createTestWorkspace, programDir, type TestWorkspace } from "./harness";

const STEP_TIMEOUT = 5 * 60 * 1000;

/** A project and a group deploy token and a trigger; `generation` changes names and the trigger's description. */
function specs(generation: number): unknown[] {
    return [
        {
            kind: "PipelineTriggerToken",
            name: "trigger",
            args: { project: "acme/web", description: `deploys ${generation}` },
        },
        {
            kind: "DeployToken",
            name: "deployProject",
            args: { project: "acme/web", name: `pull-${generation}`, scopes: ["read_registry"] },
        },
        {
            kind: "DeployToken",
            name: "deployGroup",
            args: { group: "acme", name: `clone-${generation}`, scopes: ["read_repository"], username: "ci-clone" },
        },
    ];
}

describe("e2e: GitLab deploy and pipeline trigger tokens through the real engine", function () {
    this.timeout(STEP_TIMEOUT);
    let sandbox: Sandbox;
    let ws: TestWorkspace;

    async function deploy(generation: number): Promise<UpResult> {
        await ws.stack.setConfig("resources", { value: JSON.stringify(specs(generation)) });
        return ws.stack.up();
    }

    async function ids(): Promise<Record<string, string>> {
        const raw = ((await ws.stack.outputs()).ids?.value ?? {}) as Record<string, unknown>;
        return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
    }

    const live = (): string[] =>
        sandbox
            .liveTokens("gitlab")
            .filter((t) => /^(deploy|trigger):/.test(t.owner) && t.active)
            .map((t) => t.id)
            .sort();

    function pulumi(...args: string[]): string {
        return execFileSync("pulumi", [...args, "--stack", ws.stack.name], {
            cwd: programDir("tokens"),
            env: { ...process.env, ...ws.env },
            encoding: "utf8",
        });
    }

    /** Requests that change something on GitLab. */
    const writes = () => sandbox.requests.filter((r) => r.service === "gitlab" && r.method !== "GET");

    before(async function () {
        this.timeout(40 * 60 * 1000); // a cold cache builds the engine first
        sandbox = await startSandbox();
        ws = await createTestWorkspace(programDir("tokens"), {
            config: {
                "gitlab:baseUrl": { value: sandbox.baseUrls.gitlab },
                "gitlab:token": { value: SEED.gitlab.tokens.owner, secret: true },
            },
        });
    });

    after(async () => {
        await ws?.dispose();
        await sandbox?.close();
    });

    it("up creates the tokens; values are secrets, names and descriptions on GitLab carry the ownership mark", async () => {
        const result = await deploy(1);
        expect(changes(result.summary.resourceChanges)).to.deep.equal({ create: 4 }); // 3 tokens + the stack
        const created = await ids();
        expect(live()).to.deep.equal(Object.values(created).sort());
        // The CLI itself (the Automation API's outputs always decrypt) shows the values as secrets.
        const shown = JSON.parse(pulumi("stack", "output", "--json")) as { values: Record<string, string> };
        expect(shown.values).to.deep.equal({ trigger: "[secret]", deployProject: "[secret]", deployGroup: "[secret]" });
        const values = (await ws.stack.outputs()).values?.value as Record<string, string>;
        const project = sandbox.gitlab.deployTokens({ type: "project", id: 101 })[0]!;
        const group = sandbox.gitlab.deployTokens({ type: "group", id: 11 })[0]!;
        expect(values.deployProject).to.equal(project.value);
        expect(values.deployGroup).to.equal(group.value);
        expect(project.name).to.match(/^pull-1 \[pulumi-owner:[0-9a-f]{16}\]$/);
        expect(group.username).to.equal("ci-clone");
        const trigger = sandbox.gitlab.triggers(101)[0]!;
        expect(values.trigger).to.equal(trigger.value);
        expect(trigger.description).to.match(/^deploys 1 \[pulumi-owner:[0-9a-f]{16}\]$/);
    });

    it("a second up changes nothing and writes nothing", async () => {
        sandbox.requests.length = 0;
        const result = await ws.stack.up();
        expect(changes(result.summary.resourceChanges)).to.deep.equal({});
        expect(writes()).to.deep.equal([]);
    });

    it("refresh drops tokens revoked or expired out of band, and the next up creates them again", async () => {
        const before = await ids();
        expect(sandbox.gitlab.revokeDeployToken(Number(before.deployProject))).to.equal(true);
        const yesterday = new Date(sandbox.clock.now().getTime() - 86_400_000).toISOString().slice(0, 10);
        expect(sandbox.gitlab.setDeployTokenExpiresAt(Number(before.deployGroup), yesterday)).to.equal(true);
        expect(sandbox.gitlab.deleteTrigger(Number(before.trigger))).to.equal(true);
        const refreshed = await ws.stack.refresh();
        expect(refreshed.summary.resourceChanges?.delete).to.equal(3);
        const healed = await ws.stack.up();
        expect(changes(healed.summary.resourceChanges)).to.deep.equal({ create: 3 });
        const after = await ids();
        for (const name of ["deployProject", "deployGroup", "trigger"]) {
            expect(after[name], name).to.not.equal(before[name]);
        }
        expect(live()).to.deep.equal(Object.values(after).sort());
    });

    it("a changed name replaces a deploy token (the new one created first); a trigger's description is edited", async () => {
        const before = await ids();
        const triggerValue = sandbox.gitlab.triggers(101)[0]!.value;
        sandbox.requests.length = 0;
        const result = await deploy(2);
        expect(changes(result.summary.resourceChanges)).to.deep.equal({ replace: 2, update: 1 });
        const after = await ids();
        expect(after.trigger).to.equal(before.trigger);
        const trigger = sandbox.gitlab.triggers(101)[0]!;
        expect(trigger.value, "the trigger keeps its value").to.equal(triggerValue);
        expect(trigger.description).to.match(/^deploys 2 \[pulumi-owner:/);
        expect(live()).to.deep.equal(Object.values(after).sort());
        for (const name of ["deployProject", "deployGroup"]) {
            const parent = name === "deployProject" ? "/projects/" : "/groups/";
            const create = sandbox.requests.findIndex(
                (r) => r.method === "POST" && r.path.includes(parent) && r.path.endsWith("/deploy_tokens"),
            );
            const remove = sandbox.requests.findIndex(
                (r) => r.method === "DELETE" && r.path.endsWith(`/deploy_tokens/${before[name]}`),
            );
            expect(create, `${name} created`).to.be.greaterThan(-1);
            expect(remove, `${name} deleted after the create`).to.be.greaterThan(create);
        }
    });

    it("destroy leaves no deploy or trigger token live", async () => {
        const result = await ws.stack.destroy();
        expect(result.summary.result).to.equal("succeeded");
        expect(live()).to.deep.equal([]);
        // Only the two tokens revoked or expired by hand above are still listed.
        expect(sandbox.gitlab.deployTokens().filter((t) => t.active)).to.deep.equal([]);
        expect(sandbox.gitlab.deployTokens()).to.have.length(2);
        expect(sandbox.gitlab.triggers()).to.deep.equal([]);
    });
});
