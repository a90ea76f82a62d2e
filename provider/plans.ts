// What a `diff` decides and why: the replace/update plan with its reasons, and when a rotation is due.
import { isCalendarDate, sameValue, todayUtc, UNKNOWN } from "./lifecycle";
import type { RotationSettings } from "./inputs";

/** Collects why a diff replaces or updates, so each change carries its reason. */
export class DiffPlan {
    readonly replaces: string[] = [];
    readonly updates: string[] = [];
    readonly reasons: string[] = [];

    replace(property: string, reason: string): void {
        if (!this.replaces.includes(property)) {
            this.replaces.push(property);
        }
        this.reasons.push(`replace ${property}: ${reason}`);
    }

    update(property: string, reason: string): void {
        if (!this.updates.includes(property)) {
            this.updates.push(property);
        }
        this.reasons.push(`update ${property}: ${reason}`);
    }

    /** Compares an input; unknown (preview) counts as a change. */
    compare(property: string, oldValue: unknown, newValue: unknown, kind: "replace" | "update"): void {
        if (newValue === UNKNOWN || !sameValue(oldValue, newValue)) {
            const reason = newValue === UNKNOWN ? "the new value is not known yet" : "the value changed";
            if (kind === "replace") {
                this.replace(property, reason);
            } else {
                this.update(property, reason);
            }
        }
    }

    /** One line saying what the diff will do and why, for the user; undefined when nothing changes. */
    explain(resource: string): string | undefined {
        if (this.reasons.length === 0) {
            return undefined;
        }
        const action = this.replaces.length > 0 ? "replace" : "update";
        return `${resource}: ${action} (${this.reasons.join("; ")})`;
    }

    /** Logs the explanation (if any) and returns the engine's diff result. */
    report(
        log: (message: string) => void,
        resource: string,
        deleteBeforeReplace = false,
    ): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
        const line = this.explain(resource);
        if (line) {
            log(line);
        }
        return this.result(deleteBeforeReplace);
    }

    result(deleteBeforeReplace = false): {
        changes: boolean;
        replaces: string[];
        deleteBeforeReplace: boolean;
    } {
        return {
            changes: this.replaces.length > 0 || this.updates.length > 0,
            replaces: this.replaces,
            deleteBeforeReplace: this.replaces.length > 0 && deleteBeforeReplace,
        };
    }
}

/**
 * Decides whether a token is due for rotation: its granted expiry falls within `rotateBeforeDays` of today.
 * Returns the reason, or undefined when not due. Computed from stored state and today's UTC date only, so a
 * preview and the `up` that follows on the same day agree.
 */
export function rotationDue(
    rotation: RotationSettings | undefined,
    grantedExpiresAt: string | undefined | null,
    today: string = todayUtc(),
): string | undefined {
    if (!rotation || !grantedExpiresAt || !isCalendarDate(grantedExpiresAt)) {
        return undefined;
    }
    const before = rotation.rotateBeforeDays ?? defaultRotateBeforeDays(rotation);
    const limit = new Date(`${today}T00:00:00Z`);
    limit.setUTCDate(limit.getUTCDate() + before);
    if (grantedExpiresAt <= limit.toISOString().slice(0, 10)) {
        return `expires ${grantedExpiresAt}, within rotateBeforeDays=${before} of ${today}`;
    }
    return undefined;
}

/** Without an explicit window, rotate when a tenth of the lifetime (at least one day) is left. */
export function defaultRotateBeforeDays(rotation: RotationSettings): number {
    return Math.max(1, Math.floor((rotation.expiresInDays ?? 30) / 10));
}
