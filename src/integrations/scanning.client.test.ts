import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestKeyValueStore } from '../test-support/test-app.js';
import type { ClientDependencies } from './http/resilient-caller.js';
import { ScanningClient } from './scanning.client.js';
import { scanningExamples } from './test-support/contract-examples.js';
import {
  integrationFailure,
  openIntegrationHarness,
  type IntegrationHarness,
} from './test-support/integration-harness.js';
import { OAuthTokenStub, TOKEN_PATH } from './test-support/stub-credentials.js';
import { StubService } from './test-support/stub-service.js';

const CLIENT = { id: 'nxg api', secret: 'sc-secret:with/odd+chars' };

describe('3D scanning OAuth client credentials', () => {
  let stub: StubService;
  let oauth: OAuthTokenStub;
  let harness: IntegrationHarness;
  const processRequests = () => stub.requestsTo('POST', '/v1/scans/process');

  const clientWith = (secret = CLIENT.secret, overrides: Partial<ClientDependencies> = {}) =>
    new ScanningClient(
      {
        baseUrl: new URL(`${stub.url}/v1`),
        tokenUrl: new URL(`${stub.url}${TOKEN_PATH}`),
        clientId: CLIENT.id,
        clientSecret: secret,
      },
      harness.deps(overrides),
    );

  beforeEach(async () => {
    stub = await StubService.start();
    harness = openIntegrationHarness(openTestKeyValueStore());
    oauth = new OAuthTokenStub(CLIENT, stub);
    stub
      .on('POST', '/v1/scans/process', () => ({ status: 202, json: scanningExamples.job }))
      .on('GET', '/v1/processing/status', () => ({ json: scanningExamples.status }));
  });

  afterEach(async () => {
    expect(harness.logs.text).not.toContain(CLIENT.secret);
    for (const request of stub.requests) {
      const bearer = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
      if (bearer) expect(harness.logs.text).not.toContain(bearer);
    }
    await stub.close();
    await harness.close();
  });

  it('when several calls are made, then one token is fetched with the client credentials and reused', async () => {
    const client = clientWith();

    await client.processScan(scanningExamples.processRequest);
    await client.processScan(scanningExamples.processRequest);
    const status = await client.getProcessingStatus({ jobId: 'job_77' });

    expect(status.result?.avatarUrl).toBe('https://cdn.example.com/avatars/job_77.glb');
    expect(oauth.tokenRequests).toBe(1);
    expect(stub.requestsTo('GET', '/v1/processing/status')[0]?.query.get('jobId')).toBe('job_77');
  });

  it('when calls start together, then they share one token request', async () => {
    const client = clientWith();

    await Promise.all([1, 2, 3].map(() => client.processScan(scanningExamples.processRequest)));

    expect(oauth.tokenRequests).toBe(1);
    expect(processRequests()).toHaveLength(3);
  });

  it('when the provider revokes the token, then the next call gets 401, renews the token once and succeeds', async () => {
    const client = clientWith();
    await client.processScan(scanningExamples.processRequest);
    oauth.revokeAll();

    await expect(client.processScan(scanningExamples.processRequest)).resolves.toEqual(
      scanningExamples.job,
    );

    expect(oauth.tokenRequests).toBe(2);
    expect(processRequests()).toHaveLength(3);
    expect(await harness.count('scanning', 'auth_retry')).toBe(1);
  });

  it('when the renewed token is refused too, then the call fails with UPSTREAM_REJECTED after one renewal', async () => {
    const client = clientWith();
    stub.requireAuth(() => false, `POST ${TOKEN_PATH}`);

    const failure = await integrationFailure(client.processScan(scanningExamples.processRequest));

    expect(failure).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamStatus: 401 });
    expect(oauth.tokenRequests).toBe(2);
    expect(processRequests()).toHaveLength(2);
  });

  it('when the token nears its expiry, then a new one is fetched before the call, without a 401', async () => {
    let clock = Date.now();
    const client = clientWith(CLIENT.secret, { now: () => clock });
    oauth.expiresInSeconds = 600;
    await client.processScan(scanningExamples.processRequest);

    clock += 539_000; // inside the 60 s renewal margin: still reused
    await client.processScan(scanningExamples.processRequest);
    expect(oauth.tokenRequests).toBe(1);

    clock += 2_000; // past it: renewed before sending
    await client.processScan(scanningExamples.processRequest);
    expect(oauth.tokenRequests).toBe(2);
    expect(stub.requests.filter((request) => request.path !== TOKEN_PATH)).toHaveLength(3);
    expect(await harness.count('scanning', 'auth_retry')).toBe(0);
  });

  it('when the client secret is wrong, then the token endpoint refuses it and nothing reaches the API', async () => {
    const client = clientWith('wrong-secret');

    const failure = await integrationFailure(client.processScan(scanningExamples.processRequest));

    expect(failure).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamStatus: 401 });
    expect(failure.detail).toMatch(/token endpoint refused our credentials/);
    expect(processRequests()).toHaveLength(0);
  });
});
