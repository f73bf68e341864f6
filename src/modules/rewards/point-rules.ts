import type { PointRuleName, PointSourceKind } from './rewards.table.js';

/**
 * The point rules. Every award is a ledger row naming its rule; the caps keep junk logging from
 * farming points. Day-capped rules are reconciled: after any change to a day's logs or meals,
 * what each source of that day is worth now is computed from the day's rows in a fixed order
 * (so a cap never depends on which request committed first) and the difference to what the
 * source holds is written as one row, positive or negative. `pointRulesDescription` below is
 * the table members and client developers read (the points endpoint's description).
 */
export const pointRules = {
  completedSet: { name: 'completed-set', points: 2, perDay: 40 },
  loggedMeal: { name: 'logged-meal', points: 5, perDay: 5 },
  gymVisit: { name: 'gym-visit', points: 10, perDay: 1 },
  dailyGoal: { name: 'daily-goal', points: 20, completedSets: 10, meals: 3 },
} as const satisfies Record<
  string,
  { name: PointRuleName; points: number; [limit: string]: unknown }
>;

/**
 * Entries and meals recorded more than this many days after they happened earn no points: a
 * phone offline for a while syncs in time, back-filling a year of junk does not pay.
 */
export const lateEntryDays = 7;

/** The rules `reconcileDay` owns: worth recomputed from the day's logs and meals. */
export const dayRules: readonly PointRuleName[] = [
  pointRules.completedSet.name,
  pointRules.loggedMeal.name,
  pointRules.dailyGoal.name,
];

/** The rule table as the API documents it (the points endpoint's description). */
export const pointRulesDescription = [
  'Points rules (every award is a ledger row naming its rule; caps are per member-local day):',
  '',
  '| rule | points | cap |',
  '|---|---|---|',
  `| \`completed-set\` | ${String(pointRules.completedSet.points)} per completed set (reps ≥ 1 or a duration) | the first ${String(pointRules.completedSet.perDay)} completed sets of the day, in the order of the entries' \`completedAt\` |`,
  `| \`logged-meal\` | ${String(pointRules.loggedMeal.points)} per meal | the first ${String(pointRules.loggedMeal.perDay)} meals of the day, in the order of \`consumedAt\` |`,
  `| \`gym-visit\` | ${String(pointRules.gymVisit.points)} per check-in | the first check-in of the day |`,
  `| \`daily-goal\` | ${String(pointRules.dailyGoal.points)} | once a day, for ≥ ${String(pointRules.dailyGoal.completedSets)} completed sets and ≥ ${String(pointRules.dailyGoal.meals)} meals that day |`,
  '| `achievement` | the achievement’s bonus | once per achievement |',
  '',
  `Entries and meals recorded more than ${String(lateEntryDays)} days after they ` +
    'happened (`createdAt` against `completedAt` / `consumedAt`: enough for a phone that was ' +
    'offline for a while, not for back-filling a year) and entries imported from another app ' +
    'earn no points and do not count toward the caps or the daily goal; they do count toward ' +
    'achievements.',
  '',
  'Awards are written in the transaction that records the activity. Editing an entry or a meal ' +
    'recomputes what each entry and meal of its day is worth and writes the difference; deleting ' +
    'one takes back what it held (a negative row whose `reversesId` is the award it takes back ' +
    'from), and may let another entry of the day move under the cap. Achievement bonuses stay, ' +
    'as unlocks do. `totalPoints` is always the sum of the ledger.',
].join('\n');

/** A set counts as completed when it has repetitions or a duration (a cardio set). */
export function isCompletedSet(set: { reps: number; durationSec: number | null }): boolean {
  return set.reps >= 1 || (set.durationSec ?? 0) >= 1;
}

/**
 * Whether an entry or meal earns points: recorded (`recordedAt`) within a week of when it
 * happened, and not imported from another app's history.
 */
export function earnsPoints(entry: { happenedAt: Date; recordedAt: Date; imported: boolean }) {
  const lateByMs = entry.recordedAt.getTime() - entry.happenedAt.getTime();
  return !entry.imported && lateByMs <= lateEntryDays * 86_400_000;
}

/** A log entry of the day as the set rule sees it. */
export interface DayLogEntry {
  id: string;
  completedAt: Date;
  completedSets: number;
  earnsPoints: boolean;
}

/** A meal of the day as the meal rule sees it. */
export interface DayMeal {
  id: string;
  consumedAt: Date;
  earnsPoints: boolean;
}

/** What one source is worth under one rule. */
export interface Award {
  rule: PointRuleName;
  sourceKind: PointSourceKind;
  /** Null when the source is the day itself. */
  sourceId: string | null;
  amount: number;
}

/** What one source holds under one rule: the sum of its ledger rows for the day. */
export interface HeldPoints extends Award {
  /** The newest positive row, which a negative row takes back from. */
  latestAwardId: string | null;
}

/** A row to write: the difference between what a source is worth and what it holds. */
export interface LedgerDelta extends Award {
  reversesId: string | null;
}

const chronological = <T extends { id: string }>(at: (item: T) => Date) => {
  return (a: T, b: T) =>
    at(a).getTime() - at(b).getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
};

/**
 * What each log entry and meal of one day is worth, and the day's goal bonus: sets and meals
 * that earn points fill the day's caps in time order (ties by id), so the result depends only
 * on the rows.
 */
export function dayAwards(day: { logs: DayLogEntry[]; meals: DayMeal[] }): Award[] {
  const awards: Award[] = [];
  const { completedSet, loggedMeal, dailyGoal } = pointRules;
  const logs = day.logs.filter((log) => log.earnsPoints);

  let setsLeft: number = completedSet.perDay;
  for (const log of logs.sort(chronological((entry) => entry.completedAt))) {
    const counted = Math.min(log.completedSets, setsLeft);
    setsLeft -= counted;
    if (counted > 0) {
      awards.push({
        rule: completedSet.name,
        sourceKind: 'workout-log',
        sourceId: log.id,
        amount: counted * completedSet.points,
      });
    }
  }

  const meals = day.meals
    .filter((meal) => meal.earnsPoints)
    .sort(chronological((meal) => meal.consumedAt));
  for (const meal of meals.slice(0, loggedMeal.perDay)) {
    awards.push({
      rule: loggedMeal.name,
      sourceKind: 'meal-log',
      sourceId: meal.id,
      amount: loggedMeal.points,
    });
  }

  const completedSets = logs.reduce((sum, log) => sum + log.completedSets, 0);
  if (completedSets >= dailyGoal.completedSets && meals.length >= dailyGoal.meals) {
    awards.push({
      rule: dailyGoal.name,
      sourceKind: 'day',
      sourceId: null,
      amount: dailyGoal.points,
    });
  }
  return awards;
}

const sourceKey = (award: Pick<Award, 'rule' | 'sourceKind' | 'sourceId'>) =>
  `${award.rule}\u0000${award.sourceKind}\u0000${award.sourceId ?? ''}`;

/**
 * The rows that bring what each source holds to what it is worth: one per source whose worth
 * changed, in a stable order. A source no longer worth anything (deleted, moved to another day,
 * pushed past the cap) gets a negative row for all it holds.
 */
export function ledgerDeltas(worth: Award[], held: HeldPoints[]): LedgerDelta[] {
  const bySource = new Map<string, { award: Award; worth: number; held?: HeldPoints }>();
  for (const award of worth) {
    bySource.set(sourceKey(award), { award, worth: award.amount });
  }
  for (const holding of held) {
    const key = sourceKey(holding);
    const entry = bySource.get(key);
    if (entry) entry.held = holding;
    else bySource.set(key, { award: holding, worth: 0, held: holding });
  }
  const deltas: LedgerDelta[] = [];
  for (const [, entry] of [...bySource].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const amount = entry.worth - (entry.held?.amount ?? 0);
    if (amount === 0) continue;
    deltas.push({
      rule: entry.award.rule,
      sourceKind: entry.award.sourceKind,
      sourceId: entry.award.sourceId,
      amount,
      reversesId: amount < 0 ? (entry.held?.latestAwardId ?? null) : null,
    });
  }
  return deltas;
}
