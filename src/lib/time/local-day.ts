import { z } from '../zod.js';

/** `YYYY-MM-DD` of the instant in the time zone. */
export function localDay(at: Date, timeZone: string): string {
  // en-CA formats dates as ISO does.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/** An IANA zone the runtime knows, so local days can be computed in it. */
export const timeZoneSchema = z
  .string()
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/London');

const MS_PER_DAY = 24 * 60 * 60 * 1000;

/** The wall clock of the instant in the time zone, as if it were UTC (whole seconds). */
function wallClockAsUtc(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((entry) => entry.type === type)?.value);
  return Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
}

/** Milliseconds since local midnight of the instant in the time zone. */
export function localTimeOfDay(at: Date, timeZone: string): number {
  return (wallClockAsUtc(at, timeZone) % MS_PER_DAY) + at.getUTCMilliseconds();
}

/**
 * The instant at which the time zone's wall clock shows `timeOfDayMs` on `day` (`YYYY-MM-DD`).
 * A wall time that a daylight-saving change skips is moved forward by the change; one that it
 * repeats is one of its two instants.
 */
export function instantOnLocalDay(day: string, timeOfDayMs: number, timeZone: string): Date {
  const [year = 0, month = 1, date = 1] = day.split('-').map(Number);
  const wall = Date.UTC(year, month - 1, date) + timeOfDayMs;
  const offsetAt = (instant: number) =>
    wallClockAsUtc(new Date(instant), timeZone) - Math.floor(instant / 1000) * 1000;
  // The offset at a first guess, then at the instant it gives: equal unless a change lies
  // between them.
  const guess = wall - offsetAt(wall);
  const settled = wall - offsetAt(guess);
  if (settled === guess || offsetAt(settled) === wall - settled) return new Date(settled);
  // Neither offset reads the wall time: it is skipped. The later instant is the wall time
  // read with the offset from before the change, i.e. moved forward by it.
  return new Date(Math.max(guess, settled));
}
