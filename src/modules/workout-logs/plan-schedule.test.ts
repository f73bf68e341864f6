import { describe, expect, it } from 'vitest';
import { isoWeekday, planDayOn, trainingWeekdays, type ScheduledPlan } from './plan-schedule.js';

const planOf = (dayOrders: number[]): ScheduledPlan => ({
  id: '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6',
  planName: 'Test plan',
  workoutDays: dayOrders.map((dayOrder) => ({
    dayOrder,
    muscleGroup: `Day ${String(dayOrder)}`,
    exercises: [],
  })),
});

// 2026-11-23 is a Monday; the week runs to Sunday 2026-11-29.
const week = ['23', '24', '25', '26', '27', '28', '29'].map((day) => `2026-11-${day}`);

/** Which plan day (by dayOrder) falls on each day of the week, 0 for rest. */
const schedule = (plan: ScheduledPlan) => week.map((day) => planDayOn(plan, day)?.dayOrder ?? 0);

describe('plan days on weekdays', () => {
  it('when a day is given, then its ISO weekday counts from Monday', () => {
    expect(week.map(isoWeekday)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(isoWeekday('2024-02-29')).toBe(4);
  });

  it.each([
    [1, [1, 0, 0, 0, 0, 0, 0]],
    [2, [1, 0, 0, 2, 0, 0, 0]],
    [3, [1, 0, 2, 0, 3, 0, 0]],
    [4, [1, 2, 0, 3, 4, 0, 0]],
    [5, [1, 2, 3, 4, 5, 0, 0]],
    [6, [1, 2, 3, 4, 5, 6, 0]],
    [7, [1, 2, 3, 4, 5, 6, 7]],
  ])(
    'when a plan has %i days a week, then they fall on the documented weekdays',
    (days, expected) => {
      const plan = planOf(Array.from({ length: days }, (_, index) => index + 1));
      expect(schedule(plan)).toEqual(expected);
      expect(trainingWeekdays[days]).toHaveLength(days);
    },
  );

  it('when dayOrders are out of order or not consecutive, then they are placed in dayOrder', () => {
    expect(schedule(planOf([5, 2, 9]))).toEqual([2, 0, 5, 0, 9, 0, 0]);
  });

  it('when a plan has more than seven days, then its first seven fill the week', () => {
    const long = planOf(Array.from({ length: 10 }, (_, index) => index + 1));
    expect(schedule(long)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('when a plan has no days, then every day is a rest day', () => {
    expect(schedule(planOf([]))).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });
});
