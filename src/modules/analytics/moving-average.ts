const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The trailing, time-based moving average at each measurement: the mean of every value measured
 * in the `windowDays` × 24 h up to and including its instant, `(t − window, t]`. A time window
 * (rather than the last N entries) keeps a burst of measurements on one day from outweighing a
 * quiet week. `entries` must be ordered by time; the result has one average per entry. Each
 * mean is summed afresh (a window holds a handful of entries), so no rounding error builds up.
 */
export function movingAverages(
  entries: readonly { measuredAt: Date; value: number }[],
  windowDays: number,
): number[] {
  const windowMs = windowDays * DAY_MS;
  const times = entries.map((entry) => entry.measuredAt.getTime());
  let start = 0;
  let end = 0; // one past the last entry in the window
  return times.map((at) => {
    while (end < times.length && (times[end] ?? Infinity) <= at) end++;
    while (start < end && (times[start] ?? Infinity) <= at - windowMs) start++;
    const window = entries.slice(start, end);
    return window.reduce((sum, entry) => sum + entry.value, 0) / window.length;
  });
}
