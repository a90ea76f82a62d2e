// Tokens declared through the generated Node.js SDK of the native provider plugin (sdk/generated/nodejs), not
// through this package's hand-written dynamic resources: every resource is served by pulumi-resource-accesstokens.
// test/e2e/generated-sdks.test.ts compiles the SDK and this program and installs the SDK under node_modules.
import * as accesstokens from "@pulumi-access-tokens/accesstokens";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();

const project = new accesstokens.gitlab.ProjectAccessToken("project", {
    project: "acme/web",
    name: "deploy",
    scopes: ["read_api"],
});
const group = new accesstokens.gitlab.GroupAccessToken("group", {
    group: "acme",
    name: "bot",
    scopes: ["read_api"],
    accessLevel: "developer",
});
const gitea = new accesstokens.gitea.GiteaToken("gitea", { name: "ci", scopes: ["read:repository"] });
const codacy = new accesstokens.codacy.CodacyRepoToken("codacy", {
    provider: accesstokens.types.enums.codacy.CodacyRepoTokenProvider.Gh,
    organization: "acme",
    repository: "repo-001",
});
// The GitLab token's value feeds the Qovery git token.
const qovery = new accesstokens.qovery.QoveryGitToken("qovery", {
    organizationId: config.require("qoveryOrganizationId"),
    name: "gitlab",
    type: "GITLAB",
    token: project.token,
});

export const ids = {
    project: project.tokenId,
    group: group.tokenId,
    gitea: gitea.tokenId,
    codacy: codacy.tokenId,
    qovery: qovery.gitTokenId,
};
export const values = { project: project.token, group: group.token, gitea: gitea.token, codacy: codacy.token };
