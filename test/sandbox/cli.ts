/**
 * `npm run sandbox`: starts the sandbox on SANDBOX_PORT (default 8787) and prints how to use it.
 *
 * Environment: SANDBOX_PORT, SANDBOX_CODACY_REPOSITORIES (default 12),
 * SANDBOX_RATE_LIMIT_RPS (optional requests per second per service).
 */
import { type Sandbox, startSandbox } from "./index";

function envInt(name: string, fallback: number | undefined): number | undefined {
    const raw = process.env[name];
    if (raw === undefined || raw.trim() === "") {
        return fallback;
    }
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) {
        throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
    }
    return value;
}

export function describe(sandbox: Sandbox): string {
    const { baseUrls, credentials: c, seed } = sandbox;
    const lines: string[] = [
        `Sandbox listening on ${sandbox.url} (in-memory, fake credentials only)`,
        "",
        `GitLab   ${baseUrls.gitlab}   (API: ${baseUrls.gitlab}/api/v4, header PRIVATE-TOKEN)`,
        ...seed.gitlab.users.map((u) => `  user ${u.username.padEnd(10)} id ${u.id}  token ${u.token}  (${u.role})`),
        ...seed.gitlab.groups.map((g) => `  group   ${g.fullPath.padEnd(14)} id ${g.id}`),
        ...seed.gitlab.projects.map((p) => `  project ${p.pathWithNamespace.padEnd(14)} id ${p.id}`),
        "",
        `Gitea    ${baseUrls.gitea}   (API: ${baseUrls.gitea}/api/v1, Basic auth with the password)`,
        `  alice (site admin)  password ${c.gitea.alice.password}`,
        `  bob                 password ${c.gitea.bob.password}`,
        `  carol (TOTP)        password ${c.gitea.carol.password}  header X-Gitea-OTP: ${c.gitea.carol.otp}`,
        "",
        `Codacy   ${baseUrls.codacy}   (API: ${baseUrls.codacy}/api/v3, header api-token)`,
        `  api-token ${c.codacy.apiToken}`,
        ...seed.codacy.organizations.map((o) => {
            const names = o.repositories;
            const shown =
                names.length <= 4
                    ? names.join(", ")
                    : `${names.slice(0, 3).join(", ")}, ... ${names[names.length - 1]}`;
            return `  ${o.provider}/${o.organization}: ${names.length} repositories (${shown})`;
        }),
        "",
        `Qovery   ${baseUrls.qovery}   (API: ${baseUrls.qovery}/organization/...)`,
        `  organization ${seed.qovery.organizationId} (${seed.qovery.organizationName})`,
        `  Authorization: Token ${c.qovery.apiToken}`,
        `  Authorization: Bearer ${c.qovery.jwt}`,
        "",
        `Control: GET ${sandbox.url}/_sandbox/state, POST /_sandbox/faults, POST /_sandbox/reset, POST /_sandbox/revoke, POST /_sandbox/clock`,
        "Press Ctrl+C to stop.",
        "",
    ];
    return lines.join("\n");
}

async function main(): Promise<void> {
    const rps = envInt("SANDBOX_RATE_LIMIT_RPS", undefined);
    const sandbox = await startSandbox({
        port: envInt("SANDBOX_PORT", 8787),
        codacyRepositories: envInt("SANDBOX_CODACY_REPOSITORIES", 12),
        rateLimit: rps === undefined || rps === 0 ? undefined : { requestsPerSecond: rps },
        logRequests: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
    });
    process.stdout.write(describe(sandbox));
    let stopping = false;
    const stop = (signal: string): void => {
        if (stopping) {
            return;
        }
        stopping = true;
        process.stdout.write(`\n${signal}: stopping the sandbox\n`);
        sandbox.close().then(
            () => process.exit(0),
            () => process.exit(1),
        );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
}

if (require.main === module) {
    main().catch((err: unknown) => {
        process.stderr.write(`sandbox: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
    });
}
