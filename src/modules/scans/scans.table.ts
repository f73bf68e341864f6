import { sql } from 'drizzle-orm';
import {
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { files } from '../files/files.table.js';
import { bodyCompositionEntries } from '../users/body-composition.table.js';
import { users } from '../users/users.table.js';

/** What the member sees: a scan is processing until the 3D model is stored or it failed. */
export const scanStatuses = ['processing', 'completed', 'failed'] as const;
export type ScanStatus = (typeof scanStatuses)[number];

/**
 * Where a processing scan is in our flow with the 3D Scanning service:
 * `submit-scan` (waiting for its turn in the quota) → `scan` (the service processes it) →
 * `submit-avatar` → `avatar` (the service builds the model; skipped when the processed scan
 * already carries one) → `store-model` (copying the model into our storage) → `done`.
 */
export const scanStages = [
  'submit-scan',
  'scan',
  'submit-avatar',
  'avatar',
  'store-model',
  'done',
] as const;
export type ScanStage = (typeof scanStages)[number];

/** A service job's state; it only ever moves forward in this order (terminal last). */
export const serviceJobStatuses = ['queued', 'processing', 'completed', 'failed'] as const;
export type ServiceJobStatus = (typeof serviceJobStatuses)[number];

/** The measurement a scan was made from, in our units (the upload's, converted). */
export interface ScanMeasurement {
  heightCm: number;
  weightKg: number;
  bodyFatPercentage: number;
  skeletalMuscleMassKg: number;
  bodyFatMassKg?: number;
  leanBodyMassKg?: number;
  totalBodyWaterKg?: number;
  visceralFatLevel?: number;
  basalMetabolicRateKcal?: number;
  bmi?: number;
  segmentalLeanMassKg?: {
    leftArm: number;
    rightArm: number;
    trunk: number;
    leftLeg: number;
    rightLeg: number;
  };
}

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * One body scan: the uploaded InBody measurement, its way through the 3D Scanning service and
 * the model that came back. The row is also the work queue of that flow: `next_step_at` says
 * when the dispatcher should next move it on (submit, poll, download), `claimed_until` keeps two
 * workers from moving the same scan at once.
 */
export const scans = pgTable(
  'scans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: text('status', { enum: scanStatuses }).notNull().default('processing'),
    stage: text('stage', { enum: scanStages }).notNull().default('submit-scan'),
    /** `inbody-csv` or `json`: which reader took the upload. */
    format: text('format', { enum: ['inbody-csv', 'json'] }).notNull(),
    measuredAt: at('measured_at').notNull(),
    measurement: jsonb('measurement').$type<ScanMeasurement>().notNull(),
    /** Extra figures the service computed (waist, hips …), once it did. */
    serviceMetrics: jsonb('service_metrics').$type<Record<string, number>>().notNull().default({}),
    progress: doublePrecision('progress').notNull().default(0),
    scanJobId: text('scan_job_id'),
    scanJobStatus: text('scan_job_status', { enum: serviceJobStatuses }),
    avatarJobId: text('avatar_job_id'),
    avatarJobStatus: text('avatar_job_status', { enum: serviceJobStatuses }),
    /** The service's download address of the model; never shown to members. */
    modelSourceUrl: text('model_source_url'),
    dataFileId: uuid('data_file_id').references(() => files.id, { onDelete: 'set null' }),
    modelFileId: uuid('model_file_id').references(() => files.id, { onDelete: 'set null' }),
    /** The body-composition entry the upload made (null once the member deleted it). */
    bodyCompositionId: uuid('body_composition_id').references(() => bodyCompositionEntries.id, {
      onDelete: 'set null',
    }),
    /** Why it failed, in words a member can read; null unless failed. */
    failureReason: text('failure_reason'),
    nextStepAt: at('next_step_at'),
    claimedUntil: at('claimed_until'),
    /** Status polls of the current service job, for the backoff and its limit. */
    pollCount: integer('poll_count').notNull().default(0),
    /** Calls in a row the service could not take (down, breaker open), for the backoff. */
    transientFailures: integer('transient_failures').notNull().default(0),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
    finishedAt: at('finished_at'),
  },
  (t) => [
    index('scans_user_created_idx').on(t.userId, t.createdAt.desc(), t.id.desc()),
    index('scans_due_idx')
      .on(t.nextStepAt)
      .where(sql`${t.nextStepAt} is not null`),
    uniqueIndex('scans_scan_job_idx').on(t.scanJobId),
    uniqueIndex('scans_avatar_job_idx').on(t.avatarJobId),
    check('scans_progress_check', sql`${t.progress} >= 0 and ${t.progress} <= 1`),
  ],
);

export type ScanRow = typeof scans.$inferSelect;
export type NewScanRow = typeof scans.$inferInsert;

/**
 * Webhook events already applied, by the service's event id: a replayed callback finds its id
 * here and changes nothing. They go with their scan.
 */
export const scanWebhookEvents = pgTable('scan_webhook_events', {
  eventId: text('event_id').primaryKey(),
  scanId: uuid('scan_id')
    .notNull()
    .references(() => scans.id, { onDelete: 'cascade' }),
  receivedAt: at('received_at').notNull().defaultNow(),
});
