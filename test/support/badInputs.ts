// The bad-input table: inputs (and stack config) each resource's `check` must reject before any request, with
// a reason naming the field. Run by test/unit/bad-inputs.test.ts against the lifecycles, and (the rows that can
// carry a credential) by test/e2e/check-secrets.test.ts through the real engine.
import type { PlainObject } from "../../provider/lifecycle";
import { SEED } from "../sandbox";

export type Resource =
    | "ProjectAccessToken"
    | "GroupAccessToken"
    | "GiteaToken"
    | "CodacyRepoToken"
    | "QoveryGitToken"
    | "DeployToken"
    | "PipelineTriggerToken";

const ORG = SEED.qovery.organizationId;

/** Valid inputs of each resource, which every row of the table changes in one place. */
export const VALID_INPUTS: Record<Resource, PlainObject> = {
    ProjectAccessToken: { project: "acme/web", name: "ci", scopes: ["read_api"] },
    GroupAccessToken: { group: "acme", name: "bot", scopes: ["read_api"], accessLevel: "developer" },
    GiteaToken: { name: "ci", scopes: ["read:repository"] },
    CodacyRepoToken: { provider: "gh", organization: "acme", repository: "repo-001" },
    QoveryGitToken: { organizationId: ORG, name: "gitlab-ci", type: "GITLAB", token: "git-provider-token" },
    DeployToken: { project: "acme/web", name: "pull", scopes: ["read_registry"] },
    PipelineTriggerToken: { project: "acme/web", description: "deploys" },
};

export interface BadInput {
    resource: Resource;
    what: string;
    /** Replaces (or with `undefined`, removes) inputs of the valid set. */
    inputs?: PlainObject;
    /** Replaces (or with `undefined`, removes) stack config entries. */
    config?: Record<string, string | undefined>;
    /** The property the failure must be about. */
    property: string;
    /** The reason must name the field: matched against the reason. */
    names: RegExp;
    /** Where the values form a fixed set, the reason lists them all. */
    allowed?: readonly string[];
}

const DEPLOY_TOKEN_SCOPES = [
    "read_repository",
    "read_registry",
    "write_registry",
    "read_package_registry",
    "write_package_registry",
    "read_virtual_registry",
    "write_virtual_registry",
];
const GITLAB_SCOPES_SAMPLE = ["api", "read_api", "read_repository", "write_repository", "self_rotate"];
const ACCESS_LEVELS = [
    "guest",
    "planner",
    "reporter",
    "developer",
    "maintainer",
    "owner",
    "10",
    "15",
    "20",
    "30",
    "40",
    "50",
];
const GITEA_CATEGORIES = [
    "activitypub",
    "admin",
    "issue",
    "misc",
    "notification",
    "organization",
    "package",
    "repository",
    "user",
];
const CODACY_PROVIDERS = ["gh", "ghe", "gl", "gle", "bb", "bbe"];
const QOVERY_TYPES = ["BITBUCKET", "GITHUB", "GITLAB"];
const STRATEGIES = ["overlap", "rotate"];
const PEM_HELP = /caCertificate.*PEM/;

export const BAD_INPUTS: BadInput[] = [
    // ProjectAccessToken
    {
        resource: "ProjectAccessToken",
        what: "empty name",
        inputs: { name: "" },
        property: "name",
        names: /name must not be empty/,
    },
    {
        resource: "ProjectAccessToken",
        what: "blank name",
        inputs: { name: "   " },
        property: "name",
        names: /name must not be empty/,
    },
    {
        resource: "ProjectAccessToken",
        what: "over-long name",
        inputs: { name: "n".repeat(256) },
        property: "name",
        names: /name must be at most 255/,
    },
    {
        resource: "ProjectAccessToken",
        what: "name of the wrong type",
        inputs: { name: 42 },
        property: "name",
        names: /name must be a string/,
    },
    {
        resource: "ProjectAccessToken",
        what: "misspelt scope",
        inputs: { scopes: ["read_apii"] },
        property: "scopes",
        names: /scope "read_apii".*did you mean "read_api"/,
        allowed: GITLAB_SCOPES_SAMPLE,
    },
    {
        resource: "ProjectAccessToken",
        what: "malformed scope",
        inputs: { scopes: ["Read API"] },
        property: "scopes",
        names: /"Read API" is not a GitLab scope/,
        allowed: GITLAB_SCOPES_SAMPLE,
    },
    {
        resource: "ProjectAccessToken",
        what: "no scopes",
        inputs: { scopes: [] },
        property: "scopes",
        names: /scopes must not be empty/,
        allowed: GITLAB_SCOPES_SAMPLE,
    },
    {
        resource: "ProjectAccessToken",
        what: "scopes as a string",
        inputs: { scopes: "api" },
        property: "scopes",
        names: /scopes must be a list/,
        allowed: GITLAB_SCOPES_SAMPLE,
    },
    {
        resource: "ProjectAccessToken",
        what: "unknown access level name",
        inputs: { accessLevel: "admin" },
        property: "accessLevel",
        names: /accessLevel must be one of/,
        allowed: ACCESS_LEVELS,
    },
    {
        resource: "ProjectAccessToken",
        what: "unknown access level number",
        inputs: { accessLevel: 35 },
        property: "accessLevel",
        names: /accessLevel must be one of/,
        allowed: ACCESS_LEVELS,
    },
    {
        resource: "ProjectAccessToken",
        what: "access level of the wrong type",
        inputs: { accessLevel: true },
        property: "accessLevel",
        names: /accessLevel must be one of/,
        allowed: ACCESS_LEVELS,
    },
    {
        resource: "ProjectAccessToken",
        what: "past expiry date",
        inputs: { expiresAt: "2020-01-01" },
        property: "expiresAt",
        names: /expiresAt 2020-01-01 is not in the future.*rotation/,
    },
    {
        resource: "ProjectAccessToken",
        what: "impossible date",
        inputs: { expiresAt: "2030-02-30" },
        property: "expiresAt",
        names: /expiresAt must be a date written YYYY-MM-DD/,
    },
    {
        resource: "ProjectAccessToken",
        what: "date in another format",
        inputs: { expiresAt: "31/12/2030" },
        property: "expiresAt",
        names: /expiresAt must be a date written YYYY-MM-DD/,
    },
    {
        resource: "ProjectAccessToken",
        what: "date as a number",
        inputs: { expiresAt: 20301231 },
        property: "expiresAt",
        names: /expiresAt must be a date written YYYY-MM-DD/,
    },
    {
        resource: "ProjectAccessToken",
        what: "project path with spaces",
        inputs: { project: "acme/my project" },
        property: "project",
        names: /project must be a numeric id or a full path/,
    },
    {
        resource: "ProjectAccessToken",
        what: "negative project id",
        inputs: { project: -5 },
        property: "project",
        names: /project must be a numeric id or a full path/,
    },
    {
        resource: "ProjectAccessToken",
        what: "missing project",
        inputs: { project: undefined },
        property: "project",
        names: /project must be a numeric id or a full path/,
    },
    {
        resource: "ProjectAccessToken",
        what: "over-long description",
        inputs: { description: "d".repeat(256) },
        property: "description",
        names: /description must be at most 255/,
    },
    {
        resource: "ProjectAccessToken",
        what: "rotateBeforeDays >= expiresInDays",
        inputs: { rotation: { expiresInDays: 7, rotateBeforeDays: 7 } },
        property: "rotation",
        names: /rotateBeforeDays must be smaller than expiresInDays/,
    },
    {
        resource: "ProjectAccessToken",
        what: "unknown rotation strategy",
        inputs: { rotation: { strategy: "swap" } },
        property: "rotation",
        names: /strategy must be one of/,
        allowed: STRATEGIES,
    },
    {
        resource: "ProjectAccessToken",
        what: "fractional expiresInDays",
        inputs: { rotation: { expiresInDays: 1.5 } },
        property: "rotation",
        names: /expiresInDays/,
    },
    {
        resource: "ProjectAccessToken",
        what: "unknown extra property",
        inputs: { scope: ["api"] },
        property: "scope",
        names: /unknown property "scope".*did you mean "scopes"/,
        allowed: ["project", "name", "scopes", "accessLevel", "expiresAt", "rotation"],
    },
    {
        resource: "ProjectAccessToken",
        what: "misspelt connection setting",
        inputs: { connection: { tokn: "x" } },
        property: "connection",
        names: /unknown property "tokn" in connection.*did you mean "token"/,
        allowed: ["baseUrl", "token", "caCertificate", "allowInsecureHttp"],
    },
    {
        resource: "ProjectAccessToken",
        what: "base URL that is not a URL",
        inputs: { connection: { baseUrl: "gitlab.example.com" } },
        property: "connection",
        names: /baseUrl must be an absolute URL/,
    },
    {
        resource: "ProjectAccessToken",
        what: "http:// base URL to a remote host",
        inputs: { connection: { baseUrl: "http://gitlab.example.com" } },
        property: "connection",
        names: /baseUrl.*http:\/\/.*allowInsecureHttp/,
    },
    {
        resource: "ProjectAccessToken",
        what: "http:// base URL in stack config",
        config: { "gitlab:baseUrl": "http://gitlab.internal" },
        property: "connection",
        names: /baseUrl.*http:\/\/.*gitlab:allowInsecureHttp/,
    },
    {
        resource: "ProjectAccessToken",
        what: "ftp:// base URL",
        inputs: { connection: { baseUrl: "ftp://gitlab.example.com" } },
        property: "connection",
        names: /baseUrl.*https:\/\//,
    },
    {
        resource: "ProjectAccessToken",
        what: "credentials in the base URL",
        config: { "gitlab:baseUrl": "https://me:pw@gitlab.example.com" },
        property: "connection",
        names: /baseUrl.*credentials/,
    },
    {
        resource: "ProjectAccessToken",
        what: "allowInsecureHttp as a string",
        inputs: { connection: { allowInsecureHttp: "true" } },
        property: "connection",
        names: /allowInsecureHttp/,
    },
    {
        resource: "ProjectAccessToken",
        what: "CA certificate that is not PEM",
        inputs: { connection: { caCertificate: "/etc/ssl/ca.pem" } },
        property: "connection",
        names: PEM_HELP,
    },
    {
        resource: "ProjectAccessToken",
        what: "CA certificate in stack config that is not PEM",
        config: { "gitlab:caCertificate": "ab:cd:ef" },
        property: "connection",
        names: PEM_HELP,
    },
    {
        resource: "ProjectAccessToken",
        what: "missing credential",
        config: { "gitlab:token": undefined },
        property: "connection",
        names: /gitlab:token.*GITLAB_TOKEN.*connection\.token/,
    },
    {
        resource: "ProjectAccessToken",
        what: "empty credential in connection",
        inputs: { connection: { token: "" } },
        property: "connection",
        names: /connection\.token must not be empty|token: connection\.token must not be empty/,
    },
    {
        resource: "ProjectAccessToken",
        what: "adopt.tokenId of the wrong type",
        inputs: { adopt: { tokenId: "12" } },
        property: "adopt",
        names: /tokenId/,
    },
    // GroupAccessToken
    {
        resource: "GroupAccessToken",
        what: "group path with spaces",
        inputs: { group: "acme group" },
        property: "group",
        names: /group must be a numeric id or a full path/,
    },
    {
        resource: "GroupAccessToken",
        what: "unknown access level",
        inputs: { accessLevel: "superuser" },
        property: "accessLevel",
        names: /accessLevel must be one of/,
        allowed: ACCESS_LEVELS,
    },
    {
        resource: "GroupAccessToken",
        what: "project given to a group token",
        inputs: { project: "acme/web" },
        property: "project",
        names: /unknown property "project"/,
    },
    // DeployToken
    {
        resource: "DeployToken",
        what: "access token scope",
        inputs: { scopes: ["read_api"] },
        property: "scopes",
        names: /"read_api" is not a deploy token scope/,
        allowed: DEPLOY_TOKEN_SCOPES,
    },
    {
        resource: "DeployToken",
        what: "no scopes",
        inputs: { scopes: [] },
        property: "scopes",
        names: /scopes must not be empty/,
        allowed: DEPLOY_TOKEN_SCOPES,
    },
    {
        resource: "DeployToken",
        what: "neither project nor group",
        inputs: { project: undefined },
        property: "project",
        names: /project or group is required/,
    },
    {
        resource: "DeployToken",
        what: "both project and group",
        inputs: { group: "acme" },
        property: "project",
        names: /only one of project or group/,
    },
    {
        resource: "DeployToken",
        what: "username with a space",
        inputs: { username: "k8s pull" },
        property: "username",
        names: /username can contain only letters, digits/,
    },
    {
        resource: "DeployToken",
        what: "past expiry date",
        inputs: { expiresAt: "2020-01-01" },
        property: "expiresAt",
        names: /expiresAt 2020-01-01 is not in the future/,
    },
    {
        resource: "DeployToken",
        what: "rotate strategy (no rotate API)",
        inputs: { rotation: { strategy: "rotate" } },
        property: "rotation",
        names: /strategy "rotate" needs a rotate API.*overlap/,
    },
    {
        resource: "DeployToken",
        what: "access level (not a deploy token input)",
        inputs: { accessLevel: "reporter" },
        property: "accessLevel",
        names: /unknown property "accessLevel"/,
    },
    {
        resource: "DeployToken",
        what: "misspelt connection setting",
        inputs: { connection: { tokn: "x" } },
        property: "connection",
        names: /unknown property "tokn" in connection.*did you mean "token"/,
        allowed: ["baseUrl", "token", "caCertificate", "allowInsecureHttp"],
    },
    {
        resource: "DeployToken",
        what: "missing credential",
        config: { "gitlab:token": undefined },
        property: "connection",
        names: /gitlab:token.*GITLAB_TOKEN.*connection\.token/,
    },
    // PipelineTriggerToken
    {
        resource: "PipelineTriggerToken",
        what: "missing description",
        inputs: { description: undefined },
        property: "description",
        names: /description/,
    },
    {
        resource: "PipelineTriggerToken",
        what: "blank description",
        inputs: { description: "  " },
        property: "description",
        names: /description must not be empty/,
    },
    {
        resource: "PipelineTriggerToken",
        what: "over-long description",
        inputs: { description: "d".repeat(201) },
        property: "description",
        names: /description must be at most 200/,
    },
    {
        resource: "PipelineTriggerToken",
        what: "group instead of project",
        inputs: { project: undefined, group: "acme" },
        property: "group",
        names: /unknown property "group"/,
    },
    {
        resource: "PipelineTriggerToken",
        what: "rotate strategy (no rotate API)",
        inputs: { rotation: { strategy: "rotate" } },
        property: "rotation",
        names: /strategy "rotate" needs a rotate API.*overlap/,
    },
    {
        resource: "PipelineTriggerToken",
        what: "misspelt connection setting",
        inputs: { connection: { tokn: "x" } },
        property: "connection",
        names: /unknown property "tokn" in connection.*did you mean "token"/,
        allowed: ["baseUrl", "token", "caCertificate", "allowInsecureHttp"],
    },
    // GiteaToken
    {
        resource: "GiteaToken",
        what: "misspelt scope",
        inputs: { scopes: ["read:repo"] },
        property: "scopes",
        names: /scope "read:repo".*did you mean "read:repository"/,
        allowed: GITEA_CATEGORIES,
    },
    {
        resource: "GiteaToken",
        what: "unknown scope category",
        inputs: { scopes: ["write:everything"] },
        property: "scopes",
        names: /unknown scope "write:everything"/,
        allowed: GITEA_CATEGORIES,
    },
    {
        resource: "GiteaToken",
        what: "no scopes",
        inputs: { scopes: [] },
        property: "scopes",
        names: /scopes must not be empty/,
        allowed: GITEA_CATEGORIES,
    },
    {
        resource: "GiteaToken",
        what: "empty name",
        inputs: { name: "" },
        property: "name",
        names: /name must not be empty/,
    },
    {
        resource: "GiteaToken",
        what: "user name with a space",
        inputs: { username: "bob smith" },
        property: "username",
        names: /username must be a Gitea user name/,
    },
    {
        resource: "GiteaToken",
        what: "rotate strategy (Gitea has no rotate API)",
        inputs: { rotation: { strategy: "rotate" } },
        property: "rotation",
        names: /strategy "rotate".*Gitea.*"overlap"/,
    },
    {
        resource: "GiteaToken",
        what: "zero-day lifetime",
        inputs: { rotation: { expiresInDays: 0 } },
        property: "rotation",
        names: /expiresInDays must be at least 1/,
    },
    {
        resource: "GiteaToken",
        what: "OTP that is not a code",
        inputs: { connection: { otp: "12ab" } },
        property: "connection",
        names: /otp.*6-digit/,
    },
    {
        resource: "GiteaToken",
        what: "missing password",
        config: { "gitea:password": undefined },
        property: "connection",
        names: /gitea:password.*GITEA_PASSWORD.*connection\.password/,
    },
    {
        resource: "GiteaToken",
        what: "missing base URL (no public default)",
        config: { "gitea:baseUrl": undefined },
        property: "connection",
        names: /gitea:baseUrl.*GITEA_BASE_URL/,
    },
    {
        resource: "GiteaToken",
        what: "http:// base URL to a remote host",
        config: { "gitea:baseUrl": "http://gitea.internal:3000" },
        property: "connection",
        names: /baseUrl.*http:\/\/.*gitea:allowInsecureHttp/,
    },
    // CodacyRepoToken
    {
        resource: "CodacyRepoToken",
        what: "git provider spelt out",
        inputs: { provider: "github" },
        property: "provider",
        names: /provider must be one of/,
        allowed: CODACY_PROVIDERS,
    },
    {
        resource: "CodacyRepoToken",
        what: "git provider in capitals",
        inputs: { provider: "GH" },
        property: "provider",
        names: /provider must be one of/,
        allowed: CODACY_PROVIDERS,
    },
    {
        resource: "CodacyRepoToken",
        what: "organization with a space",
        inputs: { organization: "my org" },
        property: "organization",
        names: /organization must be a single name/,
    },
    {
        resource: "CodacyRepoToken",
        what: "repository with a slash",
        inputs: { repository: "acme/repo-001" },
        property: "repository",
        names: /repository must be a single name/,
    },
    {
        resource: "CodacyRepoToken",
        what: "empty repository",
        inputs: { repository: "" },
        property: "repository",
        names: /repository must not be empty/,
    },
    {
        resource: "CodacyRepoToken",
        what: "rotateBeforeDays > expiresInDays",
        inputs: { rotation: { expiresInDays: 30, rotateBeforeDays: 45 } },
        property: "rotation",
        names: /rotateBeforeDays must be smaller than expiresInDays/,
    },
    {
        resource: "CodacyRepoToken",
        what: "unknown extra property",
        inputs: { repo: "repo-001" },
        property: "repo",
        names: /unknown property "repo"/,
        allowed: ["provider", "organization", "repository"],
    },
    {
        resource: "CodacyRepoToken",
        what: "missing API token",
        config: { "codacy:apiToken": undefined },
        property: "connection",
        names: /codacy:apiToken.*CODACY_API_TOKEN/,
    },
    {
        resource: "CodacyRepoToken",
        what: "base URL that is not a URL (stack config)",
        config: { "codacy:baseUrl": "app.codacy.com" },
        property: "connection",
        names: /codacy baseUrl.*absolute URL/,
    },
    // QoveryGitToken
    {
        resource: "QoveryGitToken",
        what: "organizationId that is not a UUID",
        inputs: { organizationId: "acme" },
        property: "organizationId",
        names: /organizationId must be the organization's UUID/,
    },
    {
        resource: "QoveryGitToken",
        what: "git provider Qovery does not support",
        inputs: { type: "GITEA" },
        property: "type",
        names: /type must be one of/,
        allowed: QOVERY_TYPES,
    },
    {
        resource: "QoveryGitToken",
        what: "git provider in lower case",
        inputs: { type: "gitlab" },
        property: "type",
        names: /type must be one of/,
        allowed: QOVERY_TYPES,
    },
    {
        resource: "QoveryGitToken",
        what: "BITBUCKET without workspace",
        inputs: { type: "BITBUCKET" },
        property: "workspace",
        names: /workspace is required when type is BITBUCKET/,
    },
    {
        resource: "QoveryGitToken",
        what: "empty git token",
        inputs: { token: "" },
        property: "token",
        names: /token must not be empty/,
    },
    {
        resource: "QoveryGitToken",
        what: "git token given as a list",
        inputs: { token: ["git-provider-token"] },
        property: "token",
        names: /token must be the git provider's token/,
    },
    {
        resource: "QoveryGitToken",
        what: "missing git token",
        inputs: { token: undefined },
        property: "token",
        names: /token must be the git provider's token/,
    },
    {
        resource: "QoveryGitToken",
        what: "over-long name",
        inputs: { name: "q".repeat(300) },
        property: "name",
        names: /name must be at most 255/,
    },
    {
        resource: "QoveryGitToken",
        what: "gitApiUrl that is not a URL",
        inputs: { gitApiUrl: "gitlab.example.com" },
        property: "gitApiUrl",
        names: /gitApiUrl must be an absolute URL/,
    },
    {
        resource: "QoveryGitToken",
        what: "allowDeleteWhileInUse as a string",
        inputs: { allowDeleteWhileInUse: "yes" },
        property: "allowDeleteWhileInUse",
        names: /allowDeleteWhileInUse.*boolean/,
    },
    {
        resource: "QoveryGitToken",
        what: "adopt.gitTokenId that is not a UUID",
        inputs: { adopt: { gitTokenId: "abc" } },
        property: "adopt",
        names: /gitTokenId must be the git token's UUID/,
    },
    {
        resource: "QoveryGitToken",
        what: "missing API token",
        config: { "qovery:apiToken": undefined },
        property: "connection",
        names: /qovery:apiToken.*QOVERY_API_TOKEN/,
    },
    {
        resource: "QoveryGitToken",
        what: "http:// base URL to a remote host",
        inputs: { connection: { baseUrl: "http://api.qovery.internal" } },
        property: "connection",
        names: /baseUrl.*http:\/\/.*allowInsecureHttp/,
    },
];
export function merged<T extends Record<string, unknown>>(base: T, changes: Record<string, unknown> | undefined): T {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(changes ?? {})) {
        if (value === undefined) {
            delete out[key];
        } else {
            out[key] = value;
        }
    }
    return out as T;
}
