import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../provider/config";
import { codacyOrganizationArgsSchema } from "../provider/codacy/inputs";
import {
    listOrganizationRepositories,
    parseArguments,
    repositoryTokens,
    selectRepositories,
} from "../provider/codacy/organization";
import { type CodacyProvider, CodacyRepoToken } from "./codacy";
import type { RepositoryPattern } from "../provider/codacy/patterns";
import type { RotationArgs } from "./common";

export type { RepositoryPattern } from "../provider/codacy/patterns";

/**
 * How the program-time functions reach Codacy. Plain values (they run while the program runs, not in the
 * provider). Each setting falls back to stack config (`codacy:baseUrl`, `codacy:apiToken`, read with
 * `new pulumi.Config("codacy")`), then to the environment (`CODACY_BASE_URL`, `CODACY_API_TOKEN`).
 */
export interface CodacyLookupConnection {
    /** Base URL, with or without `/api/v3` (default `https://app.codacy.com`). */
    baseUrl?: string;
    /** Account API token (sent as `api-token`). */
    apiToken?: string;
    /** PEM bundle of extra certificate authorities to trust. */
    caCertificate?: string;
    /** Allow plain `http://` to a host other than loopback. */
    allowInsecureHttp?: boolean;
}

/** Codacy's own filters of the repository listing (query parameters of `listOrganizationRepositories`). */
export interface CodacyRepositoryFilter {
    /** `search`: only repositories whose name contains this text. */
    search?: string;
    /** `filter`: `Synced`, `NotSynced` or `AllSynced`. */
    sync?: "Synced" | "NotSynced" | "AllSynced";
    /** `languages`: only repositories using one of these languages. */
    languages?: string[];
}

/** A repository of a Codacy organization, as listed by Codacy. */
export interface CodacyRepositoryInfo {
    /** Repository name on the git provider (what `CodacyRepoToken.repository` takes). */
    name: string;
    /** Organization name on the git provider. */
    owner: string;
    /** Git provider code. */
    provider: string;
    /** Codacy's id of the repository. */
    repositoryId?: number;
    /** `owner/name`. */
    fullPath?: string;
    /** `Public` or `Private`. */
    visibility?: string;
}

export interface ListCodacyRepositoriesArgs {
    /** Git provider code. */
    provider: CodacyProvider;
    /** Organization name on the git provider. */
    organization: string;
    /** Codacy's server-side filters. */
    filter?: CodacyRepositoryFilter;
    /** Repositories asked per request (1–100, default 100); every page is fetched whatever the size. */
    pageSize?: number;
    /** Overrides of stack config and the environment. */
    connection?: CodacyLookupConnection;
}

export interface GetCodacyRepositoryTokensArgs {
    /** Git provider code. */
    provider: CodacyProvider;
    /** Organization name on the git provider. */
    organization: string;
    /** Repository name. */
    repository: string;
    /** Also return tokens past their `expiresAt` (default false). */
    includeExpired?: boolean;
    /** Overrides of stack config and the environment. */
    connection?: CodacyLookupConnection;
}

/** A repository API token. `token` is a secret: wrap it with `pulumi.secret` before exporting or passing it on. */
export interface CodacyRepositoryToken {
    /** Codacy's id (what `adopt: { tokenId }` takes). */
    id: number;
    /** The token value. Secret. */
    token: string;
    /** Expiry (ISO 8601), when the token has one. */
    expiresAt?: string;
}

/** Stack config of the `codacy` namespace, as the program sees it (`pulumi config set codacy:...`). */
function programConfig(): StackConfig {
    const config = new pulumi.Config("codacy");
    return { get: (key) => (key.startsWith("codacy:") ? config.get(key.slice("codacy:".length)) : undefined) };
}

/**
 * Lists every repository of a Codacy organization, following Codacy's cursor pagination to the end (Bitbucket
 * cursors are URL-encoded, pages larger than asked are fine). Runs while the program runs, so its result can
 * decide which resources to declare:
 *
 * ```ts
 * export = async () => {
 *     const repos = await listCodacyRepositories({ provider: "gh", organization: "acme" });
 *     for (const repo of repos.filter((r) => r.name.startsWith("api-"))) {
 *         new CodacyRepoToken(repo.name, { provider: "gh", organization: "acme", repository: repo.name });
 *     }
 * };
 * ```
 *
 * (Or `await` it at the top level of an ES module program.) Credentials: `connection`, then stack config
 * `codacy:baseUrl` / `codacy:apiToken`, then `CODACY_BASE_URL` / `CODACY_API_TOKEN`. Requests are throttled
 * like the resources' (`codacy:maxConcurrency`, `codacy:maxRequestsPerSecond`).
 */
export async function listCodacyRepositories(args: ListCodacyRepositoriesArgs): Promise<CodacyRepositoryInfo[]> {
    const repositories = await listOrganizationRepositories(args, programConfig());
    return repositories.map((r) => ({
        name: r.name,
        owner: r.owner,
        provider: r.provider,
        ...(r.repositoryId !== undefined ? { repositoryId: r.repositoryId } : {}),
        ...(r.fullPath !== undefined ? { fullPath: r.fullPath } : {}),
        ...(r.visibility !== undefined ? { visibility: r.visibility } : {}),
    }));
}

/**
 * The API tokens that exist for a repository, newest (highest id) first; expired ones are left out unless
 * `includeExpired`. Useful to find a token to `adopt`, or to check what a repository already has. The values
 * are secrets: wrap them with `pulumi.secret` before exporting them or passing them to another resource.
 */
export async function getCodacyRepositoryTokens(args: GetCodacyRepositoryTokensArgs): Promise<CodacyRepositoryToken[]> {
    return repositoryTokens(args, programConfig());
}

export interface CodacyOrganizationRepoTokensArgs {
    /** Git provider code. */
    provider: CodacyProvider;
    /** Organization name on the git provider. */
    organization: string;
    /**
     * The repositories to manage. Omitted: every repository Codacy lists for the organization (see
     * `listCodacyRepositories`), re-listed on every `preview`/`up`.
     */
    repositories?: string[];
    /**
     * Keep only repositories matching at least one pattern (default: all). A string is a glob matched against
     * the whole name, case-insensitively: `*` is any run of characters, `?` one character (`"api-*"`,
     * `"*-service"`). A RegExp is used as written (`/^web-(prod|stage)$/`).
     */
    include?: RepositoryPattern[];
    /** Leave out repositories matching any pattern (same syntax as `include`); wins over `include`. */
    exclude?: RepositoryPattern[];
    /** Codacy's server-side filters for the listing (ignored with an explicit `repositories`). */
    filter?: CodacyRepositoryFilter;
    /** Overrides of stack config and the environment, for the listing and for every token (stored encrypted). */
    connection?: CodacyLookupConnection;
    /** Renewal of every token, as `CodacyRepoToken.rotation`. */
    rotation?: pulumi.Input<Omit<RotationArgs, "strategy">>;
    /** Any change replaces every token (new ones first). */
    rotationTrigger?: pulumi.Input<string>;
}

/**
 * One `CodacyRepoToken` for every repository of a Codacy organization (or the ones selected), as children of
 * this component, named `<name>/<repository>`.
 *
 * - A repository added to Codacy gets its token on the next `up`; a repository that disappears from the list
 *   (or gets excluded) has its token revoked, since its child is no longer declared.
 * - `pulumi preview` is the "are you sure" step: it lists every token that `up` would create or revoke,
 *   one line per repository, before anything happens.
 * - Hundreds of repositories cause no request storm: the provider throttles Codacy calls
 *   (`codacy:maxConcurrency`, default 4 in flight, and 429 answers pause every request until `Retry-After`).
 */
export class CodacyOrganizationRepoTokens extends pulumi.ComponentResource {
    /** repository → token value. Secret. */
    readonly tokens: pulumi.Output<Record<string, string>>;
    /** repository → Codacy's token id. */
    readonly tokenIds: pulumi.Output<Record<string, number>>;
    /** The managed repositories, sorted by name. */
    readonly repositories: pulumi.Output<string[]>;
    /** The child token resources by repository, once the repository list is known. */
    readonly repoTokens: Promise<Record<string, CodacyRepoToken>>;

    constructor(name: string, args: CodacyOrganizationRepoTokensArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pulumi-access-tokens:codacy:OrganizationRepoTokens", name, {}, opts);
        const parsed = parseArguments("CodacyOrganizationRepoTokens", codacyOrganizationArgsSchema, {
            provider: args.provider,
            organization: args.organization,
            include: args.include,
            exclude: args.exclude,
            repositories: args.repositories,
            filter: args.filter,
        });
        const names: Promise<string[]> = parsed.repositories
            ? Promise.resolve(parsed.repositories)
            : listCodacyRepositories({
                  provider: parsed.provider,
                  organization: parsed.organization,
                  ...(args.filter ? { filter: args.filter } : {}),
                  ...(args.connection ? { connection: args.connection } : {}),
              }).then((repositories) => repositories.map((r) => r.name));
        this.repoTokens = names.then((all) => {
            const children: Record<string, CodacyRepoToken> = {};
            for (const repository of selectRepositories(all, parsed.include, parsed.exclude)) {
                children[repository] = new CodacyRepoToken(
                    `${name}/${repository}`,
                    {
                        provider: parsed.provider,
                        organization: parsed.organization,
                        repository,
                        ...(args.connection ? { connection: args.connection } : {}),
                        ...(args.rotation !== undefined ? { rotation: args.rotation } : {}),
                        ...(args.rotationTrigger !== undefined ? { rotationTrigger: args.rotationTrigger } : {}),
                    },
                    { parent: this },
                );
            }
            return children;
        });
        this.repositories = pulumi.output(this.repoTokens.then((children) => Object.keys(children)));
        this.tokens = pulumi.secret(
            pulumi.output(this.repoTokens.then((children) => mapValues(children, (child) => child.token))),
        );
        this.tokenIds = pulumi.output(
            this.repoTokens.then((children) => mapValues(children, (child) => child.tokenId)),
        );
        this.registerOutputs({ tokens: this.tokens, tokenIds: this.tokenIds, repositories: this.repositories });
    }
}

function mapValues<A, B>(record: Record<string, A>, fn: (value: A) => B): Record<string, B> {
    return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));
}
