import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ApiError } from "../http";
import { addDays, compact, GONE, type PlainObject, todayUtc, unlessGone } from "../lifecycle";
import { clientSettingsFor, compareReachAndRotation, INSTANCE_FIELD } from "../instance";
import { importIdParts, importNotFound, valueNotShownNote } from "../imports";
import { createClearingLeftovers } from "../leftovers";
import { carriesMark, notingReplacement, ownerMarkIn, takeReplaced, withMark, withoutMark } from "../ownership";
import { DiffPlan, rotationDue } from "../plans";
import { ServiceLifecycle } from "../serviceLifecycle";
import type { ImportedToken, ProviderContext, TokenLifecycle } from "../types";
import { GitLabTriggerClient, type GitLabTrigger } from "./client";
import { type GitLabConnection, type PipelineTriggerInputs, pipelineTriggerInputsSchema } from "./inputs";
import { isAboutTheToken, PARENT_AND_ID } from "./lifecycle";

/** How much of a trigger's value GitLab shows to anyone but its owner. */
const TRUNCATED_VALUE_LENGTH = 4;

/** GitLab's limit on a trigger's description, which holds the ownership mark after the user's text. */
const DESCRIPTION_MAX = 255;

export function gitLabTriggerClientFor(
    connection: GitLabConnection | undefined,
    ctx: ProviderContext,
): GitLabTriggerClient {
    return new GitLabTriggerClient(clientSettingsFor("gitlab", connection, ctx));
}

/**
 * Lifecycle of `PipelineTriggerToken`. The description is edited in place (`PUT`), keeping the ownership mark
 * after the user's text; a new project or `rotationTrigger` replaces the token (new value), the new one created
 * before the old one is deleted. Triggers have no expiry to ask for: `rotation.expiresInDays` keeps a renewal
 * date (`renewBy`) here, as for Gitea and Codacy.
 */
export class PipelineTriggerLifecycle
    extends ServiceLifecycle<GitLabConnection, GitLabTriggerClient>
    implements TokenLifecycle
{
    constructor(ctx: ProviderContext) {
        super("gitlab", ctx, gitLabTriggerClientFor, pipelineTriggerInputsSchema);
    }

    async create(props: PlainObject): Promise<dynamic.CreateResult> {
        const inputs = props as PipelineTriggerInputs;
        const client = this.clientFor(inputs.connection);
        const created = await this.createWithoutOrphans(client, inputs, ownerMarkIn(props));
        const today = todayUtc(this.ctx.now());
        const outs = compact({
            ...props,
            ...this.grantedFields(created),
            token: created.token,
            // Triggers never expire by themselves: with rotation.expiresInDays we keep our own renewal date.
            renewBy: inputs.rotation?.expiresInDays ? addDays(today, inputs.rotation.expiresInDays) : undefined,
            [INSTANCE_FIELD]: client.apiUrl,
        });
        return { id: String(created.id), outs };
    }

    async read(id: string, props: PlainObject): Promise<dynamic.ReadResult> {
        const { client, apiUrl } = this.clientAt(props);
        const triggerId = Number(props.tokenId ?? id);
        const live = await unlessGone(() => client.get(String(props.project), triggerId), isAboutTheToken);
        if (live === GONE || this.isExpired(live)) {
            // Deleted (or expired) behind Pulumi's back: drop it so the next `up` creates it again.
            return {};
        }
        // The description as declared (the mark stripped): an edit out of band shows as drift, the mark does not.
        return {
            id,
            props: compact({
                ...props,
                [INSTANCE_FIELD]: apiUrl,
                ...this.grantedFields(live),
                description: withoutMark(live.description) ?? "",
            }),
        };
    }

    /**
     * `pulumi import`: the id is `<project path or id>/<trigger id>`. GitLab shows the whole value to the trigger's
     * owner only (others see 4 characters): imported by someone else, `token` stays empty until the next rotation.
     */
    async importToken(id: string): Promise<ImportedToken> {
        const [project, triggerId] = importIdParts(
            "gitlab pipeline trigger token",
            id,
            PARENT_AND_ID,
            "<project path or id>/<trigger id>, e.g. acme/web/12",
        ) as [string, string];
        const client = this.clientFor(undefined);
        const live = await unlessGone(() => client.get(project, Number(triggerId)), isAboutTheToken);
        if (live === GONE || this.isExpired(live)) {
            throw importNotFound("gitlab pipeline trigger token", id, `GitLab has no trigger ${triggerId} there`);
        }
        const inputs = { project, description: withoutMark(live.description) ?? "" };
        // A truncated value (not the owner's) is no value.
        const shown = live.token.length > TRUNCATED_VALUE_LENGTH;
        if (!shown) {
            this.ctx.log(
                `${valueNotShownNote(`gitlab pipeline trigger token "${inputs.description}"`, "GitLab")} (GitLab shows a trigger's value to its owner only.)`,
            );
        }
        const outs = compact({
            ...inputs,
            ...this.grantedFields(live),
            token: shown ? live.token : "",
            [INSTANCE_FIELD]: client.apiUrl,
        });
        return { id: String(live.id), inputs, outs };
    }

    async diff(id: string, olds: PlainObject, news: PlainObject): Promise<dynamic.DiffResult> {
        const plan = new DiffPlan();
        plan.compare("project", olds.project, news.project, "replace");
        plan.compare("description", olds.description, news.description, "update");
        compareReachAndRotation("gitlab", plan, olds, news, () => this.clientAt(olds, news[INSTANCE_FIELD] as string));
        plan.compare("rotationTrigger", olds.rotationTrigger, news.rotationTrigger, "replace");
        const due = rotationDue(
            news.rotation as PipelineTriggerInputs["rotation"],
            olds.renewBy as string | undefined,
            todayUtc(this.ctx.now()),
        );
        if (due) {
            plan.replace("renewBy", due);
        }
        return notingReplacement(
            plan.report(this.ctx.log, `gitlab pipeline trigger token "${String(olds.description)}"`),
            olds,
            olds.tokenId ?? id,
        );
    }

    async update(id: string, olds: PlainObject, news: PlainObject): Promise<dynamic.UpdateResult> {
        const inputs = news as PipelineTriggerInputs;
        const kept = compact({
            tokenId: olds.tokenId,
            token: olds.token,
            createdAt: olds.createdAt,
            updatedAt: olds.updatedAt,
            lastUsed: olds.lastUsed,
            ownerUsername: olds.ownerUsername,
            renewBy: olds.renewBy,
        });
        if (inputs.description === olds.description) {
            // Settings only (connection, rotation window): nothing to call.
            return { outs: { ...news, ...kept } };
        }
        const client = this.clientForUpdate(olds, news, inputs.connection);
        const mark = ownerMarkIn(olds) ?? ownerMarkIn(news);
        const description = withMark(inputs.description, mark, DESCRIPTION_MAX) ?? inputs.description;
        const project = String(olds.project);
        const triggerId = Number(olds.tokenId ?? id);
        let updated: GitLabTrigger;
        try {
            updated = await client.update(project, triggerId, description);
        } catch (e: unknown) {
            // A PUT of the whole description is idempotent: a lost or garbled answer is settled by sending it again.
            if (!(e instanceof ApiError) || !e.ambiguous) {
                throw e;
            }
            updated = await client.update(project, triggerId, description);
        }
        return { outs: compact({ ...news, ...kept, ...this.grantedFields(updated) }) };
    }

    async delete(id: string, props: PlainObject): Promise<void> {
        const { client } = this.clientAt(props);
        await unlessGone(() => client.delete(String(props.project), Number(props.tokenId ?? id)), isAboutTheToken);
    }

    protected labelOf(props: PlainObject): string {
        return `gitlab pipeline trigger token "${String(props.description)}"`;
    }

    /**
     * Creates a trigger whose description carries this resource's ownership mark. Triggers of the project with this
     * mark, other than the one being replaced, are leftovers of an interrupted or lost earlier attempt: they are
     * deleted before the create, and after a lost answer before the one retry. No other trigger is ever touched.
     */
    private async createWithoutOrphans(
        client: GitLabTriggerClient,
        inputs: PipelineTriggerInputs,
        mark: string | undefined,
    ): Promise<GitLabTrigger> {
        const description = withMark(inputs.description, mark, DESCRIPTION_MAX) ?? inputs.description;
        const replaced = takeReplaced(mark);
        return createClearingLeftovers({
            marked: mark !== undefined,
            leftovers: async () =>
                (await client.list(inputs.project)).filter(
                    (trigger) =>
                        mark !== undefined &&
                        carriesMark(trigger.description, mark) &&
                        !replaced.has(String(trigger.id)),
                ),
            remove: (id) => client.delete(inputs.project, id),
            create: () => client.create(inputs.project, description),
            noun: "trigger",
            createWhenListingRefused: true,
            unmarkedAdvice: `Run \`pulumi refresh\`, then look at the project's pipeline triggers described "${inputs.description}": delete one GitLab created just now that no stack holds, and run \`pulumi up\`.`,
        });
    }

    private isExpired(trigger: GitLabTrigger): boolean {
        return trigger.expires_at ? Date.parse(trigger.expires_at) <= this.ctx.now().getTime() : false;
    }

    private grantedFields(trigger: GitLabTrigger): PlainObject {
        return compact({
            tokenId: trigger.id,
            createdAt: trigger.created_at ?? undefined,
            updatedAt: trigger.updated_at ?? undefined,
            lastUsed: trigger.last_used ?? null,
            ownerUsername: trigger.owner?.username,
        });
    }
}
