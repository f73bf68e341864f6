import { recordCommittedChange } from '../../db/committed-changes.js';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { rowsOf } from '../../db/raw-rows.js';
import { keysetPage, type Page, type PageRequest } from '../../db/keyset-page.js';
import { mealLogs } from '../nutrition/meal-logs.table.js';
import { branchPeriodPoints } from '../social/leaderboard.table.js';
import { users } from '../users/users.table.js';
import { workoutLogs, workoutSets } from '../workout-logs/workout-logs.table.js';
import { pointRules, type HeldPoints, type LedgerDelta } from './point-rules.js';
import { periodStart, pointPeriods } from './point-periods.js';
import {
  memberDayTotals,
  memberPeriodPoints,
  pointsLedger,
  userAchievements,
  type NewMemberDayTotalsRow,
  type PointRuleName,
  type PointsLedgerRow,
  type UserAchievementRow,
} from './rewards.table.js';

/** A log entry of one day with what its sets add up to. */
export interface DayLogSummary {
  id: string;
  completedAt: Date;
  createdAt: Date;
  imported: boolean;
  completedSets: number;
  volumeKg: number;
  setsRecord: boolean;
}

/** A meal of one day with its energy. */
export interface DayMealSummary {
  id: string;
  consumedAt: Date;
  createdAt: Date;
  calories: number;
}

/** The lifetime counts achievements measure, summed over a member's day totals. */
export interface LifetimeTotals {
  workoutDays: number;
  completedSets: number;
  volumeKg: number;
  recordLogs: number;
  gymVisitDays: number;
  meals: number;
  goalDays: number;
}

/** What the achievements are judged on (see `standing`). */
export interface AchievementStanding {
  unlocked: Set<string>;
  lifetime: LifetimeTotals;
  flags: DayFlags[];
}

/** Which streaks a day counts toward. */
export interface DayFlags {
  day: string;
  trained: boolean;
  ate: boolean;
  onCalorieTarget: boolean;
}

// The same definition as isCompletedSet in point-rules.ts, for the database to count with.
const completedSet = sql`(${workoutSets.reps} >= 1 or coalesce(${workoutSets.durationSec}, 0) >= 1)`;

/** What a day's reconciliation starts from (`dayState`). */
export interface DayState {
  logs: DayLogSummary[];
  meals: DayMealSummary[];
  /** The target the day was last judged against (null: none, or never judged). */
  calorieTarget: number | null;
  gymCheckIns: number;
  held: HeldPoints[];
}

/** A row as it arrives inside JSON: its times are strings. */
type Json<Row> = { [Key in keyof Row]: Row[Key] extends Date ? string : Row[Key] };

/** Each source's sum under the rules on the day, and its newest positive row. */
const heldPointsQuery = (userId: string, day: string, rules: readonly PointRuleName[]) => sql`
  select ${pointsLedger.rule} as "rule", ${pointsLedger.sourceKind} as "sourceKind",
    ${pointsLedger.sourceId} as "sourceId", sum(${pointsLedger.amount})::int as "amount",
    (array_agg(${pointsLedger.id} order by ${pointsLedger.createdAt} desc, ${pointsLedger.id} desc)
      filter (where ${pointsLedger.amount} > 0))[1] as "latestAwardId"
  from ${pointsLedger}
  where ${pointsLedger.userId} = ${userId} and ${pointsLedger.day} = ${day}
    and ${inArray(pointsLedger.rule, [...rules])}
  group by ${pointsLedger.rule}, ${pointsLedger.sourceKind}, ${pointsLedger.sourceId}`;

/** The only place that queries points, achievements and the day totals. */
export const rewardsRepository = {
  /**
   * Locks the member's row until the transaction ends, so one member's awards are worked out one
   * transaction at a time and caps and thresholds hold under concurrent logs. `FOR NO KEY
   * UPDATE`, not `FOR UPDATE`: the log being written holds a key-share lock on the same row (its
   * foreign key), which `FOR UPDATE` would wait for, deadlocking two concurrent writers.
   */
  async lockMember(db: Database, userId: string): Promise<{ totalPoints: number } | undefined> {
    const [row] = await db
      .select({ totalPoints: users.totalPoints })
      .from(users)
      .where(eq(users.id, userId))
      .for('no key update');
    return row;
  },

  async totalPointsOf(db: Database, userId: string): Promise<number> {
    const [row] = await db
      .select({ totalPoints: users.totalPoints })
      .from(users)
      .where(eq(users.id, userId));
    return row?.totalPoints ?? 0;
  },

  /**
   * Everything a day's reconciliation starts from, in one statement: the day's log entries with
   * their completed sets and volume and its meals, less the excluded ones (a deleted row may
   * still be there), what its stored totals keep that the rows don't tell (the target it was last
   * judged against, the check-ins), and what each source holds under `rules`.
   */
  async dayState(
    db: Database,
    userId: string,
    day: string,
    excluded: { logId?: string; mealId?: string },
    rules: readonly PointRuleName[],
  ): Promise<DayState> {
    const [row] = await rowsOf<{
      logs: Json<DayLogSummary>[];
      meals: Json<DayMealSummary>[];
      stored: { calorieTarget: number | null; gymCheckIns: number } | null;
      held: HeldPoints[];
    }>(
      db,
      sql`select
        (select coalesce(json_agg(entry), '[]') from (
          select ${workoutLogs.id} as "id",
            ${workoutLogs.completedAt} as "completedAt",
            ${workoutLogs.createdAt} as "createdAt",
            ${workoutLogs.source} = 'import' as "imported",
            count(${workoutSets.id}) filter (where ${completedSet})::int as "completedSets",
            coalesce(sum(${workoutSets.reps} * ${workoutSets.weightKg})
              filter (where ${completedSet}), 0)::float8 as "volumeKg",
            cardinality(${workoutLogs.personalRecords}) > 0 as "setsRecord"
          from ${workoutLogs} left join ${workoutSets} on ${workoutSets.logId} = ${workoutLogs.id}
          where ${workoutLogs.userId} = ${userId} and ${workoutLogs.day} = ${day}
            ${excluded.logId ? sql`and ${workoutLogs.id} <> ${excluded.logId}` : sql``}
          group by ${workoutLogs.id}) entry) as "logs",
        (select coalesce(json_agg(meal), '[]') from (
          select ${mealLogs.id} as "id", ${mealLogs.consumedAt} as "consumedAt",
            ${mealLogs.createdAt} as "createdAt", ${mealLogs.calories} as "calories"
          from ${mealLogs}
          where ${mealLogs.userId} = ${userId} and ${mealLogs.day} = ${day}
            ${excluded.mealId ? sql`and ${mealLogs.id} <> ${excluded.mealId}` : sql``}) meal) as "meals",
        (select json_build_object(
            'calorieTarget', ${memberDayTotals.calorieTarget},
            'gymCheckIns', ${memberDayTotals.gymCheckIns})
          from ${memberDayTotals}
          where ${memberDayTotals.userId} = ${userId} and ${memberDayTotals.day} = ${day}) as "stored",
        (select coalesce(json_agg(holding), '[]')
          from (${heldPointsQuery(userId, day, rules)}) holding) as "held"`,
    );
    if (!row) throw new Error('a select without from returned no row');
    return {
      logs: row.logs.map((log) => ({
        ...log,
        completedAt: new Date(log.completedAt),
        createdAt: new Date(log.createdAt),
      })),
      meals: row.meals.map((meal) => ({
        ...meal,
        consumedAt: new Date(meal.consumedAt),
        createdAt: new Date(meal.createdAt),
      })),
      calorieTarget: row.stored?.calorieTarget ?? null,
      gymCheckIns: row.stored?.gymCheckIns ?? 0,
      held: row.held,
    };
  },

  async findDayTotals(db: Database, userId: string, day: string) {
    const [row] = await db
      .select()
      .from(memberDayTotals)
      .where(and(eq(memberDayTotals.userId, userId), eq(memberDayTotals.day, day)));
    return row;
  },

  /** Writes a day's totals; a day with nothing left on it has no row. */
  async saveDayTotals(db: Database, totals: NewMemberDayTotalsRow): Promise<void> {
    const empty =
      !totals.workoutLogs &&
      !totals.completedSets &&
      !totals.recordLogs &&
      !totals.meals &&
      !totals.gymCheckIns;
    if (empty) {
      await db
        .delete(memberDayTotals)
        .where(and(eq(memberDayTotals.userId, totals.userId), eq(memberDayTotals.day, totals.day)));
      return;
    }
    await db
      .insert(memberDayTotals)
      .values(totals)
      .onConflictDoUpdate({
        target: [memberDayTotals.userId, memberDayTotals.day],
        set: { ...totals, updatedAt: sql`now()` },
      });
  },

  /** One more check-in on the day. */
  async countCheckIn(db: Database, userId: string, day: string): Promise<void> {
    await db
      .insert(memberDayTotals)
      .values({ userId, day, gymCheckIns: 1 })
      .onConflictDoUpdate({
        target: [memberDayTotals.userId, memberDayTotals.day],
        set: { gymCheckIns: sql`${memberDayTotals.gymCheckIns} + 1`, updatedAt: sql`now()` },
      });
  },

  /** What each source holds under the rules on the day: the sum of its rows, and its last award. */
  async heldPoints(
    db: Database,
    userId: string,
    day: string,
    rules: readonly PointRuleName[],
  ): Promise<HeldPoints[]> {
    return rowsOf<HeldPoints>(db, heldPointsQuery(userId, day, rules));
  },

  /**
   * Writes ledger rows of one member and day, and adds their sum to the member's total
   * (`users.total_points`), week and month (`member_period_points`) and to their week, month and
   * lifetime rows in each of their branches (`branch_period_points`, what leaderboards rank): the
   * only way rows enter the ledger, so the sums always agree. Call with the member locked
   * (`lockMember`), which is also what keeps joins and leaves from interleaving.
   */
  async insertLedgerRows(
    db: Database,
    userId: string,
    day: string,
    deltas: LedgerDelta[],
  ): Promise<PointsLedgerRow[]> {
    if (deltas.length === 0) return [];
    const sum = deltas.reduce((total, delta) => total + delta.amount, 0);
    const rows = deltas.map((delta) => ({
      userId,
      day,
      rule: delta.rule,
      sourceKind: delta.sourceKind,
      sourceId: delta.sourceId,
      amount: delta.amount,
      reversesId: delta.reversesId,
    }));
    if (sum === 0) return db.insert(pointsLedger).values(rows).returning();
    // One statement: the total and the sums are written by data-modifying CTEs, which run to
    // completion whether or not the ledger insert reads them.
    const total = db.$with('total').as(
      db
        .update(users)
        .set({ totalPoints: sql`${users.totalPoints} + ${sum}` })
        .where(eq(users.id, userId))
        .returning({ id: users.id }),
    );
    const memberSums = db.$with('member_sums').as(
      db
        .insert(memberPeriodPoints)
        .values(
          pointPeriods.map((period) => ({
            userId,
            period,
            startsOn: periodStart(period, day),
            points: sum,
          })),
        )
        .onConflictDoUpdate({
          target: [
            memberPeriodPoints.userId,
            memberPeriodPoints.period,
            memberPeriodPoints.startsOn,
          ],
          set: { points: sql`${memberPeriodPoints.points} + excluded.points` },
        })
        .returning({ userId: memberPeriodPoints.userId }),
    );
    // Each branch's lifetime row (which lists the member's branches) and its week and month rows:
    // the lifetime row conflicts with itself and is added to like the others.
    const branchSums = db.$with('branch_sums', { userId: branchPeriodPoints.userId }).as(sql`
      insert into ${branchPeriodPoints}
        (branch_id, period, starts_on, user_id, points, sort_name, eligible)
      select a.branch_id, v.period, v.starts_on, a.user_id, ${sum}, a.sort_name, a.eligible
      from ${branchPeriodPoints} a
        cross join lateral (values ('all', a.starts_on),
          ('week', ${periodStart('week', day)}::date),
          ('month', ${periodStart('month', day)}::date)) as v (period, starts_on)
      where a.user_id = ${userId} and a.period = 'all'
      on conflict (branch_id, period, starts_on, user_id)
        do update set points = ${branchPeriodPoints}.points + excluded.points
      returning user_id`);
    const written = await db
      .with(total, memberSums, branchSums)
      .insert(pointsLedger)
      .values(rows)
      .returning();
    // `totalPoints` shows in GET /api/users/me, which may serve a cached copy of the row.
    await recordCommittedChange(db, { kind: 'account', userId });
    return written;
  },

  /**
   * Where the member stands toward the achievements, in one statement: the keys already unlocked,
   * the lifetime counts over their day totals (one index range of about 365 rows a year) and the
   * streak flags of the days in [from, to].
   */
  async standing(
    db: Database,
    userId: string,
    streakDays: { from: string; to: string },
  ): Promise<AchievementStanding> {
    const [row] = await db
      .select({
        workoutDays: sql`count(*) filter (where ${memberDayTotals.completedSets} > 0)::int`.mapWith(
          Number,
        ),
        completedSets: sql`coalesce(sum(${memberDayTotals.completedSets}), 0)::int`.mapWith(Number),
        volumeKg: sql`coalesce(sum(${memberDayTotals.volumeKg}), 0)::float8`.mapWith(Number),
        recordLogs: sql`coalesce(sum(${memberDayTotals.recordLogs}), 0)::int`.mapWith(Number),
        gymVisitDays: sql`count(*) filter (where ${memberDayTotals.gymCheckIns} > 0)::int`.mapWith(
          Number,
        ),
        meals: sql`coalesce(sum(${memberDayTotals.meals}), 0)::int`.mapWith(Number),
        goalDays:
          sql`count(*) filter (where ${memberDayTotals.completedSets} >= ${pointRules.dailyGoal.completedSets} and ${memberDayTotals.meals} >= ${pointRules.dailyGoal.meals})::int`.mapWith(
            Number,
          ),
        unlocked: sql<string[]>`(
          select coalesce(array_agg(unlock.key), '{}') from ${userAchievements} unlock
          where unlock.user_id = ${userId})`,
        flags: sql<DayFlags[]>`(
          select coalesce(json_agg(json_build_object(
            'day', streak.day,
            'trained', streak.completed_sets > 0,
            'ate', streak.meals > 0,
            'onCalorieTarget', streak.on_calorie_target)), '[]')
          from ${memberDayTotals} streak
          where streak.user_id = ${userId}
            and streak.day between ${streakDays.from} and ${streakDays.to})`,
      })
      .from(memberDayTotals)
      .where(eq(memberDayTotals.userId, userId));
    // An aggregate without grouping always answers one row.
    if (!row) throw new Error('aggregate returned no row');
    const { unlocked, flags, ...lifetime } = row;
    return { unlocked: new Set(unlocked), lifetime, flags };
  },

  async setCalorieJudgement(
    db: Database,
    userId: string,
    day: string,
    judgement: { calorieTarget: number | null; onCalorieTarget: boolean },
  ): Promise<void> {
    await db
      .update(memberDayTotals)
      .set({ ...judgement, updatedAt: sql`now()` })
      .where(and(eq(memberDayTotals.userId, userId), eq(memberDayTotals.day, day)));
  },

  /**
   * Records an unlock unless the member already has it; only the transaction that inserted the
   * row gets it back (and so only it awards the bonus and notifies).
   */
  async insertUnlock(
    db: Database,
    userId: string,
    key: string,
    day: string,
  ): Promise<UserAchievementRow | undefined> {
    const [row] = await db
      .insert(userAchievements)
      .values({ userId, key, day })
      .onConflictDoNothing({ target: [userAchievements.userId, userAchievements.key] })
      .returning();
    return row;
  },

  async unlockedOf(db: Database, userId: string): Promise<UserAchievementRow[]> {
    return db
      .select()
      .from(userAchievements)
      .where(eq(userAchievements.userId, userId))
      .orderBy(asc(userAchievements.unlockedAt), asc(userAchievements.key));
  },

  /** The member's ledger, newest first. */
  async listLedger(
    db: Database,
    userId: string,
    page: PageRequest,
  ): Promise<Page<PointsLedgerRow>> {
    const keyset = keysetPage(pointsLedger, { by: 'createdAt', direction: 'desc' }, page);
    return keyset.fetch(
      db
        .select()
        .from(pointsLedger)
        .where(and(eq(pointsLedger.userId, userId), keyset.where)),
    );
  },

  async allLedger(db: Database, userId: string): Promise<PointsLedgerRow[]> {
    return db
      .select()
      .from(pointsLedger)
      .where(eq(pointsLedger.userId, userId))
      .orderBy(asc(pointsLedger.createdAt), asc(pointsLedger.id));
  },
};
