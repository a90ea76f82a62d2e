/** Largest number of pages any listing follows, so a misbehaving server cannot keep us looping. */
export const MAX_PAGES = 1000;

/** Parses an RFC 8288 `Link` header into a map of rel → URL. */
export function parseLinkHeader(header: string | undefined): Record<string, string> {
    const links: Record<string, string> = {};
    if (!header) {
        return links;
    }
    for (const part of header.split(",")) {
        const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
        if (match?.[1] && match[2]) {
            for (const rel of match[2].split(/\s+/)) {
                links[rel] = match[1];
            }
        }
    }
    return links;
}

/**
 * Collects every item of a paginated listing. `fetchPage` gets the cursor of the page to fetch (undefined
 * for the first) and returns its items and the next cursor, if any.
 */
export async function collectPages<T, C>(
    fetchPage: (cursor: C | undefined) => Promise<{ items: T[]; next: C | undefined }>,
): Promise<T[]> {
    const all: T[] = [];
    let cursor: C | undefined;
    const seen = new Set<string>();
    for (let page = 0; page < MAX_PAGES; page++) {
        const { items, next } = await fetchPage(cursor);
        all.push(...items);
        if (next === undefined) {
            return all;
        }
        const key = JSON.stringify(next);
        if (seen.has(key)) {
            // A server that hands out the same cursor twice would loop forever.
            return all;
        }
        seen.add(key);
        cursor = next;
    }
    return all;
}
