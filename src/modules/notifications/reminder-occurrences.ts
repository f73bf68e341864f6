import { addDays } from '../../lib/time/calendar-days.js';
import { instantOnLocalDay, localDay } from '../../lib/time/local-day.js';

/** Days of the week as the API names them, Monday first (ISO order). */
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

/** When a reminder repeats: weekdays as bits (Monday 1 … Sunday 64), a local time, a zone. */
export interface ReminderTiming {
  daysMask: number;
  minuteOfDay: number;
  timeZone: string;
}

const MS_PER_MINUTE = 60_000;
// Enough local days either side of an instant to hold one occurrence of any weekly pattern,
// with a day to spare for wall times that a clock change moves across midnight.
const SEARCH_DAYS = 8;

/** The bits of a set of weekdays. */
export function daysMaskOf(days: readonly Weekday[]): number {
  return days.reduce((mask, day) => mask | (1 << weekdays.indexOf(day)), 0);
}

/** The weekdays of a mask, Monday first. */
export function weekdaysOf(mask: number): Weekday[] {
  return weekdays.filter((_, index) => (mask & (1 << index)) !== 0);
}

/** `HH:MM` of minutes since midnight. */
export function formatMinuteOfDay(minuteOfDay: number): string {
  const hours = Math.floor(minuteOfDay / 60);
  return `${String(hours).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
}

/** Minutes since midnight of `HH:MM` (already validated). */
export function parseMinuteOfDay(time: string): number {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

function isScheduledOn(mask: number, day: string): boolean {
  // getUTCDay: Sunday 0 … Saturday 6; the mask counts from Monday.
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  return (mask & (1 << weekday)) !== 0;
}

/**
 * The instant a reminder fires on a scheduled local day: its wall time there, read as
 * `instantOnLocalDay` does. A time that a spring-forward change skips fires that much later
 * (02:30 in New York on the March change day fires at 03:30 EDT); a time that an autumn
 * change repeats fires at its first instant only (01:30 BST in London, not 01:30 GMT).
 */
function occurrenceOn(timing: ReminderTiming, day: string): Date {
  return instantOnLocalDay(day, timing.minuteOfDay * MS_PER_MINUTE, timing.timeZone);
}

/** The first occurrence strictly after `after`. */
export function nextOccurrence(timing: ReminderTiming, after: Date): Date {
  const today = localDay(after, timing.timeZone);
  // Occurrences grow with their local day, so the first one past `after` is the answer.
  for (let offset = -1; offset <= SEARCH_DAYS; offset++) {
    const day = addDays(today, offset);
    if (!isScheduledOn(timing.daysMask, day)) continue;
    const at = occurrenceOn(timing, day);
    if (at > after) return at;
  }
  throw new Error('a reminder must repeat on at least one day of the week');
}

/** The last occurrence at or before `atOrBefore`. */
export function latestOccurrence(timing: ReminderTiming, atOrBefore: Date): Date {
  const today = localDay(atOrBefore, timing.timeZone);
  for (let offset = 1; offset >= -SEARCH_DAYS; offset--) {
    const day = addDays(today, offset);
    if (!isScheduledOn(timing.daysMask, day)) continue;
    const at = occurrenceOn(timing, day);
    if (at <= atOrBefore) return at;
  }
  throw new Error('a reminder must repeat on at least one day of the week');
}
