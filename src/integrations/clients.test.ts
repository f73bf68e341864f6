import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestKeyValueStore } from '../test-support/test-app.js';
import type { CallOptions } from './http/call-budget.js';
import type { ServiceName } from './http/integration-errors.js';
import type { ClientDependencies } from './http/resilient-caller.js';
import { MealDetectionClient } from './meal-detection.client.js';
import { NutritionPlanningClient } from './nutrition-planning.client.js';
import { ScanningClient } from './scanning.client.js';
import {
  mealExamples,
  nutritionExamples,
  scanningExamples,
  workoutExamples,
} from './test-support/contract-examples.js';
import {
  integrationFailure,
  openIntegrationHarness,
  type IntegrationHarness,
} from './test-support/integration-harness.js';
import { OAuthTokenStub, TOKEN_PATH, hmacRejection } from './test-support/stub-credentials.js';
import { StubService, inTurn } from './test-support/stub-service.js';
import { WorkoutPlanningClient } from './workout-planning.client.js';

/** One service as the shared scenarios see it: its stub's credential check and its AI call. */
interface ServiceCase {
  service: ServiceName;
  path: string;
  answer: Record<string, unknown>;
  /** A 2xx body that breaks the contract. */
  brokenAnswer: unknown;
  /** Credentials that must never reach the logs. */
  secrets: string[];
  /** Installs the credential check on the stub and returns the client's AI call. */
  connect(stub: StubService, deps: ClientDependencies): (options?: CallOptions) => Promise<unknown>;
}

const cases: ServiceCase[] = [
  {
    service: 'workout-planning',
    path: '/v1/plans/generate',
    answer: workoutExamples.plan,
    brokenAnswer: { ...workoutExamples.plan, planData: { workoutDays: [{ dayOrder: 1 }] } },
    secrets: ['wk-api-key-5f1d'],
    connect(stub, deps) {
      stub.requireAuth((request) => request.headers['x-api-key'] === 'wk-api-key-5f1d');
      const client = new WorkoutPlanningClient(
        { baseUrl: new URL(`${stub.url}/v1`), apiKey: 'wk-api-key-5f1d' },
        deps,
      );
      return (options) => client.generatePlan(workoutExamples.generatePlanRequest, options);
    },
  },
  {
    service: 'meal-detection',
    path: '/v1/analyze/image',
    answer: mealExamples.analysis,
    brokenAnswer: { ...mealExamples.analysis, confidence: 1.7 },
    secrets: ['md-token-93be'],
    connect(stub, deps) {
      stub.requireAuth((request) => request.headers.authorization === 'Bearer md-token-93be');
      const client = new MealDetectionClient(
        { baseUrl: new URL(`${stub.url}/v1`), token: 'md-token-93be' },
        deps,
      );
      return (options) => client.analyzeImage(mealExamples.analyzeRequest, options);
    },
  },
  {
    service: 'nutrition-planning',
    path: '/v1/plans/generate',
    answer: nutritionExamples.mealPlan,
    brokenAnswer: { externalId: 'np_9', name: 'No days' },
    secrets: ['np-api-key-c4a0', 'np-hmac-secret-77e2'],
    connect(stub, deps) {
      const expected = { apiKey: 'np-api-key-c4a0', secret: 'np-hmac-secret-77e2' };
      stub.requireAuth(
        (request) =>
          hmacRejection(request, { ...expected, nowSeconds: Math.floor(Date.now() / 1000) }) ===
          null,
      );
      const client = new NutritionPlanningClient(
        {
          baseUrl: new URL(`${stub.url}/v1`),
          apiKey: expected.apiKey,
          hmacSecret: expected.secret,
        },
        deps,
      );
      return (options) => client.generateMealPlan(nutritionExamples.mealPlanRequest, options);
    },
  },
  {
    service: 'scanning',
    path: '/v1/scans/process',
    answer: scanningExamples.job,
    brokenAnswer: { jobId: 'job_77', status: 'exploded' },
    secrets: ['sc-client-secret-0b9d'],
    connect(stub, deps) {
      new OAuthTokenStub({ id: 'nxg-api', secret: 'sc-client-secret-0b9d' }, stub);
      const client = new ScanningClient(
        {
          baseUrl: new URL(`${stub.url}/v1`),
          tokenUrl: new URL(`${stub.url}${TOKEN_PATH}`),
          clientId: 'nxg-api',
          clientSecret: 'sc-client-secret-0b9d',
        },
        deps,
      );
      return (options) => client.processScan(scanningExamples.processRequest, options);
    },
  },
];

describe.each(cases)('$service client', (serviceCase) => {
  const { service, path } = serviceCase;
  let stub: StubService;
  let harness: IntegrationHarness;
  let call: (options?: CallOptions) => Promise<unknown>;
  const apiRequests = () => stub.requestsTo('POST', path);

  beforeEach(async () => {
    stub = await StubService.start();
    harness = openIntegrationHarness(openTestKeyValueStore());
    call = serviceCase.connect(stub, harness.deps());
  });

  afterEach(async () => {
    // Whatever the scenario logged (retries, failures), no credential is in it.
    for (const secret of serviceCase.secrets) expect(harness.logs.text).not.toContain(secret);
    await stub.close();
    await harness.close();
  });

  it('when the service answers a valid body, then the call returns it', async () => {
    stub.on('POST', path, () => ({ json: serviceCase.answer }));

    await expect(call()).resolves.toMatchObject(serviceCase.answer);
    expect(apiRequests()).toHaveLength(1);
    expect(apiRequests()[0]?.headers['content-type']).toBe('application/json');
    expect(await harness.count(service, 'success')).toBe(1);
  });

  it('when the service is slower than the timeout, then each attempt is cut and the call fails with SERVICE_UNAVAILABLE', async () => {
    // Each answer would come after 5 s and succeed; "timeout" four times means each was cut.
    stub.on('POST', path, () => ({ json: serviceCase.answer, delayMs: 5_000 }));

    const failure = await integrationFailure(call());

    expect(failure).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', reason: 'timeout' });
    expect(failure.detail).toMatch(/no answer in time after 4 attempts/);
    expect(apiRequests()).toHaveLength(4);
    expect(await harness.count(service, 'timeout')).toBe(4);
    expect(await harness.count(service, 'retry')).toBe(3);
  });

  it('when the service answers 500 once, then the call is retried and succeeds', async () => {
    stub.on(
      'POST',
      path,
      inTurn({ status: 500, json: { error: 'boom' } }, { json: serviceCase.answer }),
    );

    await expect(call()).resolves.toMatchObject(serviceCase.answer);
    expect(apiRequests()).toHaveLength(2);
    expect(await harness.count(service, 'http_5xx')).toBe(1);
    expect(await harness.count(service, 'retry')).toBe(1);
    expect(await harness.count(service, 'success')).toBe(1);
  });

  it('when the service answers 429 with Retry-After, then the client waits that long and succeeds', async () => {
    stub.on(
      'POST',
      path,
      inTurn({ status: 429, headers: { 'Retry-After': '1' } }, { json: serviceCase.answer }),
    );

    await expect(call()).resolves.toMatchObject(serviceCase.answer);
    const [first, second] = apiRequests();
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(950);
    expect(await harness.count(service, 'rate_limited')).toBe(1);
  });

  it('when the service answers 400, then the call fails with UPSTREAM_REJECTED without a retry', async () => {
    stub.on('POST', path, () => ({ status: 400, json: { error: 'bad request' } }));

    const failure = await integrationFailure(call());

    expect(failure).toMatchObject({ status: 502, code: 'UPSTREAM_REJECTED', upstreamStatus: 400 });
    expect(apiRequests()).toHaveLength(1);
    expect(await harness.count(service, 'http_4xx')).toBe(1);
    expect(await harness.count(service, 'retry')).toBe(0);
  });

  it('when the service answers a body that breaks the contract, then the call fails with UPSTREAM_BAD_RESPONSE', async () => {
    stub.on('POST', path, () => ({ json: serviceCase.brokenAnswer }));

    const failure = await integrationFailure(call());

    expect(failure).toMatchObject({
      status: 502,
      code: 'UPSTREAM_BAD_RESPONSE',
      reason: 'malformed',
    });
    expect(apiRequests()).toHaveLength(1);
    expect(await harness.count(service, 'malformed')).toBe(1);
  });

  it('when the service answers 200 with something that is not JSON, then the call fails with UPSTREAM_BAD_RESPONSE', async () => {
    stub.on('POST', path, () => ({ text: '<html>maintenance</html>' }));

    const failure = await integrationFailure(call());

    expect(failure).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE' });
    expect(failure.detail).toMatch(/not JSON/);
    expect(apiRequests()).toHaveLength(1);
  });
});
