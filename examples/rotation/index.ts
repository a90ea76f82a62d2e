// A GitLab project token renewed before it lapses, feeding a Qovery git token. With the default `overlap`
// strategy the new token is created, Qovery is updated with it, and only then is the old token revoked.
// Bump `rotationTrigger` (pulumi config set rotationTrigger 2026-12) to rotate on demand.
import * as pulumi from "@pulumi/pulumi";
import { ProjectAccessToken, QoveryGitToken } from "pulumi-access-tokens";

const config = new pulumi.Config();
const strategy = (config.get("strategy") ?? "overlap") as "overlap" | "rotate";

const pull = new ProjectAccessToken("pull", {
    project: config.get("gitlabProject") ?? "acme/web",
    name: config.get("tokenName") ?? `qovery-pull-${pulumi.getStack()}`,
    scopes: ["read_repository", "read_api"],
    accessLevel: "reporter",
    rotation: { expiresInDays: 30, rotateBeforeDays: 7, strategy },
    rotationTrigger: config.get("rotationTrigger") ?? "initial",
});

const qovery = new QoveryGitToken("qovery-pull", {
    organizationId: config.require("qoveryOrganizationId"),
    name: `gitlab-pull-${pulumi.getStack()}`,
    type: "GITLAB",
    token: pull.token,
});

export const tokenId = pull.tokenId;
export const expiresAt = pull.expiresAt;
export const gitTokenId = qovery.gitTokenId;
