import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uuid,
} from 'drizzle-orm/pg-core';
import { branches } from '../gym-floor/gym-floor.table.js';
import { users } from '../users/users.table.js';

/** The periods a branch leaderboard keeps: ISO week, calendar month, lifetime. */
export const branchPointPeriods = ['week', 'month', 'all'] as const;
export type BranchPointPeriod = (typeof branchPointPeriods)[number];

/** `starts_on` of the lifetime (`all`) rows, which have no period start. */
export const LIFETIME_STARTS_ON = '0001-01-01';

/**
 * Each branch member's points per period, with what ranking needs beside them, so a leaderboard
 * is index ranges instead of ranking the whole branch on every request.
 *
 * - Every member of a branch has exactly one `all` row (lifetime points, 0 included) from joining
 *   until leaving: it is also the branch's member list, by name. Week and month rows exist once
 *   the member has a ledger row in the period; a member without one has 0 points there.
 * - `points` is the sum of the member's ledger rows of the period, added to by the ledger writer
 *   (`insertLedgerRows`) in the transaction that writes them, for every branch of the member.
 * - `sort_name` (lower-case username) and `eligible` (active account, not private, not opted out)
 *   are copies kept in the transaction that changes their source: joining a branch, a username
 *   change, a social-settings change (`leaderboardMembership` in the social module).
 */
export const branchPeriodPoints = pgTable(
  'branch_period_points',
  {
    branchId: uuid('branch_id')
      .notNull()
      .references(() => branches.id, { onDelete: 'cascade' }),
    period: text('period', { enum: branchPointPeriods }).notNull(),
    /** The period's first day: a Monday for weeks, the 1st for months, LIFETIME_STARTS_ON. */
    startsOn: date('starts_on', { mode: 'string' }).notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    points: integer('points').notNull(),
    /** `lower(username)`, compared with collate "C" (code-point order), as ties are listed. */
    sortName: text('sort_name').notNull(),
    /** Whether the member is ranked at all (active, not private, shown on leaderboards). */
    eligible: boolean('eligible').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.branchId, t.period, t.startsOn, t.userId] }),
    // The ranking order: the top of a period is a range read, a rank a count of its head.
    index('branch_period_points_rank_idx')
      .on(
        t.branchId,
        t.period,
        t.startsOn,
        t.points.desc(),
        sql`${t.sortName} collate "C"`,
        t.userId,
      )
      .where(sql`${t.eligible}`),
    // The branch's ranked members by name (members with 0 points in a period are listed so).
    index('branch_period_points_name_idx')
      .on(t.branchId, sql`${t.sortName} collate "C"`, t.userId)
      .where(sql`${t.eligible} and ${t.period} = 'all'`),
    // How many members a branch ranks: a count of the narrowest index there is.
    index('branch_period_points_ranked_idx')
      .on(t.branchId)
      .where(sql`${t.period} = 'all' and ${t.eligible}`),
    // A member's rows in every branch (the ledger writer, settings and name changes).
    index('branch_period_points_user_idx').on(t.userId, t.period, t.startsOn),
    check('branch_period_points_period_check', sql`${t.period} in ('week', 'month', 'all')`),
  ],
);
