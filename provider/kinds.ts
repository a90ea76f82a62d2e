// Kept free of imports on purpose: the public SDK's type declarations (dist/sdk/*.d.ts) import this, and what it
// imported would be type-checked in every TypeScript program on each `pulumi up`.

/** The resource kinds this package implements. */
export type ResourceKind =
    | "ProjectAccessToken"
    | "GroupAccessToken"
    | "GiteaToken"
    | "CodacyRepoToken"
    | "QoveryGitToken"
    | "PersonalAccessToken"
    | "QoveryApiToken"
    | "DeployToken"
    | "PipelineTriggerToken";
