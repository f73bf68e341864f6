import { Counter, Gauge, type Registry } from 'prom-client';
import type { ServiceName } from './integration-errors.js';

/**
 * Outcomes counted in `external_calls_total`. Every request that went out is counted once by
 * its result (success … malformed, auth_retry); `retry` once per scheduled retry; calls refused
 * before anything was sent once by why (breaker_open, quota_exceeded, budget_exhausted,
 * not_configured).
 */
export type CallOutcome =
  | 'success'
  | 'retry'
  | 'timeout'
  | 'network_error'
  | 'http_5xx'
  | 'http_4xx'
  | 'rate_limited'
  | 'malformed'
  | 'auth_retry'
  | 'breaker_open'
  | 'quota_exceeded'
  | 'budget_exhausted'
  | 'not_configured';

export type BreakerState = 'closed' | 'half-open' | 'open';

const breakerGaugeValue: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** The integration metrics of one registry; each client records into it. */
export interface IntegrationMetrics {
  record(service: ServiceName, outcome: CallOutcome): void;
  /** Reports a service's breaker state in `external_breaker_state`, read at scrape time. */
  watchBreaker(service: ServiceName, readState: () => BreakerState): void;
}

// prom-client refuses a second metric of the same name on a registry; every client built on the
// same registry must share one set.
const metricsByRegistry = new WeakMap<Registry, IntegrationMetrics>();

/** The integration metrics registered on `registry`, created on first use. */
export function integrationMetrics(registry: Registry): IntegrationMetrics {
  const existing = metricsByRegistry.get(registry);
  if (existing) return existing;
  const created = registerIntegrationMetrics(registry);
  metricsByRegistry.set(registry, created);
  return created;
}

function registerIntegrationMetrics(registry: Registry): IntegrationMetrics {
  const breakerReaders = new Map<ServiceName, () => BreakerState>();
  const calls = new Counter({
    name: 'external_calls_total',
    help: 'Requests to external AI services by service and outcome',
    labelNames: ['service', 'outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'external_breaker_state',
    help: 'Circuit breaker state per external service: 0 closed, 1 half-open, 2 open',
    labelNames: ['service'] as const,
    registers: [registry],
    collect() {
      for (const [service, readState] of breakerReaders) {
        this.set({ service }, breakerGaugeValue[readState()]);
      }
    },
  });
  return {
    record: (service, outcome) => calls.inc({ service, outcome }),
    watchBreaker: (service, readState) => breakerReaders.set(service, readState),
  };
}
