import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ApiError } from "../http";
import { addDays, compact, listingForRead, type PlainObject, todayUtc, unlessGone } from "../lifecycle";
import { DiffPlan, rotationDue } from "../plans";
import { compareInstance, connectionSettingsOf, INSTANCE_FIELD } from "../instance";
import {
    carriesMark,
    markDoesNotFit,
    notingReplacement,
    ownerMarkIn,
    takeReplaced,
    withMark,
    withoutMark,
} from "../ownership";
import { createClearingLeftovers } from "../leftovers";
import { importNotFound, valueNotShownNote } from "../imports";
import { ServiceLifecycle } from "../serviceLifecycle";
import type { ImportedToken, ProviderContext, TokenLifecycle } from "../types";
import { QoveryClient, type QoveryApiToken, type QoveryNewApiToken } from "./client";
import {
    QOVERY_DESCRIPTION_MAX,
    type QoveryApiTokenInputs,
    type QoveryConnection,
    qoveryApiTokenInputsSchema,
} from "./inputs";
import { organizationAndTokenOf, qoveryClientFor, unmarkedQoveryAdvice } from "./lifecycle";

/** Inputs Qovery keeps on the token: it has no edit endpoint, so a change of any of them replaces the token. */
const REPLACING_INPUTS = ["name", "description", "roleId"] as const;

/**
 * Lifecycle of `QoveryApiToken`, an organization API token. Qovery shows its value once (the create's answer),
 * cannot edit it and has no read of one token: it is read through the organization's listing, and every change
 * of name, description, role or a due rotation is a replacement. With `rotation.expiresInDays` this package
 * keeps its own renewal date (`renewBy`): Qovery API tokens do not expire.
 */
export class QoveryApiTokenLifecycle
    extends ServiceLifecycle<QoveryConnection, QoveryClient>
    implements TokenLifecycle
{
    constructor(ctx: ProviderContext) {
        super("qovery", ctx, qoveryClientFor, qoveryApiTokenInputsSchema);
    }

    async create(props: PlainObject): Promise<dynamic.CreateResult> {
        const inputs = props as QoveryApiTokenInputs;
        const client = this.clientFor(inputs.connection);
        const recorded = { ...props, [INSTANCE_FIELD]: client.apiUrl };
        if (inputs.adopt) {
            const existing = await this.adopted(client, inputs.organizationId, inputs.adopt.apiTokenId);
            // Qovery never shows the value again: `token` stays empty until the next replacement. The state holds
            // what Qovery holds, so inputs that differ show up as a replacement on the next `up`.
            return {
                id: existing.id,
                outs: this.stateOf({ ...recorded, ...this.liveInputs(existing, recorded) }, existing, ""),
            };
        }
        const created = await this.createWithoutOrphans(client, inputs, ownerMarkIn(props));
        return { id: created.id, outs: this.stateOf(recorded, created, created.token) };
    }

    async read(id: string, props: PlainObject): Promise<dynamic.ReadResult> {
        const { client, apiUrl } = this.clientAt(props);
        const organizationId = String(props.organizationId);
        const apiTokenId = String(props.apiTokenId ?? id);
        const tokens = await listingForRead(
            () => client.listApiTokens(organizationId),
            `organization ${organizationId}`,
            apiTokenId,
        );
        const live = tokens.find((token) => token.id === apiTokenId);
        if (!live) {
            return {}; // Deleted out of band: the listing no longer holds it.
        }
        // A state written before the instance was recorded records it here (see compareInstance).
        return { id, props: compact({ ...props, [INSTANCE_FIELD]: apiUrl, ...this.liveInputs(live, props) }) };
    }

    /**
     * `pulumi import`: the id is `<organization id>/<API token id>`. Qovery shows a token's value only in the
     * create's answer, so `token` stays empty until the token is next replaced.
     */
    async importToken(id: string): Promise<ImportedToken> {
        const { organizationId, tokenId: apiTokenId } = organizationAndTokenOf("qovery API token", id);
        const client = this.clientFor(undefined);
        const live = (await client.listApiTokens(organizationId)).find((token) => token.id === apiTokenId);
        if (!live) {
            throw importNotFound(
                "qovery API token",
                id,
                `organization ${organizationId} has no API token ${apiTokenId}`,
            );
        }
        const { roleName: _shown, ...declared } = this.liveInputs(live, {});
        const inputs = compact({ organizationId, ...declared });
        this.ctx.log(valueNotShownNote(this.labelOf(inputs), "Qovery"));
        const outs = this.stateOf({ ...inputs, roleName: live.role_name, [INSTANCE_FIELD]: client.apiUrl }, live, "");
        return { id: live.id, inputs, outs };
    }

    async diff(id: string, olds: PlainObject, news: PlainObject): Promise<dynamic.DiffResult> {
        const plan = new DiffPlan();
        plan.compare("organizationId", olds.organizationId, news.organizationId, "replace");
        compareInstance("qovery", plan, olds, news, () => this.clientAt(olds, news[INSTANCE_FIELD] as string));
        for (const property of REPLACING_INPUTS) {
            plan.compare(property, olds[property], news[property], "replace");
        }
        plan.compare(
            "connection",
            connectionSettingsOf(olds.connection),
            connectionSettingsOf(news.connection),
            "update",
        );
        plan.compare("rotation", olds.rotation, news.rotation, "update");
        plan.compare("rotationTrigger", olds.rotationTrigger, news.rotationTrigger, "replace");
        const due = rotationDue(
            news.rotation as QoveryApiTokenInputs["rotation"],
            olds.renewBy as string | undefined,
            todayUtc(this.ctx.now()),
        );
        if (due) {
            plan.replace("renewBy", due);
        }
        // Names are unique per organization (Qovery answers 409): a replacement that keeps the name in the same
        // organization of the same instance must delete the old token first. Any other replacement overlaps.
        const sameName =
            olds.name === news.name &&
            olds.organizationId === news.organizationId &&
            !plan.replaces.includes(INSTANCE_FIELD);
        return notingReplacement(plan.report(this.ctx.log, this.labelOf(olds), sameName), olds, olds.apiTokenId ?? id);
    }

    async update(_id: string, olds: PlainObject, news: PlainObject): Promise<dynamic.UpdateResult> {
        // Only settings change in place (connection, rotation window): Qovery cannot edit an API token.
        const kept = compact({
            apiTokenId: olds.apiTokenId,
            token: olds.token,
            roleName: olds.roleName,
            createdAt: olds.createdAt,
            renewBy: olds.renewBy,
        });
        return { outs: { ...news, ...kept } };
    }

    async delete(id: string, props: PlainObject): Promise<void> {
        const { client } = this.clientAt(props);
        // Only the token's own DELETE (2xx, or 404: already gone) proves it gone.
        await unlessGone(() => client.deleteApiToken(String(props.organizationId), String(props.apiTokenId ?? id)));
    }

    protected labelOf(props: PlainObject): string {
        return `qovery API token "${String(props.name)}"`;
    }

    /**
     * Creates a token whose description carries this resource's ownership mark. A token with this mark other than
     * the one being replaced is this resource's leftover (of an interrupted or lost earlier attempt): its value was
     * never recorded, so it is deleted before the create (it may also hold the name, which Qovery keeps unique).
     * After a lost answer the same look-up deletes what the lost request made, and the create is tried once more.
     * Unmarked tokens are never touched.
     */
    private async createWithoutOrphans(
        client: QoveryClient,
        inputs: QoveryApiTokenInputs,
        mark: string | undefined,
    ): Promise<QoveryNewApiToken> {
        const organizationId = inputs.organizationId;
        const request = compact({
            name: inputs.name,
            description: withMark(inputs.description, mark, QOVERY_DESCRIPTION_MAX),
            role_id: inputs.roleId,
        });
        const marked = mark !== undefined && !markDoesNotFit(inputs.description, mark, QOVERY_DESCRIPTION_MAX);
        if (mark !== undefined && !marked) {
            this.ctx.log(
                `${this.labelOf(inputs)}: the description leaves no room for the ownership mark; after an interrupted run, look for a leftover token by hand (README, "After an interrupted run")`,
            );
        }
        const replaced = takeReplaced(mark);
        return createClearingLeftovers({
            marked,
            leftovers: async () =>
                (await client.listApiTokens(organizationId)).filter(
                    (token) => carriesMark(token.description, mark!) && !replaced.has(token.id),
                ),
            remove: async (id) => {
                await unlessGone(() => client.deleteApiToken(organizationId, id));
            },
            create: () => client.createApiToken(organizationId, request),
            noun: "API token",
            unmarkedAdvice: unmarkedQoveryAdvice("API token", inputs.name, "apiTokenId"),
        });
    }

    private async adopted(client: QoveryClient, organizationId: string, apiTokenId: string): Promise<QoveryApiToken> {
        const existing = (await client.listApiTokens(organizationId)).find((token) => token.id === apiTokenId);
        if (!existing) {
            throw new ApiError({
                service: "qovery",
                operation: "adopt API token",
                method: "GET",
                path: QoveryClient.apiTokensPath(organizationId),
                status: 404,
                serviceMessage: `organization ${organizationId} has no API token with id ${apiTokenId}`,
                hint: "Check adopt.apiTokenId (the console lists the organization's API tokens under Settings → API Token), or remove `adopt` to create a new token.",
            });
        }
        return existing;
    }

    /** The inputs as Qovery holds them (the ownership mark is ours, not the user's: it is no drift). */
    private liveInputs(live: QoveryApiToken, props: PlainObject): PlainObject {
        return {
            name: live.name ?? props.name,
            description: withoutMark(live.description),
            roleId: live.role_id?.toLowerCase() ?? props.roleId,
            roleName: live.role_name ?? props.roleName,
        };
    }

    private stateOf(props: PlainObject, token: QoveryApiToken, value: string): PlainObject {
        const rotation = (props as QoveryApiTokenInputs).rotation;
        return compact({
            ...props,
            apiTokenId: token.id,
            token: value,
            roleName: token.role_name ?? undefined,
            createdAt: token.created_at,
            // Qovery API tokens never expire: with rotation.expiresInDays we keep our own renewal date.
            renewBy: rotation?.expiresInDays ? addDays(todayUtc(this.ctx.now()), rotation.expiresInDays) : undefined,
        });
    }
}
