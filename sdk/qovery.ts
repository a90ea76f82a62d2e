import type * as pulumi from "@pulumi/pulumi";
import { type ConnectionArgs, ownerInput, type RotationArgs, secretInput, withSecretOutputs } from "./common";
import qoveryApiTokenProvider = require("./providers/QoveryApiToken");
import qoveryGitTokenProvider = require("./providers/QoveryGitToken");
import { TokenResource } from "./tokenResource";

export type QoveryGitProvider = "GITHUB" | "GITLAB" | "BITBUCKET";

/** How to reach Qovery, overriding stack config (`qovery:baseUrl`, `qovery:apiToken`) and the environment. */
export interface QoveryConnectionArgs extends ConnectionArgs {
    /** Organization API token (sent as `Token …`) or a console JWT (sent as `Bearer …`). Stored encrypted. */
    apiToken?: pulumi.Input<string>;
}

export interface QoveryGitTokenArgs {
    /** The Qovery organization's UUID. Changing it replaces the git token. */
    organizationId: pulumi.Input<string>;
    /** Display name. Updated in place. */
    name: pulumi.Input<string>;
    /** Git provider of the token. Changing it replaces the git token. */
    type: pulumi.Input<QoveryGitProvider>;
    /**
     * The git provider's token, e.g. a {@link ProjectAccessToken}'s `token`. Made secret. A new value (a rotated
     * token) updates the git token in place.
     */
    token: pulumi.Input<string>;
    /** Free text. Updated in place. */
    description?: pulumi.Input<string>;
    /** Bitbucket workspace slug; required when `type` is `BITBUCKET`. Updated in place. */
    workspace?: pulumi.Input<string>;
    /** API URL of a self-hosted git provider, e.g. `https://gitlab.example.com/api/v4`. Updated in place. */
    gitApiUrl?: pulumi.Input<string>;
    /** Per-resource connection settings; made secret. */
    connection?: pulumi.Input<QoveryConnectionArgs>;
    /** Delete the git token on destroy even if services still use it (they will fail to deploy). Default false. */
    allowDeleteWhileInUse?: pulumi.Input<boolean>;
    /** Take over an existing git token by id: it is updated with these inputs (including `token`). */
    adopt?: pulumi.Input<{ gitTokenId: pulumi.Input<string> }>;
}

/**
 * A Qovery organization git token (`/organization/:id/gitToken`): the credential Qovery uses to pull code.
 * Unlike the other kinds it updates in place (`PUT`), so feeding it a rotated token keeps its id.
 */
export class QoveryGitToken extends TokenResource {
    declare readonly organizationId: pulumi.Output<string>;
    declare readonly name: pulumi.Output<string>;
    declare readonly type: pulumi.Output<QoveryGitProvider>;
    declare readonly description: pulumi.Output<string | undefined>;
    declare readonly workspace: pulumi.Output<string | undefined>;
    declare readonly gitApiUrl: pulumi.Output<string | undefined>;
    /**
     * The instance the token lives on: the API root it was created on (for GitLab e.g. `https://gitlab.example.com/api/v4`).
     * Reads, rotations and revocations go there whatever the configuration says later; a different configured
     * instance replaces the token (see the README, "Moving to another instance").
     */
    declare readonly apiUrl: pulumi.Output<string>;
    /** Qovery's id of the git token. */
    declare readonly gitTokenId: pulumi.Output<string>;
    declare readonly createdAt: pulumi.Output<string>;
    declare readonly updatedAt: pulumi.Output<string | undefined>;
    /** When the git provider's token expires, as Qovery reports it. */
    declare readonly expiredAt: pulumi.Output<string | undefined>;
    /** How many Qovery services use this git token. */
    declare readonly associatedServicesCount: pulumi.Output<number>;

    constructor(name: string, args: QoveryGitTokenArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            qoveryGitTokenProvider,
            name,
            {
                organizationId: args.organizationId,
                name: args.name,
                type: args.type,
                token: secretInput(args.token),
                description: args.description,
                workspace: args.workspace,
                gitApiUrl: args.gitApiUrl,
                connection: secretInput(args.connection),
                allowDeleteWhileInUse: args.allowDeleteWhileInUse,
                adopt: args.adopt,
                ...ownerInput(name, "qovery", "QoveryGitToken", opts),
                gitTokenId: undefined,
                apiUrl: undefined,
                createdAt: undefined,
                updatedAt: undefined,
                expiredAt: undefined,
                associatedServicesCount: undefined,
            },
            withSecretOutputs(opts, ["token"]),
            "qovery",
            "QoveryGitToken",
        );
    }
}

export interface QoveryApiTokenArgs {
    /** The Qovery organization's UUID. Changing it replaces the API token. */
    organizationId: pulumi.Input<string>;
    /**
     * Token name, unique in the organization. Changing it replaces the API token. A replacement that keeps the
     * name deletes the old token first (Qovery refuses a second token of the same name).
     */
    name: pulumi.Input<string>;
    /** Free text, shown followed by the ownership mark. Changing it replaces the API token. */
    description?: pulumi.Input<string>;
    /**
     * UUID of the organization role the token acts with (Qovery's "List organization custom roles"; built-in
     * roles such as Admin or DevOps have one too). Changing it replaces the API token.
     */
    roleId: pulumi.Input<string>;
    /** Per-resource connection settings; made secret. */
    connection?: pulumi.Input<QoveryConnectionArgs>;
    /**
     * Periodic renewal. Qovery API tokens never expire: with `expiresInDays` this package keeps a renewal date
     * (`renewBy`) and replaces the token when it is due. Only the `overlap` strategy exists for Qovery.
     */
    rotation?: pulumi.Input<Omit<RotationArgs, "strategy">>;
    /** Any change of this value replaces the API token. */
    rotationTrigger?: pulumi.Input<string>;
    /**
     * Take over an existing API token by id. Qovery never shows a token's value again: `token` is empty until the
     * token is next replaced (e.g. by changing `rotationTrigger`).
     */
    adopt?: pulumi.Input<{ apiTokenId: pulumi.Input<string> }>;
}

/**
 * A Qovery organization API token (`/organization/:id/apiToken`): the credential a CI pipeline deploys on
 * Qovery with. Qovery cannot edit one, so every change of its inputs replaces it; its value is shown only once.
 */
export class QoveryApiToken extends TokenResource {
    declare readonly organizationId: pulumi.Output<string>;
    declare readonly name: pulumi.Output<string>;
    declare readonly description: pulumi.Output<string | undefined>;
    declare readonly roleId: pulumi.Output<string>;
    /**
     * The instance the token lives on: the API root it was created on (for GitLab e.g. `https://gitlab.example.com/api/v4`).
     * Reads, rotations and revocations go there whatever the configuration says later; a different configured
     * instance replaces the token (see the README, "Moving to another instance").
     */
    declare readonly apiUrl: pulumi.Output<string>;
    /** Qovery's id of the API token. */
    declare readonly apiTokenId: pulumi.Output<string>;
    /** The token value, to send as `Authorization: Token …`. Secret: stored encrypted. Empty when adopted. */
    declare readonly token: pulumi.Output<string>;
    /** The role's name, as Qovery reports it. */
    declare readonly roleName: pulumi.Output<string | undefined>;
    /** When Qovery created the token, ISO 8601. */
    declare readonly createdAt: pulumi.Output<string>;
    /** Renewal date kept by this package when `rotation.expiresInDays` is set (YYYY-MM-DD). */
    declare readonly renewBy: pulumi.Output<string | undefined>;

    constructor(name: string, args: QoveryApiTokenArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            qoveryApiTokenProvider,
            name,
            {
                organizationId: args.organizationId,
                name: args.name,
                description: args.description,
                roleId: args.roleId,
                connection: secretInput(args.connection),
                rotation: args.rotation,
                rotationTrigger: args.rotationTrigger,
                adopt: args.adopt,
                ...ownerInput(name, "qovery", "QoveryApiToken", opts),
                apiUrl: undefined,
                apiTokenId: undefined,
                token: undefined,
                roleName: undefined,
                createdAt: undefined,
                renewBy: undefined,
            },
            withSecretOutputs(opts, ["token"]),
            "qovery",
            "QoveryApiToken",
        );
    }
}
