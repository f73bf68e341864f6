import { sql } from 'drizzle-orm';
import {
  bigint,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.js';

export const accountTokenPurposes = ['verify-email', 'password-reset'] as const;
export type AccountTokenPurpose = (typeof accountTokenPurposes)[number];

/**
 * Single-use tokens sent by email: address verification and password reset. Only a SHA-256 of
 * the token is stored (the token itself exists only in the message), so the table yields no
 * usable link. One live token per account and purpose: issuing a new one deletes the older.
 */
export const accountTokens = pgTable(
  'account_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: accountTokenPurposes }).notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    /** The address the message went to: for verification, the address the token proves. */
    email: text('email').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('account_tokens_user_purpose_idx').on(t.userId, t.purpose)],
);
export type AccountTokenRow = typeof accountTokens.$inferSelect;

export const mailKinds = [
  'verify-email',
  'password-reset',
  'password-changed',
  'email-change-requested',
  'email-changed',
  'two-factor-enabled',
  'two-factor-disabled',
] as const;
export type MailKind = (typeof mailKinds)[number];

/**
 * Messages an action asked for, written in the action's own transaction (so none is lost or
 * sent for a change that rolled back) and handed to delivery jobs by the dispatcher. A row
 * holds no token: links are made by the delivery job, which stores only their hashes. The row
 * is deleted once the message is delivered.
 */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: mailKinds }).notNull(),
    /** Null for a reset request by address, resolved (or not) by the delivery job. */
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    recipient: text('recipient').notNull(),
    data: jsonb('data').$type<Record<string, string>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    dispatchedAt: timestamp('dispatched_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [
    index('mail_outbox_pending_idx')
      .on(t.createdAt)
      .where(sql`dispatched_at is null`),
  ],
);
export type MailOutboxRow = typeof mailOutbox.$inferSelect;

/**
 * A TOTP (RFC 6238) authenticator of an account. The seed is sealed with AES-256-GCM under
 * the data encryption key (`v1:<keyId>:…`); `lastUsedStep` is the time step of the last code
 * accepted, so a code is never accepted twice.
 */
export const totpCredentials = pgTable('totp_credentials', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secretSealed: text('secret_sealed').notNull(),
  /** Null while enrolment waits for its first code. */
  confirmedAt: timestamp('confirmed_at', { withTimezone: true, precision: 3 }),
  lastUsedStep: bigint('last_used_step', { mode: 'number' }),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
export type TotpCredentialRow = typeof totpCredentials.$inferSelect;

/** Single-use recovery codes (SHA-256 of 80 random bits each), replaced as a set. */
export const mfaRecoveryCodes = pgTable(
  'mfa_recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [uniqueIndex('mfa_recovery_codes_user_code_key').on(t.userId, t.codeHash)],
);
