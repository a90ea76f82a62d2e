import { z } from "zod";
import { collectPages, HttpClient, type HttpClientOptions } from "../http";

export const giteaTokenSchema = z.object({
    id: z.number().int(),
    name: z.string(),
    sha1: z.string().optional(),
    token_last_eight: z.string().optional(),
    scopes: z.array(z.string()).nullish(),
});
export type GiteaToken = z.infer<typeof giteaTokenSchema>;

/** Only the create answer carries the secret (`sha1`). */
export const giteaNewTokenSchema = giteaTokenSchema.extend({ sha1: z.string().min(1) });
export type GiteaNewToken = z.infer<typeof giteaNewTokenSchema>;

export interface GiteaClientSettings {
    apiUrl: string;
    username: string;
    password: string;
    otp?: string | undefined;
    caCertificate?: string | undefined;
    retry?: HttpClientOptions["retry"];
    timeoutMs?: number;
}

/** Page size of token listings: Gitea caps `limit` at 50 by default. */
const PAGE_SIZE = 50;

/** A page of a user's tokens (built once, not per page). */
const tokenPageSchema = z.array(giteaTokenSchema);

export function giteaErrorMessage(body: unknown): string | undefined {
    if (typeof body === "object" && body !== null) {
        const { message, errors } = body as { message?: unknown; errors?: unknown };
        if (typeof message === "string" && message !== "") {
            return Array.isArray(errors) && errors.length > 0 ? `${message} (${errors.join("; ")})` : message;
        }
    }
    return undefined;
}

function giteaHint(status: number | undefined): string | undefined {
    switch (status) {
        case 401:
            return "Gitea manages tokens only with basic auth: check gitea:username and gitea:password (a token is refused here), and gitea:otp if the account has two-factor authentication.";
        case 403:
            return "Only a site administrator may manage another user's tokens: leave `username` empty or use that user's own credentials.";
        case 404:
            return "Check the username and the token id.";
        default:
            return undefined;
    }
}

/** Typed client of Gitea's user access token API (basic auth, optional OTP). */
export class GiteaClient {
    private readonly http: HttpClient;
    /** The API root this client talks to (the instance recorded in a token's state). */
    readonly apiUrl: string;
    readonly username: string;

    constructor(settings: GiteaClientSettings) {
        this.apiUrl = settings.apiUrl;
        this.username = settings.username;
        const basic = Buffer.from(`${settings.username}:${settings.password}`).toString("base64");
        this.http = new HttpClient({
            service: "gitea",
            apiUrl: settings.apiUrl,
            authHeaders: {
                Authorization: `Basic ${basic}`,
                ...(settings.otp ? { "X-Gitea-OTP": settings.otp } : {}),
            },
            secrets: [settings.password],
            caCertificate: settings.caCertificate,
            extractMessage: giteaErrorMessage,
            hint: giteaHint,
            ...(settings.retry ? { retry: settings.retry } : {}),
            ...(settings.timeoutMs ? { timeoutMs: settings.timeoutMs } : {}),
        });
    }

    static tokensPath(username: string): string {
        return `/users/${encodeURIComponent(username)}/tokens`;
    }

    /** What `list(username)` asks, and as whom: reads of one refresh share such a listing (`listingForRead`). */
    listingKey(username: string): string {
        return `${this.http.identity} ${GiteaClient.tokensPath(username)}`;
    }

    async list(username: string): Promise<GiteaToken[]> {
        return collectPages<GiteaToken, number>(async (page) => {
            const current = page ?? 1;
            const response = await this.http.request({
                operation: "list access tokens",
                method: "GET",
                path: GiteaClient.tokensPath(username),
                query: { page: current, limit: PAGE_SIZE },
                schema: tokenPageSchema,
            });
            const total = Number(response.headers["x-total-count"]);
            const seen = (current - 1) * PAGE_SIZE + response.data.length;
            const more = Number.isFinite(total) ? seen < total : response.data.length === PAGE_SIZE;
            return { items: response.data, next: more && response.data.length > 0 ? current + 1 : undefined };
        });
    }

    async create(username: string, name: string, scopes: string[]): Promise<GiteaNewToken> {
        const response = await this.http.request({
            operation: "create access token",
            method: "POST",
            path: GiteaClient.tokensPath(username),
            body: { name, scopes },
            schema: giteaNewTokenSchema,
        });
        return response.data;
    }

    /** Deletes a token by numeric id (Gitea also accepts a name, which we never send: names may be ambiguous). */
    async delete(username: string, tokenId: number): Promise<void> {
        await this.http.request({
            operation: "delete access token",
            method: "DELETE",
            path: `${GiteaClient.tokensPath(username)}/${tokenId}`,
        });
    }
}
