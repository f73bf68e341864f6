import { createHash } from 'node:crypto';
import { rateLimited } from '../../lib/errors.js';
import { kvKeys, type KeyValueStore } from '../../lib/kv/kv.js';

export interface LoginThrottleLimits {
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  lockoutSeconds: number;
}

// Keys carry a hash of the login, so the cache never holds users' emails.
const accountKey = (login: string) =>
  kvKeys.loginFailuresForAccount(createHash('sha256').update(login.toLowerCase()).digest('hex'));

/**
 * Counts failed logins per account and per IP in the shared store. Once either count reaches
 * its limit, logins answer 429 until the window expires, whether or not the account exists.
 */
export class LoginThrottle {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly limits: LoginThrottleLimits,
  ) {}

  async assertAllowed(login: string, ip: string): Promise<void> {
    const account = accountKey(login);
    const address = kvKeys.loginFailuresForIp(ip);
    const [accountFailures, ipFailures] = await this.kv.getMany([account, address]);
    const blockedKey =
      Number(accountFailures ?? 0) >= this.limits.maxFailuresPerAccount
        ? account
        : Number(ipFailures ?? 0) >= this.limits.maxFailuresPerIp
          ? address
          : undefined;
    if (blockedKey) {
      const retryAfter = (await this.kv.ttl(blockedKey)) ?? this.limits.lockoutSeconds;
      throw rateLimited(retryAfter, 'Too many failed sign-in attempts.');
    }
  }

  async recordFailure(login: string, ip: string): Promise<void> {
    await Promise.all([
      this.kv.increment(accountKey(login), this.limits.lockoutSeconds),
      this.kv.increment(kvKeys.loginFailuresForIp(ip), this.limits.lockoutSeconds),
    ]);
  }

  async recordSuccess(login: string): Promise<void> {
    await this.kv.delete(accountKey(login));
  }
}
