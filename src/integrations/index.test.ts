import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestKeyValueStore } from '../test-support/test-app.js';
import { createIntegrations, IntegrationError } from './index.js';
import { readIntegrationsConfig } from './integrations.config.js';
import { nutritionExamples, workoutExamples } from './test-support/contract-examples.js';
import {
  fastResilience,
  openIntegrationHarness,
  type IntegrationHarness,
} from './test-support/integration-harness.js';
import { StubService } from './test-support/stub-service.js';

describe('createIntegrations', () => {
  let harness: IntegrationHarness;
  let stub: StubService;

  beforeEach(async () => {
    harness = openIntegrationHarness(openTestKeyValueStore());
    stub = await StubService.start();
  });

  afterEach(async () => {
    await stub.close();
    await harness.close();
  });

  const build = (env: Record<string, string>) =>
    createIntegrations({
      config: readIntegrationsConfig(env).config,
      kv: harness.kv,
      registry: harness.registry,
      logger: harness.logger,
      resilience: fastResilience,
      quotas: { 'workout-planning': { max: 1, windowSeconds: 60 } },
    });

  it('when no service is configured, then every client refuses without network and the probe lists all four', async () => {
    const integrations = build({});

    await expect(
      integrations.nutritionPlanning.calculateMacros(nutritionExamples.macrosRequest),
    ).rejects.toBeInstanceOf(IntegrationError);
    expect(integrations.statuses()).toEqual([
      ...['workout-planning', 'meal-detection', 'nutrition-planning', 'scanning'].map(
        (service) => ({ service, configured: false, breaker: 'closed' }),
      ),
      // Open Food Facts needs no credentials: always configured.
      { service: 'open-food-facts', configured: true, breaker: 'closed' },
    ]);
    const exposition = await harness.registry.metrics();
    expect(exposition).toContain('external_breaker_state{service="scanning"} 0');
    expect(exposition).toContain(
      'external_calls_total{service="nutrition-planning",outcome="not_configured"} 1',
    );
  });

  it('when a service is configured, then its client calls it with the configured budget and quota', async () => {
    stub.on('POST', '/plans/generate', () => ({ json: workoutExamples.plan }));
    const integrations = build({
      WORKOUT_SERVICE_URL: stub.url,
      WORKOUT_SERVICE_API_KEY: 'wk-key',
    });

    await expect(
      integrations.workoutPlanning.generatePlan(workoutExamples.generatePlanRequest),
    ).resolves.toMatchObject({ name: 'Beginner strength, 3 days' });
    await expect(
      integrations.workoutPlanning.generatePlan(workoutExamples.generatePlanRequest),
    ).rejects.toMatchObject({ reason: 'quota_exceeded' });
    expect(integrations.statuses()[0]).toEqual({
      service: 'workout-planning',
      configured: true,
      breaker: 'closed',
    });
    expect(stub.requests).toHaveLength(1);
  });
});
