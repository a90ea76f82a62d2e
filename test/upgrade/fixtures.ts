// The layout of an upgrade fixture (test/upgrade/README.md), shared by the capture script and the e2e test.
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../e2e/harness";
import type { TokenSnapshot } from "../sandbox";

export const FIXTURES_DIR = path.join(repoRoot, "test", "upgrade", "fixtures");
export const PROGRAM_DIR = path.join(repoRoot, "test", "upgrade", "program");

/** fixture.json */
export interface FixtureManifest {
    /** The package version that wrote the state. */
    version: string;
    /** When the state was written (ISO); the test runs the providers and the sandbox at that time. */
    capturedAt: string;
    stackName: string;
    /** The sandbox origin (`http://127.0.0.1:PORT`) the state and stack config were written against. */
    sandboxOrigin: string;
    /** Stack config key whose change rotates the `deploy` token. */
    rotationTriggerKey: string;
}

export interface Fixture {
    dir: string;
    manifest: FixtureManifest;
    /** `pulumi stack export` output: secrets encrypted under the passphrase. */
    deploymentText: string;
    /** The stack's Pulumi.<stack>.yaml (passphrase salt, encrypted credentials). */
    stackConfigText: string;
    passphrase: string;
    /** The sandbox's tokens when the state was written (values included: sandbox-only fakes). */
    sandboxTokens: TokenSnapshot;
    programDir: string;
}

export const FILES = {
    manifest: "fixture.json",
    deployment: "stack.json",
    passphrase: "passphrase.txt",
    sandboxTokens: "sandbox-tokens.json",
    program: "program",
    stackConfig: (stackName: string) => `Pulumi.${stackName}.yaml`,
} as const;

export function loadFixture(dir: string): Fixture {
    const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");
    const manifest = JSON.parse(read(FILES.manifest)) as FixtureManifest;
    return {
        dir,
        manifest,
        deploymentText: read(FILES.deployment),
        stackConfigText: read(FILES.stackConfig(manifest.stackName)),
        passphrase: read(FILES.passphrase).trim(),
        sandboxTokens: JSON.parse(read(FILES.sandboxTokens)) as TokenSnapshot,
        programDir: path.join(dir, FILES.program),
    };
}

/** Every committed fixture directory, oldest version first. */
export function fixtureDirs(): string[] {
    if (!fs.existsSync(FIXTURES_DIR)) {
        return [];
    }
    return fs
        .readdirSync(FIXTURES_DIR, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
        .map((name) => path.join(FIXTURES_DIR, name));
}
