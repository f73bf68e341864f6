import {
  CircuitState,
  CountBreaker,
  DelegateBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  decorrelatedJitterGenerator,
  handleWhen,
  retry,
  timeout,
  type CircuitBreakerPolicy,
  type IExponentialBackoffOptions,
  type IRetryBackoffContext,
  type RetryPolicy,
} from 'cockatiel';
import type { Registry } from 'prom-client';
import type { KeyValueStore } from '../../lib/kv/kv.js';
import type { Logger } from '../../lib/logger.js';
import type { z } from '../../lib/zod.js';
import { CallBudget, type CallOptions } from './call-budget.js';
import { buildRequest, readAnswer, type Endpoint } from './endpoint.js';
import {
  attemptOutcome,
  countsAgainstBreaker,
  describeFailure,
  isRetryable,
  requestedDelayMs,
  toIntegrationError,
} from './failure-classification.js';
import {
  createAxiosTransport,
  type HttpResponse,
  type HttpTransport,
  type OutgoingRequest,
} from './http-transport.js';
import {
  BudgetExhaustedError,
  externalServiceUnavailable,
  type ServiceName,
} from './integration-errors.js';
import {
  integrationMetrics,
  type BreakerState,
  type IntegrationMetrics,
} from './integration-metrics.js';
import type { RequestAuth } from './request-auth.js';
import { defaultResilience, type ResilienceSettings } from './resilience-settings.js';
import { SharedQuota, type QuotaLimit } from './shared-quota.js';

export { defineEndpoint, type Endpoint } from './endpoint.js';

/** What a readiness probe shows per service; an open breaker is informational, not a failure. */
export interface ServiceStatus {
  service: ServiceName;
  configured: boolean;
  breaker: BreakerState;
}

/** Where a configured service lives and how we authenticate to it. */
export interface CallTarget {
  baseUrl: URL;
  auth: RequestAuth;
}

/** Shared infrastructure every client is built from. */
export interface ClientDependencies {
  /** Holds the quota counters shared by all instances. */
  kv: KeyValueStore;
  registry: Registry;
  logger: Logger;
  /** Wall clock (epoch ms) for quota windows, token lifetimes and signature timestamps. */
  now?: () => number;
  /** Default budget of one call, retries included (AI_REQUEST_BUDGET_MS). */
  requestBudgetMs?: number;
  resilience?: Partial<ResilienceSettings>;
  /** Replaces the provider's published quota (tests use tiny ones). */
  quota?: QuotaLimit;
  transport?: HttpTransport;
}

/** The built-in default of AI_REQUEST_BUDGET_MS. */
export const DEFAULT_REQUEST_BUDGET_MS = 15_000;

type JitterState = [number, number];

/**
 * Calls one external service through cockatiel policies: retry (exponential backoff with
 * jitter, Retry-After honoured, bounded by the call's budget) around a circuit breaker shared by
 * all calls to the service, around a per-attempt timeout; the shared quota is taken right before
 * each request goes out. Whatever fails comes out as an IntegrationError.
 */
export class ResilientCaller {
  private readonly settings: ResilienceSettings;
  private readonly breaker: CircuitBreakerPolicy;
  private breakerOpenedAt = 0;
  private readonly quota: SharedQuota;
  private readonly metrics: IntegrationMetrics;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly transport: HttpTransport;
  private readonly requestBudgetMs: number;
  private readonly backoffOptions: IExponentialBackoffOptions<JitterState>;

  constructor(
    readonly service: ServiceName,
    private readonly target: CallTarget | undefined,
    publishedQuota: QuotaLimit,
    deps: ClientDependencies,
  ) {
    this.settings = { ...defaultResilience, ...deps.resilience };
    this.now = deps.now ?? Date.now;
    this.logger = deps.logger.child({ integration: service });
    this.transport = deps.transport ?? createAxiosTransport();
    this.requestBudgetMs = deps.requestBudgetMs ?? DEFAULT_REQUEST_BUDGET_MS;
    this.quota = new SharedQuota(
      deps.kv,
      service,
      deps.quota ?? publishedQuota,
      this.now,
      this.logger,
    );
    this.metrics = integrationMetrics(deps.registry);
    this.backoffOptions = {
      generator: decorrelatedJitterGenerator,
      initialDelay: this.settings.backoffInitialMs,
      maxDelay: this.settings.backoffMaxMs,
      exponent: 2,
    };
    this.breaker = this.createBreaker();
    this.metrics.watchBreaker(service, () => this.breakerState());
  }

  /** Configured or not, and what the breaker currently lets through. */
  status(): ServiceStatus {
    return {
      service: this.service,
      configured: this.target !== undefined,
      breaker: this.breakerState(),
    };
  }

  /**
   * Sends `input` to `endpoint` and returns the validated answer. Throws VALIDATION_ERROR when
   * the input breaks the contract (nothing sent) and an IntegrationError for every failure.
   */
  async call<Request extends z.ZodType, Response extends z.ZodType>(
    endpoint: Endpoint<Request, Response>,
    input: z.input<Request>,
    options: CallOptions = {},
  ): Promise<z.output<Response>> {
    const target = this.requireTarget();
    const request = buildRequest(target.baseUrl, endpoint, input);
    const budget = CallBudget.start(options, this.requestBudgetMs, this.settings.minAttemptMs);
    const progress = { attempts: 0 };
    const started = performance.now();
    try {
      const answer = await this.retryPolicy(endpoint, budget).execute(() => {
        // Checked before the breaker so an exhausted budget never counts as a service failure.
        budget.assertRoomForAttempt();
        progress.attempts += 1;
        return this.breaker.execute(() => this.attempt(endpoint, request, target.auth, budget));
      }, budget.signal);
      this.logger.debug(
        {
          operation: endpoint.operation,
          attempts: progress.attempts,
          durationMs: Math.round(performance.now() - started),
        },
        'external call succeeded',
      );
      return answer;
    } catch (error) {
      throw this.translateFailure(error, endpoint, budget, progress.attempts);
    }
  }

  private requireTarget(): CallTarget {
    if (this.target) return this.target;
    this.metrics.record(this.service, 'not_configured');
    throw externalServiceUnavailable(this.service, 'not_configured', 'it is not configured');
  }

  private createBreaker(): CircuitBreakerPolicy {
    const breaker = circuitBreaker(handleWhen(countsAgainstBreaker), {
      halfOpenAfter: this.settings.breakerHalfOpenAfterMs,
      breaker: new CountBreaker({
        threshold: this.settings.breakerFailureRatio,
        size: this.settings.breakerWindowSize,
        minimumNumberOfCalls: this.settings.breakerMinimumCalls,
      }),
    });
    breaker.onBreak(() => {
      this.breakerOpenedAt = Date.now();
      this.logger.warn('circuit breaker opened');
    });
    breaker.onHalfOpen(() => this.logger.info('circuit breaker half-open: probing'));
    breaker.onReset(() => this.logger.info('circuit breaker closed'));
    return breaker;
  }

  private breakerState(): BreakerState {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default: {
        // cockatiel half-opens lazily, on the first call after the delay; report what that
        // call will meet rather than a stale "open".
        const waited = Date.now() - this.breakerOpenedAt;
        return waited >= this.settings.breakerHalfOpenAfterMs ? 'half-open' : 'open';
      }
    }
  }

  /** Built per call: the backoff needs this call's budget to decide whether waiting is worth it. */
  private retryPolicy(endpoint: Endpoint<z.ZodType, z.ZodType>, budget: CallBudget): RetryPolicy {
    return retry(handleWhen(isRetryable), {
      maxAttempts: this.settings.maxRetries,
      backoff: new DelegateBackoff<IRetryBackoffContext<unknown>, JitterState>((context, state) => {
        const [jittered, nextState] = decorrelatedJitterGenerator(state, this.backoffOptions);
        const delay = Math.max(jittered, requestedDelayMs(context.result));
        // Throwing here ends the retry loop at once: no sleeping through a backoff whose next
        // attempt could not finish before the deadline.
        budget.assertRoomForAttempt(delay);
        this.metrics.record(this.service, 'retry');
        this.logger.warn(
          {
            operation: endpoint.operation,
            retry: context.attempt,
            delayMs: Math.round(delay),
            cause: describeFailure(context.result),
          },
          'retrying external call',
        );
        return { delay, state: nextState };
      }),
    });
  }

  private async attempt<Response extends z.ZodType>(
    endpoint: Endpoint<z.ZodType, Response>,
    request: OutgoingRequest,
    auth: RequestAuth,
    budget: CallBudget,
  ): Promise<z.output<Response>> {
    const serviceLimitMs = this.timeoutFor(endpoint);
    const limitMs = Math.min(serviceLimitMs, budget.remainingMs());
    try {
      const response = await timeout(limitMs, TimeoutStrategy.Aggressive).execute(
        ({ signal }) => this.sendAuthenticated(request, auth, signal),
        budget.signal,
      );
      const answer = readAnswer(endpoint, response, this.now());
      this.metrics.record(this.service, 'success');
      return answer;
    } catch (error) {
      // A cut imposed by the caller's budget says nothing about the service's health: it must
      // neither trip the breaker nor be retried.
      const cutByBudget =
        error instanceof TaskCancelledError &&
        (budget.signal?.aborted === true || limitMs < serviceLimitMs);
      const failure = cutByBudget
        ? new BudgetExhaustedError('the request budget ran out during an attempt')
        : error;
      this.recordAttemptFailure(failure);
      throw failure;
    }
  }

  private timeoutFor(endpoint: Endpoint<z.ZodType, z.ZodType>): number {
    return endpoint.kind === 'ai' ? this.settings.aiTimeoutMs : this.settings.standardTimeoutMs;
  }

  /** Sends once; on a 401 with renewable credentials (OAuth), renews and sends once more. */
  private async sendAuthenticated(
    request: OutgoingRequest,
    auth: RequestAuth,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    const first = await this.sendCounted(request, auth, signal);
    if (first.response.status !== 401 || !auth.forgetRejectedCredentials?.(first.headers)) {
      return first.response;
    }
    this.metrics.record(this.service, 'auth_retry');
    this.logger.info('credentials refused (401); renewing them and sending once more');
    return (await this.sendCounted(request, auth, signal)).response;
  }

  private async sendCounted(
    request: OutgoingRequest,
    auth: RequestAuth,
    signal: AbortSignal,
  ): Promise<{ response: HttpResponse; headers: Record<string, string> }> {
    const headers = await auth.headersFor(request);
    // Taken last, so only requests that really go out use the provider's quota.
    await this.quota.consume();
    return { response: await this.transport.send(request, headers, signal), headers };
  }

  private recordAttemptFailure(error: unknown): void {
    const outcome = attemptOutcome(error);
    if (outcome) this.metrics.record(this.service, outcome);
  }

  private translateFailure(
    error: unknown,
    endpoint: Endpoint<z.ZodType, z.ZodType>,
    budget: CallBudget,
    attempts: number,
  ): unknown {
    const failure = toIntegrationError(error, {
      service: this.service,
      attempts,
      budgetSpent: budget.spent,
      breakerHalfOpenAfterMs: this.settings.breakerHalfOpenAfterMs,
    });
    if (!failure) return error;
    if (
      failure.reason === 'breaker_open' ||
      failure.reason === 'quota_exceeded' ||
      failure.reason === 'budget_exhausted'
    ) {
      this.metrics.record(this.service, failure.reason);
    }
    this.logger.warn(
      {
        operation: endpoint.operation,
        reason: failure.reason,
        upstreamStatus: failure.upstreamStatus,
        attempts,
      },
      'external call failed',
    );
    return failure;
  }
}
