import { validationError } from '../errors.js';
import { z } from '../zod.js';

/**
 * Position after the last item of a page, for keyset pagination ordered by (key, id): the key
 * is a timestamp for time-ordered lists or a text (e.g. a name) for alphabetical ones.
 */
export interface Cursor<K extends Date | string = Date> {
  at: K;
  id: string;
}

// Exactly what encodeCursor writes, so a forged cursor fails here and never reaches SQL.
const timeKey = z.iso.datetime().refine((value) => {
  const year = new Date(value).getUTCFullYear();
  return year >= 1900 && year <= 9999;
});
const textKey = z.string().max(300);

export function encodeCursor(cursor: Cursor<Date | string>): string {
  const key = cursor.at instanceof Date ? cursor.at.toISOString() : cursor.at;
  return Buffer.from(JSON.stringify([key, cursor.id])).toString('base64url');
}

function decode<K extends z.ZodType<string>>(raw: string, key: K): [z.infer<K>, string] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    const cursor = z.tuple([key, z.uuid()]).safeParse(parsed);
    if (cursor.success) return cursor.data;
  } catch {
    // fall through to the validation error below
  }
  throw validationError('The cursor is not one this API issued.', [
    { path: 'query.cursor', message: 'invalid cursor' },
  ]);
}

/** Decodes a time-ordered list's `?cursor=`; anything we did not issue is a 400. */
export function decodeCursor(raw: string | undefined): Cursor | undefined {
  if (raw === undefined) return undefined;
  const [at, id] = decode(raw, timeKey);
  return { at: new Date(at), id };
}

/** Decodes an alphabetical list's `?cursor=`; anything we did not issue is a 400. */
export function decodeTextCursor(raw: string | undefined): Cursor<string> | undefined {
  if (raw === undefined) return undefined;
  const [at, id] = decode(raw, textKey);
  return { at, id };
}

/** Builds `{ items, nextCursor }` from a page fetched with one extra row. */
export function toPage<T, R>(
  rows: T[],
  limit: number,
  position: (row: T) => Cursor<Date | string>,
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
