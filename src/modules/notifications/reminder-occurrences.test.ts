import { describe, expect, it } from 'vitest';
import { localDay, localTimeOfDay } from '../../lib/time/local-day.js';
import {
  daysMaskOf,
  latestOccurrence,
  nextOccurrence,
  weekdays,
  weekdaysOf,
  type ReminderTiming,
} from './reminder-occurrences.js';

const everyDay = daysMaskOf(weekdays);
const daily = (time: string, timeZone: string): ReminderTiming => {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return { daysMask: everyDay, minuteOfDay: hours * 60 + minutes, timeZone };
};

/** The next `count` occurrences after `from`, as ISO strings. */
function occurrences(timing: ReminderTiming, from: string, count: number): string[] {
  const found: string[] = [];
  let after = new Date(from);
  for (let index = 0; index < count; index++) {
    after = nextOccurrence(timing, after);
    found.push(after.toISOString());
  }
  return found;
}

describe('reminder occurrences across daylight-saving changes', () => {
  // London: 01:00 GMT → 02:00 BST on 29 March 2026; 02:00 BST → 01:00 GMT on 25 October 2026.
  // New York: 02:00 EST → 03:00 EDT on 8 March 2026; 02:00 EDT → 01:00 EST on 1 November 2026.
  it.each([
    [
      'London spring, 01:30 (skipped): moved forward by the hour, to 02:30 BST',
      daily('01:30', 'Europe/London'),
      '2026-03-27T12:00:00Z',
      ['2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z'],
    ],
    [
      'London spring, 00:30 (before the gap)',
      daily('00:30', 'Europe/London'),
      '2026-03-27T12:00:00Z',
      ['2026-03-28T00:30:00.000Z', '2026-03-29T00:30:00.000Z', '2026-03-29T23:30:00.000Z'],
    ],
    [
      'London spring, 03:00 (after the gap)',
      daily('03:00', 'Europe/London'),
      '2026-03-27T12:00:00Z',
      ['2026-03-28T03:00:00.000Z', '2026-03-29T02:00:00.000Z', '2026-03-30T02:00:00.000Z'],
    ],
    [
      'London autumn, 01:30 (repeated): once, at its first instant (BST)',
      daily('01:30', 'Europe/London'),
      '2026-10-23T12:00:00Z',
      ['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z'],
    ],
    [
      'London autumn, 00:30 (before the repeated hour)',
      daily('00:30', 'Europe/London'),
      '2026-10-24T12:00:00Z',
      ['2026-10-24T23:30:00.000Z', '2026-10-26T00:30:00.000Z'],
    ],
    [
      'London autumn, 02:30 (after the repeated hour)',
      daily('02:30', 'Europe/London'),
      '2026-10-24T12:00:00Z',
      ['2026-10-25T02:30:00.000Z', '2026-10-26T02:30:00.000Z'],
    ],
    [
      'New York spring, 02:30 (skipped): 03:30 EDT',
      daily('02:30', 'America/New_York'),
      '2026-03-06T12:00:00Z',
      ['2026-03-07T07:30:00.000Z', '2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z'],
    ],
    [
      'New York spring, 01:30 (before the gap)',
      daily('01:30', 'America/New_York'),
      '2026-03-07T12:00:00Z',
      ['2026-03-08T06:30:00.000Z', '2026-03-09T05:30:00.000Z'],
    ],
    [
      'New York spring, 07:00 (after the gap)',
      daily('07:00', 'America/New_York'),
      '2026-03-07T00:00:00Z',
      ['2026-03-07T12:00:00.000Z', '2026-03-08T11:00:00.000Z'],
    ],
    [
      'New York autumn, 01:30 (repeated): once, at its first instant (EDT)',
      daily('01:30', 'America/New_York'),
      '2026-10-30T12:00:00Z',
      ['2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z'],
    ],
    [
      'New York autumn, Sundays 00:30: a week and an hour apart across the change',
      { ...daily('00:30', 'America/New_York'), daysMask: daysMaskOf(['sun']) },
      '2026-10-31T12:00:00Z',
      ['2026-11-01T04:30:00.000Z', '2026-11-08T05:30:00.000Z'],
    ],
    [
      'New York autumn, 03:00 (after the repeated hour)',
      daily('03:00', 'America/New_York'),
      '2026-10-31T12:00:00Z',
      ['2026-11-01T08:00:00.000Z', '2026-11-02T08:00:00.000Z'],
    ],
  ])('when %s, then the occurrences are those instants', (_, timing, from, expected) => {
    expect(occurrences(timing, from, expected.length)).toEqual(expected);
  });

  it('when an occurrence is the instant asked after, then the next one is the following day', () => {
    const timing = daily('07:00', 'Europe/London');
    expect(nextOccurrence(timing, new Date('2026-06-01T06:00:00Z')).toISOString()).toBe(
      '2026-06-02T06:00:00.000Z',
    );
  });
});

describe('the weekly cycle', () => {
  const monWedFri: ReminderTiming = {
    daysMask: daysMaskOf(['mon', 'wed', 'fri']),
    minuteOfDay: 7 * 60,
    timeZone: 'Europe/London',
  };

  it('when Mon/Wed/Fri 07:00 runs for four weeks over the spring change, then it fires twelve times at 07:00 local on those days', () => {
    const found = occurrences(monWedFri, '2026-03-18T12:00:00Z', 12).map((at) => new Date(at));
    expect(found.map((at) => at.toISOString()).slice(0, 4)).toEqual([
      '2026-03-20T07:00:00.000Z',
      '2026-03-23T07:00:00.000Z',
      '2026-03-25T07:00:00.000Z',
      '2026-03-27T07:00:00.000Z',
    ]);
    // After 29 March, 07:00 is BST: 06:00 UTC.
    expect(found[4]?.toISOString()).toBe('2026-03-30T06:00:00.000Z');
    for (const at of found) {
      expect(localTimeOfDay(at, 'Europe/London')).toBe(7 * 3600_000);
      const weekday = new Date(`${localDay(at, 'Europe/London')}T00:00:00Z`).getUTCDay();
      expect([1, 3, 5]).toContain(weekday);
    }
    expect(found[11]?.toISOString()).toBe('2026-04-15T06:00:00.000Z');
  });

  it('when the latest occurrence is asked on a Sunday, then it is Friday’s; at an occurrence, that one', () => {
    expect(latestOccurrence(monWedFri, new Date('2026-03-29T12:00:00Z')).toISOString()).toBe(
      '2026-03-27T07:00:00.000Z',
    );
    expect(latestOccurrence(monWedFri, new Date('2026-03-30T06:00:00Z')).toISOString()).toBe(
      '2026-03-30T06:00:00.000Z',
    );
  });

  it('when a mask is read back, then its days come Monday first', () => {
    expect(weekdaysOf(daysMaskOf(['sun', 'mon', 'fri']))).toEqual(['mon', 'fri', 'sun']);
    expect(daysMaskOf(weekdays)).toBe(127);
  });
});
