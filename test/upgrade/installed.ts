// A user's project with the package installed as users install it: the tarball `npm pack` makes of this
// checkout, unpacked under node_modules/pulumi-access-tokens. Other dependencies are links into the
// repository's node_modules (the same ones a user's npm would resolve).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../e2e/harness";

export interface InstalledProject {
    /** The program directory (Pulumi.yaml, index.ts, node_modules). */
    dir: string;
    dispose(): void;
}

/** Copies `programSource` into a temporary project and installs the packed package there. Needs `npm run build`. */
export function installedProject(programSource: string): InstalledProject {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "pat-upgrade-"));
    try {
        const dir = path.join(root, "project");
        fs.cpSync(programSource, dir, {
            recursive: true,
            filter: (src) => !/Pulumi\.[^/]+\.yaml$/.test(src) || src.endsWith("Pulumi.yaml"),
        });
        // A user's project has a manifest (the Node.js language host warns without one).
        fs.writeFileSync(
            path.join(dir, "package.json"),
            `${JSON.stringify({ name: "upgrade-fixture-user", private: true }, null, 2)}\n`,
        );
        const installed = path.join(dir, "node_modules", "pulumi-access-tokens");
        fs.mkdirSync(installed, { recursive: true });
        // --ignore-scripts: `prepare` would rebuild; the caller has built.
        const packed = execFileSync(
            "npm",
            ["pack", "--ignore-scripts", "--silent", "--json", "--pack-destination", root],
            { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
        );
        const [{ filename }] = JSON.parse(packed) as [{ filename: string }];
        execFileSync("tar", [
            "-xzf",
            path.join(root, path.basename(filename)),
            "-C",
            installed,
            "--strip-components=1",
        ]);
        for (const entry of fs.readdirSync(path.join(repoRoot, "node_modules"))) {
            if (entry !== "pulumi-access-tokens" && !entry.startsWith(".")) {
                fs.symlinkSync(path.join(repoRoot, "node_modules", entry), path.join(dir, "node_modules", entry));
            }
        }
        return { dir, dispose: () => fs.rmSync(root, { recursive: true, force: true }) };
    } catch (err) {
        fs.rmSync(root, { recursive: true, force: true });
        throw err;
    }
}
