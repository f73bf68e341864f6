import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import express from 'express';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DatabaseHandle } from '../db/database.js';
import { conflict } from '../lib/errors.js';
import type { AuthUser } from '../lib/http/request-context.js';
import { createLogger } from '../lib/logger.js';
import { idempotencyKeys } from '../modules/idempotency/idempotency.table.js';
import { emptyProfile, usersRepository } from '../modules/users/index.js';
import { LogCapture } from '../test-support/log-capture.js';
import { openTestDatabase } from '../test-support/test-database.js';
import { errorHandler } from './error-handler.js';
import { idempotency } from './idempotency.js';
import { requestId } from './request-id.js';

/** Resolves once `release()` is called: a handler that waits for the test. */
function gate() {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  return { opened, release };
}

/**
 * A tiny app around the middleware: POST /records records a row (counted) and answers 201;
 * POST /slow does the same once `releaseSlow()` is called; POST /gated waits for the test to open
 * `gated`; POST /fail answers 500 the first time.
 */
function buildApp(db: DatabaseHandle['db']) {
  const recorded: unknown[] = [];
  let failures = 0;
  const gated = { entered: gate(), exit: gate() };
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
  const once = idempotency({ db, ttlSeconds: 3600, logger });
  app.post('/records', once, (req, res) => {
    recorded.push(req.body);
    res.status(201).json({ id: recorded.length, body: req.body });
  });
  app.post('/slow', once, async (req, res) => {
    await slowReleased;
    recorded.push(req.body);
    res.status(201).json({ id: recorded.length });
  });
  app.post('/gated', once, async (req, res) => {
    gated.entered.release();
    await gated.exit.opened;
    recorded.push(req.body);
    res.status(201).json({ id: recorded.length });
  });
  app.post('/conflict', once, () => {
    throw conflict('already there', 'DUPLICATE_RECORD');
  });
  app.post('/fail', once, (_req, res) => {
    failures += 1;
    if (failures === 1) res.status(500).json({ broken: true });
    else res.status(201).json({ recovered: true });
  });
  app.use(errorHandler({ logger, bodyLimitBytes: 1000 }));
  return { app, recorded, gated, releaseSlow };
}

let database: Awaited<ReturnType<typeof openTestDatabase>>;
const userIds: string[] = [];
beforeAll(async () => {
  database = await openTestDatabase();
  for (const name of ['one', 'two']) {
    const row = await usersRepository.insert(database.database.db, {
      username: `idem_${name}_${Date.now()}`,
      email: `idem_${name}_${Date.now()}@example.test`,
      passwordHash: 'not-used',
      role: 'member',
      profile: emptyProfile(name),
    });
    userIds.push(row.id);
  }
});
afterAll(async () => {
  await database.drop();
});

describe('Idempotency-Key', () => {
  it('when a POST is repeated with the same key and body, then the first response is replayed and nothing is recorded twice', async () => {
    const { app, recorded } = buildApp(database.database.db);
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
    const { app, recorded } = buildApp(database.database.db);
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
    const { app, recorded, releaseSlow } = buildApp(database.database.db);
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
    const { app, recorded } = buildApp(database.database.db);
    await supertest(app)
      .post('/records')
      .set('x-test-user', userIds[0] ?? '')
      .set('Idempotency-Key', 'shared')
      .send({ a: 1 })
      .expect(201);
    await supertest(app)
      .post('/records')
      .set('x-test-user', userIds[1] ?? '')
      .set('Idempotency-Key', 'shared')
      .send({ a: 2 })
      .expect(201);
    expect(recorded).toHaveLength(2);
  });

  it('when the first attempt fails with a 5xx, then a retry with the key runs again', async () => {
    const { app } = buildApp(database.database.db);
    await supertest(app).post('/fail').set('Idempotency-Key', 'key-5').send({}).expect(500);
    const retry = await supertest(app).post('/fail').set('Idempotency-Key', 'key-5').send({});
    expect(retry.status).toBe(201);
  });

  it('when the first answer was a problem document, then the replay is the same problem', async () => {
    const { app } = buildApp(database.database.db);
    const first = await supertest(app).post('/conflict').set('Idempotency-Key', 'key-6').send({});
    const again = await supertest(app).post('/conflict').set('Idempotency-Key', 'key-6').send({});
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(again.body).toEqual(first.body);
  });

  it('when the key is malformed, then 400', async () => {
    const { app } = buildApp(database.database.db);
    const res = await supertest(app)
      .post('/records')
      .set('Idempotency-Key', 'x'.repeat(300))
      .send({})
      .expect(400);
    expect(res.body.errors[0].path).toBe('headers.idempotency-key');
  });

  it('when the client hangs up before the answer, then the outcome is kept and a retry replays it', async () => {
    const { app, recorded, gated } = buildApp(database.database.db);
    const server: Server = createServer(app);
    const serverSockets: Promise<void>[] = [];
    server.on('connection', (socket) => {
      serverSockets.push(new Promise((resolve) => socket.once('close', () => resolve())));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const body = JSON.stringify({ reps: 7 });
      const first = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/gated',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'idempotency-key': 'hang-up',
        },
      });
      const firstOutcome = new Promise<string>((resolve) => {
        first.on('error', (error) => resolve(error.message));
        first.on('response', () => resolve('answered'));
      });
      first.end(body);
      await gated.entered.opened;
      first.destroy();
      expect(await firstOutcome).not.toBe('answered');
      // The server has seen the hang-up before the handler finishes.
      await Promise.all(serverSockets);
      gated.exit.release();

      // The outcome is stored moments after the handler ends; until then the key is pending.
      let retry = await supertest(server)
        .post('/gated')
        .set('Idempotency-Key', 'hang-up')
        .send({ reps: 7 });
      for (let tries = 0; retry.status === 409 && tries < 100; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        retry = await supertest(server)
          .post('/gated')
          .set('Idempotency-Key', 'hang-up')
          .send({ reps: 7 });
      }
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual({ id: 1 });
      expect(recorded).toHaveLength(1);
      const rows = await database.database.db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.key, 'hang-up')));
      expect(rows.map((row) => [row.state, row.status])).toEqual([['done', 201]]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('when no key is sent, then every request runs', async () => {
    const { app, recorded } = buildApp(database.database.db);
    await supertest(app).post('/records').send({ n: 1 }).expect(201);
    await supertest(app).post('/records').send({ n: 1 }).expect(201);
    expect(recorded).toHaveLength(2);
  });
});
