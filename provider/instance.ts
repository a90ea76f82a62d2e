// Which instance (API root) a token lives on, recorded in its state as `apiUrl`, and how to reach that
// instance again when the configuration now points elsewhere.
import {
    apiUrlFor,
    type ConnectionSettings,
    envVarName,
    requireSetting,
    resolveEndpoint,
    resolveSetting,
    type StackConfig,
} from "./config";
import { ConfigurationError, type ServiceName } from "./http/errors";
import { type CheckOutcome, containsUnknown, type PlainObject, UNKNOWN } from "./lifecycle";
import type { DiffPlan } from "./plans";
import type { ProviderContext } from "./types";

/** The state and checked-input field holding the instance: the normalised API root, not a secret. */
export const INSTANCE_FIELD = "apiUrl";

/** Settings of a `connection` that say how to reach an instance, beside its credentials. */
export const ENDPOINT_SETTINGS = ["baseUrl", "caCertificate", "allowInsecureHttp"] as const;

/** Credentials each service needs, and optional ones that belong to the same instance. */
export const CREDENTIALS: Record<ServiceName, { required: readonly string[]; optional: readonly string[] }> = {
    gitlab: { required: ["token"], optional: [] },
    gitea: { required: ["username", "password"], optional: ["otp"] },
    codacy: { required: ["apiToken"], optional: [] },
    qovery: { required: ["apiToken"], optional: [] },
};

/** A service's credentials as its client takes them: the settings CREDENTIALS names. */
export interface ServiceCredentials {
    gitlab: { token: string };
    gitea: { username: string; password: string; otp?: string };
    codacy: { apiToken: string };
    qovery: { apiToken: string };
}

/** What every service's client takes: where the instance is, the HTTP overrides, the service's credentials. */
export type ClientSettings<S extends ServiceName> = {
    apiUrl: string;
    caCertificate: string | undefined;
} & NonNullable<ProviderContext["http"]> &
    ServiceCredentials[S];

/**
 * How a client of `service` reaches the configured instance: its endpoint and the credentials CREDENTIALS names,
 * each from the `connection` input, then stack config, then the environment. A missing required credential fails
 * naming every place it may be set. Used by every lifecycle's client builder and by the program-time look-ups.
 */
export function clientSettingsFor<S extends ServiceName>(
    service: S,
    connection: ConnectionSettings | undefined,
    ctx: Pick<ProviderContext, "config" | "env" | "http">,
): ClientSettings<S> {
    const endpoint = resolveEndpoint(service, connection, ctx.config, ctx.env);
    const fromConnection = (setting: string) =>
        (connection as PlainObject | undefined)?.[setting] as string | undefined;
    const credentials: Record<string, string | undefined> = {};
    for (const setting of CREDENTIALS[service].required) {
        credentials[setting] = requireSetting(service, setting, fromConnection(setting), ctx.config, ctx.env);
    }
    for (const setting of CREDENTIALS[service].optional) {
        credentials[setting] = resolveSetting(service, setting, fromConnection(setting), ctx.config, ctx.env);
    }
    return {
        apiUrl: endpoint.apiUrl,
        caCertificate: endpoint.caCertificate,
        ...ctx.http,
        ...credentials,
    } as ClientSettings<S>;
}

/**
 * Check's last step: puts the effective instance (from `connection`, stack config or the environment) into the
 * checked inputs, so that `diff` can compare it with the recorded one. Unknown while `connection.baseUrl` is.
 */
export function withEffectiveInstance(service: ServiceName, outcome: CheckOutcome, ctx: ProviderContext): CheckOutcome {
    if (outcome.failures.length > 0) {
        return outcome;
    }
    const connection = outcome.inputs.connection as PlainObject | string | undefined;
    let apiUrl: string;
    if (
        connection === UNKNOWN ||
        (typeof connection === "object" &&
            (containsUnknown(connection.baseUrl) || containsUnknown(connection.allowInsecureHttp)))
    ) {
        apiUrl = UNKNOWN;
    } else {
        try {
            apiUrl = resolveEndpoint(service, connection as ConnectionSettings | undefined, ctx.config, ctx.env).apiUrl;
        } catch (e: unknown) {
            if (!(e instanceof ConfigurationError) || !containsUnknown(connection)) {
                throw e;
            }
            apiUrl = UNKNOWN;
        }
    }
    return { ...outcome, inputs: { ...outcome.inputs, [INSTANCE_FIELD]: apiUrl } };
}

/** News without the instance field: it is computed by check, never taken from the program. */
export function withoutInstance(news: PlainObject): PlainObject {
    const { [INSTANCE_FIELD]: _computed, ...rest } = news;
    return rest;
}

/**
 * The instance a token lives on, from its state: the recorded `apiUrl`, else (state written before it was
 * recorded) the stored `connection.baseUrl`, else undefined (the configured instance is all there is to go by).
 */
export function recordedInstance(service: ServiceName, props: PlainObject): string | undefined {
    const recorded = props[INSTANCE_FIELD];
    if (typeof recorded === "string" && recorded !== "" && recorded !== UNKNOWN) {
        return recorded;
    }
    const connection = props.connection as ConnectionSettings | undefined;
    if (typeof connection?.baseUrl === "string") {
        try {
            return apiUrlFor(service, connection.baseUrl, true);
        } catch {
            return undefined;
        }
    }
    return undefined;
}

/** A `connection` with its base URL left out (the instance is compared apart, normalised); undefined if empty. */
export function connectionSettingsOf(connection: unknown): unknown {
    if (connection === null || typeof connection !== "object") {
        return connection;
    }
    const { baseUrl: _instance, ...rest } = connection as PlainObject;
    const kept = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined && value !== null));
    return Object.keys(kept).length > 0 ? kept : undefined;
}

/**
 * Diff's part about the instance. A token whose instance changed is replaced (created on the new instance,
 * revoked on the old one, which must be reachable: `reachOld` fails otherwise, before anything happens). State
 * without a record gets it by an in-place update without any request. News without the field (the engine's
 * refresh diff passes the stored inputs) compare nothing.
 */
export function compareInstance(
    service: ServiceName,
    plan: DiffPlan,
    olds: PlainObject,
    news: PlainObject,
    reachOld: () => void,
): void {
    const wanted = news[INSTANCE_FIELD];
    if (typeof wanted !== "string") {
        return;
    }
    const recorded = recordedInstance(service, olds);
    if (recorded === undefined) {
        if (wanted !== UNKNOWN) {
            plan.update(
                INSTANCE_FIELD,
                `record the instance the token lives on, ${wanted} (state of an earlier version)`,
            );
        }
        return;
    }
    if (wanted === UNKNOWN) {
        plan.replace(INSTANCE_FIELD, "the instance is not known yet");
    } else if (wanted !== recorded) {
        reachOld();
        plan.replace(INSTANCE_FIELD, `the instance moves from ${recorded} to ${wanted}`);
    }
}

/**
 * Diff's part about where and how the token is reached: the instance (see compareInstance), then `connection`
 * settings and the `rotation` window, which change in place without any request.
 */
export function compareReachAndRotation(
    service: ServiceName,
    plan: DiffPlan,
    olds: PlainObject,
    news: PlainObject,
    reachOld: () => void,
): void {
    compareInstance(service, plan, olds, news, reachOld);
    plan.compare("connection", connectionSettingsOf(olds.connection), connectionSettingsOf(news.connection), "update");
    plan.compare("rotation", olds.rotation, news.rotation, "update");
}

/** How to build a client for a given instance: the connection to use and the settings to fall back on. */
export interface InstanceRoute<C> {
    connection: C | undefined;
    ctx: ProviderContext;
}

/**
 * How to reach the instance recorded in a token's state, whatever the configuration says now. When the stored
 * `connection` with today's config and environment resolves to that instance (the usual case), that is the
 * route. Otherwise credentials are taken only from a source that belongs to the recorded instance: the stored
 * `connection` (its credentials were declared for it), or stack config / the environment whose `baseUrl`
 * names it, each with its own credentials; a credential is never sent to another instance than its own.
 * Fails, before any request, with a message naming both instances and how to finish the move.
 */
export function routeToRecorded<C extends ConnectionSettings>(
    service: ServiceName,
    props: PlainObject,
    ctx: ProviderContext,
    label: string,
    current?: string,
): InstanceRoute<C> {
    const stored = props.connection as (C & PlainObject) | undefined;
    const recorded = recordedInstance(service, props);
    let configured: string | undefined;
    try {
        configured = resolveEndpoint(service, stored, ctx.config, ctx.env).apiUrl;
    } catch (e: unknown) {
        if (recorded === undefined) {
            throw e;
        }
    }
    if (recorded === undefined || (configured === recorded && hasCredentials(service, stored, ctx))) {
        return { connection: stored, ctx };
    }
    const isolated: ProviderContext = {
        ...ctx,
        config: withoutConnectionSettings(service, ctx.config),
        env: withoutConnectionEnv(service, ctx.env),
    };
    const storedLayer: Layer = (setting) => stored?.[setting] as string | boolean | undefined;
    const configLayer: Layer = (setting) => ctx.config.get(`${service}:${setting}`);
    const envLayer: Layer = (setting) => ctx.env[envVarName(service, setting)];
    for (const [layer, impliedBaseUrl] of [
        [storedLayer, recorded],
        [configLayer, undefined],
        [envLayer, undefined],
    ] as const) {
        const connection = connectionFrom(service, layer, recorded, impliedBaseUrl);
        if (connection !== undefined) {
            return { connection: connection as C, ctx: isolated };
        }
    }
    const now = current ?? configured;
    if (now === undefined || now === recorded) {
        // Not a move, just missing credentials: building the client says which setting to give.
        return { connection: stored, ctx };
    }
    throw new ConfigurationError(movedAwayMessage(service, label, recorded, now));
}

/** A client for the instance the token of a state lives on (see routeToRecorded), and that instance. */
export function clientAtRecorded<C extends ConnectionSettings, Client extends { apiUrl: string }>(
    service: ServiceName,
    props: PlainObject,
    ctx: ProviderContext,
    label: string,
    build: (connection: C | undefined, ctx: ProviderContext) => Client,
    current?: string,
): { client: Client; apiUrl: string } {
    const route = routeToRecorded<C>(service, props, ctx, label, current);
    const client = build(route.connection, route.ctx);
    return { client, apiUrl: recordedInstance(service, props) ?? client.apiUrl };
}

/**
 * The client of an in-place update: it stays on the token's instance (a move replaces instead), so the declared
 * settings when they reach it, else the route to the recorded instance.
 */
export function clientForInPlaceUpdate<Client>(
    service: ServiceName,
    olds: PlainObject,
    news: PlainObject,
    declared: () => Client,
    atRecorded: (current: string) => Client,
): Client {
    const recorded = recordedInstance(service, olds);
    if (recorded === undefined || recorded === news[INSTANCE_FIELD]) {
        return declared();
    }
    return atRecorded(news[INSTANCE_FIELD] as string);
}

/** Whether today's settings (stored `connection`, stack config, environment) hold every credential the service needs. */
function hasCredentials(service: ServiceName, stored: PlainObject | undefined, ctx: ProviderContext): boolean {
    return CREDENTIALS[service].required.every(
        (setting) =>
            resolveSetting(service, setting, stored?.[setting] as string | undefined, ctx.config, ctx.env) !==
            undefined,
    );
}

type Layer = (setting: string) => string | boolean | undefined;

/** The settings of one source as a `connection` for `recorded`, if that source names it and holds credentials. */
function connectionFrom(
    service: ServiceName,
    layer: Layer,
    recorded: string,
    impliedBaseUrl: string | undefined,
): ConnectionSettings | undefined {
    const present = (value: string | boolean | undefined) => value !== undefined && value !== "";
    const baseUrl = layer("baseUrl") ?? impliedBaseUrl;
    if (typeof baseUrl !== "string" || baseUrl === "") {
        return undefined;
    }
    const allowInsecureHttp = layer("allowInsecureHttp");
    try {
        const insecure = allowInsecureHttp === true || String(allowInsecureHttp).toLowerCase() === "true";
        if (apiUrlFor(service, baseUrl, insecure) !== recorded) {
            return undefined;
        }
    } catch {
        return undefined;
    }
    const { required, optional } = CREDENTIALS[service];
    if (!required.every((setting) => present(layer(setting)))) {
        return undefined;
    }
    const settings: PlainObject = { baseUrl: recorded };
    for (const setting of [...required, ...optional, "caCertificate", "allowInsecureHttp"]) {
        const value = layer(setting);
        if (present(value)) {
            settings[setting] = setting === "allowInsecureHttp" ? String(value).toLowerCase() === "true" : value;
        }
    }
    return settings as ConnectionSettings;
}

function connectionSettingNames(service: ServiceName): string[] {
    const { required, optional } = CREDENTIALS[service];
    return [...ENDPOINT_SETTINGS, ...required, ...optional];
}

/** Stack config without the service's connection settings (throttling and other settings stay). */
function withoutConnectionSettings(service: ServiceName, config: StackConfig): StackConfig {
    const hidden = new Set(connectionSettingNames(service).map((setting) => `${service}:${setting}`));
    return { get: (key) => (hidden.has(key) ? undefined : config.get(key)) };
}

function withoutConnectionEnv(service: ServiceName, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const hidden = new Set(connectionSettingNames(service).map((setting) => envVarName(service, setting)));
    return Object.fromEntries(Object.entries(env).filter(([key]) => !hidden.has(key)));
}

function movedAwayMessage(service: ServiceName, label: string, recorded: string, current: string): string {
    const credentials = CREDENTIALS[service].required.map((setting) => envVarName(service, setting)).join(", ");
    const baseUrlVar = envVarName(service, "baseUrl");
    return (
        `${label} lives on ${recorded} (recorded in the state) but the settings now point to ${current}, and no ` +
        `credentials for ${recorded} are at hand (they come only from the resource's \`connection\` or from settings ` +
        "that name that instance: no credential is sent to another instance than its own). To finish the move, either " +
        `keep ${recorded} reachable for one \`pulumi up\`: ${baseUrlVar}=${recorded} with ${credentials} in the environment ` +
        `while stack config (\`pulumi config set ${service}:baseUrl …\` and its credentials) or \`connection\` names the new ` +
        "instance; that `up` creates the token there, updates its consumers, then revokes the old one. Or revoke the token " +
        `on ${recorded} by hand, \`pulumi state delete\` this resource, then \`pulumi up\`.`
    );
}
