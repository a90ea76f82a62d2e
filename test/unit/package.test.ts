// What `npm publish` would ship: only what users need (the compiled SDK and provider, README, package.json,
// a licence file), nothing of the tests, the sandbox, the examples or the scripts, no key or credential, and
// every module the shipped code loads is shipped too or declared as a dependency.
//
// `npm audit --omit=dev` is not part of this file: the registry this repository is developed against answers
// its advisories endpoint with 405, so an audit cannot run here (see the hardening report).
import { execFileSync } from "node:child_process";
import { builtinModules } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";

function findRoot(start: string): string {
    for (let dir = start; ; dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "pulumi-access-tokens") {
            return dir;
        }
        if (path.dirname(dir) === dir) {
            throw new Error(`no pulumi-access-tokens package.json above ${start}`);
        }
    }
}

const root = findRoot(__dirname);

interface Manifest {
    main: string;
    scripts?: Record<string, string>;
    types: string;
    files: string[];
    bin?: Record<string, string>;
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
}

interface PackResult {
    name: string;
    files: { path: string; size: number }[];
}

/** Shipped paths: the compiled SDK and provider (JS, declarations, source maps) and the package's own files. */
const ALLOWED =
    /^(README\.md|package\.json|LICEN[CS]E(\.md|\.txt)?|bin\/pulumi-resource-accesstokens|dist\/(sdk|provider)\/.+\.(js|d\.ts|js\.map))$/;
const FORBIDDEN = [
    /(^|\/)test(s)?\//,
    /sandbox/i,
    /(^|\/)examples\//,
    /(^|\/)scripts\//,
    /(^|\/)bench\//,
    /\.(pem|key|crt|p12|pfx|env)$/,
    /(^|\/)\.npmrc$/,
    /(?<!\.d)\.ts$/,
];

describe("npm package contents", function () {
    this.timeout(120_000);
    let manifest: Manifest;
    let files: string[];

    before(() => {
        manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as Manifest;
        // --ignore-scripts: `prepack` would rebuild; the listing is of the current build.
        const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
            cwd: root,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "ignore"],
        });
        const packed = JSON.parse(out) as PackResult[];
        expect(packed).to.have.length(1);
        expect(packed[0]!.name).to.equal("pulumi-access-tokens");
        files = packed[0]!.files.map((f) => f.path).sort();
    });

    it("lists only the compiled SDK and provider, README.md, package.json and a licence", () => {
        const unexpected = files.filter((file) => !ALLOWED.test(file));
        expect(unexpected).to.deep.equal([]);
        for (const pattern of FORBIDDEN) {
            expect(
                files.filter((file) => pattern.test(file)),
                String(pattern),
            ).to.deep.equal([]);
        }
        expect(files).to.include.members(["README.md", "package.json"]);
    });

    it("ships the entry points: main, types and the provider the serialized dynamic providers load", () => {
        const entries = [manifest.main, manifest.types, "dist/provider/index.js", "dist/provider/index.d.ts"];
        expect(files).to.include.members(entries.map((entry) => path.posix.normalize(entry)));
        expect(files.filter((file) => file.startsWith("dist/sdk/") && file.endsWith(".js"))).to.not.be.empty;
        // The native provider plugin: `npm install -g` puts it on PATH, where the engine looks for it.
        expect(manifest.bin).to.deep.equal({ "pulumi-resource-accesstokens": "bin/pulumi-resource-accesstokens" });
        expect(files).to.include.members(["bin/pulumi-resource-accesstokens", "dist/provider/native/main.js"]);
    });

    it("every module the shipped code requires is shipped or a declared dependency", () => {
        const shipped = new Set(files);
        const declared = new Set([
            ...Object.keys(manifest.dependencies ?? {}),
            ...Object.keys(manifest.peerDependencies ?? {}),
            "pulumi-access-tokens", // the serialized provider loads the installed package by name
        ]);
        const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
        const problems: string[] = [];
        for (const file of files.filter((f) => f.endsWith(".js"))) {
            const source = fs.readFileSync(path.join(root, file), "utf8");
            for (const match of source.matchAll(/require\("([^"]+)"\)/g)) {
                const target = match[1]!;
                if (target.startsWith(".")) {
                    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
                    const candidates = [resolved, `${resolved}.js`, `${resolved}/index.js`];
                    if (!candidates.some((candidate) => shipped.has(candidate))) {
                        problems.push(`${file} requires ${target}, which is not shipped`);
                    }
                } else {
                    const pkg = target.startsWith("@")
                        ? target.split("/").slice(0, 2).join("/")
                        : (target.split("/")[0] ?? target);
                    if (!builtins.has(target) && !builtins.has(pkg) && !declared.has(pkg)) {
                        problems.push(`${file} requires ${target}, which is not a dependency`);
                    }
                }
            }
        }
        expect(problems).to.deep.equal([]);
    });

    it("has no install script (npm would ask every user to approve it)", () => {
        // The lifecycle scripts npm runs when the package is installed (prepare: from a git or tarball source).
        const installScripts = ["preinstall", "install", "postinstall", "prepare"];
        expect(Object.keys(manifest.scripts ?? {}).filter((name) => installScripts.includes(name))).to.deep.equal([]);
    });

    it("ships no private key and none of the sandbox's credentials", () => {
        const leaks: string[] = [];
        for (const file of files) {
            const text = fs.readFileSync(path.join(root, file), "utf8");
            if (
                /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text) ||
                /sandbox-[a-z]+-[a-z-]*(token|password)/.test(text)
            ) {
                leaks.push(file);
            }
        }
        expect(leaks).to.deep.equal([]);
    });
});

describe("the SDK's type declarations", () => {
    /** Every declaration file reachable from dist/sdk/index.d.ts by relative imports, and the packages they name. */
    function reachable(): { files: string[]; packages: Set<string> } {
        const root = path.join(__dirname, "..", "..", "sdk", "index.d.ts");
        const files = new Set<string>();
        const packages = new Set<string>();
        const queue = [root];
        while (queue.length > 0) {
            const file = queue.pop()!;
            if (files.has(file)) {
                continue;
            }
            files.add(file);
            const text = fs.readFileSync(file, "utf8");
            for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
                if (spec!.startsWith(".")) {
                    const base = path.resolve(path.dirname(file), spec!);
                    queue.push(fs.existsSync(`${base}.d.ts`) ? `${base}.d.ts` : path.join(base, "index.d.ts"));
                } else {
                    packages.add(
                        spec!
                            .split("/")
                            .slice(0, spec!.startsWith("@") ? 2 : 1)
                            .join("/"),
                    );
                }
            }
        }
        return { files: [...files], packages };
    }

    it("reach neither zod nor axios: a TypeScript program's type check (each `pulumi up`) stays light", () => {
        const { files, packages } = reachable();
        expect(files.length).to.be.greaterThan(5);
        expect([...packages].sort()).to.deep.equal(["@pulumi/pulumi"]);
    });
});
