import type * as pulumi from "@pulumi/pulumi";
import { ownerInput, type RotationArgs, secretInput, withSecretOutputs } from "./common";
import type { GitLabConnectionArgs } from "./gitlab";
import pipelineTriggerTokenProvider = require("./providers/PipelineTriggerToken");
import { TokenResource } from "./tokenResource";

export interface PipelineTriggerTokenArgs {
    /** The project: numeric id or full path. Changing it replaces the token. */
    project: pulumi.Input<string | number>;
    /** What the trigger is for (1–200 characters). Edited in place; the token keeps its value. */
    description: pulumi.Input<string>;
    /** Per-resource connection settings (same as the access token kinds); made secret. */
    connection?: pulumi.Input<GitLabConnectionArgs>;
    /**
     * Renewal: triggers do not expire, so `expiresInDays` sets a renewal date kept in the state; when it falls
     * within `rotateBeforeDays`, `up` replaces the token (strategy `overlap` only).
     */
    rotation?: pulumi.Input<RotationArgs>;
    /** Any change of this value replaces the token (a new value). */
    rotationTrigger?: pulumi.Input<string>;
}

/**
 * A GitLab pipeline trigger token (`/projects/:id/triggers`): starts pipelines through
 * `POST /projects/:id/trigger/pipeline`. The description is edited in place; a new project or `rotationTrigger`
 * (or a due renewal) replaces the token, the new one created before the old one is deleted. Managing triggers
 * needs the Maintainer role on the project.
 *
 * @example
 * ```ts
 * const deployHook = new PipelineTriggerToken("deploy-hook", { project: "acme/web", description: "deploys from chat" });
 * export const triggerToken = deployHook.token; // secret
 * ```
 */
export class PipelineTriggerToken extends TokenResource {
    declare readonly project: pulumi.Output<string>;
    /** The declared description (on GitLab it is followed by this resource's ownership mark). */
    declare readonly description: pulumi.Output<string>;
    /** The instance the token lives on (see the README, "Moving to another instance"). */
    declare readonly apiUrl: pulumi.Output<string>;
    /** GitLab's id of the trigger. */
    declare readonly tokenId: pulumi.Output<number>;
    /** The token value. Secret: stored encrypted. */
    declare readonly token: pulumi.Output<string>;
    /** The GitLab user who owns the trigger (the credential's user). */
    declare readonly ownerUsername: pulumi.Output<string | undefined>;
    declare readonly createdAt: pulumi.Output<string>;
    /** Last time a pipeline was triggered with it (null: never), as of the last create or refresh. */
    declare readonly lastUsed: pulumi.Output<string | null>;
    /** With `rotation.expiresInDays`: the date the token is renewed by (`YYYY-MM-DD`). */
    declare readonly renewBy: pulumi.Output<string | undefined>;

    constructor(name: string, args: PipelineTriggerTokenArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            pipelineTriggerTokenProvider,
            name,
            {
                project: args.project,
                description: args.description,
                connection: secretInput(args.connection),
                rotation: args.rotation,
                rotationTrigger: args.rotationTrigger,
                ...ownerInput(name, "gitlab", "PipelineTriggerToken", opts),
                tokenId: undefined,
                apiUrl: undefined,
                token: undefined,
                ownerUsername: undefined,
                createdAt: undefined,
                lastUsed: undefined,
                renewBy: undefined,
            },
            withSecretOutputs(opts, ["token"]),
            "gitlab",
            "PipelineTriggerToken",
        );
    }
}
