// Reusable pieces for end-to-end tests that drive the real Pulumi engine through the
// Automation API: the engine comes from scripts/ensure-pulumi (an installed Pulumi >= 3.248.0
// or a local build), and every workspace gets its own temporary PULUMI_HOME and file backend
// so tests never touch ~/.pulumi or each other.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { type ConfigMap, LocalWorkspace, type OpMap, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";

/** The operations of an update's summary other than "same", with their counts (`{}`: nothing changed). */
export function changes(ops: OpMap | undefined): Record<string, number> {
    return Object.fromEntries(Object.entries(ops ?? {}).filter(([op, n]) => op !== "same" && (n ?? 0) > 0)) as Record<
        string,
        number
    >;
}

/** The repository root (works from test/e2e and from the compiled dist/test/e2e). */
export const repoRoot: string = findRepoRoot(__dirname);

/** Directory of a file-based test program under test/e2e/programs. */
export function programDir(name: string): string {
    return path.join(repoRoot, "test", "e2e", "programs", name);
}

/**
 * Copies a test program into a temporary directory laid out as a user's project is: the package is a real
 * copy under node_modules/pulumi-access-tokens (package.json plus what its `files` field ships, as `npm pack`
 * would) and every other dependency is a link into the repository's node_modules. Only in this layout does
 * Pulumi serialize the provider as a `require()` of the installed package (see sdk/dynamicProvider.ts).
 * Needs `npm run build` first.
 */
export function installedProgramDir(name: string): { dir: string; dispose(): void } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "pat-installed-"));
    const dir = path.join(root, name);
    fs.cpSync(programDir(name), dir, {
        recursive: true,
        filter: (src) => !/Pulumi\.[^/]+\.yaml$/.test(src) || src.endsWith("Pulumi.yaml"),
    });
    const modules = path.join(dir, "node_modules");
    const installed = path.join(modules, "pulumi-access-tokens");
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { files?: string[] };
    for (const entry of ["package.json", ...(manifest.files ?? [])]) {
        const source = path.join(repoRoot, entry);
        if (fs.existsSync(source)) {
            fs.cpSync(source, path.join(installed, entry), { recursive: true });
        }
    }
    for (const entry of fs.readdirSync(path.join(repoRoot, "node_modules"))) {
        if (entry !== "pulumi-access-tokens" && !entry.startsWith(".")) {
            fs.symlinkSync(path.join(repoRoot, "node_modules", entry), path.join(modules, entry));
        }
    }
    return { dir, dispose: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/**
 * A test program compiled to JavaScript in a temporary directory (its Pulumi.yaml names index.js, no
 * TypeScript at run time), resolving modules from the repository's node_modules as `programDir(name)` does.
 * Every `pulumi` run then starts its program without compiling it: for suites that run the CLI many times.
 */
export function compiledProgramDir(name: string): { dir: string; dispose(): void } {
    const source = programDir(name);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "pat-compiled-"));
    const dir = path.join(root, name);
    fs.mkdirSync(dir);
    const compiled = ts.transpileModule(fs.readFileSync(path.join(source, "index.ts"), "utf8"), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    fs.writeFileSync(path.join(dir, "index.js"), compiled.outputText);
    const manifest = fs
        .readFileSync(path.join(source, "Pulumi.yaml"), "utf8")
        .replace(/^main: index\.ts$/m, "main: index.js")
        .replace(/typescript: true/, "typescript: false");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), manifest);
    // Without one the language host warns on every run that it uses the program directory as the project root.
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `${name}-compiled`, private: true }));
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"));
    return { dir, dispose: () => fs.rmSync(root, { recursive: true, force: true }) };
}

function findRepoRoot(start: string): string {
    for (let dir = start; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "scripts", "ensure-pulumi"))) {
            return dir;
        }
        if (path.dirname(dir) === dir) {
            throw new Error(`no scripts/ensure-pulumi above ${start}`);
        }
    }
}

const ensuredDirs = new Map<string, string>();

/**
 * Runs one of the scripts/ensure-* scripts once per process: it builds what is missing (cached outside the
 * repository; the first call can take minutes, its progress on stderr) and prints the directory holding `binary`.
 */
export function ensureBuilt(script: string, binary: string): string {
    let dir = ensuredDirs.get(script);
    if (dir === undefined) {
        const out = execFileSync("bash", [path.join(repoRoot, "scripts", script)], {
            cwd: repoRoot,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "inherit"],
        });
        dir = out.trim().split("\n").pop() ?? "";
        if (!path.isAbsolute(dir) || !fs.existsSync(path.join(dir, binary))) {
            throw new Error(`scripts/${script} printed ${JSON.stringify(out)}, not a directory holding ${binary}`);
        }
        ensuredDirs.set(script, dir);
    }
    return dir;
}

/**
 * The directory holding `pulumi`, `pulumi-language-nodejs`, `pulumi-resource-pulumi-nodejs` and
 * `pulumi-resource-random` (scripts/ensure-pulumi; the first call can build the engine).
 */
export function ensureEngine(): string {
    return ensureBuilt("ensure-pulumi", "pulumi");
}

/** The directory holding Pulumi's official YAML language host, `pulumi-language-yaml` (scripts/ensure-yaml). */
export function ensureYamlHost(): string {
    return ensureBuilt("ensure-yaml", "pulumi-language-yaml");
}

/**
 * The environment that lets the engine take plugins from PATH (the YAML host, the native plugin): `dirs` first,
 * then the engine's own directory.
 */
export function pluginsOnPath(...dirs: string[]): Record<string, string> {
    return {
        PATH: [...dirs, ensureEngine(), process.env.PATH ?? ""].join(path.delimiter),
        PULUMI_IGNORE_AMBIENT_PLUGINS: "false",
    };
}

export interface TestWorkspaceOptions {
    /** Stack name; defaults to a unique `test-<hex>` (its Pulumi.<stack>.yaml lands in the program dir). */
    stackName?: string;
    /** Extra environment for every pulumi command (and so for the program and its providers). */
    envVars?: Record<string, string>;
    /** Stack configuration; keys without a namespace belong to the project. */
    config?: Record<string, { value: string; secret?: boolean }>;
}

export interface TestWorkspace {
    stack: Stack;
    /** The environment the pulumi commands run with (PULUMI_HOME, backend, PATH, ...). */
    env: Record<string, string>;
    /** Removes the stack (even with resources left in it), its config file and the temp dirs. */
    dispose(): Promise<void>;
}

/**
 * Creates (or selects) a stack of the file-based program in `programDir` with an isolated
 * temporary PULUMI_HOME and `file://` backend.
 */
export async function createTestWorkspace(programDir: string, opts: TestWorkspaceOptions = {}): Promise<TestWorkspace> {
    const bin = ensureEngine();
    const stackName = opts.stackName ?? `test-${randomBytes(4).toString("hex")}`;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pat-e2e-"));
    const home = path.join(tmp, "home");
    const backend = path.join(tmp, "backend");
    fs.mkdirSync(backend, { recursive: true });
    const randomLinked = linkRandomPlugin(bin, home);
    // `pulumi stack init` writes Pulumi.<stack>.yaml next to Pulumi.yaml; remove only what we made.
    const stackConfigFile = path.join(programDir, `Pulumi.${stackName}.yaml`);
    const ownsStackConfigFile = !fs.existsSync(stackConfigFile);

    const env: Record<string, string> = {
        PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
        PULUMI_HOME: home,
        PULUMI_BACKEND_URL: `file://${backend}`,
        PULUMI_CONFIG_PASSPHRASE: "pulumi-access-tokens-e2e",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
        // Plugins then come from next to `pulumi` (language host, dynamic-provider launcher)
        // and from PULUMI_HOME/plugins (random), without the "using ... from $PATH" warning
        // the engine prints for every non-bundled plugin it finds on PATH.
        PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
        ...(randomLinked ? { PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" } : {}),
        ...opts.envVars,
    };

    const dispose = async (stack?: Stack): Promise<void> => {
        try {
            await stack?.workspace.removeStack(stackName, { force: true });
        } catch {
            // best effort: the temp backend goes away below anyway
        } finally {
            if (ownsStackConfigFile) {
                fs.rmSync(stackConfigFile, { force: true });
            }
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    };

    try {
        const pulumiCommand = await PulumiCommand.get({ root: commandRoot(bin, tmp), skipVersionCheck: true });
        const stack = await LocalWorkspace.createOrSelectStack(
            { stackName, workDir: programDir },
            { pulumiHome: home, envVars: env, pulumiCommand },
        );
        if (opts.config !== undefined) {
            const config: ConfigMap = {};
            for (const [key, { value, secret }] of Object.entries(opts.config)) {
                config[key] = { value, secret: secret ?? false };
            }
            await stack.setAllConfig(config);
        }
        return { stack, env, dispose: () => dispose(stack) };
    } catch (err) {
        await dispose();
        throw err;
    }
}

/**
 * PulumiCommand runs `<root>/bin/pulumi`. Engine directories are normally named `bin`; for
 * any other name a `bin/pulumi` symlink is made (the engine resolves symlinks when it looks
 * for its bundled plugins, so they are still found next to the real binary).
 */
function commandRoot(bin: string, tmp: string): string {
    if (path.basename(bin) === "bin") {
        return path.dirname(bin);
    }
    const root = path.join(tmp, "cli");
    fs.mkdirSync(path.join(root, "bin"), { recursive: true });
    fs.symlinkSync(path.join(bin, "pulumi"), path.join(root, "bin", "pulumi"));
    return root;
}

/**
 * Installs the random provider into the temporary PULUMI_HOME's plugin cache for the version
 * @pulumi/random asks for (the engine never downloads it then). A real plugin of that version
 * in the user's own plugin cache wins over the one in the engine directory.
 */
function linkRandomPlugin(bin: string, home: string): boolean {
    const version = randomSdkVersion();
    if (version === undefined) {
        return false;
    }
    const userPlugin = path.join(
        process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi"),
        "plugins",
        `resource-random-v${version}`,
    );
    const candidates = [path.join(userPlugin, "pulumi-resource-random"), path.join(bin, "pulumi-resource-random")];
    const source = candidates.find((p) => fs.existsSync(p) && !fs.existsSync(`${path.dirname(p)}.partial`));
    if (source === undefined) {
        return false;
    }
    // The plugin directory must be a real directory (the engine skips symlinked ones).
    const dir = path.join(home, "plugins", `resource-random-v${version}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(fs.realpathSync(source), path.join(dir, "pulumi-resource-random"));
    return true;
}

function randomSdkVersion(): string | undefined {
    try {
        const manifest: unknown = JSON.parse(
            fs.readFileSync(path.join(repoRoot, "node_modules", "@pulumi", "random", "package.json"), "utf8"),
        );
        if (typeof manifest === "object" && manifest !== null && "version" in manifest) {
            return typeof manifest.version === "string" ? manifest.version : undefined;
        }
    } catch {
        // @pulumi/random not installed: nothing to link
    }
    return undefined;
}

/**
 * Runs the CLI itself for the workspace's stack in `programDir` and resolves with its stdout; rejects with
 * its output on failure. Asynchronous, so an in-process sandbox keeps answering the providers meanwhile.
 */
export async function pulumiCli(ws: TestWorkspace, programDir: string, ...args: string[]): Promise<string> {
    const run = startPulumiCli(ws, programDir, ...args);
    const code = await run.exited;
    if (code !== 0) {
        throw new Error(`pulumi ${args.join(" ")} exited with ${code}:\n${run.output()}`);
    }
    return run.stdout();
}

/**
 * What every command prints when a kill left the `file://` backend's state sidecar (`<stack>.json.attrs`,
 * written in place by gocloud's file driver just before the new state is renamed over the old) empty.
 */
export const EMPTY_STATE_SIDECAR = "failed to load checkpoint: EOF";

/** The README's command for that case, for a backend directory. */
export const DELETE_EMPTY_SIDECARS = "find \"$BACKEND/.pulumi\" -name '*.attrs' -empty -print -delete";

/** The workspace's `file://` backend directory. */
export function backendDirOf(ws: TestWorkspace): string {
    const url = ws.env.PULUMI_BACKEND_URL ?? "";
    if (!url.startsWith("file://")) {
        throw new Error(`not a file:// backend: ${url}`);
    }
    return url.slice("file://".length);
}

/**
 * The README's first recovery step, `pulumi cancel --yes`. When it fails because a kill left the state's
 * sidecar empty, the README's `find … -empty -delete` (run as written, through sh) and the cancel again.
 * Returns the sidecars deleted (none in the common case).
 */
export async function cancelDeadRun(ws: TestWorkspace, programDir: string): Promise<string[]> {
    try {
        await pulumiCli(ws, programDir, "cancel", "--yes");
        return [];
    } catch (error) {
        if (!String(error).includes(EMPTY_STATE_SIDECAR)) {
            throw error;
        }
    }
    const deleted = execFileSync("sh", ["-c", DELETE_EMPTY_SIDECARS], {
        env: { ...process.env, BACKEND: backendDirOf(ws) },
        encoding: "utf8",
    })
        .split("\n")
        .filter((line) => line !== "");
    if (deleted.length === 0) {
        throw new Error(`pulumi cancel said "${EMPTY_STATE_SIDECAR}" but no empty sidecar was found`);
    }
    await pulumiCli(ws, programDir, "cancel", "--yes");
    return deleted;
}

/** A resource of an exported checkpoint (secrets decrypted). */
export interface CheckpointResource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

/** The stack's checkpoint as `pulumi stack export --show-secrets` gives it. */
export interface Checkpoint {
    resources: CheckpointResource[];
    pendingOperations: Array<{ type: string; resource: CheckpointResource }>;
}

export async function exportCheckpoint(ws: TestWorkspace, programDir: string): Promise<Checkpoint> {
    const raw = JSON.parse(await pulumiCli(ws, programDir, "stack", "export", "--show-secrets")) as {
        deployment: { resources?: CheckpointResource[]; pending_operations?: Checkpoint["pendingOperations"] };
    };
    return { resources: raw.deployment.resources ?? [], pendingOperations: raw.deployment.pending_operations ?? [] };
}

/** A `pulumi` command started in the background, to be killed mid-run. */
export interface RunningPulumi {
    pid: number;
    /** Resolves with the exit code (null when killed by a signal) once the CLI ended. */
    exited: Promise<number | null>;
    /** What the CLI printed so far (stdout and stderr), for failure messages. */
    output(): string;
    /** Its stdout so far. */
    stdout(): string;
}

export function startPulumiCli(ws: TestWorkspace, programDir: string, ...args: string[]): RunningPulumi {
    const child = spawn("pulumi", [...args, "--stack", ws.stack.name], {
        cwd: programDir,
        env: { ...process.env, ...ws.env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let printed = "";
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
        printed += chunk.toString("utf8");
        stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
        printed += chunk.toString("utf8");
    });
    const exited = new Promise<number | null>((resolve, reject) => {
        child.once("error", reject);
        child.once("close", (code) => resolve(code));
    });
    if (child.pid === undefined) {
        throw new Error(`pulumi ${args.join(" ")} did not start`);
    }
    return { pid: child.pid, exited, output: () => printed, stdout: () => stdout };
}

/** A live process: its pid and command line (arguments joined by spaces). */
export interface ProcessInfo {
    pid: number;
    command: string;
}

/** `pid` and all its descendants, found through /proc (Linux), parents before children. */
export function processTree(pid: number): ProcessInfo[] {
    const children = new Map<number, number[]>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) {
            continue;
        }
        try {
            // The parent pid is the 2nd field after the parenthesized command name, which may hold spaces.
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
        } catch {
            // the process ended while we looked
        }
    }
    const tree: ProcessInfo[] = [];
    const visit = (p: number): void => {
        let command: string;
        try {
            command = fs.readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").join(" ").trim();
        } catch {
            return;
        }
        tree.push({ pid: p, command });
        for (const child of children.get(p) ?? []) {
            visit(child);
        }
    };
    visit(pid);
    return tree;
}

/**
 * SIGKILLs the `pulumi` process and every process it started (language host, program, the dynamic provider
 * and its launcher), as a crash or `kill -9` of the machine's processes would: nothing gets to clean up.
 * Returns what it killed.
 */
export async function killPulumiTree(run: RunningPulumi): Promise<ProcessInfo[]> {
    const tree = processTree(run.pid);
    for (const proc of tree) {
        try {
            process.kill(proc.pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
    await run.exited;
    return tree;
}
