import { asc, desc, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { encodeCursor, type Cursor } from '../lib/http/cursor.js';

/** A page of a list as every list endpoint answers it. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** What a list endpoint asks for: how many, and where the previous page ended. */
export interface PageRequest<K extends Date | string = Date> {
  limit: number;
  cursor?: Cursor<K> | undefined;
}

/** A table whose rows have a UUID `id`, the tiebreak of every keyset order. */
type KeysetTable = PgTable & { id: PgColumn };
type RowOf<T extends KeysetTable> = T['$inferSelect'];

/** The row fields a list can be ordered by: timestamps and names that are never null. */
export type SortKey<T extends KeysetTable> = {
  [F in keyof RowOf<T>]: RowOf<T>[F] extends Date | string ? F : never;
}[keyof RowOf<T>] &
  string;

export interface KeysetPage<Row> {
  /** The rows after the cursor; undefined on the first page. */
  where: SQL | undefined;
  orderBy: SQL[];
  /** One row more than asked for, so `toPage` knows whether another page follows. */
  limit: number;
  toPage(rows: Row[]): Page<Row>;
  /** Orders and limits a select of the table's rows (already filtered), and builds the page. */
  fetch(query: OrderableSelect<Row>): Promise<Page<Row>>;
}

/** A Drizzle select not yet ordered or limited, as `fetch` needs it. */
interface OrderableSelect<Row> {
  orderBy(...order: SQL[]): { limit(count: number): PromiseLike<Row[]> };
}

/**
 * Keyset pagination over `table` ordered by (`by`, id), the one way every list pages.
 * Timestamps compare as they are. Names compare by `lower(name)`, then id: the one collation
 * rule of alphabetical lists (case-insensitive, in the database's collation); the cursor keeps
 * the name as stored and is lowered by the same SQL, so page boundaries match the order exactly.
 */
export function keysetPage<T extends KeysetTable, F extends SortKey<T>>(
  table: T,
  order: { by: F; direction: 'asc' | 'desc' },
  page: PageRequest<Extract<RowOf<T>[F], Date | string>>,
): KeysetPage<RowOf<T>> {
  // Widened only to index by name; `F` already guarantees the column exists.
  const column = (getTableColumns(table) as Record<string, PgColumn>)[order.by];
  if (!column) throw new Error(`no column ${order.by} to order by`);
  const byName = column.dataType === 'string';
  const key = byName ? sql`lower(${column})` : sql`${column}`;
  const direction = order.direction === 'asc' ? asc : desc;
  const after = order.direction === 'asc' ? sql`>` : sql`<`;

  let where: SQL | undefined;
  if (page.cursor) {
    const { at, id } = page.cursor;
    const cursorKey =
      at instanceof Date ? sql`${at.toISOString()}::timestamptz` : sql`lower(${at})`;
    where = sql`(${key}, ${table.id}) ${after} (${cursorKey}, ${id}::uuid)`;
  }

  const orderBy = [direction(key), direction(table.id)];
  const limit = page.limit + 1;
  return {
    where,
    orderBy,
    limit,
    async fetch(query) {
      return this.toPage(await query.orderBy(...orderBy).limit(limit));
    },
    toPage(rows) {
      const hasMore = rows.length > page.limit;
      const items = hasMore ? rows.slice(0, page.limit) : rows;
      const last: Record<string, unknown> | undefined = items.at(-1);
      return {
        items,
        nextCursor:
          hasMore && last
            ? encodeCursor({ at: last[order.by] as Date | string, id: last.id as string })
            : null,
      };
    },
  };
}

/** The same page with each item presented for the client. */
export function mapPage<T, R>(page: Page<T>, present: (item: T) => R): Page<R> {
  return { items: page.items.map(present), nextCursor: page.nextCursor };
}
