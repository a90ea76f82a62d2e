// Moving a stack's GitLab tokens to another instance through stack config, with the real engine (issue #17).
// Two sandboxes are the two instances; their seeded credentials are the same, so a credential sent to the
// wrong instance would work: the test counts what each instance holds and receives.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { SEED, type Sandbox, startSandbox, tokensMadeByPrograms } from "../sandbox";
import { changes, createTestWorkspace, programDir, type TestWorkspace } from "./harness";

const STEP_TIMEOUT = 5 * 60 * 1000;

const RESOURCES = [
    {
        kind: "ProjectAccessToken",
        name: "project",
        args: { project: "acme/web", name: "deploy", scopes: ["read_api"] },
    },
    { kind: "GroupAccessToken", name: "group", args: { group: "acme", name: "bot", scopes: ["read_api"] } },
];

async function failure(run: () => Promise<unknown>): Promise<string> {
    try {
        await run();
    } catch (e: unknown) {
        return String(e);
    }
    throw new Error("expected the command to fail");
}

describe("e2e: moving GitLab tokens to another instance (stack config)", function () {
    this.timeout(STEP_TIMEOUT);
    let a: Sandbox;
    let b: Sandbox;
    let ws: TestWorkspace;

    const root = (sandbox: Sandbox) => `${sandbox.baseUrls.gitlab}/api/v4`;
    const live = (sandbox: Sandbox) =>
        tokensMadeByPrograms(sandbox)
            .filter((t) => t.service === "gitlab")
            .map((t) => t.id)
            .sort();
    const requestsTo = (sandbox: Sandbox) => sandbox.requests.filter((r) => r.service === "gitlab").length;

    function pulumi(...args: string[]): string {
        return execFileSync("pulumi", [...args, "--stack", ws.stack.name], {
            cwd: programDir("tokens"),
            env: { ...process.env, ...ws.env },
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        });
    }

    /** Token resources in the state: name → recorded instance. */
    function recorded(): Record<string, unknown> {
        const state = JSON.parse(pulumi("stack", "export")) as {
            deployment: { resources?: { type: string; urn: string; outputs?: { apiUrl?: unknown } }[] };
        };
        return Object.fromEntries(
            (state.deployment.resources ?? [])
                .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"))
                .map((r) => [r.urn.split("::").pop() ?? "", r.outputs?.apiUrl]),
        );
    }

    async function ids(): Promise<string[]> {
        const raw = ((await ws.stack.outputs()).ids?.value ?? {}) as Record<string, unknown>;
        return Object.values(raw).map(String).sort();
    }

    before(async function () {
        this.timeout(40 * 60 * 1000); // a cold cache builds the engine first
        [a, b] = await Promise.all([startSandbox(), startSandbox()]);
        ws = await createTestWorkspace(programDir("tokens"), {
            config: {
                "gitlab:baseUrl": { value: a.baseUrls.gitlab },
                "gitlab:token": { value: SEED.gitlab.tokens.owner, secret: true },
                resources: { value: JSON.stringify(RESOURCES) },
            },
        });
    });

    after(async () => {
        await ws?.dispose();
        await Promise.all([a?.close(), b?.close()]);
    });

    it("up records the instance of every token", async () => {
        const result = await ws.stack.up();
        expect(changes(result.summary.resourceChanges)).to.deep.equal({ create: 3 });
        expect(live(a)).to.deep.equal(await ids());
        expect(recorded()).to.deep.equal({ project: root(a), group: root(a) });
    });

    it("another spelling of the same instance is no change", async () => {
        await ws.stack.setConfig("gitlab:baseUrl", { value: `${root(a)}/` });
        const result = await ws.stack.up();
        expect(changes(result.summary.resourceChanges)).to.deep.equal({});
    });

    it("moved without credentials for the old instance: refresh keeps the tokens, up fails naming both, nothing is left behind", async () => {
        const tokens = await ids();
        await ws.stack.setConfig("gitlab:baseUrl", { value: b.baseUrls.gitlab });
        // Refresh does not run the program: it reads with the settings of the last `up`, on the recorded instance.
        const refreshed = await ws.stack.refresh();
        expect(changes(refreshed.summary.resourceChanges)).to.deep.equal({});
        expect(live(a)).to.deep.equal(tokens);
        const before = requestsTo(a);
        const upError = await failure(() => ws.stack.up());
        expect(upError).to.include(root(a)).and.include(root(b)).and.include("pulumi state delete");
        expect(upError).to.not.include(SEED.gitlab.tokens.owner);
        expect(requestsTo(a)).to.equal(before); // B's credential never went to A
        expect(live(a)).to.deep.equal(tokens);
        expect(live(b)).to.deep.equal([]);
        expect(recorded()).to.deep.equal({ project: root(a), group: root(a) });
    });

    it("with the old instance in the environment, up moves every token: none left on A, exactly the declared ones on B", async () => {
        // The workspace's environment reaches every later command (and so the provider process).
        Object.assign(ws.stack.workspace.envVars, {
            GITLAB_BASE_URL: a.baseUrls.gitlab,
            GITLAB_TOKEN: SEED.gitlab.tokens.owner,
        });
        const result = await ws.stack.up();
        expect(changes(result.summary.resourceChanges)).to.deep.equal({ replace: 2 });
        expect(result.stdout).to.include(`the instance moves from ${root(a)} to ${root(b)}`);
        expect(live(a)).to.deep.equal([]);
        expect(live(b)).to.deep.equal(await ids());
        expect(live(b)).to.have.length(2);
        expect(recorded()).to.deep.equal({ project: root(b), group: root(b) });
    });

    it("afterwards, without the old instance's settings, refresh keeps every token and up changes nothing", async () => {
        delete ws.stack.workspace.envVars.GITLAB_BASE_URL;
        delete ws.stack.workspace.envVars.GITLAB_TOKEN;
        const refreshed = await ws.stack.refresh();
        expect(changes(refreshed.summary.resourceChanges)).to.deep.equal({});
        expect(live(b)).to.deep.equal(await ids());
        const result = await ws.stack.up();
        expect(changes(result.summary.resourceChanges)).to.deep.equal({});
    });

    it("destroy revokes them on B", async () => {
        await ws.stack.destroy();
        expect(live(a)).to.deep.equal([]);
        expect(live(b)).to.deep.equal([]);
    });
});

describe("e2e: a state written before the instance was recorded", function () {
    this.timeout(STEP_TIMEOUT);
    let sandbox: Sandbox;
    let ws: TestWorkspace;

    function pulumi(args: string[]): string {
        return execFileSync("pulumi", [...args, "--stack", ws.stack.name], {
            cwd: programDir("tokens"),
            env: { ...process.env, ...ws.env },
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        });
    }

    type Exported = {
        deployment: { resources?: { type: string; inputs?: { apiUrl?: unknown }; outputs?: { apiUrl?: unknown } }[] };
    };
    const tokenResources = (state: Exported) =>
        (state.deployment.resources ?? []).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));

    before(async function () {
        this.timeout(40 * 60 * 1000);
        sandbox = await startSandbox();
        ws = await createTestWorkspace(programDir("tokens"), {
            config: {
                "gitlab:baseUrl": { value: sandbox.baseUrls.gitlab },
                "gitlab:token": { value: SEED.gitlab.tokens.owner, secret: true },
                resources: { value: JSON.stringify(RESOURCES) },
            },
        });
        await ws.stack.up();
        writtenByEarlierVersion();
    });

    /** Makes the state look as an earlier version wrote it: no `apiUrl` in inputs or outputs. */
    function writtenByEarlierVersion(): void {
        const state = JSON.parse(pulumi(["stack", "export"])) as Exported;
        for (const resource of tokenResources(state)) {
            delete resource.inputs?.apiUrl;
            delete resource.outputs?.apiUrl;
        }
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pat-state-")), "state.json");
        fs.writeFileSync(file, JSON.stringify(state));
        pulumi(["stack", "import", "--file", file]);
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }

    after(async () => {
        await ws?.dispose();
        await sandbox?.close();
    });

    it("refresh records the instance and reports no change", async () => {
        const before = tokenResources(JSON.parse(pulumi(["stack", "export"])) as Exported);
        expect(before.map((r) => r.outputs?.apiUrl)).to.deep.equal([undefined, undefined]);
        const refreshed = await ws.stack.refresh();
        expect(changes(refreshed.summary.resourceChanges)).to.deep.equal({});
        const after = tokenResources(JSON.parse(pulumi(["stack", "export"])) as Exported);
        const root = `${sandbox.baseUrls.gitlab}/api/v4`;
        expect(after.map((r) => r.outputs?.apiUrl)).to.deep.equal([root, root]);
        const up = await ws.stack.up();
        expect(changes(up.summary.resourceChanges)).to.deep.equal({});
    });

    it("up records it by an in-place update without any request; the next up changes nothing", async () => {
        writtenByEarlierVersion();
        const requests = sandbox.requests.length;
        const up = await ws.stack.up();
        expect(changes(up.summary.resourceChanges)).to.deep.equal({ update: 2 });
        expect(up.stdout).to.include("record the instance the token lives on");
        expect(sandbox.requests.length).to.equal(requests);
        const again = await ws.stack.up();
        expect(changes(again.summary.resourceChanges)).to.deep.equal({});
        await ws.stack.destroy();
        expect(tokensMadeByPrograms(sandbox)).to.deep.equal([]);
    });
});
