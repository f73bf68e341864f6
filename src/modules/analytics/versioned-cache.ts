/**
 * This process's copy of computed answers, each kept with the version of the data it was
 * computed from: an entry serves only while the caller presents the same version, so a change
 * made through any instance is seen at the next read everywhere. Entries also expire after
 * `maxAgeMs`, which bounds how long an input the version does not cover (the exercise library,
 * changed only by deploys) can be served stale. The least recently used entry makes room.
 */
export class VersionedCache<T> {
  private readonly entries = new Map<string, { version: string; storedAt: number; value: T }>();

  constructor(private readonly limits: { maxEntries: number; maxAgeMs: number }) {}

  /** The value stored under `key` for exactly this version, if it is not too old. */
  get(key: string, version: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.version !== version || Date.now() - entry.storedAt > this.limits.maxAgeMs) {
      this.entries.delete(key);
      return undefined;
    }
    // Last in the map's order: the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, version: string, value: T): void {
    this.entries.delete(key);
    if (this.entries.size >= this.limits.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { version, storedAt: Date.now(), value });
  }

  /**
   * The cached value for this version, else `compute()`'s, stored under it. `version` must be
   * read before what `compute` reads, so a value is never older than the version it is kept
   * under (a newer one only costs a recomputation at the next read).
   */
  async through(key: string, version: string, compute: () => Promise<T>): Promise<T> {
    const cached = this.get(key, version);
    if (cached !== undefined) return cached;
    const value = await compute();
    this.set(key, version, value);
    return value;
  }
}
