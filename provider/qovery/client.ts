import { z } from "zod";
import { HttpClient, type HttpClientOptions } from "../http";

export const QOVERY_GIT_PROVIDERS = ["BITBUCKET", "GITHUB", "GITLAB"] as const;
export type QoveryGitProvider = (typeof QOVERY_GIT_PROVIDERS)[number];

export const qoveryGitTokenSchema = z.object({
    id: z.string().min(1),
    created_at: z.string(),
    updated_at: z.string().nullish(),
    name: z.string(),
    description: z.string().nullish(),
    type: z.enum(QOVERY_GIT_PROVIDERS),
    expired_at: z.string().nullish(),
    workspace: z.string().nullish(),
    git_api_url: z.string().nullish(),
    associated_services_count: z.number().int(),
});
export type QoveryGitToken = z.infer<typeof qoveryGitTokenSchema>;

export const qoveryAssociatedServiceSchema = z.object({
    project_id: z.string(),
    project_name: z.string(),
    environment_id: z.string(),
    environment_name: z.string(),
    service_id: z.string(),
    service_name: z.string(),
    service_type: z.string(),
});
export type QoveryAssociatedService = z.infer<typeof qoveryAssociatedServiceSchema>;

/**
 * An organization API token as Qovery lists it. The excerpt requires only `id` and `created_at`; the value is
 * never listed, only answered once by the create.
 */
export const qoveryApiTokenSchema = z.object({
    id: z.string().min(1),
    created_at: z.string(),
    updated_at: z.string().nullish(),
    name: z.string().nullish(),
    description: z.string().nullish(),
    role_name: z.string().nullish(),
    role_id: z.string().nullish(),
});
export type QoveryApiToken = z.infer<typeof qoveryApiTokenSchema>;

/** The create's answer: the only time Qovery shows the token's value. */
export const qoveryNewApiTokenSchema = qoveryApiTokenSchema.extend({ token: z.string().min(1) });
export type QoveryNewApiToken = z.infer<typeof qoveryNewApiTokenSchema>;

// Answer schemas are built once: zod compiles an object schema on its first parse.
const gitTokenListSchema = z.object({ results: z.array(qoveryGitTokenSchema).default([]) });
const associatedServicesSchema = z.object({ results: z.array(qoveryAssociatedServiceSchema).default([]) });
// `results` is required here (the excerpt leaves it optional): an answer without it must never read as "the token
// is gone".
const apiTokenListSchema = z.object({ results: z.array(qoveryApiTokenSchema) });

/** Body of an API token create (`OrganizationApiTokenCreateRequest`; `scope` is deprecated and never sent). */
export interface QoveryApiTokenRequest {
    name: string;
    description?: string;
    role_id: string;
}

/** Body of create and (full) update. */
export interface QoveryGitTokenRequest {
    name: string;
    type: QoveryGitProvider;
    token: string;
    description?: string;
    workspace?: string;
    git_api_url?: string;
}

export interface QoveryClientSettings {
    apiUrl: string;
    apiToken: string;
    caCertificate?: string | undefined;
    retry?: HttpClientOptions["retry"];
    timeoutMs?: number;
}

export function qoveryErrorMessage(body: unknown): string | undefined {
    if (typeof body === "object" && body !== null) {
        const { message, detail, error } = body as { message?: unknown; detail?: unknown; error?: unknown };
        for (const candidate of [message, detail, error]) {
            if (typeof candidate === "string" && candidate !== "") {
                return candidate;
            }
        }
    }
    return undefined;
}

/** What Qovery's RBAC asks of the credential that manages organization API tokens. */
const API_TOKEN_ROLE_HINT =
    "The Qovery credential's role must be allowed to manage the organization's API tokens (\"Manage organization setup\": the Owner, Admin or DevOps role, or a custom role granting it).";

function qoveryHint(status: number | undefined, operation: string): string | undefined {
    const aboutApiTokens = operation.includes("API token");
    switch (status) {
        case 401:
            return "Check qovery:apiToken (or QOVERY_API_TOKEN): an organization API token, or a console JWT that has not expired.";
        case 403:
            return aboutApiTokens
                ? API_TOKEN_ROLE_HINT
                : "The Qovery credential needs admin rights on the organization.";
        case 404:
            return aboutApiTokens
                ? "Check organizationId and the API token id."
                : "Check organizationId and the git token id.";
        case 409:
            return aboutApiTokens
                ? "Qovery API token names are unique per organization and another token holds this name: choose another name, or delete that token (or take it over with `adopt: { apiTokenId }`)."
                : undefined;
        default:
            return undefined;
    }
}

/** A console login JWT is sent as `Bearer`; an organization API token as `Token`. */
export function qoveryAuthorization(apiToken: string): string {
    const looksLikeJwt = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(apiToken);
    return `${looksLikeJwt ? "Bearer" : "Token"} ${apiToken}`;
}

/** Typed client of Qovery's organization git token and API token APIs. */
export class QoveryClient {
    private readonly http: HttpClient;
    /** The API root this client talks to (the instance recorded in a token's state). */
    readonly apiUrl: string;

    constructor(settings: QoveryClientSettings) {
        this.apiUrl = settings.apiUrl;
        this.http = new HttpClient({
            service: "qovery",
            apiUrl: settings.apiUrl,
            authHeaders: { Authorization: qoveryAuthorization(settings.apiToken) },
            caCertificate: settings.caCertificate,
            extractMessage: qoveryErrorMessage,
            hint: qoveryHint,
            ...(settings.retry ? { retry: settings.retry } : {}),
            ...(settings.timeoutMs ? { timeoutMs: settings.timeoutMs } : {}),
        });
    }

    static tokensPath(organizationId: string): string {
        return `/organization/${encodeURIComponent(organizationId)}/gitToken`;
    }

    async list(organizationId: string): Promise<QoveryGitToken[]> {
        const response = await this.http.request({
            operation: "list git tokens",
            method: "GET",
            path: QoveryClient.tokensPath(organizationId),
            schema: gitTokenListSchema,
        });
        return response.data.results;
    }

    async get(organizationId: string, gitTokenId: string): Promise<QoveryGitToken> {
        const response = await this.http.request({
            operation: "read git token",
            method: "GET",
            path: `${QoveryClient.tokensPath(organizationId)}/${encodeURIComponent(gitTokenId)}`,
            schema: qoveryGitTokenSchema,
        });
        return response.data;
    }

    async create(organizationId: string, request: QoveryGitTokenRequest): Promise<QoveryGitToken> {
        const response = await this.http.request({
            operation: "create git token",
            method: "POST",
            path: QoveryClient.tokensPath(organizationId),
            body: request,
            schema: qoveryGitTokenSchema,
        });
        return response.data;
    }

    async update(organizationId: string, gitTokenId: string, request: QoveryGitTokenRequest): Promise<QoveryGitToken> {
        const response = await this.http.request({
            operation: "update git token",
            method: "PUT",
            path: `${QoveryClient.tokensPath(organizationId)}/${encodeURIComponent(gitTokenId)}`,
            body: request,
            schema: qoveryGitTokenSchema,
        });
        return response.data;
    }

    async delete(organizationId: string, gitTokenId: string): Promise<void> {
        await this.http.request({
            operation: "delete git token",
            method: "DELETE",
            path: `${QoveryClient.tokensPath(organizationId)}/${encodeURIComponent(gitTokenId)}`,
        });
    }

    async associatedServices(organizationId: string, gitTokenId: string): Promise<QoveryAssociatedService[]> {
        const response = await this.http.request({
            operation: "list services using git token",
            method: "GET",
            path: `${QoveryClient.tokensPath(organizationId)}/${encodeURIComponent(gitTokenId)}/associatedServices`,
            schema: associatedServicesSchema,
        });
        return response.data.results;
    }

    static apiTokensPath(organizationId: string): string {
        return `/organization/${encodeURIComponent(organizationId)}/apiToken`;
    }

    async listApiTokens(organizationId: string): Promise<QoveryApiToken[]> {
        const response = await this.http.request({
            operation: "list API tokens",
            method: "GET",
            path: QoveryClient.apiTokensPath(organizationId),
            schema: apiTokenListSchema,
        });
        return response.data.results;
    }

    async createApiToken(organizationId: string, request: QoveryApiTokenRequest): Promise<QoveryNewApiToken> {
        const response = await this.http.request({
            operation: "create API token",
            method: "POST",
            path: QoveryClient.apiTokensPath(organizationId),
            body: request,
            schema: qoveryNewApiTokenSchema,
        });
        return response.data;
    }

    async deleteApiToken(organizationId: string, apiTokenId: string): Promise<void> {
        await this.http.request({
            operation: "delete API token",
            method: "DELETE",
            path: `${QoveryClient.apiTokensPath(organizationId)}/${encodeURIComponent(apiTokenId)}`,
        });
    }
}
