// Writes test/upgrade/fixtures/<package version>/: a stack of test/upgrade/program deployed by this checkout,
// installed as users install it, against a fresh sandbox. Run it once per release whose state shape changes:
//   npm run build --silent && node dist/test/upgrade/capture.js [--force]
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { addDays, todayUtc } from "../../provider/lifecycle";
import { createTestWorkspace, repoRoot } from "../e2e/harness";
import { SEED, sandboxStackConfig, startSandbox } from "../sandbox";
import { FILES, FIXTURES_DIR, type FixtureManifest, PROGRAM_DIR } from "./fixtures";
import { installedProject } from "./installed";

const STACK_NAME = "upgrade";
const ROTATION_TRIGGER_KEY = "deployRotation";

async function main(): Promise<void> {
    const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string })
        .version;
    const out = path.join(FIXTURES_DIR, version);
    if (fs.existsSync(out) && !process.argv.includes("--force")) {
        throw new Error(`${out} exists: a released fixture is never rewritten (--force to replace it anyway)`);
    }
    // Test-only: it encrypts sandbox credentials and fake tokens, and is committed next to them.
    const passphrase = `upgrade-fixture-${randomBytes(12).toString("hex")}`;
    const sandbox = await startSandbox();
    const project = installedProject(PROGRAM_DIR);
    try {
        const legacyTokenId = await createLegacyToken(sandbox.baseUrls.gitlab);
        const ws = await createTestWorkspace(project.dir, {
            stackName: STACK_NAME,
            envVars: { PULUMI_CONFIG_PASSPHRASE: passphrase },
            config: {
                ...sandboxStackConfig(sandbox),
                "gitlab:token": { value: SEED.gitlab.tokens.maintainer, secret: true },
                gitlabOwnerToken: { value: SEED.gitlab.tokens.owner, secret: true },
                legacyTokenId: { value: String(legacyTokenId) },
                [ROTATION_TRIGGER_KEY]: { value: "1" },
            },
        });
        try {
            const up = await ws.stack.up();
            if (up.summary.result !== "succeeded") {
                throw new Error(`pulumi up: ${up.summary.result}`);
            }
            // The CLI, not the Automation API's exportStack (which asks for --show-secrets): secrets stay encrypted.
            const deploymentText = execFileSync("pulumi", ["stack", "export", "--stack", STACK_NAME], {
                cwd: project.dir,
                env: { ...process.env, ...ws.env },
                encoding: "utf8",
            });
            if (deploymentText.includes('"plaintext"')) {
                throw new Error("pulumi stack export wrote a secret in plaintext");
            }
            const manifest: FixtureManifest = {
                version,
                capturedAt: sandbox.clock.now().toISOString(),
                stackName: STACK_NAME,
                sandboxOrigin: sandbox.url,
                rotationTriggerKey: ROTATION_TRIGGER_KEY,
            };
            fs.rmSync(out, { recursive: true, force: true });
            fs.mkdirSync(out, { recursive: true });
            const write = (name: string, text: string) => fs.writeFileSync(path.join(out, name), text);
            write(FILES.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
            write(FILES.deployment, deploymentText);
            write(FILES.passphrase, `${passphrase}\n`);
            write(FILES.sandboxTokens, `${JSON.stringify(sandbox.snapshotTokens(), null, 2)}\n`);
            fs.copyFileSync(
                path.join(project.dir, FILES.stackConfig(STACK_NAME)),
                path.join(out, FILES.stackConfig(STACK_NAME)),
            );
            fs.cpSync(PROGRAM_DIR, path.join(out, FILES.program), { recursive: true });
            console.log(`wrote ${path.relative(repoRoot, out)}`);
        } finally {
            await ws.dispose();
        }
    } finally {
        project.dispose();
        await sandbox.close();
    }
}

/** The token `adopt` takes over: made by hand (here: the API) before the stack existed. */
async function createLegacyToken(gitlabBaseUrl: string): Promise<number> {
    const response = await fetch(`${gitlabBaseUrl}/api/v4/projects/101/access_tokens`, {
        method: "POST",
        headers: { "PRIVATE-TOKEN": SEED.gitlab.tokens.maintainer, "content-type": "application/json" },
        body: JSON.stringify({
            name: "legacy",
            scopes: ["read_repository"],
            access_level: 40,
            expires_at: addDays(todayUtc(), 200),
        }),
    });
    if (!response.ok) {
        throw new Error(`creating the legacy token: HTTP ${response.status}`);
    }
    return ((await response.json()) as { id: number }).id;
}

main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
});
