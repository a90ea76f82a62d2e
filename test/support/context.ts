import type { StackConfig } from "../../provider/config";
import type { ProviderContext } from "../../provider/types";

/** A provider context with the given stack config, an empty environment, an optional clock and a log sink. */
export function contextWith(
    config: Record<string, string | undefined>,
    now?: () => Date,
    log: string[] = [],
): ProviderContext {
    const stackConfig: StackConfig = { get: (key) => config[key] };
    return { config: stackConfig, env: {}, now: now ?? (() => new Date()), log: (message) => log.push(message) };
}

/** Runs `fn` and returns what it threw; fails the test when it does not throw. */
export async function caught(fn: () => Promise<unknown>): Promise<Error> {
    try {
        await fn();
    } catch (e: unknown) {
        return e as Error;
    }
    throw new Error("expected an error, got none");
}
