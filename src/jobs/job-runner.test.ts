import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openTestDatabase } from '../test-support/test-database.js';
import { jobDatabaseOf, type JobDatabase } from './job-database.js';
import { jobType, type JobContext, type JobRunner } from './job-runner.js';
import {
  jobState,
  queryRows,
  sleep,
  testRunner,
  waitUntil,
} from '../test-support/job-test-support.js';

let jobs: JobDatabase;
let databaseUrl: string | undefined;
let drop: () => Promise<void>;
const runners: JobRunner[] = [];

beforeEach(async () => {
  const opened = await openTestDatabase();
  jobs = jobDatabaseOf(opened.database);
  databaseUrl = opened.url;
  drop = () => opened.drop();
});

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop({ graceful: false })));
  await drop();
});

function runnerOn(database: JobDatabase, metrics?: Registry) {
  const made = testRunner(database, { metrics });
  runners.push(made.runner);
  return made;
}

const greeting = jobType(
  'test.greeting',
  z.object({ name: z.string().min(1), times: z.number().int().positive() }),
);

describe('sending jobs', () => {
  it('when a job is sent, then its handler runs once with the validated data', async () => {
    const { runner, logs } = runnerOn(jobs);
    const received: unknown[] = [];
    runner.defineJob(greeting, (data) => {
      received.push(data);
    });
    await runner.start();

    // Keys the schema does not know are not stored with the job.
    const withExtra = { name: 'Ada', times: 2, passwordHash: 'not-for-the-queue' };
    const id = await runner.send(greeting, withExtra);

    await waitUntil(async () => (await jobState(jobs, id!)) === 'completed');
    expect(received).toEqual([{ name: 'Ada', times: 2 }]);
    const messages = logs.entries().map((entry) => entry.msg);
    expect(messages).toContain('job started');
    expect(messages).toContain('job finished');
    expect(logs.text).not.toContain('not-for-the-queue');
  });

  it('when the data does not match the schema, then send rejects and nothing is queued', async () => {
    const { runner } = runnerOn(jobs);
    runner.defineJob(greeting, () => undefined);
    await runner.start();

    await expect(runner.send(greeting, { name: '', times: 0 })).rejects.toThrow(z.ZodError);
    expect(
      await queryRows(jobs, 'select id from pgboss.job where name = $1', [greeting.name]),
    ).toEqual([]);
  });

  it('when a stored job no longer matches its schema, then it is cancelled and logged without running', async () => {
    // An older release queued `times` as text; this release expects a number.
    const oldGreeting = jobType(greeting.name, z.object({ name: z.string(), times: z.string() }));
    const { runner: oldSender } = runnerOn(jobs);
    await oldSender.start();
    const id = await oldSender.send(oldGreeting, { name: 'Ada', times: 'twice-secretly' });

    const { runner, logs } = runnerOn(jobs);
    let runs = 0;
    runner.defineJob(greeting, () => {
      runs += 1;
    });
    await runner.start();

    await waitUntil(async () => (await jobState(jobs, id!)) === 'cancelled');
    expect(runs).toBe(0);
    const entry = logs.entries().find((line) => line.level === 50);
    expect(entry).toMatchObject({
      msg: 'job data does not match its schema; cancelled',
      job: greeting.name,
      jobId: id,
      issues: [{ path: 'times' }],
    });
    expect(logs.text).not.toContain('twice-secretly');
  });
});

describe('failures', () => {
  it('when a handler throws once, then it is retried after the delay and succeeds on the 2nd attempt', async () => {
    const { runner, logs } = runnerOn(jobs);
    const attempts: { attempt: number; at: number }[] = [];
    runner.defineJob(
      greeting,
      (_data, job) => {
        attempts.push({ attempt: job.attempt, at: Date.now() });
        if (job.attempt === 1) throw new Error('flaky downstream');
      },
      { retryLimit: 3, retryDelaySeconds: 1, retryBackoff: true },
    );
    await runner.start();

    const id = await runner.send(greeting, { name: 'Ada', times: 1 });

    await waitUntil(async () => (await jobState(jobs, id!)) === 'completed');
    expect(attempts.map((run) => run.attempt)).toEqual([1, 2]);
    // Backoff with a 1 s base waits 1-2 s before the first retry.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900);
    const warnings = logs.entries().filter((entry) => entry.level === 40);
    expect(warnings).toMatchObject([
      { msg: 'job failed; it will be retried', attempt: 1, error: { message: 'flaky downstream' } },
    ]);
    expect(logs.entries().some((entry) => entry.level === 50)).toBe(false);
  });

  it('when every attempt fails, then after the retry limit the failure is logged once, without the data', async () => {
    const { runner, logs } = runnerOn(jobs);
    const secretive = jobType('test.secretive', z.object({ note: z.string() }));
    let runs = 0;
    runner.defineJob(
      secretive,
      () => {
        runs += 1;
        throw new Error('downstream is down');
      },
      { retryLimit: 1, retryDelaySeconds: 0, retryBackoff: false },
    );
    await runner.start();

    const id = await runner.send(secretive, { note: 'very-secret-value' });

    await waitUntil(async () => (await jobState(jobs, id!)) === 'failed');
    expect(runs).toBe(2);
    const errors = logs.entries().filter((entry) => entry.level === 50);
    expect(errors).toMatchObject([
      {
        msg: 'job failed; no retries left',
        job: secretive.name,
        jobId: id,
        attempt: 2,
        retryLimit: 1,
        error: { type: 'Error', message: 'downstream is down' },
      },
    ]);
    expect(logs.text).not.toContain('very-secret-value');
  });

  it('when a run takes longer than expireInSeconds, then its signal aborts and the job fails', async () => {
    const { runner } = runnerOn(jobs);
    let signal: AbortSignal | undefined;
    runner.defineJob(
      greeting,
      async (_data, job) => {
        signal = job.signal;
        // Runs until something stops it: only the expiry can.
        await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
      },
      { retryLimit: 0, expireInSeconds: 1 },
    );
    await runner.start();

    const id = await runner.send(greeting, { name: 'Ada', times: 1 });

    await waitUntil(async () => (await jobState(jobs, id!)) === 'failed');
    expect(signal?.aborted).toBe(true);
  });
});

describe('stopping', () => {
  it('when stop() is called while a handler runs, then it waits for the handler to finish', async () => {
    const { runner } = runnerOn(jobs);
    let started = false;
    let finished = false;
    runner.defineJob(greeting, async () => {
      started = true;
      await sleep(1_500);
      finished = true;
    });
    await runner.start();
    const id = await runner.send(greeting, { name: 'Ada', times: 1 });
    await waitUntil(() => started);

    await runner.stop({ graceful: true });

    expect(finished).toBe(true);
    expect(await jobState(jobs, id!)).toBe('completed');
    await expect(runner.send(greeting, { name: 'Ada', times: 1 })).rejects.toThrow(/not running/);
  });

  it('when stop() is not graceful, then the running handler is aborted and its job is left to retry', async () => {
    const { runner } = runnerOn(jobs);
    let context: JobContext | undefined;
    let finished = false;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    runner.defineJob(
      greeting,
      async (_data, job) => {
        context = job;
        // Ignores the abort on purpose: stop() must return without waiting for it.
        await held;
        finished = true;
      },
      { retryLimit: 2 },
    );
    await runner.start();
    const id = await runner.send(greeting, { name: 'Ada', times: 1 });
    await waitUntil(() => context !== undefined);

    try {
      await runner.stop({ graceful: false });

      expect(finished).toBe(false);
      expect(context?.signal.aborted).toBe(true);
      expect(await jobState(jobs, id!)).toBe('retry');
    } finally {
      release();
    }
  });
});

// Separate pools are separate instances only on PostgreSQL; PGlite belongs to one process.
describe.runIf(Boolean(process.env.TEST_DATABASE_URL))('instances starting together', () => {
  it('when several instances start at once on a database without the queue schema, then every one starts', async () => {
    const pools = Array.from({ length: 4 }, () => {
      const pool = new pg.Pool({ connectionString: databaseUrl, max: 3 });
      // The test database is dropped with FORCE right after; pool.end() does not wait for its
      // connections to finish closing, and one the drop cuts would be an unhandled error.
      pool.on('error', () => undefined);
      pool.on('connect', (client) => client.on('error', () => undefined));
      return pool;
    });
    try {
      // A few fresh schemas, since the install race does not strike on every attempt.
      for (let attempt = 0; attempt < 3; attempt++) {
        const schema = `pgboss_${randomBytes(4).toString('hex')}`;
        const started = await Promise.allSettled(
          pools.map((pool) => {
            const { runner } = testRunner({ kind: 'postgres', pgPool: pool }, { schema });
            runners.push(runner);
            runner.defineJob(greeting, () => undefined);
            return runner.start();
          }),
        );
        expect(started.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
      }
    } finally {
      await Promise.all(runners.splice(0).map((runner) => runner.stop({ graceful: false })));
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });
});

describe('job metrics', () => {
  /** The value of one series of the registry, or undefined when it has none. */
  async function seriesValue(registry: Registry, name: string, labels: Record<string, string>) {
    const metric = await registry.getSingleMetric(name)?.get();
    return metric?.values.find((value) =>
      Object.entries(labels).every(([key, wanted]) => String(value.labels[key]) === wanted),
    )?.value;
  }

  it('when a job fails and then fails its last retry, then both runs are timed and counted as failures, the last as final', async () => {
    const registry = new Registry();
    const { runner } = runnerOn(jobs, registry);
    const failing = jobType('test.failing', z.object({}));
    runner.defineJob(
      failing,
      () => {
        throw new Error('downstream is down');
      },
      { retryLimit: 1, retryDelaySeconds: 0, retryBackoff: false },
    );
    await runner.start();

    const id = await runner.send(failing, {});

    await waitUntil(async () => (await jobState(jobs, id!)) === 'failed');
    await waitUntil(
      async () => (await seriesValue(registry, 'job_failures_total', { final: 'true' })) === 1,
    );
    expect(
      await seriesValue(registry, 'job_failures_total', { queue: failing.name, final: 'false' }),
    ).toBe(1);
    expect(
      await seriesValue(registry, 'job_duration_seconds', { queue: failing.name, le: '+Inf' }),
    ).toBe(2);
  });

  it('when jobs wait behind a running one, then the queue depth counts those due and not those scheduled later', async () => {
    const registry = new Registry();
    const { runner } = runnerOn(jobs, registry);
    const slow = jobType('test.slow', z.object({ n: z.number() }));
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = 0;
    runner.defineJob(slow, async () => {
      started += 1;
      await released;
    });
    await runner.start();

    await runner.send(slow, { n: 1 });
    await waitUntil(() => started === 1);
    await runner.send(slow, { n: 2 });
    await runner.send(slow, { n: 3 });
    await runner.send(slow, { n: 4 }, { startAfterSeconds: 3600 });

    try {
      expect(await seriesValue(registry, 'job_queue_depth', { queue: slow.name })).toBe(2);
    } finally {
      release();
    }
    await waitUntil(
      async () => (await seriesValue(registry, 'job_queue_depth', { queue: slow.name })) === 0,
    );
    expect(
      await seriesValue(registry, 'job_duration_seconds', { queue: slow.name, le: '+Inf' }),
    ).toBe(3);
  });
});
