import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.js';
import { pointPeriods } from './point-periods.js';

/** The named point rules (documented with their amounts and caps in point-rules.ts). */
export const pointRuleNames = [
  'completed-set',
  'logged-meal',
  'gym-visit',
  'daily-goal',
  'achievement',
] as const;
export type PointRuleName = (typeof pointRuleNames)[number];

/** What earned a ledger row: a log entry, a meal, a gym session, a whole day, an achievement. */
export const pointSourceKinds = [
  'workout-log',
  'meal-log',
  'gym-session',
  'day',
  'achievement',
] as const;
export type PointSourceKind = (typeof pointSourceKinds)[number];

/**
 * Every change to a member's points, as a row: awards are positive, reversals negative. A
 * member's `users.total_points` is the sum of their rows, kept in step in the same transaction.
 * Rows are never updated or deleted (except with the member): an edit that makes a source worth
 * less writes a negative row that points at the award it takes back from (`reverses_id`).
 */
export const pointsLedger = pgTable(
  'points_ledger',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    rule: text('rule', { enum: pointRuleNames }).notNull(),
    amount: integer('amount').notNull(),
    sourceKind: text('source_kind', { enum: pointSourceKinds }).notNull(),
    // Plain id, no foreign key: the history outlives a log entry that is later deleted. Null
    // when the source is the day itself (`day` says which).
    sourceId: uuid('source_id'),
    /** The member-local day the points are for. */
    day: date('day', { mode: 'string' }).notNull(),
    /** On a negative row: the award of the same rule, day and source it takes back from. */
    reversesId: uuid('reverses_id').references((): AnyPgColumn => pointsLedger.id),
    // The clock, not the transaction's start: rows written one after another sort that way.
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`clock_timestamp()`),
  },
  (t) => [
    index('points_ledger_user_created_idx').on(t.userId, t.createdAt, t.id),
    index('points_ledger_user_day_rule_idx').on(t.userId, t.day, t.rule),
    // Deleting a member deletes their rows; each one's reversals are found through this.
    index('points_ledger_reverses_idx')
      .on(t.reversesId)
      .where(sql`${t.reversesId} is not null`),
    check('points_ledger_amount_check', sql`${t.amount} <> 0`),
    check(
      'points_ledger_rule_check',
      sql`${t.rule} in ('completed-set', 'logged-meal', 'gym-visit', 'daily-goal', 'achievement')`,
    ),
    check(
      'points_ledger_source_check',
      sql`(${t.sourceKind} = 'day') = (${t.sourceId} is null) and ${t.sourceKind} in ('workout-log', 'meal-log', 'gym-session', 'day', 'achievement')`,
    ),
    check('points_ledger_reversal_check', sql`${t.reversesId} is null or ${t.amount} < 0`),
  ],
);

/**
 * A member's points per ISO week and per calendar month (point-periods.ts): the sum of their
 * ledger rows whose `day` falls in the period, added to by the same statement sequence that
 * writes the rows (`rewardsRepository.insertLedgerRows`), so it always equals the ledger.
 * Leaderboards rank the per-branch copies (`branch_period_points`); a member joining a branch
 * brings theirs from here.
 */
export const memberPeriodPoints = pgTable(
  'member_period_points',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    period: text('period', { enum: pointPeriods }).notNull(),
    /** The period's first day: a Monday for weeks, the 1st for months. */
    startsOn: date('starts_on', { mode: 'string' }).notNull(),
    points: integer('points').notNull(),
  },
  (t) => [
    // Read by member only (a member joining a branch copies theirs into its leaderboard rows).
    primaryKey({ columns: [t.userId, t.period, t.startsOn] }),
    check('member_period_points_period_check', sql`${t.period} in ('week', 'month')`),
  ],
);

/** Achievements a member unlocked; each at most once (the unique key is what makes it so). */
export const userAchievements = pgTable(
  'user_achievements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The catalogue key (achievements.ts); a key no longer in the catalogue is not shown. */
    key: text('key').notNull(),
    /** The member-local day of the activity that unlocked it. */
    day: date('day', { mode: 'string' }).notNull(),
    unlockedAt: timestamp('unlocked_at', { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`clock_timestamp()`),
  },
  (t) => [uniqueIndex('user_achievements_user_key').on(t.userId, t.key)],
);

/**
 * One member's activity on one local day, as points and achievements need it. The workout and
 * meal columns are recomputed from that day's raw rows (workout_logs, workout_sets, meal_logs)
 * in every transaction that changes them, so they always equal the raw rows; lifetime totals and
 * streaks read these rows (about 365 a year) instead of every set ever logged. A day with no
 * activity left has no row.
 */
export const memberDayTotals = pgTable(
  'member_day_totals',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    /** Log entries with at least one completed set. */
    workoutLogs: integer('workout_logs').notNull().default(0),
    completedSets: integer('completed_sets').notNull().default(0),
    /** Sum of weight × reps over the completed sets, in kg. */
    volumeKg: doublePrecision('volume_kg').notNull().default(0),
    /** Log entries that set a personal record. */
    recordLogs: integer('record_logs').notNull().default(0),
    meals: integer('meals').notNull().default(0),
    mealCalories: doublePrecision('meal_calories').notNull().default(0),
    /**
     * The day's calorie target when its meals were last judged, null until then (or when the
     * member has none); `on_calorie_target` says whether the meals were within ±10% of it.
     */
    calorieTarget: doublePrecision('calorie_target'),
    onCalorieTarget: boolean('on_calorie_target').notNull().default(false),
    /** Check-ins on the day (gym sessions are never edited, so this only counts up). */
    gymCheckIns: integer('gym_check_ins').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);

export type PointsLedgerRow = typeof pointsLedger.$inferSelect;
export type NewPointsLedgerRow = typeof pointsLedger.$inferInsert;
export type UserAchievementRow = typeof userAchievements.$inferSelect;
export type MemberDayTotalsRow = typeof memberDayTotals.$inferSelect;
export type NewMemberDayTotalsRow = typeof memberDayTotals.$inferInsert;
