import type * as pulumi from "@pulumi/pulumi";
import { type ConnectionArgs, type RotationArgs, secretInput, withSecretOutputs } from "./common";
import codacyRepoTokenProvider = require("./providers/CodacyRepoToken");
import { TokenResource } from "./tokenResource";

/** Codacy's git provider codes: GitHub, GitHub Enterprise, GitLab, GitLab Enterprise, Bitbucket, Bitbucket Server. */
export type CodacyProvider = "gh" | "ghe" | "gl" | "gle" | "bb" | "bbe";

/** How to reach Codacy, overriding stack config (`codacy:baseUrl`, `codacy:apiToken`) and the environment. */
export interface CodacyConnectionArgs extends ConnectionArgs {
    /** Account API token (sent as `api-token`). Stored encrypted. */
    apiToken?: pulumi.Input<string>;
}

export interface CodacyRepoTokenArgs {
    /** Git provider code. Changing it replaces the token. */
    provider: pulumi.Input<CodacyProvider>;
    /** Organization name on the git provider. Changing it replaces the token. */
    organization: pulumi.Input<string>;
    /** Repository name. Changing it replaces the token. */
    repository: pulumi.Input<string>;
    /** Per-resource connection settings; made secret. */
    connection?: pulumi.Input<CodacyConnectionArgs>;
    /**
     * Periodic renewal: with `expiresInDays` this package keeps a renewal date (`renewBy`) and replaces the token
     * (new one first) when it is due. Only the `overlap` strategy exists for Codacy.
     */
    rotation?: pulumi.Input<Omit<RotationArgs, "strategy">>;
    /** Any change of this value replaces the token. */
    rotationTrigger?: pulumi.Input<string>;
    /** Take over an existing repository token by id; Codacy lists token values, so `token` is filled in. */
    adopt?: pulumi.Input<{ tokenId: pulumi.Input<number> }>;
}

/**
 * A Codacy repository API token (`/organizations/:provider/:org/repositories/:repo/tokens`), e.g. for coverage
 * uploads. Tokens are immutable: changes replace them, the new one created before the old one is deleted.
 */
export class CodacyRepoToken extends TokenResource {
    declare readonly provider: pulumi.Output<CodacyProvider>;
    declare readonly organization: pulumi.Output<string>;
    declare readonly repository: pulumi.Output<string>;
    /**
     * The instance the token lives on: the API root it was created on (for GitLab e.g. `https://gitlab.example.com/api/v4`).
     * Reads, rotations and revocations go there whatever the configuration says later; a different configured
     * instance replaces the token (see the README, "Moving to another instance").
     */
    declare readonly apiUrl: pulumi.Output<string>;
    /** Codacy's id of the token. */
    declare readonly tokenId: pulumi.Output<number>;
    /** The token value. Secret: stored encrypted. */
    declare readonly token: pulumi.Output<string>;
    /** Expiry, when Codacy gives one (ISO 8601). */
    declare readonly expiresAt: pulumi.Output<string | undefined>;
    /** Renewal date kept by this package when `rotation.expiresInDays` is set (YYYY-MM-DD). */
    declare readonly renewBy: pulumi.Output<string | undefined>;

    constructor(name: string, args: CodacyRepoTokenArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            codacyRepoTokenProvider,
            name,
            {
                provider: args.provider,
                organization: args.organization,
                repository: args.repository,
                connection: secretInput(args.connection),
                rotation: args.rotation,
                rotationTrigger: args.rotationTrigger,
                adopt: args.adopt,
                tokenId: undefined,
                apiUrl: undefined,
                token: undefined,
                expiresAt: undefined,
                renewBy: undefined,
            },
            withSecretOutputs(opts, ["token"]),
            "codacy",
            "CodacyRepoToken",
        );
    }
}
