import { describe, expect, it } from 'vitest';
import { quietHoursEnd } from './quiet-hours.js';

const night = { start: '22:00', end: '07:00' };

describe('quiet hours', () => {
  it('when it is late evening in the zone, then they end at the local end time the next morning', () => {
    // 23:30 in Berlin (UTC+1 in winter) → 07:00 Berlin the next day = 06:00 UTC.
    expect(quietHoursEnd(new Date('2026-01-14T22:30:00Z'), night, 'Europe/Berlin')).toEqual(
      new Date('2026-01-15T06:00:00Z'),
    );
  });

  it('when it is after midnight, then they end the same morning', () => {
    expect(quietHoursEnd(new Date('2026-01-15T02:00:00Z'), night, 'Europe/Berlin')).toEqual(
      new Date('2026-01-15T06:00:00Z'),
    );
  });

  it('when it is daytime, or exactly the end time, then there are no quiet hours', () => {
    expect(quietHoursEnd(new Date('2026-01-15T12:00:00Z'), night, 'Europe/Berlin')).toBeUndefined();
    expect(quietHoursEnd(new Date('2026-01-15T06:00:00Z'), night, 'Europe/Berlin')).toBeUndefined();
  });

  it('when the night crosses the spring-forward change, then the end is read on the new offset', () => {
    // 2026-03-29 Europe/Berlin: 02:00 CET becomes 03:00 CEST. 23:00 CET on the 28th = 22:00 UTC;
    // 07:00 CEST on the 29th = 05:00 UTC (eight hours of wall clock, seven of real time).
    expect(quietHoursEnd(new Date('2026-03-28T22:00:00Z'), night, 'Europe/Berlin')).toEqual(
      new Date('2026-03-29T05:00:00Z'),
    );
  });

  it('when the night crosses the fall-back change, then the end is read on the new offset', () => {
    // 2026-11-01 America/New_York: 02:00 EDT becomes 01:00 EST. 07:00 EST = 12:00 UTC.
    expect(quietHoursEnd(new Date('2026-11-01T03:00:00Z'), night, 'America/New_York')).toEqual(
      new Date('2026-11-01T12:00:00Z'),
    );
  });

  it('when the end time falls in the skipped hour, then it moves forward with the change', () => {
    const quiet = { start: '23:00', end: '02:30' };
    // 00:30 CET on 2026-03-29 = 23:30 UTC on the 28th; 02:30 does not exist → 03:30 CEST = 01:30 UTC.
    expect(quietHoursEnd(new Date('2026-03-28T23:30:00Z'), quiet, 'Europe/Berlin')).toEqual(
      new Date('2026-03-29T01:30:00Z'),
    );
  });

  it('when the quiet hours lie within one day, then only that span is quiet', () => {
    const siesta = { start: '13:00', end: '15:00' };
    expect(quietHoursEnd(new Date('2026-07-01T11:30:00Z'), siesta, 'Europe/Madrid')).toEqual(
      new Date('2026-07-01T13:00:00Z'),
    );
    expect(
      quietHoursEnd(new Date('2026-07-01T13:30:00Z'), siesta, 'Europe/Madrid'),
    ).toBeUndefined();
  });
});
