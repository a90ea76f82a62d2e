// The native provider's configuration: one key per setting of the dynamic resources (`gitlab:token` →
// `accesstokens:gitlabToken`), from stack config (`accesstokens:*`) or an explicit provider's arguments,
// handed to the lifecycles as the `service:setting` stack config they already read.
import type { StackConfig } from "../config";
import { envVarName } from "../config";
import type { ServiceName } from "../http/errors";
import { CREDENTIALS, ENDPOINT_SETTINGS } from "../instance";

export interface NativeSetting {
    /** The native key, e.g. `gitlabToken`. */
    key: string;
    service: ServiceName;
    /** The dynamic resources' setting, e.g. `token` (stack config `gitlab:token`). */
    setting: string;
    env: string;
    type: "string" | "boolean" | "integer";
    secret: boolean;
}

const SERVICES: readonly ServiceName[] = ["gitlab", "gitea", "codacy", "qovery"];
/** Settings beyond the connection: Codacy's throttling. */
const EXTRA: Partial<Record<ServiceName, readonly string[]>> = { codacy: ["maxConcurrency", "maxRequestsPerSecond"] };
const NOT_SECRET = new Set([
    "baseUrl",
    "caCertificate",
    "allowInsecureHttp",
    "username",
    "maxConcurrency",
    "maxRequestsPerSecond",
]);

function typeOf(setting: string): NativeSetting["type"] {
    if (setting === "allowInsecureHttp") {
        return "boolean";
    }
    return setting.startsWith("max") ? "integer" : "string";
}

/** The native key of a dynamic resources' setting: `gitlab` + `token` → `gitlabToken`. */
export function nativeKeyOf(service: ServiceName, setting: string): string {
    return `${service}${setting.charAt(0).toUpperCase()}${setting.slice(1)}`;
}

export const NATIVE_SETTINGS: readonly NativeSetting[] = SERVICES.flatMap((service) =>
    [
        ...ENDPOINT_SETTINGS,
        ...CREDENTIALS[service].required,
        ...CREDENTIALS[service].optional,
        ...(EXTRA[service] ?? []),
    ].map((setting) => ({
        key: `${service}${setting.charAt(0).toUpperCase()}${setting.slice(1)}`,
        service,
        setting,
        env: envVarName(service, setting),
        type: typeOf(setting),
        secret: !NOT_SECRET.has(setting),
    })),
);

const BY_DYNAMIC_KEY = new Map(NATIVE_SETTINGS.map((s) => [`${s.service}:${s.setting}`, s.key]));

/**
 * The lifecycles' view (`gitlab:token`) of the native settings (`gitlabToken`): values as the engine sent
 * them, stringified like stack config.
 */
export function stackConfigOf(values: Record<string, unknown>): StackConfig {
    return {
        get: (key) => {
            const nativeKey = BY_DYNAMIC_KEY.get(key);
            const value = nativeKey === undefined ? undefined : values[nativeKey];
            return value === undefined || value === null ? undefined : String(value);
        },
    };
}
