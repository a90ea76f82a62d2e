// As users install it (a real copy under node_modules), the package's dynamic providers are stored in the
// state as a require() of the installed package, not as code: small, and with no path of this machine.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { SEED, type Sandbox, sandboxStackConfig, startSandbox } from "../sandbox";
import { createTestWorkspace, installedProgramDir, type TestWorkspace } from "./harness";

const KINDS = [
    { kind: "ProjectAccessToken", name: "project", args: { project: "acme/web", name: "p", scopes: ["read_api"] } },
    { kind: "GroupAccessToken", name: "group", args: { group: "acme", name: "g", scopes: ["read_api"] } },
    { kind: "GiteaToken", name: "gitea", args: { name: "t", scopes: ["read:user"] } },
    { kind: "CodacyRepoToken", name: "codacy", args: { provider: "gh", organization: "acme", repository: "repo-001" } },
    {
        kind: "QoveryGitToken",
        name: "qovery",
        args: { organizationId: SEED.qovery.organizationId, name: "q", type: "GITLAB", token: "$ref:project.token" },
    },
];

/** Where this package's frames are, as the state records them (the machine's own paths may hold the name too). */
const PACKAGE_FRAMES = "node_modules/pulumi-access-tokens/";

interface ExportedResource {
    type: string;
    inputs?: { __provider?: string };
    sourcePosition?: string;
    stackTrace?: { sourcePosition?: string }[];
}

describe("e2e: the package as users install it", function () {
    this.timeout(5 * 60 * 1000);
    let sandbox: Sandbox;
    let program: { dir: string; dispose(): void };
    let ws: TestWorkspace;

    before(async function () {
        this.timeout(40 * 60 * 1000);
        sandbox = await startSandbox();
        program = installedProgramDir("tokens");
        ws = await createTestWorkspace(program.dir, {
            config: { ...sandboxStackConfig(sandbox), resources: { value: JSON.stringify(KINDS) } },
        });
    });
    after(async () => {
        await ws?.dispose();
        program?.dispose();
        await sandbox?.close();
    });

    it("stores each provider as a require() of the installed package, well under 1 KB", async () => {
        await ws.stack.up();
        const exported = execFileSync("pulumi", ["stack", "export", "--stack", ws.stack.name], {
            cwd: program.dir,
            env: { ...process.env, ...ws.env },
            encoding: "utf8",
        });
        const resources = (
            JSON.parse(exported) as { deployment: { resources: ExportedResource[] } }
        ).deployment.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
        expect(resources).to.have.length(5);
        // The program's line that declares the tokens (test/e2e/programs/tokens/index.ts).
        const declaration = fs
            .readFileSync(path.join(program.dir, "index.ts"), "utf8")
            .split("\n")
            .findIndex((line) => line.includes("new constructors[spec.kind]"));
        expect(declaration).to.be.above(-1);
        // @pulumi/pulumi reads positions in Resource.callsites since it also keeps stack traces; older versions (the
        // lowest of the peer range) parse a trace whose header ts-node formats in a way they do not expect, and
        // record no position at all for a TypeScript program.
        const recordsSourcePositions =
            typeof (pulumi.Resource as unknown as { callsites?: unknown }).callsites === "function";
        for (const resource of resources) {
            const provider = resource.inputs?.__provider ?? "";
            const kind = resource.type.split(":").pop();
            expect(provider, resource.type).to.include(`require("pulumi-access-tokens/dist/sdk/providers/${kind}`);
            expect(provider.length, resource.type).to.be.below(1024);
            expect(provider).to.not.include(program.dir);
            // Where the program declared it, not this package's classes (also left out of the kept trace).
            if (recordsSourcePositions) {
                expect(resource.sourcePosition, resource.type).to.match(
                    new RegExp(`^project:///index\\.ts#${declaration + 1},`),
                );
            } else {
                expect(resource.sourcePosition ?? "", resource.type).to.not.include(PACKAGE_FRAMES);
            }
            const frames = (resource.stackTrace ?? []).map((frame) => frame.sourcePosition ?? "");
            expect(
                frames.filter((frame) => frame.includes(PACKAGE_FRAMES)),
                resource.type,
            ).to.deep.equal([]);
            // Nor the runtime's frames (ts-node, @pulumi/pulumi's program runner, Node's own): the program's only.
            if (recordsSourcePositions) {
                expect(frames.length, resource.type).to.be.greaterThan(0);
                for (const frame of frames) {
                    expect(frame, resource.type).to.match(/^project:\/\/\/index\.ts#/);
                }
            }
        }
    });

    it("refresh and destroy load the provider from the installed package", async () => {
        const refreshed = await ws.stack.refresh();
        expect(refreshed.summary.result).to.equal("succeeded");
        await ws.stack.destroy();
        expect(sandbox.liveTokens("qovery")).to.deep.equal([]);
        expect(sandbox.liveTokens("codacy")).to.deep.equal([]);
        expect(sandbox.liveTokens("gitea")).to.deep.equal([]);
    });
});
