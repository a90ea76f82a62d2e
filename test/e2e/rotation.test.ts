// Rotation, expiry and adoption through the real engine against the sandbox: a token due for rotation is
// renewed by `pulumi up` with each strategy, consumers get the new value in the same update, a token not due
// is left alone, preview and up agree, and an adopted token is managed and destroyed like a created one.
import { expect } from "chai";
import { addDays, todayUtc } from "../../provider/lifecycle";
import { GitLabClient } from "../../provider/gitlab/client";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { changes, createTestWorkspace, programDir, type TestWorkspace } from "./harness";

const ROTATION = { expiresInDays: 30, rotateBeforeDays: 7 };

describe("e2e: rotation, expiry and adoption", function () {
    this.timeout(5 * 60 * 1000);
    let sandbox: Sandbox;

    before(async function () {
        this.timeout(40 * 60 * 1000);
        sandbox = await startSandbox();
    });
    after(async () => {
        await sandbox?.close();
    });

    async function workspace(resources: unknown[]): Promise<TestWorkspace> {
        return createTestWorkspace(programDir("tokens"), {
            config: {
                "gitlab:baseUrl": { value: sandbox.baseUrls.gitlab },
                "gitlab:token": { value: SEED.gitlab.tokens.maintainer, secret: true },
                "qovery:baseUrl": { value: sandbox.baseUrls.qovery },
                "qovery:apiToken": { value: SEED.qovery.apiToken, secret: true },
                resources: { value: JSON.stringify(resources) },
            },
        });
    }

    async function idsOf(ws: TestWorkspace): Promise<Record<string, string>> {
        const raw = ((await ws.stack.outputs()).ids?.value ?? {}) as Record<string, unknown>;
        return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
    }

    async function valuesOf(ws: TestWorkspace): Promise<Record<string, string>> {
        return ((await ws.stack.outputs()).values?.value ?? {}) as Record<string, string>;
    }

    function consumerSpec(name: string, source: string) {
        return {
            kind: "QoveryGitToken",
            name,
            args: { organizationId: SEED.qovery.organizationId, name, type: "GITLAB", token: `$ref:${source}.token` },
        };
    }

    it("overlap: a due token is replaced new-first, its consumer updated before the old one is revoked", async () => {
        sandbox.reset();
        const ws = await workspace([
            {
                kind: "ProjectAccessToken",
                name: "deploy",
                args: { project: 101, name: "deploy", scopes: ["read_api"], rotation: ROTATION },
            },
            {
                kind: "ProjectAccessToken",
                name: "steady",
                args: { project: 101, name: "steady", scopes: ["read_api"], rotation: ROTATION },
            },
            consumerSpec("consumer", "deploy"),
        ]);
        try {
            await ws.stack.up();
            const before = await idsOf(ws);
            const oldValue = (await valuesOf(ws)).deploy!;
            expect(changes((await ws.stack.preview()).changeSummary)).to.deep.equal({}, "nothing is due yet");

            // Time passes: the token now expires within rotateBeforeDays.
            const soon = addDays(todayUtc(), 3);
            sandbox.gitlab.setExpiresAt(Number(before.deploy), soon);
            await ws.stack.refresh();

            const preview = await ws.stack.preview();
            expect(changes(preview.changeSummary)).to.deep.equal({ replace: 1, update: 1 });
            expect(preview.stdout).to.include(`expires ${soon}, within rotateBeforeDays=7`);

            sandbox.requests.length = 0;
            const up = await ws.stack.up();
            expect(changes(up.summary.resourceChanges)).to.deep.equal(
                changes(preview.changeSummary),
                "preview and up agree",
            );

            const after = await idsOf(ws);
            const newValue = (await valuesOf(ws)).deploy!;
            expect(after.deploy).to.not.equal(before.deploy);
            expect(after.steady).to.equal(before.steady, "a token not due is untouched");
            expect(after.consumer).to.equal(before.consumer, "the consumer updates in place");
            expect(sandbox.qovery.secretOf(after.consumer!)).to.equal(newValue);
            expect(sandbox.gitlab.findTokenByValue(oldValue)?.revoked).to.equal(true);

            const create = sandbox.requests.findIndex((r) => r.service === "gitlab" && r.method === "POST");
            const consumerUpdate = sandbox.requests.findIndex((r) => r.service === "qovery" && r.method === "PUT");
            const revoke = sandbox.requests.findIndex(
                (r) => r.service === "gitlab" && r.method === "DELETE" && r.path.endsWith(`/${before.deploy}`),
            );
            expect(create).to.be.greaterThan(-1);
            expect(consumerUpdate).to.be.greaterThan(create);
            expect(revoke, "old token revoked only after the consumer holds the new one").to.be.greaterThan(
                consumerUpdate,
            );

            expect(changes((await ws.stack.preview()).changeSummary)).to.deep.equal({}, "no rotation loop");
            await ws.stack.destroy();
        } finally {
            await ws.dispose();
        }
    });

    it("rotate: a due token is rotated in place through GitLab's API and the old value dies at once", async () => {
        sandbox.reset();
        const rotation = { ...ROTATION, strategy: "rotate" };
        const ws = await workspace([
            {
                kind: "ProjectAccessToken",
                name: "deploy",
                args: { project: 101, name: "deploy", scopes: ["read_api"], rotation },
            },
            consumerSpec("consumer", "deploy"),
        ]);
        try {
            await ws.stack.up();
            const before = await idsOf(ws);
            const oldValue = (await valuesOf(ws)).deploy!;
            sandbox.gitlab.setExpiresAt(Number(before.deploy), addDays(todayUtc(), 2));
            await ws.stack.refresh();

            sandbox.requests.length = 0;
            const up = await ws.stack.up();
            expect(changes(up.summary.resourceChanges)).to.deep.equal({ update: 2 });
            expect(
                sandbox.requests.some((r) => r.method === "POST" && r.path.endsWith(`/${before.deploy}/rotate`)),
            ).to.equal(true);
            const after = await idsOf(ws);
            const newValue = (await valuesOf(ws)).deploy!;
            expect(after.deploy).to.not.equal(before.deploy, "GitLab gives the rotated token a new id");
            expect(sandbox.gitlab.findTokenByValue(oldValue)?.revoked).to.equal(true);
            expect(sandbox.gitlab.findTokenByValue(newValue)?.revoked).to.equal(false);
            expect(sandbox.qovery.secretOf(after.consumer!)).to.equal(newValue);

            await ws.stack.destroy();
            expect(sandbox.gitlab.findTokenByValue(newValue)?.revoked).to.equal(true);
        } finally {
            await ws.dispose();
        }
    });

    it("rotationTrigger: any change renews the token", async () => {
        sandbox.reset();
        const spec = (trigger: string) => [
            {
                kind: "ProjectAccessToken",
                name: "deploy",
                args: { project: 101, name: "deploy", scopes: ["read_api"], rotationTrigger: trigger },
            },
        ];
        const ws = await workspace(spec("2026-11"));
        try {
            await ws.stack.up();
            const before = await idsOf(ws);
            await ws.stack.setConfig("resources", { value: JSON.stringify(spec("2026-12")) });
            const up = await ws.stack.up();
            expect(changes(up.summary.resourceChanges)).to.deep.equal({ replace: 1 });
            expect((await idsOf(ws)).deploy).to.not.equal(before.deploy);
            await ws.stack.destroy();
        } finally {
            await ws.dispose();
        }
    });

    it("a past expiresAt fails in check, before any request, and says what to do", async () => {
        sandbox.reset();
        const ws = await workspace([
            {
                kind: "ProjectAccessToken",
                name: "deploy",
                args: { project: 101, name: "deploy", scopes: ["read_api"], expiresAt: "2020-01-01" },
            },
        ]);
        try {
            const error = await ws.stack.up().then(
                () => undefined,
                (e: unknown) => String(e),
            );
            expect(error).to.include("expiresAt 2020-01-01 is not in the future").and.include("rotation");
            expect(sandbox.requests.filter((r) => r.service === "gitlab")).to.deep.equal([]);
        } finally {
            await ws.dispose();
        }
    });

    it("adopt: an existing token is taken over, managed and destroyed like a created one", async () => {
        sandbox.reset();
        const admin = new GitLabClient({ apiUrl: `${sandbox.baseUrls.gitlab}/api/v4`, token: SEED.gitlab.tokens.root });
        const existing = await admin.create("project", "101", { name: "legacy", scopes: ["read_api"] });
        const ws = await workspace([
            {
                kind: "ProjectAccessToken",
                name: "legacy",
                args: { project: 101, name: "legacy", scopes: ["read_api"], adopt: { tokenId: existing.id } },
            },
        ]);
        try {
            await ws.stack.up();
            const adopted = await idsOf(ws);
            expect((await admin.get("project", "101", existing.id)).revoked).to.equal(
                true,
                "rotated to obtain a value",
            );
            expect((await admin.get("project", "101", Number(adopted.legacy))).active).to.equal(true);
            expect(changes((await ws.stack.preview()).changeSummary)).to.deep.equal({});
            await ws.stack.destroy();
            expect((await admin.get("project", "101", Number(adopted.legacy))).revoked).to.equal(true);
        } finally {
            await ws.dispose();
        }
    });
});
