// What the lifecycles of every kind share: the service they speak to, how they build its client, their check,
// and the client for the instance the token of a state lives on.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { z } from "zod";
import type { ConnectionSettings } from "./config";
import type { ServiceName } from "./http/errors";
import { clientAtRecorded, clientForInPlaceUpdate, withEffectiveInstance, withoutInstance } from "./instance";
import { type CheckFailure, checkInputs, type PlainObject } from "./lifecycle";
import type { ProviderContext } from "./types";

/** Builds a service's client for a `connection` input (undefined: stack config and environment only). */
export type ClientBuilder<C, Client> = (connection: C | undefined, ctx: ProviderContext) => Client;

/** Rules across a kind's inputs, checked once each input is valid on its own. */
export type CrossFieldRules = (inputs: PlainObject) => CheckFailure[];

/**
 * The base of each kind's lifecycle. A kind gives its service, how to build that service's client, its input schema
 * and rules, and how errors name one of its tokens; its create, read, diff, update and delete are its own.
 */
export abstract class ServiceLifecycle<C extends ConnectionSettings, Client extends { apiUrl: string }> {
    protected constructor(
        protected readonly service: ServiceName,
        protected readonly ctx: ProviderContext,
        private readonly build: ClientBuilder<C, Client>,
        private readonly schema: z.ZodObject,
        private readonly crossFieldRules?: CrossFieldRules,
    ) {}

    /** The inputs, then the rules across them, then the connection (credentials, base URL): all before any request. */
    async check(_olds: PlainObject, news: PlainObject): Promise<dynamic.CheckResult> {
        const outcome = checkInputs(
            this.schema,
            withoutInstance(news),
            (connection: C | undefined) => this.clientFor(connection),
            this.crossFieldRules,
        );
        return withEffectiveInstance(this.service, outcome, this.ctx);
    }

    /** How an error about the instance of a state's token names that token, e.g. `gitea token "ci"`. */
    protected abstract labelOf(props: PlainObject): string;

    /** A client for a `connection` input, with this lifecycle's stack config and environment unless told otherwise. */
    protected clientFor(connection: C | undefined, ctx: ProviderContext = this.ctx): Client {
        return this.build(connection, ctx);
    }

    /** A client for the instance the token of this state lives on, and that instance (see `clientAtRecorded`). */
    protected clientAt(props: PlainObject, current?: string): { client: Client; apiUrl: string } {
        return clientAtRecorded<C, Client>(this.service, props, this.ctx, this.labelOf(props), this.build, current);
    }

    /** The client of an in-place update: the declared connection's, or the recorded instance's while a move is pending. */
    protected clientForUpdate(olds: PlainObject, news: PlainObject, declared: C | undefined): Client {
        return clientForInPlaceUpdate(
            this.service,
            olds,
            news,
            () => this.clientFor(declared),
            (current) => this.clientAt(olds, current).client,
        );
    }
}
