// The program of the upgrade fixtures: one stack holding every resource kind and every way of configuring
// one, as a user wrote it against the released version. A fixture keeps its own copy: a user's program does
// not change when the package is upgraded.
import * as pulumi from "@pulumi/pulumi";
import * as tokens from "pulumi-access-tokens";

const config = new pulumi.Config();
const gitlab = new pulumi.Config("gitlab");

// Credentials from stack config (gitlab:baseUrl, gitlab:token); renewed 7 days before a 30-day expiry, and
// on demand by changing `deployRotation`.
const deploy = new tokens.ProjectAccessToken("deploy", {
    project: "acme/web",
    name: "deploy",
    scopes: ["read_api"],
    rotation: { expiresInDays: 30, rotateBeforeDays: 7 },
    rotationTrigger: config.require("deployRotation"),
});

// Per-resource connection (group tokens need an Owner), rotated in place through GitLab's rotate API.
const ci = new tokens.GroupAccessToken("ci", {
    group: "acme",
    name: "ci",
    scopes: ["read_api", "read_repository"],
    accessLevel: "developer",
    description: "CI reads the group",
    rotation: { expiresInDays: 90, rotateBeforeDays: 14, strategy: "rotate" },
    connection: { baseUrl: gitlab.require("baseUrl"), token: config.requireSecret("gitlabOwnerToken") },
});

// A token created by hand before this stack existed, taken over with `adopt`.
const legacy = new tokens.ProjectAccessToken("legacy", {
    project: 101,
    name: "legacy",
    scopes: ["read_repository"],
    adopt: { tokenId: config.requireNumber("legacyTokenId") },
});

const gitea = new tokens.GiteaToken("gitea", { name: "deploy", scopes: ["read:repository", "read:user"] });

const codacy = new tokens.CodacyRepoToken("codacy", { provider: "gh", organization: "acme", repository: "repo-001" });

// Qovery holds the GitLab deploy token: a rotation of `deploy` updates it in the same `up`. `gitApiUrl` is
// given because in 0.1.0 a refresh copies Qovery's default into the state and the next `up` reports a change
// (a known issue, unrelated to upgrades, that would hide what this fixture checks).
const qovery = new tokens.QoveryGitToken("qovery", {
    organizationId: config.require("qoveryOrganizationId"),
    name: "gitlab-deploy",
    type: "GITLAB",
    token: deploy.token,
    gitApiUrl: "https://gitlab.com/api/v4",
});

const organization = new tokens.CodacyOrganizationRepoTokens("acme-bb", {
    provider: "bb",
    organization: "acme-bb",
    exclude: ["bb-repo-07"],
});

export const ids = {
    deploy: deploy.tokenId,
    ci: ci.tokenId,
    legacy: legacy.tokenId,
    gitea: gitea.tokenId,
    codacy: codacy.tokenId,
    qovery: qovery.gitTokenId,
};
export const organizationTokenIds = organization.tokenIds;
