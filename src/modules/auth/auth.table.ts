import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.js';

/**
 * One login = one family. Every refresh rotates the token inside its family; the family carries
 * the absolute lifetime and the revocation that reuse of a spent token triggers.
 */
export const refreshTokenFamilies = pgTable(
  'refresh_token_families',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    userAgent: text('user_agent'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, precision: 3 })
      .notNull()
      .defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, precision: 3 }),
    revokedReason: text('revoked_reason'),
    /**
     * When the session last proved every factor of the account (its sign-in, or
     * `POST /api/auth/reauthenticate`): sensitive actions need it within REAUTH_WINDOW_SECONDS.
     */
    reauthenticatedAt: timestamp('reauthenticated_at', { withTimezone: true, precision: 3 })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    index('refresh_families_user_idx').on(t.userId),
    // Rebuilding the revocation markers reads the families revoked within one access-token
    // lifetime; only revoked rows are indexed.
    index('refresh_families_revoked_idx')
      .on(t.revokedAt)
      .where(sql`revoked_at is not null`),
  ],
);

/** Refresh tokens are stored only as SHA-256 hashes: the database never holds a usable token. */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    familyId: uuid('family_id')
      .notNull()
      .references(() => refreshTokenFamilies.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
    spentAt: timestamp('spent_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('refresh_tokens_family_idx').on(t.familyId)],
);

/**
 * Access tokens ended by logout before they expire. Redis holds the markers the guard reads on
 * every request; this is the record they are rebuilt from when Redis loses them. A row is of
 * no use once its token has expired, and is swept then.
 */
export const revokedAccessTokens = pgTable(
  'revoked_access_tokens',
  {
    jti: uuid('jti').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('revoked_access_tokens_expires_idx').on(t.expiresAt)],
);

export type RefreshFamilyRow = typeof refreshTokenFamilies.$inferSelect;

/**
 * Failed-password counters of the login throttle, kept in the database so that an emptied or
 * restarted Redis cannot hand an attacker a fresh guessing budget. `key` is a SHA-256 of the
 * counter's name (`account:<id>`, `source:<id>:<ip>`, `ip:<ip>`, `device:<id>`, `reauth:<id>`),
 * so the table holds neither typed logins nor addresses.
 */
export const loginThrottles = pgTable(
  'login_throttles',
  {
    key: text('key').primaryKey(),
    failures: integer('failures').notNull().default(0),
    windowEndsAt: timestamp('window_ends_at', { withTimezone: true, precision: 3 }).notNull(),
    /** Lockouts in a row; each doubles the next one. */
    lockouts: integer('lockouts').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true, precision: 3 }),
    /** After this the row means nothing (the streak is forgotten) and may be deleted. */
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index('login_throttles_expires_idx').on(t.expiresAt)],
);

export type LoginThrottleRow = typeof loginThrottles.$inferSelect;
