// The native provider plugin (bin/pulumi-resource-accesstokens) under the real engine, driven by Pulumi's
// official YAML language host (built by scripts/ensure-yaml) against the sandbox: one token of each kind, a
// GitLab token feeding the Qovery git token, configuration from `accesstokens:*` stack config.
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { GitLabClient } from "../../provider/gitlab/client";
import { ownerMarkOf } from "../../provider/ownership";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { changes, pulumiCli, repoRoot, type TestWorkspace } from "./harness";
import { expectDestroyRevokesAll, expectOneOfEachCreated, isLive, outputIds, type TokenName } from "./oneOfEach";
import { createYamlStack, type YamlStack } from "./yaml";

const STEP_TIMEOUT = 5 * 60 * 1000;

/**
 * examples/yaml (one token of each of the first five kinds, the GitLab token feeding the Qovery git token) from its
 * `config:` block on: its own header names no plugin path, the test's program adds this checkout's.
 */
const EXAMPLE = fs.readFileSync(path.join(repoRoot, "examples", "yaml", "Pulumi.yaml"), "utf8");
const TOKENS = EXAMPLE.slice(EXAMPLE.indexOf("\nconfig:") + 1);

describe("e2e: the native provider plugin from a Pulumi YAML program", function () {
    this.timeout(STEP_TIMEOUT);
    let sandbox: Sandbox;
    let yaml: YamlStack;
    let ws: TestWorkspace;
    let dir: string;
    const credentials = () => yaml.credentials();
    const writeProgram = (resources: string) => yaml.writeProgram(resources);
    const pulumi = (...args: string[]) => yaml.pulumi(...args);

    const ids = () => outputIds(ws);

    const live = (name: TokenName, id: string) => isLive(sandbox, name, id);

    before(async function () {
        this.timeout(40 * 60 * 1000); // a cold cache builds the engine and the YAML host first
        sandbox = await startSandbox();
        yaml = await createYamlStack(sandbox, "native-yaml", TOKENS, {
            qoveryOrganizationId: { value: SEED.qovery.organizationId },
        });
        ({ ws, dir } = yaml);
    });

    after(async () => {
        await yaml?.dispose();
        await sandbox?.close();
    });

    it("up creates one token of each kind; the Qovery git token holds the GitLab token's value", async () => {
        await expectOneOfEachCreated(ws, sandbox, await ws.stack.up());
    });

    it("a second up changes nothing and writes nothing", async () => {
        const before = sandbox.requests.length;
        const result = await ws.stack.up();
        expect(changes(result.summary.resourceChanges)).to.deep.equal({});
        expect(sandbox.requests.slice(before).filter((r) => r.method !== "GET")).to.deep.equal([]);
    });

    it("the state holds no token value or credential in plaintext (secret outputs wrapped by the plugin)", async () => {
        const values = Object.values((await ws.stack.outputs()).values?.value as Record<string, string>);
        expect(values).to.have.length(4);
        const text = pulumi("stack", "export");
        for (const secret of [...values, ...credentials()]) {
            expect(text.includes(secret), `state contains ${secret.slice(0, 4)}…`).to.equal(false);
        }
        const resources = (
            JSON.parse(text) as { deployment: { resources: { type: string; outputs: Record<string, unknown> }[] } }
        ).deployment.resources.filter((r) => r.type.startsWith("accesstokens:"));
        expect(resources).to.have.length(5);
        for (const resource of resources) {
            expect(JSON.stringify(resource.outputs.token), resource.type).to.include("ciphertext");
        }
    });

    it("refresh drops tokens revoked out of band and the next up creates them again", async () => {
        const before = await ids();
        sandbox.gitlab.revoke(Number(before.project));
        sandbox.gitlab.revoke(Number(before.group));
        sandbox.gitea.deleteToken(Number(before.gitea));
        sandbox.codacy.deleteToken(Number(before.codacy));
        sandbox.qovery.deleteToken(before.qovery);
        const refreshed = await ws.stack.refresh();
        expect(refreshed.summary.resourceChanges?.delete).to.equal(5);
        const healed = await ws.stack.up();
        expect(changes(healed.summary.resourceChanges)).to.deep.equal({ create: 5 });
        for (const [name, id] of Object.entries(await ids()) as [TokenName, string][]) {
            expect(id).to.not.equal(before[name]);
            expect(live(name, id), `${name} live again`).to.equal(true);
        }
    });

    const BAD_INPUTS: [string, string, RegExp][] = [
        ["accessLevel: developer", "accessLevel: boss", /accessLevel must be one of guest, .*developer.*got "boss"/],
        ['scopes: ["read:repository"]', 'scopes: ["read:repo"]', /scopes.*did you mean "read:repository"/],
        // An enum of the schema: the YAML host itself refuses the value, naming the field and the allowed values.
        [
            "type: GITLAB",
            "type: GITLOB",
            /type: Cannot assign[\s\S]*Allowed values are "BITBUCKET", "GITHUB", "GITLAB"/,
        ],
    ];
    for (const [good, bad, expected] of BAD_INPUTS) {
        it(`bad input (${bad}) gets an error naming the field and the allowed values, before any request`, async () => {
            const before = sandbox.requests.length;
            writeProgram(TOKENS.replace(good, bad));
            try {
                await ws.stack.up();
                expect.fail("up should fail on bad input");
            } catch (e: unknown) {
                expect(String((e as Error).message)).to.match(expected);
            } finally {
                writeProgram(TOKENS);
            }
            expect(sandbox.requests.slice(before)).to.deep.equal([]);
        });
    }

    it("a change that replaces a token says why, beside the resource (the plugin logs through the engine)", async () => {
        const before = await ids();
        writeProgram(TOKENS.replace('scopes: ["read:repository"]', 'scopes: ["read:repository", "read:user"]'));
        try {
            const result = await ws.stack.up();
            expect(changes(result.summary.resourceChanges)).to.deep.equal({ replace: 1 });
            expect(result.stdout).to.match(/warning: gitea token "ci": replace \(replace scopes/);
        } finally {
            writeProgram(TOKENS);
            await ws.stack.up(); // back to the declared tokens for the tests below
        }
        expect(live("gitea", before.gitea)).to.equal(false);
        expect(live("gitea", (await ids()).gitea)).to.equal(true);
    });

    it("an in-place update keeps the ownership mark on the service (Qovery git token description)", async () => {
        const before = await ids();
        writeProgram(TOKENS.replace("      name: gitlab\n", "      name: gitlab\n      description: deploys\n"));
        try {
            const result = await ws.stack.up();
            expect(changes(result.summary.resourceChanges)).to.deep.equal({ update: 1 });
            const urn = `urn:pulumi:${ws.stack.name}::native-yaml::accesstokens:qovery:QoveryGitToken::qovery`;
            expect((await ids()).qovery).to.equal(before.qovery);
            expect(sandbox.qovery.findToken(before.qovery)?.description).to.equal(`deploys [${ownerMarkOf(urn)}]`);
        } finally {
            writeProgram(TOKENS);
            await ws.stack.up();
        }
    });

    it("the kinds added since serve YAML too: deploy, trigger, service account and Qovery API tokens", async () => {
        const more = `  deploy:
    type: accesstokens:gitlab:DeployToken
    properties: { project: acme/web, name: pull, scopes: [read_registry] }
  trigger:
    type: accesstokens:gitlab:PipelineTriggerToken
    properties: { project: acme/web, description: deploys }
  bot:
    type: accesstokens:gitlab:PersonalAccessToken
    properties:
      serviceAccount: { group: acme, userId: ${SEED.gitlab.serviceAccounts.deploy.id} }
      name: bot
      scopes: [read_registry]
  ci:
    type: accesstokens:qovery:QoveryApiToken
    properties:
      organizationId: ${SEED.qovery.organizationId}
      name: ci
      roleId: ${SEED.qovery.roles.devops.id}
outputs:
  more:
    deploy: \${deploy.token}
    trigger: \${trigger.token}
    bot: \${bot.token}
    ci: \${ci.token}`;
        writeProgram(TOKENS.replace("outputs:", more));
        const liveBefore = sandbox.liveTokens().length;
        try {
            const result = await ws.stack.up();
            expect(changes(result.summary.resourceChanges)).to.deep.equal({ create: 4 });
            expect(sandbox.liveTokens()).to.have.length(liveBefore + 4);
            const values = Object.values((await ws.stack.outputs()).more?.value as Record<string, string>);
            expect(values.filter((value) => value.length > 0)).to.have.length(4);
            const state = pulumi("stack", "export");
            for (const value of values) {
                expect(state.includes(value), `state contains ${value.slice(0, 4)}…`).to.equal(false);
            }
        } finally {
            writeProgram(TOKENS);
        }
        expect(changes((await ws.stack.up()).summary.resourceChanges)).to.deep.equal({ delete: 4 });
        expect(sandbox.liveTokens()).to.have.length(liveBefore);
    });

    it("an explicit provider instance's settings reach the plugin (Configure), apart from stack config", async () => {
        const alice = SEED.gitea.users.alice;
        const aliceProgram = TOKENS.replace(
            "outputs:",
            `  alice:
    type: pulumi:providers:accesstokens
    properties:
      giteaBaseUrl: ${sandbox.baseUrls.gitea}
      giteaUsername: ${alice.username}
      giteaPassword: ${alice.password}
  byAlice:
    type: accesstokens:gitea:GiteaToken
    properties:
      name: by-alice
      scopes: ["read:repository"]
    options:
      provider: \${alice}
outputs:
  aliceOwner: \${byAlice.owner}`,
        );
        writeProgram(aliceProgram);
        try {
            const result = await ws.stack.up();
            expect(changes(result.summary.resourceChanges)).to.deep.equal({ create: 2 });
            expect((await ws.stack.outputs()).aliceOwner?.value).to.equal(alice.username);
            const live = sandbox.liveTokens("gitea").filter((t) => t.name.startsWith("by-alice"));
            expect(live.map((t) => t.owner)).to.deep.equal([`user:${alice.username}`]);
            // The provider's credential is stored encrypted too (CheckConfig marks secret settings).
            expect(pulumi("stack", "export").includes(alice.password)).to.equal(false);
        } finally {
            writeProgram(TOKENS);
        }
        const back = await ws.stack.up();
        expect(changes(back.summary.resourceChanges)).to.deep.equal({ delete: 2 });
        expect(sandbox.liveTokens("gitea").filter((t) => t.name.startsWith("by-alice"))).to.deep.equal([]);
    });

    it("pulumi import takes a GitLab token made by hand into the state; declared as generated, up changes nothing", async () => {
        const gitlab = new GitLabClient({
            apiUrl: `${sandbox.baseUrls.gitlab}/api/v4`,
            token: SEED.gitlab.tokens.owner,
        });
        const byHand = await gitlab.create("project", "acme/web", {
            name: "by-hand",
            scopes: ["read_api"],
            access_level: 30,
            expires_at: "2027-06-30",
            description: "made in the UI",
        });
        const generatedFile = path.join(dir, "imported.yaml");
        // Asynchronously: the sandbox answers from this process.
        const printed = await pulumiCli(
            ws,
            dir,
            "import",
            "accesstokens:gitlab:ProjectAccessToken",
            "byHand",
            `acme/web/${byHand.id}`,
            "--yes",
            "--protect=false",
            "--out",
            generatedFile,
        );
        expect(printed).to.include("GitLab never shows a token's value again");
        const generated = fs.readFileSync(generatedFile, "utf8");
        console.log(`      generated:\n${generated.replace(/^/gm, "        ")}`);
        expect(generated)
            .to.include("type: accesstokens:gitlab:ProjectAccessToken")
            .and.include("name: by-hand")
            .and.include("project: acme/web")
            .and.include("accessLevel: 30")
            .and.include("description: made in the UI");
        const [, declared] = generated.split("resources:\n");
        writeProgram(TOKENS.replace("outputs:", `${declared}outputs:`));
        try {
            const before = sandbox.requests.length;
            const result = await ws.stack.up();
            expect(changes(result.summary.resourceChanges)).to.deep.equal({});
            expect(sandbox.requests.slice(before).filter((r) => r.method !== "GET")).to.deep.equal([]);
            expect((await ws.stack.refresh()).summary.resourceChanges?.delete ?? 0).to.equal(0);
        } finally {
            writeProgram(TOKENS);
        }
        // Out of the program again: the up revokes it, as for a token the stack created.
        expect(changes((await ws.stack.up()).summary.resourceChanges)).to.deep.equal({ delete: 1 });
        expect(live("project", String(byHand.id))).to.equal(false);
    });

    it("pulumi import with a malformed id names the expected form, leaving the state as it was", async () => {
        const before = pulumi("stack", "export");
        let output = "";
        try {
            pulumi("import", "accesstokens:gitea:GiteaToken", "imported", "bob/x", "--yes", "--generate-code=false");
            expect.fail("import should fail");
        } catch (e: unknown) {
            output = `${(e as { stdout?: string }).stdout ?? ""}${(e as { stderr?: string }).stderr ?? ""}`;
        }
        expect(output).to.include("gitea token import id must be <user>/<token id>").and.include('"bob/x"');
        expect(JSON.parse(pulumi("stack", "export")).deployment.resources).to.deep.equal(
            JSON.parse(before).deployment.resources,
        );
    });

    it("destroy revokes every token", async () => {
        await expectDestroyRevokesAll(ws, sandbox);
    });
});
