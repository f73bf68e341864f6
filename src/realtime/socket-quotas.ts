import type { Redis } from 'ioredis';
import type { KeyValueStore } from '../lib/kv/kv.js';
import type { Logger } from '../lib/logger.js';
import type { SocketIdentity } from './event-maps.js';

/** Whose quota a socket counts against: the user, or the machine (its device key). */
export function quotaHolder(identity: SocketIdentity): string {
  return identity.kind === 'user' ? `user:${identity.userId}` : `machine:${identity.machineId}`;
}

/**
 * How many sockets each user and each device key holds, over every instance. A socket takes a
 * slot at the handshake and gives it back when it disconnects; a holder at its maximum is
 * refused.
 */
export interface ConnectionSlots {
  /** Takes a slot for `socketId` unless `holder` already holds `max`; true when taken. */
  acquire(holder: string, socketId: string, max: number): Promise<boolean>;
  /** Gives the slot back (idempotent). */
  release(holder: string, socketId: string): void;
  /** Stops renewing this process's slots without giving them back, as a crash would. */
  abandon(): void;
}

/** A slot lives this long unless its instance renews it: how long a crashed instance's sockets keep counting. */
export const SLOT_LEASE_MS = 60_000;

/**
 * With Redis: one sorted set per holder, its members the socket ids scored by when their lease
 * ends. Acquiring is one script (drop expired leases, count, add) so two instances racing for the
 * last slot cannot both win, and it reads Redis's clock so instances' clocks need not agree. Each
 * instance renews its own sockets' leases every third of a lease in one script call; an instance
 * that crashes stops renewing, and its slots free themselves within a lease. Cost: one round trip
 * per handshake and per disconnect, and one per instance per renewal period.
 */
const ACQUIRE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local lease = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + lease, ARGV[2])
redis.call('PEXPIRE', KEYS[1], lease)
return 1
`;

const RENEW_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local lease = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + lease, ARGV[i + 1])
  redis.call('PEXPIRE', key, lease)
end
return #KEYS
`;

/** Renewals per script call, so one call never holds Redis for long. */
const RENEW_BATCH = 500;

class RedisConnectionSlots implements ConnectionSlots {
  /** This process's sockets: id → its holder's key. */
  private readonly held = new Map<string, string>();
  private renewal: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly logger: Logger,
    private readonly leaseMs: number,
  ) {}

  private key(holder: string): string {
    return `${this.keyPrefix}ws:sockets:${holder}`;
  }

  async acquire(holder: string, socketId: string, max: number): Promise<boolean> {
    const key = this.key(holder);
    const taken = await this.redis.eval(ACQUIRE_SCRIPT, 1, key, this.leaseMs, socketId, max);
    if (taken !== 1) return false;
    this.held.set(socketId, key);
    this.renewal ??= setInterval(() => this.renew(), Math.max(1, this.leaseMs / 3)).unref();
    return true;
  }

  release(_holder: string, socketId: string): void {
    const key = this.held.get(socketId);
    if (key === undefined) return;
    this.held.delete(socketId);
    if (this.held.size === 0) this.stopRenewing();
    // Sent on the same connection as the renewals, so a renewal sent earlier cannot revive it.
    this.redis.zrem(key, socketId).catch((error: unknown) => {
      // The lease runs out by itself.
      this.logger.warn({ err: error }, 'socket slot release failed');
    });
  }

  abandon(): void {
    this.stopRenewing();
    this.held.clear();
  }

  private stopRenewing(): void {
    clearInterval(this.renewal);
    this.renewal = undefined;
  }

  private renew(): void {
    const entries = [...this.held];
    for (let start = 0; start < entries.length; start += RENEW_BATCH) {
      const batch = entries.slice(start, start + RENEW_BATCH);
      this.redis
        .eval(
          RENEW_SCRIPT,
          batch.length,
          ...batch.map(([, key]) => key),
          this.leaseMs,
          ...batch.map(([socketId]) => socketId),
        )
        .catch((error: unknown) => {
          // The next renewal tries again; a lease outlives two missed ones.
          this.logger.warn({ err: error }, 'socket slot renewal failed');
        });
    }
  }
}

/** Without Redis there is one process: its own count is the whole truth, and nothing expires. */
class MemoryConnectionSlots implements ConnectionSlots {
  private readonly held = new Map<string, Set<string>>();

  acquire(holder: string, socketId: string, max: number): Promise<boolean> {
    const sockets = this.held.get(holder) ?? new Set<string>();
    if (!sockets.has(socketId) && sockets.size >= max) return Promise.resolve(false);
    sockets.add(socketId);
    this.held.set(holder, sockets);
    return Promise.resolve(true);
  }

  release(holder: string, socketId: string): void {
    const sockets = this.held.get(holder);
    if (!sockets) return;
    sockets.delete(socketId);
    if (sockets.size === 0) this.held.delete(holder);
  }

  abandon(): void {
    this.held.clear();
  }
}

/** The slots over the deployment's Redis (shared by every instance), or in memory without it. */
export function createConnectionSlots(options: {
  redis?: Redis;
  keyPrefix: string;
  logger: Logger;
  leaseMs?: number;
}): ConnectionSlots {
  return options.redis
    ? new RedisConnectionSlots(
        options.redis,
        options.keyPrefix,
        options.logger,
        options.leaseMs ?? SLOT_LEASE_MS,
      )
    : new MemoryConnectionSlots();
}

/** Entries kept for holders over budget before the expired ones are swept out. */
const BLOCKED_SWEEP_THRESHOLD = 1_000;

/**
 * The events one user (or one device key) may send per minute over all their sockets on every
 * instance: a counter per holder in the key-value store (Redis, or memory in the embedded
 * default) whose window starts with the first event. Once a holder is over budget this instance
 * remembers until when, so a flood costs no further round trips. When the store cannot answer
 * the event is let through: the per-socket limit still holds, and the outage is logged.
 */
export class EventBudget {
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly kv: KeyValueStore,
    private readonly perMinute: number,
    private readonly logger: Logger,
  ) {}

  /** Counts one event of `holder`; false when it is over budget. */
  async spend(holder: string): Promise<boolean> {
    const now = Date.now();
    const blocked = this.blockedUntil.get(holder);
    if (blocked !== undefined) {
      if (blocked > now) return false;
      this.blockedUntil.delete(holder);
    }
    try {
      const { count, resetAt } = await this.kv.incrementInWindow(`ws:events:${holder}`, 60_000);
      if (count <= this.perMinute) return true;
      this.block(holder, resetAt);
      return false;
    } catch (error) {
      this.logger.warn({ err: error }, 'socket event budget unavailable');
      return true;
    }
  }

  private block(holder: string, until: number): void {
    if (this.blockedUntil.size >= BLOCKED_SWEEP_THRESHOLD) {
      const now = Date.now();
      for (const [key, end] of this.blockedUntil) if (end <= now) this.blockedUntil.delete(key);
    }
    this.blockedUntil.set(holder, until);
  }
}
