import { createHash } from "node:crypto";
import type { ApiError } from "./http";
import type { PlainObject } from "./lifecycle";

/**
 * Ownership marks: how the provider proves a token on the service is its resource's own.
 *
 * A run killed after the service created (or rotated) a token but before the engine recorded it leaves a token
 * the engine knows nothing of, and two stacks may declare tokens of the same name on the same parent. So every
 * token carries, where the service has a free-text field for it (GitLab and Qovery `description`, the Gitea
 * token name), a mark derived from its resource's URN. A token bearing this resource's mark and not recorded in
 * the state is a leftover of an interrupted or lost attempt, and only such tokens are ever revoked or taken over;
 * tokens without the mark (another stack's, a person's, one created before marks existed) are never touched.
 */

/** The hidden input holding the mark; the SDK classes fill it in from the resource's URN. */
export const OWNER_INPUT = "__owner";

const MARK_PATTERN = /^pulumi-owner:[0-9a-f]{16}$/;

/** The mark of the resource with this URN: a short hash, so it fits in a token name and says nothing of the stack. */
export function ownerMarkOf(urn: string): string {
    return `pulumi-owner:${createHash("sha256").update(urn).digest("hex").slice(0, 16)}`;
}

/** The mark of the resource these inputs belong to, if its program set one. */
export function ownerMarkIn(props: PlainObject): string | undefined {
    const mark = props[OWNER_INPUT];
    return typeof mark === "string" && MARK_PATTERN.test(mark) ? mark : undefined;
}

/** `text` with the mark appended (`ci [pulumi-owner:…]`), or `text` unchanged when the mark would not fit. */
export function withMark(text: string | undefined, mark: string | undefined, maxLength: number): string | undefined {
    if (mark === undefined) {
        return text;
    }
    const marked = text ? `${text} [${mark}]` : `[${mark}]`;
    return marked.length <= maxLength ? marked : text;
}

/** True when the mark could not be appended to `text` within `maxLength` (the token is then created unmarked). */
export function markDoesNotFit(text: string | undefined, mark: string | undefined, maxLength: number): boolean {
    return mark !== undefined && withMark(text, mark, maxLength) === text;
}

/** True when a service-side text (description, name) carries this mark. */
export function carriesMark(text: string | null | undefined, mark: string): boolean {
    return typeof text === "string" && text.endsWith(`[${mark}]`);
}

/** A service-side text without any ownership mark, as the user declared it (undefined when only the mark was there). */
export function withoutMark(text: string | null | undefined): string | undefined {
    if (typeof text !== "string") {
        return undefined;
    }
    const stripped = text.replace(/ ?\[pulumi-owner:[0-9a-f]{16}\]$/, "");
    return stripped === "" && text !== "" ? undefined : stripped;
}

/**
 * Tokens being replaced in this provider process, by mark. The engine calls `diff` before the `create` of a
 * replacement (in the same process) and does not tell `create` which token it replaces; while the replacement
 * is created, the old token is alive, carries the same mark and must be left alone.
 */
const replacing = new Map<string, Set<string>>();

/**
 * The ids of the tokens being replaced under this mark, for the `create` of their replacement; the note is used
 * up (a later create in the same process, e.g. a test reusing ids, must not see it).
 */
export function takeReplaced(mark: string | undefined): ReadonlySet<string> {
    if (mark === undefined) {
        return new Set();
    }
    const ids = replacing.get(mark) ?? new Set<string>();
    replacing.delete(mark);
    return ids;
}

/** A `diff` result, after noting the service id of the token it replaces (if it replaces) for the `create` that follows. */
export function notingReplacement<R extends { replaces?: string[] }>(
    result: R,
    olds: PlainObject,
    tokenId: unknown,
): R {
    const mark = ownerMarkIn(olds);
    if ((result.replaces?.length ?? 0) > 0 && mark !== undefined && tokenId !== undefined && tokenId !== null) {
        const ids = replacing.get(mark) ?? new Set<string>();
        ids.add(String(tokenId));
        replacing.set(mark, ids);
    }
    return result;
}

/**
 * The error for a lost answer (a create or rotate whose reply never came) about a token that carries no mark: what
 * the request made cannot be told apart from the parent's other tokens, so nothing is touched, and `advice` says
 * what to look for by hand.
 */
export function unmarkedLostAnswer(e: ApiError, noun: string, advice: string): ApiError {
    return e.withOutcome(
        `the ${noun} carries no ownership mark, so what the request did cannot be told apart from other ${noun}s`,
        advice,
    );
}
