import type { KeyValueStore } from '../../lib/kv/kv.js';
import type { Logger } from '../../lib/logger.js';
import { QuotaExceededError, type ServiceName } from './integration-errors.js';

/** A provider's request allowance: `max` requests per fixed window of `windowSeconds`. */
export interface QuotaLimit {
  max: number;
  windowSeconds: number;
}

/** Key of one service's counter for the window starting at `windowStart` (epoch seconds). */
export const quotaKey = (service: ServiceName, windowStart: number) =>
  `rl:quota:${service}:${windowStart}`;

/**
 * Counts requests sent to one provider in the shared key-value store, so all instances together
 * stay under the provider's quota. Windows are fixed and aligned to the epoch (whole hours, whole
 * UTC days), which is how the providers count per API key.
 */
export class SharedQuota {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly service: ServiceName,
    readonly limit: QuotaLimit,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  /**
   * Takes one request from the current window, or throws QuotaExceededError when the window is
   * spent. Called right before each request goes out, retries included.
   */
  async consume(): Promise<void> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const windowStart = nowSeconds - (nowSeconds % this.limit.windowSeconds);
    const secondsLeft = windowStart + this.limit.windowSeconds - nowSeconds;
    let count: number;
    try {
      count = await this.kv.increment(quotaKey(this.service, windowStart), secondsLeft + 1);
    } catch (error) {
      // The provider enforces its quota anyway (429, retried with its Retry-After); losing AI
      // features because the cache is down would be worse than an occasional 429.
      this.logger.warn(
        { err: { message: error instanceof Error ? error.message : String(error) } },
        'quota counter unavailable; sending without a local quota check',
      );
      return;
    }
    if (count > this.limit.max) throw new QuotaExceededError(secondsLeft);
  }
}
