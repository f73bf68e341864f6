import { AppError } from '../errors.js';

/**
 * The small key-value contract the server needs from its cache: Redis in production, a Map in
 * the embedded single-process default. Keys are passed without the deployment-wide prefix; each
 * caller namespaces its keys by purpose (`auth:`, `cache:`, `rl:`, `idem:` ...).
 *
 * The cache may be unreachable: then every method fails fast (within the configured command
 * timeout) with a `KeyValueUnavailableError`, which callers either degrade around or let
 * through as a 503. It may also lose everything it holds at any moment (a restart without
 * persistence, eviction), so nothing that must survive may live only here.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** Stores the value only if the key does not exist; true when this call stored it. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Adds `by` (default 1) and returns the new count; the TTL starts with the first increment. */
  increment(key: string, ttlSeconds: number, by?: number): Promise<number>;
  /**
   * Counts one hit in a fixed window that starts with the first hit: the new count and when
   * the window ends (epoch milliseconds), in one round trip.
   */
  incrementInWindow(key: string, windowMs: number): Promise<{ count: number; resetAt: number }>;
  /** Seconds until the key expires; null when it does not exist or never expires. */
  ttl(key: string): Promise<number | null>;
  /**
   * Fields of one hash, in the order asked. A hash is stored, evicted and lost as one key, so
   * a field that marks the hash as complete vouches for all the others.
   */
  getFields(key: string, fields: string[]): Promise<(string | null)[]>;
  /** Writes the fields into the hash (creating it), all at once. */
  setFields(key: string, values: Record<string, string>): Promise<void>;
  getAllFields(key: string): Promise<Record<string, string>>;
  deleteFields(key: string, fields: string[]): Promise<void>;
  /**
   * What an authenticated request needs from the cache, in one round trip: fields of one hash
   * (the revocation markers), version stamps (each created with `freshVersion` when missing,
   * so a stamp never repeats a value it had before it was lost) and, optionally, one hit
   * counted in a fixed window (as `incrementInWindow`).
   */
  readRequestState(query: RequestStateQuery): Promise<RequestState>;
  /** True when the store answers; throws `KeyValueUnavailableError` when it does not. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface RequestStateQuery {
  hash: { key: string; fields: string[] };
  versions: { keys: string[]; freshVersion: string; ttlSeconds: number };
  counter?: { key: string; windowMs: number };
}

export interface RequestState {
  fields: (string | null)[];
  versions: string[];
  counter?: { count: number; resetAt: number };
}

/**
 * The cache did not answer in time or is not connected. A 503 when it reaches a client; callers
 * with a safe fallback (rate limits, revocation checks, caches) catch it and degrade instead.
 */
export class KeyValueUnavailableError extends AppError {
  constructor(cause?: unknown) {
    super(
      503,
      'SERVICE_UNAVAILABLE',
      'Service unavailable',
      'A backing service is unreachable; retry shortly.',
      { headers: { 'Retry-After': '1' } },
    );
    this.name = 'KeyValueUnavailableError';
    this.cause = cause;
  }
}

/** Key builders, so every purpose's prefix is spelled in one place. */
export const kvKeys = {
  /** One hash of revocation markers (`jti:<jti>`, `family:<id>`) and its `complete` field. */
  revocations: 'auth:revocations',
  /** Held by the instance that rebuilds the revocation markers from PostgreSQL. */
  revocationsRebuildLock: 'auth:revocations:rebuild-lock',
  /** Taken once per interval by the instance that sweeps and reconciles the markers. */
  revocationsMaintenanceLock: 'auth:revocations:maintenance-lock',
  /** Stamp that changes whenever the user's row or memberships change (cached accounts). */
  accountVersion: (userId: string) => `auth:account-version:${userId}`,
  /** Stamp that changes whenever a branch is renamed or deleted (every member's branches). */
  branchesVersion: 'auth:branches-version',
};
