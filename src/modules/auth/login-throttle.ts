import { createHash } from 'node:crypto';
import { bulkhead, BulkheadRejectedError } from 'cockatiel';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Database } from '../../db/database.js';
import { rateLimited, serviceUnavailable, type RateLimitReason } from '../../lib/errors.js';
import { loginThrottleRepository } from './auth.repository.js';
import type { LoginThrottleRow } from './auth.table.js';

export interface LoginThrottleLimits {
  maxFailuresPerSource: number;
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  lockoutSeconds: number;
  maxLockoutSeconds: number;
}

/**
 * Who a password check counts against.
 * - `sign-in` without a trusted device: the account (its id, or the login as typed when no such
 *   account exists), the account from this IP, and the IP.
 * - `sign-in` with a device token the account was given at an earlier sign-in: that device only.
 * - `reauth`: a signed-in user confirming an action with their password.
 */
export type PasswordAttempt =
  | { kind: 'sign-in'; account: { userId: string } | { login: string }; ip: string }
  | { kind: 'trusted-sign-in'; deviceId: string }
  | { kind: 'reauth'; userId: string };

/** An attempt already counted: tell the throttle how it ended. */
export interface CountedAttempt {
  /** The password was right: the source starts afresh, shared counters get the attempt back. */
  succeeded(): Promise<void>;
  /** The password was never judged (overload, hang-up): the attempt is taken back. */
  abandoned(): Promise<void>;
}

type CounterKind = 'account' | 'source' | 'ip' | 'device' | 'reauth';

interface Counter {
  kind: CounterKind;
  key: string;
  max: number;
}

const lockReason: Record<CounterKind, RateLimitReason> = {
  account: 'ACCOUNT_LOCKED',
  source: 'ACCOUNT_LOCKED',
  ip: 'IP_LOCKED',
  device: 'DEVICE_LOCKED',
  reauth: 'PASSWORD_CHECKS_LOCKED',
};

// A right password resets a source's own counter; shared counters only get the attempt back,
// so the owner signing in does not wipe what strangers failed.
const resetOnSuccess = new Set<CounterKind>(['source', 'device', 'reauth']);

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** The state a counter is in at `now`, whatever the stored row says about the past. */
export type CounterState = Omit<LoginThrottleRow, 'key'>;

/** Pure rules of one counter: windows, lockouts that double, and forgetting. */
export class CounterRules {
  constructor(private readonly limits: LoginThrottleLimits) {}

  private ms = (seconds: number) => seconds * 1000;

  fresh(now: number): CounterState {
    const windowEndsAt = new Date(now + this.ms(this.limits.lockoutSeconds));
    return {
      failures: 0,
      windowEndsAt,
      lockouts: 0,
      lockedUntil: null,
      expiresAt: new Date(windowEndsAt.getTime() + this.ms(this.limits.maxLockoutSeconds)),
    };
  }

  current(row: CounterState | undefined, now: number): CounterState {
    if (!row || row.expiresAt.getTime() <= now) return this.fresh(now);
    if (this.lockedSeconds(row, now) > 0 || row.windowEndsAt.getTime() > now) return row;
    // The window is over: failures start again, the streak of lockouts is kept.
    const windowEndsAt = new Date(now + this.ms(this.limits.lockoutSeconds));
    return { ...row, failures: 0, windowEndsAt };
  }

  lockedSeconds(state: CounterState, now: number): number {
    const until = state.lockedUntil?.getTime() ?? 0;
    return until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  /** One more attempt; going over `max` locks the counter, each lockout twice the last. */
  count(state: CounterState, max: number, now: number): CounterState {
    const failures = state.failures + 1;
    if (failures <= max) {
      const expiresAt = Math.max(
        state.expiresAt.getTime(),
        state.windowEndsAt.getTime() + this.ms(this.limits.maxLockoutSeconds),
      );
      return { ...state, failures, expiresAt: new Date(expiresAt) };
    }
    const lockouts = state.lockouts + 1;
    const seconds = Math.min(
      this.limits.lockoutSeconds * 2 ** Math.min(lockouts - 1, 30),
      this.limits.maxLockoutSeconds,
    );
    const lockedUntil = new Date(now + this.ms(seconds));
    return {
      failures: 0,
      lockouts,
      lockedUntil,
      windowEndsAt: new Date(lockedUntil.getTime() + this.ms(this.limits.lockoutSeconds)),
      expiresAt: new Date(lockedUntil.getTime() + this.ms(this.limits.maxLockoutSeconds)),
    };
  }
}

/**
 * Lockouts for password guessing, after OWASP's "device cookies": a stranger's failures never
 * lock out the owner on a device that signed in before, while guessing stays bounded.
 *
 * - A sign-in that carries a valid device token of the account counts only against that
 *   device; the account's and IP's lockouts do not apply to it.
 * - Any other sign-in counts against the account from that IP (a small limit), the account from
 *   all such sources together (larger), and the IP across accounts (generous: a gym shares one
 *   address). A stranger on another network therefore cannot lock the owner out even on a new
 *   device, and many addresses together still meet the account-wide limit.
 * - Going over a limit locks that counter; each lockout in a row doubles, up to a cap, so online
 *   guessing of one account is bounded to a few dozen guesses a day however many IPs are used.
 * - Unknown accounts count exactly like existing ones, so answers reveal nothing.
 *
 * Each attempt is counted before the password is checked (parallel guesses cannot slip past the
 * limit) and taken back unless it failed. Counters live in PostgreSQL, in one transaction per
 * attempt that locks the counter rows, so they survive an empty Redis and cannot be overrun.
 */
// Sign-ins to one account (or from one address) lock the same counter rows, so their
// transactions wait for each other, each holding a pool connection: a flood of sign-ins held the
// whole pool and every other request queued behind it for seconds. This many at a time, per
// process, leaves the pool to everyone else; the rest wait here, in memory, and past the queue
// get a 503 (bcrypt admits far fewer sign-ins a second than this gate does anyway).
export const COUNTER_UPDATES_AT_ONCE = 2;
const COUNTER_UPDATES_QUEUED = 256;

export class LoginThrottle {
  private readonly rules: CounterRules;
  private readonly gate = bulkhead(COUNTER_UPDATES_AT_ONCE, COUNTER_UPDATES_QUEUED);

  constructor(
    private readonly db: Database,
    private readonly limits: LoginThrottleLimits,
  ) {
    this.rules = new CounterRules(limits);
  }

  /** Counts the attempt, or answers 429 (with the reason) when one of its counters is locked. */
  async begin(attempt: PasswordAttempt): Promise<CountedAttempt> {
    const counters = this.countersOf(attempt);
    const outcome = await this.gated(() => this.count(counters));
    if (outcome) {
      throw rateLimited(outcome.seconds, 'Too many failed password attempts.', outcome.reason);
    }
    return {
      succeeded: () => this.gated(() => this.settle(counters, true)),
      abandoned: () => this.gated(() => this.settle(counters, false)),
    };
  }

  /** Deletes counters that mean nothing any more (run by a periodic job). */
  async prune(): Promise<number> {
    return loginThrottleRepository.deleteExpired(this.db, new Date());
  }

  private async gated<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.gate.execute(work);
    } catch (error) {
      if (error instanceof BulkheadRejectedError) {
        throw serviceUnavailable('The server is busy with sign-ins; retry shortly.', 1);
      }
      throw error;
    }
  }

  /** Counts the attempt on each of its counters; answers the lock that applies, if any. */
  private async count(counters: Counter[]) {
    const now = Date.now();
    return this.db.transaction(async (tx) => {
      const rows = await loginThrottleRepository.lockCounters(
        tx,
        counters.map((counter) => ({ key: counter.key, ...this.rules.fresh(now) })),
      );
      const states = counters.map((counter) => ({
        counter,
        state: this.rules.current(rows.get(counter.key), now),
      }));
      const locked = this.longestLock(states, now);
      if (locked) return locked;
      const next = states.map(({ counter, state }) => ({
        counter,
        state: this.rules.count(state, counter.max, now),
      }));
      await loginThrottleRepository.saveCounters(
        tx,
        next.map(({ counter, state }) => ({ key: counter.key, ...state })),
      );
      return this.longestLock(next, now);
    });
  }

  private async settle(counters: Counter[], succeeded: boolean): Promise<void> {
    const reset = succeeded ? counters.filter((c) => resetOnSuccess.has(c.kind)) : [];
    const giveBack = counters.filter((counter) => !reset.includes(counter));
    await loginThrottleRepository.deleteCounters(
      this.db,
      reset.map((counter) => counter.key),
    );
    await loginThrottleRepository.takeBackAttempt(
      this.db,
      giveBack.map((counter) => counter.key),
    );
  }

  /** The lock that ends last, if any: its Retry-After is the honest one. */
  private longestLock(states: { counter: Counter; state: CounterState }[], now: number) {
    let longest: { seconds: number; reason: RateLimitReason } | undefined;
    for (const { counter, state } of states) {
      const seconds = this.rules.lockedSeconds(state, now);
      if (seconds > (longest?.seconds ?? 0)) {
        longest = { seconds, reason: lockReason[counter.kind] };
      }
    }
    return longest;
  }

  private countersOf(attempt: PasswordAttempt): Counter[] {
    const { maxFailuresPerSource, maxFailuresPerAccount, maxFailuresPerIp } = this.limits;
    switch (attempt.kind) {
      case 'trusted-sign-in':
        return [
          { kind: 'device', key: sha256(`device:${attempt.deviceId}`), max: maxFailuresPerSource },
        ];
      case 'reauth':
        return [
          { kind: 'reauth', key: sha256(`reauth:${attempt.userId}`), max: maxFailuresPerSource },
        ];
      case 'sign-in': {
        // Email and username of one account share its id; unknown logins count by what was typed.
        const account =
          'userId' in attempt.account
            ? attempt.account.userId
            : `login:${attempt.account.login.toLowerCase()}`;
        // IPv6 clients are grouped by /56 as the rate limiter does, or one host could rotate.
        const ip = ipKeyGenerator(attempt.ip);
        return [
          { kind: 'account', key: sha256(`account:${account}`), max: maxFailuresPerAccount },
          { kind: 'source', key: sha256(`source:${account}:${ip}`), max: maxFailuresPerSource },
          { kind: 'ip', key: sha256(`ip:${ip}`), max: maxFailuresPerIp },
        ];
      }
    }
  }
}
