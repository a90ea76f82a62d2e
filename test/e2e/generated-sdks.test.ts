// The generated SDKs of the native provider plugin (sdk/generated/, written by scripts/gen-sdks): they are what
// the generators make of today's schema, each builds with its language's own tools (the C# SDK is only parsed:
// there is no NuGet here for the Pulumi .NET SDK), and a TypeScript program through the generated Node.js SDK
// manages tokens under the real engine against the sandbox.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { Language, Parser, type Node as TreeSitterNode } from "web-tree-sitter";
import { nativeSandboxStackConfig, SEED, type Sandbox, sandboxStackConfig, startSandbox } from "../sandbox";
import { createTestWorkspace, pulumiCli, repoRoot, type TestWorkspace } from "./harness";
import { expectDestroyRevokesAll, expectOneOfEachCreated } from "./oneOfEach";

const GENERATED = path.join(repoRoot, "sdk", "generated");
/** What scripts/gen-sdks writes (the README beside them is written by hand). */
const GENERATED_ENTRIES = ["schema.json", "nodejs", "python", "go", "dotnet"];
const NODE_PACKAGE = "@pulumi-access-tokens/accesstokens";

/** Paths of the files under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
    if (!fs.existsSync(dir)) {
        return [];
    }
    return (fs.readdirSync(dir, { recursive: true, encoding: "utf8" }) as string[])
        .filter((entry) => fs.statSync(path.join(dir, entry)).isFile())
        .sort();
}

/** Runs a build tool; on failure the error carries what it printed (tsc and compileall report on stdout). */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
    try {
        return execFileSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e: unknown) {
        const { stdout, stderr } = e as { stdout?: string; stderr?: string };
        throw new Error(`${command} ${args.join(" ")} failed:\n${stdout ?? ""}${stderr ?? ""}`);
    }
}

/**
 * Loads tree-sitter's C# grammar (tree-sitter-c-sharp, current C#) once and returns the check: `line:column` of each
 * error or missing node of `source`, at most `limit` of them (none when the file parses).
 */
async function csharpSyntaxChecker(): Promise<(source: string, limit?: number) => string[]> {
    await Parser.init();
    const parser = new Parser();
    parser.setLanguage(await Language.load(require.resolve("tree-sitter-c-sharp/tree-sitter-c_sharp.wasm")));
    return (source, limit = 5) => {
        const tree = parser.parse(source);
        if (!tree) {
            return ["unparsed"];
        }
        const found: string[] = [];
        const visit = (node: TreeSitterNode) => {
            if (found.length >= limit) {
                return;
            }
            if (node.isError || node.isMissing) {
                found.push(`${node.startPosition.row + 1}:${node.startPosition.column + 1}`);
            } else if (node.hasError) {
                for (const child of node.children) {
                    if (child) {
                        visit(child);
                    }
                }
            }
        };
        visit(tree.rootNode);
        tree.delete();
        return found;
    };
}

/** The repository's own tsc (devDependency), not whatever the generated package.json names. */
function tsc(...args: string[]): string {
    return run(process.execPath, [require.resolve("typescript/bin/tsc"), ...args], repoRoot);
}

describe("e2e: the generated SDKs of the native provider plugin (sdk/generated)", function () {
    this.timeout(10 * 60 * 1000);
    let scratch: string;
    let regenerated: string;

    before(function () {
        this.timeout(30 * 60 * 1000); // a cold cache builds the SDK generators first (minutes)
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pat-gensdk-"));
        regenerated = path.join(scratch, "regenerated");
        execFileSync("bash", [path.join(repoRoot, "scripts", "gen-sdks"), regenerated], {
            stdio: ["ignore", "inherit", "inherit"],
        });
    });

    after(() => {
        if (scratch) {
            fs.rmSync(scratch, { recursive: true, force: true });
        }
    });

    it("sdk/generated is exactly what scripts/gen-sdks writes from today's provider/native", () => {
        const differing: string[] = [];
        for (const entry of GENERATED_ENTRIES) {
            const committed = path.join(GENERATED, entry);
            const fresh = path.join(regenerated, entry);
            const isDir = [committed, fresh].some((dir) => fs.existsSync(dir) && fs.statSync(dir).isDirectory());
            const names = isDir ? [...new Set([...filesUnder(committed), ...filesUnder(fresh)])] : [""];
            for (const name of names) {
                const [a, b] = [path.join(committed, name), path.join(fresh, name)];
                if (!fs.existsSync(a) || !fs.existsSync(b) || !fs.readFileSync(a).equals(fs.readFileSync(b))) {
                    differing.push(path.join("sdk/generated", entry, name));
                }
            }
        }
        expect(differing, `generated SDKs out of date: run npm run gen-sdks (${differing.join(", ")})`).to.deep.equal(
            [],
        );
    });

    it("the Go SDK compiles against github.com/pulumi/pulumi/sdk/v3 from the Go module proxy", () => {
        const copy = path.join(scratch, "go");
        fs.cpSync(path.join(GENERATED, "go"), copy, { recursive: true });
        run("go", ["build", "./..."], copy, {
            ...process.env,
            GOTOOLCHAIN: "local",
            GOFLAGS: "-mod=mod -buildvcs=false",
            GONOSUMDB: "github.com/pulumi/pulumi",
        });
        // -mod=mod resolved the Pulumi SDK the generated go.mod requires.
        expect(fs.readFileSync(path.join(copy, "go.sum"), "utf8")).to.include(
            "github.com/pulumi/pulumi/sdk/v3 v3.248.0",
        );
    });

    it("the Python SDK byte-compiles with python3", () => {
        const copy = path.join(scratch, "python");
        fs.cpSync(path.join(GENERATED, "python"), copy, { recursive: true });
        run("python3", ["-m", "compileall", "-q", copy], copy);
        const sources = filesUnder(copy).filter((file) => file.endsWith(".py"));
        const compiled = filesUnder(copy).filter((file) => file.endsWith(".pyc"));
        expect(sources.length).to.be.greaterThan(20);
        expect(compiled).to.have.length(sources.length);
    });

    it("every C# file of the C# SDK parses (tree-sitter's C# grammar)", async () => {
        const dotnet = path.join(GENERATED, "dotnet");
        const sources = filesUnder(dotnet).filter((file) => file.endsWith(".cs"));
        expect(sources.length).to.be.greaterThan(50);
        const syntaxErrors = await csharpSyntaxChecker();
        expect(syntaxErrors("class C { void M() { int x = ; } }"), "the check finds an error").to.not.deep.equal([]);
        const failures: string[] = [];
        for (const source of sources) {
            const errors = syntaxErrors(fs.readFileSync(path.join(dotnet, source), "utf8"));
            if (errors.length > 0) {
                failures.push(`${source} at ${errors.join(", ")}`);
            }
        }
        expect(failures, "C# syntax errors").to.deep.equal([]);
        const projectToken = fs.readFileSync(path.join(dotnet, "GitLab", "ProjectAccessToken.cs"), "utf8");
        expect(projectToken).to.include("namespace PulumiAccessTokens.AccessTokens.GitLab");
    });

    describe("TypeScript through the generated Node.js SDK, under the engine", () => {
        let sandbox: Sandbox;
        let ws: TestWorkspace;
        let program: string;
        let compiled = false;

        it("the Node.js SDK and a program using it compile with this repository's TypeScript", () => {
            program = path.join(scratch, "program");
            const modules = path.join(program, "node_modules");
            const installed = path.join(modules, ...NODE_PACKAGE.split("/"));
            // Installed as npm would install the built package: the compiled files beside its package.json.
            tsc("-p", path.join(GENERATED, "nodejs", "tsconfig.json"), "--outDir", installed);
            fs.copyFileSync(path.join(GENERATED, "nodejs", "package.json"), path.join(installed, "package.json"));
            for (const scope of ["@pulumi", "@types"]) {
                fs.symlinkSync(path.join(repoRoot, "node_modules", scope), path.join(modules, scope));
            }
            fs.copyFileSync(
                path.join(repoRoot, "test", "e2e", "programs", "generated-sdk", "index.ts"),
                path.join(program, "index.ts"),
            );
            tsc(
                ...["--strict", "--module", "commonjs", "--target", "ES2022", "--types", "node", "--skipLibCheck"],
                path.join(program, "index.ts"),
            );
            expect(fs.existsSync(path.join(installed, "gitlab", "projectAccessToken.d.ts"))).to.equal(true);
            expect(fs.readFileSync(path.join(program, "index.js"), "utf8")).to.include(`require("${NODE_PACKAGE}")`);
            fs.writeFileSync(
                path.join(program, "package.json"),
                JSON.stringify({ name: "generated-sdk", private: true }),
            );
            // The plugin from this checkout's bin/, as the README tells YAML users.
            fs.writeFileSync(
                path.join(program, "Pulumi.yaml"),
                [
                    "name: generated-sdk",
                    "runtime: { name: nodejs, options: { typescript: false } }",
                    "main: index.js",
                    "plugins:",
                    "  providers:",
                    "    - name: accesstokens",
                    `      path: ${path.join(repoRoot, "bin")}`,
                    "",
                ].join("\n"),
            );
            compiled = true;
        });

        it("up creates the tokens through the native plugin; the Qovery git token holds the GitLab token", async function () {
            this.timeout(30 * 60 * 1000);
            expect(compiled, "the program compiled (test above)").to.equal(true);
            sandbox = await startSandbox();
            ws = await createTestWorkspace(program, {
                config: {
                    "generated-sdk:qoveryOrganizationId": { value: SEED.qovery.organizationId },
                    // The sandbox's usual stack config under the plugin's keys (`accesstokens:gitlabToken`, …).
                    ...nativeSandboxStackConfig(sandbox),
                },
            });
            await expectOneOfEachCreated(ws, sandbox, await ws.stack.up());
        });

        it("the state holds native resources and no token value or credential in plaintext", async () => {
            const values = Object.values((await ws.stack.outputs()).values?.value as Record<string, string>);
            expect(values).to.have.length(4);
            const text = await pulumiCli(ws, program, "stack", "export");
            const credentials = Object.values(sandboxStackConfig(sandbox))
                .filter((entry) => entry.secret)
                .map((entry) => entry.value);
            for (const secret of [...values, ...credentials]) {
                expect(text.includes(secret), `state contains ${secret.slice(0, 4)}…`).to.equal(false);
            }
            const types = (JSON.parse(text) as { deployment: { resources: { type: string }[] } }).deployment.resources
                .map((resource) => resource.type)
                .filter((type) => !type.startsWith("pulumi:"));
            expect(types.sort()).to.deep.equal([
                "accesstokens:codacy:CodacyRepoToken",
                "accesstokens:gitea:GiteaToken",
                "accesstokens:gitlab:GroupAccessToken",
                "accesstokens:gitlab:ProjectAccessToken",
                "accesstokens:qovery:QoveryGitToken",
            ]);
        });

        it("destroy revokes every token", async () => {
            await expectDestroyRevokesAll(ws, sandbox);
        });

        after(async () => {
            await ws?.dispose();
            await sandbox?.close();
        });
    });
});
