import { AppError } from '../../lib/errors.js';

/** The external services we call, as they appear in metric labels, quota keys and logs. */
export type ServiceName =
  'workout-planning' | 'meal-detection' | 'nutrition-planning' | 'scanning' | 'open-food-facts';

/** Human names for error details, so a problem document says which service failed. */
export const serviceTitles: Record<ServiceName, string> = {
  'workout-planning': 'Workout planning service',
  'meal-detection': 'Meal detection service',
  'nutrition-planning': 'Nutrition planning service',
  scanning: '3D scanning service',
  'open-food-facts': 'Open Food Facts',
};

/**
 * Why an external call did not produce an answer. Callers branch on it (serve a cached plan on
 * any `SERVICE_UNAVAILABLE`, ask the user to retry later on `quota_exceeded` ...).
 */
export type IntegrationFailureReason =
  | 'not_configured'
  | 'breaker_open'
  | 'timeout'
  | 'budget_exhausted'
  | 'quota_exceeded'
  | 'unreachable'
  | 'upstream_error'
  | 'rate_limited'
  | 'malformed'
  | 'rejected';

/** An AppError that also says which service failed and why, for callers choosing a fallback. */
export class IntegrationError extends AppError {
  constructor(
    readonly service: ServiceName,
    readonly reason: IntegrationFailureReason,
    status: number,
    code: string,
    title: string,
    detail: string,
    extras: AppError['extras'] = {},
    /** The HTTP status the service answered with, when it answered. */
    readonly upstreamStatus?: number,
  ) {
    super(status, code, title, detail, extras);
    this.name = 'IntegrationError';
  }
}

const retryAfterHeader = (seconds: number | undefined) =>
  seconds === undefined
    ? {}
    : { headers: { 'Retry-After': String(Math.max(1, Math.ceil(seconds))) } };

/** 503: the service cannot answer now (not configured, breaker open, timeout, quota, budget). */
export const externalServiceUnavailable = (
  service: ServiceName,
  reason: IntegrationFailureReason,
  why: string,
  retryAfterSeconds?: number,
  upstreamStatus?: number,
) =>
  new IntegrationError(
    service,
    reason,
    503,
    'SERVICE_UNAVAILABLE',
    'Service unavailable',
    `${serviceTitles[service]} is unavailable: ${why}.`,
    retryAfterHeader(retryAfterSeconds),
    upstreamStatus,
  );

/** 502: the service answered 2xx with a body that breaks the contract in docs/external-services.md. */
export const upstreamBadResponse = (service: ServiceName, why: string) =>
  new IntegrationError(
    service,
    'malformed',
    502,
    'UPSTREAM_BAD_RESPONSE',
    'Bad response from upstream service',
    `${serviceTitles[service]} sent a response we cannot use: ${why}.`,
    // A contract break is our integration or their release going wrong: worth an alert.
    { report: true },
  );

/** 502: the service refused our request with a 4xx (bad request, credentials, unknown id). */
export const upstreamRejected = (service: ServiceName, status: number, why: string) =>
  new IntegrationError(
    service,
    'rejected',
    502,
    'UPSTREAM_REJECTED',
    'Request rejected by upstream service',
    `${serviceTitles[service]} rejected the request (HTTP ${status}): ${why}.`,
    { report: true },
    status,
  );

// The errors below live only inside the resilient caller: policies decide on them (retry? count
// against the breaker?) and the caller translates whatever escapes into an IntegrationError.

/** The service answered with a non-2xx status. */
export class UpstreamHttpError extends Error {
  constructor(
    readonly status: number,
    /** Delay the service asked for (Retry-After), in milliseconds. */
    readonly retryAfterMs: number | undefined,
    /** Which endpoint answered: the API itself or the OAuth token endpoint. */
    readonly source: 'API' | 'token endpoint' = 'API',
  ) {
    super(`${source} answered HTTP ${status}`);
    this.name = 'UpstreamHttpError';
  }
}

/** No HTTP answer at all: refused, reset, DNS failure. Carries only the error code, never the request. */
export class UpstreamNetworkError extends Error {
  constructor(readonly code: string) {
    super(`network error ${code}`);
    this.name = 'UpstreamNetworkError';
  }
}

/** A 2xx whose body is not JSON or does not match the response schema. */
export class UpstreamMalformedError extends Error {
  constructor(readonly why: string) {
    super(why);
    this.name = 'UpstreamMalformedError';
  }
}

/** The shared quota window is spent; nothing was sent. */
export class QuotaExceededError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('quota exceeded');
    this.name = 'QuotaExceededError';
  }
}

/** The caller's budget cannot fit another attempt (or was cancelled); nothing more is sent. */
export class BudgetExhaustedError extends Error {
  constructor(readonly why: string) {
    super(why);
    this.name = 'BudgetExhaustedError';
  }
}
