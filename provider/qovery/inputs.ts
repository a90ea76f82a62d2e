import { z } from "zod";
import { listOf } from "../lifecycle";
import { connectionBaseShape, nameSchema } from "../inputs";
import { QOVERY_GIT_PROVIDERS } from "./client";

export const qoveryConnectionSchema = z.strictObject({
    ...connectionBaseShape,
    apiToken: z.string().min(1, "connection.apiToken must not be empty").optional(),
});
export type QoveryConnection = z.infer<typeof qoveryConnectionSchema>;

export const qoveryTokenInputsSchema = z.strictObject({
    organizationId: z.uuid({
        error: "organizationId must be the organization's UUID (see its settings in the Qovery console)",
    }),
    name: nameSchema(255),
    type: z.enum(QOVERY_GIT_PROVIDERS, { error: `type must be one of: ${listOf(QOVERY_GIT_PROVIDERS)}` }),
    token: z.string({ error: "token must be the git provider's token (a string)" }).min(1, "token must not be empty"),
    description: z.string().max(1024, "description must be at most 1024 characters").optional(),
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
