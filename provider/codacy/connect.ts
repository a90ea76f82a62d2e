import { envVarName, resolveSetting, type StackConfig } from "../config";
import { type ApiLimits, type HttpClientOptions, parseApiLimits } from "../http";
import { clientSettingsFor } from "../instance";
import { CodacyClient } from "./client";
import type { CodacyConnection } from "./inputs";

/**
 * Throttling of Codacy requests: `codacy:maxConcurrency` / `CODACY_MAX_CONCURRENCY` (default 4 in flight)
 * and `codacy:maxRequestsPerSecond` / `CODACY_MAX_REQUESTS_PER_SECOND` (default: no pace, 429s are honoured).
 */
export function codacyLimits(config: StackConfig, env: NodeJS.ProcessEnv = process.env): ApiLimits {
    const settings = { maxConcurrency: "maxConcurrency", requestsPerSecond: "maxRequestsPerSecond" } as const;
    return parseApiLimits(
        {
            maxConcurrency: resolveSetting("codacy", settings.maxConcurrency, undefined, config, env),
            requestsPerSecond: resolveSetting("codacy", settings.requestsPerSecond, undefined, config, env),
        },
        (setting) => `codacy:${settings[setting]} (or ${envVarName("codacy", settings[setting])})`,
    );
}

/**
 * A Codacy client from a `connection` input, stack config and the environment, in that order: used by the
 * resource lifecycle (config from the provider's `configure`) and by the program-time look-ups (config from
 * `pulumi.Config("codacy")`).
 */
export function codacyClientFrom(
    connection: CodacyConnection | undefined,
    config: StackConfig,
    env: NodeJS.ProcessEnv = process.env,
    http: Pick<HttpClientOptions, "timeoutMs" | "retry"> = {},
): CodacyClient {
    return new CodacyClient({
        ...clientSettingsFor("codacy", connection, { config, env, http }),
        limits: codacyLimits(config, env),
    });
}
