import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestKeyValueStore } from '../test-support/test-app.js';
import { NutritionPlanningClient } from './nutrition-planning.client.js';
import type { ClientDependencies } from './http/resilient-caller.js';
import { nutritionExamples } from './test-support/contract-examples.js';
import {
  integrationFailure,
  openIntegrationHarness,
  type IntegrationHarness,
} from './test-support/integration-harness.js';
import { hmacRejection } from './test-support/stub-credentials.js';
import { StubService } from './test-support/stub-service.js';

const API_KEY = 'np-api-key-31aa';
const SECRET = 'np-hmac-secret-e09f';

describe('nutrition planning request signing', () => {
  let stub: StubService;
  let harness: IntegrationHarness;
  const rejections: (string | null)[] = [];

  /** A client signing with `secret`, its clock shifted by `clockSkewMs`. */
  const clientWith = (secret: string, overrides: Partial<ClientDependencies> = {}) =>
    new NutritionPlanningClient(
      { baseUrl: new URL(`${stub.url}/v1`), apiKey: API_KEY, hmacSecret: secret },
      harness.deps(overrides),
    );

  beforeEach(async () => {
    rejections.length = 0;
    stub = await StubService.start();
    harness = openIntegrationHarness(openTestKeyValueStore());
    // The stub recomputes every signature with the shared secret, against its own clock.
    stub.requireAuth((request) => {
      const rejection = hmacRejection(request, {
        apiKey: API_KEY,
        secret: SECRET,
        nowSeconds: Math.floor(Date.now() / 1000),
      });
      rejections.push(rejection);
      return rejection === null;
    });
    stub
      .on('POST', '/v1/macros/calculate', () => ({ json: nutritionExamples.macroTargets }))
      .on('GET', '/v1/foods/database', () => ({ json: nutritionExamples.foodPage }));
  });

  afterEach(async () => {
    expect(harness.logs.text).not.toContain(SECRET);
    expect(harness.logs.text).not.toContain(API_KEY);
    await stub.close();
    await harness.close();
  });

  it('when the client signs a POST with the shared secret, then the stub verifies the signature and answers', async () => {
    const client = clientWith(SECRET);

    await expect(client.calculateMacros(nutritionExamples.macrosRequest)).resolves.toEqual(
      nutritionExamples.macroTargets,
    );
    expect(rejections).toEqual([null]);
    const [request] = stub.requests;
    expect(request?.headers['x-api-key']).toBe(API_KEY);
    expect(Number(request?.headers['x-timestamp'])).toBeCloseTo(Date.now() / 1000, -1);
  });

  it('when the client signs a GET, then the signature covers the base path and the query string', async () => {
    const client = clientWith(SECRET);

    const page = await client.searchFoods({ search: 'lentil soup', limit: 10, cursor: 'c1' });

    expect(page.nextCursor).toBe('c2');
    expect(rejections).toEqual([null]);
    expect(stub.requests[0]?.target).toBe(
      '/v1/foods/database?search=lentil+soup&cursor=c1&limit=10',
    );
  });

  it('when the client holds the wrong secret, then the stub answers 401 and the call fails with UPSTREAM_REJECTED', async () => {
    const client = clientWith('not-the-shared-secret');

    const failure = await integrationFailure(
      client.calculateMacros(nutritionExamples.macrosRequest),
    );

    expect(failure).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamStatus: 401 });
    expect(failure.detail).toMatch(/refused our credentials/);
    expect(rejections).toEqual(['bad signature']);
  });

  it('when the timestamp is older than five minutes, then the stub refuses the request as stale', async () => {
    const client = clientWith(SECRET, { now: () => Date.now() - 6 * 60_000 });

    const failure = await integrationFailure(
      client.calculateMacros(nutritionExamples.macrosRequest),
    );

    expect(failure).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamStatus: 401 });
    expect(rejections).toEqual(['stale timestamp']);
  });

  it('when the timestamp is four minutes old, then it is still inside the tolerance', async () => {
    const client = clientWith(SECRET, { now: () => Date.now() - 4 * 60_000 });

    await expect(client.calculateMacros(nutritionExamples.macrosRequest)).resolves.toBeDefined();
    expect(rejections).toEqual([null]);
  });
});
