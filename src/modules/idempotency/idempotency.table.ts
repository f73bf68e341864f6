import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.js';

export const idempotencyStates = ['pending', 'done'] as const;
export type IdempotencyState = (typeof idempotencyStates)[number];

/**
 * One row per `Idempotency-Key` a caller used: claimed as `pending` before the request runs,
 * then `done` with the response that went out. Kept here rather than in Redis, which is only a
 * cache: a replay must not run the request again because the cache came back empty.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    /** The caller: a user id, or `ip-<address>` for a request without a user. */
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    // The user's keys (and the responses they hold) go with the account.
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    state: text('state', { enum: idempotencyStates }).notNull(),
    /** Which attempt holds a pending claim, so a stale attempt cannot complete a newer one. */
    claimId: uuid('claim_id').notNull(),
    /** SHA-256 of method, path and body: the same key with another request is refused. */
    fingerprint: text('fingerprint').notNull(),
    status: integer('status'),
    contentType: text('content_type'),
    body: text('body'),
    /** A pending claim older than this is an attempt that died; the key may run again. */
    lockedUntil: timestamp('locked_until', { withTimezone: true, precision: 3 }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.key] }),
    index('idempotency_keys_expires_at_idx').on(t.expiresAt),
    index('idempotency_keys_user_id_idx').on(t.userId),
    check('idempotency_keys_state_check', sql`${t.state} in ('pending', 'done')`),
    check(
      'idempotency_keys_done_status_check',
      sql`${t.state} = 'pending' or ${t.status} is not null`,
    ),
  ],
);

export type IdempotencyKeyRow = typeof idempotencyKeys.$inferSelect;
