import { z } from "zod";
import { type ApiLimits, collectPages, HttpClient, type HttpClientOptions } from "../http";

export const CODACY_PROVIDERS = ["gh", "ghe", "gl", "gle", "bb", "bbe"] as const;
export type CodacyProvider = (typeof CODACY_PROVIDERS)[number];

export const codacyTokenSchema = z.object({
    id: z.number().int(),
    token: z.string().min(1),
    expiresAt: z.string().nullish(),
});
export type CodacyToken = z.infer<typeof codacyTokenSchema>;

// Answer schemas are built once: zod compiles an object schema on its first parse, and a refresh lists per token.
const tokenListSchema = z.object({ data: z.array(codacyTokenSchema) });
const newTokenSchema = z.object({ data: codacyTokenSchema });

export const codacyRepositorySchema = z.object({
    repositoryId: z.number().int().optional(),
    provider: z.string(),
    owner: z.string(),
    name: z.string(),
    fullPath: z.string().optional(),
    visibility: z.string().optional(),
});
export type CodacyRepository = z.infer<typeof codacyRepositorySchema>;

const repositoryPageSchema = z.object({
    data: z.array(codacyRepositorySchema),
    pagination: z
        .object({ cursor: z.string().optional(), limit: z.number().optional(), total: z.number().optional() })
        .optional(),
});

export interface CodacyClientSettings {
    apiUrl: string;
    apiToken: string;
    caCertificate?: string | undefined;
    retry?: HttpClientOptions["retry"];
    timeoutMs?: number;
    /** Throttling shared by every client of this API root in the process (default: 4 requests in flight). */
    limits?: Partial<ApiLimits>;
}

/** Codacy's `RepositoryFilter` query values. */
export const CODACY_REPOSITORY_SYNC_FILTERS = ["Synced", "NotSynced", "AllSynced"] as const;

/** Server-side filters of `listOrganizationRepositories` (Codacy API v3). */
export interface CodacyRepositoryListFilter {
    /** `search`: repositories whose name contains this text. */
    search?: string | undefined;
    /** `filter`: `Synced`, `NotSynced` or `AllSynced`. */
    sync?: (typeof CODACY_REPOSITORY_SYNC_FILTERS)[number] | undefined;
    /** `languages`: repositories using any of these languages (sent comma-separated). */
    languages?: readonly string[] | undefined;
}

export interface CodacyRepositoryRef {
    provider: CodacyProvider;
    organization: string;
    repository: string;
}

export function codacyErrorMessage(body: unknown): string | undefined {
    if (typeof body === "object" && body !== null) {
        const { message, innerMessage } = body as { message?: unknown; innerMessage?: unknown };
        if (typeof message === "string") {
            return typeof innerMessage === "string" && innerMessage !== "" ? `${message} (${innerMessage})` : message;
        }
    }
    return undefined;
}

function codacyHint(status: number | undefined): string | undefined {
    switch (status) {
        case 401:
            return "Check codacy:apiToken (or CODACY_API_TOKEN): it must be an account API token.";
        case 403:
            return "The account behind codacy:apiToken needs admin rights on the repository.";
        case 404:
            return "Check provider, organization and repository: the repository must be added to Codacy.";
        default:
            return undefined;
    }
}

/** Typed client of Codacy's repository API token endpoints (API v3). */
export class CodacyClient {
    private readonly http: HttpClient;
    /** The API root this client talks to (the instance recorded in a token's state). */
    readonly apiUrl: string;

    constructor(settings: CodacyClientSettings) {
        this.apiUrl = settings.apiUrl;
        this.http = new HttpClient({
            service: "codacy",
            apiUrl: settings.apiUrl,
            authHeaders: { "api-token": settings.apiToken },
            caCertificate: settings.caCertificate,
            extractMessage: codacyErrorMessage,
            hint: codacyHint,
            ...(settings.retry ? { retry: settings.retry } : {}),
            ...(settings.timeoutMs ? { timeoutMs: settings.timeoutMs } : {}),
            ...(settings.limits ? { limits: settings.limits } : {}),
        });
    }

    static tokensPath(ref: CodacyRepositoryRef): string {
        const { provider, organization, repository } = ref;
        return `/organizations/${provider}/${encodeURIComponent(organization)}/repositories/${encodeURIComponent(repository)}/tokens`;
    }

    /** What `listTokens(ref)` asks, and as whom: reads of one refresh share such a listing (`listingForRead`). */
    listingKey(ref: CodacyRepositoryRef): string {
        return `${this.http.identity} ${CodacyClient.tokensPath(ref)}`;
    }

    async listTokens(ref: CodacyRepositoryRef): Promise<CodacyToken[]> {
        const response = await this.http.request({
            operation: "list repository API tokens",
            method: "GET",
            path: CodacyClient.tokensPath(ref),
            schema: tokenListSchema,
        });
        return response.data.data;
    }

    async createToken(ref: CodacyRepositoryRef): Promise<CodacyToken> {
        const response = await this.http.request({
            operation: "create repository API token",
            method: "POST",
            path: CodacyClient.tokensPath(ref),
            schema: newTokenSchema,
        });
        return response.data.data;
    }

    async deleteToken(ref: CodacyRepositoryRef, tokenId: number): Promise<void> {
        await this.http.request({
            operation: "delete repository API token",
            method: "DELETE",
            path: `${CodacyClient.tokensPath(ref)}/${tokenId}`,
        });
    }

    /**
     * Every repository of an organization, following the cursor to the end. Cursors are sent URL-encoded
     * (Bitbucket's contain `+`, `/`, `=`), and a page may hold more items than `limit` (Bitbucket's first
     * page does): items are kept in order, a repository listed twice only once.
     */
    async listRepositories(
        provider: CodacyProvider,
        organization: string,
        filter: CodacyRepositoryListFilter = {},
        pageSize = 100,
    ): Promise<CodacyRepository[]> {
        const all = await collectPages<CodacyRepository, string>(async (cursor) => {
            const response = await this.http.request({
                operation: "list repositories",
                method: "GET",
                path: `/organizations/${provider}/${encodeURIComponent(organization)}/repositories`,
                query: {
                    limit: pageSize,
                    cursor,
                    search: filter.search,
                    filter: filter.sync,
                    languages: filter.languages && filter.languages.length > 0 ? filter.languages.join(",") : undefined,
                },
                schema: repositoryPageSchema,
            });
            const next = response.data.pagination?.cursor;
            return { items: response.data.data, next: next && response.data.data.length > 0 ? next : undefined };
        });
        const seen = new Set<string>();
        return all.filter((repository) => {
            const fresh = !seen.has(repository.name);
            seen.add(repository.name);
            return fresh;
        });
    }
}
