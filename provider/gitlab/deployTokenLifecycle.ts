import type * as dynamic from "@pulumi/pulumi/dynamic";
import { addDays, type CheckFailure, compact, GONE, type PlainObject, todayUtc, unlessGone } from "../lifecycle";
import { clientSettingsFor, compareReachAndRotation, INSTANCE_FIELD } from "../instance";
import { importIdParts, importNotFound, valueNotShownNote } from "../imports";
import { createClearingLeftovers } from "../leftovers";
import { markDoesNotFit, notingReplacement, ownerMarkIn, takeReplaced, withMark, withoutMark } from "../ownership";
import { DiffPlan, rotationDue } from "../plans";
import { ServiceLifecycle } from "../serviceLifecycle";
import type { ImportedToken, ProviderContext, TokenLifecycle } from "../types";
import {
    GitLabDeployTokenClient,
    type GitLabDeployToken,
    type GitLabNewDeployToken,
    type GitLabParentKind,
} from "./client";
import { type DeployTokenInputs, deployTokenInputsSchema, type GitLabConnection } from "./inputs";
import { isAboutTheToken, sortedOrSelf } from "./lifecycle";

/** GitLab's limit on a deploy token's name, which holds the ownership mark after the declared name. */
const NAME_MAX = 255;

export function gitLabDeployTokenClientFor(
    connection: GitLabConnection | undefined,
    ctx: ProviderContext,
): GitLabDeployTokenClient {
    return new GitLabDeployTokenClient(clientSettingsFor("gitlab", connection, ctx));
}

/** A deploy token belongs to a project or to a group: exactly one of the two inputs. */
function parentFailures(inputs: PlainObject): CheckFailure[] {
    const given = (["project", "group"] as const).filter((key) => inputs[key] !== undefined);
    if (given.length === 1) {
        return [];
    }
    const reason =
        given.length === 0
            ? "project or group is required: a deploy token belongs to a project or to a group"
            : "set only one of project or group: a deploy token belongs to a project or to a group, not both";
    return [{ property: given[0] ?? "project", reason }];
}

function parentOf(props: PlainObject): { kind: GitLabParentKind; parent: string } {
    return props.group !== undefined && props.group !== null
        ? { kind: "group", parent: String(props.group) }
        : { kind: "project", parent: String(props.project) };
}

/**
 * Lifecycle of `DeployToken`. GitLab cannot edit a deploy token and has no rotate API for it: every input change
 * and a due rotation replace it, the new token created before the old one is deleted. The ownership mark goes
 * into the token's name on GitLab (deploy tokens have no description); the inputs and outputs keep the declared
 * name.
 */
export class DeployTokenLifecycle
    extends ServiceLifecycle<GitLabConnection, GitLabDeployTokenClient>
    implements TokenLifecycle
{
    constructor(ctx: ProviderContext) {
        super("gitlab", ctx, gitLabDeployTokenClientFor, deployTokenInputsSchema, parentFailures);
    }

    async create(props: PlainObject): Promise<dynamic.CreateResult> {
        const inputs = props as DeployTokenInputs;
        const client = this.clientFor(inputs.connection);
        const { kind, parent } = parentOf(props);
        const today = todayUtc(this.ctx.now());
        // Without an explicit date, `rotation.expiresInDays` gives the token a lifetime; else it never expires.
        const expiresAt =
            inputs.expiresAt ??
            (inputs.rotation?.expiresInDays ? addDays(today, inputs.rotation.expiresInDays) : undefined);
        const created = await this.createWithoutOrphans(client, kind, parent, inputs, expiresAt, ownerMarkIn(props));
        const { expiresAt: _requested, username: _username, ...rest } = props;
        const outs = compact({
            ...rest,
            ...this.grantedFields(created),
            token: created.token,
            requestedExpiresAt: inputs.expiresAt,
            requestedUsername: inputs.username,
            createdAt: this.ctx.now().toISOString(),
            [INSTANCE_FIELD]: client.apiUrl,
        });
        return { id: String(created.id), outs };
    }

    async read(id: string, props: PlainObject): Promise<dynamic.ReadResult> {
        const { client, apiUrl } = this.clientAt(props);
        const { kind, parent } = parentOf(props);
        const tokenId = Number(props.tokenId ?? id);
        const live = await unlessGone(() => client.get(kind, parent, tokenId), isAboutTheToken);
        if (live === GONE || this.isGone(live)) {
            // Revoked, expired or deleted behind Pulumi's back: drop it so the next `up` creates it again.
            return {};
        }
        // A state written before the instance was recorded records it here (see compareInstance).
        return { id, props: { ...props, [INSTANCE_FIELD]: apiUrl, ...this.grantedFields(live) } };
    }

    /**
     * `pulumi import`: the id is `project:<project path or id>/<token id>` or `group:<group path or id>/<token id>`.
     * The name is declared without this package's ownership mark, the username only when it is not GitLab's
     * default; GitLab never shows the value again, so `token` stays empty until the token is next replaced.
     */
    async importToken(id: string): Promise<ImportedToken> {
        const [kind, parent, tokenId] = importIdParts(
            "gitlab deploy token",
            id,
            /^(project|group):((?:[^/]+\/)*[^/]+)\/(\d+)$/,
            "project:<project path or id>/<token id> or group:<group path or id>/<token id>, e.g. project:acme/web/5",
        ) as [GitLabParentKind, string, string];
        const client = this.clientFor(undefined);
        const live = await unlessGone(() => client.get(kind, parent, Number(tokenId)), isAboutTheToken);
        if (live === GONE || this.isGone(live)) {
            throw importNotFound("gitlab deploy token", id, `GitLab has no active deploy token ${tokenId} there`);
        }
        const expiresAt = dateOf(live.expires_at) ?? undefined;
        const username = /^gitlab\+deploy-token-\d+$/.test(live.username ?? "") ? undefined : live.username;
        const name = withoutMark(live.name) ?? live.name;
        const inputs = compact({ [kind]: parent, name, scopes: live.scopes, expiresAt, username });
        this.ctx.log(valueNotShownNote(`gitlab deploy token "${name}"`, "GitLab"));
        const outs = compact({
            ...inputs,
            expiresAt: undefined,
            username: undefined,
            ...this.grantedFields(live),
            token: "",
            requestedExpiresAt: expiresAt,
            requestedUsername: username,
            createdAt: this.ctx.now().toISOString(),
            [INSTANCE_FIELD]: client.apiUrl,
        });
        return { id: String(live.id), inputs, outs };
    }

    async diff(id: string, olds: PlainObject, news: PlainObject): Promise<dynamic.DiffResult> {
        const plan = new DiffPlan();
        plan.compare("project", olds.project, news.project, "replace");
        plan.compare("group", olds.group, news.group, "replace");
        plan.compare("name", olds.name, news.name, "replace");
        plan.compare("scopes", sortedOrSelf(olds.scopes), sortedOrSelf(news.scopes), "replace");
        plan.compare("expiresAt", olds.requestedExpiresAt, news.expiresAt, "replace");
        plan.compare("username", olds.requestedUsername, news.username, "replace");
        compareReachAndRotation("gitlab", plan, olds, news, () => this.clientAt(olds, news[INSTANCE_FIELD] as string));
        plan.compare("rotationTrigger", olds.rotationTrigger, news.rotationTrigger, "replace");
        const due = rotationDue(
            news.rotation as DeployTokenInputs["rotation"],
            olds.expiresAt as string | null,
            todayUtc(this.ctx.now()),
        );
        if (due) {
            plan.replace("expiresAt", due);
        }
        // Names and usernames need not be unique: the replacement is created before the old token is deleted.
        return notingReplacement(
            plan.report(this.ctx.log, `gitlab deploy token "${String(olds.name)}"`),
            olds,
            olds.tokenId ?? id,
        );
    }

    async update(_id: string, olds: PlainObject, news: PlainObject): Promise<dynamic.UpdateResult> {
        // Only settings change in place (connection, rotation window): GitLab deploy tokens are immutable.
        const { expiresAt: _requested, username: _username, ...rest } = news;
        const kept = compact({
            tokenId: olds.tokenId,
            token: olds.token,
            username: olds.username,
            expiresAt: olds.expiresAt,
            revoked: olds.revoked,
            expired: olds.expired,
            requestedExpiresAt: news.expiresAt,
            requestedUsername: news.username,
            createdAt: olds.createdAt,
        });
        return { outs: { ...rest, ...kept } };
    }

    async delete(id: string, props: PlainObject): Promise<void> {
        const { client } = this.clientAt(props);
        const { kind, parent } = parentOf(props);
        await unlessGone(() => client.delete(kind, parent, Number(props.tokenId ?? id)), isAboutTheToken);
    }

    protected labelOf(props: PlainObject): string {
        return `gitlab deploy token "${String(props.name)}"`;
    }

    /**
     * Creates a token named after the input with this resource's ownership mark appended. Active tokens of exactly
     * that name, other than the one being replaced, are this resource's leftovers (of an interrupted or lost
     * earlier attempt): they are deleted before the create, and after a lost answer before the one retry. Tokens
     * without this mark (another stack's of the same declared name, a person's) are never touched.
     */
    private async createWithoutOrphans(
        client: GitLabDeployTokenClient,
        kind: GitLabParentKind,
        parent: string,
        inputs: DeployTokenInputs,
        expiresAt: string | undefined,
        mark: string | undefined,
    ): Promise<GitLabNewDeployToken> {
        const name = withMark(inputs.name, mark, NAME_MAX) ?? inputs.name;
        if (markDoesNotFit(inputs.name, mark, NAME_MAX)) {
            this.ctx.log(
                `gitlab deploy token "${inputs.name}": the name leaves no room for the ownership mark; after an interrupted run, look for a leftover token by hand (README, "After an interrupted run")`,
            );
        }
        const request = compact({ name, scopes: inputs.scopes, expires_at: expiresAt, username: inputs.username });
        const replaced = takeReplaced(mark);
        return createClearingLeftovers({
            marked: name !== inputs.name,
            leftovers: async () =>
                (await client.list(kind, parent, { active: true })).filter(
                    (token) => token.name === name && !replaced.has(String(token.id)),
                ),
            remove: (id) => client.delete(kind, parent, id),
            create: () => client.create(kind, parent, request),
            noun: "token",
            createWhenListingRefused: true,
            unmarkedAdvice: `Run \`pulumi refresh\`, then look at the ${kind}'s deploy tokens named "${inputs.name}": delete one GitLab created just now that no stack holds, and run \`pulumi up\`.`,
        });
    }

    /** Revoked or expired: a deploy token expires at midnight UTC starting its `expires_at` date (GitLab's docs). */
    private isGone(token: GitLabDeployToken): boolean {
        const expiry = dateOf(token.expires_at);
        return (
            token.revoked === true || token.expired === true || (expiry !== null && expiry <= todayUtc(this.ctx.now()))
        );
    }

    /** What GitLab granted, as the state keeps it: the expiry as `YYYY-MM-DD` (null: never expires). */
    private grantedFields(token: GitLabDeployToken): PlainObject {
        return compact({
            tokenId: token.id,
            username: token.username,
            expiresAt: dateOf(token.expires_at),
            revoked: token.revoked ?? false,
            expired: token.expired ?? false,
        });
    }
}

/** GitLab gives deploy token expiries as date-times at 00:00 UTC; the state keeps the date. */
function dateOf(expiresAt: string | null | undefined): string | null {
    return expiresAt ? expiresAt.slice(0, 10) : null;
}
