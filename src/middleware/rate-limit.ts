import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type Store } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Redis } from 'ioredis';
import { rateLimited } from '../lib/errors.js';

export interface RateLimitStores {
  /** Shared Redis client, or undefined for the in-process memory store. */
  redis?: Redis;
  keyPrefix: string;
}

function storeFor(name: string, stores: RateLimitStores): Store | undefined {
  if (!stores.redis) return undefined;
  const redis = stores.redis;
  return new RedisStore({
    prefix: `${stores.keyPrefix}rl:${name}:`,
    sendCommand: (command: string, ...args: string[]) =>
      redis.call(command, ...args) as Promise<RedisReply>,
  });
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
    // A Redis outage should not take the whole API down with it.
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
