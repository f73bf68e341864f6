import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the job runner reports about the runs it works and the queues it knows. */
export interface JobMetrics {
  /** A run this process finished, successfully or not, and how long it took. */
  observeRun(job: string, seconds: number): void;
  /** A run that failed; `final` when no retry is left (or its data could never be valid). */
  countFailure(job: string, final: boolean): void;
}

/** Jobs due and waiting per queue, as read from the queue's tables. */
export type QueueDepthReader = () => Promise<Map<string, number>>;

// A scrape waits this long at most for the depth query; without an answer the gauge is left out.
const DEPTH_READ_TIMEOUT_MS = 2_000;

// Labelled `queue` (pg-boss's name for a job's name), not `job`: Prometheus gives every series
// the scrape job's `job` label, and a metric's own would be renamed `exported_job`.

/**
 * Registers `job_duration_seconds`, `job_failures_total` and `job_queue_depth`. The depth is
 * read at scrape time with one grouped count over pg-boss's partial index of waiting jobs.
 */
export function registerJobMetrics(registry: Registry, readDepths: QueueDepthReader): JobMetrics {
  const duration = new Histogram({
    name: 'job_duration_seconds',
    help: 'Duration of the job runs this process worked, by queue (job name; failed runs included)',
    labelNames: ['queue'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'job_failures_total',
    help: 'Failed job runs this process worked, by queue (job name); final="true" when no retry is left',
    labelNames: ['queue', 'final'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'job_queue_depth',
    help: 'Jobs due and waiting to be worked, by queue (job name; the same on every instance)',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      const depths = await withTimeout(readDepths(), DEPTH_READ_TIMEOUT_MS);
      this.reset();
      if (!depths) return;
      for (const [queue, depth] of depths) this.set({ queue }, depth);
    },
  });
  return {
    observeRun: (job, seconds) => duration.observe({ queue: job }, seconds),
    countFailure: (job, final) => failures.inc({ queue: job, final: final ? 'true' : 'false' }),
  };
}

/** The value, or undefined when it fails or takes longer than `ms`. */
async function withTimeout<T>(pending: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([pending.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
