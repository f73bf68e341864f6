import { describe, expect, it } from 'vitest';
import {
  dayAwards,
  earnsPoints,
  isCompletedSet,
  ledgerDeltas,
  pointRules,
  type DayLogEntry,
  type HeldPoints,
} from './point-rules.js';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const log = (n: number, hour: number, completedSets: number, earns = true): DayLogEntry => ({
  id: id(n),
  completedAt: new Date(`2026-03-01T${String(hour).padStart(2, '0')}:00:00Z`),
  completedSets,
  earnsPoints: earns,
});
const meal = (n: number, hour: number, earns = true) => ({
  id: id(100 + n),
  consumedAt: new Date(`2026-03-01T${String(hour).padStart(2, '0')}:00:00Z`),
  earnsPoints: earns,
});
const worthOf = (awards: ReturnType<typeof dayAwards>, sourceId: string | null) =>
  awards.filter((award) => award.sourceId === sourceId).reduce((sum, a) => sum + a.amount, 0);

describe('completed sets', () => {
  it('when a set has reps or a duration, then it is completed; zero of both is not', () => {
    expect(isCompletedSet({ reps: 1, durationSec: null })).toBe(true);
    expect(isCompletedSet({ reps: 0, durationSec: 600 })).toBe(true);
    expect(isCompletedSet({ reps: 0, durationSec: null })).toBe(false);
    expect(isCompletedSet({ reps: 0, durationSec: 0 })).toBe(false);
  });
});

describe('late and imported entries', () => {
  const happenedAt = new Date('2026-03-01T12:00:00Z');
  const later = (days: number) => new Date(happenedAt.getTime() + days * 86_400_000);

  it('when an entry is recorded within 7 days of happening, then it earns points; later, or imported, it does not', () => {
    expect(earnsPoints({ happenedAt, recordedAt: later(0), imported: false })).toBe(true);
    expect(earnsPoints({ happenedAt, recordedAt: later(7), imported: false })).toBe(true);
    expect(earnsPoints({ happenedAt, recordedAt: later(7.01), imported: false })).toBe(false);
    expect(earnsPoints({ happenedAt, recordedAt: later(-0.01), imported: false })).toBe(true);
    expect(earnsPoints({ happenedAt, recordedAt: later(0), imported: true })).toBe(false);
  });

  it('when entries and meals earn no points, then they take no room under the caps and do not make the daily goal', () => {
    const backfilled = log(1, 8, 40, false);
    const live = log(2, 9, 12);
    const meals = [meal(1, 7, false), meal(2, 12), meal(3, 19)];
    const awards = dayAwards({ logs: [backfilled, live], meals });
    expect(worthOf(awards, backfilled.id)).toBe(0);
    expect(worthOf(awards, live.id)).toBe(24);
    expect(worthOf(awards, id(101))).toBe(0);
    expect(awards.filter((award) => award.rule === 'daily-goal')).toEqual([]);
  });
});

describe('dayAwards', () => {
  it('when the day has more completed sets than the cap, then the earliest entries fill it whatever the input order', () => {
    const early = log(1, 9, 30);
    const late = log(2, 10, 30);
    for (const logs of [
      [early, late],
      [late, early],
    ]) {
      const awards = dayAwards({ logs, meals: [] });
      expect(worthOf(awards, early.id)).toBe(30 * pointRules.completedSet.points);
      expect(worthOf(awards, late.id)).toBe(10 * pointRules.completedSet.points);
    }
  });

  it('when two entries share a time, then the id decides which comes first', () => {
    const a = log(1, 9, 35);
    const b = { ...log(2, 9, 35) };
    const awards = dayAwards({ logs: [b, a], meals: [] });
    expect(worthOf(awards, a.id)).toBe(70);
    expect(worthOf(awards, b.id)).toBe(10);
  });

  it('when an entry has no completed set, then it earns nothing and gets no award row', () => {
    expect(dayAwards({ logs: [log(1, 9, 0)], meals: [] })).toEqual([]);
  });

  it('when the day has seven meals, then the five earliest earn points', () => {
    const meals = [7, 6, 5, 4, 3, 2, 1].map((n) => meal(n, 6 + n));
    const awards = dayAwards({ logs: [], meals });
    expect(awards.map((award) => award.sourceId).sort()).toEqual(
      [1, 2, 3, 4, 5].map((n) => id(100 + n)),
    );
    expect(awards.every((award) => award.amount === pointRules.loggedMeal.points)).toBe(true);
  });

  it('when the day reaches 10 completed sets and 3 meals, then the daily goal is worth its points; one short is worth nothing', () => {
    const meals = [meal(1, 8), meal(2, 12), meal(3, 19)];
    const goal = (awards: ReturnType<typeof dayAwards>) =>
      awards.filter((award) => award.rule === 'daily-goal');
    expect(goal(dayAwards({ logs: [log(1, 9, 4), log(2, 10, 6)], meals }))).toEqual([
      { rule: 'daily-goal', sourceKind: 'day', sourceId: null, amount: 20 },
    ]);
    expect(goal(dayAwards({ logs: [log(1, 9, 9)], meals }))).toEqual([]);
    expect(goal(dayAwards({ logs: [log(1, 9, 10)], meals: meals.slice(0, 2) }))).toEqual([]);
  });
});

describe('ledgerDeltas', () => {
  const held = (sourceId: string, amount: number, latestAwardId: string): HeldPoints => ({
    rule: 'completed-set',
    sourceKind: 'workout-log',
    sourceId,
    amount,
    latestAwardId,
  });
  const worth = (sourceId: string, amount: number) => ({
    rule: 'completed-set' as const,
    sourceKind: 'workout-log' as const,
    sourceId,
    amount,
  });

  it('when nothing changed, then no row is written', () => {
    expect(ledgerDeltas([worth(id(1), 6)], [held(id(1), 6, id(50))])).toEqual([]);
  });

  it('when a source is new or worth more, then a positive row for the difference', () => {
    expect(ledgerDeltas([worth(id(1), 6), worth(id(2), 4)], [held(id(1), 2, id(50))])).toEqual([
      { ...worth(id(1), 4), reversesId: null },
      { ...worth(id(2), 4), reversesId: null },
    ]);
  });

  it('when a source is worth less, then a negative row that points at its newest award', () => {
    expect(ledgerDeltas([worth(id(1), 2)], [held(id(1), 6, id(50))])).toEqual([
      { ...worth(id(1), -4), reversesId: id(50) },
    ]);
  });

  it('when a source is gone, then a negative row for all it holds', () => {
    expect(ledgerDeltas([], [held(id(1), 6, id(50))])).toEqual([
      { ...worth(id(1), -6), reversesId: id(50) },
    ]);
  });

  it('when the day goal and an entry share no source id, then each is reconciled on its own', () => {
    const goal = { rule: 'daily-goal' as const, sourceKind: 'day' as const, sourceId: null };
    expect(
      ledgerDeltas([worth(id(1), 2)], [{ ...goal, amount: 20, latestAwardId: id(60) }]),
    ).toEqual([
      { ...worth(id(1), 2), reversesId: null },
      { ...goal, amount: -20, reversesId: id(60) },
    ]);
  });
});
