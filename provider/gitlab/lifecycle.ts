import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ApiError } from "../http";
import { importIdParts, importNotFound, valueNotShownNote } from "../imports";
import { addDays, type PlainObject, todayUtc, GONE, unlessGone, compact, listingForRead } from "../lifecycle";
import { DiffPlan, rotationDue } from "../plans";
import type { RotationStrategy } from "../inputs";
import { clientSettingsFor, compareReachAndRotation, INSTANCE_FIELD } from "../instance";
import {
    carriesMark,
    takeReplaced,
    markDoesNotFit,
    notingReplacement,
    ownerMarkIn,
    unmarkedLostAnswer,
    withMark,
    withoutMark,
} from "../ownership";
import { ServiceLifecycle } from "../serviceLifecycle";
import type { ImportedToken, ProviderContext, TokenLifecycle } from "../types";
import {
    GitLabClient,
    type GitLabNewToken,
    type GitLabParentKind,
    type GitLabToken,
    type GitLabTokenHome,
    parentTokenHome,
    personalTokenHome,
} from "./client";
import {
    type GitLabConnection,
    type GitLabTokenInputs,
    groupTokenInputsSchema,
    personalOwnerFailures,
    personalTokenInputsSchema,
    projectTokenInputsSchema,
} from "./inputs";

/** The GitLab token kinds: project and group access tokens, and personal access tokens (a user's or a service account's). */
export type GitLabTokenKind = GitLabParentKind | "personal";

/** The inputs of each GitLab token kind. */
const INPUT_SCHEMAS = {
    project: projectTokenInputsSchema,
    group: groupTokenInputsSchema,
    personal: personalTokenInputsSchema,
} as const satisfies Record<GitLabTokenKind, unknown>;

/** GitLab's limit on a token's description, which holds the ownership mark after the user's text. */
const DESCRIPTION_MAX = 255;

/** GitLab's default maximum token lifetime (16.0+), used when no expiry is given. */
export const GITLAB_MAX_LIFETIME_DAYS = 365;

/** State of a GitLab token resource: the inputs plus what GitLab granted. */
export interface GitLabTokenState {
    tokenId: number;
    token: string;
    active: boolean;
    revoked: boolean;
    /** The bot user of a project or group token (a personal token's user is an input). */
    userId?: number;
    createdAt: string;
    /** Expiry as granted by GitLab (YYYY-MM-DD). */
    expiresAt: string | null;
    /** The `expiresAt` input, kept apart from the granted date so a diff compares like with like. */
    requestedExpiresAt?: string;
    lastUsedAt?: string | null;
}

export function gitLabClientFor(connection: GitLabConnection | undefined, ctx: ProviderContext): GitLabClient {
    return new GitLabClient(clientSettingsFor("gitlab", connection, ctx));
}

/**
 * GitLab answers the token's own GET and DELETE with 404 "Project Not Found" / "Group Not Found" when it does not
 * know the parent or hides it from the credential (renamed, moved, access lost): that says nothing of the token,
 * which may well live on, so only another 404 (the token's own, e.g. "Project Access Token Not Found") means gone.
 */
export function isAboutTheToken(error: ApiError): boolean {
    return !/\b(Project|Group|User) Not Found\b/i.test(error.serviceMessage ?? "");
}

/**
 * Lifecycle of `ProjectAccessToken`, `GroupAccessToken` and `PersonalAccessToken`: the same API below `/projects`,
 * `/groups` or a user's / service account's personal tokens (see `GitLabTokenHome`).
 */
export class GitLabTokenLifecycle extends ServiceLifecycle<GitLabConnection, GitLabClient> implements TokenLifecycle {
    constructor(
        private readonly kind: GitLabTokenKind,
        ctx: ProviderContext,
    ) {
        super(
            "gitlab",
            ctx,
            gitLabClientFor,
            INPUT_SCHEMAS[kind],
            kind === "personal" ? personalOwnerFailures : undefined,
        );
    }

    async create(props: PlainObject): Promise<dynamic.CreateResult> {
        const inputs = this.inputsOf(props);
        const client = this.clientFor(inputs.connection);
        const today = todayUtc(this.ctx.now());
        const expiresAt = this.expiryFor(inputs, today);

        let created: GitLabNewToken;
        if (inputs.adopt) {
            created = await this.adopt(client, inputs, expiresAt);
        } else {
            created = await this.createWithoutOrphans(client, inputs, expiresAt, ownerMarkIn(props));
        }
        const outs = { ...this.stateOf(props, inputs, created, created.token), [INSTANCE_FIELD]: client.apiUrl };
        return { id: String(created.id), outs };
    }

    async read(id: string, props: PlainObject): Promise<dynamic.ReadResult> {
        const inputs = this.inputsOf(props);
        const { client, apiUrl } = this.clientAt(props);
        const tokenId = Number(props.tokenId ?? id);
        const live = await this.readLive(client, inputs, tokenId);
        if (live === GONE || this.isGone(live)) {
            // Revoked or expired behind Pulumi's back: drop it so the next `up` creates it again.
            return {};
        }
        // A state written before the instance was recorded records it here, silently (see compareInstance).
        return { id, props: { ...props, [INSTANCE_FIELD]: apiUrl, ...this.grantedFields(live) } };
    }

    /**
     * `pulumi import`: the id is `<project>/<token id>` (project path or id), `<group>/<token id>`, or for a personal
     * token `<user id>/<token id>` or `<group>/<service account's user id>/<token id>`. The token is read as GitLab
     * shows it and declared by what GitLab holds; GitLab never shows its value again, so `token` stays empty until
     * the token is next rotated.
     */
    async importToken(id: string): Promise<ImportedToken> {
        const declared = this.ownerInputsOf(id);
        const tokenId = Number(id.split("/").pop());
        const client = this.clientFor(undefined);
        const live = await this.readLive(client, this.inputsOf(declared), tokenId);
        if (live === GONE || this.isGone(live)) {
            throw importNotFound(`gitlab ${this.kind} token`, id, `GitLab has no active token ${tokenId} there`);
        }
        const inputs = compact({
            ...declared,
            name: live.name,
            scopes: live.scopes,
            accessLevel: this.kind === "personal" ? undefined : live.access_level,
            description: withoutMark(live.description) || undefined,
        });
        this.ctx.log(valueNotShownNote(`gitlab ${this.kind} token "${live.name}"`, "GitLab"));
        const outs = { ...this.stateOf(inputs, this.inputsOf(inputs), live, ""), [INSTANCE_FIELD]: client.apiUrl };
        return { id: String(live.id), inputs, outs };
    }

    /** The owner inputs an import id names (see `importToken`). */
    private ownerInputsOf(id: string): PlainObject {
        const label = `gitlab ${this.kind} token`;
        if (this.kind !== "personal") {
            const [parent] = importIdParts(
                label,
                id,
                PARENT_AND_ID,
                `<${this.kind} path or id>/<token id>, e.g. acme/web/1001`,
            );
            return { [this.kind]: parent };
        }
        const [group, userId] = importIdParts(
            label,
            id,
            /^(?:((?:[^/]+\/)*[^/]+)\/)?([1-9]\d*)\/\d+$/,
            "<user id>/<token id> or <group>/<service account user id>/<token id>",
        );
        return group === undefined ? { userId: Number(userId) } : { serviceAccount: { group, userId: Number(userId) } };
    }

    async diff(_id: string, olds: PlainObject, news: PlainObject): Promise<dynamic.DiffResult> {
        const plan = new DiffPlan();
        for (const owner of this.ownerKeys()) {
            plan.compare(owner, olds[owner], news[owner], "replace");
        }
        plan.compare("name", olds.name, news.name, "replace");
        plan.compare("scopes", sortedOrSelf(olds.scopes), sortedOrSelf(news.scopes), "replace");
        plan.compare("accessLevel", olds.accessLevel, news.accessLevel, "replace");
        plan.compare("description", olds.description, news.description, "replace");
        plan.compare("expiresAt", olds.requestedExpiresAt, news.expiresAt, "replace");
        compareReachAndRotation("gitlab", plan, olds, news, () => this.clientAt(olds, news[INSTANCE_FIELD] as string));

        const strategy = strategyOf(news);
        const rotationKind = strategy === "rotate" ? "update" : "replace";
        plan.compare("rotationTrigger", olds.rotationTrigger, news.rotationTrigger, rotationKind);
        const due = rotationDue(
            this.inputsOf(news).rotation,
            olds.expiresAt as string | null,
            todayUtc(this.ctx.now()),
        );
        if (due) {
            if (rotationKind === "replace") {
                plan.replace("expiresAt", due);
            } else {
                plan.update("expiresAt", due);
            }
        }
        return notingReplacement(
            plan.report(this.ctx.log, `gitlab ${this.kind} token "${String(olds.name)}"`),
            olds,
            olds.tokenId ?? _id,
        );
    }

    async update(_id: string, olds: PlainObject, news: PlainObject): Promise<dynamic.UpdateResult> {
        const inputs = this.inputsOf(news);
        const today = todayUtc(this.ctx.now());
        const triggerChanged = news.rotationTrigger !== olds.rotationTrigger;
        const due = rotationDue(inputs.rotation, olds.expiresAt as string | null, today) !== undefined;
        if (strategyOf(news) === "rotate" && (triggerChanged || due)) {
            const client = this.clientForUpdate(olds, news, inputs.connection);
            const rotated = await this.rotateWithoutOrphans(
                client,
                inputs,
                Number(olds.tokenId),
                this.expiryFor(inputs, today),
                ownerMarkIn(olds),
            );
            return { outs: this.stateOf(news, inputs, rotated, rotated.token) };
        }
        // Settings only (connection, rotation window): nothing to call, keep the token as it is.
        const kept = compact({
            tokenId: olds.tokenId,
            token: olds.token,
            active: olds.active,
            revoked: olds.revoked,
            userId: olds.userId,
            createdAt: olds.createdAt,
            expiresAt: olds.expiresAt,
            lastUsedAt: olds.lastUsedAt,
            requestedExpiresAt: inputs.expiresAt,
        });
        return { outs: { ...news, ...kept } };
    }

    async delete(id: string, props: PlainObject): Promise<void> {
        const inputs = this.inputsOf(props);
        const { client } = this.clientAt(props);
        await unlessGone(() => client.revokeAt(this.homeOf(inputs), Number(props.tokenId ?? id)), isAboutTheToken);
    }

    protected labelOf(props: PlainObject): string {
        return `gitlab ${this.kind} token "${String(props.name)}"`;
    }

    /**
     * Creates a token carrying this resource's ownership mark in its description. Leftovers of an interrupted or
     * lost earlier attempt (active tokens with this mark, other than the one being replaced) are revoked first; if
     * the answer is lost, what the lost request may have created is revoked likewise and the create tried once
     * more. Tokens without this mark (another stack's of the same name, a person's) are never touched.
     */
    private async createWithoutOrphans(
        client: GitLabClient,
        inputs: GitLabTokenInputs,
        expiresAt: string,
        mark: string | undefined,
    ): Promise<GitLabNewToken> {
        if (markDoesNotFit(inputs.description, mark, DESCRIPTION_MAX)) {
            this.ctx.log(
                `gitlab ${this.kind} token "${inputs.name}": the description leaves no room for the ownership mark; after an interrupted run, look for a leftover token by hand (README, "After an interrupted run")`,
            );
        }
        const request = compact({
            name: inputs.name,
            scopes: inputs.scopes,
            access_level: inputs.accessLevel,
            expires_at: expiresAt,
            description: withMark(inputs.description, mark, DESCRIPTION_MAX),
        });
        const replaced = takeReplaced(mark);
        await this.revokeLeftovers(client, inputs, mark, { replaced, tolerateRefusedListing: true });
        for (let attempt = 1; ; attempt++) {
            try {
                return await client.createAt(this.homeOf(inputs), request);
            } catch (e: unknown) {
                if (!(e instanceof ApiError) || !e.ambiguous) {
                    throw e;
                }
                if (mark === undefined) {
                    throw unmarkedLostAnswer(e, "token", unmarkedAdvice(inputs.name));
                }
                const revoked = await this.revokeLeftovers(client, inputs, mark, { replaced });
                if (attempt >= 2) {
                    throw e.withOutcome(
                        `revoked ${revoked} token(s) the lost requests created`,
                        "No token was left behind. Run `pulumi up` again.",
                    );
                }
            }
        }
    }

    /**
     * Rotates a token in place (GitLab keeps its description, so the successor carries the same mark). If the
     * answer was lost: when GitLab did not rotate, rotates again; when it did (the old token is revoked), rotates
     * the marked successor it made, whose value was lost, to obtain a value. A second lost answer revokes every
     * successor and fails: nothing is left alive that the state does not know.
     */
    private async rotateWithoutOrphans(
        client: GitLabClient,
        inputs: GitLabTokenInputs,
        tokenId: number,
        expiresAt: string,
        mark: string | undefined,
    ): Promise<GitLabNewToken> {
        let target = tokenId;
        for (let attempt = 1; ; attempt++) {
            try {
                return await client.rotateAt(this.homeOf(inputs), target, expiresAt);
            } catch (e: unknown) {
                if (!(e instanceof ApiError) || !e.ambiguous) {
                    throw e;
                }
                if (mark === undefined) {
                    throw unmarkedLostAnswer(e, "token", unmarkedAdvice(inputs.name));
                }
                if (attempt >= 2) {
                    const revoked = await this.revokeLeftovers(client, inputs, mark, {
                        replaced: new Set([String(tokenId)]),
                    });
                    throw e.withOutcome(
                        `revoked ${revoked} token(s) the lost requests created`,
                        "No token was left behind. Run `pulumi refresh` (the old token is gone if GitLab rotated it) and then `pulumi up`.",
                    );
                }
                const successors = await this.leftovers(client, inputs, mark, new Set([String(tokenId)]));
                const [successor, ...extra] = successors.sort((a, b) => b.id - a.id);
                for (const token of extra) {
                    await client.revokeAt(this.homeOf(inputs), token.id);
                }
                target = successor?.id ?? tokenId;
            }
        }
    }

    /** Active tokens of the parent carrying this resource's mark, except the token(s) being replaced. */
    private async leftovers(
        client: GitLabClient,
        inputs: GitLabTokenInputs,
        mark: string,
        replaced: ReadonlySet<string>,
    ): Promise<GitLabToken[]> {
        // Leftovers of this create or rotation bear this name too; GitLab's search keeps the listing short.
        const tokens = await client.listAt(this.homeOf(inputs), { state: "active", search: inputs.name });
        return tokens.filter(
            (token) =>
                token.name === inputs.name &&
                carriesMark(token.description, mark) &&
                token.active &&
                !token.revoked &&
                !replaced.has(String(token.id)),
        );
    }

    /**
     * Revokes the leftovers of this resource; returns how many. Before a create, a refused listing (GitLab answers
     * 401 to a caller without the role, which the create then explains better) skips the sweep.
     */
    private async revokeLeftovers(
        client: GitLabClient,
        inputs: GitLabTokenInputs,
        mark: string | undefined,
        options: { replaced: ReadonlySet<string>; tolerateRefusedListing?: boolean },
    ): Promise<number> {
        if (mark === undefined) {
            return 0;
        }
        let found: GitLabToken[];
        try {
            found = await this.leftovers(client, inputs, mark, options.replaced);
        } catch (e: unknown) {
            if (options.tolerateRefusedListing && e instanceof ApiError && !e.ambiguous) {
                return 0;
            }
            throw e;
        }
        for (const token of found) {
            await client.revokeAt(this.homeOf(inputs), token.id);
        }
        return found.length;
    }

    /** Takes over an existing token. Its value cannot be read back, so it is rotated to obtain one. */
    private async adopt(client: GitLabClient, inputs: GitLabTokenInputs, expiresAt: string): Promise<GitLabNewToken> {
        const tokenId = inputs.adopt!.tokenId;
        const home = this.homeOf(inputs);
        const existing = await this.readLive(client, inputs, tokenId);
        if (existing === GONE || this.isGone(existing)) {
            throw new ApiError({
                service: "gitlab",
                operation: `adopt ${home.label}`,
                method: "GET",
                path: home.readsOne ? home.tokenPath(tokenId) : home.listPath,
                status: 200,
                serviceMessage: `token ${tokenId} is revoked or expired`,
                hint: "Adopt an active token, or remove `adopt` to create a new one.",
            });
        }
        return client.rotateAt(home, tokenId, expiresAt);
    }

    private expiryFor(inputs: GitLabTokenInputs, today: string): string {
        if (inputs.expiresAt) {
            return inputs.expiresAt;
        }
        return addDays(today, inputs.rotation?.expiresInDays ?? GITLAB_MAX_LIFETIME_DAYS);
    }

    private isGone(token: GitLabToken): boolean {
        const expired = token.expires_at ? token.expires_at < todayUtc(this.ctx.now()) : false;
        return token.revoked || !token.active || expired;
    }

    private grantedFields(token: GitLabToken): Omit<GitLabTokenState, "token" | "requestedExpiresAt"> {
        return compact({
            tokenId: token.id,
            active: token.active,
            revoked: token.revoked,
            // A personal token's user is its owner input (`userId` or `serviceAccount.userId`), not an output.
            userId: this.kind === "personal" ? undefined : token.user_id,
            createdAt: token.created_at,
            expiresAt: token.expires_at ?? null,
            lastUsedAt: token.last_used_at ?? null,
        });
    }

    private stateOf(props: PlainObject, inputs: GitLabTokenInputs, token: GitLabToken, value: string): PlainObject {
        const state: GitLabTokenState = compact({
            ...this.grantedFields(token),
            token: value,
            requestedExpiresAt: inputs.expiresAt,
        });
        const { expiresAt: _requested, ...rest } = props;
        return { ...rest, ...state };
    }

    /** The inputs that say whose the token is; changing any replaces the token. */
    private ownerKeys(): string[] {
        return this.kind === "personal" ? ["userId", "serviceAccount"] : [this.kind];
    }

    /** Where this resource's token lives on GitLab. */
    private homeOf(inputs: GitLabTokenInputs): GitLabTokenHome {
        if (this.kind === "personal") {
            return personalTokenHome(
                inputs.serviceAccount ? { serviceAccount: inputs.serviceAccount } : { userId: Number(inputs.userId) },
            );
        }
        return parentTokenHome(this.kind, inputs.parent);
    }

    /**
     * The token as GitLab has it now, or GONE when GitLab says it does not exist. Where GitLab has no read of one
     * token (a service account's), through the listing: a token missing from it is gone, a 404 of the listing is
     * about the service account or group and proves nothing of the token.
     */
    private async readLive(
        client: GitLabClient,
        inputs: GitLabTokenInputs,
        tokenId: number,
    ): Promise<GitLabToken | typeof GONE> {
        const home = this.homeOf(inputs);
        if (home.readsOne) {
            return unlessGone(() => client.getAt(home, tokenId), isAboutTheToken);
        }
        const tokens = await listingForRead(() => client.listAt(home), home.listPath, String(tokenId));
        return tokens.find((token) => token.id === tokenId) ?? GONE;
    }

    /** Reads the parent under its kind's name (`project` or `group`) into a neutral shape. */
    private inputsOf(props: PlainObject): GitLabTokenInputs {
        return {
            ...(props as Omit<GitLabTokenInputs, "parent">),
            parent: String(props[this.kind]),
            expiresAt: (props.requestedExpiresAt ?? props.expiresAt) as string | undefined,
        } as GitLabTokenInputs;
    }
}

function strategyOf(props: PlainObject): RotationStrategy {
    return ((props.rotation as { strategy?: RotationStrategy } | undefined)?.strategy ?? "overlap") as RotationStrategy;
}

/** `<parent path or id>/<token id>`: the parent (no empty segment) and the numeric id. */
export const PARENT_AND_ID = /^((?:[^/]+\/)*[^/]+)\/(\d+)$/;

export function sortedOrSelf(value: unknown): unknown {
    return Array.isArray(value) ? [...value].sort() : value;
}

/** What to do by hand after a lost answer about an unmarked access token. */
function unmarkedAdvice(name: string): string {
    return `Run \`pulumi refresh\`, then look at the active tokens named "${name}": revoke one GitLab created just now that no stack holds, and run \`pulumi up\`.`;
}
