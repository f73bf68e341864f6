/**
 * The local date-times other apps write into their exports. Neither Strong nor Hevy says which
 * time zone a workout was in: their times are the phone's wall clock, so they are read as wall
 * clock times and placed in the member's zone.
 */

/** A date and time of day without a zone, as an export writes it. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** 1–12 for an English month name, its three-letter abbreviation, or `Sept`. */
function monthOf(name: string): number | undefined {
  const lower = name.toLowerCase();
  const index = MONTH_NAMES.findIndex(
    (full) =>
      full === lower || full.slice(0, 3) === lower || (full === 'september' && lower === 'sept'),
  );
  return index === -1 ? undefined : index + 1;
}

/** 12-hour clock to 24-hour: 12 AM is 0, 12 PM is 12. Undefined when the hour cannot be. */
function hourOf(hour: number, meridiem: string | undefined): number | undefined {
  if (meridiem === undefined) return hour;
  if (hour < 1 || hour > 12) return undefined;
  return (hour % 12) + (meridiem.toLowerCase() === 'p' ? 12 : 0);
}

function wallTime(
  year: number,
  month: number | undefined,
  day: number,
  hour: number | undefined,
  minute: number,
  second: number,
): WallTime | undefined {
  if (month === undefined || hour === undefined) return undefined;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  // Date.UTC rolls 31 April over into May; a day that rolls over does not exist.
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return undefined;
  return { year, month, day, hour, minute, second };
}

const isNumber = (token: string, digits: number) =>
  token.length >= 1 && token.length <= digits && /^\d+$/.test(token);

/** Year, month and day from the date tokens: `2024-03-05`, `14 Mar 2024`, `Mar 14 2024`. */
function dateOf(tokens: string[]): [number, number | undefined, number] | undefined {
  if (tokens.length === 1) {
    const parts = (tokens[0] ?? '').split('-');
    const [year = '', month = '', day = ''] = parts;
    if (!(
      parts.length === 3 &&
      year.length === 4 &&
      isNumber(year, 4) &&
      isNumber(month, 2) &&
      isNumber(day, 2)
    )) {
      return undefined;
    }
    return [Number(year), Number(month), Number(day)];
  }
  if (tokens.length !== 3) return undefined;
  const [first = '', second = '', year = ''] = tokens.map((token) => token.replace(/\.$/, ''));
  if (!(year.length === 4 && isNumber(year, 4))) return undefined;
  if (isNumber(first, 2)) return [Number(year), monthOf(second), Number(first)];
  if (isNumber(second, 2)) return [Number(year), monthOf(first), Number(second)];
  return undefined;
}

/** Hours, minutes and seconds from `18:01:12`, `8:15` or `18:01:12.345` (fraction dropped). */
function timeOf(token: string): [number, number, number] | undefined {
  const [hour = '', minute = '', second = '0', ...rest] = token.split(':');
  const whole = second.split('.')[0] ?? '';
  if (rest.length > 0 || !isNumber(hour, 2) || minute.length !== 2 || !isNumber(minute, 2)) {
    return undefined;
  }
  if (!isNumber(whole, 2)) return undefined;
  return [Number(hour), Number(minute), Number(whole)];
}

/**
 * The wall time of a Strong or Hevy date cell; undefined when it is none of their layouts:
 * Strong's `2024-03-05 18:01:12` (newer iOS builds: `2024-03-05 6:01:12 PM`, often with a
 * U+202F before the meridiem), Hevy's `14 Mar 2024, 08:15` and, in US English,
 * `Mar 14, 2024, 8:15 AM`. An ISO `T` between date and time is taken too.
 */
export function parseWallTime(text: string): WallTime | undefined {
  const tokens = text
    .replace(/^(\d{4}-\d{1,2}-\d{1,2})T/, '$1 ')
    .replace(/[\s\u202f,]+/g, ' ')
    .trim()
    .split(' ');
  let meridiem: string | undefined;
  const last = (tokens.at(-1) ?? '').toLowerCase().replaceAll('.', '');
  if (last === 'am' || last === 'pm') {
    meridiem = last.charAt(0);
    tokens.pop();
  } else if (last.endsWith('am') || last.endsWith('pm')) {
    // `6:05PM`, the meridiem stuck to the time.
    meridiem = last.charAt(last.length - 2);
    tokens[tokens.length - 1] = last.slice(0, -2);
  }
  const time = timeOf(tokens.pop() ?? '');
  const date = dateOf(tokens);
  if (!time || !date) return undefined;
  const [year, month, day] = date;
  const [hour, minute, second] = time;
  return wallTime(year, month, day, hourOf(hour, meridiem), minute, second);
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `YYYY-MM-DDTHH:MM:SS`, the same text whichever layout the time was written in. */
export function formatWallTime(wall: WallTime): string {
  return (
    `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}` +
    `T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}`
  );
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Building a formatter costs far more than using one; a file has one zone for all its rows. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** How far the zone's clocks are ahead of UTC at the instant (whole seconds), in milliseconds. */
function zoneOffsetMs(instant: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const field = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((part) => part.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    field('year'),
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
  );
  return asUtc - instant;
}

const DAY_MS = 86_400_000;

/**
 * The instant the wall clock of `timeZone` showed `wall`. A time that happened twice (clocks
 * set back) is its first occurrence; a time skipped when clocks went forward lands as late as
 * the skip (02:30 on a spring-forward night is 03:30).
 */
export function instantOf(wall: WallTime, timeZone: string): Date {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  // Zones change offset at most once in a day: the offsets a day before and after cover both.
  const offsetBefore = zoneOffsetMs(asUtc - DAY_MS, timeZone);
  const offsetAfter = zoneOffsetMs(asUtc + DAY_MS, timeZone);
  const matching = [offsetBefore, offsetAfter]
    .map((offset) => asUtc - offset)
    .filter((instant) => instant + zoneOffsetMs(instant, timeZone) === asUtc);
  return new Date(matching.length > 0 ? Math.min(...matching) : asUtc - offsetBefore);
}
