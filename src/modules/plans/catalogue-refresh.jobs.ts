// Types only: jobs/index loads every feature's jobs, so a value import from here would be a cycle.
import type { JobRunner, JobType } from '../../jobs/index.js';
import type { Logger } from '../../lib/logger.js';

/**
 * Registers a catalogue copy (exercise library, food database) to run on a daily cron; a failed
 * copy is retried with backoff, as the provider's night may be as busy as ours is quiet.
 */
export function scheduleCatalogueRefresh(
  runner: JobRunner,
  job: JobType,
  options: {
    /** UTC cron expression. */
    cron: string;
    /** Copies the catalogue; resolves with how many entries were copied. */
    refresh(): Promise<number>;
    logger: Logger;
    /** What the log line says when done, e.g. "exercise library refreshed". */
    refreshed: string;
  },
): void {
  runner.defineJob(
    job,
    async () => {
      const copied = await options.refresh();
      options.logger.info({ copied }, options.refreshed);
    },
    { retryLimit: 3, retryDelaySeconds: 60, retryBackoff: true },
  );
  runner.cron(job, options.cron);
}
