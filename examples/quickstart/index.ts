// One token of each kind, wired the way people use them: a GitLab project token feeds a Qovery git token.
// Credentials and base URLs come from stack config (`pulumi config set --secret gitlab:token …`) or the
// environment; `npm run demo` points everything at the local sandbox.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
    CodacyRepoToken,
    DeployToken,
    GiteaToken,
    GroupAccessToken,
    PersonalAccessToken,
    ProjectAccessToken,
    QoveryGitToken,
} from "pulumi-access-tokens";

const config = new pulumi.Config();
const gitlabProject = config.get("gitlabProject") ?? "acme/web";
const gitlabGroup = config.get("gitlabGroup") ?? "acme";
const codacyOrganization = config.get("codacyOrganization") ?? "acme";
const codacyRepository = config.get("codacyRepository") ?? "repo-001";
const qoveryOrganizationId = config.require("qoveryOrganizationId");
// A service account of the group (GitLab Premium): its token is made with the group Owner's credential.
const gitlabServiceAccountId = config.getNumber("gitlabServiceAccountId");
const gitlabBaseUrl = new pulumi.Config("gitlab").get("baseUrl") ?? "https://gitlab.com";

// A random suffix keeps token names unique per stack.
const suffix = new random.RandomPet("suffix", { length: 2 });

const deploy = new ProjectAccessToken("deploy", {
    project: gitlabProject,
    name: pulumi.interpolate`deploy-${suffix.id}`,
    description: "Read access for Qovery builds",
    scopes: ["read_api", "read_repository"],
    accessLevel: "reporter",
    rotation: { expiresInDays: 90, rotateBeforeDays: 14 },
});

const groupBot = new GroupAccessToken("group-bot", {
    group: gitlabGroup,
    name: pulumi.interpolate`group-bot-${suffix.id}`,
    scopes: ["read_api"],
    accessLevel: "developer",
});

// Only with a service account configured: registry pulls as the account, rotated in place every 90 days.
const registryBot =
    gitlabServiceAccountId === undefined
        ? undefined
        : new PersonalAccessToken("registry-bot", {
              serviceAccount: { group: gitlabGroup, userId: gitlabServiceAccountId },
              name: pulumi.interpolate`registry-${suffix.id}`,
              description: "Pulls images for deployments",
              scopes: ["read_registry"],
              rotation: { expiresInDays: 90, rotateBeforeDays: 14, strategy: "rotate" },
          });

// A deploy token for a cluster pulling the project's images: renewed (replaced) 9 days before its 90 are up.
const registryPull = new DeployToken("registry-pull", {
    project: gitlabProject,
    name: pulumi.interpolate`registry-pull-${suffix.id}`,
    scopes: ["read_registry"],
    rotation: { expiresInDays: 90 },
});

const giteaCi = new GiteaToken("gitea-ci", {
    name: pulumi.interpolate`ci-${suffix.id}`,
    scopes: ["read:repository", "read:user"],
});

const coverage = new CodacyRepoToken("coverage", {
    provider: "gh",
    organization: codacyOrganization,
    repository: codacyRepository,
});

const qoveryGit = new QoveryGitToken("qovery-git", {
    organizationId: qoveryOrganizationId,
    name: pulumi.interpolate`gitlab-${suffix.id}`,
    type: "GITLAB",
    token: deploy.token,
    gitApiUrl: `${gitlabBaseUrl.replace(/\/+$/, "").replace(/\/api\/v4$/, "")}/api/v4`,
    description: "Pulls code with the deploy project token",
});

export const deployTokenId = deploy.tokenId;
export const deployToken = deploy.token;
export const deployExpiresAt = deploy.expiresAt;
export const groupBotTokenId = groupBot.tokenId;
export const registryBotTokenId = registryBot?.tokenId;
export const registryPullUsername = registryPull.username;
export const registryPullToken = registryPull.token;
export const giteaTokenId = giteaCi.tokenId;
export const giteaTokenLastEight = giteaCi.tokenLastEight;
export const codacyTokenId = coverage.tokenId;
export const codacyToken = coverage.token;
export const qoveryGitTokenId = qoveryGit.gitTokenId;
