import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.js';

/**
 * Who sees a member: `public` (anyone may follow), `followers` (follows are requests the member
 * approves), `private` (no followers, nothing shared, not on leaderboards).
 */
export const privacySettings = ['public', 'followers', 'private'] as const;
export type PrivacySetting = (typeof privacySettings)[number];

/** A member's sharing choices. No row means the defaults: public and on leaderboards. */
export const socialSettings = pgTable(
  'social_settings',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    privacy: text('privacy', { enum: privacySettings }).notNull().default('public'),
    /** False when the member opted out of leaderboards (private members never appear). */
    showOnLeaderboards: boolean('show_on_leaderboards').notNull().default(true),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    check('social_settings_privacy_check', sql`${t.privacy} in ('public', 'followers', 'private')`),
  ],
);

export const followStatuses = ['pending', 'accepted'] as const;
export type FollowStatus = (typeof followStatuses)[number];

/** `follower` follows `followee`; `pending` until a `followers`-only member approves it. */
export const follows = pgTable(
  'follows',
  {
    followerId: uuid('follower_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    followeeId: uuid('followee_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: text('status', { enum: followStatuses }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [
    primaryKey({ columns: [t.followerId, t.followeeId] }),
    index('follows_followee_status_idx').on(t.followeeId, t.status, t.createdAt),
    index('follows_follower_status_idx').on(t.followerId, t.status, t.createdAt),
    check('follows_not_self_check', sql`${t.followerId} <> ${t.followeeId}`),
    check('follows_status_check', sql`${t.status} in ('pending', 'accepted')`),
  ],
);

/** `blocker` blocked `blocked`: no follow either way, and each is hidden from the other. */
export const userBlocks = pgTable(
  'user_blocks',
  {
    blockerId: uuid('blocker_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    blockedId: uuid('blocked_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.blockerId, t.blockedId] }),
    index('user_blocks_blocked_idx').on(t.blockedId),
    check('user_blocks_not_self_check', sql`${t.blockerId} <> ${t.blockedId}`),
  ],
);
