import type { KeyValueStore, RequestState, RequestStateQuery } from './kv.js';

interface Entry {
  value: string;
  expiresAt: number | null;
}

const SWEEP_INTERVAL_MS = 60_000;

/** In-process store for the embedded default: one process, nothing to share. */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly entries = new Map<string, Entry>();
  private readonly hashes = new Map<string, Map<string, string>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    // Expired keys are also dropped lazily on read; the sweep bounds memory for keys never read.
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (
      entry?.expiresAt !== undefined &&
      entry.expiresAt !== null &&
      entry.expiresAt <= Date.now()
    ) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    for (const key of this.entries.keys()) this.live(key);
  }

  private static expiry(ttlSeconds?: number): number | null {
    return ttlSeconds === undefined ? null : Date.now() + ttlSeconds * 1000;
  }

  get(key: string): Promise<string | null> {
    return Promise.resolve(this.live(key)?.value ?? null);
  }

  set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: MemoryKeyValueStore.expiry(ttlSeconds) });
    return Promise.resolve();
  }

  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    if (this.live(key)) return Promise.resolve(false);
    this.entries.set(key, { value, expiresAt: MemoryKeyValueStore.expiry(ttlSeconds) });
    return Promise.resolve(true);
  }

  delete(key: string): Promise<void> {
    this.entries.delete(key);
    this.hashes.delete(key);
    return Promise.resolve();
  }

  increment(key: string, ttlSeconds: number, by = 1): Promise<number> {
    const entry = this.live(key);
    const count = (entry ? Number(entry.value) : 0) + by;
    this.entries.set(key, {
      value: String(count),
      expiresAt: entry ? entry.expiresAt : MemoryKeyValueStore.expiry(ttlSeconds),
    });
    return Promise.resolve(count);
  }

  incrementInWindow(key: string, windowMs: number): Promise<{ count: number; resetAt: number }> {
    const entry = this.live(key);
    const count = (entry ? Number(entry.value) : 0) + 1;
    const expiresAt = entry?.expiresAt ?? Date.now() + windowMs;
    this.entries.set(key, { value: String(count), expiresAt });
    return Promise.resolve({ count, resetAt: expiresAt });
  }

  ttl(key: string): Promise<number | null> {
    const entry = this.live(key);
    if (!entry || entry.expiresAt === null) return Promise.resolve(null);
    return Promise.resolve(Math.ceil((entry.expiresAt - Date.now()) / 1000));
  }

  getFields(key: string, fields: string[]): Promise<(string | null)[]> {
    const hash = this.hashes.get(key);
    return Promise.resolve(fields.map((field) => hash?.get(field) ?? null));
  }

  setFields(key: string, values: Record<string, string>): Promise<void> {
    const hash = this.hashes.get(key) ?? new Map<string, string>();
    for (const [field, value] of Object.entries(values)) hash.set(field, value);
    this.hashes.set(key, hash);
    return Promise.resolve();
  }

  getAllFields(key: string): Promise<Record<string, string>> {
    return Promise.resolve(Object.fromEntries(this.hashes.get(key) ?? []));
  }

  deleteFields(key: string, fields: string[]): Promise<void> {
    const hash = this.hashes.get(key);
    for (const field of fields) hash?.delete(field);
    if (hash?.size === 0) this.hashes.delete(key);
    return Promise.resolve();
  }

  async readRequestState(query: RequestStateQuery): Promise<RequestState> {
    const { hash, versions, counter } = query;
    const fields = await this.getFields(hash.key, hash.fields);
    const versionValues = versions.keys.map((key) => {
      const current = this.live(key)?.value;
      if (current !== undefined) return current;
      this.entries.set(key, {
        value: versions.freshVersion,
        expiresAt: MemoryKeyValueStore.expiry(versions.ttlSeconds),
      });
      return versions.freshVersion;
    });
    if (!counter) return { fields, versions: versionValues };
    return {
      fields,
      versions: versionValues,
      counter: await this.incrementInWindow(counter.key, counter.windowMs),
    };
  }

  ping(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** Forgets every key, as a restart of the process does (tests play a restarted cache). */
  clear(): void {
    this.entries.clear();
    this.hashes.clear();
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    this.clear();
    return Promise.resolve();
  }
}
