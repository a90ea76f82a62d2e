import { z } from "zod";
import { closest, listOf } from "../lifecycle";
import { connectionBaseShape, futureDateSchema, nameSchema, rotationSchema } from "../inputs";

/** Access levels by name, as GitLab numbers them. */
export const ACCESS_LEVELS = {
    guest: 10,
    planner: 15,
    reporter: 20,
    developer: 30,
    maintainer: 40,
    owner: 50,
} as const;
export type AccessLevelName = keyof typeof ACCESS_LEVELS;
const ACCESS_LEVEL_NUMBERS: readonly number[] = Object.values(ACCESS_LEVELS);
const ACCESS_LEVEL_HELP = `accessLevel must be one of ${listOf(Object.keys(ACCESS_LEVELS))} or ${listOf(ACCESS_LEVEL_NUMBERS)}`;

/** Scopes GitLab documents for project and group access tokens (late 2026). */
export const GITLAB_SCOPES = [
    "api",
    "read_api",
    "read_repository",
    "write_repository",
    "read_registry",
    "write_registry",
    "create_runner",
    "manage_runner",
    "k8s_proxy",
    "self_rotate",
    "ai_features",
    "read_virtual_registry",
    "write_virtual_registry",
    "read_observability",
    "write_observability",
] as const;

/** Scopes GitLab documents for personal access tokens (late 2026): the access token scopes and four more. */
export const GITLAB_PERSONAL_SCOPES = [
    ...GITLAB_SCOPES,
    "read_user",
    "sudo",
    "admin_mode",
    "read_service_ping",
] as const;

/** Scopes that are well-formed but unknown to this package: allowed (GitLab adds scopes), worth a warning. */
export function unknownGitLabScopes(scopes: readonly string[], known: readonly string[] = GITLAB_SCOPES): string[] {
    return scopes.filter((scope) => !known.includes(scope));
}

function scopeSchemaFor(known: readonly string[]) {
    return z.string({ error: "each scope must be a string" }).superRefine((scope, ctx) => {
        if (!/^[a-z][a-z0-9_]*$/.test(scope)) {
            ctx.addIssue({
                code: "custom",
                message: `"${scope}" is not a GitLab scope (lower-case words joined by _); valid scopes: ${listOf(known)}`,
            });
            return;
        }
        if (!known.includes(scope)) {
            const suggestion = closest(scope, known);
            if (suggestion) {
                ctx.addIssue({
                    code: "custom",
                    message: `unknown scope "${scope}": did you mean "${suggestion}"? Valid scopes: ${listOf(known)}`,
                });
            }
        }
    });
}

/** A non-empty list of scopes, duplicates dropped; near misses of `known` refused with a suggestion. */
function scopesSchemaFor(known: readonly string[]) {
    return z
        .array(scopeSchemaFor(known), { error: `scopes must be a list of GitLab scopes: ${listOf(known)}` })
        .min(1, `scopes must not be empty; valid scopes: ${listOf(known)}`)
        .transform((scopes) => [...new Set(scopes)]);
}

const pathSegment = "[A-Za-z0-9_.][A-Za-z0-9_.+-]*";
const fullPathPattern = new RegExp(`^${pathSegment}(/${pathSegment})*$`);

/** A numeric id or a full path (`group/subgroup/project`); normalised to a string. */
export function parentSchema(kind: "project" | "group") {
    const help = `${kind} must be a numeric id or a full path such as "my-group/my-${kind === "project" ? "project" : "subgroup"}"`;
    return z
        .union([z.number().int(help).positive(help), z.string().trim().min(1, help)], { error: help })
        .transform((value) => String(value))
        .refine((value) => /^\d+$/.test(value) || fullPathPattern.test(value), { message: help });
}

export const accessLevelSchema = z
    .union([z.number(), z.string()], { error: ACCESS_LEVEL_HELP })
    .transform((value, ctx) => {
        const level =
            typeof value === "number"
                ? value
                : /^\d+$/.test(value)
                  ? Number(value)
                  : ACCESS_LEVELS[value.trim().toLowerCase() as AccessLevelName];
        if (level === undefined || !ACCESS_LEVEL_NUMBERS.includes(level)) {
            ctx.addIssue({ code: "custom", message: `${ACCESS_LEVEL_HELP}, got ${JSON.stringify(value)}` });
            return z.NEVER;
        }
        return level;
    });

export const gitLabConnectionSchema = z.strictObject({
    ...connectionBaseShape,
    token: z.string().min(1, "connection.token must not be empty").optional(),
});
export type GitLabConnection = z.infer<typeof gitLabConnectionSchema>;

const commonShape = {
    name: nameSchema(255),
    scopes: scopesSchemaFor(GITLAB_SCOPES),
    accessLevel: accessLevelSchema.default(ACCESS_LEVELS.maintainer),
    expiresAt: futureDateSchema("expiresAt").optional(),
    description: z.string().max(255, "description must be at most 255 characters").optional(),
    connection: gitLabConnectionSchema.optional(),
    rotation: rotationSchema.optional(),
    rotationTrigger: z.string().optional(),
    adopt: z
        .strictObject({ tokenId: z.number().int().positive("adopt.tokenId must be a positive token id") })
        .optional(),
};

export const projectTokenInputsSchema = z.strictObject({ project: parentSchema("project"), ...commonShape });
export const groupTokenInputsSchema = z.strictObject({ group: parentSchema("group"), ...commonShape });

const USER_ID_HELP = "userId must be a user's numeric id (a positive whole number)";
const SERVICE_ACCOUNT_HELP =
    'serviceAccount must be { group, userId }: the group (numeric id or full path such as "my-group") and the service account\'s numeric user id';

/** A personal access token: no access level (it acts with its user's roles), exactly one owner (see `personalOwnerFailures`). */
export const personalTokenInputsSchema = z.strictObject({
    userId: z.number({ error: USER_ID_HELP }).int(USER_ID_HELP).positive(USER_ID_HELP).optional(),
    serviceAccount: z
        .strictObject(
            {
                group: parentSchema("group"),
                userId: z
                    .number({ error: "serviceAccount.userId must be the service account's numeric user id" })
                    .int("serviceAccount.userId must be a whole number")
                    .positive("serviceAccount.userId must be positive"),
            },
            { error: SERVICE_ACCOUNT_HELP },
        )
        .optional(),
    ...commonShape,
    scopes: scopesSchemaFor(GITLAB_PERSONAL_SCOPES),
    accessLevel: z
        .never({
            error: "accessLevel does not apply to a personal access token (it acts with its user's roles): remove it",
        })
        .optional(),
});

/** Exactly one owner: `userId` (a user's token, created by an administrator) or `serviceAccount`. */
export function personalOwnerFailures(inputs: Record<string, unknown>): { property: string; reason: string }[] {
    const owners = ["userId", "serviceAccount"].filter((key) => inputs[key] !== undefined);
    if (owners.length === 1) {
        return [];
    }
    return [
        {
            property: owners[0] ?? "userId",
            reason:
                owners.length === 0
                    ? "a personal access token needs exactly one owner: userId (a user's numeric id; needs an administrator's credential) or serviceAccount { group, userId } (needs the group's Owner)"
                    : "give exactly one owner: userId or serviceAccount, not both",
        },
    ];
}

/** Inputs of any GitLab token kind after `check`, with the parent under a neutral name. */
export interface GitLabTokenInputs {
    parent: string;
    /** Personal tokens: the owner. */
    userId?: number | undefined;
    serviceAccount?: { group: string; userId: number } | undefined;
    name: string;
    scopes: string[];
    accessLevel?: number | undefined;
    expiresAt?: string | undefined;
    description?: string | undefined;
    connection?: GitLabConnection | undefined;
    rotation?: z.infer<typeof rotationSchema> | undefined;
    rotationTrigger?: string | undefined;
    adopt?: { tokenId: number } | undefined;
}
