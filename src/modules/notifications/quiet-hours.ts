import { instantOnLocalDay, localDay, localTimeOfDay } from '../../lib/time/local-day.js';

/** Local wall-clock times `HH:MM`; `start` after `end` spans midnight (22:00–07:00). */
export interface QuietHours {
  start: string;
  end: string;
}

const MS_PER_MINUTE = 60_000;

const msOf = (time: string) => {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return (hours * 60 + minutes) * MS_PER_MINUTE;
};

const nextDay = (day: string) => {
  const [year = 0, month = 1, date = 1] = day.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, date + 1)).toISOString().slice(0, 10);
};

/**
 * When the quiet hours `now` falls in end, as an instant, or undefined when `now` is not in
 * them. Start is inclusive, end exclusive, both read on the member's wall clock in `timeZone`,
 * so the end follows daylight-saving changes (an end the change skips moves forward with it).
 */
export function quietHoursEnd(now: Date, quiet: QuietHours, timeZone: string): Date | undefined {
  const time = localTimeOfDay(now, timeZone);
  const start = msOf(quiet.start);
  const end = msOf(quiet.end);
  const spansMidnight = start > end;
  const inside = spansMidnight ? time >= start || time < end : time >= start && time < end;
  if (!inside) return undefined;
  const today = localDay(now, timeZone);
  // After the start on the evening side of midnight, the quiet hours end tomorrow.
  const endDay = spansMidnight && time >= start ? nextDay(today) : today;
  const endsAt = instantOnLocalDay(endDay, end, timeZone);
  return endsAt.getTime() > now.getTime() ? endsAt : undefined;
}
