// Test helpers shared by the job tests. Nothing here may import vitest or test-database.ts:
// `npm run build` compiles every file under src/ that is not a *.test.ts.
import { createLogger } from '../lib/logger.js';
import { LogCapture } from './log-capture.js';
import type { JobDatabase } from '../jobs/job-database.js';
import type { Registry } from 'prom-client';
import { createJobRunner, type JobRunner } from '../jobs/job-runner.js';

/** Rows of a statement run straight on the test database, to look at pg-boss's tables. */
export async function queryRows<Row>(
  jobs: JobDatabase,
  text: string,
  values: unknown[] = [],
): Promise<Row[]> {
  if (jobs.pgPool) return (await jobs.pgPool.query(text, values)).rows as Row[];
  if (jobs.pglite) return (await jobs.pglite.query<Row>(text, values)).rows;
  throw new Error('no client');
}

/** The state pg-boss records for a job. */
export async function jobState(jobs: JobDatabase, id: string, schema = 'pgboss') {
  const rows = await queryRows<{ state: string }>(
    jobs,
    `select state from ${schema}.job where id = $1`,
    [id],
  );
  return rows[0]?.state;
}

/** A runner that polls fast and logs everything, at debug, into `logs`. */
export function testRunner(
  jobs: JobDatabase,
  options: { schema?: string; metrics?: Registry } = {},
): { runner: JobRunner; logs: LogCapture } {
  const logs = new LogCapture();
  const runner = createJobRunner({
    database: jobs,
    logger: createLogger('debug', logs),
    pollingIntervalSeconds: 0.5,
    schema: options.schema,
    metrics: options.metrics,
  });
  return { runner, logs };
}

/**
 * Resolves once `check` returns true; fails after `timeoutMs`, which is generous on purpose: a
 * busy machine may take many times longer than an idle one, and a test must not care.
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
