import type { Database } from '../../db/database.js';
import { mapPage, type PageRequest } from '../../db/keyset-page.js';
import { inUnitOfWork } from '../../db/unit-of-work.js';
import { AppError, notFound, type FieldError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { isBeyondClockSkew } from '../../lib/time/clock-skew.js';
import type { FilesService } from '../files/index.js';
import {
  createBodyCompositionBody,
  type BodyCompositionEntry,
  type BodyCompositionSource,
  type CreateBodyCompositionBody,
} from '../users/index.js';
import { instantOf } from '../workout-logs/index.js';
import { readScanFile, type ScanReading } from './scan-file.reader.js';
import { unusableScan } from './scan-file.errors.js';
import type { ScanUploadInput } from './scan-upload.middleware.js';
import type { ScanProcessing } from './scan-processing.js';
import { webhookSignatureProblem } from './scanning-webhook.signature.js';
import { presentScan } from './scans.presenter.js';
import { scansRepository as repo } from './scans.repository.js';
import { scanMeasurementSchema, scanningWebhookEventSchemaFor } from './scans.schemas.js';
import type { ScanMeasurement } from './scans.table.js';

/** Records body-composition entries in the caller's transaction (the users module does). */
export interface BodyCompositionRecorder {
  recordBodyComposition(
    tx: Database,
    userId: string,
    body: CreateBodyCompositionBody,
    source: BodyCompositionSource,
  ): Promise<BodyCompositionEntry>;
}

/** What the scans need to know about a member: their zone, their profile's height. */
export interface ScanMemberFacts {
  timezoneOf(userId: string): Promise<string>;
  heightCmOf(userId: string): Promise<number | null>;
}

export interface ScansServiceDeps {
  db: Database;
  logger: Logger;
  files: FilesService;
  bodyComposition: BodyCompositionRecorder;
  members: ScanMemberFacts;
  processing: ScanProcessing;
  webhookSecret: string | undefined;
  /** http model URLs in callbacks only from a scanning service reached over http. */
  allowHttpModelUrl: boolean;
  now?: () => number;
}

/** The webhook's headers, as the route hands them over. */
export interface WebhookHeaders {
  timestamp: string | undefined;
  signature: string | undefined;
}

const invalidSignature = (detail: string) =>
  new AppError(401, 'INVALID_SIGNATURE', 'Invalid signature', `${detail}.`);

/** Members' body scans: upload, listing, and the service's callbacks. */
export class ScansService {
  private readonly now: () => number;

  constructor(private readonly deps: ScansServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Reads the upload, stores the raw file, and in one transaction records the body-composition
   * entry (source `inbody`) and the scan, which the dispatcher then sends to the service.
   */
  async upload(
    userId: string,
    upload: ScanUploadInput,
  ): Promise<{ scanId: string; status: 'processing' }> {
    const reading = await readScanFile(upload.bytes, upload.unit);
    const measuredAt = await this.instantOf(userId, reading);
    const measurement = await this.measurementOf(userId, reading, measuredAt);
    const entry = this.bodyCompositionOf(reading, measurement, measuredAt);
    const stored = await this.deps.files.save(userId, {
      purpose: 'scan-data',
      bytes: upload.bytes,
      contentType: reading.contentType,
    });
    const scan = await inUnitOfWork(this.deps.db, this.deps.logger, async ({ tx }) => {
      const recorded = await this.deps.bodyComposition.recordBodyComposition(
        tx,
        userId,
        entry,
        'inbody',
      );
      await this.deps.files.markReferenced(tx, userId, [stored.id]);
      return repo.insert(tx, {
        userId,
        format: reading.format,
        measuredAt,
        measurement,
        dataFileId: stored.id,
        bodyCompositionId: recorded.id,
        nextStepAt: new Date(this.now()),
      });
    });
    this.deps.logger.info({ scanId: scan.id, format: reading.format }, 'scan uploaded');
    return { scanId: scan.id, status: 'processing' };
  }

  async list(userId: string, page: PageRequest) {
    return mapPage(await repo.listOwned(this.deps.db, userId, page), presentScan);
  }

  /** The caller's scan; anyone else's is a 404 like a missing one. */
  async get(userId: string, id: string) {
    const scan = await repo.findOwned(this.deps.db, userId, id);
    if (!scan) throw notFound('Scan');
    return presentScan(scan);
  }

  /**
   * A signed callback of the 3D Scanning service. Verified over the raw bytes before anything
   * is parsed; applied under the scan's row lock with its event id, so a replay changes nothing
   * and an older status never overwrites a newer one. An unknown job is acknowledged and ignored.
   */
  async receiveWebhook(rawBody: Buffer, headers: WebhookHeaders): Promise<void> {
    const problem = webhookSignatureProblem({
      secret: this.deps.webhookSecret,
      ...headers,
      rawBody,
      nowMs: this.now(),
    });
    if (problem) throw invalidSignature(problem);
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new AppError(400, 'MALFORMED_JSON', 'Malformed JSON', 'The body is not valid JSON.');
    }
    const parsed = scanningWebhookEventSchemaFor(this.deps.allowHttpModelUrl).safeParse(json);
    if (!parsed.success) {
      const paths = parsed.error.issues.map((issue) => ({
        path: ['body', ...issue.path.map(String)].join('.'),
        message: issue.message,
      }));
      throw new AppError(400, 'VALIDATION_ERROR', 'Invalid request', 'The event is invalid.', {
        errors: paths.slice(0, 20),
      });
    }
    const event = parsed.data;
    const outcome = await inUnitOfWork(this.deps.db, this.deps.logger, async (uow) => {
      const scan = await repo.findByJobForUpdate(uow.tx, event.jobId);
      if (!scan) return 'unknown job';
      if (!(await repo.recordEvent(uow.tx, event.eventId, scan.id))) return 'replayed';
      await this.deps.processing.applyJobUpdate(uow, scan, event);
      return 'applied';
    });
    this.deps.logger.info(
      { eventId: event.eventId, jobId: event.jobId, status: event.status, outcome },
      'scanning webhook received',
    );
  }

  private async instantOf(userId: string, reading: ScanReading): Promise<Date> {
    const at = reading.measuredAt;
    const instant =
      at instanceof Date ? at : instantOf(at, await this.deps.members.timezoneOf(userId));
    const problems: FieldError[] = [];
    const where = reading.locations.measuredAt ?? 'file';
    if (isBeyondClockSkew(instant, this.now()))
      problems.push({ path: where, message: 'is in the future' });
    if (instant.getUTCFullYear() < 1990) problems.push({ path: where, message: 'is before 1990' });
    if (problems.length > 0)
      throw unusableScan('The measurement’s time cannot be right.', problems);
    return instant;
  }

  private async measurementOf(
    userId: string,
    reading: ScanReading,
    measuredAt: Date,
  ): Promise<ScanMeasurement> {
    const values: Record<string, unknown> = { ...reading.values };
    const locations = { ...reading.locations };
    if (values.heightCm === undefined) {
      values.heightCm = (await this.deps.members.heightCmOf(userId)) ?? undefined;
      locations.heightCm = 'profile.demographics.heightCm';
    }
    // Body fat mass and weight give the percentage when the file leaves it out.
    if (
      values.bodyFatPercentage === undefined &&
      typeof values.bodyFatMassKg === 'number' &&
      typeof values.weightKg === 'number' &&
      values.weightKg > 0
    ) {
      values.bodyFatPercentage = Math.round((values.bodyFatMassKg / values.weightKg) * 1000) / 10;
      locations.bodyFatPercentage = locations.bodyFatMassKg ?? 'file';
    }
    // Segments come whole or not at all (a device without segmental analysis leaves them out).
    const segments = values.segmentalLeanMassKg as Record<string, number> | undefined;
    if (segments && Object.keys(segments).length < 5) delete values.segmentalLeanMassKg;
    const parsed = scanMeasurementSchema.safeParse(values);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((issue) => {
        const field = issue.path.map(String).join('.');
        const location = locations[field] ?? locations[String(issue.path[0])] ?? `file.${field}`;
        const missing = issue.code === 'invalid_type' && issue.input === undefined;
        return {
          path: location,
          message: missing
            ? field === 'heightCm'
              ? 'is needed: give it in the file or set your profile’s height'
              : `${field} is needed for a scan`
            : `${field} ${issue.message}`,
        };
      });
      this.deps.logger.debug({ measuredAt: measuredAt.toISOString() }, 'scan measurement refused');
      throw unusableScan('The measurement is incomplete or out of range.', errors.slice(0, 20));
    }
    return parsed.data;
  }

  private bodyCompositionOf(
    reading: ScanReading,
    m: ScanMeasurement,
    measuredAt: Date,
  ): CreateBodyCompositionBody {
    const parsed = createBodyCompositionBody.safeParse({
      measuredAt: measuredAt.toISOString(),
      weightKg: m.weightKg,
      bodyFatPercentage: m.bodyFatPercentage,
      skeletalMuscleMassKg: m.skeletalMuscleMassKg,
      bodyFatMassKg: m.bodyFatMassKg,
      leanBodyMassKg: m.leanBodyMassKg,
      totalBodyWaterKg: m.totalBodyWaterKg,
      visceralFatLevel: m.visceralFatLevel,
      basalMetabolicRateKcal: m.basalMetabolicRateKcal,
      bmi: m.bmi,
      notes: reading.format === 'json' ? 'Body scan (JSON upload)' : 'InBody scan',
    });
    if (!parsed.success) {
      throw unusableScan(
        'The measurement is out of the ranges a body-composition entry takes.',
        parsed.error.issues.slice(0, 20).map((issue) => ({
          path: reading.locations[String(issue.path[0])] ?? 'file',
          message: `${issue.path.map(String).join('.')} ${issue.message}`,
        })),
      );
    }
    return parsed.data;
  }
}
