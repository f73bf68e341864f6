// A service's catalogue is paged; this bounds one copy even if it never says "done".
const MAX_PAGES = 50;
const PAGE_SIZE = 100;

/** One page of a provider's catalogue, as `copyPagedCatalogue` asks for it. */
export interface CataloguePage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Copies a provider's paged catalogue (exercise library, food database) page by page into our
 * own table, following `nextCursor` until the end; returns how many entries were copied.
 */
export async function copyPagedCatalogue<T>(catalogue: {
  fetchPage(page: { limit: number; cursor?: string }): Promise<CataloguePage<T>>;
  store(items: T[]): Promise<void>;
}): Promise<number> {
  let cursor: string | undefined;
  let copied = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { items, nextCursor } = await catalogue.fetchPage({ limit: PAGE_SIZE, cursor });
    await catalogue.store(items);
    copied += items.length;
    if (!nextCursor) break;
    cursor = nextCursor;
  }
  return copied;
}
