// A service's catalogue is paged; this bounds one copy even if it never says "done".
const MAX_PAGES = 50;

/**
 * Copies a provider's paged catalogue (exercise library, food database) page by page into our
 * own table, following `nextCursor` until the end; returns how many entries were copied.
 */
export async function copyPagedCatalogue<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
  store: (items: T[]) => Promise<void>,
): Promise<number> {
  let cursor: string | undefined;
  let copied = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { items, nextCursor } = await fetchPage(cursor);
    await store(items);
    copied += items.length;
    if (!nextCursor) break;
    cursor = nextCursor;
  }
  return copied;
}
