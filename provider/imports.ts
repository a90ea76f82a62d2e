import { InputValidationError } from "./http";

/**
 * `pulumi import` ids: each kind documents one form (README, "pulumi import"). A malformed id is refused before
 * any request, naming the form; a token the service does not hold is refused likewise, never read as "nothing".
 */

/** The capture groups of `id` matched against its kind's `pattern`, or an error naming the expected `form`. */
export function importIdParts(label: string, id: string, pattern: RegExp, form: string): (string | undefined)[] {
    const match = pattern.exec(id);
    if (!match) {
        throw new InputValidationError(`${label} import id must be ${form}, got ${JSON.stringify(id)}`, []);
    }
    return match.slice(1);
}

/** The service holds no (live) token under this import id. */
export function importNotFound(label: string, id: string, where: string): InputValidationError {
    return new InputValidationError(`${label} ${id}: ${where}; nothing was imported`, []);
}

/** The note for a token whose value the service never shows again: `token` stays empty until the next rotation. */
export function valueNotShownNote(label: string, service: string): string {
    return `${label}: ${service} never shows a token's value again, so \`token\` stays empty until the token is next rotated (change \`rotationTrigger\` to rotate it now).`;
}
