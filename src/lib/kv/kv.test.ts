import { Registry } from 'prom-client';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { KeyValueStore } from './kv.js';
import { MemoryKeyValueStore } from './memory-kv.js';
import { RedisKeyValueStore } from './redis-kv.js';

const stores: [string, () => KeyValueStore][] = [['memory', () => new MemoryKeyValueStore()]];
const redisUrl = process.env.TEST_REDIS_URL;
if (redisUrl) {
  stores.push([
    'redis',
    () => RedisKeyValueStore.connect(redisUrl, `test:kv:${String(Date.now())}:`),
  ]);
}

const opened: KeyValueStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
});

describe.each(stores)('%s key-value store', (_name, open) => {
  const kv = open();
  opened.push(kv);

  it('when a value is set, then get returns it and delete removes it', async () => {
    await kv.set('a', '1');
    expect(await kv.get('a')).toBe('1');
    expect(await kv.get('missing')).toBeNull();
    await kv.delete('a');
    expect(await kv.get('a')).toBeNull();
  });

  it('when a TTL passes, then the value is gone', async () => {
    await kv.set('short', 'x', 1);
    expect(await kv.ttl('short')).toBeGreaterThan(0);
    await vi.waitFor(async () => expect(await kv.get('short')).toBeNull(), {
      timeout: 30_000,
      interval: 100,
    });
    expect(await kv.ttl('short')).toBeNull();
  });

  it('when setIfAbsent races, then exactly one caller stores', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => kv.setIfAbsent('once', String(i), 60)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('when incremented concurrently, then no increment is lost and the TTL does not slide', async () => {
    const counts = await Promise.all(Array.from({ length: 20 }, () => kv.increment('n', 60)));
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await kv.increment('n', 60, -5)).toBe(15);
    // The TTL is set when the counter is created; later increments keep it, whatever they ask.
    await kv.increment('window', 60);
    await kv.increment('window', 3_600);
    const ttl = await kv.ttl('window');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('when pinged, then it answers', async () => {
    expect(await kv.ping()).toBe(true);
  });
});

describe.runIf(Boolean(redisUrl))('redis command metrics', () => {
  it('when commands are answered or refused, then each is timed by operation and refusals are counted', async () => {
    const kv = RedisKeyValueStore.connect(redisUrl ?? '', `test:kv-metrics:${String(Date.now())}:`);
    opened.push(kv);
    const registry = new Registry();
    kv.measureCommandsIn(registry);

    await kv.set('plain', 'x', 60);
    expect(await kv.get('plain')).toBe('x');
    expect(await kv.get('plain')).toBe('x');
    // A hash command on a string key: Redis answers WRONGTYPE.
    await expect(kv.setFields('plain', { field: '1' })).rejects.toThrow(/WRONGTYPE/);
    await kv.delete('plain');

    const text = await registry.metrics();
    expect(text).toContain('redis_command_duration_seconds_count{command="get"} 2');
    expect(text).toContain('redis_command_duration_seconds_count{command="set"} 1');
    expect(text).toContain('redis_command_duration_seconds_count{command="hset"} 1');
    expect(text).toContain('redis_command_errors_total{command="hset",reason="reply"} 1');
    expect(text).not.toContain('test:kv-metrics');
  });
});
