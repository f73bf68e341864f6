import { addDays } from '../../lib/time/calendar-days.js';
import type { Database } from '../../db/database.js';
import { mapPage, type PageRequest } from '../../db/keyset-page.js';
import { inUnitOfWork, type UnitOfWork } from '../../db/unit-of-work.js';
import type { Logger } from '../../lib/logger.js';
import { localDay } from '../../lib/time/local-day.js';
import type { Notifier } from '../notifications/index.js';
import {
  achievementCatalogue,
  achievementOf,
  currentRun,
  longestStreakNeeded,
  reachedAchievements,
  runThrough,
  withinCalorieTarget,
  type Measures,
} from './achievements.js';
import { dayAwards, dayRules, earnsPoints, ledgerDeltas, pointRules } from './point-rules.js';
import {
  achievementNotification,
  presentLedgerEntry,
  presentProgress,
  presentUnlocked,
} from './rewards.presenter.js';
import { rewardsRepository as repository, type DayFlags } from './rewards.repository.js';
import type {
  AchievementsView,
  PointsLedgerEntry,
  UnlockedAchievementView,
} from './rewards.schemas.js';

/** A day's macro targets (kcal and grams); the nutrition feature provides them. */
export interface DailyTargets {
  dailyTargetsOf(
    userId: string,
    day: string,
  ): Promise<{ calories: number; protein: number; carbs: number; fat: number } | null>;
}

/** The member's local time zone (for "today" in current streaks); the container provides it. */
export interface MemberTimeZones {
  timezoneOf(userId: string): Promise<string>;
}

export interface RewardsServiceDeps {
  db: Database;
  logger: Logger;
  /** Unlocks are told to the member (inbox, sockets, push). */
  notifier: Notifier;
  targets: DailyTargets;
  timeZones: MemberTimeZones;
}

/** A log entry or meal change as this feature hears it (the `*-logs.changed` events). */
interface LogChange {
  uow: UnitOfWork;
  userId: string;
  change: 'created' | 'updated' | 'deleted';
  previousDay?: string;
}

/** A check-in as this feature hears it (the gym floor's `gym-floor.checked-in` event). */
export interface CheckIn {
  userId: string;
  sessionId: string;
  branchId: string;
  /** The member-local day of the check-in. */
  day: string;
}

const sum = <T>(items: T[], value: (item: T) => number) =>
  items.reduce((total, item) => total + value(item), 0);

const daysOf = (day: string, previousDay: string | undefined) =>
  previousDay && previousDay !== day ? [day, previousDay] : [day];

/**
 * Points and achievements. Everything that awards runs inside the transaction that records the
 * activity (the listeners of the log events and of the check-in), under a lock on the member's
 * row, so caps and unlock thresholds hold however many requests race; each writes ledger rows,
 * unlocks and `users.total_points` together, and notifies only after the commit.
 */
export class RewardsService {
  constructor(private readonly deps: RewardsServiceDeps) {}

  /** `workout-logs.changed`: reconciles the entry's day (and the day it left). */
  async onWorkoutLogChanged(
    event: LogChange & { log: { id: string; day: string } },
  ): Promise<void> {
    const days = daysOf(event.log.day, event.previousDay);
    // A deleted entry is worth nothing, whether or not its rows are gone yet.
    const excluded = event.change === 'deleted' ? { logId: event.log.id } : {};
    await this.reconcile(event.uow, event.userId, days, excluded);
  }

  /**
   * `meal-logs.changed`: reconciles the meal's day (and the day it left); after the commit, the
   * day is judged against its calorie target (see `judgeCalorieDays`).
   */
  async onMealLogChanged(event: LogChange & { meal: { id: string; day: string } }): Promise<void> {
    const days = daysOf(event.meal.day, event.previousDay);
    const excluded = event.change === 'deleted' ? { mealId: event.meal.id } : {};
    await this.reconcile(event.uow, event.userId, days, excluded);
    event.uow.afterCommit(() => this.judgeCalorieDays(event.userId, days));
  }

  /**
   * A check-in, in the check-in's transaction: the day's first earns the visit points, and the
   * visit counts toward the gym achievements (visits are days with a check-in, so checking in
   * and out again the same day counts once).
   */
  async handleCheckIn(uow: UnitOfWork, checkIn: CheckIn): Promise<void> {
    const { tx } = uow;
    if (!(await repository.lockMember(tx, checkIn.userId))) return;
    await repository.countCheckIn(tx, checkIn.userId, checkIn.day);
    const held = await repository.heldPoints(tx, checkIn.userId, checkIn.day, [
      pointRules.gymVisit.name,
    ]);
    if (sum(held, (holding) => holding.amount) === 0) {
      await repository.insertLedgerRows(tx, checkIn.userId, checkIn.day, [
        {
          rule: pointRules.gymVisit.name,
          sourceKind: 'gym-session',
          sourceId: checkIn.sessionId,
          amount: pointRules.gymVisit.points,
          reversesId: null,
        },
      ]);
    }
    await this.unlockReached(uow, checkIn.userId, [checkIn.day]);
  }

  /**
   * Judges days' meals against the member's calorie target and unlocks what that completes. Run
   * after the meal's transaction commits, in a transaction of its own: the targets come from the
   * nutrition feature through the shared database handle, which the embedded database (one
   * connection) cannot serve while the meal's transaction holds it. A day keeps the target it
   * was last judged against; the next change to its meals judges it again.
   */
  async judgeCalorieDays(userId: string, days: string[]): Promise<void> {
    const targets = await Promise.all(
      days.map((day) => this.deps.targets.dailyTargetsOf(userId, day)),
    );
    await inUnitOfWork(this.deps.db, this.deps.logger, async (uow) => {
      if (!(await repository.lockMember(uow.tx, userId))) return;
      for (const [index, day] of days.entries()) {
        // Read under the lock: the meals as the latest committed change left them.
        const totals = await repository.findDayTotals(uow.tx, userId, day);
        if (!totals) continue;
        const calorieTarget = targets[index]?.calories ?? null;
        await repository.setCalorieJudgement(uow.tx, userId, day, {
          calorieTarget,
          onCalorieTarget: withinCalorieTarget(totals.meals, totals.mealCalories, calorieTarget),
        });
      }
      await this.unlockReached(uow, userId, days);
    });
  }

  private async reconcile(
    uow: UnitOfWork,
    userId: string,
    days: string[],
    excluded: { logId?: string; mealId?: string },
  ): Promise<void> {
    if (!(await repository.lockMember(uow.tx, userId))) return;
    for (const day of days) await this.reconcileDay(uow.tx, userId, day, excluded);
    await this.unlockReached(uow, userId, days);
  }

  /**
   * Recomputes one day from its rows: the day's totals, then what each of its entries and meals
   * (and the day's goal) is worth, writing the difference to what each holds.
   */
  private async reconcileDay(
    tx: Database,
    userId: string,
    day: string,
    excluded: { logId?: string; mealId?: string },
  ): Promise<void> {
    const { logs, meals, calorieTarget, gymCheckIns, held } = await repository.dayState(
      tx,
      userId,
      day,
      excluded,
      dayRules,
    );
    const mealCalories = sum(meals, (meal) => meal.calories);
    await repository.saveDayTotals(tx, {
      userId,
      day,
      workoutLogs: logs.filter((log) => log.completedSets > 0).length,
      completedSets: sum(logs, (log) => log.completedSets),
      volumeKg: sum(logs, (log) => log.volumeKg),
      recordLogs: logs.filter((log) => log.setsRecord).length,
      meals: meals.length,
      mealCalories,
      // Judged against the target the day was last judged with, until judged again.
      calorieTarget,
      onCalorieTarget: withinCalorieTarget(meals.length, mealCalories, calorieTarget),
      gymCheckIns,
    });
    const worth = dayAwards({
      logs: logs.map((log) => ({
        ...log,
        earnsPoints: earnsPoints({
          happenedAt: log.completedAt,
          recordedAt: log.createdAt,
          imported: log.imported,
        }),
      })),
      meals: meals.map((meal) => ({
        ...meal,
        earnsPoints: earnsPoints({
          happenedAt: meal.consumedAt,
          recordedAt: meal.createdAt,
          imported: false,
        }),
      })),
    });
    await repository.insertLedgerRows(tx, userId, day, ledgerDeltas(worth, held));
  }

  /**
   * Unlocks every achievement the member has now reached: lifetime counts from the day totals,
   * streaks through the changed days. The insert decides: only the transaction whose insert
   * created the row awards the bonus and, after its commit, notifies.
   */
  private async unlockReached(uow: UnitOfWork, userId: string, days: string[]): Promise<void> {
    const { tx } = uow;
    // The day of the change that unlocks (a moved entry's new day).
    const [day] = days;
    if (!day) return;
    const { unlocked, lifetime, flags } = await repository.standing(tx, userId, streakWindow(days));
    if (unlocked.size >= achievementCatalogue.length) return;
    const streaks = streaksThrough(flags, days);
    for (const achievement of reachedAchievements({ ...lifetime, ...streaks }, unlocked)) {
      const row = await repository.insertUnlock(tx, userId, achievement.key, day);
      if (!row) continue;
      await repository.insertLedgerRows(tx, userId, day, [
        {
          rule: 'achievement',
          sourceKind: 'achievement',
          sourceId: row.id,
          amount: achievement.points,
          reversesId: null,
        },
      ]);
      // Stored with the unlock, delivered after its commit; the key makes a replay harmless.
      await this.deps.notifier.notify(
        achievementNotification(userId, achievement, row.unlockedAt),
        uow,
      );
    }
  }

  /** `GET /me/achievements`: what is unlocked, and progress toward the rest. */
  async achievementsOf(userId: string): Promise<AchievementsView> {
    const today = localDay(new Date(), await this.deps.timeZones.timezoneOf(userId));
    const { db } = this.deps;
    const [rows, { lifetime, flags }, totalPoints] = await Promise.all([
      repository.unlockedOf(db, userId),
      repository.standing(db, userId, { from: addDays(today, -longestStreakNeeded), to: today }),
      repository.totalPointsOf(db, userId),
    ]);
    const sets = streakDaySets(flags);
    const measures: Measures = {
      ...lifetime,
      workoutStreak: currentRun(sets.trained, today),
      mealStreak: currentRun(sets.ate, today),
      calorieStreak: currentRun(sets.onCalorieTarget, today),
    };
    const unlockedKeys = new Set(rows.map((row) => row.key));
    return {
      unlocked: this.presentUnlocks(rows).reverse(),
      inProgress: achievementCatalogue
        .filter((achievement) => !unlockedKeys.has(achievement.key))
        .map((achievement) => presentProgress(achievement, measures)),
      totalPoints,
    };
  }

  /** `GET /me/points`: the ledger, newest first, with the total. */
  async pointsOf(userId: string, page: PageRequest) {
    const [entries, totalPoints] = await Promise.all([
      repository.listLedger(this.deps.db, userId, page),
      repository.totalPointsOf(this.deps.db, userId),
    ]);
    return { ...mapPage(entries, presentLedgerEntry), totalPoints };
  }

  /** The whole ledger, oldest first, for the member's data export. */
  async exportPoints(userId: string): Promise<PointsLedgerEntry[]> {
    return (await repository.allLedger(this.deps.db, userId)).map(presentLedgerEntry);
  }

  /** Every unlock, oldest first, for the member's data export. */
  async exportAchievements(userId: string): Promise<UnlockedAchievementView[]> {
    return this.presentUnlocks(await repository.unlockedOf(this.deps.db, userId));
  }

  private presentUnlocks(rows: Awaited<ReturnType<typeof repository.unlockedOf>>) {
    return rows.flatMap((row) => {
      const achievement = achievementOf(row.key);
      return achievement ? [presentUnlocked(row, achievement)] : [];
    });
  }
}

/** The days a streak through any of `days` (not empty) can reach, as long as the longest needed. */
function streakWindow(days: string[]): { from: string; to: string } {
  const sorted = [...days].sort();
  const reach = longestStreakNeeded - 1;
  return { from: addDays(sorted[0] ?? '', -reach), to: addDays(sorted.at(-1) ?? '', reach) };
}

/** The longest run through any of the days, per streak kind. */
function streaksThrough(
  flags: DayFlags[],
  days: string[],
): Pick<Measures, 'workoutStreak' | 'mealStreak' | 'calorieStreak'> {
  const sets = streakDaySets(flags);
  const longest = (set: ReadonlySet<string>) =>
    Math.max(0, ...days.map((day) => runThrough(set, day)));
  return {
    workoutStreak: longest(sets.trained),
    mealStreak: longest(sets.ate),
    calorieStreak: longest(sets.onCalorieTarget),
  };
}

function streakDaySets(flags: DayFlags[]) {
  return {
    trained: new Set(flags.filter((flag) => flag.trained).map((flag) => flag.day)),
    ate: new Set(flags.filter((flag) => flag.ate).map((flag) => flag.day)),
    onCalorieTarget: new Set(flags.filter((flag) => flag.onCalorieTarget).map((flag) => flag.day)),
  };
}
