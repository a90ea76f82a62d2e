/**
 * The fixed seed of the sandbox. Every value here is fake and only works against the sandbox.
 */

export const GITLAB_SEED = {
    users: {
        root: { id: 1, username: "root", name: "Administrator", admin: true },
        maintainer: { id: 2, username: "maintainer", name: "Sandbox Maintainer", admin: false },
        reporter: { id: 3, username: "reporter", name: "Sandbox Reporter", admin: false },
        owner: { id: 4, username: "owner", name: "Sandbox Owner", admin: false },
    },
    /** Personal access tokens (scope `api`, except `maintainerReadApi`: `read_api`). */
    tokens: {
        root: "sandbox-gitlab-root-token",
        maintainer: "sandbox-gitlab-maintainer-token",
        reporter: "sandbox-gitlab-reporter-token",
        owner: "sandbox-gitlab-owner-token",
        maintainerReadApi: "sandbox-gitlab-maintainer-read-api-token",
    },
    groups: {
        acme: { id: 11, name: "Acme", path: "acme", fullPath: "acme" },
        other: { id: 12, name: "Other", path: "other", fullPath: "other" },
    },
    projects: {
        web: { id: 101, name: "web", path: "web", pathWithNamespace: "acme/web", groupId: 11 },
        api: { id: 102, name: "api", path: "api", pathWithNamespace: "acme/api", groupId: 11 },
        private: { id: 103, name: "private", path: "private", pathWithNamespace: "other/private", groupId: 12 },
    },
    /** Service accounts of a top-level group (their personal access tokens are managed by the group's Owner). */
    serviceAccounts: {
        deploy: { id: 21, username: "service_account_group_11_deploy", name: "Deploy service account", groupId: 11 },
    },
    /** Group memberships (inherited by the group's projects). `root` is an instance admin. */
    memberships: [
        { groupId: 11, userId: 4, accessLevel: 50 },
        { groupId: 11, userId: 2, accessLevel: 40 },
        { groupId: 11, userId: 3, accessLevel: 20 },
    ],
    /** Access tokens are limited to this lifetime (days), like GitLab's default. */
    maxLifetimeDays: 365,
} as const;

export const GITEA_SEED = {
    version: "1.26.0",
    users: {
        alice: { id: 1, username: "alice", password: "sandbox-alice-password", admin: true, otp: undefined },
        bob: { id: 2, username: "bob", password: "sandbox-bob-password", admin: false, otp: undefined },
        /** Has TOTP enabled: send `X-Gitea-OTP: 424242` with Basic auth. */
        carol: { id: 3, username: "carol", password: "sandbox-carol-password", admin: false, otp: "424242" },
    },
} as const;

export const CODACY_SEED = {
    /** Account API token, header `api-token`. */
    apiToken: "sandbox-codacy-account-token",
    /** `gh/acme` holds `codacyRepositories` repositories (default 12) named `repo-001`, `repo-002`, ... */
    github: { provider: "gh", organization: "acme", repositoryPrefix: "repo-", defaultRepositoryCount: 12 },
    /**
     * `bb/acme-bb` holds 7 repositories; its cursors contain `+`, `/` and `=` (must be URL-encoded)
     * and its first page holds one more item than `limit` (Bitbucket quirk).
     */
    bitbucket: {
        provider: "bb",
        organization: "acme-bb",
        repositories: [
            "bb-repo-01",
            "bb-repo-02",
            "bb-repo-03",
            "bb-repo-04",
            "bb-repo-05",
            "bb-repo-06",
            "bb-repo-07",
        ],
    },
} as const;

export const QOVERY_SEED = {
    organizationId: "00000000-0000-4000-8000-00000000a001",
    organizationName: "Sandbox Org",
    /** `Authorization: Token <apiToken>` */
    apiToken: "sandbox-qovery-api-token",
    /** `Authorization: Bearer <jwt>`: an unsigned, obviously fake JWT. */
    jwt: "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJzYW5kYm94LXVzZXIiLCJpc3MiOiJzYW5kYm94In0.sandbox-signature",
    /**
     * The organization's built-in roles (their ids are per organization in Qovery). `apiToken` and `jwt` act as
     * the Owner; an API token made in the sandbox acts with its role. Only roles that may "manage organization
     * setup" (git and API tokens) may create or delete tokens.
     */
    roles: {
        owner: { id: "00000000-0000-4000-8000-00000000b001", name: "Owner", managesSetup: true },
        admin: { id: "00000000-0000-4000-8000-00000000b002", name: "Admin", managesSetup: true },
        devops: { id: "00000000-0000-4000-8000-00000000b003", name: "DevOps", managesSetup: true },
        billingManager: { id: "00000000-0000-4000-8000-00000000b004", name: "Billing Manager", managesSetup: false },
        viewer: { id: "00000000-0000-4000-8000-00000000b005", name: "Viewer", managesSetup: false },
    },
} as const;

/** Everything a test needs to talk to the sandbox. */
export const SEED = {
    gitlab: GITLAB_SEED,
    gitea: GITEA_SEED,
    codacy: CODACY_SEED,
    qovery: QOVERY_SEED,
} as const;

export interface SeedCredentials {
    gitlab: {
        /** `PRIVATE-TOKEN` (or `Authorization: Bearer`) values. */
        rootToken: string;
        ownerToken: string;
        maintainerToken: string;
        maintainerReadApiToken: string;
        reporterToken: string;
    };
    gitea: {
        alice: { username: string; password: string };
        bob: { username: string; password: string };
        carol: { username: string; password: string; otp: string };
    };
    codacy: { apiToken: string };
    qovery: { apiToken: string; jwt: string };
}

export const SEED_CREDENTIALS: SeedCredentials = {
    gitlab: {
        rootToken: GITLAB_SEED.tokens.root,
        ownerToken: GITLAB_SEED.tokens.owner,
        maintainerToken: GITLAB_SEED.tokens.maintainer,
        maintainerReadApiToken: GITLAB_SEED.tokens.maintainerReadApi,
        reporterToken: GITLAB_SEED.tokens.reporter,
    },
    gitea: {
        alice: { username: GITEA_SEED.users.alice.username, password: GITEA_SEED.users.alice.password },
        bob: { username: GITEA_SEED.users.bob.username, password: GITEA_SEED.users.bob.password },
        carol: {
            username: GITEA_SEED.users.carol.username,
            password: GITEA_SEED.users.carol.password,
            otp: GITEA_SEED.users.carol.otp,
        },
    },
    codacy: { apiToken: CODACY_SEED.apiToken },
    qovery: { apiToken: QOVERY_SEED.apiToken, jwt: QOVERY_SEED.jwt },
};

/** The seeded objects, as a running sandbox describes them (Codacy repository names depend on the options). */
export interface SeedInfo {
    gitlab: {
        users: Array<{ id: number; username: string; admin: boolean; token: string; role: string }>;
        groups: Array<{ id: number; fullPath: string }>;
        projects: Array<{ id: number; pathWithNamespace: string; groupId: number }>;
    };
    gitea: { users: Array<{ id: number; username: string; admin: boolean; otp: boolean }> };
    codacy: { organizations: Array<{ provider: string; organization: string; repositories: string[] }> };
    qovery: { organizationId: string; organizationName: string };
}

export function codacyGithubRepositoryNames(count: number): string[] {
    const width = Math.max(3, String(count).length);
    return Array.from(
        { length: count },
        (_, i) => `${CODACY_SEED.github.repositoryPrefix}${String(i + 1).padStart(width, "0")}`,
    );
}

export function buildSeedInfo(codacyRepositories: number): SeedInfo {
    const u = GITLAB_SEED.users;
    return {
        gitlab: {
            users: [
                { ...pick(u.root), token: GITLAB_SEED.tokens.root, role: "instance admin" },
                { ...pick(u.owner), token: GITLAB_SEED.tokens.owner, role: "Owner of group acme (11)" },
                {
                    ...pick(u.maintainer),
                    token: GITLAB_SEED.tokens.maintainer,
                    role: `Maintainer of group acme (11); read_api-only token: ${GITLAB_SEED.tokens.maintainerReadApi}`,
                },
                { ...pick(u.reporter), token: GITLAB_SEED.tokens.reporter, role: "Reporter of group acme (11)" },
            ],
            groups: Object.values(GITLAB_SEED.groups).map((g) => ({ id: g.id, fullPath: g.fullPath })),
            projects: Object.values(GITLAB_SEED.projects).map((p) => ({
                id: p.id,
                pathWithNamespace: p.pathWithNamespace,
                groupId: p.groupId,
            })),
        },
        gitea: {
            users: Object.values(GITEA_SEED.users).map((user) => ({
                id: user.id,
                username: user.username,
                admin: user.admin,
                otp: user.otp !== undefined,
            })),
        },
        codacy: {
            organizations: [
                {
                    provider: CODACY_SEED.github.provider,
                    organization: CODACY_SEED.github.organization,
                    repositories: codacyGithubRepositoryNames(codacyRepositories),
                },
                {
                    provider: CODACY_SEED.bitbucket.provider,
                    organization: CODACY_SEED.bitbucket.organization,
                    repositories: [...CODACY_SEED.bitbucket.repositories],
                },
            ],
        },
        qovery: { organizationId: QOVERY_SEED.organizationId, organizationName: QOVERY_SEED.organizationName },
    };
}

function pick(user: { id: number; username: string; admin: boolean }): {
    id: number;
    username: string;
    admin: boolean;
} {
    return { id: user.id, username: user.username, admin: user.admin };
}
