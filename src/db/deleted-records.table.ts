import { index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../modules/users/users.table.js';

/** The kinds of member records phones sync both ways (`?updatedSince=`). */
export const syncedRecordKinds = ['workout-log', 'meal-log'] as const;
export type SyncedRecordKind = (typeof syncedRecordKinds)[number];

/**
 * Tombstones of deleted member records, so a phone syncing with `?updatedSince=` learns of
 * deletions too. Written in the deleting transaction; removed with the member.
 */
export const deletedRecords = pgTable(
  'deleted_records',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: syncedRecordKinds }).notNull(),
    recordId: uuid('record_id').notNull(),
    deletedAt: timestamp('deleted_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.recordId] }),
    index('deleted_records_user_kind_deleted_idx').on(t.userId, t.kind, t.deletedAt),
  ],
);

export type DeletedRecordRow = typeof deletedRecords.$inferSelect;
