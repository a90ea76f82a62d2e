// The `npm pack` tarball installed into a fresh project, as a user installs the package: npm must not list it
// among the packages whose install scripts wait for approval (npm 11's allowScripts), and it must load.
//
// A control package with a `prepare` script is installed in the same command: npm must list that one, which
// proves the npm in use reports install scripts at all (npm 10 does not; the test then uses npm 11 via npx).
// Dependencies come from npm's cache when they are there (--prefer-offline); @pulumi/pulumi is pinned to the
// version this repository uses so that a warm cache holds all of them.
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { repoRoot } from "./harness";

const CONTROL = { name: "install-script-control", version: "1.0.0" };

/** The environment without the npm_* variables `npm test` sets, which would point npm back at this repository. */
function cleanEnv(): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
}

function run(command: string[], cwd: string): SpawnSyncReturns<string> {
    const [file, ...args] = command;
    return spawnSync(file ?? "npm", args, { cwd, env: cleanEnv(), encoding: "utf8" });
}

/** Runs `command`; throws with its output unless it succeeds. */
function runOk(command: string[], cwd: string): SpawnSyncReturns<string> {
    const result = run(command, cwd);
    if (result.status !== 0) {
        throw new Error(`${command.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    }
    return result;
}

/** `npm pack` of `dir` into `destination`; returns the tarball's path. */
function pack(dir: string, destination: string): string {
    const out = runOk(["npm", "pack", "--json", "--ignore-scripts", "--pack-destination", destination], dir).stdout;
    const packed = JSON.parse(out) as { filename: string }[];
    return path.join(destination, packed[0]?.filename ?? "");
}

describe("e2e: the npm pack tarball in a fresh project", function () {
    this.timeout(10 * 60 * 1000);
    let tmp: string;
    let project: string;
    let npm: string[];
    let installOutput: string;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pat-packed-"));
        // Packs the current build (`npm test` builds first); --ignore-scripts skips the rebuild `prepack` does.
        const tarball = pack(repoRoot, tmp);
        const control = path.join(tmp, "control");
        fs.mkdirSync(control);
        fs.writeFileSync(
            path.join(control, "package.json"),
            JSON.stringify({ ...CONTROL, scripts: { prepare: "node -e 0" } }),
        );
        const controlTarball = pack(control, tmp);

        project = path.join(tmp, "project");
        fs.mkdirSync(project);
        fs.writeFileSync(
            path.join(project, "package.json"),
            JSON.stringify({ name: "fresh-project", version: "1.0.0", private: true }),
        );
        npm = run(["npm", "install-scripts", "ls"], project).status === 0 ? ["npm"] : ["npx", "--yes", "npm@11"];

        const pulumiVersion = (
            JSON.parse(
                fs.readFileSync(path.join(repoRoot, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8"),
            ) as { version: string }
        ).version;
        const install = runOk(
            [
                ...npm,
                "install",
                "--no-audit",
                "--no-fund",
                "--prefer-offline",
                tarball,
                controlTarball,
                `@pulumi/pulumi@${pulumiVersion}`,
            ],
            project,
        );
        installOutput = `${install.stdout}\n${install.stderr}`;
    });

    after(() => {
        if (tmp !== undefined) {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });

    it("npm reports install scripts awaiting approval (the control package's) but none of this package", () => {
        const listed = installOutput.split("\n").filter((line) => /install-scripts\s+\S+@\S+ \(/.test(line));
        expect(
            listed.some((line) => line.includes(`${CONTROL.name}@${CONTROL.version} (prepare`)),
            `this npm does not report install scripts:\n${installOutput}`,
        ).to.equal(true);
        expect(listed.filter((line) => line.includes("pulumi-access-tokens"))).to.deep.equal([]);
    });

    it("the installed package loads and exports the resources", () => {
        const out = runOk(
            [
                "node",
                "-e",
                'const t = require("pulumi-access-tokens"); console.log(typeof t.ProjectAccessToken, typeof t.QoveryGitToken)',
            ],
            project,
        ).stdout;
        expect(out.trim()).to.equal("function function");
    });
});
