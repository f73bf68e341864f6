import { describe, expect, it } from 'vitest';
import {
  estimatedOneRepMaxKg,
  noBests,
  recordsSet,
  sameKinds,
  type RecordMetrics,
} from './personal-records.js';

const metrics = (values: Partial<RecordMetrics>): RecordMetrics => ({ ...noBests(), ...values });

describe('estimatedOneRepMaxKg (Epley)', () => {
  it.each([
    [8, 60, 76],
    [5, 100, 100 * (1 + 5 / 30)],
    [10, 40, 40 * (1 + 10 / 30)],
    [30, 20, 40],
  ])(
    'when %i reps of %d kg are done, then the estimate is weight × (1 + reps/30)',
    (reps, weight, expected) => {
      expect(estimatedOneRepMaxKg(reps, weight)).toBeCloseTo(expected, 10);
    },
  );

  it('when one rep is done, then the estimate is the weight itself', () => {
    expect(estimatedOneRepMaxKg(1, 142.5)).toBe(142.5);
  });

  it('when there is no weight or no rep, then there is no estimate', () => {
    expect(estimatedOneRepMaxKg(0, 100)).toBeNull();
    expect(estimatedOneRepMaxKg(8, null)).toBeNull();
    expect(estimatedOneRepMaxKg(8, 0)).toBeNull();
  });
});

describe('recordsSet', () => {
  it('when nothing came before, then every kind with a positive value is a record', () => {
    const first = recordsSet(metrics({ e1rm: 76, weight: 60, reps: 8, volume: 480 }), noBests());
    expect(first.kinds).toEqual(['e1rm', 'weight', 'reps', 'volume']);
    expect(first.bests).toEqual({ e1rm: 76, weight: 60, reps: 8, volume: 480 });
    // A timed set without weight holds no e1RM, weight or volume record, and 0 reps no reps one.
    expect(recordsSet(metrics({ reps: 0, volume: 0 }), noBests()).kinds).toEqual([]);
  });

  it('when a value beats the best so far, then that kind is set; an equal value sets nothing', () => {
    const bests = { e1rm: 88, weight: 80, reps: 8, volume: 480 };
    const outcome = recordsSet(metrics({ e1rm: 88, weight: 82.5, reps: 8, volume: 481 }), bests);
    expect(outcome.kinds).toEqual(['weight', 'volume']);
    expect(outcome.bests).toEqual({ e1rm: 88, weight: 82.5, reps: 8, volume: 481 });
    const worse = recordsSet(metrics({ e1rm: 50, weight: 40, reps: 3, volume: 120 }), bests);
    expect(worse).toEqual({ kinds: [], bests });
  });

  it('when flags are compared, then order does not matter', () => {
    expect(sameKinds(['reps', 'e1rm'], ['e1rm', 'reps'])).toBe(true);
    expect(sameKinds(['reps'], ['e1rm', 'reps'])).toBe(false);
    expect(sameKinds([], [])).toBe(true);
  });
});
