import { z } from '../zod.js';

// Building a formatter costs far more than using one (the reminder scheduler resolves thousands
// of local times per tick), so each zone's formatters are built once per process.
const dayFormats = new Map<string, Intl.DateTimeFormat>();
const wallClockFormats = new Map<string, Intl.DateTimeFormat>();

function cachedFormat(
  cache: Map<string, Intl.DateTimeFormat>,
  timeZone: string,
  build: () => Intl.DateTimeFormat,
): Intl.DateTimeFormat {
  let format = cache.get(timeZone);
  if (!format) {
    format = build();
    cache.set(timeZone, format);
  }
  return format;
}

/** `YYYY-MM-DD` of the instant in the time zone. */
export function localDay(at: Date, timeZone: string): string {
  // en-CA formats dates as ISO does.
  return cachedFormat(
    dayFormats,
    timeZone,
    () =>
      new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      }),
  ).format(at);
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
  const parts = cachedFormat(
    wallClockFormats,
    timeZone,
    () =>
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }),
  ).formatToParts(at);
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
 * The instant at which the time zone's wall clock shows `timeOfDayMs` on `day` (`YYYY-MM-DD`),
 * read as iCalendar (RFC 5545 §3.3.5) and Temporal's `compatible` disambiguation do: a wall time
 * that a daylight-saving change skips is read with the offset from before the change, i.e.
 * moved forward by the change (New York's 02:30 on a spring-forward day is 03:30 EDT); one that
 * the change repeats is its first instant (01:30 on an autumn day is 01:30 daylight time).
 */
export function instantOnLocalDay(day: string, timeOfDayMs: number, timeZone: string): Date {
  const [year = 0, month = 1, date = 1] = day.split('-').map(Number);
  const wall = Date.UTC(year, month - 1, date) + timeOfDayMs;
  const offsetAt = (instant: number) =>
    wallClockAsUtc(new Date(instant), timeZone) - Math.floor(instant / 1000) * 1000;
  // The offsets in force a day either side bracket any change near the wall time (no zone
  // changes twice within two days); each gives a candidate instant.
  const before = offsetAt(wall - MS_PER_DAY);
  const after = offsetAt(wall + MS_PER_DAY);
  // The same offset either side: no change near this day (the common case, and the cheap one).
  if (before === after) return new Date(wall - before);
  const candidates = [wall - before, wall - after, wall - offsetAt(wall)];
  const reading = candidates.filter((instant) => offsetAt(instant) === wall - instant);
  // Repeated: both read the wall time, the earlier is the first. Skipped: neither does, and the
  // wall time read with the earlier offset is the later instant.
  return new Date(reading.length > 0 ? Math.min(...reading) : wall - Math.min(before, after));
}
