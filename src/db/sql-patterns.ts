/**
 * An ILIKE pattern matching `text` anywhere, with LIKE's wildcards escaped so that a search
 * for "50%" or "a_b" means those characters.
 */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
