import type { Request, RequestHandler, Response } from 'express';
import {
  ipKeyGenerator,
  MemoryStore,
  rateLimit,
  type IncrementResponse,
  type Options,
  type Store,
} from 'express-rate-limit';
import { rateLimited } from '../lib/errors.js';
import { KeyValueUnavailableError, type KeyValueStore } from '../lib/kv/kv.js';
import { MemoryKeyValueStore } from '../lib/kv/memory-kv.js';

/**
 * Counts one hit in a fixed window inside another round trip to the shared store (the auth
 * guard's), so an authenticated request makes one. Fails like the store does.
 */
export type FusedCounter = (
  req: Request,
  hit: { key: string; windowMs: number },
) => Promise<{ count: number; resetAt: number }>;

export interface RateLimitStores {
  /** Where counters are shared by every instance: Redis, or memory in the embedded default. */
  kv: KeyValueStore;
  /** The per-user general limit counts through this when given (see apiRateLimit). */
  fusedCounter?: FusedCounter;
}

/**
 * Counts hits in the shared key-value store while it answers, and in this process's memory
 * while it does not (Outline's "insurance" limiter): during a Redis outage each instance still
 * enforces the limit on its own share of the traffic, so the total allowed is at most the limit
 * times the number of instances, and no request waits for Redis.
 */
class SharedCounterStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private readonly fallback = new MemoryStore();

  constructor(
    private readonly kv: KeyValueStore,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
    this.fallback.init(options);
  }

  async increment(key: string): Promise<IncrementResponse> {
    try {
      const { count, resetAt } = await this.kv.incrementInWindow(this.prefix + key, this.windowMs);
      return { totalHits: count, resetTime: new Date(resetAt) };
    } catch (error) {
      if (!(error instanceof KeyValueUnavailableError)) throw error;
      return this.fallback.increment(key);
    }
  }

  async decrement(key: string): Promise<void> {
    try {
      await this.kv.increment(this.prefix + key, this.windowMs / 1000, -1);
    } catch (error) {
      if (!(error instanceof KeyValueUnavailableError)) throw error;
      await this.fallback.decrement(key);
    }
  }

  async resetKey(key: string): Promise<void> {
    await this.fallback.resetKey(key);
    try {
      await this.kv.delete(this.prefix + key);
    } catch (error) {
      if (!(error instanceof KeyValueUnavailableError)) throw error;
    }
  }

  shutdown(): void {
    this.fallback.shutdown();
  }
}

function storeFor(name: string, stores: RateLimitStores): Store {
  return new SharedCounterStore(stores.kv, `rl:${name}:`);
}

const clientIp = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');

function limiter(
  name: string,
  options: { windowSeconds: number; max: number; key: (req: Request) => string },
  stores: RateLimitStores,
): RequestHandler {
  return rateLimit({
    windowMs: options.windowSeconds * 1000,
    limit: options.max,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    store: storeFor(name, stores),
    keyGenerator: options.key,
    // Outages are covered by the memory fallback; any other store failure lets the request by
    // rather than take the API down with it.
    passOnStoreError: true,
    handler: (req, _res, next) => {
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfter = reset ? (reset.getTime() - Date.now()) / 1000 : options.windowSeconds;
      next(rateLimited(retryAfter));
    },
  });
}

/**
 * A fixed-window limit counted through `count`, with express-rate-limit's draft-6 headers and
 * the same 429 problem. While the shared store is unreachable, this process counts on its own
 * (as SharedCounterStore does).
 */
function fusedLimiter(
  name: string,
  options: { windowSeconds: number; max: number; key: (req: Request) => string },
  count: FusedCounter,
): RequestHandler {
  const windowMs = options.windowSeconds * 1000;
  const fallback = new MemoryKeyValueStore();
  const policy = `${options.max};w=${options.windowSeconds}`;
  const limit = String(options.max);
  const setHeaders = (res: Response, used: number, resetAt: number) => {
    if (res.headersSent) return;
    res.setHeader('RateLimit-Policy', policy);
    res.setHeader('RateLimit-Limit', limit);
    res.setHeader('RateLimit-Remaining', String(Math.max(options.max - used, 0)));
    res.setHeader('RateLimit-Reset', String(Math.max(0, Math.ceil((resetAt - Date.now()) / 1000))));
  };
  return async (req, res, next) => {
    const key = `rl:${name}:${options.key(req)}`;
    let counted: { count: number; resetAt: number };
    try {
      counted = await count(req, { key, windowMs });
    } catch (error) {
      if (!(error instanceof KeyValueUnavailableError)) throw error;
      counted = await fallback.incrementInWindow(key, windowMs);
    }
    setHeaders(res, counted.count, counted.resetAt);
    if (counted.count > options.max) {
      next(rateLimited((counted.resetAt - Date.now()) / 1000));
      return;
    }
    next();
  };
}

/**
 * The general limit: per user when the request carries a validly signed token (a whole gym can
 * share one IP), per IP otherwise. The per-user count rides in the auth guard's cache round
 * trip when `stores.fusedCounter` is given.
 */
export function apiRateLimit(
  limits: { windowSeconds: number; anonymousMax: number; userMax: number },
  stores: RateLimitStores,
): RequestHandler {
  const perUserOptions = {
    windowSeconds: limits.windowSeconds,
    max: limits.userMax,
    key: (req: Request) => req.claims?.userId ?? '',
  };
  const perUser = stores.fusedCounter
    ? fusedLimiter('user', perUserOptions, stores.fusedCounter)
    : limiter('user', perUserOptions, stores);
  const perIp = limiter(
    'ip',
    { windowSeconds: limits.windowSeconds, max: limits.anonymousMax, key: clientIp },
    stores,
  );
  return (req, res, next) => (req.claims ? perUser(req, res, next) : perIp(req, res, next));
}

/**
 * The strict limit on /api/auth/*: per user when the request carries a validly signed token
 * (logout, password change), per IP otherwise (register, login, refresh).
 */
export function authRateLimit(
  limits: { windowSeconds: number; authMax: number },
  stores: RateLimitStores,
): RequestHandler {
  return limiter(
    'auth',
    {
      windowSeconds: limits.windowSeconds,
      max: limits.authMax,
      key: (req) => (req.claims ? `user:${req.claims.userId}` : clientIp(req)),
    },
    stores,
  );
}

/**
 * The limit on device endpoints (machine heartbeats over HTTP), per IP: a gym's machines share
 * its address and each calls often, so they get their own, larger budget instead of the
 * anonymous one that would lock the whole floor out.
 */
export function machineRateLimit(
  limits: { windowSeconds: number; machineMax: number },
  stores: RateLimitStores,
): RequestHandler {
  return limiter(
    'machine',
    { windowSeconds: limits.windowSeconds, max: limits.machineMax, key: clientIp },
    stores,
  );
}
