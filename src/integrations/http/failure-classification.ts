import { BrokenCircuitError, TaskCancelledError, type IRetryBackoffContext } from 'cockatiel';
import {
  BudgetExhaustedError,
  IntegrationError,
  QuotaExceededError,
  UpstreamHttpError,
  UpstreamMalformedError,
  UpstreamNetworkError,
  externalServiceUnavailable,
  upstreamBadResponse,
  upstreamRejected,
  type ServiceName,
} from './integration-errors.js';
import type { CallOutcome } from './integration-metrics.js';

// What each failure means for the policies (retry? breaker?), the metrics and the caller.

/** What the caller knows about a call that failed, to explain the failure. */
export interface FailureContext {
  service: ServiceName;
  attempts: number;
  /** True when the caller aborted or the deadline passed. */
  budgetSpent: boolean;
  /** How long an open breaker stays open, for the Retry-After of breaker refusals. */
  breakerHalfOpenAfterMs: number;
}

/**
 * Our error for whatever escaped the policies; undefined for anything that is not a service
 * failure (a bug on our side, which must surface as a 500 with its stack).
 */
export function toIntegrationError(
  error: unknown,
  context: FailureContext,
): IntegrationError | undefined {
  const { service, attempts } = context;
  if (error instanceof IntegrationError) return error;
  if (error instanceof BrokenCircuitError) {
    return externalServiceUnavailable(
      service,
      'breaker_open',
      'its circuit breaker is open after repeated failures',
      context.breakerHalfOpenAfterMs / 1000,
    );
  }
  if (error instanceof QuotaExceededError) {
    return externalServiceUnavailable(
      service,
      'quota_exceeded',
      'our request quota for the current window is spent',
      error.retryAfterSeconds,
    );
  }
  if (error instanceof BudgetExhaustedError) {
    return externalServiceUnavailable(service, 'budget_exhausted', error.why);
  }
  if (error instanceof TaskCancelledError && context.budgetSpent) {
    return externalServiceUnavailable(service, 'budget_exhausted', 'the request budget ran out');
  }
  const tries = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
  if (error instanceof TaskCancelledError) {
    return externalServiceUnavailable(service, 'timeout', `no answer in time ${tries}`);
  }
  if (error instanceof UpstreamNetworkError) {
    return externalServiceUnavailable(service, 'unreachable', `${error.code} ${tries}`);
  }
  if (error instanceof UpstreamMalformedError) return upstreamBadResponse(service, error.why);
  if (error instanceof UpstreamHttpError) return httpFailure(service, error, tries);
  return undefined;
}

/** 429 and 5xx left after the retries are unavailability; any other 4xx is a rejection. */
function httpFailure(service: ServiceName, error: UpstreamHttpError, tries: string) {
  const retryAfterSeconds =
    error.retryAfterMs === undefined ? undefined : error.retryAfterMs / 1000;
  if (error.status === 429) {
    return externalServiceUnavailable(
      service,
      'rate_limited',
      `its ${error.source} is rate limiting us ${tries}`,
      retryAfterSeconds,
      429,
    );
  }
  if (error.status >= 500) {
    return externalServiceUnavailable(
      service,
      'upstream_error',
      `its ${error.source} answered HTTP ${error.status} ${tries}`,
      retryAfterSeconds,
      error.status,
    );
  }
  const why =
    error.status === 401 || error.status === 403
      ? `its ${error.source} refused our credentials`
      : `its ${error.source} refused the request`;
  return upstreamRejected(service, error.status, why);
}

/** Failures that say the service is unhealthy; a 4xx or a malformed body does not. */
export function countsAgainstBreaker(error: unknown): boolean {
  return (
    error instanceof TaskCancelledError ||
    error instanceof UpstreamNetworkError ||
    (error instanceof UpstreamHttpError && error.status >= 500)
  );
}

/** Transient failures worth another attempt: timeouts, network errors, 5xx and 429. */
export function isRetryable(error: unknown): boolean {
  return (
    countsAgainstBreaker(error) || (error instanceof UpstreamHttpError && error.status === 429)
  );
}

/** The delay a 429 or 503 asked for, so the backoff waits at least that long. */
export function requestedDelayMs(result: IRetryBackoffContext<unknown>['result']): number {
  if ('error' in result && result.error instanceof UpstreamHttpError) {
    return result.error.retryAfterMs ?? 0;
  }
  return 0;
}

/** A short, credential-free cause for retry logs, e.g. `API HTTP 503` or `ECONNRESET`. */
export function describeFailure(result: IRetryBackoffContext<unknown>['result']): string {
  if (!('error' in result)) return 'unexpected result';
  const { error } = result;
  if (error instanceof TaskCancelledError) return 'timeout';
  if (error instanceof UpstreamNetworkError) return error.code;
  if (error instanceof UpstreamHttpError) return `${error.source} HTTP ${error.status}`;
  // cockatiel 4 passes on whatever was thrown, which need not be an Error.
  return error instanceof Error ? error.name : typeof error;
}

/** The `external_calls_total` outcome of an attempt that went out and failed. */
export function attemptOutcome(error: unknown): CallOutcome | undefined {
  if (error instanceof TaskCancelledError) return 'timeout';
  if (error instanceof UpstreamNetworkError) return 'network_error';
  if (error instanceof UpstreamMalformedError) return 'malformed';
  if (error instanceof UpstreamHttpError) {
    if (error.status === 429) return 'rate_limited';
    return error.status >= 500 ? 'http_5xx' : 'http_4xx';
  }
  // Budget and quota refusals are counted once per call, when the call gives up.
  return undefined;
}
