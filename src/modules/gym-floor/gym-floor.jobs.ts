import { jobType, type JobRunner } from '../../jobs/index.js';
import type { Logger } from '../../lib/logger.js';
import { z } from '../../lib/zod.js';
import type { GymFloor } from './gym-floor.js';

/** Ends gym sessions left open longer than the configured time (status `expired`). */
export const expireGymSessions = jobType('gym-floor.expire-sessions', z.object({}));
/** Marks machines `offline` after the configured heartbeat silence. */
export const markSilentMachinesOffline = jobType('gym-floor.mark-machines-offline', z.object({}));
/** Releases links with no activity for the configured time. */
export const releaseIdleLinks = jobType('gym-floor.release-idle-links', z.object({}));

/**
 * The gym floor's sweeps. Each runs every `sweepIntervalSeconds` once across all instances; a
 * failed run is not retried, since the next sweep does the same work moments later.
 */
export function registerGymFloorJobs(
  runner: JobRunner,
  deps: { gymFloor: GymFloor; logger: Logger },
): void {
  const { settings, gymSessions, machines } = deps.gymFloor;
  const sweeps = [
    {
      type: expireGymSessions,
      run: () => gymSessions.expireAbandoned(settings.gymSessionExpireAfterSeconds),
      what: 'gym sessions expired',
    },
    {
      type: markSilentMachinesOffline,
      run: () => machines.markSilentMachinesOffline(settings.machineOfflineAfterSeconds),
      what: 'machines marked offline',
    },
    {
      type: releaseIdleLinks,
      run: () => machines.releaseIdleLinks(settings.linkIdleAfterSeconds),
      what: 'idle machine links released',
    },
  ];
  for (const sweep of sweeps) {
    runner.defineJob(
      sweep.type,
      async () => {
        const count = await sweep.run();
        if (count > 0) deps.logger.info({ count }, sweep.what);
      },
      { retryLimit: 0, expireInSeconds: Math.max(60, settings.sweepIntervalSeconds * 2) },
    );
    runner.every(sweep.type, settings.sweepIntervalSeconds);
  }
}
