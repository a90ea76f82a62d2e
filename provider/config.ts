import { ConfigurationError, type ServiceName } from "./http/errors";

/** Read access to stack configuration, as handed to a dynamic provider's `configure`. */
export interface StackConfig {
    get(key: string): string | undefined;
}

/** No stack configuration (e.g. when a provider method runs before `configure`). */
export const EMPTY_CONFIG: StackConfig = { get: () => undefined };

/** Settings common to every service's `connection` input. */
export interface ConnectionSettings {
    /** Base URL of the instance, with or without its API path. */
    baseUrl?: string;
    /** PEM bundle of extra CAs to trust (self-hosted instances with a private CA). */
    caCertificate?: string;
    /** Allow `http://` to a host other than loopback. Off by default: credentials would travel in clear. */
    allowInsecureHttp?: boolean;
}

interface ServiceEndpoint {
    /** Default base URL; undefined when the service has no public instance (Gitea). */
    defaultBaseUrl: string | undefined;
    /** Path of the API root below the base URL. */
    apiPath: string;
}

export const ENDPOINTS: Record<ServiceName, ServiceEndpoint> = {
    gitlab: { defaultBaseUrl: "https://gitlab.com", apiPath: "/api/v4" },
    gitea: { defaultBaseUrl: undefined, apiPath: "/api/v1" },
    codacy: { defaultBaseUrl: "https://app.codacy.com", apiPath: "/api/v3" },
    qovery: { defaultBaseUrl: "https://api.qovery.com", apiPath: "" },
};

/** envVarName's answers: every operation resolves its settings again, and the names never change. */
const envVarNames = new Map<string, string>();

/** Environment variable of a setting: `gitlab` + `baseUrl` → `GITLAB_BASE_URL`. */
export function envVarName(service: ServiceName, setting: string): string {
    const key = `${service}:${setting}`;
    let name = envVarNames.get(key);
    if (name === undefined) {
        name = `${service}_${setting.replace(/([a-z])([A-Z])/g, "$1_$2")}`.toUpperCase();
        envVarNames.set(key, name);
    }
    return name;
}

/**
 * Resolves one setting: the resource's `connection` input first, then stack config (`service:setting`),
 * then the environment (`SERVICE_SETTING`).
 */
export function resolveSetting(
    service: ServiceName,
    setting: string,
    connectionValue: string | undefined,
    config: StackConfig,
    env: NodeJS.ProcessEnv = process.env,
): string | undefined {
    const candidates = [connectionValue, config.get(`${service}:${setting}`), env[envVarName(service, setting)]];
    return candidates.find((value) => value !== undefined && value !== "");
}

/** Resolves a credential and fails with a message naming every place it may be set. */
export function requireSetting(
    service: ServiceName,
    setting: string,
    connectionValue: string | undefined,
    config: StackConfig,
    env: NodeJS.ProcessEnv = process.env,
): string {
    const value = resolveSetting(service, setting, connectionValue, config, env);
    if (value === undefined) {
        throw new ConfigurationError(missingSettingMessage(service, setting));
    }
    return value;
}

export function missingSettingMessage(service: ServiceName, setting: string): string {
    return (
        `Missing ${service} setting "${setting}": set it with \`pulumi config set --secret ${service}:${setting} <value>\`, ` +
        `or the environment variable ${envVarName(service, setting)}, or the resource's \`connection.${setting}\` input.`
    );
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

function isLoopback(hostname: string): boolean {
    return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Turns a base URL as users write it (`https://gitlab.example.com`, `…/api/v4/`) into the API root, and
 * refuses what would leak credentials: `http://` to a host other than loopback without an explicit opt-in.
 */
export function apiUrlFor(service: ServiceName, baseUrl: string | undefined, allowInsecureHttp = false): string {
    // Every operation resolves its instance again (a refresh of 1,000 tokens: 1,000 times); refusals are not kept.
    const key = JSON.stringify([service, baseUrl ?? null, allowInsecureHttp]);
    let apiUrl = apiUrls.get(key);
    if (apiUrl === undefined) {
        apiUrl = parseApiUrl(service, baseUrl, allowInsecureHttp);
        apiUrls.set(key, apiUrl);
    }
    return apiUrl;
}

/** apiUrlFor's accepted answers, by service, base URL and opt-in. */
const apiUrls = new Map<string, string>();

function parseApiUrl(service: ServiceName, baseUrl: string | undefined, allowInsecureHttp: boolean): string {
    const endpoint = ENDPOINTS[service];
    const raw = baseUrl ?? endpoint.defaultBaseUrl;
    if (raw === undefined) {
        throw new ConfigurationError(missingSettingMessage(service, "baseUrl"));
    }
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        throw new ConfigurationError(
            `Invalid ${service} baseUrl "${raw}": expected an absolute URL such as https://${service}.example.com.`,
        );
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
        throw new ConfigurationError(
            `Invalid ${service} baseUrl "${raw}": only https:// (or http:// on loopback) is supported.`,
        );
    }
    if (url.protocol === "http:" && !isLoopback(url.hostname) && !allowInsecureHttp) {
        throw new ConfigurationError(
            `Refusing ${service} baseUrl ${url.protocol}//${url.host}: plain http:// to a host other than loopback would send the credentials unencrypted. ` +
                `Use https://, or set ${service}:allowInsecureHttp=true (or connection.allowInsecureHttp) if you really mean it.`,
        );
    }
    if (url.username || url.password) {
        throw new ConfigurationError(
            `Invalid ${service} baseUrl: do not put credentials in the URL; use the credential settings.`,
        );
    }
    let path = url.pathname.replace(/\/+$/, "");
    if (endpoint.apiPath !== "" && !path.endsWith(endpoint.apiPath)) {
        path += endpoint.apiPath;
    }
    return `${url.protocol}//${url.host}${path}`;
}

/** Whether a boolean-ish setting is on ("true", "1", "yes"). */
export function isTruthy(value: string | boolean | undefined): boolean {
    if (typeof value === "boolean") {
        return value;
    }
    return value !== undefined && ["true", "1", "yes"].includes(value.trim().toLowerCase());
}

/** Common resolution of base URL, CA and the insecure opt-in for a service. */
export function resolveEndpoint(
    service: ServiceName,
    connection: ConnectionSettings | undefined,
    config: StackConfig,
    env: NodeJS.ProcessEnv = process.env,
): { apiUrl: string; caCertificate: string | undefined } {
    const allowInsecure = isTruthy(
        connection?.allowInsecureHttp ?? resolveSetting(service, "allowInsecureHttp", undefined, config, env),
    );
    const baseUrl = resolveSetting(service, "baseUrl", connection?.baseUrl, config, env);
    const caCertificate = resolveSetting(service, "caCertificate", connection?.caCertificate, config, env);
    if (caCertificate !== undefined && !isPemCertificate(caCertificate)) {
        throw new ConfigurationError(
            `Invalid ${service} caCertificate: expected PEM text (-----BEGIN CERTIFICATE----- …), not a path or a fingerprint. ` +
                `Set it with \`pulumi config set ${service}:caCertificate -- "$(cat ca.pem)"\`, or point NODE_EXTRA_CA_CERTS at the file.`,
        );
    }
    return { apiUrl: apiUrlFor(service, baseUrl, allowInsecure), caCertificate };
}

/** True for text holding at least one PEM certificate block. */
export function isPemCertificate(value: string): boolean {
    return /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(value);
}
