import { z } from "zod";
import { closest, listOf } from "../lifecycle";
import { connectionBaseShape, nameSchema, overlapOnlyRotationSchema } from "../inputs";

export const GITEA_SCOPE_CATEGORIES = [
    "activitypub",
    "admin",
    "issue",
    "misc",
    "notification",
    "organization",
    "package",
    "repository",
    "user",
] as const;

export const GITEA_SCOPES: readonly string[] = [
    "all",
    "public-only",
    ...GITEA_SCOPE_CATEGORIES.flatMap((category) => [`read:${category}`, `write:${category}`]),
];

const SCOPE_HELP = `Gitea scopes are all, public-only, read:X or write:X with X one of ${listOf(GITEA_SCOPE_CATEGORIES)}`;

const scopeSchema = z.string({ error: "each scope must be a string" }).superRefine((scope, ctx) => {
    if (GITEA_SCOPES.includes(scope)) {
        return;
    }
    const suggestion = closest(scope, GITEA_SCOPES, 3) ?? GITEA_SCOPES.find((known) => known.startsWith(scope));
    ctx.addIssue({
        code: "custom",
        message: `unknown scope "${scope}"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}: ${SCOPE_HELP}`,
    });
});

export const giteaConnectionSchema = z.strictObject({
    ...connectionBaseShape,
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    otp: z
        .string()
        .regex(/^\d{6,8}$/, "connection.otp must be the 6-digit code of the authenticator")
        .optional(),
});
export type GiteaConnection = z.infer<typeof giteaConnectionSchema>;

export const giteaTokenInputsSchema = z.strictObject({
    username: z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9_.-]+$/, "username must be a Gitea user name (letters, digits, _ . -)")
        .optional(),
    name: nameSchema(255),
    scopes: z
        .array(scopeSchema, { error: `scopes must be a list: ${SCOPE_HELP}` })
        .min(1, `scopes must not be empty: ${SCOPE_HELP}`)
        .transform((scopes) => [...new Set(scopes)]),
    connection: giteaConnectionSchema.optional(),
    rotation: overlapOnlyRotationSchema("Gitea").optional(),
    rotationTrigger: z.string().optional(),
    adopt: z
        .strictObject({ tokenId: z.number().int().positive("adopt.tokenId must be a positive token id") })
        .optional(),
});
export type GiteaTokenInputs = z.infer<typeof giteaTokenInputsSchema>;
