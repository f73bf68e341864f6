import { Redis } from 'ioredis';
import type { KeyValueStore } from './kv.js';

/** Redis-backed store shared by every instance. `prefix` namespaces one deployment (or test). */
export class RedisKeyValueStore implements KeyValueStore {
  constructor(
    readonly client: Redis,
    readonly prefix: string,
  ) {}

  /**
   * Connects with settings suited to a request path: commands fail after a few retries instead
   * of queueing forever. `onError` hears connection problems (ioredis reconnects by itself).
   */
  static connect(
    url: string,
    prefix: string,
    onError: (error: Error) => void = () => undefined,
  ): RedisKeyValueStore {
    const client = new Redis(url, {
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      connectTimeout: 5_000,
      // Commands issued in the same tick (rate limit, revocation check) share one write.
      enableAutoPipelining: true,
    });
    client.on('error', onError);
    return new RedisKeyValueStore(client, prefix);
  }

  private k(key: string): string {
    return this.prefix + key;
  }

  get(key: string): Promise<string | null> {
    return this.client.get(this.k(key));
  }

  async getMany(keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    return this.client.mget(keys.map((key) => this.k(key)));
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    if (ttlSeconds === undefined) await this.client.set(this.k(key), value);
    else await this.client.set(this.k(key), value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const result = await this.client.set(
      this.k(key),
      value,
      'EX',
      Math.max(1, Math.ceil(ttlSeconds)),
      'NX',
    );
    return result === 'OK';
  }

  async delete(key: string): Promise<void> {
    await this.client.del(this.k(key));
  }

  async increment(key: string, ttlSeconds: number, by = 1): Promise<number> {
    // EXPIRE NX only sets the TTL on the first increment, so a window never slides.
    const results = await this.client
      .multi()
      .incrby(this.k(key), by)
      .expire(this.k(key), Math.max(1, Math.ceil(ttlSeconds)), 'NX')
      .exec();
    const count = results?.[0]?.[1];
    if (typeof count !== 'number') throw new Error('Redis INCR returned no count');
    return count;
  }

  async ttl(key: string): Promise<number | null> {
    const seconds = await this.client.ttl(this.k(key));
    return seconds >= 0 ? seconds : null;
  }

  async ping(): Promise<boolean> {
    await this.client.ping();
    return true;
  }

  async close(): Promise<void> {
    await this.client.quit();
  }
}
