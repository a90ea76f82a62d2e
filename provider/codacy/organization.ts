import type { z } from "zod";
import type { StackConfig } from "../config";
import { InputValidationError } from "../http";
import type { CodacyRepository } from "./client";
import { codacyClientFrom } from "./connect";
import {
    type GetCodacyRepositoryTokensArgs,
    getCodacyRepositoryTokensArgsSchema,
    type ListCodacyRepositoriesArgs,
    listCodacyRepositoriesArgsSchema,
} from "./inputs";
import type { RepositoryPattern } from "./patterns";

export type { RepositoryPattern } from "./patterns";

/** Turns a pattern into a test of a repository name. */
export function repositoryMatcher(pattern: RepositoryPattern): (name: string) => boolean {
    if (pattern instanceof RegExp) {
        // `search` ignores `lastIndex`, so a global RegExp gives the same answer every time.
        return (name) => name.search(pattern) !== -1;
    }
    const source = pattern
        .split("")
        .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/-]/g, "\\$&")))
        .join("");
    const regex = new RegExp(`^${source}$`, "i");
    return (name) => regex.test(name);
}

/**
 * The repositories to manage: those matching any `include` pattern (all when none is given) and no `exclude`
 * pattern, each once, sorted by name so the program declares them in a stable order.
 */
export function selectRepositories(
    names: readonly string[],
    include: readonly RepositoryPattern[] = [],
    exclude: readonly RepositoryPattern[] = [],
): string[] {
    const included = include.map(repositoryMatcher);
    const excluded = exclude.map(repositoryMatcher);
    const selected = names.filter(
        (name) =>
            (included.length === 0 || included.some((test) => test(name))) && !excluded.some((test) => test(name)),
    );
    return [...new Set(selected)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Validates the plain arguments of a program-time function, failing with every problem named. */
export function parseArguments<S extends z.ZodType>(what: string, schema: S, value: unknown): z.infer<S> {
    const parsed = schema.safeParse(value);
    if (parsed.success) {
        return parsed.data;
    }
    const failures = parsed.error.issues.map((issue) => ({
        property: issue.path.length > 0 ? issue.path.join(".") : "arguments",
        reason: issue.message,
    }));
    const text = failures.map((f) => `${f.property}: ${f.reason}`).join("; ");
    throw new InputValidationError(`Invalid arguments of ${what}: ${text}.`, failures);
}

/** Every repository of an organization on Codacy (all pages), with the server-side filters applied. */
export async function listOrganizationRepositories(
    args: unknown,
    config: StackConfig,
    env: NodeJS.ProcessEnv = process.env,
): Promise<CodacyRepository[]> {
    const parsed: ListCodacyRepositoriesArgs = parseArguments(
        "listCodacyRepositories",
        listCodacyRepositoriesArgsSchema,
        args,
    );
    const client = codacyClientFrom(parsed.connection, config, env);
    return client.listRepositories(parsed.provider, parsed.organization, parsed.filter ?? {}, parsed.pageSize ?? 100);
}

/** A repository API token as listed by Codacy (the value is a secret). */
export interface CodacyRepositoryTokenInfo {
    id: number;
    token: string;
    expiresAt?: string;
}

/**
 * The API tokens of one repository, newest (highest id) first. Expired tokens are left out unless
 * `includeExpired`.
 */
export async function repositoryTokens(
    args: unknown,
    config: StackConfig,
    env: NodeJS.ProcessEnv = process.env,
    now: () => Date = () => new Date(),
): Promise<CodacyRepositoryTokenInfo[]> {
    const parsed: GetCodacyRepositoryTokensArgs = parseArguments(
        "getCodacyRepositoryTokens",
        getCodacyRepositoryTokensArgsSchema,
        args,
    );
    const client = codacyClientFrom(parsed.connection, config, env);
    const listed = await client.listTokens({
        provider: parsed.provider,
        organization: parsed.organization,
        repository: parsed.repository,
    });
    const time = now().getTime();
    return listed
        .filter((token) => parsed.includeExpired || !token.expiresAt || Date.parse(token.expiresAt) > time)
        .map((token) =>
            token.expiresAt
                ? { id: token.id, token: token.token, expiresAt: token.expiresAt }
                : { id: token.id, token: token.token },
        )
        .sort(newestFirst);
}

/** Newest first: Codacy hands out increasing ids, so the highest id is the token created last. */
function newestFirst(a: CodacyRepositoryTokenInfo, b: CodacyRepositoryTokenInfo): number {
    return b.id - a.id;
}
