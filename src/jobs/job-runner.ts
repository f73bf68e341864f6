/**
 * Background jobs: a persistent queue (pg-boss) in its own schema of the main database, so a
 * job survives restarts and runs once however many instances of the server or worker share it.
 *
 * How it is put together, and why:
 * - **One connection pool.** pg-boss gets the server's own client through its `db` option (an
 *   `executeSql` adapter, see job-database.ts), on PostgreSQL and PGlite alike, instead of a
 *   connection string that would open a second pool with its own size, credentials and shutdown.
 *   PGlite has a single connection in any case. pg-boss 10 polls rather than LISTENs, so it needs
 *   no dedicated connection.
 * - **Typed data.** A job is declared once as a `jobType(name, zodSchema)`. `send` validates and
 *   stores the schema's output (unknown keys stripped, so a whole row cannot slip into the queue);
 *   the handler gets the data validated again, because stored jobs may come from an older release.
 *   Stored data that no longer matches is logged and the job cancelled: retrying cannot fix it.
 *   Schemas must describe plain JSON (ISO strings rather than Dates, no transforms).
 * - **Retries** are the queue's policy (`defineJob`'s options), so a job sent from any process
 *   retries the same way. `retryLimit` counts retries after the first attempt. Delivery is at
 *   least once: a handler that crashes its process mid-run is retried after `expireInSeconds`,
 *   so handlers must be idempotent.
 * - **Repeating jobs.** pg-boss cron (`cron(type, expression)`, UTC) has minute granularity:
 *   a schedule is stored in the database and pg-boss's own timekeeper, run by one instance at a
 *   time, sends it. `every(type, seconds)` covers shorter periods: each instance ticks twice per
 *   interval and sends with `singletonKey` + `singletonSeconds = interval`; pg-boss derives the
 *   time slot from the database clock and a unique index keeps one job per slot, so the job runs
 *   once per interval in total, not once per instance, and still runs while any instance is up.
 *   A run longer than its interval can overlap the next one. Cron schedules live in the database:
 *   deleting a `cron()` call does not unschedule it (pg-boss `unschedule` does).
 * - **Concurrency.** Each instance works one job of a queue at a time (batch size 1); more
 *   instances work more jobs in parallel.
 * - **Shutdown.** `stop({ graceful: true })` stops fetching, waits for running handlers and for
 *   pg-boss's last statements, then detaches from the database, which the caller closes after.
 */
import PgBoss from 'pg-boss';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import { describeErrorForLog } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { fieldErrorsOf } from '../lib/zod.js';
import { createQueueConnection, withQueueSetupLock, type JobDatabase } from './job-database.js';
import { registerJobMetrics, type JobMetrics } from './job-metrics.js';

/** Job data is a JSON object; its schema is the single source of its type and validation. */
export type JobSchema = z.ZodType<Record<string, unknown>>;

/** A job's name and data schema, shared by whoever sends it and the handler that runs it. */
export interface JobType<S extends JobSchema = JobSchema> {
  readonly name: string;
  readonly schema: S;
}

/** What a handler knows about the run it is in. */
export interface JobContext {
  id: string;
  name: string;
  /** 1 for the first run, 2 for the first retry, … */
  attempt: number;
  retryLimit: number;
  /** Aborted when the run exceeds `expireInSeconds` or the runner stops without waiting. */
  signal: AbortSignal;
}

export type JobHandler<T> = (data: T, job: JobContext) => Promise<void> | void;

/** How a job is retried and how long one run may take. */
export interface JobPolicy {
  /** Retries after the first attempt (0: run once). Default 3. */
  retryLimit?: number;
  /** Whole seconds before a retry; with backoff, the base of an exponential delay. Default 5. */
  retryDelaySeconds?: number;
  /** Doubles the delay on each retry, with jitter. Default true. */
  retryBackoff?: boolean;
  /** A run taking longer fails and is retried. Default 900 (15 minutes). */
  expireInSeconds?: number;
}

export interface SendOptions {
  /** The job's id; sending the same id again while the job exists queues nothing (null). */
  id?: string;
  /** Do not run before this many seconds from now. */
  startAfterSeconds?: number;
  /** With `singletonSeconds`: at most one job with this key per time slot of that length. */
  singletonKey?: string;
  singletonSeconds?: number;
}

export interface StopOptions {
  /** Wait for running handlers (default). Otherwise they are aborted and their jobs retried. */
  graceful?: boolean;
  /** The longest a graceful stop waits before aborting what still runs. Default 30 000. */
  timeoutMs?: number;
}

export interface JobRunner {
  /** Registers the handler for a job type; call before `start()`. */
  defineJob<S extends JobSchema>(
    type: JobType<S>,
    handler: JobHandler<z.output<S>>,
    policy?: JobPolicy,
  ): void;
  /** Sends the job once per interval across all instances; call before `start()`. */
  every<S extends JobSchema>(type: JobType<S>, intervalSeconds: number, data?: z.input<S>): void;
  /** Sends the job on a cron schedule (UTC, minute granularity); call before `start()`. */
  cron<S extends JobSchema>(type: JobType<S>, expression: string, data?: z.input<S>): void;
  /** Installs or migrates the queue schema, then starts working, scheduling and repeating. */
  start(): Promise<void>;
  /** Validates and queues a job; resolves with its id, or null when a singleton slot is taken. */
  send<S extends JobSchema>(
    type: JobType<S>,
    data: z.input<S>,
    options?: SendOptions,
  ): Promise<string | null>;
  /** Stops fetching and repeating; by default waits for running handlers first. */
  stop(options?: StopOptions): Promise<void>;
  /**
   * True once `start()` has finished and until `stop()`: `send` works. A process that leaves
   * the jobs to a worker (RUN_JOBS=false) never starts its runner.
   */
  isRunning(): boolean;
}

export interface JobRunnerOptions {
  database: JobDatabase;
  logger: Logger;
  /** The PostgreSQL schema pg-boss keeps its tables in. Default `pgboss`. */
  schema?: string;
  /** How often an idle worker looks for jobs (at least 0.5). Default 2. */
  pollingIntervalSeconds?: number;
  /**
   * Where the runs this process works (durations, failures) and the depth of every queue are
   * reported. The depth is read from the database, so a process that leaves the jobs to a
   * worker reports it too.
   */
  metrics?: Registry;
}

const defaultPolicy: Required<JobPolicy> = {
  retryLimit: 3,
  retryDelaySeconds: 5,
  retryBackoff: true,
  expireInSeconds: 900,
};

// pg-boss refuses singleton slots longer than its archive delay (12 hours by default).
const MAX_EVERY_SECONDS = 12 * 60 * 60;
const EVERY_SINGLETON_KEY = 'every';
const DEADLOCK_DETECTED = '40P01';

/** Declares a job: its queue name and the schema of its data. */
export function jobType<S extends JobSchema>(name: string, schema: S): JobType<S> {
  if (!/^[a-z0-9][\w.-]{0,99}$/i.test(name)) {
    throw new Error(`job name "${name}": use letters, digits, "_", "." or "-" (at most 100)`);
  }
  return { name, schema };
}

interface Definition {
  type: JobType;
  handler: JobHandler<Record<string, unknown>>;
  policy: Required<JobPolicy>;
}

interface RunningJob {
  done: Promise<void>;
  controller: AbortController;
}

/** Builds a runner; nothing touches the database until `start()`. */
export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { logger } = options;
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 2;
  const connection = createQueueConnection(options.database, () =>
    logger.debug('job queue statement after stop was dropped'),
  );
  const schema = options.schema ?? 'pgboss';
  const boss = new PgBoss({ db: connection, schema });
  boss.on('error', (error) =>
    logger.error({ error: describeErrorForLog(error) }, 'job queue error'),
  );

  const definitions = new Map<string, Definition>();
  const repeats = new Map<string, { type: JobType; intervalSeconds: number; data: object }>();
  const schedules: { type: JobType; expression: string; data: object }[] = [];
  const workerIds = new Map<string, string>();
  const knownQueues = new Set<string>();
  const running = new Map<string, RunningJob>();
  const timers: NodeJS.Timeout[] = [];
  let state: 'idle' | 'starting' | 'started' | 'stopping' | 'stopped' = 'idle';
  let startup: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;

  // The partial index pg-boss keeps on waiting jobs (job_i5) answers this without the table.
  const depthQuery =
    `select name, count(*)::int as depth from ${schema}.job ` +
    `where state < 'active' and start_after <= now() group by name`;
  async function readQueueDepths(): Promise<Map<string, number>> {
    if (state === 'stopping' || state === 'stopped') throw new Error('job runner stopped');
    const { rows } = await connection.executeSql(depthQuery);
    const depths = new Map([...definitions.keys()].map((name) => [name, 0]));
    for (const row of rows as { name: string; depth: number }[]) depths.set(row.name, row.depth);
    return depths;
  }
  const metrics: JobMetrics | undefined =
    options.metrics && registerJobMetrics(options.metrics, readQueueDepths);

  const assertConfiguring = (what: string) => {
    if (state !== 'idle') throw new Error(`${what} must be called before the job runner starts`);
  };

  /**
   * create_queue does nothing when the queue exists, but two instances creating the same new
   * queue at once deadlock on PostgreSQL (its row insert and its partition DDL lock in opposite
   * orders). PostgreSQL aborts one of them; that one tries again and finds the queue made.
   */
  async function createQueue(name: string, queue?: PgBoss.Queue): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await boss.createQueue(name, queue);
        return;
      } catch (error) {
        const deadlocked = (error as { code?: unknown }).code === DEADLOCK_DETECTED;
        if (!deadlocked || attempt >= 5) throw error;
        logger.debug({ queue: name, attempt }, 'queue creation deadlocked with another instance');
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
      }
    }
  }

  async function ensureQueue(name: string): Promise<void> {
    if (knownQueues.has(name)) return;
    await createQueue(name);
    knownQueues.add(name);
  }

  async function runJob(
    definition: Definition,
    job: PgBoss.JobWithMetadata<unknown>,
    controller: AbortController,
  ): Promise<void> {
    const facts = {
      job: job.name,
      jobId: job.id,
      attempt: job.retryCount + 1,
      retryLimit: job.retryLimit,
    };
    const parsed = definition.type.schema.safeParse(job.data);
    if (!parsed.success) {
      const { errors: issues, omitted } = fieldErrorsOf(parsed.error);
      logger.error(
        { ...facts, issues, issuesOmitted: omitted },
        'job data does not match its schema; cancelled',
      );
      metrics?.countFailure(job.name, true);
      await boss.cancel(job.name, job.id);
      return;
    }
    const expiry = setTimeout(
      () => controller.abort(new Error(`job exceeded ${job.expireInSeconds}s`)),
      job.expireInSeconds * 1000,
    );
    const startedAt = performance.now();
    const elapsed = () => Math.round(performance.now() - startedAt);
    logger.debug(facts, 'job started');
    try {
      const context: JobContext = {
        id: job.id,
        name: job.name,
        attempt: facts.attempt,
        retryLimit: job.retryLimit,
        signal: controller.signal,
      };
      await Promise.race([
        definition.handler(parsed.data, context),
        rejectWhenAborted(controller.signal),
      ]);
      logger.debug({ ...facts, durationMs: elapsed() }, 'job finished');
      metrics?.observeRun(job.name, (performance.now() - startedAt) / 1000);
    } catch (error) {
      const final = job.retryCount >= job.retryLimit;
      metrics?.observeRun(job.name, (performance.now() - startedAt) / 1000);
      metrics?.countFailure(job.name, final);
      logger[final ? 'error' : 'warn'](
        { ...facts, durationMs: elapsed(), error: describeErrorForLog(error) },
        final ? 'job failed; no retries left' : 'job failed; it will be retried',
      );
      throw error;
    } finally {
      clearTimeout(expiry);
    }
  }

  function track(definition: Definition, job: PgBoss.JobWithMetadata<unknown>): Promise<void> {
    const controller = new AbortController();
    const done = runJob(definition, job, controller).finally(() => running.delete(job.id));
    running.set(job.id, { done, controller });
    return done;
  }

  async function startWorking(definition: Definition): Promise<void> {
    const { name } = definition.type;
    const { retryLimit, retryDelaySeconds, retryBackoff, expireInSeconds } = definition.policy;
    const queue = {
      name,
      retryLimit,
      retryDelay: retryDelaySeconds,
      retryBackoff,
      expireInSeconds,
    };
    await createQueue(name, queue);
    // The queue may exist from an earlier release or a sender; its policy follows the code.
    await boss.updateQueue(name, queue);
    knownQueues.add(name);
    const workerId = await boss.work<unknown>(
      name,
      { includeMetadata: true, batchSize: 1, pollingIntervalSeconds },
      async (jobs) => {
        for (const job of jobs) await track(definition, job);
      },
    );
    workerIds.set(name, workerId);
  }

  function startRepeating(type: JobType, intervalSeconds: number, data: object): void {
    const tick = () => {
      if (state !== 'started') return;
      const options = { singletonKey: EVERY_SINGLETON_KEY, singletonSeconds: intervalSeconds };
      runner.send(type, data, options).catch((error: unknown) => {
        logger.warn(
          { job: type.name, error: describeErrorForLog(error) },
          'could not send repeating job',
        );
      });
    };
    tick();
    // Two ticks per slot: a late timer can then never leave a slot without its job.
    const timer = setInterval(tick, Math.max(250, intervalSeconds * 500));
    timer.unref();
    timers.push(timer);
  }

  async function waitForRunningJobs(graceful: boolean, deadline: number): Promise<void> {
    const abortAll = () => {
      for (const job of running.values()) job.controller.abort(new Error('job runner stopped'));
    };
    if (!graceful) abortAll();
    for (;;) {
      // A fetch in flight when pg-boss stopped can still hand over a job; its completion is
      // a statement of its own. Both are waited for until nothing is left.
      await connection.drain();
      await new Promise((resolve) => setImmediate(resolve));
      if (running.size === 0 && !connection.busy) return;
      const remaining = deadline - Date.now();
      if (!graceful || remaining <= 0) {
        abortAll();
        logger.warn({ jobs: running.size }, 'job runner stopped while jobs were still running');
        return;
      }
      await Promise.race([
        Promise.allSettled([...running.values()].map((job) => job.done)),
        new Promise((resolve) => setTimeout(resolve, remaining)),
      ]);
    }
  }

  async function startAll(): Promise<void> {
    // Installing the queue schema and creating queues race between instances that start
    // together on a fresh database; they take turns instead.
    await withQueueSetupLock(
      options.database,
      async () => {
        await boss.start();
        for (const definition of definitions.values()) await startWorking(definition);
        for (const { type, expression, data } of schedules) {
          await ensureQueue(type.name);
          await boss.schedule(type.name, expression, data, { tz: 'UTC' });
        }
      },
      (error) =>
        logger.warn(
          { error: describeErrorForLog(error) },
          'job queue setup lock lost with its database session',
        ),
    );
    state = 'started';
    for (const { type, intervalSeconds, data } of repeats.values()) {
      startRepeating(type, intervalSeconds, data);
    }
    logger.info(
      { jobs: definitions.size, repeating: repeats.size, scheduled: schedules.length },
      'job runner started',
    );
  }

  const runner: JobRunner = {
    defineJob(type, handler, policy = {}) {
      assertConfiguring('defineJob');
      if (definitions.has(type.name)) throw new Error(`job "${type.name}" is defined twice`);
      definitions.set(type.name, {
        type,
        handler: handler as JobHandler<Record<string, unknown>>,
        policy: { ...defaultPolicy, ...policy },
      });
    },

    every(type, intervalSeconds, data) {
      assertConfiguring('every');
      if (!Number.isInteger(intervalSeconds) || intervalSeconds < 1) {
        throw new Error(`every("${type.name}"): the interval is a whole number of seconds`);
      }
      if (intervalSeconds > MAX_EVERY_SECONDS) {
        throw new Error(`every("${type.name}"): use cron() for intervals over 12 hours`);
      }
      if (repeats.has(type.name)) throw new Error(`job "${type.name}" already repeats`);
      repeats.set(type.name, { type, intervalSeconds, data: type.schema.parse(data ?? {}) });
    },

    cron(type, expression, data) {
      assertConfiguring('cron');
      // pg-boss keeps one schedule per queue; a second would silently replace the first.
      if (schedules.some((schedule) => schedule.type.name === type.name)) {
        throw new Error(`job "${type.name}" already has a cron schedule`);
      }
      schedules.push({ type, expression, data: type.schema.parse(data ?? {}) });
    },

    start() {
      assertConfiguring('start');
      state = 'starting';
      startup = startAll();
      return startup;
    },

    async send(type, input, sendOptions = {}) {
      if (state !== 'started') {
        throw new Error(`cannot send "${type.name}": the job runner is not running`);
      }
      const data = type.schema.parse(input);
      await ensureQueue(type.name);
      const id = await boss.send(type.name, data, {
        id: sendOptions.id,
        startAfter: sendOptions.startAfterSeconds,
        singletonKey: sendOptions.singletonKey,
        singletonSeconds: sendOptions.singletonSeconds,
      });
      const workerId = workerIds.get(type.name);
      // Wakes this instance's worker now instead of at its next poll.
      if (id && workerId && !sendOptions.startAfterSeconds) boss.notifyWorker(workerId);
      return id;
    },

    isRunning() {
      return state === 'started';
    },

    stop({ graceful = true, timeoutMs = 30_000 } = {}) {
      stopped ??= (async () => {
        // Stopping halfway through start() would leave workers behind; let it finish first.
        await startup?.catch(() => undefined);
        const previous = state;
        state = 'stopping';
        for (const timer of timers) clearInterval(timer);
        try {
          if (previous !== 'idle') {
            const deadline = Date.now() + timeoutMs;
            await boss.stop({ graceful, timeout: timeoutMs, close: false, wait: true });
            await waitForRunningJobs(graceful, deadline);
          }
        } finally {
          connection.close();
          state = 'stopped';
        }
      })();
      return stopped;
    },
  };
  return runner;
}

function rejectWhenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(asError(signal.reason)), { once: true });
  });
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error('aborted');
}
