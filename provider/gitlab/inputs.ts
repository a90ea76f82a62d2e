import { z } from "zod";
import { closest, listOf } from "../lifecycle";
import {
    connectionBaseShape,
    futureDateSchema,
    nameSchema,
    overlapOnlyRotationSchema,
    rotationSchema,
} from "../inputs";
import {
    ACCESS_LEVELS,
    type AccessLevelName,
    DEPLOY_TOKEN_SCOPES,
    GITLAB_PERSONAL_SCOPES,
    GITLAB_SCOPES,
    unknownGitLabScopes,
} from "./vocabulary";

// The public SDK's types use these: they live in a module without zod (see vocabulary.ts).
export {
    ACCESS_LEVELS,
    type AccessLevelName,
    DEPLOY_TOKEN_SCOPES,
    GITLAB_PERSONAL_SCOPES,
    GITLAB_SCOPES,
    unknownGitLabScopes,
};

const ACCESS_LEVEL_NUMBERS: readonly number[] = Object.values(ACCESS_LEVELS);
const ACCESS_LEVEL_HELP = `accessLevel must be one of ${listOf(Object.keys(ACCESS_LEVELS))} or ${listOf(ACCESS_LEVEL_NUMBERS)}`;

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

const DEPLOY_SCOPES_HELP = `valid deploy token scopes: ${listOf(DEPLOY_TOKEN_SCOPES)}`;

/** A deploy token's username: GitLab's own rule (letters, digits, `_ - + .`), at most 255 characters. */
const deployUsernameSchema = z
    .string({ error: "username must be a string" })
    .trim()
    .min(1, "username must not be empty (leave it out for GitLab's gitlab+deploy-token-N)")
    .max(255, "username must be at most 255 characters")
    .regex(/^[a-zA-Z0-9.+_-]+$/, "username can contain only letters, digits, '_', '-', '+' and '.'");

/** `DeployToken` inputs: exactly one of `project` or `group` (see deployTokenParentFailures). */
export const deployTokenInputsSchema = z.strictObject({
    project: parentSchema("project").optional(),
    group: parentSchema("group").optional(),
    name: nameSchema(255),
    scopes: z
        .array(
            z.enum(DEPLOY_TOKEN_SCOPES, {
                error: (issue) => `"${String(issue.input)}" is not a deploy token scope; ${DEPLOY_SCOPES_HELP}`,
            }),
            { error: `scopes must be a list of deploy token scopes; ${DEPLOY_SCOPES_HELP}` },
        )
        .min(1, `scopes must not be empty; ${DEPLOY_SCOPES_HELP}`)
        .transform((scopes) => [...new Set(scopes)]),
    expiresAt: futureDateSchema("expiresAt").optional(),
    username: deployUsernameSchema.optional(),
    connection: gitLabConnectionSchema.optional(),
    rotation: overlapOnlyRotationSchema("GitLab's deploy token API").optional(),
    rotationTrigger: z.string().optional(),
});
export type DeployTokenInputs = z.infer<typeof deployTokenInputsSchema>;

/** `PipelineTriggerToken` inputs. GitLab has no expiry to send: `rotation.expiresInDays` is a renewal date kept here. */
export const pipelineTriggerInputsSchema = z.strictObject({
    project: parentSchema("project"),
    description: z
        .string({ error: "description must be a string" })
        .trim()
        .min(1, "description must not be empty (GitLab requires one)")
        .max(200, "description must be at most 200 characters (GitLab keeps 255, the ownership mark takes the rest)"),
    connection: gitLabConnectionSchema.optional(),
    rotation: overlapOnlyRotationSchema("GitLab's trigger token API").optional(),
    rotationTrigger: z.string().optional(),
});
export type PipelineTriggerInputs = z.infer<typeof pipelineTriggerInputsSchema>;
