/**
 * The calendar periods points are summed over (leaderboards): ISO weeks starting on Monday and
 * calendar months. A ledger row belongs to the period that contains its `day` (the member-local
 * day it is for), compared as a date: a period is the dates [start, next start). Which period
 * is "current" depends on whose calendar asks (a branch's time zone); which period a row falls
 * in does not, so per-period sums can be kept as the rows are written.
 */

/** The periods with kept sums; `all` (lifetime) is `users.total_points`. */
export const pointPeriods = ['week', 'month'] as const;
export type PointPeriod = (typeof pointPeriods)[number];

const MS_PER_DAY = 86_400_000;

const asDate = (day: string) => new Date(`${day}T00:00:00Z`);
const asDay = (date: Date) => date.toISOString().slice(0, 10);

/** The first day (`YYYY-MM-DD`) of the period that contains `day`. */
export function periodStart(period: PointPeriod, day: string): string {
  const date = asDate(day);
  if (period === 'month') return `${day.slice(0, 7)}-01`;
  // getUTCDay: Sunday 0 … Saturday 6; Monday starts the ISO week.
  const sinceMonday = (date.getUTCDay() + 6) % 7;
  return asDay(new Date(date.getTime() - sinceMonday * MS_PER_DAY));
}

/** The first day after the period that starts on `start`. */
export function periodEnd(period: PointPeriod, start: string): string {
  const date = asDate(start);
  if (period === 'week') return asDay(new Date(date.getTime() + 7 * MS_PER_DAY));
  return asDay(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)));
}
