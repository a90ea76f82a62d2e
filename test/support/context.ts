import type { StackConfig } from "../../provider/config";
import { expect } from "chai";
import type { PlainObject } from "../../provider/lifecycle";
import type { ProviderContext, TokenLifecycle } from "../../provider/types";

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

/** `check` (which must pass) then `create`, as the engine runs them: the id, the outputs and the checked inputs. */
export async function checkedCreate(
    lifecycle: TokenLifecycle,
    news: PlainObject,
    olds: PlainObject = {},
): Promise<{ id: string; outs: PlainObject; inputs: PlainObject }> {
    const checked = await lifecycle.check(olds, news);
    expect(checked.failures ?? []).to.deep.equal([]);
    const result = await lifecycle.create(checked.inputs as PlainObject);
    return { id: result.id, outs: result.outs as PlainObject, inputs: checked.inputs as PlainObject };
}
