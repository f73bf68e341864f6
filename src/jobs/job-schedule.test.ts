import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../lib/logger.js';
import { openTestDatabase } from '../test-support/test-database.js';
import { jobDatabaseOf, type JobDatabase } from './job-database.js';
import { createJobRunner, jobType, type JobRunner } from './job-runner.js';
import { queryRows, testRunner, waitUntil } from '../test-support/job-test-support.js';

let jobs: JobDatabase;
let drop: () => Promise<void>;
const runners: JobRunner[] = [];

beforeEach(async () => {
  const opened = await openTestDatabase();
  jobs = jobDatabaseOf(opened.database);
  drop = () => opened.drop();
});

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop({ graceful: false })));
  await drop();
});

const heartbeat = jobType('test.heartbeat', z.object({ source: z.string() }));
const nightlyReport = jobType('test.nightly-report', z.object({}));

describe('repeating jobs', () => {
  it('when two runners on one database repeat a job every 2 s, then it runs once per interval, not once per runner', async () => {
    const runs: string[] = [];
    for (const name of ['first', 'second']) {
      const { runner } = testRunner(jobs);
      runners.push(runner);
      runner.defineJob(heartbeat, () => {
        runs.push(name);
      });
      runner.every(heartbeat, 2, { source: 'test' });
    }
    await Promise.all(runners.map((runner) => runner.start()));

    // However slowly the machine runs, three runs arrive; then look at the jobs they were.
    await waitUntil(() => runs.length >= 3, 45_000);
    await Promise.all(runners.map((runner) => runner.stop()));

    // Each job belongs to one 2 s slot, and no slot has two: the two runners' four ticks per
    // slot made one job between them. Every run was one of those jobs, run once.
    const jobsSent = await queryRows<{ slot: Date | null; state: string }>(
      jobs,
      'select singleton_on as slot, state from pgboss.job where name = $1',
      [heartbeat.name],
    );
    expect(jobsSent.every((job) => job.slot !== null)).toBe(true);
    const slots = new Set(jobsSent.map((job) => String(job.slot?.valueOf())));
    expect(slots.size).toBe(jobsSent.length);
    expect(jobsSent.filter((job) => job.state === 'completed')).toHaveLength(runs.length);
  }, 60_000);

  it('when an interval is not a whole number of seconds up to 12 hours, then every() refuses it', () => {
    const runner = createJobRunner({ database: jobs, logger: createLogger('silent') });
    expect(() => runner.every(heartbeat, 0.5, { source: 'x' })).toThrow(/whole number/);
    expect(() => runner.every(heartbeat, 13 * 3600, { source: 'x' })).toThrow(/cron/);
    expect(() => runner.every(heartbeat, 60)).toThrow(z.ZodError);
  });

  it('when a cron schedule is given, then it is stored in the configured schema in UTC', async () => {
    const { runner } = testRunner(jobs, { schema: 'nxg_jobs' });
    runners.push(runner);
    runner.defineJob(nightlyReport, () => undefined);
    runner.cron(nightlyReport, '15 3 * * *');
    await runner.start();

    const schedules = await queryRows(jobs, 'select name, cron, timezone from nxg_jobs.schedule');
    expect(schedules).toEqual([{ name: nightlyReport.name, cron: '15 3 * * *', timezone: 'UTC' }]);
  });

  it('when a cron expression is invalid, then start() fails', async () => {
    const { runner } = testRunner(jobs);
    runners.push(runner);
    runner.cron(nightlyReport, 'every night');

    await expect(runner.start()).rejects.toThrow();
  });
});
