import type { CallOptions } from './http/call-budget.js';
import { IntegrationError } from './http/integration-errors.js';
import { userAgentOnly } from './http/request-auth.js';
import {
  ResilientCaller,
  defineEndpoint,
  type ClientDependencies,
  type ServiceStatus,
} from './http/resilient-caller.js';
import type { QuotaLimit } from './http/shared-quota.js';
import type { OpenFoodFactsConfig } from './integrations.config.js';
import {
  OFF_PRODUCT_FIELDS,
  offProductQuerySchema,
  offProductResponseSchema,
  type OffProduct,
} from './open-food-facts.schemas.js';

/** Open Food Facts allows 100 product reads per minute per client. */
export const openFoodFactsQuota: QuotaLimit = { max: 100, windowSeconds: 60 };

/** A product as Open Food Facts has it, or `not-found`. */
export type OffLookup = { found: true; product: OffProduct } | { found: false };

/**
 * Client of Open Food Facts' public product API: no key, a descriptive User-Agent, and the same
 * timeouts, retries, breaker and shared quota as the AI services.
 */
export class OpenFoodFactsClient {
  private readonly caller: ResilientCaller;

  constructor(config: OpenFoodFactsConfig, deps: ClientDependencies) {
    this.caller = new ResilientCaller(
      'open-food-facts',
      { baseUrl: config.baseUrl, auth: userAgentOnly(config.userAgent) },
      openFoodFactsQuota,
      deps,
    );
  }

  /**
   * GET /api/v2/product/{code}.json for a code whose check digit was verified (digits only, so
   * it is safe in the path). A 404 or `status: 0` is "not found", not a failure.
   */
  async product(code: string, options?: CallOptions): Promise<OffLookup> {
    if (!/^\d{8,14}$/.test(code)) throw new TypeError('barcode must be 8 to 14 digits');
    const endpoint = defineEndpoint({
      operation: 'getProduct',
      method: 'GET',
      path: `/api/v2/product/${code}.json`,
      kind: 'standard',
      request: offProductQuerySchema,
      response: offProductResponseSchema,
    });
    try {
      const answer = await this.caller.call(
        endpoint,
        { fields: OFF_PRODUCT_FIELDS.join(',') },
        options,
      );
      return answer.status === 1 && answer.product
        ? { found: true, product: answer.product }
        : { found: false };
    } catch (error) {
      if (
        error instanceof IntegrationError &&
        error.reason === 'rejected' &&
        error.upstreamStatus === 404
      ) {
        return { found: false };
      }
      throw error;
    }
  }

  /** Breaker state for the readiness probe. */
  status(): ServiceStatus {
    return this.caller.status();
  }
}
