import type { Request, RequestHandler } from 'express';
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

export interface RateLimitStores {
  /** Where counters are shared by every instance: Redis, or memory in the embedded default. */
  kv: KeyValueStore;
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
 * The general limit: per user when the request carries a validly signed token (a whole gym can
 * share one IP), per IP otherwise.
 */
export function apiRateLimit(
  limits: { windowSeconds: number; anonymousMax: number; userMax: number },
  stores: RateLimitStores,
): RequestHandler {
  const perUser = limiter(
    'user',
    {
      windowSeconds: limits.windowSeconds,
      max: limits.userMax,
      key: (req) => req.claims?.userId ?? '',
    },
    stores,
  );
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
