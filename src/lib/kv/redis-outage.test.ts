import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedInUser, buildUser } from '../../test-support/factories.js';
import {
  adapterSubscribed,
  connectSocket,
  connected,
} from '../../test-support/socket-test-support.js';
import { startTcpProxy, type TcpProxy } from '../../test-support/tcp-proxy.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';

const redisUrl = process.env.TEST_REDIS_URL;
// Generous: a hang shows as a timeout, an answer as a status. No test asserts elapsed time.
const ANSWER_WITHIN_MS = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Outage = 'refused' | 'black-holed';

/** Waits (bounded) until the instance reports itself ready again. */
async function readyAgain(instance: TestApp): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const ready = await instance.http.get('/health/ready').timeout(ANSWER_WITHIN_MS);
    if (ready.status === 200) return;
    await sleep(200);
  }
  throw new Error('the instance did not become ready again');
}

// Instances started by a test are closed with A. Instance A reaches Redis directly and sets things up; instance B reaches it through a proxy
// the test cuts (connections refused) or black-holes (connections open, nothing answered).
describe.runIf(Boolean(redisUrl))('when Redis is unreachable', () => {
  let a: TestApp;
  let proxy: TcpProxy;
  let viaProxy: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const target = new URL(redisUrl ?? 'redis://127.0.0.1:6379');
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    a = await createTestApp();
    const proxied = new URL(target.toString());
    proxied.host = `127.0.0.1:${proxy.port}`;
    viaProxy = proxied.toString();
  });
  // Servers on the shared Redis, for adapterSubscribed: a, then each test's own instance.
  let instances = 1;
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await proxy.restore();
  });
  afterAll(async () => {
    await proxy.restore();
    await a.close();
    await proxy.close();
  });

  const outages: Outage[] = ['refused', 'black-holed'];
  it.each(outages)(
    'when Redis is %s, then every request is answered, revocations hold, and all works again after',
    async (outage) => {
      const b = await a.startAnotherInstance({}, { redisUrl: viaProxy });
      await adapterSubscribed(a, (instances += 1));
      const baseUrl = await b.listen();
      const member = await buildSignedInUser(a);
      const leaving = await buildSignedInUser(a);
      const credentials = await buildUser(a);
      await b.http.get('/api/users/me').set('Authorization', member.auth).expect(200);

      if (outage === 'refused') await proxy.cut();
      else await proxy.blackHole();

      // Reads and writes of a signed-in user: the revocation check falls back to PostgreSQL.
      const me = await b.http
        .get('/api/users/me')
        .set('Authorization', member.auth)
        .timeout(ANSWER_WITHIN_MS);
      expect(me.status).toBe(200);
      const renamed = await b.http
        .patch('/api/users/me')
        .set('Authorization', member.auth)
        .send({ profile: { name: 'Renamed During Outage' } })
        .timeout(ANSWER_WITHIN_MS);
      expect(renamed.status).toBe(200);

      // The plan cache is skipped, not a reason to refuse.
      const plan = await b.http
        .post('/api/workouts/generate')
        .set('Authorization', member.auth)
        .send({ daysPerWeek: 3 })
        .timeout(ANSWER_WITHIN_MS);
      expect(plan.status).toBe(201);

      // A steady mix of requests: none needs Redis (lockouts and revocations have PostgreSQL
      // records, rate limits fall back to memory), so each is served, none left hanging.
      const mixed = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          i % 3 === 0
            ? b.http
                .post('/api/auth/login')
                .send({ login: credentials.row.username, password: credentials.password })
                .timeout(ANSWER_WITHIN_MS)
            : i % 3 === 1
              ? b.http
                  .get('/api/users/me')
                  .set('Authorization', member.auth)
                  .timeout(ANSWER_WITHIN_MS)
              : b.http
                  .get('/api/branches')
                  .set('Authorization', member.auth)
                  .timeout(ANSWER_WITHIN_MS),
        ),
      );
      for (const response of mixed) {
        expect(response.status, JSON.stringify(response.body)).toBe(200);
      }

      // Logging out is recorded in PostgreSQL, and the token is refused at once.
      const logout = await b.http
        .post('/api/auth/logout')
        .set('Authorization', leaving.auth)
        .send({})
        .timeout(ANSWER_WITHIN_MS);
      expect(logout.status).toBe(204);
      const afterLogout = await b.http
        .get('/api/users/me')
        .set('Authorization', leaving.auth)
        .timeout(ANSWER_WITHIN_MS);
      expect(afterLogout.status).toBe(401);

      // Socket handshakes use the same guard.
      const socket = connectSocket(baseUrl, '/workouts', { token: member.session.accessToken });
      sockets.push(socket);
      await connected(socket);

      const ready = await b.http.get('/health/ready').timeout(ANSWER_WITHIN_MS);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'unavailable', checks: { redis: 'down' } });

      await proxy.restore();
      await readyAgain(b);
      await b.http.get('/api/users/me').set('Authorization', member.auth).expect(200);
      await b.http
        .post('/api/auth/login')
        .send({ login: credentials.row.username, password: credentials.password })
        .expect(200);
      // The logout made during the outage holds on this instance and on one that never lost Redis.
      await b.http.get('/api/users/me').set('Authorization', leaving.auth).expect(401);
      await a.http.get('/api/users/me').set('Authorization', leaving.auth).expect(401);
    },
  );

  it('when Redis is refused, then rate limits still hold, counted in the process', async () => {
    const limited = await a.startAnotherInstance(
      { RATE_LIMIT_ANONYMOUS_MAX: '3' },
      { redisUrl: viaProxy },
    );
    await adapterSubscribed(a, (instances += 1));
    await proxy.cut();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await limited.http.get('/api/openapi.json').timeout(ANSWER_WITHIN_MS);
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
