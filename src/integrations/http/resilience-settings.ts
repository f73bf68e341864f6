/** Time limits, retry and breaker tuning shared by every client; tests inject milliseconds. */
export interface ResilienceSettings {
  /** Time limit of one attempt at an AI call (generate, analyze, process, avatars). */
  aiTimeoutMs: number;
  /** Time limit of one attempt at any other call, and of an OAuth token request. */
  standardTimeoutMs: number;
  /** Retries after the first attempt, for timeouts, network errors, 5xx and 429. */
  maxRetries: number;
  /** Scale of the exponential backoff (decorrelated jitter); Retry-After can only lengthen it. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** An attempt is only started with at least this much of the call's budget left. */
  minAttemptMs: number;
  /** The breaker opens when more than this share of the calls in its window failed ... */
  breakerFailureRatio: number;
  /** ... over the last `breakerWindowSize` attempts ... */
  breakerWindowSize: number;
  /** ... once the window holds at least this many attempts. */
  breakerMinimumCalls: number;
  /** How long an open breaker refuses calls before letting one probe through. */
  breakerHalfOpenAfterMs: number;
}

/** The seed's numbers: 10 s AI / 5 s other, 3 retries, 50% breaker with a 30 s reset. */
export const defaultResilience: ResilienceSettings = {
  aiTimeoutMs: 10_000,
  standardTimeoutMs: 5_000,
  maxRetries: 3,
  backoffInitialMs: 200,
  backoffMaxMs: 5_000,
  minAttemptMs: 500,
  breakerFailureRatio: 0.5,
  breakerWindowSize: 20,
  breakerMinimumCalls: 10,
  breakerHalfOpenAfterMs: 30_000,
};
