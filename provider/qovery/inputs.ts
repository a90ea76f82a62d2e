import { z } from "zod";
import { listOf } from "../lifecycle";
import { connectionBaseShape, nameSchema, overlapOnlyRotationSchema } from "../inputs";
import { QOVERY_GIT_PROVIDERS } from "./client";

export const qoveryConnectionSchema = z.strictObject({
    ...connectionBaseShape,
    apiToken: z.string().min(1, "connection.apiToken must not be empty").optional(),
});
export type QoveryConnection = z.infer<typeof qoveryConnectionSchema>;

const organizationIdSchema = z.uuid({
    error: "organizationId must be the organization's UUID (see its settings in the Qovery console)",
});

/** Qovery's description limit as this package validates it; the ownership mark goes after the user's text. */
export const QOVERY_DESCRIPTION_MAX = 1024;

const descriptionSchema = z
    .string({ error: "description must be a string" })
    .max(QOVERY_DESCRIPTION_MAX, `description must be at most ${QOVERY_DESCRIPTION_MAX} characters`);

export const qoveryTokenInputsSchema = z.strictObject({
    organizationId: organizationIdSchema,
    name: nameSchema(255),
    type: z.enum(QOVERY_GIT_PROVIDERS, { error: `type must be one of: ${listOf(QOVERY_GIT_PROVIDERS)}` }),
    token: z.string({ error: "token must be the git provider's token (a string)" }).min(1, "token must not be empty"),
    description: descriptionSchema.optional(),
    workspace: z.string().trim().min(1, "workspace must not be empty").optional(),
    gitApiUrl: z
        .url({ error: "gitApiUrl must be an absolute URL such as https://gitlab.example.com/api/v4" })
        .optional(),
    connection: qoveryConnectionSchema.optional(),
    allowDeleteWhileInUse: z.boolean().optional(),
    adopt: z
        .strictObject({ gitTokenId: z.uuid({ error: "adopt.gitTokenId must be the git token's UUID" }) })
        .optional(),
});
export type QoveryTokenInputs = z.infer<typeof qoveryTokenInputsSchema>;

/** Inputs of `QoveryApiToken`. Qovery cannot edit an API token: every change of these replaces it. */
export const qoveryApiTokenInputsSchema = z.strictObject({
    organizationId: organizationIdSchema,
    name: nameSchema(255),
    description: descriptionSchema.optional(),
    roleId: z
        .uuid({
            error: "roleId must be the UUID of one of the organization's roles (Qovery's \"List organization custom roles\"; the console shows it under Settings → Roles)",
        })
        .transform((id) => id.toLowerCase()),
    connection: qoveryConnectionSchema.optional(),
    rotation: overlapOnlyRotationSchema("Qovery").optional(),
    rotationTrigger: z.string().optional(),
    adopt: z
        .strictObject({ apiTokenId: z.uuid({ error: "adopt.apiTokenId must be the API token's UUID" }) })
        .optional(),
});
export type QoveryApiTokenInputs = z.infer<typeof qoveryApiTokenInputsSchema>;

/** Cross-field rules zod's object shape cannot say on its own. */
export function qoveryCrossFieldFailures(inputs: Partial<QoveryTokenInputs>): { property: string; reason: string }[] {
    if (inputs.type === "BITBUCKET" && !inputs.workspace) {
        return [
            {
                property: "workspace",
                reason: "workspace is required when type is BITBUCKET (the Bitbucket workspace slug)",
            },
        ];
    }
    return [];
}
