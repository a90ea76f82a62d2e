// Input schemas every service shares: rotation settings, names, dates and the base of each `connection`.
import { z } from "zod";
import { isPemCertificate } from "./config";
import { isCalendarDate, listOf, todayUtc } from "./lifecycle";

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
