import type { PersonalRecordKind } from './workout-logs.table.js';

/**
 * Epley's estimate of the one-repetition maximum: weight × (1 + reps / 30). One rep is the
 * weight itself (the formula would add 3 %); no weight or no reps, no estimate. The migration
 * that brought socket sets into the logs computes it with the same float operations.
 */
export function estimatedOneRepMaxKg(reps: number, weightKg: number | null): number | null {
  if (weightKg === null || weightKg <= 0 || reps < 1) return null;
  if (reps === 1) return weightKg;
  return weightKg * (1 + reps / 30);
}

/**
 * What an entry scores for each record kind (null when it has no value): its best set's e1RM,
 * its heaviest set with at least one rep, its most reps in a set, its volume (Σ reps × weight,
 * to three decimals). The repository computes these in SQL, the one place they come from.
 */
export type RecordMetrics = Record<PersonalRecordKind, number | null>;

/** The best value of each kind so far (null before any). */
export type RecordBests = Record<PersonalRecordKind, number | null>;

export const noBests = (): RecordBests => ({ e1rm: null, weight: null, reps: null, volume: null });

const kinds: readonly PersonalRecordKind[] = ['e1rm', 'weight', 'reps', 'volume'];

/**
 * The records an entry sets after entries whose bests are `bests`: every kind it has a positive
 * value for that beats the best so far (strictly: equalling a record does not set it). Returns
 * the kinds and the bests including this entry.
 */
export function recordsSet(
  metrics: RecordMetrics,
  bests: RecordBests,
): { kinds: PersonalRecordKind[]; bests: RecordBests } {
  const set: PersonalRecordKind[] = [];
  const next = { ...bests };
  for (const kind of kinds) {
    const value = metrics[kind];
    if (value === null || value <= 0) continue;
    const best = bests[kind];
    if (best === null || value > best) {
      set.push(kind);
      next[kind] = value;
    }
  }
  return { kinds: set, bests: next };
}

/** Whether two flag lists say the same (order aside). */
export const sameKinds = (a: readonly PersonalRecordKind[], b: readonly PersonalRecordKind[]) =>
  a.length === b.length && a.every((kind) => b.includes(kind));
