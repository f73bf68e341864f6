/**
 * Arithmetic on calendar days written `YYYY-MM-DD`. A day here is a date on the member's
 * calendar, not an instant, so it is computed on UTC midnights where no offset or daylight
 * saving change can shift it.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** UTC midnight of the day. `new Date('0099-…')` keeps the year, unlike `Date.UTC`. */
export function startOfDayUtc(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

const toDay = (date: Date) => date.toISOString().slice(0, 10);

/** The day `count` days after `day` (before it when negative). */
export function addDays(day: string, count: number): string {
  return toDay(new Date(startOfDayUtc(day).getTime() + count * DAY_MS));
}

/** How many days `from` to `to` span, both included (1 when they are the same day). */
export function daysSpanned(from: string, to: string): number {
  return Math.round((startOfDayUtc(to).getTime() - startOfDayUtc(from).getTime()) / DAY_MS) + 1;
}

/** The Monday that starts the ISO week of the day. */
export function isoWeekStart(day: string): string {
  const weekday = startOfDayUtc(day).getUTCDay(); // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7));
}

/**
 * The ISO 8601 week of the day, e.g. `2026-W01`: weeks start on Monday and belong to the year
 * of their Thursday, so Monday 2024-12-30 is in 2025-W01.
 */
export function isoWeekOf(day: string): string {
  const thursday = addDays(isoWeekStart(day), 3);
  const year = thursday.slice(0, 4);
  const week = Math.floor((daysSpanned(`${year}-01-01`, thursday) - 1) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The Mondays of every ISO week that overlaps `from`…`to`, in order. */
export function isoWeeksOverlapping(from: string, to: string): string[] {
  const weeks: string[] = [];
  for (let monday = isoWeekStart(from); monday <= to; monday = addDays(monday, 7)) {
    weeks.push(monday);
  }
  return weeks;
}
