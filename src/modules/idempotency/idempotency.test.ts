import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBranch, buildBranchMember, buildSignedInUser } from '../../test-support/factories.js';
import { waitUntil } from '../../test-support/job-test-support.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { purgeExpiredIdempotencyKeys } from './index.js';
import { idempotencyKeys } from './idempotency.table.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

/**
 * The API as it answers after Redis came back empty: with Redis, every key under this test's
 * prefix is deleted (never FLUSHALL: the server is shared); without it, a second instance with
 * a cache of its own, as a restarted process has. PostgreSQL keeps its data either way.
 */
async function afterCacheLoss(): Promise<TestApp> {
  const redis = t.container.redis;
  if (!redis) return t.startAnotherInstance({}, { ownMemoryCache: true });
  const prefix = t.container.config.redisKeyPrefix;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  // Only the revocation markers may be back already: the server rebuilds them from PostgreSQL
  // by itself as soon as it notices they are gone.
  const [, left] = await redis.scan('0', 'MATCH', `${prefix}*`, 'COUNT', 1000);
  expect(left.filter((key) => !key.startsWith(`${prefix}auth:revocations`))).toEqual([]);
  return t;
}

describe('Idempotency-Key records survive an empty cache', () => {
  it('when a check-in is replayed after Redis lost its data, then the first answer is replayed and one session exists', async () => {
    const branch = await buildBranch(t);
    const member = await buildBranchMember(t, branch.id);
    const first = await t.http
      .post('/api/sessions/check-in')
      .set('Authorization', member.auth)
      .set('Idempotency-Key', 'check-in-1')
      .send({ branchId: branch.id })
      .expect(201);

    const after = await afterCacheLoss();
    const again = await after.http
      .post('/api/sessions/check-in')
      .set('Authorization', member.auth)
      .set('Idempotency-Key', 'check-in-1')
      .send({ branchId: branch.id });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const sessions = await after.http.get('/api/sessions').set('Authorization', member.auth);
    expect(sessions.body.items).toHaveLength(1);
  });

  it('when a body-composition entry is replayed after Redis lost its data, then one entry is stored', async () => {
    const member = await buildSignedInUser(t);
    const entry = { measuredAt: '2026-01-05T08:00:00Z', weightKg: 81.5 };
    const first = await t.http
      .post('/api/users/me/body-composition')
      .set('Authorization', member.auth)
      .set('Idempotency-Key', 'inbody-2026-01-05')
      .send(entry)
      .expect(201);

    const after = await afterCacheLoss();
    const again = await after.http
      .post('/api/users/me/body-composition')
      .set('Authorization', member.auth)
      .set('Idempotency-Key', 'inbody-2026-01-05')
      .send(entry)
      .expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const history = await after.http
      .get('/api/users/me/body-composition')
      .set('Authorization', member.auth);
    expect(history.body.items).toHaveLength(1);
  });
});

describe('Idempotency-Key on create POSTs', () => {
  it('when a body-composition entry is sent twice with one key, then it is stored once; another body with that key is 409', async () => {
    const member = await buildSignedInUser(t);
    const send = (weightKg: number) =>
      t.http
        .post('/api/users/me/body-composition')
        .set('Authorization', member.auth)
        .set('Idempotency-Key', 'scale-1')
        .send({ measuredAt: '2026-02-01T07:00:00Z', weightKg });
    const first = await send(80).expect(201);
    const again = await send(80).expect(201);
    expect(again.body).toEqual(first.body);
    const other = await send(79).expect(409);
    expect(other.body.code).toBe('CONFLICT');
    const history = await t.http
      .get('/api/users/me/body-composition')
      .set('Authorization', member.auth);
    expect(history.body.items).toHaveLength(1);
  });

  it('when the OpenAPI document is read, then every route that honours the key documents the header', async () => {
    const res = await t.http.get('/api/openapi.json').expect(200);
    const paths = res.body.paths as Record<
      string,
      Record<string, { parameters?: { name: string; in: string }[] }>
    >;
    const documented = Object.entries(paths)
      .flatMap(([path, operations]) =>
        Object.entries(operations).map(([method, operation]) => ({ path, method, operation })),
      )
      .filter(({ operation }) =>
        (operation.parameters ?? []).some(
          (parameter) => parameter.in === 'header' && parameter.name === 'idempotency-key',
        ),
      )
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`)
      .sort();
    expect(documented).toEqual([
      'POST /api/branches',
      'POST /api/machines/link',
      'POST /api/machines/{id}/maintenance',
      'POST /api/nutrition/meals',
      'POST /api/nutrition/meals/analyze/{analysisId}/confirm',
      'POST /api/nutrition/meals/copy-day',
      'POST /api/nutrition/meals/{id}/copy',
      'POST /api/nutrition/plans/generate',
      'POST /api/sessions/check-in',
      'POST /api/users/me/body-composition',
      'POST /api/workouts/generate',
      'POST /api/workouts/logs',
      'POST /api/workouts/logs/import',
    ]);
  });
});

describe('the purge job', () => {
  it('when a record has expired, then the job deletes it and the key can be used again', async () => {
    const member = await buildSignedInUser(t);
    const send = (weightKg: number) =>
      t.http
        .post('/api/users/me/body-composition')
        .set('Authorization', member.auth)
        .set('Idempotency-Key', 'old-key')
        .send({ measuredAt: '2026-03-01T07:00:00Z', weightKg });
    await send(70).expect(201);
    const { db } = t.container.database;
    await db.execute(
      sql`update idempotency_keys set expires_at = now() - interval '1 second' where key = 'old-key'`,
    );
    const count = async () => {
      const rows = await db
        .select({ key: idempotencyKeys.key })
        .from(idempotencyKeys)
        .where(eq(idempotencyKeys.key, 'old-key'));
      return rows.length;
    };

    await t.container.jobs.start();
    await t.container.jobs.send(purgeExpiredIdempotencyKeys, {});
    await waitUntil(async () => (await count()) === 0, 20_000);

    // An expired key is a new key: another body is accepted, not a 409.
    const reused = await send(71).expect(201);
    expect(reused.headers['idempotent-replayed']).toBeUndefined();
  });
});
