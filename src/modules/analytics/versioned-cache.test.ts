import { afterEach, describe, expect, it, vi } from 'vitest';
import { VersionedCache } from './versioned-cache.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('VersionedCache', () => {
  it('when asked with the version a value was stored under, then it serves it without computing', async () => {
    const cache = new VersionedCache<string>({ maxEntries: 10, maxAgeMs: 60_000 });
    const compute = vi.fn(() => Promise.resolve('computed'));
    expect(await cache.through('member/a', 'v1', compute)).toBe('computed');
    expect(await cache.through('member/a', 'v1', compute)).toBe('computed');
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('when the version moved on, then the kept value is dropped and computed again', async () => {
    const cache = new VersionedCache<string>({ maxEntries: 10, maxAgeMs: 60_000 });
    await cache.through('member/a', 'v1', () => Promise.resolve('old'));
    expect(await cache.through('member/a', 'v2', () => Promise.resolve('new'))).toBe('new');
    // The old version does not bring the old value back.
    expect(cache.get('member/a', 'v1')).toBeUndefined();
  });

  it('when a value is older than the maximum age, then it is not served', () => {
    vi.useFakeTimers();
    const cache = new VersionedCache<string>({ maxEntries: 10, maxAgeMs: 60_000 });
    cache.set('member/a', 'v1', 'value');
    vi.advanceTimersByTime(60_001);
    expect(cache.get('member/a', 'v1')).toBeUndefined();
  });

  it('when full, then the least recently used entry makes room', () => {
    const cache = new VersionedCache<string>({ maxEntries: 2, maxAgeMs: 60_000 });
    cache.set('a', 'v', 'A');
    cache.set('b', 'v', 'B');
    expect(cache.get('a', 'v')).toBe('A');
    cache.set('c', 'v', 'C');
    expect(cache.get('b', 'v')).toBeUndefined();
    expect(cache.get('a', 'v')).toBe('A');
    expect(cache.get('c', 'v')).toBe('C');
  });
});
