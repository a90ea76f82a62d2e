import { z } from "zod";
import { listOf } from "../lifecycle";
import { connectionBaseShape, overlapOnlyRotationSchema } from "../shared";
import { CODACY_PROVIDERS } from "./client";

export const codacyConnectionSchema = z.strictObject({
    ...connectionBaseShape,
    apiToken: z.string().min(1, "connection.apiToken must not be empty").optional(),
});
export type CodacyConnection = z.infer<typeof codacyConnectionSchema>;

const namePart = (field: string, example: string) =>
    z
        .string({ error: `${field} must be a string` })
        .trim()
        .min(1, `${field} must not be empty`)
        .max(255, `${field} must be at most 255 characters`)
        .regex(/^[^\s/?#]+$/, `${field} must be a single name without spaces or slashes, e.g. "${example}"`);

export const codacyTokenInputsSchema = z.strictObject({
    provider: z.enum(CODACY_PROVIDERS, { error: `provider must be one of: ${listOf(CODACY_PROVIDERS)}` }),
    organization: namePart("organization", "my-org"),
    repository: namePart("repository", "my-repo"),
    connection: codacyConnectionSchema.optional(),
    rotation: overlapOnlyRotationSchema("Codacy").optional(),
    rotationTrigger: z.string().optional(),
    adopt: z
        .strictObject({ tokenId: z.number().int().positive("adopt.tokenId must be a positive token id") })
        .optional(),
});
export type CodacyTokenInputs = z.infer<typeof codacyTokenInputsSchema>;
