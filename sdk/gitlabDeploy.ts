import type * as pulumi from "@pulumi/pulumi";
import type { DEPLOY_TOKEN_SCOPES } from "../provider/gitlab/vocabulary";
import { ownerInput, type RotationArgs, secretInput, withSecretOutputs } from "./common";
import type { GitLabConnectionArgs } from "./gitlab";
import deployTokenProvider = require("./providers/DeployToken");
import { TokenResource } from "./tokenResource";

/** A scope GitLab grants deploy tokens. */
export type DeployTokenScope = (typeof DEPLOY_TOKEN_SCOPES)[number];

export interface DeployTokenArgs {
    /** The project: numeric id or full path. Give `project` or `group`, not both. Changing it replaces the token. */
    project?: pulumi.Input<string | number>;
    /** The group: numeric id or full path. Give `project` or `group`, not both. Changing it replaces the token. */
    group?: pulumi.Input<string | number>;
    /** Name of the token (1–255 characters). Changing it replaces the token. */
    name: pulumi.Input<string>;
    /** Scopes, e.g. `["read_repository", "read_registry"]`. Changing them replaces the token. */
    scopes: pulumi.Input<pulumi.Input<DeployTokenScope>[]>;
    /**
     * Expiry date, `YYYY-MM-DD`, after today (UTC). Omitted: `rotation.expiresInDays` from today, else the token
     * never expires. Changing it replaces the token.
     */
    expiresAt?: pulumi.Input<string>;
    /** Username the token authenticates as (default GitLab's `gitlab+deploy-token-N`). Changing it replaces the token. */
    username?: pulumi.Input<string>;
    /** Per-resource connection settings (same as the access token kinds); made secret. */
    connection?: pulumi.Input<GitLabConnectionArgs>;
    /** Renewal before expiry: a due token is replaced (strategy `overlap` only: deploy tokens have no rotate API). */
    rotation?: pulumi.Input<RotationArgs>;
    /** Any change of this value replaces the token. */
    rotationTrigger?: pulumi.Input<string>;
}

/**
 * A GitLab project or group deploy token (`/projects/:id/deploy_tokens`, `/groups/:id/deploy_tokens`): git and
 * registry access as `username` + `token`, e.g. for a cluster pulling images.
 *
 * GitLab cannot edit deploy tokens: every input change (and a due rotation) replaces the token, the new one
 * created before the old one is deleted. `pulumi refresh` drops a token revoked, expired or deleted out of band.
 * Creating one needs the Maintainer role on the project (Owner on a group).
 *
 * @example
 * ```ts
 * const pull = new DeployToken("registry-pull", {
 *     project: "acme/web",
 *     name: "k8s-pull",
 *     scopes: ["read_registry"],
 *     rotation: { expiresInDays: 90 },
 * });
 * export const pullUser = pull.username;
 * export const pullToken = pull.token; // secret
 * ```
 */
export class DeployToken extends TokenResource {
    /** The project as given, when the token belongs to a project. */
    declare readonly project: pulumi.Output<string | undefined>;
    /** The group as given, when the token belongs to a group. */
    declare readonly group: pulumi.Output<string | undefined>;
    /** The declared name (on GitLab it also carries this resource's ownership mark). */
    declare readonly name: pulumi.Output<string>;
    declare readonly scopes: pulumi.Output<string[]>;
    /** The username to authenticate with, as GitLab granted it. */
    declare readonly username: pulumi.Output<string>;
    /** Expiry as granted by GitLab, `YYYY-MM-DD`; null when the token never expires. */
    declare readonly expiresAt: pulumi.Output<string | null>;
    /** The instance the token lives on (see the README, "Moving to another instance"). */
    declare readonly apiUrl: pulumi.Output<string>;
    /** GitLab's id of the token (a new one after each replacement). */
    declare readonly tokenId: pulumi.Output<number>;
    /** The token value. Secret: stored encrypted. */
    declare readonly token: pulumi.Output<string>;
    /** Creation time, ISO 8601. */
    declare readonly createdAt: pulumi.Output<string>;

    constructor(name: string, args: DeployTokenArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            deployTokenProvider,
            name,
            {
                project: args.project,
                group: args.group,
                name: args.name,
                scopes: args.scopes,
                expiresAt: args.expiresAt,
                username: args.username,
                connection: secretInput(args.connection),
                rotation: args.rotation,
                rotationTrigger: args.rotationTrigger,
                ...ownerInput(name, "gitlab", "DeployToken", opts),
                tokenId: undefined,
                apiUrl: undefined,
                token: undefined,
                createdAt: undefined,
            },
            withSecretOutputs(opts, ["token"]),
            "gitlab",
            "DeployToken",
        );
    }
}
