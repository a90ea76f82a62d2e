import * as pulumi from "@pulumi/pulumi";
import {
    type AccessLevelName,
    GITLAB_PERSONAL_SCOPES,
    type GITLAB_SCOPES,
    unknownGitLabScopes,
} from "../provider/gitlab/vocabulary";
import { type ConnectionArgs, ownerInput, type RotationArgs, secretInput, withSecretOutputs } from "./common";
import projectAccessTokenProvider = require("./providers/ProjectAccessToken");
import groupAccessTokenProvider = require("./providers/GroupAccessToken");
import personalAccessTokenProvider = require("./providers/PersonalAccessToken");
import { TokenResource } from "./tokenResource";

/** A GitLab scope this package knows; any other well-formed scope is accepted with a warning. */
export type GitLabScope = (typeof GITLAB_SCOPES)[number];

/** A personal access token scope this package knows (the access token scopes, `read_user`, `sudo`, `admin_mode`, `read_service_ping`). */
export type GitLabPersonalScope = (typeof GITLAB_PERSONAL_SCOPES)[number];

/** A role by name or by GitLab's number: 10 guest, 15 planner, 20 reporter, 30 developer, 40 maintainer, 50 owner. */
export type GitLabAccessLevel = AccessLevelName | 10 | 15 | 20 | 30 | 40 | 50;

/** How to reach GitLab, overriding stack config (`gitlab:baseUrl`, `gitlab:token`) and the environment. */
export interface GitLabConnectionArgs extends ConnectionArgs {
    /** Personal (or OAuth) token of a Maintainer/Owner with the `api` scope. Stored encrypted. */
    token?: pulumi.Input<string>;
}

/** Inputs shared by project and group access tokens. */
export interface GitLabAccessTokenArgs {
    /** Name of the token (1–255 characters). Changing it replaces the token. */
    name: pulumi.Input<string>;
    /** Scopes, e.g. `["read_api", "read_repository"]`. Changing them replaces the token. */
    scopes: pulumi.Input<pulumi.Input<GitLabScope | (string & {})>[]>;
    /** Role of the token's bot user (default `maintainer`). Changing it replaces the token. */
    accessLevel?: pulumi.Input<GitLabAccessLevel>;
    /**
     * Expiry date, `YYYY-MM-DD`, after today (UTC). Omitted: `rotation.expiresInDays` from today, else the
     * 365-day maximum GitLab enforces since 16.0. The granted date is the `expiresAt` output. Changing it
     * replaces the token.
     */
    expiresAt?: pulumi.Input<string>;
    /** Free text shown in GitLab. Changing it replaces the token (GitLab tokens are immutable). */
    description?: pulumi.Input<string>;
    /** Per-resource connection settings; made secret. */
    connection?: pulumi.Input<GitLabConnectionArgs>;
    /** Automatic renewal before expiry. */
    rotation?: pulumi.Input<RotationArgs>;
    /** Any change of this value rotates the token (e.g. a date string or a `@pulumi/random` value). */
    rotationTrigger?: pulumi.Input<string>;
    /**
     * Take over an existing token instead of creating one. GitLab never shows a token's value again, so the
     * adopted token is rotated once to obtain a value: the old value stops working and `tokenId` changes.
     */
    adopt?: pulumi.Input<{ tokenId: pulumi.Input<number> }>;
}

export interface ProjectAccessTokenArgs extends GitLabAccessTokenArgs {
    /** The project: numeric id or full path (`group/subgroup/project`). Changing it replaces the token. */
    project: pulumi.Input<string | number>;
}

export interface GroupAccessTokenArgs extends GitLabAccessTokenArgs {
    /** The group: numeric id or full path (`group/subgroup`). Changing it replaces the token. */
    group: pulumi.Input<string | number>;
}

/** Output properties shared by every GitLab token resource. */
abstract class GitLabTokenResource extends TokenResource {
    declare readonly name: pulumi.Output<string>;
    declare readonly scopes: pulumi.Output<string[]>;
    /** Expiry as granted by GitLab, `YYYY-MM-DD`. */
    declare readonly expiresAt: pulumi.Output<string>;
    declare readonly description: pulumi.Output<string | undefined>;
    /**
     * The instance the token lives on: the API root it was created on (for GitLab e.g. `https://gitlab.example.com/api/v4`).
     * Reads, rotations and revocations go there whatever the configuration says later; a different configured
     * instance replaces the token (see the README, "Moving to another instance").
     */
    declare readonly apiUrl: pulumi.Output<string>;
    /** GitLab's id of the token (changes when the token is rotated in place). */
    declare readonly tokenId: pulumi.Output<number>;
    /** The token value. Secret: stored encrypted. */
    declare readonly token: pulumi.Output<string>;
    declare readonly active: pulumi.Output<boolean>;
    declare readonly revoked: pulumi.Output<boolean>;
    /** Creation time, ISO 8601. */
    declare readonly createdAt: pulumi.Output<string>;
}

/** Output properties shared by project and group access tokens. */
abstract class GitLabAccessTokenBase extends GitLabTokenResource {
    /** Role as GitLab's number (40 for maintainer). */
    declare readonly accessLevel: pulumi.Output<number>;
    /** Id of the bot user GitLab created for the token. */
    declare readonly userId: pulumi.Output<number>;

    /** Project and group tokens differ only in their parent input (`project` or `group`) and provider. */
    protected constructor(
        provider: pulumi.dynamic.ResourceProvider,
        type: "ProjectAccessToken" | "GroupAccessToken",
        name: string,
        args: GitLabAccessTokenArgs,
        parent: Record<string, unknown>,
        opts: pulumi.CustomResourceOptions | undefined,
    ) {
        super(
            provider,
            name,
            {
                ...parent,
                ...commonTokenProps(args),
                accessLevel: args.accessLevel,
                ...ownerInput(name, "gitlab", type, opts),
                userId: undefined,
            },
            withSecretOutputs(opts, ["token"]),
            "gitlab",
            type,
        );
        this.warnAboutUnknownScopes(args.scopes);
    }

    /** Warns (without failing) about well-formed scopes newer than this package. */
    protected warnAboutUnknownScopes(scopes: GitLabAccessTokenArgs["scopes"]): void {
        warnAboutUnknownScopes(this, scopes);
    }
}

/** The inputs every GitLab token resource hands its provider, and its outputs (undefined until created). */
function commonTokenProps(args: Omit<GitLabAccessTokenArgs, "accessLevel">): Record<string, unknown> {
    return {
        name: args.name,
        scopes: args.scopes,
        expiresAt: args.expiresAt,
        description: args.description,
        connection: secretInput(args.connection),
        rotation: args.rotation,
        rotationTrigger: args.rotationTrigger,
        adopt: args.adopt,
        tokenId: undefined,
        apiUrl: undefined,
        token: undefined,
        active: undefined,
        revoked: undefined,
        createdAt: undefined,
    };
}

/** Warns (without failing) about well-formed scopes newer than this package. */
function warnAboutUnknownScopes(
    resource: pulumi.Resource,
    scopes: pulumi.Input<pulumi.Input<string>[]>,
    known?: readonly string[],
): void {
    pulumi.output(scopes).apply((list) => {
        const unknown = unknownGitLabScopes(list, known);
        if (unknown.length > 0) {
            pulumi.log.warn(
                `scope(s) ${unknown.join(", ")} are not known to pulumi-access-tokens; they are sent as given (GitLab will refuse them if it does not know them either)`,
                resource,
            );
        }
    });
}

/**
 * A GitLab project access token (`/projects/:id/access_tokens`).
 *
 * Changing any identifying or permission input replaces the token: the new one is created before the old one is
 * revoked. `pulumi refresh` drops a token revoked or expired out of band, and the next `up` creates it again.
 *
 * @example
 * ```ts
 * const ci = new ProjectAccessToken("ci", {
 *     project: "acme/web",
 *     name: "ci-read",
 *     scopes: ["read_api", "read_repository"],
 *     accessLevel: "reporter",
 *     rotation: { expiresInDays: 90, rotateBeforeDays: 14 },
 * });
 * export const ciToken = ci.token; // secret
 * ```
 */
export class ProjectAccessToken extends GitLabAccessTokenBase {
    /** The project as given (numeric id or full path). */
    declare readonly project: pulumi.Output<string>;

    constructor(name: string, args: ProjectAccessTokenArgs, opts?: pulumi.CustomResourceOptions) {
        super(projectAccessTokenProvider, "ProjectAccessToken", name, args, { project: args.project }, opts);
    }
}

/**
 * A GitLab group access token (`/groups/:id/access_tokens`). Same behaviour as {@link ProjectAccessToken}.
 */
export class GroupAccessToken extends GitLabAccessTokenBase {
    /** The group as given (numeric id or full path). */
    declare readonly group: pulumi.Output<string>;

    constructor(name: string, args: GroupAccessTokenArgs, opts?: pulumi.CustomResourceOptions) {
        super(groupAccessTokenProvider, "GroupAccessToken", name, args, { group: args.group }, opts);
    }
}

/** Inputs of a GitLab personal access token: exactly one owner, `userId` or `serviceAccount`. */
export interface PersonalAccessTokenArgs extends Omit<GitLabAccessTokenArgs, "accessLevel" | "scopes"> {
    /**
     * The user whose token this is (numeric id). Needs an administrator's credential in `gitlab:token`. Changing it
     * replaces the token.
     */
    userId?: pulumi.Input<number>;
    /**
     * A group's service account whose token this is: the group (numeric id or full path) and the service account's
     * numeric user id. Needs the Owner role on the group (or an administrator). Changing it replaces the token.
     */
    serviceAccount?: pulumi.Input<{ group: pulumi.Input<string | number>; userId: pulumi.Input<number> }>;
    /** Scopes, e.g. `["read_api"]`. Changing them replaces the token. */
    scopes: pulumi.Input<pulumi.Input<GitLabPersonalScope | (string & {})>[]>;
}

/**
 * A GitLab personal access token of a user (`/users/:id/personal_access_tokens`, administrators only) or of a
 * group's service account (`/groups/:id/service_accounts/:user_id/personal_access_tokens`, the group's Owner).
 *
 * Same behaviour as {@link ProjectAccessToken}: changes replace the token (new one first), except a rotation with
 * `rotation.strategy: "rotate"`, which rotates it in place; `pulumi refresh` drops a token revoked, expired or
 * deleted out of band, and the next `up` creates it again. The token acts with its user's roles: it has no
 * `accessLevel`.
 *
 * @example
 * ```ts
 * const deployBot = new PersonalAccessToken("deploy-bot", {
 *     serviceAccount: { group: "acme", userId: 77 },
 *     name: "deploy",
 *     scopes: ["read_api", "read_registry"],
 *     rotation: { expiresInDays: 90, strategy: "rotate" },
 * });
 * export const deployToken = deployBot.token; // secret
 * ```
 */
export class PersonalAccessToken extends GitLabTokenResource {
    /** The user as given, for a user's token. */
    declare readonly userId: pulumi.Output<number | undefined>;
    /** The group (as given) and service account, for a service account's token. */
    declare readonly serviceAccount: pulumi.Output<{ group: string; userId: number } | undefined>;

    constructor(name: string, args: PersonalAccessTokenArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            personalAccessTokenProvider,
            name,
            {
                userId: args.userId,
                serviceAccount: args.serviceAccount,
                ...commonTokenProps(args),
                ...ownerInput(name, "gitlab", "PersonalAccessToken", opts),
            },
            withSecretOutputs(opts, ["token"]),
            "gitlab",
            "PersonalAccessToken",
        );
        warnAboutUnknownScopes(this, args.scopes, GITLAB_PERSONAL_SCOPES);
    }
}
