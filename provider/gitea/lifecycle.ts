import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ApiError } from "../http";
import { addDays, type PlainObject, todayUtc, unlessGone, compact, listingForRead } from "../lifecycle";
import { DiffPlan, rotationDue } from "../plans";
import { clientSettingsFor, compareReachAndRotation, INSTANCE_FIELD } from "../instance";
import { importIdParts, importNotFound, valueNotShownNote } from "../imports";
import { markDoesNotFit, notingReplacement, ownerMarkIn, takeReplaced, withMark, withoutMark } from "../ownership";
import { ServiceLifecycle } from "../serviceLifecycle";
import type { ImportedToken, ProviderContext, TokenLifecycle } from "../types";
import { GiteaClient, type GiteaNewToken } from "./client";
import { type GiteaConnection, type GiteaTokenInputs, giteaTokenInputsSchema } from "./inputs";

/** Gitea's limit on a token name, which holds the ownership mark after the declared name. */
const NAME_MAX = 255;

export function giteaClientFor(connection: GiteaConnection | undefined, ctx: ProviderContext): GiteaClient {
    return new GiteaClient(clientSettingsFor("gitea", connection, ctx));
}

/**
 * Lifecycle of `GiteaToken`. Gitea tokens have no expiry and no rotate API: rotation is a replacement, and
 * with `rotation.expiresInDays` this package keeps its own renewal date in `expiresAt`.
 */
export class GiteaTokenLifecycle extends ServiceLifecycle<GiteaConnection, GiteaClient> implements TokenLifecycle {
    constructor(ctx: ProviderContext) {
        super("gitea", ctx, giteaClientFor, giteaTokenInputsSchema);
    }

    async create(props: PlainObject): Promise<dynamic.CreateResult> {
        const inputs = props as GiteaTokenInputs;
        const client = this.clientFor(inputs.connection);
        const owner = inputs.username ?? client.username;
        const recorded = { ...props, [INSTANCE_FIELD]: client.apiUrl };
        if (inputs.adopt) {
            return this.adopt(client, owner, recorded, inputs.adopt.tokenId);
        }
        const created = await this.createWithoutOrphans(client, owner, inputs, ownerMarkIn(props));
        return {
            id: String(created.id),
            outs: this.stateOf(recorded, owner, {
                tokenId: created.id,
                token: created.sha1,
                tokenLastEight: created.token_last_eight ?? created.sha1.slice(-8),
                grantedScopes: created.scopes ?? inputs.scopes,
            }),
        };
    }

    async read(id: string, props: PlainObject): Promise<dynamic.ReadResult> {
        const { client, apiUrl } = this.clientAt(props);
        const owner = String(props.owner ?? props.username ?? client.username);
        const tokenId = Number(props.tokenId ?? id);
        const tokens = await listingForRead(
            () => client.list(owner),
            `user ${owner}`,
            String(tokenId),
            client.listingKey(owner),
        );
        const live = tokens.find((token) => token.id === tokenId);
        if (!live) {
            return {};
        }
        return {
            id,
            props: compact({
                ...props,
                // A state written before the instance was recorded records it here (see compareInstance).
                [INSTANCE_FIELD]: apiUrl,
                tokenLastEight: live.token_last_eight ?? props.tokenLastEight,
                grantedScopes: live.scopes ?? props.grantedScopes,
            }),
        };
    }

    /**
     * `pulumi import`: the id is `<user>/<token id>`, or `<token id>` for a token of the credential's user. The name
     * is declared without this package's ownership mark; Gitea never shows the value again, so `token` stays empty
     * until the token is next replaced.
     */
    async importToken(id: string): Promise<ImportedToken> {
        const [username, tokenId] = importIdParts(
            "gitea token",
            id,
            /^(?:([A-Za-z0-9_.-]+)\/)?(\d+)$/,
            "<user>/<token id> or <token id> (a token of the configured user), e.g. alice/7",
        );
        const client = this.clientFor(undefined);
        const owner = username ?? client.username;
        const live = (await client.list(owner)).find((token) => token.id === Number(tokenId));
        if (!live) {
            throw importNotFound("gitea token", id, `user ${owner} has no token ${tokenId}`);
        }
        const inputs = compact({ username, name: withoutMark(live.name) ?? live.name, scopes: live.scopes ?? [] });
        this.ctx.log(valueNotShownNote(`gitea token "${inputs.name}"`, "Gitea"));
        const outs = this.stateOf({ ...inputs, [INSTANCE_FIELD]: client.apiUrl }, owner, {
            tokenId: live.id,
            token: "",
            tokenLastEight: live.token_last_eight ?? "",
            grantedScopes: live.scopes ?? [],
        });
        return { id: String(live.id), inputs, outs };
    }

    async diff(_id: string, olds: PlainObject, news: PlainObject): Promise<dynamic.DiffResult> {
        const plan = new DiffPlan();
        const newOwner = news.username ?? olds.owner;
        plan.compare("username", olds.owner, newOwner, "replace");
        plan.compare("name", olds.name, news.name, "replace");
        plan.compare("scopes", sorted(olds.scopes), sorted(news.scopes), "replace");
        compareReachAndRotation("gitea", plan, olds, news, () => this.clientAt(olds, news[INSTANCE_FIELD] as string));
        plan.compare("rotationTrigger", olds.rotationTrigger, news.rotationTrigger, "replace");
        const due = rotationDue(
            news.rotation as GiteaTokenInputs["rotation"],
            olds.renewBy as string | undefined,
            todayUtc(this.ctx.now()),
        );
        if (due) {
            plan.replace("expiresAt", due);
        }
        // Names are unique per user of an instance: a replacement that keeps name, owner and instance must delete
        // the old token first. A move to another instance overlaps.
        const sameName = olds.name === news.name && olds.owner === newOwner && !plan.replaces.includes(INSTANCE_FIELD);
        return notingReplacement(
            plan.report(this.ctx.log, `gitea token "${String(olds.name)}"`, sameName),
            olds,
            olds.tokenId ?? _id,
        );
    }

    async update(_id: string, olds: PlainObject, news: PlainObject): Promise<dynamic.UpdateResult> {
        // Only settings change in place (connection, rotation window): Gitea tokens are immutable.
        const kept = compact({
            owner: olds.owner,
            tokenId: olds.tokenId,
            token: olds.token,
            tokenLastEight: olds.tokenLastEight,
            grantedScopes: olds.grantedScopes,
            createdAt: olds.createdAt,
            renewBy: olds.renewBy,
        });
        return { outs: { ...news, ...kept } };
    }

    async delete(id: string, props: PlainObject): Promise<void> {
        const { client } = this.clientAt(props);
        const owner = String(props.owner ?? props.username ?? client.username);
        await unlessGone(() => client.delete(owner, Number(props.tokenId ?? id)));
    }

    protected labelOf(props: PlainObject): string {
        return `gitea token "${String(props.name)}"`;
    }

    /**
     * Creates a token named after the input with this resource's ownership mark appended (names are unique per
     * user, so two stacks declaring one name each get their own token). A token of exactly that name is this
     * resource's leftover (of an interrupted or lost earlier attempt) unless it is the one being replaced: when
     * Gitea refuses the name, it is deleted and the create tried again; after a lost answer it is deleted before
     * the one retry. No other token is ever touched.
     */
    private async createWithoutOrphans(
        client: GiteaClient,
        owner: string,
        inputs: GiteaTokenInputs,
        mark: string | undefined,
    ): Promise<GiteaNewToken> {
        const name = withMark(inputs.name, mark, NAME_MAX);
        if (markDoesNotFit(inputs.name, mark, NAME_MAX)) {
            this.ctx.log(
                `gitea token "${inputs.name}": the name leaves no room for the ownership mark; after an interrupted run, look for a leftover token by hand (README, "After an interrupted run")`,
            );
        }
        const replaced = takeReplaced(mark);
        const deleteLeftovers = async (): Promise<number> => {
            if (name === inputs.name) {
                return 0; // Unmarked: nothing can be proven ours.
            }
            const leftovers = (await client.list(owner)).filter(
                (token) => token.name === name && !replaced.has(String(token.id)),
            );
            for (const leftover of leftovers) {
                await client.delete(owner, leftover.id);
            }
            return leftovers.length;
        };
        // A leftover holds exactly this marked name, which Gitea keeps unique per user: it shows up as a name
        // conflict, so the user's tokens are listed only then, not before every create.
        let conflictCleared = false;
        let lostAnswers = 0;
        for (;;) {
            try {
                return await client.create(owner, name ?? inputs.name, inputs.scopes);
            } catch (e: unknown) {
                if (e instanceof ApiError && e.status === 400 && /name has been used/i.test(e.serviceMessage ?? "")) {
                    if (!conflictCleared && (await deleteLeftovers()) > 0) {
                        conflictCleared = true;
                        continue;
                    }
                    throw new ApiError({
                        service: "gitea",
                        operation: "create access token",
                        method: e.method,
                        path: e.path,
                        status: 400,
                        serviceMessage: e.serviceMessage,
                        hint: `Gitea token names are unique per user and "${name}" is taken: choose another name, or take the existing token over with \`adopt: { tokenId }\`.`,
                    });
                }
                if (!(e instanceof ApiError) || !e.ambiguous) {
                    throw e;
                }
                if (name === inputs.name) {
                    throw e.withOutcome(
                        `the token name carries no ownership mark, so a token "${inputs.name}" cannot be proven this stack's`,
                        `If user ${owner} has a token "${inputs.name}" that no stack holds, delete it (or take it over with \`adopt: { tokenId }\`) and run \`pulumi up\`.`,
                    );
                }
                const deleted = await deleteLeftovers();
                if (++lostAnswers >= 2) {
                    throw e.withOutcome(
                        `deleted ${deleted} token(s) the lost requests created`,
                        "No token was left behind. Run `pulumi up` again.",
                    );
                }
            }
        }
    }

    /** Takes over an existing token; Gitea never shows a token's value again, so `token` stays empty until rotated. */
    private async adopt(
        client: GiteaClient,
        owner: string,
        props: PlainObject,
        tokenId: number,
    ): Promise<dynamic.CreateResult> {
        const existing = (await client.list(owner)).find((token) => token.id === tokenId);
        if (!existing) {
            throw new ApiError({
                service: "gitea",
                operation: "adopt access token",
                method: "GET",
                path: GiteaClient.tokensPath(owner),
                status: 404,
                serviceMessage: `user ${owner} has no token with id ${tokenId}`,
                hint: "Check adopt.tokenId (see the user's Applications settings), or remove `adopt` to create a new token.",
            });
        }
        return {
            id: String(existing.id),
            outs: this.stateOf(props, owner, {
                tokenId: existing.id,
                token: "",
                tokenLastEight: existing.token_last_eight ?? "",
                grantedScopes: existing.scopes ?? [],
            }),
        };
    }

    private stateOf(
        props: PlainObject,
        owner: string,
        token: { tokenId: number; token: string; tokenLastEight: string; grantedScopes: string[] },
    ): PlainObject {
        const today = todayUtc(this.ctx.now());
        const rotation = (props as GiteaTokenInputs).rotation;
        return compact({
            ...props,
            owner,
            ...token,
            createdAt: this.ctx.now().toISOString(),
            // Gitea tokens never expire: with rotation.expiresInDays we keep our own renewal date.
            renewBy: rotation?.expiresInDays ? addDays(today, rotation.expiresInDays) : undefined,
        });
    }
}

function sorted(value: unknown): unknown {
    return Array.isArray(value) ? [...value].sort() : value;
}
