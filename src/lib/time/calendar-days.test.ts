import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysSpanned,
  isoWeekOf,
  isoWeekStart,
  isoWeeksOverlapping,
} from './calendar-days.js';

describe('calendar days', () => {
  it('when days are added across month ends and leap days, then the calendar is followed', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(daysSpanned('2026-03-01', '2026-03-01')).toBe(1);
    expect(daysSpanned('2023-03-01', '2026-02-28')).toBe(1096);
  });

  it('when ISO weeks are asked for, then weeks start on Monday and belong to the year of their Thursday', () => {
    expect(isoWeekStart('2026-03-01')).toBe('2026-02-23'); // a Sunday
    expect(isoWeekStart('2026-03-02')).toBe('2026-03-02'); // a Monday
    expect(isoWeekOf('2026-03-01')).toBe('2026-W09');
    expect(isoWeekOf('2024-12-30')).toBe('2025-W01');
    expect(isoWeekOf('2021-01-03')).toBe('2020-W53');
    expect(isoWeekOf('2026-12-31')).toBe('2026-W53');
    expect(isoWeeksOverlapping('2026-03-01', '2026-03-09')).toEqual([
      '2026-02-23',
      '2026-03-02',
      '2026-03-09',
    ]);
  });
});
