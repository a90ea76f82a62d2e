import { z } from "zod";
import { listOf } from "../lifecycle";
import { connectionBaseShape, overlapOnlyRotationSchema } from "../inputs";
import { CODACY_PROVIDERS, CODACY_REPOSITORY_SYNC_FILTERS } from "./client";

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

/** A repository name pattern: a glob (`*` any run of characters, `?` one character) or a RegExp. */
export const repositoryPatternSchema = z.union(
    [z.string().min(1, "a pattern must not be empty"), z.instanceof(RegExp)],
    {
        error: 'a pattern must be a glob string (e.g. "api-*") or a RegExp',
    },
);

/** Plain (program-time) connection settings of the look-up functions. */
export const codacyLookupConnectionSchema = codacyConnectionSchema;

/** Server-side filters of the repository listing. */
export const codacyRepositoryFilterSchema = z.strictObject({
    search: z.string().min(1, "filter.search must not be empty").optional(),
    sync: z
        .enum(CODACY_REPOSITORY_SYNC_FILTERS, {
            error: `filter.sync must be one of: ${listOf(CODACY_REPOSITORY_SYNC_FILTERS)}`,
        })
        .optional(),
    languages: z.array(z.string().min(1)).optional(),
});

const providerSchema = z.enum(CODACY_PROVIDERS, { error: `provider must be one of: ${listOf(CODACY_PROVIDERS)}` });

/** Arguments of `listCodacyRepositories`. */
export const listCodacyRepositoriesArgsSchema = z.strictObject({
    provider: providerSchema,
    organization: namePart("organization", "my-org"),
    filter: codacyRepositoryFilterSchema.optional(),
    pageSize: z.number().int().min(1, "pageSize must be 1 to 100").max(100, "pageSize must be 1 to 100").optional(),
    connection: codacyLookupConnectionSchema.optional(),
});
export type ListCodacyRepositoriesArgs = z.infer<typeof listCodacyRepositoriesArgsSchema>;

/** Arguments of `getCodacyRepositoryTokens`. */
export const getCodacyRepositoryTokensArgsSchema = z.strictObject({
    provider: providerSchema,
    organization: namePart("organization", "my-org"),
    repository: namePart("repository", "my-repo"),
    includeExpired: z.boolean().optional(),
    connection: codacyLookupConnectionSchema.optional(),
});
export type GetCodacyRepositoryTokensArgs = z.infer<typeof getCodacyRepositoryTokensArgsSchema>;

/** The plain (known at construction) arguments of `CodacyOrganizationRepoTokens`. */
export const codacyOrganizationArgsSchema = z.strictObject({
    provider: providerSchema,
    organization: namePart("organization", "my-org"),
    include: z.array(repositoryPatternSchema).optional(),
    exclude: z.array(repositoryPatternSchema).optional(),
    repositories: z.array(namePart("repositories[]", "my-repo")).optional(),
    filter: codacyRepositoryFilterSchema.optional(),
});
export type CodacyOrganizationArgs = z.infer<typeof codacyOrganizationArgsSchema>;
