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
