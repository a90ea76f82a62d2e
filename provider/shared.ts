import { z } from "zod";
import { isPemCertificate } from "./config";
import { ApiError } from "./http/errors";
import { isCalendarDate, listOf, type PlainObject, sameValue, todayUtc, UNKNOWN } from "./lifecycle";

export const ROTATION_STRATEGIES = ["overlap", "rotate"] as const;
export type RotationStrategy = (typeof ROTATION_STRATEGIES)[number];

/** `rotation` input: when and how a token is replaced before it lapses. */
export const rotationSchema = z
    .strictObject({
        expiresInDays: z
            .number({ error: "expiresInDays must be a whole number of days (1 to 3650)" })
            .int()
            .min(1, "expiresInDays must be at least 1")
            .max(3650, "expiresInDays must be at most 3650")
            .optional(),
        rotateBeforeDays: z
            .number({ error: "rotateBeforeDays must be a whole number of days (0 or more)" })
            .int()
            .min(0, "rotateBeforeDays must be 0 or more")
            .optional(),
        strategy: z
            .enum(ROTATION_STRATEGIES, { error: `strategy must be one of: ${listOf(ROTATION_STRATEGIES)}` })
            .optional(),
    })
    .refine(
        (rotation) =>
            rotation.expiresInDays === undefined ||
            rotation.rotateBeforeDays === undefined ||
            rotation.rotateBeforeDays < rotation.expiresInDays,
        {
            // Otherwise every new token would be due at once and each `up` would rotate again.
            message: "rotateBeforeDays must be smaller than expiresInDays",
            path: ["rotateBeforeDays"],
        },
    );
export type RotationSettings = z.infer<typeof rotationSchema>;

/** `rotation` for services without a rotate API: only the `overlap` strategy. */
export function overlapOnlyRotationSchema(service: string) {
    return rotationSchema.refine((rotation) => rotation.strategy !== "rotate", {
        message: `strategy "rotate" needs a rotate API, which ${service} does not have: use "overlap" (the default)`,
        path: ["strategy"],
    });
}

/** A non-empty, trimmed display name of at most `max` characters. */
export function nameSchema(max: number) {
    return z
        .string({ error: "name must be a string" })
        .trim()
        .min(1, "name must not be empty")
        .max(max, `name must be at most ${max} characters`);
}

/** A YYYY-MM-DD date after today (UTC). */
export function futureDateSchema(field: string) {
    return z.string({ error: `${field} must be a date written YYYY-MM-DD` }).superRefine((value, ctx) => {
        if (!isCalendarDate(value)) {
            ctx.addIssue({ code: "custom", message: `${field} must be a date written YYYY-MM-DD, got "${value}"` });
        } else if (value <= todayUtc()) {
            ctx.addIssue({
                code: "custom",
                message:
                    `${field} ${value} is not in the future (today is ${todayUtc()} UTC): ` +
                    "move the date forward, or drop it and use `rotation` to renew the token automatically",
            });
        }
    });
}

/** Base URL, CA bundle and insecure opt-in, common to every `connection` input. */
export const connectionBaseShape = {
    baseUrl: z.url({ error: "baseUrl must be an absolute URL such as https://host.example.com" }).optional(),
    caCertificate: z
        .string({ error: "caCertificate must be PEM text (-----BEGIN CERTIFICATE----- …)" })
        .refine(
            isPemCertificate,
            "caCertificate must be PEM text (-----BEGIN CERTIFICATE----- …), not a path or a fingerprint",
        )
        .optional(),
    allowInsecureHttp: z.boolean().optional(),
};

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

/** Removes keys whose value is undefined, so state holds no `undefined` holes. */
export function compact<T extends PlainObject>(value: T): T {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Reads a token through a listing of its parent (Gitea, Codacy have no read of one token). A listing that
 * answers without the token says the token is gone; a listing that answers 404 speaks about the parent (or a
 * wrong base URL, a renamed repository), not the token, so it never drops the token from the state: it fails,
 * saying so and what to do.
 */
export async function listingForRead<T>(list: () => Promise<T>, parent: string, tokenId: string): Promise<T> {
    try {
        return await list();
    } catch (e: unknown) {
        if (!(e instanceof ApiError) || !e.isNotFound) {
            throw e;
        }
        throw new ApiError({
            service: e.service,
            operation: e.operation,
            method: e.method,
            path: e.path,
            status: e.status,
            serviceMessage: `${e.serviceMessage ? `${e.serviceMessage}; ` : ""}a 404 from the token list of ${parent} does not prove token ${tokenId} gone, so the state keeps it`,
            hint: `Check the base URL and ${parent}. If ${parent} was deleted on purpose, remove the resource from the program and run \`pulumi up\` (its own delete answering 404 counts as gone), or \`pulumi state delete\` it.`,
        });
    }
}
