// GitLab's vocabulary (access levels, scopes) without zod: the public SDK's type declarations import it, and
// declarations that reached zod would make every TypeScript program type-check zod's on each `pulumi up`.

/** Access levels by name, as GitLab numbers them. */
export const ACCESS_LEVELS = {
    guest: 10,
    planner: 15,
    reporter: 20,
    developer: 30,
    maintainer: 40,
    owner: 50,
} as const;
export type AccessLevelName = keyof typeof ACCESS_LEVELS;
/** Scopes GitLab documents for project and group access tokens (late 2026). */
export const GITLAB_SCOPES = [
    "api",
    "read_api",
    "read_repository",
    "write_repository",
    "read_registry",
    "write_registry",
    "create_runner",
    "manage_runner",
    "k8s_proxy",
    "self_rotate",
    "ai_features",
    "read_virtual_registry",
    "write_virtual_registry",
    "read_observability",
    "write_observability",
] as const;

/** Scopes GitLab documents for personal access tokens (late 2026): the access token scopes and four more. */
export const GITLAB_PERSONAL_SCOPES = [
    ...GITLAB_SCOPES,
    "read_user",
    "sudo",
    "admin_mode",
    "read_service_ping",
] as const;

/** Scopes that are well-formed but unknown to this package: allowed (GitLab adds scopes), worth a warning. */
export function unknownGitLabScopes(scopes: readonly string[], known: readonly string[] = GITLAB_SCOPES): string[] {
    return scopes.filter((scope) => !known.includes(scope));
}

/** Scopes GitLab accepts for deploy tokens (`DeployToken::AVAILABLE_SCOPES`, late 2026). */
export const DEPLOY_TOKEN_SCOPES = [
    "read_repository",
    "read_registry",
    "write_registry",
    "read_package_registry",
    "write_package_registry",
    "read_virtual_registry",
    "write_virtual_registry",
] as const;
