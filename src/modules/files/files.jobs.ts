import { jobType, type JobRunner } from '../../jobs/index.js';
import type { Logger } from '../../lib/logger.js';
import { z } from '../../lib/zod.js';
import type { FilesService } from './files.service.js';

/** Removes uploads nothing references after a day, and objects noted for deletion. */
export const cleanUpFiles = jobType('files.clean-up', z.object({}));

const CLEANUP_INTERVAL_SECONDS = 900;

/**
 * Every 15 minutes. A failed run is not retried: whatever it left (rows, notes) is found again
 * by the next one, as the notes outlive any crash.
 */
export function registerFilesJobs(
  runner: JobRunner,
  deps: { files: FilesService; logger: Logger },
): void {
  runner.defineJob(
    cleanUpFiles,
    async (_data, job) => {
      const result = await deps.files.cleanUp(new Date(), () => job.signal.aborted);
      if (result.expired > 0 || result.objectsDeleted > 0) {
        deps.logger.info(result, 'unreferenced uploads and deleted accounts’ files removed');
      }
    },
    { retryLimit: 0, expireInSeconds: 600 },
  );
  runner.every(cleanUpFiles, CLEANUP_INTERVAL_SECONDS);
}
