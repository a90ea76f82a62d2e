import { z } from "zod";
import { collectPages, HttpClient, type HttpClientOptions, parseLinkHeader } from "../http";

/** Which kind of GitLab resource owns the tokens. */
export type GitLabParentKind = "project" | "group";

/** Whose personal access token: a user's (an administrator's API) or a group service account's (the group Owner's API). */
export type GitLabPersonalTokenOwner =
    | { userId: number; serviceAccount?: undefined }
    | { userId?: undefined; serviceAccount: { group: string; userId: number } };

/**
 * Where a kind's tokens live on GitLab: the listing (and its query), the create path and one token's path (read,
 * revoke; `/rotate` below it). Project, group and personal tokens differ only in these.
 */
export interface GitLabTokenHome {
    /** What GitLab calls these tokens, for operations and messages: "project access token". */
    label: string;
    listPath: string;
    listQuery?: Record<string, string | number>;
    createPath: string;
    tokenPath(tokenId: number): string;
    /** False where GitLab has no read of one token (a service account's tokens): reads go through the listing. */
    readsOne: boolean;
}

/** The home of a project's or group's access tokens. */
export function parentTokenHome(kind: GitLabParentKind, parent: string): GitLabTokenHome {
    const path = GitLabClient.tokensPath(kind, parent);
    return {
        label: `${kind} access token`,
        listPath: path,
        createPath: path,
        tokenPath: (tokenId) => `${path}/${tokenId}`,
        readsOne: true,
    };
}

/**
 * The home of a personal access token. A user's are created below `/users/:id` (administrators only) and handled
 * through `/personal_access_tokens`; a service account's all live below its group, where its Owner may manage
 * them (`/personal_access_tokens/:id` answers a non-administrator only about the caller's own tokens).
 */
export function personalTokenHome(owner: GitLabPersonalTokenOwner): GitLabTokenHome {
    if (owner.serviceAccount) {
        const { group, userId } = owner.serviceAccount;
        const path = `/groups/${encodeURIComponent(group)}/service_accounts/${userId}/personal_access_tokens`;
        return {
            label: "service account personal access token",
            listPath: path,
            createPath: path,
            tokenPath: (tokenId) => `${path}/${tokenId}`,
            readsOne: false,
        };
    }
    return {
        label: "personal access token",
        listPath: "/personal_access_tokens",
        listQuery: { user_id: owner.userId },
        createPath: `/users/${owner.userId}/personal_access_tokens`,
        tokenPath: (tokenId) => `/personal_access_tokens/${tokenId}`,
        readsOne: true,
    };
}

export const gitLabTokenSchema = z.object({
    id: z.number().int(),
    name: z.string(),
    description: z.string().nullish(),
    revoked: z.boolean(),
    active: z.boolean(),
    created_at: z.string(),
    expires_at: z.string().nullish(),
    last_used_at: z.string().nullish(),
    scopes: z.array(z.string()),
    user_id: z.number().int(),
    access_level: z.number().int().optional(),
});
export type GitLabToken = z.infer<typeof gitLabTokenSchema>;

/** Create and rotate answers carry the secret, shown once. */
export const gitLabNewTokenSchema = gitLabTokenSchema.extend({ token: z.string().min(1) });
export type GitLabNewToken = z.infer<typeof gitLabNewTokenSchema>;

export interface GitLabCreateTokenRequest {
    name: string;
    scopes: string[];
    access_level?: number;
    expires_at?: string;
    description?: string;
}

/** A project or group deploy token as GitLab lists it (`expires_at` a date-time, null when it never expires). */
export const gitLabDeployTokenSchema = z.object({
    id: z.number().int(),
    name: z.string(),
    username: z.string(),
    expires_at: z.string().nullish(),
    scopes: z.array(z.string()),
    revoked: z.boolean().optional(),
    expired: z.boolean().optional(),
});
export type GitLabDeployToken = z.infer<typeof gitLabDeployTokenSchema>;

/** The create answer carries the secret, shown once. */
export const gitLabNewDeployTokenSchema = gitLabDeployTokenSchema.extend({ token: z.string().min(1) });
export type GitLabNewDeployToken = z.infer<typeof gitLabNewDeployTokenSchema>;

export interface GitLabCreateDeployTokenRequest {
    name: string;
    scopes: string[];
    expires_at?: string;
    username?: string;
}

/** A project's pipeline trigger token. `token` is the whole value only for the trigger's owner (others: 4 characters). */
export const gitLabTriggerSchema = z.object({
    id: z.number().int(),
    token: z.string(),
    description: z.string().nullish(),
    created_at: z.string().nullish(),
    updated_at: z.string().nullish(),
    last_used: z.string().nullish(),
    expires_at: z.string().nullish(),
    owner: z.object({ id: z.number().int(), username: z.string() }).nullish(),
});
export type GitLabTrigger = z.infer<typeof gitLabTriggerSchema>;

export interface GitLabClientSettings {
    apiUrl: string;
    token: string;
    caCertificate?: string | undefined;
    retry?: HttpClientOptions["retry"];
    timeoutMs?: number;
}

/** GitLab's error bodies: `{error: "..."}`, `{message: "..."}` or `{message: {field: ["..."]}}`. */
export function gitLabErrorMessage(body: unknown): string | undefined {
    if (typeof body !== "object" || body === null) {
        return undefined;
    }
    const { error, message } = body as { error?: unknown; message?: unknown };
    if (typeof error === "string") {
        return error;
    }
    if (typeof message === "string") {
        return message;
    }
    if (typeof message === "object" && message !== null) {
        return Object.entries(message)
            .map(([field, problems]) => `${field} ${Array.isArray(problems) ? problems.join(", ") : String(problems)}`)
            .join("; ");
    }
    return undefined;
}

const ROLE_HINT =
    "The credential in gitlab:token needs the Maintainer role on the project (Owner on a group) and the `api` scope.";
const PERSONAL_ROLE_HINT =
    "Personal access tokens of other users need an administrator's credential in gitlab:token (scope `api`; also `admin_mode` where Admin Mode is on).";
const SERVICE_ACCOUNT_ROLE_HINT =
    "Tokens of a group's service account need the Owner role on the group (or an administrator) in gitlab:token, with the `api` scope.";

/** The role an operation needs, by what it is about. */
function roleHintFor(operation: string): string {
    if (operation.includes("service account")) {
        return SERVICE_ACCOUNT_ROLE_HINT;
    }
    return operation.includes("personal access token") ? PERSONAL_ROLE_HINT : ROLE_HINT;
}

function gitLabHint(status: number | undefined, operation: string, serviceMessage?: string): string | undefined {
    if (status === 400 && /permission/i.test(serviceMessage ?? "")) {
        return roleHintFor(operation); // GitLab answers a create without the needed role with 400, not 403.
    }
    if (status === 401 && operation.includes("personal access token")) {
        // GitLab answers 401 about another user's personal token the caller may not see.
        return `Check gitlab:token (or GITLAB_TOKEN): it is missing, expired or revoked, or lacks the role. ${roleHintFor(operation)}`;
    }
    if (status === 400 && /already revoked/i.test(serviceMessage ?? "")) {
        // E.g. an in-place rotation killed after GitLab rotated: the state still names the old token.
        return "The token in the state is revoked (an interrupted rotation, or revoked by hand): run `pulumi refresh`, which drops it, then `pulumi up` creates a new one.";
    }
    switch (status) {
        case 401:
            return "Check gitlab:token (or GITLAB_TOKEN): it is missing, expired or revoked.";
        case 403:
            return roleHintFor(operation);
        case 404:
            if (/\b(Project|Group) Not Found\b/i.test(serviceMessage ?? "")) {
                return (
                    "GitLab does not know the project or group, or hides it from this credential (renamed, moved, access lost): " +
                    "check the path in your program and the credential's role. The token may still live, so the state keeps it; " +
                    "if the project or group was deleted with its tokens, remove the resource with `pulumi state delete <urn>`."
                );
            }
            if (/\bUser Not Found\b/i.test(serviceMessage ?? "")) {
                return "GitLab does not know the user, or the service account is not one of the group's: check `userId` (or `serviceAccount.group` and `serviceAccount.userId`).";
            }
            if (operation.includes("personal access token")) {
                return "Check the owner (`userId`, or `serviceAccount`'s group and user id) and the token id.";
            }
            return operation.includes("token")
                ? "Check the project or group (id or full path) and the token id; GitLab also answers 404 when the credential cannot see the project."
                : undefined;
        default:
            return undefined;
    }
}

/** What every GitLab client shares: one instance, one credential, the same errors and hints, offset paging. */
abstract class GitLabApi {
    protected readonly http: HttpClient;
    /** The API root this client talks to (the instance recorded in a token's state). */
    readonly apiUrl: string;

    constructor(settings: GitLabClientSettings) {
        this.apiUrl = settings.apiUrl;
        this.http = new HttpClient({
            service: "gitlab",
            apiUrl: settings.apiUrl,
            authHeaders: { "PRIVATE-TOKEN": settings.token },
            caCertificate: settings.caCertificate,
            extractMessage: gitLabErrorMessage,
            hint: gitLabHint,
            ...(settings.retry ? { retry: settings.retry } : {}),
            ...(settings.timeoutMs ? { timeoutMs: settings.timeoutMs } : {}),
        });
    }

    /** Every page of a listing (100 a page). */
    protected listAll<T>(
        operation: string,
        path: string,
        query: Record<string, string | number | boolean | undefined>,
        item: z.ZodType<T>,
    ): Promise<T[]> {
        return collectPages<T, number>(async (page) => {
            const response = await this.http.request({
                operation,
                method: "GET",
                path,
                query: { per_page: 100, page: page ?? 1, ...query },
                schema: z.array(item),
            });
            return { items: response.data, next: nextPage(response.headers) };
        });
    }
}

/** Typed client of GitLab's project, group and personal access token API. */
export class GitLabClient extends GitLabApi {
    /** `/projects/acme%2Fweb/access_tokens`: a full path is URL-encoded, a numeric id is used as is. */
    static tokensPath(kind: GitLabParentKind, parent: string): string {
        return `/${kind}s/${encodeURIComponent(parent)}/access_tokens`;
    }

    list(
        kind: GitLabParentKind,
        parent: string,
        filter: { state?: "active" | "inactive"; search?: string } = {},
    ): Promise<GitLabToken[]> {
        return this.listAt(parentTokenHome(kind, parent), filter);
    }

    get(kind: GitLabParentKind, parent: string, tokenId: number): Promise<GitLabToken> {
        return this.getAt(parentTokenHome(kind, parent), tokenId);
    }

    create(kind: GitLabParentKind, parent: string, request: GitLabCreateTokenRequest): Promise<GitLabNewToken> {
        return this.createAt(parentTokenHome(kind, parent), request);
    }

    rotate(kind: GitLabParentKind, parent: string, tokenId: number, expiresAt?: string): Promise<GitLabNewToken> {
        return this.rotateAt(parentTokenHome(kind, parent), tokenId, expiresAt);
    }

    revoke(kind: GitLabParentKind, parent: string, tokenId: number): Promise<void> {
        return this.revokeAt(parentTokenHome(kind, parent), tokenId);
    }

    /** Lists the tokens of a home (project, group, user or service account). */
    listAt(
        home: GitLabTokenHome,
        filter: { state?: "active" | "inactive"; search?: string } = {},
    ): Promise<GitLabToken[]> {
        return this.listAll(
            `list ${home.label}s`,
            home.listPath,
            { ...home.listQuery, state: filter.state, search: filter.search },
            gitLabTokenSchema,
        );
    }

    async getAt(home: GitLabTokenHome, tokenId: number): Promise<GitLabToken> {
        const response = await this.http.request({
            operation: `read ${home.label}`,
            method: "GET",
            path: home.tokenPath(tokenId),
            schema: gitLabTokenSchema,
        });
        return response.data;
    }

    async createAt(home: GitLabTokenHome, request: GitLabCreateTokenRequest): Promise<GitLabNewToken> {
        const response = await this.http.request({
            operation: `create ${home.label}`,
            method: "POST",
            path: home.createPath,
            body: request,
            schema: gitLabNewTokenSchema,
        });
        return response.data;
    }

    /** Rotates a token: GitLab revokes the old value at once and returns a new token (new id, new value). */
    async rotateAt(home: GitLabTokenHome, tokenId: number, expiresAt?: string): Promise<GitLabNewToken> {
        const response = await this.http.request({
            operation: `rotate ${home.label}`,
            method: "POST",
            path: `${home.tokenPath(tokenId)}/rotate`,
            body: expiresAt ? { expires_at: expiresAt } : {},
            schema: gitLabNewTokenSchema,
        });
        return response.data;
    }

    async revokeAt(home: GitLabTokenHome, tokenId: number): Promise<void> {
        await this.http.request({
            operation: `revoke ${home.label}`,
            method: "DELETE",
            path: home.tokenPath(tokenId),
        });
    }
}

/** Typed client of GitLab's project and group deploy token API (`/:parent/deploy_tokens`). */
export class GitLabDeployTokenClient extends GitLabApi {
    static tokensPath(kind: GitLabParentKind, parent: string): string {
        return `/${kind}s/${encodeURIComponent(parent)}/deploy_tokens`;
    }

    /** The parent's deploy tokens; `active` keeps those neither revoked nor expired. */
    async list(
        kind: GitLabParentKind,
        parent: string,
        filter: { active?: boolean } = {},
    ): Promise<GitLabDeployToken[]> {
        return this.listAll(
            `list ${kind} deploy tokens`,
            GitLabDeployTokenClient.tokensPath(kind, parent),
            { active: filter.active },
            gitLabDeployTokenSchema,
        );
    }

    async get(kind: GitLabParentKind, parent: string, tokenId: number): Promise<GitLabDeployToken> {
        const response = await this.http.request({
            operation: `read ${kind} deploy token`,
            method: "GET",
            path: `${GitLabDeployTokenClient.tokensPath(kind, parent)}/${tokenId}`,
            schema: gitLabDeployTokenSchema,
        });
        return response.data;
    }

    async create(
        kind: GitLabParentKind,
        parent: string,
        request: GitLabCreateDeployTokenRequest,
    ): Promise<GitLabNewDeployToken> {
        const response = await this.http.request({
            operation: `create ${kind} deploy token`,
            method: "POST",
            path: GitLabDeployTokenClient.tokensPath(kind, parent),
            body: request,
            schema: gitLabNewDeployTokenSchema,
        });
        return response.data;
    }

    /** Deletes the token (GitLab removes it: it is no longer listed). */
    async delete(kind: GitLabParentKind, parent: string, tokenId: number): Promise<void> {
        await this.http.request({
            operation: `delete ${kind} deploy token`,
            method: "DELETE",
            path: `${GitLabDeployTokenClient.tokensPath(kind, parent)}/${tokenId}`,
        });
    }
}

/** Typed client of GitLab's pipeline trigger token API (`/projects/:id/triggers`). */
export class GitLabTriggerClient extends GitLabApi {
    static triggersPath(project: string): string {
        return `/projects/${encodeURIComponent(project)}/triggers`;
    }

    async list(project: string): Promise<GitLabTrigger[]> {
        return this.listAll(
            "list pipeline trigger tokens",
            GitLabTriggerClient.triggersPath(project),
            {},
            gitLabTriggerSchema,
        );
    }

    async get(project: string, triggerId: number): Promise<GitLabTrigger> {
        const response = await this.http.request({
            operation: "read pipeline trigger token",
            method: "GET",
            path: `${GitLabTriggerClient.triggersPath(project)}/${triggerId}`,
            schema: gitLabTriggerSchema,
        });
        return response.data;
    }

    async create(project: string, description: string): Promise<GitLabTrigger> {
        const response = await this.http.request({
            operation: "create pipeline trigger token",
            method: "POST",
            path: GitLabTriggerClient.triggersPath(project),
            body: { description },
            schema: gitLabTriggerSchema,
        });
        return response.data;
    }

    /** Edits the description in place (the token value stays). */
    async update(project: string, triggerId: number, description: string): Promise<GitLabTrigger> {
        const response = await this.http.request({
            operation: "update pipeline trigger token",
            method: "PUT",
            path: `${GitLabTriggerClient.triggersPath(project)}/${triggerId}`,
            body: { description },
            schema: gitLabTriggerSchema,
        });
        return response.data;
    }

    async delete(project: string, triggerId: number): Promise<void> {
        await this.http.request({
            operation: "delete pipeline trigger token",
            method: "DELETE",
            path: `${GitLabTriggerClient.triggersPath(project)}/${triggerId}`,
        });
    }
}

/** GitLab gives `x-next-page` (absent on gitlab.com for large sets) and a `Link` header: use either. */
function nextPage(headers: Record<string, string | undefined>): number | undefined {
    const header = headers["x-next-page"];
    if (header && /^\d+$/.test(header)) {
        return Number(header);
    }
    const next = parseLinkHeader(headers.link).next;
    if (next) {
        const page = new URL(next).searchParams.get("page");
        return page && /^\d+$/.test(page) ? Number(page) : undefined;
    }
    return undefined;
}
