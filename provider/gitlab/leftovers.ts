import { ApiError } from "../http";

/** What a create needs to leave no orphan behind (see createClearingLeftovers). */
export interface ClearingCreate<T> {
    /** False when the token carries no ownership mark: then nothing on the service can be proven ours. */
    marked: boolean;
    /** This resource's leftovers: active tokens with its mark, except the one being replaced. */
    leftovers: () => Promise<{ id: number }[]>;
    remove: (id: number) => Promise<void>;
    create: () => Promise<T>;
    /** "token", "trigger": for the messages. */
    noun: string;
    /** What to do by hand after a lost answer about an unmarked token. */
    unmarkedAdvice: string;
}

/**
 * Creates a token that carries this resource's ownership mark (GitLab deploy tokens in their name, trigger tokens
 * in their description). Leftovers of an interrupted or lost earlier attempt are deleted before the create (a
 * listing the service refuses is skipped: the create explains the missing role better), and after a lost answer
 * before the one retry; a second lost answer fails, saying how many it deleted. Nothing unmarked is touched.
 */
export async function createClearingLeftovers<T>(steps: ClearingCreate<T>): Promise<T> {
    const clear = async (): Promise<number> => {
        if (!steps.marked) {
            return 0;
        }
        const found = await steps.leftovers();
        for (const leftover of found) {
            await steps.remove(leftover.id);
        }
        return found.length;
    };
    try {
        await clear();
    } catch (e: unknown) {
        if (!(e instanceof ApiError) || e.ambiguous) {
            throw e;
        }
    }
    for (let attempt = 1; ; attempt++) {
        try {
            return await steps.create();
        } catch (e: unknown) {
            if (!(e instanceof ApiError) || !e.ambiguous) {
                throw e;
            }
            if (!steps.marked) {
                throw e.withOutcome(
                    `the ${steps.noun} carries no ownership mark, so what the request did cannot be told apart from others`,
                    steps.unmarkedAdvice,
                );
            }
            const deleted = await clear();
            if (attempt >= 2) {
                throw e.withOutcome(
                    `deleted ${deleted} ${steps.noun}(s) the lost requests created`,
                    `No ${steps.noun} was left behind. Run \`pulumi up\` again.`,
                );
            }
        }
    }
}
