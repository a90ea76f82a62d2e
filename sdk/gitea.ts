import type * as pulumi from "@pulumi/pulumi";
import { type ConnectionArgs, type RotationArgs, ownerInput, secretInput, withSecretOutputs } from "./common";
import giteaTokenProvider = require("./providers/GiteaToken");
import { TokenResource } from "./tokenResource";

type GiteaScopeCategory =
    | "activitypub"
    | "admin"
    | "issue"
    | "misc"
    | "notification"
    | "organization"
    | "package"
    | "repository"
    | "user";

/** `all`, `public-only`, or `read:X` / `write:X` (`write:X` implies `read:X`). */
export type GiteaScope = "all" | "public-only" | `read:${GiteaScopeCategory}` | `write:${GiteaScopeCategory}`;

/** How to reach Gitea, overriding stack config (`gitea:*`) and the environment (`GITEA_*`). */
export interface GiteaConnectionArgs extends ConnectionArgs {
    /** The account that signs in. Gitea manages tokens only with basic auth (a token is refused). */
    username?: pulumi.Input<string>;
    /** Its password. Stored encrypted. */
    password?: pulumi.Input<string>;
    /** Current TOTP code, for accounts with two-factor authentication (sent as `X-Gitea-OTP`). */
    otp?: pulumi.Input<string>;
}

export interface GiteaTokenArgs {
    /**
     * Owner of the token. Defaults to the signed-in user; another user needs a site administrator's
     * credentials. Changing it replaces the token.
     */
    username?: pulumi.Input<string>;
    /** Token name, unique per user. Changing it replaces the token. */
    name: pulumi.Input<string>;
    /** Scopes, e.g. `["read:repository", "write:issue"]`. Changing them replaces the token. */
    scopes: pulumi.Input<pulumi.Input<GiteaScope>[]>;
    /** Per-resource connection settings; made secret. */
    connection?: pulumi.Input<GiteaConnectionArgs>;
    /**
     * Periodic renewal. Gitea tokens never expire: with `expiresInDays` this package keeps a renewal date
     * (`renewBy`) and replaces the token when it is due. Only the `overlap` strategy exists for Gitea.
     */
    rotation?: pulumi.Input<Omit<RotationArgs, "strategy">>;
    /** Any change of this value replaces the token. */
    rotationTrigger?: pulumi.Input<string>;
    /**
     * Take over an existing token by id. Gitea never shows a token's value again: `token` is empty until the
     * token is next replaced (e.g. by changing `rotationTrigger`).
     */
    adopt?: pulumi.Input<{ tokenId: pulumi.Input<number> }>;
}

/**
 * A Gitea (or Forgejo) user access token (`/api/v1/users/:name/tokens`).
 *
 * Gitea tokens are immutable and names are unique per user: a replacement that keeps the same name deletes the
 * old token first; change the name too (e.g. add a suffix) for a zero-downtime overlap.
 */
export class GiteaToken extends TokenResource {
    /**
     * The instance the token lives on: the API root it was created on (for GitLab e.g. `https://gitlab.example.com/api/v4`).
     * Reads, rotations and revocations go there whatever the configuration says later; a different configured
     * instance replaces the token (see the README, "Moving to another instance").
     */
    declare readonly apiUrl: pulumi.Output<string>;
    /** The token's owner as resolved at creation. */
    declare readonly owner: pulumi.Output<string>;
    declare readonly name: pulumi.Output<string>;
    declare readonly scopes: pulumi.Output<string[]>;
    /** Gitea's id of the token. */
    declare readonly tokenId: pulumi.Output<number>;
    /** The token value (Gitea's `sha1`). Secret: stored encrypted. */
    declare readonly token: pulumi.Output<string>;
    /** Last eight characters of the value, as Gitea shows them. */
    declare readonly tokenLastEight: pulumi.Output<string>;
    /** Scopes as Gitea stored them. */
    declare readonly grantedScopes: pulumi.Output<string[]>;
    /** When the token was created, ISO 8601. */
    declare readonly createdAt: pulumi.Output<string>;
    /** Renewal date kept by this package when `rotation.expiresInDays` is set (YYYY-MM-DD). */
    declare readonly renewBy: pulumi.Output<string | undefined>;

    constructor(name: string, args: GiteaTokenArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            giteaTokenProvider,
            name,
            {
                username: args.username,
                name: args.name,
                scopes: args.scopes,
                connection: secretInput(args.connection),
                rotation: args.rotation,
                rotationTrigger: args.rotationTrigger,
                adopt: args.adopt,
                ...ownerInput(name, "gitea", "GiteaToken", opts),
                owner: undefined,
                apiUrl: undefined,
                tokenId: undefined,
                token: undefined,
                tokenLastEight: undefined,
                grantedScopes: undefined,
                createdAt: undefined,
                renewBy: undefined,
            },
            withSecretOutputs(opts, ["token"]),
            "gitea",
            "GiteaToken",
        );
    }
}
