import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTestKeyValueStore } from '../../test-support/test-app.js';
import { AppError } from '../../lib/errors.js';
import { MealDetectionClient } from '../meal-detection.client.js';
import { mealExamples, workoutExamples } from '../test-support/contract-examples.js';
import {
  integrationFailure,
  openIntegrationHarness,
  type IntegrationHarness,
} from '../test-support/integration-harness.js';
import { StubService, inTurn } from '../test-support/stub-service.js';
import { WorkoutPlanningClient } from '../workout-planning.client.js';
import type { HttpTransport } from './http-transport.js';
import type { ClientDependencies } from './resilient-caller.js';
import { quotaKey } from './shared-quota.js';

const API_KEY = 'wk-api-key-a81c';
const GENERATE = '/v1/plans/generate';

describe('resilient caller', () => {
  let stub: StubService;
  let harness: IntegrationHarness;

  const workoutClient = (overrides: Partial<ClientDependencies> = {}) =>
    new WorkoutPlanningClient(
      { baseUrl: new URL(`${stub.url}/v1`), apiKey: API_KEY },
      harness.deps(overrides),
    );
  const generate = (
    client: WorkoutPlanningClient,
    options?: { deadline?: number; signal?: AbortSignal },
  ) => client.generatePlan(workoutExamples.generatePlanRequest, options);
  const breakerGauge = async () => {
    const metric = harness.registry.getSingleMetric('external_breaker_state');
    const { values } = await metric!.get();
    return values.find((value) => value.labels.service === 'workout-planning')?.value;
  };

  beforeEach(async () => {
    stub = await StubService.start();
    harness = openIntegrationHarness(openTestKeyValueStore());
  });

  afterEach(async () => {
    expect(harness.logs.text).not.toContain(API_KEY);
    await stub.close();
    await harness.close();
  });

  describe('circuit breaker', () => {
    it('when failures pass half the window, then the breaker opens and calls fail fast without reaching the service', async () => {
      stub.on('POST', GENERATE, () => ({ status: 503 }));
      const client = workoutClient();

      const first = await integrationFailure(generate(client));
      expect(first).toMatchObject({ reason: 'upstream_error', upstreamStatus: 503 });
      expect(stub.requests).toHaveLength(4);
      expect(client.status()).toEqual({
        service: 'workout-planning',
        configured: true,
        breaker: 'open',
      });
      expect(await breakerGauge()).toBe(2);

      const second = await integrationFailure(generate(client));

      expect(second).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'breaker_open' });
      expect(second.extras.headers).toEqual({ 'Retry-After': '1' });
      // Failing fast: the open breaker answered without sending anything.
      expect(stub.requests).toHaveLength(4);
      expect(await harness.count('workout-planning', 'breaker_open')).toBe(1);
    });

    it('when the half-open delay has passed and the probe succeeds, then the breaker closes again', async () => {
      stub.on('POST', GENERATE, () => ({ status: 500 }));
      const client = workoutClient();
      await integrationFailure(generate(client));
      expect(client.status().breaker).toBe('open');

      await vi.waitFor(() => expect(client.status().breaker).toBe('half-open'), {
        timeout: 10_000,
      });
      expect(await breakerGauge()).toBe(1);
      stub.on('POST', GENERATE, () => ({ json: workoutExamples.plan }));

      await expect(generate(client)).resolves.toMatchObject({ externalId: 'wp_123' });
      expect(client.status().breaker).toBe('closed');
      expect(await breakerGauge()).toBe(0);
    });

    it('when the service refuses requests with 4xx, then the breaker stays closed', async () => {
      stub.on('POST', GENERATE, () => ({ status: 422, json: { error: 'unprocessable' } }));
      const client = workoutClient();

      for (let i = 0; i < 6; i++) await integrationFailure(generate(client));

      expect(client.status().breaker).toBe('closed');
      expect(stub.requests).toHaveLength(6);
    });
  });

  describe('budget', () => {
    it('when Retry-After asks for longer than the budget left, then the call fails at once with budget_exhausted', async () => {
      stub.on('POST', GENERATE, () => ({ status: 503, headers: { 'Retry-After': '30' } }));
      const client = workoutClient();

      const failure = await integrationFailure(generate(client, { deadline: Date.now() + 2_000 }));

      expect(failure).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'budget_exhausted' });
      // Decided before waiting: the 30 s backoff was never started (the test would time out).
      expect(failure.detail).toMatch(/cannot fit a 30000 ms backoff/);
      expect(stub.requests).toHaveLength(1);
      expect(await harness.count('workout-planning', 'budget_exhausted')).toBe(1);
    });

    it('when the service is slow and the default budget runs out, then the call stops at the budget instead of waiting out the retries', async () => {
      // Four attempts of 300 ms plus backoffs would take over 1.2 s; the budget is 500 ms.
      stub.on('POST', GENERATE, () => ({ json: workoutExamples.plan, delayMs: 2_000 }));
      const client = workoutClient({ requestBudgetMs: 500 });

      const failure = await integrationFailure(generate(client));

      expect(failure).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'budget_exhausted' });
      // The retries were cut short: without the budget all four attempts would have gone out.
      expect(stub.requests.length).toBeGreaterThanOrEqual(1);
      expect(stub.requests.length).toBeLessThanOrEqual(2);
    });

    it('when the caller aborts, then the in-flight attempt is dropped and the call fails at once', async () => {
      // The caller gives up once the attempt is in flight (when the stub has the request, not
      // after a fixed delay, which a busy machine can outlast before the request goes out).
      const caller = new AbortController();
      stub.on('POST', GENERATE, () => {
        caller.abort();
        return { json: workoutExamples.plan, delayMs: 2_000 };
      });
      const client = workoutClient();

      // The stub would answer after 2 s with a plan; the abort turns that into a failure.
      const failure = await integrationFailure(generate(client, { signal: caller.signal }));

      expect(failure).toMatchObject({ reason: 'budget_exhausted' });
      expect(stub.requests).toHaveLength(1);
      expect(client.status().breaker).toBe('closed');
    });

    it('when the deadline has already passed, then nothing is sent', async () => {
      const client = workoutClient();

      const failure = await integrationFailure(generate(client, { deadline: Date.now() - 1 }));

      expect(failure).toMatchObject({ reason: 'budget_exhausted' });
      expect(stub.requests).toHaveLength(0);
    });
  });

  describe('shared quota', () => {
    it('when two instances share the key-value store, then together they stay under the quota', async () => {
      stub.on('POST', GENERATE, () => ({ json: workoutExamples.plan }));
      const quota = { max: 3, windowSeconds: 3_600 };
      const instanceA = workoutClient({ quota });
      const instanceB = workoutClient({ quota });

      await generate(instanceA);
      await generate(instanceB);
      await generate(instanceA);
      const refusedB = await integrationFailure(generate(instanceB));
      const refusedA = await integrationFailure(generate(instanceA));

      expect(stub.requests).toHaveLength(3);
      for (const refused of [refusedA, refusedB]) {
        expect(refused).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'quota_exceeded' });
        expect(Number(refused.extras.headers?.['Retry-After'])).toBeGreaterThan(0);
      }
      const nowSeconds = Math.floor(Date.now() / 1000);
      const windowStart = nowSeconds - (nowSeconds % 3_600);
      expect(
        Number(await harness.kv.get(quotaKey('workout-planning', windowStart))),
      ).toBeGreaterThanOrEqual(3);
      expect(await harness.count('workout-planning', 'quota_exceeded')).toBe(2);
    });

    it('when a call is retried, then every attempt that went out uses the quota', async () => {
      stub.on('POST', GENERATE, inTurn({ status: 500 }, { json: workoutExamples.plan }));
      const client = workoutClient({ quota: { max: 2, windowSeconds: 60 } });

      await generate(client);
      const refused = await integrationFailure(generate(client));

      expect(refused.reason).toBe('quota_exceeded');
      expect(stub.requests).toHaveLength(2);
    });

    it('when the window is spent, then the refusal is not retried and does not trip the breaker', async () => {
      stub.on('POST', GENERATE, () => ({ json: workoutExamples.plan }));
      const client = workoutClient({ quota: { max: 1, windowSeconds: 60 } });
      await generate(client);

      for (let i = 0; i < 5; i++) await integrationFailure(generate(client));

      expect(await harness.count('workout-planning', 'retry')).toBe(0);
      expect(client.status().breaker).toBe('closed');
    });
  });

  describe('failures before and around the wire', () => {
    it('when the service is not configured, then the call fails with SERVICE_UNAVAILABLE and nothing is sent', async () => {
      const sent: string[] = [];
      const transport: HttpTransport = {
        send: (request) => {
          sent.push(request.url.href);
          return Promise.reject(new Error('no network expected'));
        },
      };
      const client = new MealDetectionClient(undefined, harness.deps({ transport }));

      const failure = await integrationFailure(client.analyzeImage(mealExamples.analyzeRequest));

      expect(failure).toMatchObject({
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        reason: 'not_configured',
        service: 'meal-detection',
      });
      expect(failure.detail).toBe('Meal detection service is unavailable: it is not configured.');
      expect(sent).toEqual([]);
      expect(client.status()).toEqual({
        service: 'meal-detection',
        configured: false,
        breaker: 'closed',
      });
      expect(await harness.count('meal-detection', 'not_configured')).toBe(1);
    });

    it('when the request breaks the contract, then VALIDATION_ERROR names the field and nothing is sent', async () => {
      const client = workoutClient();

      const error: unknown = await client
        .generatePlan({
          ...workoutExamples.generatePlanRequest,
          preferences: { daysPerWeek: 9, sessionMinutes: 45 },
        })
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({
        status: 400,
        code: 'VALIDATION_ERROR',
        extras: { errors: [{ path: 'preferences.daysPerWeek' }] },
      });
      expect(stub.requests).toHaveLength(0);
    });

    it('when nothing listens at the URL, then the call is retried and fails as unreachable without leaking the key', async () => {
      const closed = await StubService.start();
      const url = closed.url;
      await closed.close();
      const client = new WorkoutPlanningClient(
        { baseUrl: new URL(url), apiKey: API_KEY },
        harness.deps(),
      );

      const failure = await integrationFailure(generate(client));

      expect(failure).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'unreachable' });
      expect(failure.detail).toMatch(/ECONNREFUSED after 4 attempts/);
      expect(await harness.count('workout-planning', 'network_error')).toBe(4);
      expect(harness.logs.text).toMatch(/retrying external call/);
    });

    it('when a GET is made, then the query carries the validated parameters and defaults', async () => {
      stub.on('GET', '/v1/exercises/library', () => ({ json: workoutExamples.exercisePage }));
      const client = workoutClient();

      const page = await client.listExercises({ muscleGroup: 'legs' });

      expect(page.exercises[0]).toMatchObject({ exerciseId: 'ex_squat', instructions: null });
      expect(stub.requests[0]?.target).toBe('/v1/exercises/library?limit=50&muscleGroup=legs');
      expect(stub.requests[0]?.headers['x-api-key']).toBe(API_KEY);
    });
  });
});
