import { describe, expect, it } from 'vitest';
import { instantOnLocalDay, localDay, localTimeOfDay } from './local-day.js';

const HOUR = 3600_000;

describe('localTimeOfDay and instantOnLocalDay', () => {
  it('when an instant is read in a zone, then its time of day is the wall clock there', () => {
    // 03:30:00.250 UTC is 23:30:00.250 the evening before in New York (EDT).
    expect(localTimeOfDay(new Date('2026-03-10T03:30:00.250Z'), 'America/New_York')).toBe(
      23.5 * HOUR + 250,
    );
    expect(localTimeOfDay(new Date('2026-07-01T18:29:24Z'), 'Asia/Kolkata')).toBe(
      23 * HOUR + 59 * 60_000 + 24_000,
    );
  });

  it.each([
    ['2026-03-09', 23.5 * HOUR, 'America/New_York', '2026-03-10T03:30:00.000Z'],
    ['2026-07-04', 8.25 * HOUR, 'Europe/Berlin', '2026-07-04T06:15:00.000Z'],
    ['2026-01-04', 8.25 * HOUR, 'Europe/Berlin', '2026-01-04T07:15:00.000Z'],
    ['2026-07-01', 0, 'Pacific/Chatham', '2026-06-30T11:15:00.000Z'],
    ['2026-07-01', 12 * HOUR + 1234, 'UTC', '2026-07-01T12:00:01.234Z'],
  ])('when %s at %d ms is asked in %s, then the instant is %s', (day, time, zone, expected) => {
    const instant = instantOnLocalDay(day, time, zone);
    expect(instant.toISOString()).toBe(expected);
    expect(localDay(instant, zone)).toBe(day);
    expect(localTimeOfDay(instant, zone)).toBe(time);
  });

  it('when the wall time is skipped by a clock change, then it moves forward by the change', () => {
    // London skips 01:00–02:00 on 29 March 2026: 01:30 becomes 02:30 BST (01:30 UTC).
    const instant = instantOnLocalDay('2026-03-29', 1.5 * HOUR, 'Europe/London');
    expect(instant.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(localTimeOfDay(instant, 'Europe/London')).toBe(2.5 * HOUR);
  });

  it('when the wall time is repeated by a clock change, then its first instant is given', () => {
    // London repeats 01:00–02:00 on 25 October 2026: 00:30 UTC (BST) comes before 01:30 UTC.
    const instant = instantOnLocalDay('2026-10-25', 1.5 * HOUR, 'Europe/London');
    expect(instant.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(localTimeOfDay(instant, 'Europe/London')).toBe(1.5 * HOUR);
    // New York repeats 01:00–02:00 on 1 November 2026: 05:30 UTC (EDT) before 06:30 UTC (EST).
    expect(instantOnLocalDay('2026-11-01', 1.5 * HOUR, 'America/New_York').toISOString()).toBe(
      '2026-11-01T05:30:00.000Z',
    );
  });

  it('when the wall time is skipped in New York, then it is read with the offset before the change', () => {
    // 02:00 EST becomes 03:00 EDT on 8 March 2026: 02:30 is 03:30 EDT (07:30 UTC).
    expect(instantOnLocalDay('2026-03-08', 2.5 * HOUR, 'America/New_York').toISOString()).toBe(
      '2026-03-08T07:30:00.000Z',
    );
  });
});
