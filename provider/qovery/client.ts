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

function qoveryHint(status: number | undefined): string | undefined {
    switch (status) {
        case 401:
            return "Check qovery:apiToken (or QOVERY_API_TOKEN): an organization API token, or a console JWT that has not expired.";
        case 403:
            return "The Qovery credential needs admin rights on the organization.";
        case 404:
            return "Check organizationId and the git token id.";
        default:
            return undefined;
    }
}

/** A console login JWT is sent as `Bearer`; an organization API token as `Token`. */
export function qoveryAuthorization(apiToken: string): string {
    const looksLikeJwt = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(apiToken);
    return `${looksLikeJwt ? "Bearer" : "Token"} ${apiToken}`;
}

/** Typed client of Qovery's organization git token API. */
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
            schema: z.object({ results: z.array(qoveryGitTokenSchema).default([]) }),
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
            schema: z.object({ results: z.array(qoveryAssociatedServiceSchema).default([]) }),
        });
        return response.data.results;
    }
}
