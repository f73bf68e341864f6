import { Registry } from 'prom-client';
import type { KeyValueStore } from '../../lib/kv/kv.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { LogCapture } from '../../test-support/log-capture.js';
import { IntegrationError, type ServiceName } from '../http/integration-errors.js';
import type { CallOutcome } from '../http/integration-metrics.js';
import type { ClientDependencies } from '../http/resilient-caller.js';
import type { ResilienceSettings } from '../http/resilience-settings.js';

/**
 * Short waits, so failure paths run in a test's time; attempt timeouts long enough that a
 * loopback stub answering at once is never cut off on a busy machine (at 200 ms, it was).
 */
export const fastResilience: Partial<ResilienceSettings> = {
  aiTimeoutMs: 1_000,
  standardTimeoutMs: 1_000,
  backoffInitialMs: 5,
  backoffMaxMs: 40,
  minAttemptMs: 20,
  breakerWindowSize: 10,
  breakerMinimumCalls: 4,
  breakerHalfOpenAfterMs: 150,
};

/** What one test needs around a client: its own metrics, captured logs and key-value store. */
export interface IntegrationHarness {
  registry: Registry;
  logs: LogCapture;
  logger: Logger;
  kv: KeyValueStore;
  /** Client dependencies with fast resilience settings; `overrides` win. */
  deps(overrides?: Partial<ClientDependencies>): ClientDependencies;
  /** How many times `external_calls_total{service, outcome}` was counted. */
  count(service: ServiceName, outcome: CallOutcome): Promise<number>;
  close(): Promise<void>;
}

/**
 * Opens a harness over the test's key-value store: pass `openTestKeyValueStore()` (a real Redis
 * namespace when TEST_REDIS_URL is set, memory otherwise). Taken as a parameter because
 * test-app.ts is test-only code the production build must not reach through this file.
 */
export function openIntegrationHarness(store: {
  kv: KeyValueStore;
  drop(): Promise<void>;
}): IntegrationHarness {
  const registry = new Registry();
  const logs = new LogCapture();
  const logger = createLogger('debug', logs);
  return {
    registry,
    logs,
    logger,
    kv: store.kv,
    deps: (overrides = {}) => ({
      kv: store.kv,
      registry,
      logger,
      // Four timed-out attempts (the timeout tests) fit with room for late timers.
      requestBudgetMs: 20_000,
      ...overrides,
      resilience: { ...fastResilience, ...overrides.resilience },
    }),
    async count(service, outcome) {
      const metric = registry.getSingleMetric('external_calls_total');
      if (!metric) return 0;
      const { values } = await metric.get();
      const sample = values.find(
        (value) => value.labels.service === service && value.labels.outcome === outcome,
      );
      return sample?.value ?? 0;
    },
    close: () => store.drop(),
  };
}

/** The IntegrationError a call failed with; fails the test when it succeeded or threw anything else. */
export async function integrationFailure(call: Promise<unknown>): Promise<IntegrationError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof IntegrationError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}
