// PersonalAccessToken through the real engine (CLI + Node language host + dynamic-provider process) against the
// sandbox, for both owners: a user's token made with an administrator's credential (stack config) and a group
// service account's made with the group Owner's (`connection`). create → a no-op up that writes nothing →
// revoked / expired out of band → refresh drops them → up heals → rotation in place → destroy leaves nothing.
import type { UpResult } from "@pulumi/pulumi/automation";
import { expect } from "chai";
import { addDays, todayUtc } from "../../provider/lifecycle";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { changes, createTestWorkspace, programDir, type TestWorkspace } from "./harness";

const STEP_TIMEOUT = 5 * 60 * 1000;
const SERVICE_ACCOUNT = SEED.gitlab.serviceAccounts.deploy;

function specs(trigger: string): unknown[] {
    const rotation = { expiresInDays: 30, strategy: "rotate" };
    return [
        {
            kind: "PersonalAccessToken",
            name: "user",
            args: {
                userId: SEED.gitlab.users.maintainer.id,
                name: "ci",
                scopes: ["read_api"],
                rotation,
                rotationTrigger: trigger,
            },
        },
        {
            kind: "PersonalAccessToken",
            name: "service",
            args: {
                serviceAccount: { group: "acme", userId: SERVICE_ACCOUNT.id },
                name: "deploy",
                scopes: ["read_api", "read_registry"],
                description: "deploys",
                connection: { token: "$secret:ownerToken" },
                rotation,
                rotationTrigger: trigger,
            },
        },
    ];
}

describe("e2e: PersonalAccessToken through the real engine", function () {
    this.timeout(STEP_TIMEOUT);
    let sandbox: Sandbox;
    let ws: TestWorkspace;

    async function deploy(trigger: string): Promise<UpResult> {
        await ws.stack.setConfig("resources", { value: JSON.stringify(specs(trigger)) });
        return ws.stack.up();
    }

    async function ids(): Promise<Record<string, number>> {
        const raw = ((await ws.stack.outputs()).ids?.value ?? {}) as Record<string, unknown>;
        return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
    }

    /** Live personal tokens of the two owners, by sandbox owner. */
    function live(): string[] {
        return sandbox
            .liveTokens("gitlab")
            .filter((t) => t.active && (t.owner.startsWith("user:") || t.owner.startsWith("service_account:")))
            .map((t) => `${t.owner}#${t.id}`)
            .sort();
    }

    const writes = () => sandbox.requests.filter((r) => r.service === "gitlab" && r.method !== "GET");

    before(async function () {
        this.timeout(40 * 60 * 1000); // a cold cache builds the engine first
        sandbox = await startSandbox();
        ws = await createTestWorkspace(programDir("tokens"), {
            config: {
                "gitlab:baseUrl": { value: sandbox.baseUrls.gitlab },
                "gitlab:token": { value: SEED.gitlab.tokens.root, secret: true },
                ownerToken: { value: SEED.gitlab.tokens.owner, secret: true },
            },
        });
    });

    after(async () => {
        await ws?.dispose();
        await sandbox?.close();
    });

    it("up creates a user's token and a service account's, each marked, values as secrets", async () => {
        const result = await deploy("1");
        expect(changes(result.summary.resourceChanges)).to.deep.equal({ create: 3 }); // 2 tokens + the stack
        const created = await ids();
        expect(live()).to.deep.equal(
            [`service_account:${SERVICE_ACCOUNT.id}#${created.service}`, `user:2#${created.user}`].sort(),
        );
        const token = sandbox.gitlab.findToken(created.service!);
        expect(token?.description).to.match(/^deploys \[pulumi-owner:[0-9a-f]{16}\]$/);
        expect(token?.expiresAt).to.equal(addDays(todayUtc(), 30));
        const values = ((await ws.stack.outputs()).values?.value ?? {}) as Record<string, string>;
        expect(sandbox.gitlab.findTokenByValue(values.user!)?.id).to.equal(created.user);
        // The group Owner's credential made the service account's token, the administrator's the user's.
        const creates = sandbox.requests.filter((r) => r.method === "POST").map((r) => r.path);
        expect(
            creates.some((p) =>
                p.endsWith(`/groups/acme/service_accounts/${SERVICE_ACCOUNT.id}/personal_access_tokens`),
            ),
        ).to.equal(true);
        expect(creates.some((p) => p.endsWith("/users/2/personal_access_tokens"))).to.equal(true);
    });

    it("a second up changes nothing and sends no write", async () => {
        sandbox.requests.length = 0;
        const result = await ws.stack.up();
        expect(changes(result.summary.resourceChanges)).to.deep.equal({});
        expect(writes()).to.deep.equal([]);
    });

    it("refresh drops a token revoked and one expired out of band; the next up creates them again", async () => {
        const before = await ids();
        sandbox.gitlab.revoke(before.user!);
        sandbox.gitlab.setExpiresAt(before.service!, addDays(todayUtc(), -1));
        const refreshed = await ws.stack.refresh();
        expect(refreshed.summary.resourceChanges?.delete).to.equal(2);
        const healed = await ws.stack.up();
        expect(changes(healed.summary.resourceChanges)).to.deep.equal({ create: 2 });
        const after = await ids();
        expect(after.user).to.not.equal(before.user);
        expect(after.service).to.not.equal(before.service);
        expect(live()).to.have.length(2);
    });

    it("a new rotationTrigger rotates both in place: new ids, the old values dead, no replacement", async () => {
        const before = await ids();
        const result = await deploy("2");
        expect(changes(result.summary.resourceChanges)).to.deep.equal({ update: 2 });
        const after = await ids();
        for (const name of ["user", "service"]) {
            expect(after[name], name).to.not.equal(before[name]);
            expect(sandbox.gitlab.findToken(before[name]!)?.revoked, `${name} old revoked`).to.equal(true);
            expect(sandbox.gitlab.findToken(after[name]!)?.previousId, `${name} rotated`).to.equal(before[name]);
        }
        expect(live()).to.have.length(2);
    });

    it("destroy leaves neither owner with a live token of the stack", async () => {
        const result = await ws.stack.destroy();
        expect(result.summary.result).to.equal("succeeded");
        expect(live()).to.deep.equal([]);
    });
});
