import express from 'express';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { conflict } from '../lib/errors.js';
import type { AuthUser } from '../lib/http/request-context.js';
import { createLogger } from '../lib/logger.js';
import { LogCapture } from '../test-support/log-capture.js';
import { openTestKeyValueStore } from '../test-support/test-app.js';
import { errorHandler } from './error-handler.js';
import { idempotency } from './idempotency.js';
import { requestId } from './request-id.js';

/**
 * A tiny app around the middleware: POST /records records a row (counted) and answers 201;
 * POST /slow does the same once `releaseSlow()` is called; POST /fail answers 500 the first time.
 */
function buildApp(kv: ReturnType<typeof openTestKeyValueStore>['kv']) {
  const recorded: unknown[] = [];
  let failures = 0;
  let releaseSlow: () => void = () => undefined;
  const slowReleased = new Promise<void>((resolve) => (releaseSlow = resolve));
  const logger = createLogger('silent', new LogCapture());
  const app = express();
  app.use(requestId, express.json());
  app.use((req, _res, next) => {
    const user = req.header('x-test-user');
    // Only the caller's id matters to the middleware; a real guard would fill in the rest.
    if (user) req.user = { userId: user } as AuthUser;
    next();
  });
  const once = idempotency({ kv, ttlSeconds: 3600, logger });
  app.post('/records', once, (req, res) => {
    recorded.push(req.body);
    res.status(201).json({ id: recorded.length, body: req.body });
  });
  app.post('/slow', once, async (req, res) => {
    await slowReleased;
    recorded.push(req.body);
    res.status(201).json({ id: recorded.length });
  });
  app.post('/conflict', once, () => {
    throw conflict('already there');
  });
  app.post('/fail', once, (_req, res) => {
    failures += 1;
    if (failures === 1) res.status(500).json({ broken: true });
    else res.status(201).json({ recovered: true });
  });
  app.use(errorHandler({ logger, bodyLimitBytes: 1000 }));
  return { app, recorded, releaseSlow };
}

let store: ReturnType<typeof openTestKeyValueStore>;
beforeAll(() => {
  store = openTestKeyValueStore();
});
afterAll(async () => {
  await store.drop();
});

describe('Idempotency-Key', () => {
  it('when a POST is repeated with the same key and body, then the first response is replayed and nothing is recorded twice', async () => {
    const { app, recorded } = buildApp(store.kv);
    const first = await supertest(app)
      .post('/records')
      .set('Idempotency-Key', 'key-1')
      .send({ reps: 10 })
      .expect(201);
    const again = await supertest(app)
      .post('/records')
      .set('Idempotency-Key', 'key-1')
      .send({ reps: 10 })
      .expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(recorded).toHaveLength(1);
  });

  it('when the same key comes with a different body, then 409', async () => {
    const { app, recorded } = buildApp(store.kv);
    await supertest(app).post('/records').set('Idempotency-Key', 'key-2').send({ reps: 1 });
    const res = await supertest(app)
      .post('/records')
      .set('Idempotency-Key', 'key-2')
      .send({ reps: 2 })
      .expect(409);
    expect(res.body.code).toBe('CONFLICT');
    expect(recorded).toHaveLength(1);
  });

  it('when duplicates arrive concurrently, then one runs and the rest get 409 in-progress', async () => {
    const { app, recorded, releaseSlow } = buildApp(store.kv);
    let answered = 0;
    const requests = Array.from({ length: 5 }, async () => {
      const res = await supertest(app)
        .post('/slow')
        .set('Idempotency-Key', 'key-3')
        .send({ reps: 3 });
      answered += 1;
      return res;
    });
    // The first request is held in its handler until the four duplicates have been answered.
    await vi.waitFor(() => expect(answered).toBe(4), { timeout: 30_000 });
    releaseSlow();
    const results = await Promise.all(requests);
    expect(results.map((res) => res.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(recorded).toHaveLength(1);
  });

  it('when two users use the same key, then their requests do not collide', async () => {
    const { app, recorded } = buildApp(store.kv);
    await supertest(app)
      .post('/records')
      .set('x-test-user', 'u1')
      .set('Idempotency-Key', 'shared')
      .send({ a: 1 })
      .expect(201);
    await supertest(app)
      .post('/records')
      .set('x-test-user', 'u2')
      .set('Idempotency-Key', 'shared')
      .send({ a: 2 })
      .expect(201);
    expect(recorded).toHaveLength(2);
  });

  it('when the first attempt fails with a 5xx, then a retry with the key runs again', async () => {
    const { app } = buildApp(store.kv);
    await supertest(app).post('/fail').set('Idempotency-Key', 'key-5').send({}).expect(500);
    const retry = await supertest(app).post('/fail').set('Idempotency-Key', 'key-5').send({});
    expect(retry.status).toBe(201);
  });

  it('when the first answer was a problem document, then the replay is the same problem', async () => {
    const { app } = buildApp(store.kv);
    const first = await supertest(app).post('/conflict').set('Idempotency-Key', 'key-6').send({});
    const again = await supertest(app).post('/conflict').set('Idempotency-Key', 'key-6').send({});
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(again.body).toEqual(first.body);
  });

  it('when the key is malformed, then 400', async () => {
    const { app } = buildApp(store.kv);
    const res = await supertest(app)
      .post('/records')
      .set('Idempotency-Key', 'x'.repeat(300))
      .send({})
      .expect(400);
    expect(res.body.errors[0].path).toBe('headers.idempotency-key');
  });

  it('when no key is sent, then every request runs', async () => {
    const { app, recorded } = buildApp(store.kv);
    await supertest(app).post('/records').send({ n: 1 }).expect(201);
    await supertest(app).post('/records').send({ n: 1 }).expect(201);
    expect(recorded).toHaveLength(2);
  });
});
