/**
 * The small key-value contract the server needs from its cache: Redis in production, a Map in
 * the embedded single-process default. Keys are passed without the deployment-wide prefix; each
 * caller namespaces its keys by purpose (`auth:`, `cache:`, `rl:`, `idem:` ...).
 */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  /** Values of several keys in one round trip, in the order asked. */
  getMany(keys: string[]): Promise<(string | null)[]>;
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** Stores the value only if the key does not exist; true when this call stored it. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Adds `by` (default 1) and returns the new count; the TTL starts with the first increment. */
  increment(key: string, ttlSeconds: number, by?: number): Promise<number>;
  /** Seconds until the key expires; null when it does not exist or never expires. */
  ttl(key: string): Promise<number | null>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Key builders, so every purpose's prefix is spelled in one place. */
export const kvKeys = {
  revokedAccessToken: (jti: string) => `auth:revoked-jti:${jti}`,
  revokedFamily: (familyId: string) => `auth:revoked-family:${familyId}`,
  idempotency: (scope: string, key: string) => `idem:${scope}:${key}`,
};
