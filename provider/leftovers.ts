import { ApiError } from "./http";
import { unmarkedLostAnswer } from "./ownership";

/** What a create needs to leave no orphan behind (see createClearingLeftovers). */
export interface ClearingCreate<T, Id extends string | number> {
    /** False when the token carries no ownership mark: then nothing on the service can be proven ours. */
    marked: boolean;
    /** This resource's leftovers: tokens with its mark, except the one being replaced. */
    leftovers: () => Promise<{ id: Id }[]>;
    remove: (id: Id) => Promise<void>;
    create: () => Promise<T>;
    /** "token", "trigger", "API token": for the messages. */
    noun: string;
    /** What to do by hand after a lost answer about an unmarked token (see unmarkedLostAnswer). */
    unmarkedAdvice: string;
    /**
     * When the service refuses the leftover listing before the create, create anyway: the create's own refusal
     * names the missing role better (GitLab). Otherwise the refusal fails the create.
     */
    createWhenListingRefused?: boolean;
}

/**
 * Creates a token that carries this resource's ownership mark (GitLab deploy tokens in their name, trigger tokens
 * and Qovery API tokens in their description). Leftovers of an interrupted or lost earlier attempt are deleted
 * before the create, and after a lost answer before the one retry; a second lost answer fails, saying how many it
 * deleted. Nothing unmarked is touched.
 */
export async function createClearingLeftovers<T, Id extends string | number>(steps: ClearingCreate<T, Id>): Promise<T> {
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
        if (!steps.createWhenListingRefused || !(e instanceof ApiError) || e.ambiguous) {
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
                throw unmarkedLostAnswer(e, steps.noun, steps.unmarkedAdvice);
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
