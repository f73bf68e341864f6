import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kvKeys } from '../../lib/kv/kv.js';
import { MemoryKeyValueStore } from '../../lib/kv/memory-kv.js';
import { RedisKeyValueStore } from '../../lib/kv/redis-kv.js';
import { buildSignedInUser, buildUser, signIn } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a Redis restarted without persistence leaves: none of the test's keys. Only this test's
 * prefix is touched; the server is shared. The embedded store loses them all when its process
 * restarts.
 */
async function emptyTheCache(t: TestApp): Promise<void> {
  const kv = t.container.kv;
  if (kv instanceof RedisKeyValueStore) {
    const keys = await kv.client.keys(`${kv.prefix}*`);
    if (keys.length > 0) await kv.client.del(...keys);
    return;
  }
  if (kv instanceof MemoryKeyValueStore) kv.clear();
}

/**
 * Waits (bounded) until the markers are back in the cache, marked complete. The rebuild starts
 * from a request that finds them missing, so each round makes one.
 */
async function markersRebuilt(t: TestApp, auth: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    await t.http.get('/api/users/me').set('Authorization', auth).timeout(10_000);
    // While a restarted Redis is reconnecting, the store answers "unavailable": ask again.
    const [complete] = await t.container.kv
      .getFields(kvKeys.revocations, ['complete'])
      .catch(() => [null]);
    if (complete) return;
    await sleep(100);
  }
  throw new Error('the revocation markers were not rebuilt');
}

const jtiOf = (accessToken: string): string => {
  const payload = accessToken.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { jti: string }).jti;
};

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('revocations after the cache restarts empty', () => {
  it('when the cache loses its data, then a logged-out access token stays rejected', async () => {
    const user = await buildSignedInUser(t);
    const other = await buildSignedInUser(t);
    await t.http.post('/api/auth/logout').set('Authorization', user.auth).send({}).expect(204);

    await emptyTheCache(t);

    await t.http.get('/api/users/me').set('Authorization', user.auth).expect(401);
    await t.http.get('/api/users/me').set('Authorization', other.auth).expect(200);
    // Once rebuilt, the marker itself is back, and it still holds.
    await markersRebuilt(t, other.auth);
    const [marker] = await t.container.kv.getFields(kvKeys.revocations, [
      `jti:${jtiOf(user.session.accessToken)}`,
    ]);
    expect(marker).not.toBeNull();
    await t.http.get('/api/users/me').set('Authorization', user.auth).expect(401);
    await t.http.get('/api/users/me').set('Authorization', other.auth).expect(200);
  });

  it('when the cache loses its data, then a family revoked by refresh-token reuse stays revoked', async () => {
    const user = await buildSignedInUser(t);
    const rotated = await t.http
      .post('/api/auth/refresh')
      .send({ refreshToken: user.session.refreshToken })
      .expect(200);
    const current = `Bearer ${rotated.body.accessToken as string}`;
    await t.http
      .post('/api/auth/refresh')
      .send({ refreshToken: user.session.refreshToken })
      .expect(401);
    await t.http.get('/api/users/me').set('Authorization', current).expect(401);

    await emptyTheCache(t);

    await t.http.get('/api/users/me').set('Authorization', current).expect(401);
    await markersRebuilt(t, current);
    await t.http.get('/api/users/me').set('Authorization', current).expect(401);
  });

  it('when the cache loses its data, then logout-all still ends every session', async () => {
    const user = await buildUser(t);
    const phone = await signIn(t, user);
    const laptop = await signIn(t, user);
    await t.http
      .post('/api/auth/logout-all')
      .set('Authorization', `Bearer ${phone.accessToken}`)
      .expect(204);

    await emptyTheCache(t);

    for (const session of [phone, laptop]) {
      await t.http
        .get('/api/users/me')
        .set('Authorization', `Bearer ${session.accessToken}`)
        .expect(401);
    }
    const again = await signIn(t, user);
    await t.http
      .get('/api/users/me')
      .set('Authorization', `Bearer ${again.accessToken}`)
      .expect(200);
  });

  it('when a session is revoked while the markers are missing, then the rebuild does not lose it', async () => {
    const user = await buildSignedInUser(t);
    await emptyTheCache(t);
    // The first request notices and rebuilds in the background; the logout races it.
    await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    await t.http.post('/api/auth/logout').set('Authorization', user.auth).send({}).expect(204);
    await markersRebuilt(t, user.auth);
    await t.http.get('/api/users/me').set('Authorization', user.auth).expect(401);
  });
});

const REDIS_SERVER = '/usr/bin/redis-server';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A redis-server of the test's own, without persistence, so a restart comes back empty. */
async function startRedisServer(port: number): Promise<ChildProcess> {
  const server = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
    server.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    server.once('exit', () => reject(new Error('redis-server exited')));
  });
  return server;
}

async function stopRedisServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  server.kill('SIGKILL');
  await exited;
}

describe.runIf(Boolean(process.env.TEST_REDIS_URL) && existsSync(REDIS_SERVER))(
  'revocations after a real Redis restart',
  () => {
    it('when Redis restarts without its data, then logged-out and revoked sessions stay rejected', async () => {
      const port = await freePort();
      let redis = await startRedisServer(port);
      try {
        const instance = await t.startAnotherInstance(
          {},
          { redisUrl: `redis://127.0.0.1:${port}` },
        );
        const user = await buildSignedInUser(instance);
        const other = await buildSignedInUser(instance);
        await instance.http
          .post('/api/auth/logout')
          .set('Authorization', user.auth)
          .send({})
          .expect(204);
        await instance.http
          .post('/api/auth/logout-all')
          .set('Authorization', other.auth)
          .expect(204);

        await stopRedisServer(redis);
        redis = await startRedisServer(port);

        for (const auth of [user.auth, other.auth]) {
          const response = await instance.http
            .get('/api/users/me')
            .set('Authorization', auth)
            .timeout(10_000);
          expect(response.status).toBe(401);
        }
        await markersRebuilt(instance, user.auth);
        for (const auth of [user.auth, other.auth]) {
          await instance.http.get('/api/users/me').set('Authorization', auth).expect(401);
        }
      } finally {
        await stopRedisServer(redis);
      }
    });
  },
);
