/**
 * A real, throw-away Gitea server on loopback for tests.
 *
 * The binary is built (once, cached under ~/.cache) by scripts/ensure-gitea from the Go
 * module proxy. Each startRealGitea() call gets its own temp work dir (app.ini, sqlite db,
 * repos, logs), a free port, a site admin and a second, non-admin user.
 *
 * Environment:
 *   GITEA_BINARY   use this gitea binary instead of running scripts/ensure-gitea
 *   GITEA_VERSION  passed through to scripts/ensure-gitea (module version to build)
 *   GITEA_KEEP_TMP=1  keep the temp work dir after stop() (for debugging)
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export interface GiteaAccount {
    username: string;
    password: string;
}

export interface RealGitea {
    /** `http://127.0.0.1:PORT` (no trailing slash, no `/api/v1`). */
    baseUrl: string;
    /** Site administrator. */
    admin: GiteaAccount;
    /** A regular (non-admin) user. */
    user: GiteaAccount;
    /** The temp work dir (app.ini, data, log/gitea.log); removed by stop(). */
    workDir: string;
    /** Last lines of Gitea's log and console output (for assertion messages). */
    logTail(lines?: number): string;
    /** Stops the server (SIGTERM, then SIGKILL) and removes the temp dir. Idempotent. */
    stop(): Promise<void>;
}

export interface StartRealGiteaOptions {
    /** How long to wait for `/api/v1/version` to answer once `gitea web` runs (ms). */
    readyTimeoutMs?: number;
}

const ENSURE_TIMEOUT_MS = 40 * 60 * 1000;
const CLI_TIMEOUT_MS = 2 * 60 * 1000;
const DEFAULT_READY_TIMEOUT_MS = 60 * 1000;
const STOP_GRACE_MS = 5 * 1000;

let binaryPromise: Promise<string> | undefined;

/** Path of the gitea binary; runs scripts/ensure-gitea once per process. */
export function ensureGiteaBinary(): Promise<string> {
    if (binaryPromise === undefined) {
        binaryPromise = resolveBinary();
        // A failed build should be retried by the next caller, not cached forever.
        binaryPromise.catch(() => {
            binaryPromise = undefined;
        });
    }
    return binaryPromise;
}

function findRepoRoot(): string {
    let dir = __dirname;
    for (;;) {
        if (fs.existsSync(path.join(dir, "scripts", "ensure-gitea")) && fs.existsSync(path.join(dir, "package.json"))) {
            return dir;
        }
        const parent = path.dirname(dir);
        if (parent === dir) {
            throw new Error(`scripts/ensure-gitea not found above ${__dirname}`);
        }
        dir = parent;
    }
}

function resolveBinary(): Promise<string> {
    const override = process.env.GITEA_BINARY;
    if (override !== undefined && override !== "") {
        return Promise.resolve(path.resolve(override));
    }
    const script = path.join(findRepoRoot(), "scripts", "ensure-gitea");
    return new Promise<string>((resolve, reject) => {
        // stderr is inherited: a cold build shows its progress.
        const child = spawn("bash", [script], { stdio: ["ignore", "pipe", "inherit"] });
        let stdout = "";
        child.stdout.setEncoding("utf8");
        child.stdout.on("data", (chunk: string) => {
            stdout += chunk;
        });
        const timer = setTimeout(() => {
            child.kill("SIGTERM");
        }, ENSURE_TIMEOUT_MS);
        child.on("error", (err) => {
            clearTimeout(timer);
            reject(new Error(`cannot run ${script}: ${err.message}`));
        });
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            const lines = stdout.trim().split("\n");
            const binary = lines[lines.length - 1]?.trim() ?? "";
            if (code !== 0 || binary === "") {
                reject(new Error(`${script} failed (exit ${code ?? signal}); see its stderr above`));
                return;
            }
            if (!fs.existsSync(binary)) {
                reject(new Error(`${script} printed ${binary}, which does not exist`));
                return;
            }
            resolve(binary);
        });
    });
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
function freePort(): Promise<number> {
    return new Promise<number>((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen({ host: "127.0.0.1", port: 0 }, () => {
            const address = server.address();
            if (address === null || typeof address === "string") {
                server.close();
                reject(new Error("could not determine a free port"));
                return;
            }
            const { port } = address;
            server.close(() => resolve(port));
        });
    });
}

function randomToken(bytes: number): string {
    return randomBytes(bytes).toString("base64url");
}

/** Cron tasks enabled by default in Gitea 1.26/1.27: all switched off (no background noise). */
const DEFAULT_CRON_TASKS = [
    "archive_cleanup",
    "cancel_abandoned_jobs",
    "check_repo_stats",
    "cleanup_actions",
    "cleanup_hook_task_table",
    "cleanup_packages",
    "deleted_branches_cleanup",
    "repo_health_check",
    "start_schedule_tasks",
    "stop_endless_tasks",
    "stop_zombie_tasks",
    "sync_external_users",
    "update_checker",
    "update_migration_poster_id",
    "update_mirrors",
];

function appIni(workDir: string, port: number): string {
    const data = path.join(workDir, "data");
    const lines = [
        "APP_NAME = pulumi-access-tokens test Gitea",
        "RUN_MODE = prod",
        `RUN_USER = ${os.userInfo().username}`,
        `WORK_PATH = ${workDir}`,
        "I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true",
        "",
        "[server]",
        "PROTOCOL = http",
        "HTTP_ADDR = 127.0.0.1",
        `HTTP_PORT = ${port}`,
        "DOMAIN = 127.0.0.1",
        `ROOT_URL = http://127.0.0.1:${port}/`,
        `APP_DATA_PATH = ${data}`,
        "DISABLE_SSH = true",
        "START_SSH_SERVER = false",
        "LFS_START_SERVER = false",
        "OFFLINE_MODE = true",
        "",
        "[database]",
        "DB_TYPE = sqlite3",
        `PATH = ${path.join(data, "gitea.db")}`,
        "LOG_SQL = false",
        "",
        "[repository]",
        `ROOT = ${path.join(workDir, "repos")}`,
        "",
        "[security]",
        "INSTALL_LOCK = true",
        `SECRET_KEY = ${randomToken(48)}`,
        `INTERNAL_TOKEN = ${randomToken(48)}`,
        "",
        "[oauth2]",
        `JWT_SECRET = ${randomBytes(32).toString("base64url")}`,
        "",
        "[service]",
        "DISABLE_REGISTRATION = true",
        "REQUIRE_SIGNIN_VIEW = false",
        "ENABLE_NOTIFY_MAIL = false",
        "DEFAULT_KEEP_EMAIL_PRIVATE = true",
        "NO_REPLY_ADDRESS = noreply.localhost",
        "",
        "[mailer]",
        "ENABLED = false",
        "",
        "[picture]",
        "DISABLE_GRAVATAR = true",
        "ENABLE_FEDERATED_AVATAR = false",
        "",
        "[session]",
        "PROVIDER = memory",
        "",
        "[cache]",
        "ADAPTER = memory",
        "",
        "[indexer]",
        "ISSUE_INDEXER_TYPE = db",
        "REPO_INDEXER_ENABLED = false",
        "",
        "[log]",
        "MODE = file",
        "LEVEL = warn",
        `ROOT_PATH = ${path.join(workDir, "log")}`,
        "",
        "[cron]",
        "ENABLED = false",
        "RUN_AT_START = false",
        ...DEFAULT_CRON_TASKS.flatMap((task) => ["", `[cron.${task}]`, "ENABLED = false", "RUN_AT_START = false"]),
        "",
    ];
    return lines.join("\n");
}

function tailOfFile(file: string, lines: number): string {
    try {
        const text = fs.readFileSync(file, "utf8");
        return text
            .split("\n")
            .slice(-lines - 1)
            .join("\n");
    } catch {
        return "";
    }
}

interface CliResult {
    stdout: string;
    stderr: string;
}

function runCli(binary: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CliResult> {
    return new Promise<CliResult>((resolve, reject) => {
        execFile(
            binary,
            args,
            { env, cwd, timeout: CLI_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, encoding: "utf8" },
            (error, stdout, stderr) => {
                if (error) {
                    const shown = args.map((a) => (a.startsWith("--password=") ? "--password=***" : a)).join(" ");
                    reject(new Error(`gitea ${shown} failed: ${error.message}\n${stdout}\n${stderr}`.trim()));
                    return;
                }
                resolve({ stdout, stderr });
            },
        );
    });
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Environment for gitea: no inherited GITEA_* variables, git usable without a HOME config. */
function giteaEnv(workDir: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
        if (!key.startsWith("GITEA_") && !key.startsWith("GIT_")) {
            env[key] = value;
        }
    }
    env.HOME = path.join(workDir, "home");
    env.GITEA_WORK_DIR = workDir;
    env.USER = os.userInfo().username;
    return env;
}

/** Live servers and their work dirs. */
const running = new Map<ChildProcess, string>();
let exitHookInstalled = false;

function installExitHook(): void {
    if (exitHookInstalled) return;
    exitHookInstalled = true;
    // Last resort if a test forgets stop(): never leave a gitea (or its temp dir) behind.
    process.on("exit", () => {
        for (const [child, workDir] of running) {
            try {
                child.kill("SIGKILL");
                if (process.env.GITEA_KEEP_TMP !== "1") {
                    fs.rmSync(workDir, { recursive: true, force: true });
                }
            } catch {
                // already gone
            }
        }
    });
}

export async function startRealGitea(options: StartRealGiteaOptions = {}): Promise<RealGitea> {
    const binary = await ensureGiteaBinary();
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "pat-gitea-"));
    const removeWorkDir = (): void => {
        if (process.env.GITEA_KEEP_TMP === "1") return;
        fs.rmSync(workDir, { recursive: true, force: true, maxRetries: 3 });
    };

    let child: ChildProcess | undefined;
    try {
        for (const sub of ["data", "repos", "log", "home", "custom/conf"]) {
            fs.mkdirSync(path.join(workDir, sub), { recursive: true });
        }
        const port = await freePort();
        const config = path.join(workDir, "custom", "conf", "app.ini");
        fs.writeFileSync(config, appIni(workDir, port), { mode: 0o600 });
        const env = giteaEnv(workDir);
        const global = [`--config=${config}`, `--work-path=${workDir}`];

        await runCli(binary, [...global, "migrate"], env, workDir);

        const admin: GiteaAccount = { username: "gitea-admin", password: `Adm-${randomToken(12)}` };
        const user: GiteaAccount = { username: "gitea-user", password: `Usr-${randomToken(12)}` };
        for (const [account, isAdmin] of [
            [admin, true],
            [user, false],
        ] as const) {
            await runCli(
                binary,
                [
                    ...global,
                    "admin",
                    "user",
                    "create",
                    `--username=${account.username}`,
                    `--password=${account.password}`,
                    `--email=${account.username}@example.test`,
                    "--must-change-password=false",
                    ...(isAdmin ? ["--admin"] : []),
                ],
                env,
                workDir,
            );
        }

        const consoleLog = path.join(workDir, "log", "console.log");
        const giteaLog = path.join(workDir, "log", "gitea.log");
        const consoleFd = fs.openSync(consoleLog, "a");
        try {
            child = spawn(binary, [...global, "web"], {
                cwd: workDir,
                env,
                stdio: ["ignore", consoleFd, consoleFd],
            });
        } finally {
            fs.closeSync(consoleFd);
        }
        installExitHook();
        const proc = child;
        running.set(proc, workDir);

        let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
        const exitPromise = new Promise<void>((resolve) => {
            proc.once("exit", (code, signal) => {
                exited = { code, signal };
                running.delete(proc);
                resolve();
            });
        });
        proc.once("error", () => {
            // reported through the readiness loop (exit follows, or the timeout fires)
        });

        const logTail = (lines = 40): string =>
            [
                `--- ${giteaLog} ---`,
                tailOfFile(giteaLog, lines),
                `--- ${consoleLog} ---`,
                tailOfFile(consoleLog, lines),
            ].join("\n");

        const baseUrl = `http://127.0.0.1:${port}`;
        const deadline = Date.now() + (options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
        let lastError = "no answer yet";
        for (;;) {
            if (exited !== undefined) {
                throw new Error(`gitea web exited early (code ${exited.code}, signal ${exited.signal})\n${logTail()}`);
            }
            try {
                const response = await fetch(`${baseUrl}/api/v1/version`, { signal: AbortSignal.timeout(2000) });
                if (response.status === 200) {
                    await response.text();
                    break;
                }
                lastError = `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`;
            } catch (err) {
                lastError = err instanceof Error ? err.message : String(err);
            }
            if (Date.now() > deadline) {
                throw new Error(`gitea did not answer ${baseUrl}/api/v1/version in time (${lastError})\n${logTail()}`);
            }
            await sleep(150);
        }

        let stopping: Promise<void> | undefined;
        const stop = (): Promise<void> => {
            if (stopping === undefined) {
                stopping = (async () => {
                    if (exited === undefined) {
                        proc.kill("SIGTERM");
                        const killed = await Promise.race([
                            exitPromise.then(() => false),
                            sleep(STOP_GRACE_MS).then(() => true),
                        ]);
                        if (killed && exited === undefined) {
                            proc.kill("SIGKILL");
                            await exitPromise;
                        }
                    }
                    removeWorkDir();
                })();
            }
            return stopping;
        };

        return { baseUrl, admin, user, workDir, logTail, stop };
    } catch (err) {
        if (child !== undefined && child.exitCode === null && child.signalCode === null) {
            child.kill("SIGKILL");
            running.delete(child);
        }
        removeWorkDir();
        throw err;
    }
}
