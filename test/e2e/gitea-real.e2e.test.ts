/**
 * `GiteaToken` through the real Pulumi engine (CLI + Node language host + dynamic-provider process)
 * against a REAL Gitea (built by scripts/ensure-gitea, started once for this file): up creates the
 * tokens on the server, the created values work for what their scopes allow and only that, refresh
 * after an out-of-band deletion drops the resource and up recreates it, a change of scopes replaces
 * the token, destroy leaves none.
 *
 * Credentials reach the provider through GITEA_BASE_URL / GITEA_USERNAME / GITEA_PASSWORD (plain
 * http on 127.0.0.1, which the loopback rule allows).
 */
import { expect } from "chai";
import { GiteaClient, type GiteaToken } from "../../provider/gitea/client";
import { type RealGitea, startRealGitea } from "../support/gitea";
import { type RawResponse, rawCall, tokenAuth } from "../support/giteaRaw";
import { changes, createTestWorkspace, programDir, type TestWorkspace } from "./harness";

const STEP_TIMEOUT = 5 * 60 * 1000;

interface Spec {
    kind: "GiteaToken";
    name: string;
    args: { name: string; scopes: string[] };
}

function sortedNumbers(values: number[]): number[] {
    return [...values].sort((a, b) => a - b);
}

describe("e2e: GiteaToken through the real engine against a real Gitea", function () {
    this.timeout(STEP_TIMEOUT);

    let gitea: RealGitea | undefined;
    let ws: TestWorkspace | undefined;
    /** Token ids of every generation, to check that replaced/destroyed ones are gone. */
    const everSeen = new Set<number>();

    const g = (): RealGitea => {
        if (gitea === undefined) throw new Error("Gitea did not start (see the before hook)");
        return gitea;
    };
    const w = (): TestWorkspace => {
        if (ws === undefined) throw new Error("no workspace (see the before hook)");
        return ws;
    };
    /** The stack's own account (a regular user, managing its own tokens). */
    const client = (): GiteaClient =>
        new GiteaClient({
            apiUrl: `${g().baseUrl}/api/v1`,
            username: g().user.username,
            password: g().user.password,
            retry: { maxAttempts: 1 },
        });
    const serverTokens = (): Promise<GiteaToken[]> => client().list(g().user.username);

    /** `reader`: read:user; `repo`: read:repository, or `repoScopes` once they change. */
    function specs(repoScopes: string[] = ["read:repository"]): Spec[] {
        return [
            { kind: "GiteaToken", name: "reader", args: { name: "e2e-reader", scopes: ["read:user"] } },
            { kind: "GiteaToken", name: "repo", args: { name: "e2e-repo", scopes: repoScopes } },
        ];
    }

    async function deploy(resources: Spec[]) {
        await w().stack.setConfig("resources", { value: JSON.stringify(resources) });
        return w().stack.up();
    }

    async function ids(): Promise<Record<string, number>> {
        const outputs = await w().stack.outputs();
        const raw = (outputs.ids?.value ?? {}) as Record<string, unknown>;
        const out = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
        for (const id of Object.values(out)) {
            everSeen.add(id);
        }
        return out;
    }

    async function values(): Promise<Record<string, string>> {
        const outputs = await w().stack.outputs();
        return (outputs.values?.value ?? {}) as Record<string, string>;
    }

    const get = (apiPath: string, sha1: string): Promise<RawResponse> =>
        rawCall("GET", `${g().baseUrl}/api/v1${apiPath}`, { auth: tokenAuth(sha1) });

    const scopeDenied = (required: string, has: string): Record<string, unknown> => ({
        message: `token does not have at least one of required scope(s), required=[${required}], token scope=${has}`,
        url: `${g().baseUrl}/api/swagger`,
    });

    before(async function () {
        // A cold cache builds Gitea and the engine first.
        this.timeout(40 * 60 * 1000);
        gitea = await startRealGitea();
        ws = await createTestWorkspace(programDir("tokens"), {
            envVars: {
                GITEA_BASE_URL: gitea.baseUrl,
                GITEA_USERNAME: gitea.user.username,
                GITEA_PASSWORD: gitea.user.password,
            },
        });
    });

    after(async () => {
        await ws?.dispose();
        await gitea?.stop();
    });

    it("up creates the tokens on the server, as declared", async () => {
        expect(await serverTokens()).to.deep.equal([]);
        const result = await deploy(specs());
        expect(result.summary.result).to.equal("succeeded");
        expect(changes(result.summary.resourceChanges)).to.deep.equal({ create: 3 }); // 2 tokens + the stack
        const created = await ids();
        const live = await serverTokens();
        expect(sortedNumbers(live.map((t) => t.id))).to.deep.equal(sortedNumbers([created.reader!, created.repo!]));
        const byId = new Map(live.map((t) => [t.id, t]));
        // Gitea names carry each resource's ownership mark after the declared name (README "Ownership marks").
        const reader = byId.get(created.reader!);
        const repo = byId.get(created.repo!);
        expect(reader?.name).to.match(/^e2e-reader \[pulumi-owner:[0-9a-f]{16}\]$/);
        expect(repo?.name).to.match(/^e2e-repo \[pulumi-owner:[0-9a-f]{16}\]$/);
        expect(reader?.name.slice(-18)).to.not.equal(repo?.name.slice(-18));
        expect(reader).to.include({ sha1: "" });
        expect(byId.get(created.reader!)?.scopes).to.deep.equal(["read:user"]);
        expect(repo).to.include({ sha1: "" });
        expect(byId.get(created.repo!)?.scopes).to.deep.equal(["read:repository"]);
        // The values in the state are the ones the server minted.
        const secrets = await values();
        expect(secrets.reader).to.match(/^[0-9a-f]{40}$/);
        expect(byId.get(created.reader!)?.token_last_eight).to.equal(secrets.reader?.slice(-8));
        expect(byId.get(created.repo!)?.token_last_eight).to.equal(secrets.repo?.slice(-8));
    });

    it("the created tokens work for what their scopes allow and are refused the rest", async () => {
        const secrets = await values();
        const reader = secrets.reader!;
        const repo = secrets.repo!;

        const me = await get("/user", reader);
        expect(me.status).to.equal(200);
        expect(me.json).to.include({ login: g().user.username, is_admin: false });
        const readerOnRepos = await get("/repos/search?limit=1", reader);
        expect(readerOnRepos.status).to.equal(403);
        expect(readerOnRepos.json).to.deep.equal(scopeDenied("read:repository", "read:user"));

        const repos = await get("/repos/search?limit=1", repo);
        expect(repos.status).to.equal(200);
        expect(repos.json).to.include({ ok: true });
        const repoOnUser = await get("/user", repo);
        expect(repoOnUser.status).to.equal(403);
        expect(repoOnUser.json).to.deep.equal(scopeDenied("read:user", "read:repository"));
    });

    it("a second up changes nothing", async () => {
        const before = await ids();
        const result = await w().stack.up();
        expect(changes(result.summary.resourceChanges)).to.deep.equal({});
        expect(await ids()).to.deep.equal(before);
    });

    it("refresh after an out-of-band deletion drops the token; the next up creates it again", async () => {
        const before = await ids();
        await client().delete(g().user.username, before.reader!);

        const refreshed = await w().stack.refresh();
        expect(refreshed.summary.resourceChanges?.delete).to.equal(1);
        const exported = await w().stack.exportStack();
        const inState = ((exported.deployment as { resources?: { urn: string }[] }).resources ?? []).map(
            (r) => r.urn.split("::").pop() ?? "",
        );
        expect(inState).to.not.include("reader");
        expect(inState).to.include("repo");

        const healed = await w().stack.up();
        expect(changes(healed.summary.resourceChanges)).to.deep.equal({ create: 1 });
        const after = await ids();
        expect(after.reader).to.not.equal(before.reader);
        expect(after.repo).to.equal(before.repo);
        const live = (await serverTokens()).map((t) => t.id);
        expect(sortedNumbers(live)).to.deep.equal(sortedNumbers([after.reader!, after.repo!]));
        const me = await get("/user", (await values()).reader!);
        expect(me.status).to.equal(200);
    });

    it("a change of scopes replaces the token; the old one is gone", async () => {
        const before = await ids();
        const oldValue = (await values()).repo!;
        const result = await deploy(specs(["read:repository", "read:user"]));
        expect(result.summary.result).to.equal("succeeded");
        expect(changes(result.summary.resourceChanges)).to.deep.equal({ replace: 1 });
        const after = await ids();
        expect(after.reader).to.equal(before.reader);
        expect(after.repo).to.not.equal(before.repo);

        const live = await serverTokens();
        expect(sortedNumbers(live.map((t) => t.id))).to.deep.equal(sortedNumbers([after.reader!, after.repo!]));
        const replaced = live.find((t) => t.id === after.repo);
        expect(replaced?.name).to.match(/^e2e-repo \[pulumi-owner:[0-9a-f]{16}\]$/);
        expect(replaced?.scopes).to.deep.equal(["read:repository", "read:user"]);

        // The new value carries the new scope; the old one no longer authenticates.
        const newValue = (await values()).repo!;
        expect(newValue).to.not.equal(oldValue);
        expect((await get("/user", newValue)).status).to.equal(200);
        const old = await get("/user", oldValue);
        expect(old.status).to.equal(401);
    });

    it("destroy leaves no token on the server", async () => {
        await ids();
        const result = await w().stack.destroy();
        expect(result.summary.result).to.equal("succeeded");
        expect(changes(result.summary.resourceChanges)).to.deep.equal({ delete: 3 });
        const live = await serverTokens();
        expect(live).to.deep.equal([]);
        // Also as the admin sees it, and none of the ids ever created survives anywhere.
        const asAdmin = new GiteaClient({
            apiUrl: `${g().baseUrl}/api/v1`,
            username: g().admin.username,
            password: g().admin.password,
        });
        const all = [...(await asAdmin.list(g().user.username)), ...(await asAdmin.list(g().admin.username))];
        expect(all.filter((t) => everSeen.has(t.id))).to.deep.equal([]);
    });
});
