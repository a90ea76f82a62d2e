/**
 * pulumi-access-tokens: access tokens of GitLab, Gitea, Codacy and Qovery as declared, reconciled Pulumi state.
 * @packageDocumentation
 */
export * from "./codacy";
export * from "./codacyOrganization";
export type { ConnectionArgs, RotationArgs } from "./common";
export * from "./gitea";
export * from "./gitlab";
export * from "./gitlabDeploy";
export * from "./gitlabTrigger";
export * from "./qovery";
