/** Replaces every occurrence of the given secret values in a text with a fixed marker. */
export function redact(text: string, secrets: Iterable<string | undefined>): string {
    let out = text;
    for (const secret of secrets) {
        // Very short values would redact ordinary words; credentials are never that short.
        if (secret && secret.length >= 6) {
            out = out.split(secret).join("[redacted]");
        }
    }
    return out;
}
