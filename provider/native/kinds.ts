// The resources of the native provider plugin: each is one of the lifecycles the dynamic resources use,
// under a Pulumi type token, with the zod input schema the lifecycle validates with.
import type { z } from "zod";
import { codacyTokenInputsSchema } from "../codacy/inputs";
import { giteaTokenInputsSchema } from "../gitea/inputs";
import {
    deployTokenInputsSchema,
    groupTokenInputsSchema,
    personalTokenInputsSchema,
    pipelineTriggerInputsSchema,
    projectTokenInputsSchema,
} from "../gitlab/inputs";
import { qoveryApiTokenInputsSchema, qoveryTokenInputsSchema } from "../qovery/inputs";
import type { ResourceKind } from "../types";

/** The Pulumi package name: type tokens are `accesstokens:<service>:<Kind>`. */
export const PACKAGE_NAME = "accesstokens";

export interface OutputSpec {
    type: "string" | "integer" | "boolean" | "array";
    items?: "string";
    description: string;
    secret?: boolean;
    /** Present on every token (the schema's `required`). */
    always?: boolean;
}

export interface NativeKind {
    token: string;
    kind: ResourceKind;
    description: string;
    inputs: z.ZodObject;
    inputDescriptions: Record<string, string>;
    /** Inputs stored encrypted: credentials, and values the token feeds on. */
    secretInputs: readonly string[];
    /** Inputs whose change replaces the token (the lifecycle's diff says the same at run time). */
    replaceOnChanges: readonly string[];
    /** Outputs beyond the inputs. */
    outputs: Record<string, OutputSpec>;
}

const COMMON_INPUTS: Record<string, string> = {
    name: "Token name.",
    scopes: "Scopes granted to the token.",
    connection:
        "Per-resource connection settings (base URL, credentials), overriding the provider configuration. Stored encrypted.",
    rotation: "Periodic renewal: `expiresInDays`, `rotateBeforeDays` and, on GitLab, `strategy` (overlap | rotate).",
    rotationTrigger: "Any change of this value renews the token.",
    adopt: "Take over an existing token by id instead of creating one.",
    description: "Free text kept with the token on the service.",
};

const INSTANCE: OutputSpec = {
    type: "string",
    description: "The API root the token was created on; reads, rotations and revocations go there.",
    always: true,
};

const TOKEN_VALUE: OutputSpec = { type: "string", description: "The token value.", secret: true, always: true };
const RENEW_BY: OutputSpec = { type: "string", description: "Renewal date kept by this package (with `rotation`)." };

function tokenIdOf(service: string): OutputSpec {
    return { type: "integer", description: `${service}'s id of the token.`, always: true };
}

const GITLAB_OUTPUTS: Record<string, OutputSpec> = {
    apiUrl: INSTANCE,
    tokenId: tokenIdOf("GitLab"),
    token: TOKEN_VALUE,
    active: { type: "boolean", description: "Whether GitLab reports the token active." },
    revoked: { type: "boolean", description: "Whether GitLab reports the token revoked." },
    userId: { type: "integer", description: "The bot user behind the token." },
    createdAt: { type: "string", description: "When the token was created." },
};

function gitLabKind(parent: "project" | "group"): NativeKind {
    const Kind = parent === "project" ? "ProjectAccessToken" : "GroupAccessToken";
    return {
        token: `${PACKAGE_NAME}:gitlab:${Kind}`,
        kind: Kind,
        description: `A GitLab ${parent} access token (\`/${parent}s/:id/access_tokens\`).`,
        inputs: parent === "project" ? projectTokenInputsSchema : groupTokenInputsSchema,
        inputDescriptions: {
            ...COMMON_INPUTS,
            [parent]: `The ${parent}: a numeric id or its full path.`,
            accessLevel:
                "Role of the token's bot user: guest, planner, reporter, developer, maintainer, owner (or 10-50).",
            expiresAt: GITLAB_EXPIRY,
        },
        secretInputs: ["connection"],
        replaceOnChanges: [parent, "name", "scopes", "accessLevel", "description", "expiresAt"],
        outputs: GITLAB_OUTPUTS,
    };
}

const GITLAB_EXPIRY = "Expiry date (YYYY-MM-DD); without it `rotation.expiresInDays` (default 365) decides.";

export const NATIVE_KINDS: readonly NativeKind[] = [
    gitLabKind("project"),
    gitLabKind("group"),
    {
        token: `${PACKAGE_NAME}:gitlab:PersonalAccessToken`,
        kind: "PersonalAccessToken",
        description:
            "A GitLab personal access token of a user (created by an administrator) or of a group's service account.",
        inputs: personalTokenInputsSchema,
        inputDescriptions: {
            ...COMMON_INPUTS,
            userId: "The user's numeric id (needs an administrator's credential). Exactly one of userId, serviceAccount.",
            serviceAccount: "`{ group, userId }`: a service account of the group (needs the group's Owner).",
            expiresAt: GITLAB_EXPIRY,
        },
        secretInputs: ["connection"],
        replaceOnChanges: ["userId", "serviceAccount", "name", "scopes", "description", "expiresAt"],
        outputs: GITLAB_OUTPUTS,
    },
    {
        token: `${PACKAGE_NAME}:gitea:GiteaToken`,
        kind: "GiteaToken",
        description: "A Gitea (or Forgejo) user access token (`/api/v1/users/:name/tokens`).",
        inputs: giteaTokenInputsSchema,
        inputDescriptions: {
            ...COMMON_INPUTS,
            username: "Owner of the token; defaults to the signed-in user.",
        },
        secretInputs: ["connection"],
        replaceOnChanges: ["username", "name", "scopes"],
        outputs: {
            apiUrl: INSTANCE,
            owner: { type: "string", description: "The token's owner as resolved at creation.", always: true },
            tokenId: tokenIdOf("Gitea"),
            token: TOKEN_VALUE,
            tokenLastEight: { type: "string", description: "Last eight characters of the value." },
            grantedScopes: { type: "array", items: "string", description: "Scopes as Gitea stored them." },
            createdAt: { type: "string", description: "When the token was created." },
            renewBy: RENEW_BY,
        },
    },
    {
        token: `${PACKAGE_NAME}:codacy:CodacyRepoToken`,
        kind: "CodacyRepoToken",
        description: "A Codacy repository API token.",
        inputs: codacyTokenInputsSchema,
        inputDescriptions: {
            ...COMMON_INPUTS,
            provider: "Git provider of the organization: gh, gl, bb, ghe, gle, bbe.",
            organization: "Organization name on the git provider.",
            repository: "Repository name.",
        },
        secretInputs: ["connection"],
        replaceOnChanges: ["provider", "organization", "repository"],
        outputs: {
            apiUrl: INSTANCE,
            tokenId: tokenIdOf("Codacy"),
            token: TOKEN_VALUE,
            expiresAt: { type: "string", description: "Expiry Codacy reports, if any." },
            renewBy: RENEW_BY,
        },
    },
    {
        token: `${PACKAGE_NAME}:qovery:QoveryGitToken`,
        kind: "QoveryGitToken",
        description: "A git provider token stored in a Qovery organization.",
        inputs: qoveryTokenInputsSchema,
        inputDescriptions: {
            ...COMMON_INPUTS,
            organizationId: "The Qovery organization's UUID.",
            type: "Git provider: GITHUB, GITLAB or BITBUCKET.",
            token: "The git provider's token Qovery uses. Stored encrypted.",
            workspace: "Bitbucket workspace (required with BITBUCKET).",
            gitApiUrl: "API URL of a self-hosted git provider.",
            allowDeleteWhileInUse: "Delete the git token even while Qovery services use it.",
            adopt: "Take over an existing git token by `gitTokenId`.",
        },
        secretInputs: ["connection", "token"],
        replaceOnChanges: ["organizationId", "type"],
        outputs: {
            apiUrl: INSTANCE,
            gitTokenId: { type: "string", description: "Qovery's id of the git token.", always: true },
            createdAt: { type: "string", description: "When the git token was created." },
            updatedAt: { type: "string", description: "When the git token was last updated." },
            expiredAt: { type: "string", description: "Expiry Qovery reports, if any." },
            associatedServicesCount: { type: "integer", description: "Qovery services using the git token." },
        },
    },
    {
        token: `${PACKAGE_NAME}:gitlab:DeployToken`,
        kind: "DeployToken",
        description: "A GitLab project or group deploy token (git and registry access as `username` + `token`).",
        inputs: deployTokenInputsSchema,
        inputDescriptions: {
            ...COMMON_INPUTS,
            project: "The project (numeric id or full path). Exactly one of project, group.",
            group: "The group (numeric id or full path). Exactly one of project, group.",
            scopes: "Deploy token scopes, e.g. read_registry, read_repository.",
            expiresAt: "Expiry date (YYYY-MM-DD); without it `rotation.expiresInDays`, else never.",
            username: "The token's username; GitLab's `gitlab+deploy-token-<id>` when omitted.",
        },
        secretInputs: ["connection"],
        replaceOnChanges: ["project", "group", "name", "scopes", "expiresAt", "username"],
        outputs: {
            apiUrl: INSTANCE,
            tokenId: tokenIdOf("GitLab"),
            token: TOKEN_VALUE,
            createdAt: { type: "string", description: "When the token was created." },
        },
    },
    {
        token: `${PACKAGE_NAME}:gitlab:PipelineTriggerToken`,
        kind: "PipelineTriggerToken",
        description: "A GitLab project's pipeline trigger token; its description is edited in place.",
        inputs: pipelineTriggerInputsSchema,
        inputDescriptions: {
            ...COMMON_INPUTS,
            project: "The project (numeric id or full path).",
            description: "What the trigger is for (1-200 characters); edited in place.",
        },
        secretInputs: ["connection"],
        replaceOnChanges: ["project"],
        outputs: {
            apiUrl: INSTANCE,
            tokenId: tokenIdOf("GitLab"),
            token: TOKEN_VALUE,
            ownerUsername: { type: "string", description: "The credential's user, who owns the trigger." },
            createdAt: { type: "string", description: "When the trigger was created." },
            lastUsed: { type: "string", description: "When the trigger was last used." },
            renewBy: RENEW_BY,
        },
    },
    {
        token: `${PACKAGE_NAME}:qovery:QoveryApiToken`,
        kind: "QoveryApiToken",
        description: "A Qovery organization API token (the credential a CI pipeline deploys with).",
        inputs: qoveryApiTokenInputsSchema,
        inputDescriptions: {
            ...COMMON_INPUTS,
            organizationId: "The Qovery organization's UUID.",
            roleId: "UUID of the organization role the token acts with.",
            adopt: "Take over an existing API token by `apiTokenId` (its value stays empty until replaced).",
        },
        secretInputs: ["connection"],
        replaceOnChanges: ["organizationId", "name", "description", "roleId"],
        outputs: {
            apiUrl: INSTANCE,
            apiTokenId: { type: "string", description: "Qovery's id of the API token.", always: true },
            token: TOKEN_VALUE,
            roleName: { type: "string", description: "The role's name." },
            createdAt: { type: "string", description: "When the API token was created." },
            renewBy: RENEW_BY,
        },
    },
];

export function nativeKindOf(typeToken: string): NativeKind | undefined {
    return NATIVE_KINDS.find((kind) => kind.token === typeToken);
}
