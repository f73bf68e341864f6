import { BudgetExhaustedError } from './integration-errors.js';

/** What a caller may pass with every client method. */
export interface CallOptions {
  /** Aborts the call (in-flight request and pending retries), e.g. when the client went away. */
  signal?: AbortSignal;
  /**
   * Epoch milliseconds (`Date.now()` clock) by which the call must be settled, retries included.
   * Default: now + AI_REQUEST_BUDGET_MS. A request handler calling several services can pass one
   * deadline to all of them.
   */
  deadline?: number;
}

/**
 * The time one call may spend across all its attempts and backoffs. Retries are planned against
 * it so that a caller with a cached or built-in answer gets control back at once, instead of
 * after a backoff that cannot end in time.
 */
export class CallBudget {
  private constructor(
    private readonly deadline: number,
    readonly signal: AbortSignal | undefined,
    private readonly minAttemptMs: number,
  ) {}

  /** Starts a budget from the caller's options, with the configured default when none is given. */
  static start(options: CallOptions, defaultBudgetMs: number, minAttemptMs: number): CallBudget {
    return new CallBudget(
      options.deadline ?? Date.now() + defaultBudgetMs,
      options.signal,
      minAttemptMs,
    );
  }

  /** Milliseconds left; never negative. */
  remainingMs(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  /** True when the caller aborted or the deadline passed. */
  get spent(): boolean {
    return this.signal?.aborted === true || this.remainingMs() === 0;
  }

  /** Throws unless an attempt starting after `delayMs` would still have `minAttemptMs` to run. */
  assertRoomForAttempt(delayMs = 0): void {
    if (this.signal?.aborted)
      throw new BudgetExhaustedError('the call was cancelled by the caller');
    const remaining = this.remainingMs();
    if (remaining - delayMs < this.minAttemptMs) {
      throw new BudgetExhaustedError(
        delayMs > 0
          ? `the request budget (${remaining} ms left) cannot fit a ${Math.round(delayMs)} ms backoff and another attempt`
          : `the request budget (${remaining} ms left) cannot fit another attempt`,
      );
    }
  }
}
