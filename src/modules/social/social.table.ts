import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
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

/** One exercise of a feed workout: what was done and how many sets were completed. */
export interface FeedWorkoutExercise {
  exerciseId: string;
  exerciseName: string;
  completedSets: number;
}

/** A personal record set during a feed workout. */
export interface FeedWorkoutRecord {
  exerciseId: string;
  exerciseName: string;
  kinds: string[];
}

/**
 * A member's workout as the feed shows it: their log entries of one local day, summarised.
 * Rewritten from that day's raw rows (workout_logs, workout_sets) in every transaction that
 * changes them (`workout-logs.changed`), so it always equals them; a day with no completed set
 * has no row. The row exists from the first set on; who may see it is decided when the feed is
 * read (the author's current privacy, follows and blocks), and when by `visible_from`.
 */
export const feedWorkouts = pgTable(
  'feed_workouts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    exercises: jsonb('exercises').$type<FeedWorkoutExercise[]>().notNull(),
    completedSets: integer('completed_sets').notNull(),
    /** Sum of weight × reps over the completed sets, in kg. */
    volumeKg: doublePrecision('volume_kg').notNull(),
    personalRecords: jsonb('personal_records').$type<FeedWorkoutRecord[]>().notNull(),
    /** The first and last entry's completion time. */
    startedAt: timestamp('started_at', { withTimezone: true, precision: 3 }).notNull(),
    lastEntryAt: timestamp('last_entry_at', { withTimezone: true, precision: 3 }).notNull(),
    /** When the member checked out of the gym after the last entry, if they did. */
    checkedOutAt: timestamp('checked_out_at', { withTimezone: true, precision: 3 }),
    /**
     * When the workout counts as completed and enters followers' feeds: the check-out after its
     * last entry, else the last entry plus the quiet period (see feed.repository.ts).
     */
    visibleFrom: timestamp('visible_from', { withTimezone: true, precision: 3 }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('feed_workouts_author_day_key').on(t.authorId, t.day),
    index('feed_workouts_author_visible_idx').on(t.authorId, t.visibleFrom, t.id),
  ],
);

export type SocialSettingsRow = typeof socialSettings.$inferSelect;
export type FollowRow = typeof follows.$inferSelect;
export type FeedWorkoutRow = typeof feedWorkouts.$inferSelect;
export type NewFeedWorkoutRow = typeof feedWorkouts.$inferInsert;
