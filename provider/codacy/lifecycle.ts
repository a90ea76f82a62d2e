import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ApiError } from "../http";
import { addDays, type PlainObject, todayUtc, unlessGone, compact, listingForRead } from "../lifecycle";
import { DiffPlan, rotationDue } from "../plans";
import { compareReachAndRotation, INSTANCE_FIELD } from "../instance";
import { importIdParts, importNotFound } from "../imports";
import { ServiceLifecycle } from "../serviceLifecycle";
import type { ImportedToken, ProviderContext, TokenLifecycle } from "../types";
import { CODACY_PROVIDERS, CodacyClient, type CodacyRepositoryRef, type CodacyToken } from "./client";
import { codacyClientFrom } from "./connect";
import { type CodacyConnection, type CodacyTokenInputs, codacyTokenInputsSchema } from "./inputs";

export function codacyClientFor(connection: CodacyConnection | undefined, ctx: ProviderContext): CodacyClient {
    return codacyClientFrom(connection, ctx.config, ctx.env, ctx.http);
}

function refOf(props: PlainObject): CodacyRepositoryRef {
    const { provider, organization, repository } = props as CodacyTokenInputs;
    return { provider, organization, repository };
}

/** Lifecycle of `CodacyRepoToken`. */
export class CodacyTokenLifecycle extends ServiceLifecycle<CodacyConnection, CodacyClient> implements TokenLifecycle {
    constructor(ctx: ProviderContext) {
        super("codacy", ctx, codacyClientFor, codacyTokenInputsSchema);
    }

    async create(props: PlainObject): Promise<dynamic.CreateResult> {
        const inputs = props as CodacyTokenInputs;
        const client = this.clientFor(inputs.connection);
        const ref = refOf(props);
        const token = inputs.adopt
            ? await this.adopt(client, ref, inputs.adopt.tokenId)
            : await this.createWithoutOrphans(client, ref);
        return { id: String(token.id), outs: this.stateOf({ ...props, [INSTANCE_FIELD]: client.apiUrl }, token) };
    }

    async read(id: string, props: PlainObject): Promise<dynamic.ReadResult> {
        const { client, apiUrl } = this.clientAt(props);
        const ref = refOf(props);
        const tokenId = Number(props.tokenId ?? id);
        const parent = `repository ${ref.provider}/${ref.organization}/${ref.repository}`;
        const tokens = await listingForRead(
            () => client.listTokens(ref),
            parent,
            String(tokenId),
            client.listingKey(ref),
        );
        const live = tokens.find((token) => token.id === tokenId);
        if (!live || this.isExpired(live)) {
            return {};
        }
        // A state written before the instance was recorded records it here (see compareInstance).
        return { id, props: { ...props, [INSTANCE_FIELD]: apiUrl, ...this.grantedFields(live, props) } };
    }

    /**
     * `pulumi import`: the id is `<provider>/<organization>/<repository>/<token id>`. Codacy lists a repository's
     * tokens with their values, so the imported state holds the value.
     */
    async importToken(id: string): Promise<ImportedToken> {
        const [provider, organization, repository, tokenId] = importIdParts(
            "codacy token",
            id,
            new RegExp(`^(${CODACY_PROVIDERS.join("|")})/([^/\\s?#]+)/([^/\\s?#]+)/(\\d+)$`),
            `<provider>/<organization>/<repository>/<token id> with provider one of ${CODACY_PROVIDERS.join(", ")}, e.g. gh/acme/web/42`,
        );
        const inputs = { provider, organization, repository } as PlainObject;
        const client = this.clientFor(undefined);
        const live = (await client.listTokens(refOf(inputs))).find((token) => token.id === Number(tokenId));
        if (!live || this.isExpired(live)) {
            throw importNotFound("codacy token", id, `the repository has no live token ${tokenId}`);
        }
        return {
            id: String(live.id),
            inputs,
            outs: this.stateOf({ ...inputs, [INSTANCE_FIELD]: client.apiUrl }, live),
        };
    }

    async diff(_id: string, olds: PlainObject, news: PlainObject): Promise<dynamic.DiffResult> {
        const plan = new DiffPlan();
        plan.compare("provider", olds.provider, news.provider, "replace");
        plan.compare("organization", olds.organization, news.organization, "replace");
        plan.compare("repository", olds.repository, news.repository, "replace");
        compareReachAndRotation("codacy", plan, olds, news, () => this.clientAt(olds, news[INSTANCE_FIELD] as string));
        plan.compare("rotationTrigger", olds.rotationTrigger, news.rotationTrigger, "replace");
        const due = rotationDue(
            news.rotation as CodacyTokenInputs["rotation"],
            (olds.renewBy ?? olds.expiresAt) as string | undefined,
            todayUtc(this.ctx.now()),
        );
        if (due) {
            plan.replace("expiresAt", due);
        }
        return plan.report(this.ctx.log, `codacy token of ${String(olds.organization)}/${String(olds.repository)}`);
    }

    async update(_id: string, olds: PlainObject, news: PlainObject): Promise<dynamic.UpdateResult> {
        const kept = compact({
            tokenId: olds.tokenId,
            token: olds.token,
            expiresAt: olds.expiresAt,
            renewBy: olds.renewBy,
            createdAt: olds.createdAt,
        });
        return { outs: { ...news, ...kept } };
    }

    async delete(id: string, props: PlainObject): Promise<void> {
        const { client } = this.clientAt(props);
        await unlessGone(() => client.deleteToken(refOf(props), Number(props.tokenId ?? id)));
    }

    protected labelOf(props: PlainObject): string {
        return `codacy token of ${String(props.organization)}/${String(props.repository)}`;
    }

    /**
     * Creates a token. Codacy tokens carry no name or description, so nothing proves which token a lost request
     * made: another stack may have created one in the same repository at the same moment. When the answer is lost
     * and tokens appeared meanwhile, none is adopted or deleted; the error lists them and says what to do. When
     * none appeared, nothing was created and the create is tried once more.
     */
    private async createWithoutOrphans(client: CodacyClient, ref: CodacyRepositoryRef): Promise<CodacyToken> {
        const before = new Set((await client.listTokens(ref)).map((token) => token.id));
        for (let attempt = 1; ; attempt++) {
            try {
                return await client.createToken(ref);
            } catch (e: unknown) {
                if (!(e instanceof ApiError) || !e.ambiguous) {
                    throw e;
                }
                const appeared = (await client.listTokens(ref)).filter((token) => !before.has(token.id));
                if (appeared.length > 0) {
                    const ids = appeared.map((token) => token.id).join(", ");
                    throw e.withOutcome(
                        `meanwhile token(s) ${ids} appeared in the repository, and Codacy tokens carry nothing that proves which one this request made`,
                        `If no other stack manages tokens of ${ref.organization}/${ref.repository}, take the new token over with \`adopt: { tokenId: ${appeared[appeared.length - 1]!.id} }\` (or delete it in Codacy) and run \`pulumi up\`; see the README, "After an interrupted run".`,
                    );
                }
                if (attempt >= 2) {
                    throw e; // Nothing was created: the state and the service agree.
                }
            }
        }
    }

    private async adopt(client: CodacyClient, ref: CodacyRepositoryRef, tokenId: number): Promise<CodacyToken> {
        const existing = (await client.listTokens(ref)).find((token) => token.id === tokenId);
        if (!existing || this.isExpired(existing)) {
            throw new ApiError({
                service: "codacy",
                operation: "adopt repository API token",
                method: "GET",
                path: CodacyClient.tokensPath(ref),
                status: 404,
                serviceMessage: `the repository has no live token with id ${tokenId}`,
                hint: "Check adopt.tokenId (getCodacyRepositoryTokens lists them), or remove `adopt` to create a new token.",
            });
        }
        return existing;
    }

    private isExpired(token: CodacyToken): boolean {
        return token.expiresAt ? Date.parse(token.expiresAt) <= this.ctx.now().getTime() : false;
    }

    private grantedFields(token: CodacyToken, props: PlainObject): PlainObject {
        return compact({ tokenId: token.id, expiresAt: token.expiresAt ?? undefined, renewBy: props.renewBy });
    }

    private stateOf(props: PlainObject, token: CodacyToken): PlainObject {
        const rotation = (props as CodacyTokenInputs).rotation;
        const today = todayUtc(this.ctx.now());
        return compact({
            ...props,
            tokenId: token.id,
            token: token.token,
            expiresAt: token.expiresAt ?? undefined,
            // Codacy tokens may not expire: with rotation.expiresInDays we keep our own renewal date.
            renewBy: rotation?.expiresInDays ? addDays(today, rotation.expiresInDays) : undefined,
            createdAt: this.ctx.now().toISOString(),
        });
    }
}
