// QoveryApiToken through the real engine (CLI + Node language host + dynamic-provider process) against the
// sandbox: create → a no-op `up` that writes nothing → out-of-band delete → `refresh` reads it as gone → `up`
// heals → replacements (same name: delete first; new name: create first) → `destroy` leaves nothing live.
import { execFileSync } from "node:child_process";
import { expect } from "chai";
import { QoveryClient } from "../../provider/qovery/client";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { changes, createTestWorkspace, programDir, type TestWorkspace } from "./harness";

const STEP_TIMEOUT = 5 * 60 * 1000;
const ORG = SEED.qovery.organizationId;

function specs(args: Record<string, unknown> = {}): unknown[] {
    return [
        {
            kind: "QoveryApiToken",
            name: "deployer",
            args: { organizationId: ORG, name: "ci-deploy", roleId: SEED.qovery.roles.devops.id, ...args },
        },
    ];
}

describe("e2e: QoveryApiToken through the real engine", function () {
    this.timeout(STEP_TIMEOUT);
    let sandbox: Sandbox;
    let ws: TestWorkspace;

    async function deploy(args: Record<string, unknown> = {}) {
        await ws.stack.setConfig("resources", { value: JSON.stringify(specs(args)) });
        return ws.stack.up();
    }

    async function id(): Promise<string | undefined> {
        const raw = ((await ws.stack.outputs()).ids?.value ?? {}) as Record<string, unknown>;
        return raw.deployer === undefined ? undefined : String(raw.deployer);
    }

    /** The token value (decrypted: the Automation API shows secrets). */
    async function value(): Promise<string> {
        return String((((await ws.stack.outputs()).values?.value ?? {}) as Record<string, string>).deployer);
    }

    const live = (): string[] => sandbox.qovery.apiTokens().map((token) => token.id);
    const writes = (): string[] =>
        sandbox.requests.filter((r) => r.service === "qovery" && r.method !== "GET").map((r) => r.method);

    before(async function () {
        this.timeout(40 * 60 * 1000); // a cold cache builds the engine first
        sandbox = await startSandbox();
        ws = await createTestWorkspace(programDir("tokens"), {
            config: {
                "qovery:baseUrl": { value: sandbox.baseUrls.qovery },
                "qovery:apiToken": { value: SEED.qovery.apiToken, secret: true },
            },
        });
    });

    after(async () => {
        await ws?.dispose();
        await sandbox?.close();
    });

    it("up creates the API token; its value is a secret output that authenticates on Qovery", async () => {
        const result = await deploy({ description: "deploys from CI" });
        expect(changes(result.summary.resourceChanges)).to.deep.equal({ create: 2 }); // the token + the stack
        const created = await id();
        expect(live()).to.deep.equal([created]);
        expect(sandbox.qovery.findApiToken(created!)?.description).to.match(/^deploys from CI \[pulumi-owner:/);
        const shown = JSON.parse(
            execFileSync("pulumi", ["stack", "output", "--json", "--stack", ws.stack.name], {
                cwd: programDir("tokens"),
                env: { ...process.env, ...ws.env },
                encoding: "utf8",
            }),
        ) as { values: Record<string, string> };
        expect(shown.values).to.deep.equal({ deployer: "[secret]" });
        const asToken = new QoveryClient({ apiUrl: sandbox.baseUrls.qovery, apiToken: await value() });
        expect((await asToken.listApiTokens(ORG)).map((token) => token.id)).to.include(created);
    });

    it("a second up changes nothing and writes nothing", async () => {
        sandbox.requests.length = 0;
        const result = await ws.stack.up();
        expect(changes(result.summary.resourceChanges)).to.deep.equal({});
        expect(writes()).to.deep.equal([]);
    });

    it("deleted out of band: refresh reads it as gone and the next up creates a new one", async () => {
        const before = await id();
        const oldValue = await value();
        expect(sandbox.qovery.deleteApiToken(before!)).to.equal(true);
        const refreshed = await ws.stack.refresh();
        expect(refreshed.summary.resourceChanges?.delete).to.equal(1);
        const healed = await ws.stack.up();
        expect(changes(healed.summary.resourceChanges)).to.deep.equal({ create: 1 });
        const after = await id();
        expect(after).to.not.equal(before);
        expect(live()).to.deep.equal([after]);
        expect(await value()).to.not.equal(oldValue);
    });

    it("a new description replaces, deleting first (the name stays: Qovery keeps names unique)", async () => {
        const before = await id();
        sandbox.requests.length = 0;
        const result = await deploy({ description: "deploys from CI, v2" });
        expect(changes(result.summary.resourceChanges)).to.deep.equal({ replace: 1 });
        expect(writes()).to.deep.equal(["DELETE", "POST"]);
        const after = await id();
        expect(live()).to.deep.equal([after]);
        expect(after).to.not.equal(before);
    });

    it("a new name replaces, creating the new token before deleting the old one", async () => {
        const before = await id();
        sandbox.requests.length = 0;
        const result = await deploy({ name: "ci-deploy-2", description: "deploys from CI, v2" });
        expect(changes(result.summary.resourceChanges)).to.deep.equal({ replace: 1 });
        expect(writes()).to.deep.equal(["POST", "DELETE"]);
        const after = await id();
        expect(live()).to.deep.equal([after]);
        expect(sandbox.qovery.findApiToken(after!)?.name).to.equal("ci-deploy-2");
        expect(after).to.not.equal(before);
    });

    it("destroy leaves no API token live", async () => {
        const result = await ws.stack.destroy();
        expect(result.summary.result).to.equal("succeeded");
        expect(live()).to.deep.equal([]);
        expect(sandbox.liveTokens("qovery")).to.deep.equal([]);
    });
});
