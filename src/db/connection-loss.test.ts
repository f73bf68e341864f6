import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { jobDatabaseOf } from '../jobs/job-database.js';
import { jobType } from '../jobs/job-runner.js';
import { translateError } from '../middleware/error-handler.js';
import { buildSignedInUser } from '../test-support/factories.js';
import { jobState, sleep, testRunner, waitUntil } from '../test-support/job-test-support.js';
import { startServerProcess, type RunningServer } from '../test-support/server-process.js';
import { createTestApp, type TestApp } from '../test-support/test-app.js';
import { openTestDatabase, withDatabaseName } from '../test-support/test-database.js';

// Terminating connections needs a real PostgreSQL server; PGlite has no connections to lose.
const adminUrl = process.env.TEST_DATABASE_URL;

/** Runs `work` on a short-lived session on the admin database, which no test terminates. */
async function asAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/**
 * Ends every session on `databaseName` (the test's own database, never another); returns how
 * many were ended. pg_terminate_backend sends the same 57P01 that a fast shutdown
 * (`pg_ctl restart -m fast`) sends.
 */
async function terminateSessions(databaseName: string): Promise<number> {
  return asAdmin(async (admin) => {
    const { rows } = await admin.query<{ ended: number }>(
      `select count(*) filter (where pg_terminate_backend(pid))::int as ended
         from pg_stat_activity
        where datname = $1 and pid <> pg_backend_pid()`,
      [databaseName],
    );
    return rows[0]?.ended ?? 0;
  });
}

interface WriteOutcome {
  status: number;
  id?: string;
  code?: string;
  contentType: string | null;
}

/**
 * `writers` loops of POST /api/users/me/body-composition against `baseUrl`, each waiting for
 * its answer before the next, until `stop()`; `acknowledged` counts the 201s so far.
 */
function writeLoad(baseUrl: string, auth: string, writers: number) {
  const outcomes: WriteOutcome[] = [];
  let running = true;
  const writeOnce = async (): Promise<WriteOutcome> => {
    const res = await fetch(`${baseUrl}/api/users/me/body-composition`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({ measuredAt: new Date().toISOString(), weightKg: 80 }),
      // No answer at all would be a hang: fail loudly rather than wait forever.
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json()) as { id?: string; code?: string };
    return {
      status: res.status,
      id: body.id,
      code: body.code,
      contentType: res.headers.get('content-type'),
    };
  };
  const loops = Array.from({ length: writers }, async () => {
    while (running) {
      // No answer (a refused or reset connection, a timeout) shows as status 0 and ends the loop.
      const outcome = await writeOnce().catch(() => ({ status: 0, contentType: null }));
      outcomes.push(outcome);
      if (outcome.status === 0) return;
    }
  });
  return {
    outcomes,
    acknowledged: () => outcomes.filter((outcome) => outcome.status === 201).length,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** What the write load must show: only 201 and 503 (problem+json), each 201 row present. */
async function expectNothingLostOrBroken(
  outcomes: WriteOutcome[],
  storedIds: (ids: string[]) => Promise<string[]>,
): Promise<void> {
  const statuses = new Set(outcomes.map((outcome) => outcome.status));
  expect([...statuses].filter((status) => status !== 201 && status !== 503)).toEqual([]);
  for (const outcome of outcomes.filter((o) => o.status === 503)) {
    expect(outcome.code).toBe('SERVICE_UNAVAILABLE');
    expect(outcome.contentType).toContain('application/problem+json');
  }
  const acknowledgedIds = outcomes.flatMap((outcome) =>
    outcome.status === 201 && outcome.id ? [outcome.id] : [],
  );
  expect(acknowledgedIds.length).toBeGreaterThan(0);
  expect((await storedIds(acknowledgedIds)).sort()).toEqual([...acknowledgedIds].sort());
}

describe.skipIf(!adminUrl)('PostgreSQL sessions terminated under the running app', () => {
  let t: TestApp;
  let baseUrl: string;
  let databaseName: string;

  beforeAll(async () => {
    t = await createTestApp();
    baseUrl = await t.listen();
    const pool = t.container.database.pgPool!;
    databaseName = (await pool.query<{ name: string }>('select current_database() as name'))
      .rows[0]!.name;
  });

  afterAll(async () => {
    await t.close();
  });

  const storedIds = async (ids: string[]) => {
    const { rows } = await t.container.database.pgPool!.query<{ id: string }>(
      'select id from body_composition_entries where id = any($1::uuid[])',
      [ids],
    );
    return rows.map((row) => row.id);
  };

  it('when the session of an open transaction is ended between two statements, then the process lives on and the transaction fails as a 503', async () => {
    const { db, pgPool } = t.container.database;
    let reachedMiddle!: () => void;
    const middle = new Promise<void>((resolve) => (reachedMiddle = resolve));
    let carryOn!: () => void;
    const resume = new Promise<void>((resolve) => (carryOn = resolve));
    const outcome = db
      .transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        reachedMiddle();
        await resume;
        await tx.execute(sql`select 2`);
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    await middle;
    // The checked-out client is idle now: pg-pool has taken its own error listener off it.
    expect(await terminateSessions(databaseName)).toBeGreaterThan(0);
    // The idle clients hear of it first and leave the pool; the checked-out one hears too.
    await waitUntil(() => pgPool!.idleCount === 0);
    await sleep(200);
    carryOn();

    const error = await outcome;
    expect(error).toBeInstanceOf(Error);
    expect(translateError(error, 1024)?.status).toBe(503);
    // The broken client went back to the pool and was dropped: the next transaction works.
    await expect(db.transaction((tx) => tx.execute(sql`select 3`))).resolves.toBeDefined();
  });

  it('when sessions are ended again and again during writes, then answers are 201 or 503, no acknowledged write is lost and writing works after', async () => {
    const user = await buildSignedInUser(t);
    const load = writeLoad(baseUrl, user.auth, 12);
    try {
      for (let round = 0; round < 6; round++) {
        const before = load.acknowledged();
        await waitUntil(() => load.acknowledged() >= before + 10, 30_000);
        await terminateSessions(databaseName);
      }
    } finally {
      await load.stop();
    }
    await expectNothingLostOrBroken(load.outcomes, storedIds);

    const after = await t.http
      .post('/api/users/me/body-composition')
      .set('authorization', user.auth)
      .send({ measuredAt: new Date().toISOString(), weightKg: 81 });
    expect(after.status).toBe(201);
  });

  describe('the job queue', () => {
    const stops: (() => Promise<void>)[] = [];
    afterEach(async () => {
      await Promise.all(stops.splice(0).map((stop) => stop()));
    });

    const ping = jobType('test.connection-loss', z.object({ n: z.number().int() }));

    it('when its setup-lock session is ended during startup, then it starts anyway and works jobs', async () => {
      // pg-boss installs its schema while the lock is held on an idle one-off session. An
      // uncommitted schema of the same name holds the install at its CREATE SCHEMA, so that
      // session is idle for as long as the test needs to find and end it, however fast the
      // machine; rolling back lets the install go on.
      const blocker = new pg.Client({
        connectionString: withDatabaseName(adminUrl!, databaseName),
      });
      await blocker.connect();
      await blocker.query('begin');
      await blocker.query('create schema pgboss_lockloss');
      const jobs = jobDatabaseOf(t.container.database);
      const { runner } = testRunner(jobs, { schema: 'pgboss_lockloss' });
      stops.push(() => runner.stop({ graceful: false }));
      runner.defineJob(ping, () => undefined);
      const started = runner.start().then(
        () => undefined,
        (error: unknown) => error,
      );
      let ended = 0;
      try {
        await waitUntil(async () => {
          ended += await asAdmin(async (admin) => {
            const { rows } = await admin.query<{ ended: number }>(
              `select count(*) filter (where pg_terminate_backend(pid))::int as ended
                 from pg_stat_activity
                where datname = $1 and state = 'idle' and query like 'select pg_advisory_lock%'`,
              [databaseName],
            );
            return rows[0]?.ended ?? 0;
          });
          return ended > 0;
        }, 30_000);
      } finally {
        await blocker.query('rollback');
        await blocker.end();
      }
      expect(await started).toBeUndefined();
      const id = await runner.send(ping, { n: 1 });
      await waitUntil(async () => (await jobState(jobs, id!, 'pgboss_lockloss')) === 'completed');
    });

    it('when its sessions are ended while it polls, then it keeps working jobs', async () => {
      const jobs = jobDatabaseOf(t.container.database);
      const { runner, logs } = testRunner(jobs, { schema: 'pgboss_polling' });
      stops.push(() => runner.stop({ graceful: false }));
      const done: number[] = [];
      runner.defineJob(ping, ({ n }) => {
        done.push(n);
      });
      await runner.start();
      for (let n = 1; n <= 3; n++) {
        await terminateSessions(databaseName);
        // A send can land on a session that is being ended: it fails like a request would.
        let id: string | null = null;
        await waitUntil(async () => {
          id = await runner.send(ping, { n }).catch(() => null);
          return id !== null;
        }, 30_000);
        await waitUntil(() => done.includes(n), 30_000);
      }
      expect(logs.text).not.toContain('"level":60');
    });
  });
});

describe.skipIf(!adminUrl)('a server process whose PostgreSQL sessions are ended', () => {
  let server: RunningServer | undefined;
  let testDatabase: Awaited<ReturnType<typeof openTestDatabase>>;
  let databaseName: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'nxg-connection-loss-'));
    testDatabase = await openTestDatabase();
    databaseName = new URL(testDatabase.url!).pathname.slice(1);
    const keys = inject('signingKeys');
    server = await startServerProcess({
      DATABASE_URL: testDatabase.url!,
      JWT_PRIVATE_KEY: keys.privateKeyPem,
      JWT_PUBLIC_KEY: keys.publicKeyPem,
      BCRYPT_COST: '4',
      LOG_LEVEL: 'info',
      RATE_LIMIT_USER_MAX: '100000',
      RATE_LIMIT_AUTH_MAX: '100000',
      RATE_LIMIT_ANONYMOUS_MAX: '100000',
      DATA_DIR: dataDir,
    });
  }, 200_000);

  afterAll(async () => {
    await server?.kill();
    await testDatabase.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when sessions are ended again and again during writes, then the process survives, answers 201 or 503, loses no acknowledged write and writes after', async () => {
    const running = server!;
    const registered = await fetch(`${running.baseUrl}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'restart_writer',
        email: 'restart-writer@example.test',
        password: 'restart password',
        name: 'Writer',
      }),
    });
    expect(registered.status).toBe(201);
    const auth = `Bearer ${((await registered.json()) as { accessToken: string }).accessToken}`;

    const load = writeLoad(running.baseUrl, auth, 12);
    try {
      for (let round = 0; round < 6; round++) {
        const before = load.acknowledged();
        await waitUntil(
          () => load.acknowledged() >= before + 10 || running.child.exitCode !== null,
          30_000,
        );
        if (running.child.exitCode !== null) break;
        await terminateSessions(databaseName);
      }
    } finally {
      await load.stop();
    }
    expect(running.child.exitCode, running.output()).toBeNull();
    await expectNothingLostOrBroken(load.outcomes, async (ids) => {
      const { rows } = await testDatabase.database.pgPool!.query<{ id: string }>(
        'select id from body_composition_entries where id = any($1::uuid[])',
        [ids],
      );
      return rows.map((row) => row.id);
    });
    const after = await fetch(`${running.baseUrl}/api/users/me/body-composition`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({ measuredAt: new Date().toISOString(), weightKg: 81 }),
    });
    expect(after.status).toBe(201);
  }, 120_000);
});
