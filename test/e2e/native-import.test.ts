// `pulumi import` of the kinds beyond the GitLab access tokens (native-yaml.test.ts imports those) under the real
// engine and Pulumi's YAML host: a token made out of band on the sandbox is imported, the generated YAML declares
// it as it is (declared, `up` writes nothing), and removed from the program, `up` deletes it.
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { codacyClientFor } from "../../provider/codacy/lifecycle";
import { giteaClientFor } from "../../provider/gitea/lifecycle";
import { gitLabDeployTokenClientFor } from "../../provider/gitlab/deployTokenLifecycle";
import { gitLabTriggerClientFor } from "../../provider/gitlab/triggerLifecycle";
import { qoveryClientFor } from "../../provider/qovery/lifecycle";
import type { ProviderContext } from "../../provider/types";
import { SEED, type Sandbox, type ServiceName, startSandbox } from "../sandbox";
import { sandboxContext } from "../support/sandbox";
import { changes, pulumiCli } from "./harness";
import { createYamlStack, type YamlStack } from "./yaml";

const ORG = SEED.qovery.organizationId;

/** A program with no token: the one the imported token is added to, and taken out of again. */
const EMPTY = "outputs:\n  kept: nothing\n";

interface ImportCase {
    type: string;
    service: ServiceName;
    make: (ctx: ProviderContext) => Promise<{ importId: string; tokenId: string }>;
    /** Lines the generated YAML must hold. */
    generated: string[];
    /** Whether the import warns that the value is not shown. */
    warns: RegExp;
    /** What the program must set in the generated code (a value Qovery never shows), and what the first `up` then does. */
    programSets?: { from: string; to: string; changes: Record<string, number>; value: string };
}

const CASES: ImportCase[] = [
    {
        type: "accesstokens:gitea:GiteaToken",
        service: "gitea",
        make: async (ctx) => {
            const made = await giteaClientFor(undefined, ctx).create("bob", "by-hand", ["read:repository"]);
            return { importId: `bob/${made.id}`, tokenId: String(made.id) };
        },
        generated: ["name: by-hand", "username: bob", "read:repository"],
        warns: /Gitea never shows a token's value again/,
    },
    {
        type: "accesstokens:codacy:CodacyRepoToken",
        service: "codacy",
        make: async (ctx) => {
            const ref = { provider: "gh", organization: "acme", repository: "repo-001" } as const;
            const made = await codacyClientFor(undefined, ctx).createToken(ref);
            return { importId: `gh/acme/repo-001/${made.id}`, tokenId: String(made.id) };
        },
        generated: ["provider: gh", "organization: acme", "repository: repo-001"],
        warns: /^(?![\s\S]*never shows)/,
    },
    {
        type: "accesstokens:qovery:QoveryGitToken",
        service: "qovery",
        make: async (ctx) => {
            const made = await qoveryClientFor(undefined, ctx).create(ORG, {
                name: "by-hand",
                type: "GITLAB",
                token: "glpat-by-hand",
                description: "made in the console",
            });
            return { importId: `${ORG}/${made.id}`, tokenId: made.id };
        },
        generated: ["name: by-hand", "type: GITLAB", "description: made in the console", `organizationId: ${ORG}`],
        warns: /the program must set `token`/,
        // The YAML generator prints the required `token` the import leaves out as an empty placeholder.
        programSets: {
            from: 'token: ""',
            to: "token: glpat-from-the-program",
            changes: { update: 1 },
            value: "glpat-from-the-program",
        },
    },
    {
        type: "accesstokens:qovery:QoveryApiToken",
        service: "qovery",
        make: async (ctx) => {
            const made = await qoveryClientFor(undefined, ctx).createApiToken(ORG, {
                name: "by-hand",
                role_id: SEED.qovery.roles.devops.id,
            });
            return { importId: `${ORG}/${made.id}`, tokenId: made.id };
        },
        generated: ["name: by-hand", `roleId: ${SEED.qovery.roles.devops.id}`],
        warns: /Qovery never shows a token's value again/,
    },
    {
        type: "accesstokens:gitlab:DeployToken",
        service: "gitlab",
        make: async (ctx) => {
            const made = await gitLabDeployTokenClientFor(undefined, ctx).create("project", "acme/web", {
                name: "pull",
                scopes: ["read_registry"],
            });
            return { importId: `project:acme/web/${made.id}`, tokenId: String(made.id) };
        },
        generated: ["project: acme/web", "name: pull", "read_registry"],
        warns: /GitLab never shows a token's value again/,
    },
    {
        type: "accesstokens:gitlab:PipelineTriggerToken",
        service: "gitlab",
        make: async (ctx) => {
            const made = await gitLabTriggerClientFor(undefined, ctx).create("acme/web", "deploys");
            return { importId: `acme/web/${made.id}`, tokenId: String(made.id) };
        },
        generated: ["project: acme/web", "description: deploys"],
        // The importer made it: GitLab shows it the whole value.
        warns: /^(?![\s\S]*never shows)/,
    },
];

describe("e2e: pulumi import of every other kind through the native plugin (YAML)", function () {
    this.timeout(5 * 60 * 1000);
    let sandbox: Sandbox;
    let yaml: YamlStack;
    let ctx: ProviderContext;

    before(async function () {
        this.timeout(40 * 60 * 1000); // a cold cache builds the engine and the YAML host first
        sandbox = await startSandbox();
        yaml = await createYamlStack(sandbox, "native-import", EMPTY);
        ctx = sandboxContext(sandbox);
        await yaml.ws.stack.up();
    });

    after(async () => {
        await yaml?.dispose();
        await sandbox?.close();
    });

    const writes = (since: number) => sandbox.requests.slice(since).filter((r) => r.method !== "GET");
    const isLive = (service: ServiceName, id: string) => sandbox.liveTokens(service).some((t) => t.id === id);

    for (const c of CASES) {
        it(`${c.type}: imported, declared as generated up writes nothing${c.programSets ? " (once the program sets the value)" : ""}, removed up deletes it`, async () => {
            const { importId, tokenId } = await c.make(ctx);
            const generatedFile = path.join(yaml.dir, "imported.yaml");
            // Asynchronously: the sandbox answers from this process.
            const printed = await pulumiCli(
                yaml.ws,
                yaml.dir,
                "import",
                c.type,
                "byHand",
                importId,
                "--yes",
                "--protect=false",
                "--out",
                generatedFile,
            );
            expect(printed).to.match(c.warns);
            const generated = fs.readFileSync(generatedFile, "utf8");
            console.log(`      generated:\n${generated.replace(/^/gm, "        ")}`);
            expect(generated).to.include(`type: ${c.type}`);
            for (const line of c.generated) {
                expect(generated).to.include(line);
            }
            const [, declared = ""] = generated.split("resources:\n");
            try {
                if (c.programSets) {
                    expect(declared).to.include(c.programSets.from);
                    yaml.writeProgram(`resources:\n${declared.replace(c.programSets.from, c.programSets.to)}${EMPTY}`);
                    const first = await yaml.ws.stack.up();
                    expect(changes(first.summary.resourceChanges)).to.deep.equal(c.programSets.changes);
                    expect(sandbox.qovery.secretOf(tokenId)).to.equal(c.programSets.value);
                    expect(yaml.pulumi("stack", "export")).to.not.include(c.programSets.value);
                } else {
                    yaml.writeProgram(`resources:\n${declared}${EMPTY}`);
                }
                const before = sandbox.requests.length;
                const result = await yaml.ws.stack.up();
                expect(changes(result.summary.resourceChanges)).to.deep.equal({});
                expect(writes(before)).to.deep.equal([]);
                expect((await yaml.ws.stack.refresh()).summary.resourceChanges?.delete ?? 0).to.equal(0);
                expect(isLive(c.service, tokenId)).to.equal(true);
            } finally {
                // Out of the program again: the up deletes it, as for a token the stack created.
                yaml.writeProgram(EMPTY);
            }
            expect(changes((await yaml.ws.stack.up()).summary.resourceChanges)).to.deep.equal({ delete: 1 });
            expect(isLive(c.service, tokenId)).to.equal(false);
        });
    }
});
