// A Qovery organization API token for a CI pipeline, acting with a role that may deploy (DevOps by default:
// `pulumi config set qoveryRoleId <uuid>`, see Settings → Roles in the Qovery console). Qovery shows its value
// once; it is kept as a secret output, and here it is the credential of a git token managed in the same stack,
// as a pipeline would use it. Bump `rotationTrigger` to replace it on demand.
import * as pulumi from "@pulumi/pulumi";
import { ProjectAccessToken, QoveryApiToken, QoveryGitToken } from "pulumi-access-tokens";

const config = new pulumi.Config();
const organizationId = config.require("qoveryOrganizationId");

const ci = new QoveryApiToken("ci", {
    organizationId,
    // Names are unique in the organization: the stack name keeps two stacks apart.
    name: `ci-deploy-${pulumi.getStack()}`,
    description: "Deploys from the CI pipeline",
    roleId: config.require("qoveryRoleId"),
    rotation: { expiresInDays: 90, rotateBeforeDays: 14 },
    rotationTrigger: config.get("rotationTrigger") ?? "initial",
});

const pull = new ProjectAccessToken("pull", {
    project: config.get("gitlabProject") ?? "acme/web",
    name: `qovery-ci-pull-${pulumi.getStack()}`,
    scopes: ["read_repository", "read_api"],
    accessLevel: "reporter",
});

// Managed with the new API token rather than the stack's own Qovery credential.
const git = new QoveryGitToken("ci-git", {
    organizationId,
    name: `gitlab-ci-${pulumi.getStack()}`,
    type: "GITLAB",
    token: pull.token,
    connection: { apiToken: ci.token },
});

export const apiTokenId = ci.apiTokenId;
export const apiToken = ci.token;
export const roleName = ci.roleName;
export const renewBy = ci.renewBy;
export const gitTokenId = git.gitTokenId;
