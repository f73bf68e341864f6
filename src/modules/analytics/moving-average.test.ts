import { describe, expect, it } from 'vitest';
import { movingAverages } from './moving-average.js';

describe('moving averages', () => {
  const at = (iso: string, value: number) => ({ measuredAt: new Date(iso), value });

  it('when entries fall in and out of the trailing 7 × 24 h window, then each average covers exactly that window', () => {
    expect(
      movingAverages(
        [
          at('2026-03-01T08:00:00Z', 80),
          at('2026-03-04T08:00:00Z', 82),
          // Exactly 7 × 24 h after the first: the first has left the window.
          at('2026-03-08T08:00:00Z', 84),
          at('2026-03-08T08:00:00Z', 86),
        ],
        7,
      ),
    ).toEqual([80, 81, 84, 84]);
  });

  it('when there are no entries, then there are no averages', () => {
    expect(movingAverages([], 7)).toEqual([]);
  });
});
