import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { StackConfig } from "./config";
import type { HttpClientOptions } from "./http/client";
import type { PlainObject } from "./lifecycle";

/** What a lifecycle implementation gets from the dynamic provider shim at call time. */
export interface ProviderContext {
    /** Stack configuration handed to the provider's `configure`. */
    config: StackConfig;
    /** Environment, read at call time. */
    env: NodeJS.ProcessEnv;
    /** Clock, replaceable in tests. */
    now: () => Date;
    /**
     * One-line notes for the user, e.g. why a diff replaces a token. In the dynamic-provider process stdout
     * lines (after the port) reach the engine's diagnostics, so `preview` and `up` show them.
     */
    log: (message: string) => void;
    /** Overrides of the HTTP timeout and retry policy (tests, slow self-hosted instances). */
    http?: Pick<HttpClientOptions, "timeoutMs" | "retry">;
}

/** The lifecycle of one resource kind, called by the serialized dynamic provider. */
export interface TokenLifecycle {
    check(olds: PlainObject, news: PlainObject): Promise<dynamic.CheckResult>;
    create(inputs: PlainObject): Promise<dynamic.CreateResult>;
    read(id: string, props: PlainObject): Promise<dynamic.ReadResult>;
    diff(id: string, olds: PlainObject, news: PlainObject): Promise<dynamic.DiffResult>;
    update(id: string, olds: PlainObject, news: PlainObject): Promise<dynamic.UpdateResult>;
    delete(id: string, props: PlainObject): Promise<void>;
    /**
     * `pulumi import` (native provider): the token the import id names, read as the service shows it, with the
     * inputs that declare it. A malformed id or a token the service does not hold is an error, never "nothing".
     */
    importToken(id: string): Promise<ImportedToken>;
}

/** A token taken into the state by `pulumi import`: its id, the inputs that declare it and its state. */
export interface ImportedToken {
    id: string;
    inputs: PlainObject;
    outs: PlainObject;
}

// The resource kinds live apart, without zod: the public SDK's type declarations import them.
export type { ResourceKind } from "./kinds";
