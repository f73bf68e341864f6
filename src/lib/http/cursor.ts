import { z } from '../zod.js';

/**
 * Position after the last item of a page, for keyset pagination ordered by (key, id): the key
 * is a timestamp for time-ordered lists or a name for alphabetical ones.
 */
export interface Cursor<K extends Date | string = Date> {
  at: K;
  id: string;
}

// Exactly what encodeCursor writes, so a forged cursor fails validation and never reaches SQL.
const timeKey = z.iso.datetime().refine((value) => {
  const year = new Date(value).getUTCFullYear();
  return year >= 1900 && year <= 9999;
});
// Names reach 403 characters (a service food's name and brand); 1,000 leaves room.
const nameKey = z.string().max(1000);

/** The opaque `nextCursor` string for a position. */
export function encodeCursor(cursor: Cursor<Date | string>): string {
  const key = cursor.at instanceof Date ? cursor.at.toISOString() : cursor.at;
  return Buffer.from(JSON.stringify([key, cursor.id])).toString('base64url');
}

function decodeTuple<T>(raw: string, tuple: z.ZodType<T>): T | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    const cursor = tuple.safeParse(parsed);
    return cursor.success ? cursor.data : undefined;
  } catch {
    return undefined;
  }
}

const decode = (raw: string, key: z.ZodType<string>) => decodeTuple(raw, z.tuple([key, z.uuid()]));

/**
 * A `?cursor=` parameter that the query schema itself decodes: services receive the typed
 * position, and anything this API did not issue is a 400 at `query.cursor`.
 */
function cursorParameter<K extends Date | string>(
  key: z.ZodType<string>,
  toKey: (at: string) => K,
  maxLength: number,
) {
  return (
    z
      .string()
      .max(maxLength)
      .transform((raw, context): Cursor<K> => {
        const decoded = decode(raw, key);
        if (!decoded) {
          context.addIssue({ code: 'custom', message: 'invalid cursor' });
          return z.NEVER;
        }
        return { at: toKey(decoded[0]), id: decoded[1] };
      })
      // Documented as what a client sends: the opaque string, not the decoded position.
      .openapi({ type: 'string', maxLength })
  );
}

/** `?cursor=` of a list ordered by time (newest or oldest first). */
export const timeCursor = cursorParameter(timeKey, (at) => new Date(at), 200);

/**
 * `?cursor=` of a list ordered by name. It carries the name, which in UTF-8 and JSON escapes can
 * take several bytes a character, so it may be far longer than a time cursor.
 */
export const nameCursor = cursorParameter(nameKey, (at) => at, 8192);

/**
 * How far back each two-way sync (`?updatedSince=`) reaches before the time it is given. A
 * change is stamped when its transaction writes it and becomes visible when it commits, so a row
 * can turn up with a time before a cursor handed out meanwhile; re-reading this much before the
 * cursor catches every transaction shorter than it. Clients apply changes by id (upsert,
 * delete-if-present), so what they get twice is harmless.
 */
export const SYNC_OVERLAP_SECONDS = 300;

/**
 * Position in a two-way sync's change stream (ordered by change time, then id), with the
 * database time at which that sync's first page was read: the next sync starts from there.
 */
export interface SyncCursor extends Cursor {
  asOf: Date;
}

/** The opaque `nextCursor` string of a sync page. */
export function encodeSyncCursor(cursor: SyncCursor): string {
  return Buffer.from(
    JSON.stringify([cursor.at.toISOString(), cursor.id, cursor.asOf.toISOString()]),
  ).toString('base64url');
}

/** A sync page's `?cursor=`, decoded; undefined for anything `encodeSyncCursor` did not write. */
export function decodeSyncCursor(raw: string): SyncCursor | undefined {
  const decoded = decodeTuple(raw, z.tuple([timeKey, z.uuid(), timeKey]));
  return decoded && { at: new Date(decoded[0]), id: decoded[1], asOf: new Date(decoded[2]) };
}
