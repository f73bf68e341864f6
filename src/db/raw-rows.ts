import type { SQL } from 'drizzle-orm';
import type { Database } from './database.js';

/**
 * The rows of a hand-written statement, for queries the builder cannot express (series of
 * hours, lateral joins). Both drivers answer `execute` with `{ rows }`; the row type is the
 * caller's promise about its own select list, so cast and alias every column there.
 */
export async function rowsOf<Row extends object>(db: Database, query: SQL): Promise<Row[]> {
  const result: unknown = await db.execute(query);
  if (typeof result !== 'object' || result === null || !('rows' in result)) {
    throw new Error('the driver answered execute() without rows');
  }
  const { rows } = result;
  if (!Array.isArray(rows)) throw new Error('the driver answered execute() without rows');
  return rows as Row[];
}
