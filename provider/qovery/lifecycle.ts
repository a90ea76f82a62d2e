import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ApiError } from "../http";
import { type PlainObject, GONE, unlessGone, compact } from "../lifecycle";
import { DiffPlan } from "../plans";
import { clientSettingsFor, compareInstance, connectionSettingsOf, INSTANCE_FIELD } from "../instance";
import {
    carriesMark,
    notingReplacement,
    ownerMarkIn,
    takeReplaced,
    unmarkedLostAnswer,
    withMark,
    withoutMark,
} from "../ownership";
import { importIdParts, importNotFound } from "../imports";
import { ServiceLifecycle } from "../serviceLifecycle";
import type { ImportedToken, ProviderContext, TokenLifecycle } from "../types";
import { QoveryClient, type QoveryGitToken, type QoveryGitTokenRequest } from "./client";
import {
    QOVERY_DESCRIPTION_MAX,
    type QoveryConnection,
    type QoveryTokenInputs,
    qoveryCrossFieldFailures,
    qoveryTokenInputsSchema,
} from "./inputs";

export function qoveryClientFor(connection: QoveryConnection | undefined, ctx: ProviderContext): QoveryClient {
    return new QoveryClient(clientSettingsFor("qovery", connection, ctx));
}

/** The request for these inputs; the description carries the resource's ownership mark when there is room. */
function requestOf(inputs: QoveryTokenInputs, mark: string | undefined): QoveryGitTokenRequest {
    return compact({
        name: inputs.name,
        type: inputs.type,
        token: inputs.token,
        description: withMark(inputs.description, mark, QOVERY_DESCRIPTION_MAX),
        workspace: inputs.workspace,
        git_api_url: inputs.gitApiUrl,
    });
}

/** What to do by hand after a lost create answer about an unmarked Qovery token (see unmarkedLostAnswer). */
export function unmarkedQoveryAdvice(kind: string, name: string, adoptKey: string): string {
    return `If the organization has ${kind}s named "${name}" that no stack holds, delete them (or take one over with \`adopt: { ${adoptKey} }\`) and run \`pulumi up\`.`;
}

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** The import id of both Qovery kinds, `<organization id>/<token id>` (two UUIDs), or an error naming that form. */
export function organizationAndTokenOf(label: string, id: string): { organizationId: string; tokenId: string } {
    const [organizationId = "", tokenId = ""] = importIdParts(
        label,
        id,
        new RegExp(`^(${UUID})/(${UUID})$`, "i"),
        "<organization id>/<token id> (two UUIDs)",
    );
    return { organizationId, tokenId };
}

/** Lifecycle of `QoveryGitToken`: the only kind that updates in place (`PUT`), e.g. with a rotated value. */
export class QoveryTokenLifecycle extends ServiceLifecycle<QoveryConnection, QoveryClient> implements TokenLifecycle {
    constructor(ctx: ProviderContext) {
        super("qovery", ctx, qoveryClientFor, qoveryTokenInputsSchema, (inputs) =>
            qoveryCrossFieldFailures(inputs as Partial<QoveryTokenInputs>),
        );
    }

    async create(props: PlainObject): Promise<dynamic.CreateResult> {
        const inputs = props as QoveryTokenInputs;
        const client = this.clientFor(inputs.connection);
        const token = inputs.adopt
            ? await client.update(inputs.organizationId, inputs.adopt.gitTokenId, requestOf(inputs, ownerMarkIn(props)))
            : await this.createWithoutOrphans(client, inputs, ownerMarkIn(props));
        return { id: token.id, outs: this.stateOf({ ...props, [INSTANCE_FIELD]: client.apiUrl }, token) };
    }

    async read(id: string, props: PlainObject): Promise<dynamic.ReadResult> {
        const inputs = props as QoveryTokenInputs;
        const { client, apiUrl } = this.clientAt(props);
        const live = await unlessGone(() => client.get(inputs.organizationId, String(props.gitTokenId ?? id)));
        if (live === GONE) {
            return {};
        }
        // Out-of-band edits of name, description… show up as a diff on the next `up`, which puts them back.
        const drifted = compact({
            name: live.name,
            // The ownership mark is ours, not the user's: it is no drift.
            description: withoutMark(live.description),
            workspace: live.workspace ?? undefined,
            // Qovery fills in its default API URL of the git provider when none was given: that is no drift.
            gitApiUrl: props.gitApiUrl === undefined ? undefined : (live.git_api_url ?? undefined),
        });
        // A state written before the instance was recorded records it here (see compareInstance).
        return { id, props: { ...props, [INSTANCE_FIELD]: apiUrl, ...drifted, ...this.grantedFields(live) } };
    }

    /**
     * `pulumi import`: the id is `<organization id>/<git token id>`. The git provider's token is the program's
     * input and Qovery never shows it back: the inputs leave `token` out, and the first `up` with `token` set
     * updates the git token in place (a PUT with that value).
     */
    async importToken(id: string): Promise<ImportedToken> {
        const { organizationId, tokenId: gitTokenId } = organizationAndTokenOf("qovery git token", id);
        const client = this.clientFor(undefined);
        const live = await unlessGone(() => client.get(organizationId, gitTokenId));
        if (live === GONE) {
            throw importNotFound(
                "qovery git token",
                id,
                `organization ${organizationId} has no git token ${gitTokenId}`,
            );
        }
        const inputs = compact({
            organizationId,
            name: live.name,
            type: live.type,
            description: withoutMark(live.description),
            workspace: live.workspace ?? undefined,
            gitApiUrl: live.git_api_url ?? undefined,
        });
        this.ctx.log(
            `qovery git token "${live.name}": Qovery never shows the git provider's token it holds, so the program must set \`token\`; the first \`up\` with it updates the git token in place.`,
        );
        return { id: live.id, inputs, outs: this.stateOf({ ...inputs, [INSTANCE_FIELD]: client.apiUrl }, live) };
    }

    async diff(_id: string, olds: PlainObject, news: PlainObject): Promise<dynamic.DiffResult> {
        const plan = new DiffPlan();
        plan.compare("organizationId", olds.organizationId, news.organizationId, "replace");
        plan.compare("type", olds.type, news.type, "replace");
        compareInstance("qovery", plan, olds, news, () => this.clientAt(olds, news[INSTANCE_FIELD] as string));
        for (const property of ["name", "token", "description", "workspace", "gitApiUrl"]) {
            plan.compare(property, olds[property], news[property], "update");
        }
        plan.compare(
            "connection",
            connectionSettingsOf(olds.connection),
            connectionSettingsOf(news.connection),
            "update",
        );
        plan.compare("allowDeleteWhileInUse", olds.allowDeleteWhileInUse, news.allowDeleteWhileInUse, "update");
        return notingReplacement(
            plan.report(this.ctx.log, `qovery git token "${String(olds.name)}"`),
            olds,
            olds.gitTokenId ?? _id,
        );
    }

    async update(_id: string, olds: PlainObject, news: PlainObject): Promise<dynamic.UpdateResult> {
        const inputs = news as QoveryTokenInputs;
        const changed = ["name", "token", "description", "workspace", "gitApiUrl"].some(
            (property) => olds[property] !== news[property],
        );
        if (!changed) {
            return { outs: { ...news, ...this.keptFields(olds) } };
        }
        const client = this.clientForUpdate(olds, news, news.connection as QoveryConnection | undefined);
        const updated = await client.update(
            inputs.organizationId,
            String(olds.gitTokenId),
            requestOf(inputs, ownerMarkIn(news)),
        );
        return { outs: this.stateOf(news, updated) };
    }

    async delete(id: string, props: PlainObject): Promise<void> {
        const inputs = props as QoveryTokenInputs;
        const { client } = this.clientAt(props);
        const gitTokenId = String(props.gitTokenId ?? id);
        if (!inputs.allowDeleteWhileInUse) {
            const usage = await this.refuseIfInUse(client, inputs.organizationId, gitTokenId);
            if (usage === GONE) {
                return; // The token's own read says it is gone.
            }
        }
        // Only the token's own DELETE (2xx, or 404: already gone) proves it gone, never an auxiliary call.
        await unlessGone(() => client.delete(inputs.organizationId, gitTokenId));
    }

    protected labelOf(props: PlainObject): string {
        return `qovery git token "${String(props.name)}"`;
    }

    /**
     * Deleting a git token that services build from breaks their next deployment: refuse unless told otherwise.
     * A 404 from the usage look-up is about the look-up, not the token: the token's own read decides. Gone →
     * `GONE`. Still there → refuse: usage unknown, and a wrong guess breaks deployments irreversibly, while a
     * refusal only keeps the resource in state until the look-up works or `allowDeleteWhileInUse` is set.
     */
    private async refuseIfInUse(
        client: QoveryClient,
        organizationId: string,
        gitTokenId: string,
    ): Promise<typeof GONE | undefined> {
        const services = await unlessGone(() => client.associatedServices(organizationId, gitTokenId));
        if (services === GONE) {
            const live = await unlessGone(() => client.get(organizationId, gitTokenId));
            if (live === GONE) {
                return GONE;
            }
            throw new ApiError({
                service: "qovery",
                operation: "delete git token",
                method: "GET",
                path: `${QoveryClient.tokensPath(organizationId)}/${gitTokenId}/associatedServices`,
                status: 404,
                serviceMessage: `the look-up of the services using git token ${gitTokenId} answered 404 although the git token still exists, so it was not deleted (the state keeps it)`,
                hint: "Run the command again once Qovery answers that look-up, or set `allowDeleteWhileInUse: true` to delete the git token without checking its use.",
            });
        }
        if (services.length > 0) {
            const names = services.map((s) => `${s.project_name}/${s.environment_name}/${s.service_name}`).join(", ");
            throw new ApiError({
                service: "qovery",
                operation: "delete git token",
                method: "DELETE",
                path: `${QoveryClient.tokensPath(organizationId)}/${gitTokenId}`,
                serviceMessage: `the git token is used by ${services.length} service(s): ${names}`,
                hint: "Point those services at another git token first, or set `allowDeleteWhileInUse: true` to delete it anyway.",
            });
        }
        return undefined;
    }

    /**
     * Creates a git token carrying this resource's ownership mark in its description. A git token with this mark
     * other than the one being replaced is this resource's leftover (of an interrupted or lost earlier attempt):
     * the newest is taken over (updated with our values) instead of creating another, any other removed. When the
     * answer is lost, the same look-up finds what the lost request made. Unmarked git tokens are never touched.
     */
    private async createWithoutOrphans(
        client: QoveryClient,
        inputs: QoveryTokenInputs,
        mark: string | undefined,
    ): Promise<QoveryGitToken> {
        const request = requestOf(inputs, mark);
        // Unmarked (no mark given, or no room for it in the description): nothing can be proven ours.
        const marked = mark !== undefined && request.description !== inputs.description;
        const replaced = takeReplaced(mark);
        const takeOverLeftovers = async (): Promise<QoveryGitToken | undefined> => {
            if (!marked) {
                return undefined;
            }
            const leftovers = (await client.list(inputs.organizationId)).filter(
                (token) => carriesMark(token.description, mark!) && !replaced.has(token.id),
            );
            const [mine, ...extra] = leftovers.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
            for (const token of extra) {
                await client.delete(inputs.organizationId, token.id);
            }
            return mine ? client.update(inputs.organizationId, mine.id, request) : undefined;
        };
        const leftover = await takeOverLeftovers();
        if (leftover) {
            return leftover;
        }
        for (let attempt = 1; ; attempt++) {
            try {
                return await client.create(inputs.organizationId, request);
            } catch (e: unknown) {
                if (!(e instanceof ApiError) || !e.ambiguous) {
                    throw e;
                }
                if (!marked) {
                    throw unmarkedLostAnswer(
                        e,
                        "git token",
                        unmarkedQoveryAdvice("git token", inputs.name, "gitTokenId"),
                    );
                }
                const mine = await takeOverLeftovers();
                if (mine) {
                    return mine;
                }
                if (attempt >= 2) {
                    throw e; // Nothing was created: the state and the service agree.
                }
            }
        }
    }

    private grantedFields(token: QoveryGitToken): PlainObject {
        return compact({
            gitTokenId: token.id,
            createdAt: token.created_at,
            updatedAt: token.updated_at ?? undefined,
            expiredAt: token.expired_at ?? undefined,
            associatedServicesCount: token.associated_services_count,
        });
    }

    private keptFields(olds: PlainObject): PlainObject {
        return compact({
            gitTokenId: olds.gitTokenId,
            createdAt: olds.createdAt,
            updatedAt: olds.updatedAt,
            expiredAt: olds.expiredAt,
            associatedServicesCount: olds.associatedServicesCount,
        });
    }

    private stateOf(props: PlainObject, token: QoveryGitToken): PlainObject {
        return { ...props, ...this.grantedFields(token) };
    }
}
