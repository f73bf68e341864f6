import type { Database } from '../../db/database.js';
import { inUnitOfWork, type UnitOfWork } from '../../db/unit-of-work.js';
import { AppError, describeErrorForLog } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import {
  IntegrationError,
  type GenerateAvatarRequest,
  type ProcessScanRequest,
  type ProcessingJob,
  type ProcessingStatus,
  type ScanningClient,
} from '../../integrations/index.js';
import type { FilesService } from '../files/index.js';
import type { Notifier } from '../notifications/index.js';
import {
  MODEL_CONTENT_TYPE,
  ModelDownloadError,
  downloadModel,
  type ModelDownloadSettings,
} from './scan-model.download.js';
import { scansRepository as repo } from './scans.repository.js';
import {
  serviceJobStatuses,
  type NewScanRow,
  type ScanRow,
  type ScanStage,
  type ServiceJobStatus,
} from './scans.table.js';

/** The first status poll of a service job waits this long; each next one twice as long. */
export const FIRST_POLL_DELAY_SECONDS = 30;
/** The longest wait between two polls. */
export const MAX_POLL_DELAY_SECONDS = 15 * 60;
/** Polls of one service job before the scan fails as timed out (about two hours in all). */
export const MAX_POLLS = 12;
/** Calls in a row the service could not take before the scan fails (about 1.5 hours). */
export const MAX_TRANSIENT_FAILURES = 10;
/** How long a dispatched step may hold its scan before another worker may take it over. */
export const CLAIM_SECONDS = 300;
const CLAIM_BATCH = 20;

/** The job fields of a status answer or a webhook event. */
export type JobUpdate = Pick<
  ProcessingStatus,
  'jobId' | 'status' | 'progress' | 'result' | 'error'
>;

export interface ScanProcessingDeps {
  db: Database;
  logger: Logger;
  scanning: ScanningClient;
  files: FilesService;
  notifier: Notifier;
  download: ModelDownloadSettings;
  /** Where the service should send its callbacks (https only), when webhooks are configured. */
  callbackUrl?: string;
  now?: () => number;
}

const rank = (status: ServiceJobStatus | null) =>
  status === null ? -1 : Math.min(serviceJobStatuses.indexOf(status), 2);

/** Overall progress: the scan job is the first half, the avatar the next 40 %, storing the rest. */
const progressOf = (kind: 'scan' | 'avatar', jobProgress: number) =>
  kind === 'scan' ? jobProgress * 0.5 : 0.5 + jobProgress * 0.4;

/**
 * Moves scans through the 3D Scanning service, one step per call: submit the scan, poll it,
 * submit the avatar, poll it, copy the model into our storage. Webhooks and polls feed the same
 * `applyJobUpdate`, under the scan's row lock, so whichever comes first wins and the other
 * changes nothing. Transient trouble (service down, breaker open, quota spent) reschedules the
 * step; answers that cannot get better fail the scan. Finishing either way tells the member.
 */
export class ScanProcessing {
  private readonly now: () => number;

  constructor(private readonly deps: ScanProcessingDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Claims due scans and hands each to `send` (a job); a scan not sent is released at once. */
  async dispatchDue(send: (scanId: string) => Promise<void>): Promise<number> {
    const now = new Date(this.now());
    const ids = await repo.claimDue(
      this.deps.db,
      now,
      new Date(now.getTime() + CLAIM_SECONDS * 1000),
      CLAIM_BATCH,
    );
    for (const id of ids) {
      try {
        await send(id);
      } catch (error) {
        this.deps.logger.warn(
          { scanId: id, error: describeErrorForLog(error) },
          'scan step not queued',
        );
        await repo.update(this.deps.db, id, { claimedUntil: null });
      }
    }
    return ids.length;
  }

  /** Does the scan's next step; never throws for the service's or the model host's failures. */
  async advance(scanId: string): Promise<void> {
    const scan = await repo.find(this.deps.db, scanId);
    if (!scan) return;
    if (scan.status !== 'processing') {
      await repo.update(this.deps.db, scan.id, { claimedUntil: null, nextStepAt: null });
      return;
    }
    try {
      await this.step(scan);
    } catch (error) {
      await this.handleFailure(scan, error);
    }
  }

  /** Applies a status (webhook or poll) to the scan it belongs to, inside `uow`; never backwards. */
  async applyJobUpdate(uow: UnitOfWork, scan: ScanRow, update: JobUpdate): Promise<void> {
    const kind = scan.scanJobId === update.jobId ? 'scan' : 'avatar';
    const current = kind === 'scan' ? scan.scanJobStatus : scan.avatarJobStatus;
    const expectedStage: ScanStage = kind;
    const forward = rank(update.status) > rank(current);
    const moreProgress =
      rank(update.status) === rank(current) && progressOf(kind, update.progress) > scan.progress;
    if (
      scan.status !== 'processing' ||
      scan.stage !== expectedStage ||
      !(forward || moreProgress)
    ) {
      return;
    }
    const statusField = kind === 'scan' ? 'scanJobStatus' : 'avatarJobStatus';
    const progress = Math.max(scan.progress, progressOf(kind, update.progress));
    if (update.status === 'failed') {
      await this.fail(uow, scan, this.serviceFailure(update.jobId), { [statusField]: 'failed' });
      return;
    }
    if (update.status !== 'completed') {
      await repo.update(uow.tx, scan.id, { [statusField]: update.status, progress });
      return;
    }
    const serviceMetrics = { ...scan.serviceMetrics, ...update.result?.metrics };
    const modelUrl = update.result?.avatarUrl ?? null;
    if (kind === 'avatar' && !modelUrl) {
      await this.fail(uow, scan, 'the 3D Scanning service finished without a model', {
        avatarJobStatus: 'completed',
      });
      return;
    }
    await repo.update(uow.tx, scan.id, {
      [statusField]: 'completed',
      serviceMetrics,
      progress: modelUrl ? 0.9 : 0.5,
      // A processed scan that already carries a model needs no avatar job.
      stage: modelUrl ? 'store-model' : 'submit-avatar',
      modelSourceUrl: modelUrl,
      pollCount: 0,
      transientFailures: 0,
      nextStepAt: new Date(this.now()),
    });
  }

  private async step(scan: ScanRow): Promise<void> {
    switch (scan.stage) {
      case 'submit-scan':
        return this.submit(scan, 'scan', () =>
          this.deps.scanning.processScan(this.scanRequest(scan)),
        );
      case 'submit-avatar':
        return this.submit(scan, 'avatar', () =>
          this.deps.scanning.generateAvatar(this.avatarRequest(scan)),
        );
      case 'scan':
      case 'avatar':
        return this.poll(scan);
      case 'store-model':
        return this.storeModel(scan);
      default:
        await repo.update(this.deps.db, scan.id, { claimedUntil: null, nextStepAt: null });
    }
  }

  private async submit(
    scan: ScanRow,
    kind: 'scan' | 'avatar',
    call: () => Promise<ProcessingJob>,
  ): Promise<void> {
    const job = await call();
    // A job answered as finished at once still needs its result: the first poll fetches it.
    const status: ServiceJobStatus = job.status === 'queued' ? 'queued' : 'processing';
    const finished = job.status === 'completed' || job.status === 'failed';
    await this.settle(scan, {
      ...(kind === 'scan'
        ? { scanJobId: job.jobId, scanJobStatus: status, stage: 'scan' as const }
        : { avatarJobId: job.jobId, avatarJobStatus: status, stage: 'avatar' as const }),
      pollCount: 0,
      transientFailures: 0,
      nextStepAt: this.after(finished ? 0 : FIRST_POLL_DELAY_SECONDS),
    });
  }

  private async poll(scan: ScanRow): Promise<void> {
    const jobId = scan.stage === 'scan' ? scan.scanJobId : scan.avatarJobId;
    if (!jobId) throw new Error(`scan ${scan.id} is at ${scan.stage} without its job id`);
    const status = await this.deps.scanning.getProcessingStatus({ jobId });
    await inUnitOfWork(this.deps.db, this.deps.logger, async (uow) => {
      const locked = await repo.findForUpdate(uow.tx, scan.id);
      if (!locked) return;
      if (locked.status === 'processing' && locked.stage === scan.stage) {
        await this.applyJobUpdate(uow, locked, status);
      }
      // Re-read: the answer (or a webhook before it) may have moved the scan on.
      const after = await repo.findForUpdate(uow.tx, scan.id);
      if (!after || after.stage !== scan.stage || after.status !== 'processing') {
        if (after) await repo.update(uow.tx, scan.id, { claimedUntil: null });
        return;
      }
      const polls = after.pollCount + 1;
      if (polls >= MAX_POLLS) {
        await this.fail(uow, after, 'the 3D Scanning service did not finish in time');
        return;
      }
      const delay = Math.min(FIRST_POLL_DELAY_SECONDS * 2 ** polls, MAX_POLL_DELAY_SECONDS);
      await repo.update(uow.tx, scan.id, {
        pollCount: polls,
        transientFailures: 0,
        nextStepAt: this.after(delay),
        claimedUntil: null,
      });
    });
  }

  private async storeModel(scan: ScanRow): Promise<void> {
    if (!scan.modelSourceUrl) throw new Error(`scan ${scan.id} has no model to store`);
    const bytes = await downloadModel(scan.modelSourceUrl, this.deps.download);
    const file = await this.deps.files.save(scan.userId, {
      purpose: 'scan-model',
      bytes,
      contentType: MODEL_CONTENT_TYPE,
      referenced: true,
    });
    await inUnitOfWork(this.deps.db, this.deps.logger, async (uow) => {
      const locked = await repo.findForUpdate(uow.tx, scan.id);
      if (locked?.status !== 'processing' || locked.stage !== 'store-model') return;
      await repo.update(uow.tx, scan.id, {
        modelFileId: file.id,
        status: 'completed',
        stage: 'done',
        progress: 1,
        finishedAt: new Date(this.now()),
        nextStepAt: null,
        claimedUntil: null,
      });
      await this.notifyFinished(uow, locked, 'completed');
    });
    this.deps.logger.info({ scanId: scan.id, bytes: bytes.length }, 'scan model stored');
  }

  /** Ends the scan as failed (in `uow`) and tells the member. */
  private async fail(
    uow: UnitOfWork,
    scan: ScanRow,
    reason: string,
    changes: Partial<NewScanRow> = {},
  ): Promise<void> {
    await repo.update(uow.tx, scan.id, {
      ...changes,
      status: 'failed',
      stage: 'done',
      failureReason: reason,
      finishedAt: new Date(this.now()),
      nextStepAt: null,
      claimedUntil: null,
    });
    this.deps.logger.warn({ scanId: scan.id, reason }, 'scan failed');
    await this.notifyFinished(uow, scan, 'failed');
  }

  private notifyFinished(uow: UnitOfWork, scan: ScanRow, status: 'completed' | 'failed') {
    const day = scan.measuredAt.toISOString().slice(0, 10);
    return this.deps.notifier.notify(
      {
        userId: scan.userId,
        kind: 'scan-finished',
        title: status === 'completed' ? 'Your body scan is ready' : 'Your body scan failed',
        body:
          status === 'completed'
            ? `The 3D model of your scan from ${day} is ready to view.`
            : `We could not process your scan from ${day}. Please upload it again.`,
        data: { scanId: scan.id, status },
        dedupeKey: `scan-finished:${scan.id}`,
      },
      uow,
    );
  }

  /** Writes the step's outcome unless a webhook moved the scan on meanwhile. */
  private async settle(scan: ScanRow, changes: Partial<NewScanRow>): Promise<void> {
    await inUnitOfWork(this.deps.db, this.deps.logger, async (uow) => {
      const locked = await repo.findForUpdate(uow.tx, scan.id);
      if (locked?.status !== 'processing' || locked.stage !== scan.stage) {
        if (locked) await repo.update(uow.tx, scan.id, { claimedUntil: null });
        return;
      }
      await repo.update(uow.tx, scan.id, { ...changes, claimedUntil: null });
    });
  }

  private async handleFailure(scan: ScanRow, error: unknown): Promise<void> {
    const permanent =
      error instanceof ModelDownloadError
        ? !error.transient
        : error instanceof IntegrationError
          ? error.status !== 503 || error.reason === 'not_configured'
          : // Our own contract check refused the request before sending it.
            error instanceof AppError;
    if (permanent) {
      const why =
        error instanceof ModelDownloadError
          ? `the 3D model could not be stored: ${error.why}`
          : error instanceof IntegrationError && error.reason === 'not_configured'
            ? '3D scanning is not set up on this server'
            : 'the 3D Scanning service refused the scan';
      this.deps.logger.warn(
        { scanId: scan.id, stage: scan.stage, error: describeErrorForLog(error) },
        'scan step failed for good',
      );
      await inUnitOfWork(this.deps.db, this.deps.logger, async (uow) => {
        const locked = await repo.findForUpdate(uow.tx, scan.id);
        if (locked?.status === 'processing' && locked.stage === scan.stage) {
          await this.fail(uow, locked, why);
        }
      });
      return;
    }
    // Over the quota: wait for the window to turn, without counting it against the scan.
    if (error instanceof IntegrationError && error.reason === 'quota_exceeded') {
      const retryAfter = Number(error.extras.headers?.['Retry-After'] ?? FIRST_POLL_DELAY_SECONDS);
      this.deps.logger.info(
        { scanId: scan.id, retryAfter },
        'scanning quota spent; scan step deferred',
      );
      await this.settle(scan, { nextStepAt: this.after(retryAfter) });
      return;
    }
    const failures = scan.transientFailures + 1;
    this.deps.logger.warn(
      { scanId: scan.id, stage: scan.stage, failures, error: describeErrorForLog(error) },
      'scan step failed; retried later',
    );
    if (failures >= MAX_TRANSIENT_FAILURES) {
      await inUnitOfWork(this.deps.db, this.deps.logger, async (uow) => {
        const locked = await repo.findForUpdate(uow.tx, scan.id);
        if (locked?.status === 'processing' && locked.stage === scan.stage) {
          await this.fail(uow, locked, 'the 3D Scanning service was unavailable for too long');
        }
      });
      return;
    }
    const delay = Math.min(FIRST_POLL_DELAY_SECONDS * 2 ** (failures - 1), MAX_POLL_DELAY_SECONDS);
    await this.settle(scan, { transientFailures: failures, nextStepAt: this.after(delay) });
  }

  private serviceFailure(jobId: string): string {
    // The service's own words stay out of our answers and logs (external-services.md).
    this.deps.logger.info({ jobId }, 'service job failed');
    return 'the 3D Scanning service could not process the scan';
  }

  private after(seconds: number): Date {
    return new Date(this.now() + seconds * 1000);
  }

  private scanRequest(scan: ScanRow): ProcessScanRequest {
    const m = scan.measurement;
    const visceral = m.visceralFatLevel === undefined ? undefined : Math.round(m.visceralFatLevel);
    return {
      clientReference: scan.id,
      scan: {
        device: 'inbody',
        measuredAt: scan.measuredAt.toISOString(),
        heightCm: m.heightCm,
        weightKg: m.weightKg,
        bodyFatPercent: m.bodyFatPercentage,
        skeletalMuscleMassKg: m.skeletalMuscleMassKg,
        ...(m.totalBodyWaterKg !== undefined && { bodyWaterKg: m.totalBodyWaterKg }),
        // The contract takes levels 1–30; InBody's scale goes to 20, other devices' further.
        ...(visceral !== undefined &&
          visceral >= 1 &&
          visceral <= 30 && { visceralFatLevel: visceral }),
        ...(m.segmentalLeanMassKg && { segmentalLeanMassKg: m.segmentalLeanMassKg }),
      },
      ...(this.deps.callbackUrl && { callbackUrl: this.deps.callbackUrl }),
    };
  }

  private avatarRequest(scan: ScanRow): GenerateAvatarRequest {
    const m = scan.measurement;
    const girth = (name: string) => {
      const value = scan.serviceMetrics[name];
      return value !== undefined && value >= 20 && value <= 250 ? { [name]: value } : {};
    };
    return {
      clientReference: scan.id,
      ...(scan.scanJobId && { scanJobId: scan.scanJobId }),
      measurements: {
        heightCm: m.heightCm,
        weightKg: m.weightKg,
        bodyFatPercent: m.bodyFatPercentage,
        ...girth('chestCm'),
        ...girth('waistCm'),
        ...girth('hipsCm'),
      },
      format: 'glb',
      ...(this.deps.callbackUrl && { callbackUrl: this.deps.callbackUrl }),
    };
  }
}
