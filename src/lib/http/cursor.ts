import { validationError } from '../errors.js';
import { z } from '../zod.js';

// Exactly what encodeCursor writes, so a forged cursor fails here and never reaches SQL.
const cursorSchema = z.tuple([
  z.iso.datetime().refine((value) => {
    const year = new Date(value).getUTCFullYear();
    return year >= 1900 && year <= 9999;
  }),
  z.uuid(),
]);

/** Position after the last item of a page, for keyset pagination ordered by (time, id). */
export interface Cursor {
  at: Date;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.at.toISOString(), cursor.id])).toString('base64url');
}

/** Decodes a client's `?cursor=`; anything we did not issue is a 400, never a query error. */
export function decodeCursor(raw: string | undefined): Cursor | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    const cursor = cursorSchema.safeParse(parsed);
    if (cursor.success) return { at: new Date(cursor.data[0]), id: cursor.data[1] };
  } catch {
    // fall through to the validation error below
  }
  throw validationError('The cursor is not one this API issued.', [
    { path: 'query.cursor', message: 'invalid cursor' },
  ]);
}

/** Builds `{ items, nextCursor }` from a page fetched with one extra row. */
export function toPage<T, R>(
  rows: T[],
  limit: number,
  position: (row: T) => Cursor,
  present: (row: T) => R,
): { items: R[]; nextCursor: string | null } {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(present),
    nextCursor: hasMore && last ? encodeCursor(position(last)) : null,
  };
}
