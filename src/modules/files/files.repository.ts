import { and, eq, inArray, isNull, lt, notInArray, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { fileDeletions, files, type FilePurpose, type FileRow } from './files.table.js';

/** The files tables; the only place that queries them. */
export const filesRepository = {
  async insert(db: Database, row: typeof files.$inferInsert): Promise<FileRow> {
    const [inserted] = await db.insert(files).values(row).returning();
    if (!inserted) throw new Error('file row was not returned by its insert');
    return inserted;
  },

  async delete(db: Database, id: string): Promise<void> {
    await db.delete(files).where(eq(files.id, id));
  },

  async findOwned(
    db: Database,
    ownerId: string,
    id: string,
    purpose?: FilePurpose,
  ): Promise<FileRow | undefined> {
    const [row] = await db
      .select()
      .from(files)
      .where(
        and(
          eq(files.id, id),
          eq(files.ownerId, ownerId),
          purpose ? eq(files.purpose, purpose) : undefined,
        ),
      );
    return row;
  },

  /** A file the viewer may download: their own, or anyone's avatar. */
  async findVisible(db: Database, viewerId: string, id: string): Promise<FileRow | undefined> {
    const [row] = await db
      .select()
      .from(files)
      .where(and(eq(files.id, id), or(eq(files.ownerId, viewerId), eq(files.purpose, 'avatar'))));
    return row;
  },

  async markReferenced(db: Database, ownerId: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await db
      .update(files)
      .set({ referencedAt: sql`coalesce(${files.referencedAt}, now())` })
      .where(and(eq(files.ownerId, ownerId), inArray(files.id, ids)))
      .returning({ id: files.id });
    return rows.map((row) => row.id);
  },

  /**
   * Marks one file of the owner and purpose referenced, locking its row until the transaction
   * ends: the cleanup's delete then waits and sees the reference. False when there is none.
   */
  async claim(db: Database, ownerId: string, id: string, purpose: FilePurpose): Promise<boolean> {
    const rows = await db
      .update(files)
      .set({ referencedAt: sql`coalesce(${files.referencedAt}, now())` })
      .where(and(eq(files.id, id), eq(files.ownerId, ownerId), eq(files.purpose, purpose)))
      .returning({ id: files.id });
    return rows.length > 0;
  },

  /** Lets go of the owner's other files of a purpose (the avatars before the new one). */
  async releaseOthers(
    db: Database,
    ownerId: string,
    purpose: FilePurpose,
    keep: string[],
  ): Promise<void> {
    await db
      .update(files)
      .set({ referencedAt: null })
      .where(
        and(
          eq(files.ownerId, ownerId),
          eq(files.purpose, purpose),
          keep.length > 0 ? notInArray(files.id, keep) : undefined,
        ),
      );
  },

  /** Notes every object of the owner for deletion (their rows go with the account). */
  async noteOwnerObjectsForDeletion(db: Database, ownerId: string): Promise<void> {
    await db
      .insert(fileDeletions)
      .select(
        db
          .select({ storageKey: files.storageKey, createdAt: sql<Date>`now()`.as('created_at') })
          .from(files)
          .where(eq(files.ownerId, ownerId)),
      )
      .onConflictDoNothing();
  },

  /**
   * Deletes up to `limit` rows nothing referenced since before `cutoff` and notes their objects
   * for deletion, in the caller's transaction. Rows a concurrent claim holds are skipped.
   */
  async expireUnreferenced(db: Database, cutoff: Date, limit: number): Promise<number> {
    const expired = await db
      .delete(files)
      .where(
        inArray(
          files.id,
          db
            .select({ id: files.id })
            .from(files)
            .where(and(isNull(files.referencedAt), lt(files.createdAt, cutoff)))
            .orderBy(files.createdAt)
            .limit(limit)
            .for('update', { skipLocked: true }),
        ),
      )
      .returning({ storageKey: files.storageKey });
    const keys = expired.map((row) => ({ storageKey: row.storageKey }));
    if (keys.length > 0) await db.insert(fileDeletions).values(keys).onConflictDoNothing();
    return keys.length;
  },

  /**
   * Noted objects whose row is gone, oldest first (`prefix`: one owner's keys). Notes whose row
   * still exists belong to an account deletion that did not go through; see `dropStaleNotes`.
   */
  async pendingDeletions(db: Database, limit: number, prefix?: string): Promise<string[]> {
    const rows = await db
      .select({ storageKey: fileDeletions.storageKey })
      .from(fileDeletions)
      .where(
        and(
          prefix ? sql`starts_with(${fileDeletions.storageKey}, ${prefix})` : undefined,
          sql`not exists (select 1 from ${files} where ${files.storageKey} = ${fileDeletions.storageKey})`,
        ),
      )
      .orderBy(fileDeletions.createdAt)
      .limit(limit);
    return rows.map((row) => row.storageKey);
  },

  async forgetDeletions(db: Database, keys: string[]): Promise<void> {
    if (keys.length > 0) {
      await db.delete(fileDeletions).where(inArray(fileDeletions.storageKey, keys));
    }
  },

  /** Notes older than `before` whose file row still exists: the deletion was called off. */
  async dropStaleNotes(db: Database, before: Date): Promise<number> {
    const dropped = await db
      .delete(fileDeletions)
      .where(
        and(
          lt(fileDeletions.createdAt, before),
          sql`exists (select 1 from ${files} where ${files.storageKey} = ${fileDeletions.storageKey})`,
        ),
      )
      .returning({ storageKey: fileDeletions.storageKey });
    return dropped.length;
  },
};
