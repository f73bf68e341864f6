import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.js';

/** What a stored file is for; decides its pipeline, its visibility and who may reference it. */
export const filePurposes = ['meal-image', 'avatar', 'scan-data', 'scan-model'] as const;
export type FilePurpose = (typeof filePurposes)[number];

/**
 * One stored object (local disk or S3) and its owner. The bytes live under `storage_key` in the
 * configured storage; this row is what access checks, cleanup and the API read. A file nothing
 * references (`referenced_at` null) is an upload still waiting for its meal, profile or scan:
 * the cleanup job removes those older than a day.
 */
export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: filePurposes }).notNull(),
    /** Where the bytes are in the storage backend; never shown to clients. */
    storageKey: text('storage_key').notNull().unique(),
    contentType: text('content_type').notNull(),
    byteSize: integer('byte_size').notNull(),
    /** Hex SHA-256 of the stored bytes (after re-encoding). */
    sha256: text('sha256').notNull(),
    width: integer('width'),
    height: integer('height'),
    /** When something (a meal log, the profile, a scan) started pointing at the file. */
    referencedAt: timestamp('referenced_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('files_owner_created_idx').on(t.ownerId, t.createdAt),
    index('files_unreferenced_idx')
      .on(t.createdAt)
      .where(sql`${t.referencedAt} is null`),
    check('files_byte_size_check', sql`${t.byteSize} >= 0`),
  ],
);

export type FileRow = typeof files.$inferSelect;

/**
 * Objects to remove from storage: written in the same transaction that deletes their `files`
 * rows (cleanup of abandoned uploads), or just before an account's rows go (account deletion).
 * A crash between the row and the object leaves this note, so the next cleanup run finishes the
 * job; nothing in storage outlives both its row and its note.
 */
export const fileDeletions = pgTable('file_deletions', {
  storageKey: text('storage_key').primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
