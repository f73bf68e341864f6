import { createHash } from 'node:crypto';
import { ipKeyGenerator } from 'express-rate-limit';
import { rateLimited } from '../../lib/errors.js';
import { kvKeys, type KeyValueStore } from '../../lib/kv/kv.js';

export interface LoginThrottleLimits {
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  lockoutSeconds: number;
}

/** Who a login attempt counts against: the account when it exists, else the login as typed. */
export interface AttemptSubject {
  userId?: string;
  login: string;
  ip: string;
}

// Unknown logins are hashed, so the cache never holds what people typed (often emails).
const accountKey = (subject: AttemptSubject) =>
  kvKeys.loginAttemptsForAccount(
    subject.userId ?? createHash('sha256').update(subject.login.toLowerCase()).digest('hex'),
  );
// IPv6 clients are grouped by /56 as the rate limiter does, or one host could rotate addresses.
const ipKey = (subject: AttemptSubject) => kvKeys.loginAttemptsForIp(ipKeyGenerator(subject.ip));

/**
 * Per-account and per-IP lockouts for password guessing. Each attempt is counted *before* the
 * password is checked, so parallel guesses cannot all slip in before the first one is counted;
 * a successful attempt is taken back. Reaching a limit locks that key for the lockout period.
 * Email and username of one account share a counter; unknown accounts lock the same way, so
 * lockouts reveal nothing about which accounts exist.
 */
export class LoginThrottle {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly limits: LoginThrottleLimits,
  ) {}

  /** Counts an attempt, or answers 429 when the account or IP is locked. */
  async beginAttempt(subject: AttemptSubject): Promise<void> {
    const checks = [
      { key: accountKey(subject), max: this.limits.maxFailuresPerAccount },
      { key: ipKey(subject), max: this.limits.maxFailuresPerIp },
    ];
    const locks = await this.kv.getMany(checks.map((check) => kvKeys.lockout(check.key)));
    const locked = checks.find((_check, i) => locks[i] !== null);
    if (locked) await this.refuse(locked.key);

    const counts = await Promise.all(
      checks.map((check) => this.kv.increment(check.key, this.limits.lockoutSeconds)),
    );
    const exceeded = checks.find((check, i) => (counts[i] ?? 0) > check.max);
    if (exceeded) {
      await this.kv.set(kvKeys.lockout(exceeded.key), '1', this.limits.lockoutSeconds);
      await this.refuse(exceeded.key);
    }
  }

  /** A correct password: the account starts afresh and the IP gets its attempt back. */
  async succeeded(subject: AttemptSubject): Promise<void> {
    await Promise.all([
      this.kv.delete(accountKey(subject)),
      this.kv.increment(ipKey(subject), this.limits.lockoutSeconds, -1),
    ]);
  }

  private async refuse(key: string): Promise<never> {
    const retryAfter = (await this.kv.ttl(kvKeys.lockout(key))) ?? this.limits.lockoutSeconds;
    throw rateLimited(retryAfter, 'Too many failed sign-in attempts.');
  }
}
