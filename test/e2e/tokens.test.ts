// The five token resources through the real engine (CLI + Node language host + dynamic-provider process)
// against the sandbox: up, idempotent up, secrets in state, refresh after out-of-band revocation,
// replacement order, an injected failure, destroy.
import { execFileSync } from "node:child_process";
import type { UpResult } from "@pulumi/pulumi/automation";
import { expect } from "chai";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { changes, createTestWorkspace, programDir, type TestWorkspace } from "./harness";

const STEP_TIMEOUT = 5 * 60 * 1000;

type Kind = "ProjectAccessToken" | "GroupAccessToken" | "GiteaToken" | "CodacyRepoToken" | "QoveryGitToken";
interface Spec {
    kind: Kind;
    name: string;
    args: Record<string, unknown>;
}

/** One resource of each kind; the Qovery git token is fed by the project token, as people wire them. */
function specs(generation: number): Spec[] {
    return [
        {
            kind: "ProjectAccessToken",
            name: "project",
            args: { project: "acme/web", name: `deploy-${generation}`, scopes: ["read_api"] },
        },
        {
            kind: "GroupAccessToken",
            name: "group",
            args: { group: "acme", name: `bot-${generation}`, scopes: ["read_api"], accessLevel: "developer" },
        },
        { kind: "GiteaToken", name: "gitea", args: { name: `ci-${generation}`, scopes: ["read:repository"] } },
        {
            kind: "CodacyRepoToken",
            name: "codacy",
            args: { provider: "gh", organization: "acme", repository: `repo-00${generation}` },
        },
        {
            kind: "QoveryGitToken",
            name: "qovery",
            args: {
                organizationId: SEED.qovery.organizationId,
                name: "gitlab",
                type: "GITLAB",
                token: "$ref:project.token",
            },
        },
    ];
}

const SERVICE_OF: Record<string, "gitlab" | "gitea" | "codacy" | "qovery"> = {
    project: "gitlab",
    group: "gitlab",
    gitea: "gitea",
    codacy: "codacy",
    qovery: "qovery",
};

describe("e2e: token resources through the real engine", function () {
    this.timeout(STEP_TIMEOUT);
    let sandbox: Sandbox;
    let ws: TestWorkspace;
    const credentials = [
        SEED.gitlab.tokens.owner,
        SEED.gitea.users.bob.password,
        SEED.codacy.apiToken,
        SEED.qovery.apiToken,
    ];

    async function deploy(generation: number): Promise<UpResult> {
        await ws.stack.setConfig("resources", { value: JSON.stringify(specs(generation)) });
        return ws.stack.up();
    }

    async function ids(): Promise<Record<string, string>> {
        const outputs = await ws.stack.outputs();
        const raw = (outputs.ids?.value ?? {}) as Record<string, unknown>;
        return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
    }

    /** Token values by resource name (decrypted: the Automation API shows secrets). */
    async function tokenValues(): Promise<Record<string, string>> {
        return ((await ws.stack.outputs()).values?.value ?? {}) as Record<string, string>;
    }

    /** Runs the CLI itself: the Automation API's export and outputs always decrypt secrets. */
    function pulumi(...args: string[]): string {
        return execFileSync("pulumi", [...args, "--stack", ws.stack.name], {
            cwd: programDir("tokens"),
            env: { ...process.env, ...ws.env },
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        });
    }

    /** Names of the token resources in the state. */
    function resourcesInState(): string[] {
        const state = JSON.parse(pulumi("stack", "export")) as {
            deployment: { resources?: { type: string; urn: string }[] };
        };
        return (state.deployment.resources ?? [])
            .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"))
            .map((r) => r.urn.split("::").pop() ?? "")
            .sort();
    }

    function isLive(name: string, id: string): boolean {
        return sandbox.liveTokens(SERVICE_OF[name]).some((token) => token.id === id);
    }

    before(async function () {
        this.timeout(40 * 60 * 1000); // a cold cache builds the engine first
        sandbox = await startSandbox();
        ws = await createTestWorkspace(programDir("tokens"), {
            envVars: {
                // Gitea's credentials come from the environment, the others from secret stack config.
                GITEA_BASE_URL: sandbox.baseUrls.gitea,
                GITEA_USERNAME: SEED.gitea.users.bob.username,
                GITEA_PASSWORD: SEED.gitea.users.bob.password,
            },
            config: {
                "gitlab:baseUrl": { value: sandbox.baseUrls.gitlab },
                "gitlab:token": { value: SEED.gitlab.tokens.owner, secret: true },
                "codacy:baseUrl": { value: sandbox.baseUrls.codacy },
                "codacy:apiToken": { value: SEED.codacy.apiToken, secret: true },
                "qovery:baseUrl": { value: sandbox.baseUrls.qovery },
                "qovery:apiToken": { value: SEED.qovery.apiToken, secret: true },
            },
        });
    });

    after(async () => {
        await ws?.dispose();
        await sandbox?.close();
    });

    it("up creates one token of each kind on the services, values as secrets", async () => {
        const result = await deploy(1);
        expect(result.summary.result).to.equal("succeeded");
        expect(changes(result.summary.resourceChanges)).to.deep.equal({ create: 6 }); // 5 tokens + the stack
        const created = await ids();
        expect(Object.keys(created).sort()).to.deep.equal(["codacy", "gitea", "group", "project", "qovery"]);
        for (const [name, id] of Object.entries(created)) {
            expect(isLive(name, id), `${name} ${id} live`).to.equal(true);
        }
        const shown = JSON.parse(pulumi("stack", "output", "--json")) as { values: Record<string, string> };
        expect(shown.values).to.deep.equal({
            project: "[secret]",
            group: "[secret]",
            gitea: "[secret]",
            codacy: "[secret]",
        });
        expect(sandbox.qovery.secretOf(created.qovery!)).to.equal((await tokenValues()).project);
    });

    it("a second up changes nothing", async () => {
        const result = await ws.stack.up();
        expect(changes(result.summary.resourceChanges)).to.deep.equal({});
    });

    it("the state holds no token value or credential in plaintext, and each provider serializes small", async () => {
        const values = Object.values(await tokenValues());
        expect(values).to.have.length(4);
        const text = pulumi("stack", "export");
        const deployment = JSON.parse(text) as { deployment: unknown };
        for (const secret of [...values, ...credentials]) {
            expect(text.includes(secret), `state contains ${secret.slice(0, 4)}…`).to.equal(false);
        }
        const resources =
            (deployment.deployment as { resources?: { type: string; inputs?: { __provider?: string } }[] }).resources ??
            [];
        const sizes: Record<string, number> = {};
        for (const resource of resources) {
            if (resource.type.startsWith("pulumi-nodejs:dynamic/")) {
                const provider = resource.inputs?.__provider ?? "";
                expect(provider.length, resource.type).to.be.greaterThan(0).and.below(50_000);
                sizes[resource.type] = provider.length;
            }
        }
        expect(Object.keys(sizes)).to.have.length(5);
        console.log(`      serialized provider sizes (bytes): ${JSON.stringify(sizes)}`);
    });

    it("refresh drops tokens revoked out of band and the next up creates them again", async () => {
        const before = await ids();
        sandbox.gitlab.revoke(Number(before.project));
        sandbox.gitlab.revoke(Number(before.group));
        sandbox.gitea.deleteToken(Number(before.gitea));
        sandbox.codacy.deleteToken(Number(before.codacy));
        sandbox.qovery.deleteToken(before.qovery!);
        const refreshed = await ws.stack.refresh();
        expect(refreshed.summary.resourceChanges?.delete).to.equal(5);
        expect(resourcesInState()).to.deep.equal([]);
        const healed = await ws.stack.up();
        expect(changes(healed.summary.resourceChanges)).to.deep.equal({ create: 5 });
        for (const [name, id] of Object.entries(await ids())) {
            expect(id).to.not.equal(before[name]);
            expect(isLive(name, id), `${name} live again`).to.equal(true);
        }
    });

    it("replacements create the new token before revoking the old one; Qovery updates in place", async () => {
        const before = await ids();
        sandbox.requests.length = 0;
        const result = await deploy(2);
        expect(changes(result.summary.resourceChanges)).to.deep.equal({ replace: 4, update: 1 });
        const after = await ids();
        expect(after.qovery).to.equal(before.qovery);
        for (const name of ["project", "group", "gitea", "codacy"]) {
            expect(after[name], name).to.not.equal(before[name]);
            expect(isLive(name, after[name]!), `${name} new live`).to.equal(true);
            expect(isLive(name, before[name]!), `${name} old revoked`).to.equal(false);
            const service = SERVICE_OF[name];
            const create = sandbox.requests.findIndex((r) => r.service === service && r.method === "POST");
            const remove = sandbox.requests.findIndex(
                (r) => r.service === service && r.method === "DELETE" && r.path.endsWith(`/${before[name]}`),
            );
            expect(create, `${name} created`).to.be.greaterThan(-1);
            expect(remove, `${name} deleted after create`).to.be.greaterThan(create);
        }
        // The Qovery git token already held the new GitLab token when the old one was revoked.
        expect(sandbox.qovery.secretOf(after.qovery!)).to.equal((await tokenValues()).project);
    });

    it("a failed create fails that resource only, leaves no orphan, and the next up converges", async () => {
        const before = await ids();
        sandbox.faults.add({ service: "codacy", method: "POST", kind: "status", status: 500, times: 5 });
        await ws.stack.setConfig("resources", { value: JSON.stringify(specs(3)) });
        let failed = false;
        try {
            await ws.stack.up({ continueOnError: true });
        } catch (e: unknown) {
            failed = true;
            expect(String(e)).to.include("Codacy").and.include("HTTP 500");
        }
        expect(failed).to.equal(true);
        const codacyTokens = sandbox.liveTokens("codacy").filter((t) => t.owner === "gh/acme/repo-003");
        expect(codacyTokens).to.deep.equal([]);
        expect(isLive("codacy", before.codacy!)).to.equal(true);
        sandbox.faults.clear();
        const converged = await ws.stack.up();
        expect(converged.summary.result).to.equal("succeeded");
        const after = await ids();
        expect(
            sandbox
                .liveTokens("codacy")
                .filter((t) => t.owner === "gh/acme/repo-003")
                .map((t) => t.id),
        ).to.deep.equal([after.codacy]);
        expect(isLive("codacy", before.codacy!)).to.equal(false);
    });

    it("destroy leaves the services with none of the stack's tokens", async () => {
        const last = await ids();
        const result = await ws.stack.destroy();
        expect(result.summary.result).to.equal("succeeded");
        for (const [name, id] of Object.entries(last)) {
            expect(isLive(name, id), `${name} revoked`).to.equal(false);
        }
        expect(
            sandbox.liveTokens("gitlab").filter((t) => t.owner.startsWith("project:") || t.owner.startsWith("group:")),
        ).to.deep.equal([]);
        expect(sandbox.liveTokens("qovery")).to.deep.equal([]);
    });
});
