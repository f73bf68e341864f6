import { pageOf } from '../../lib/http/common.schemas.js';
import { z } from '../../lib/zod.js';
import { processingStatusSchemaFor } from '../../integrations/index.js';
import { massUnits } from './scan-file.errors.js';
import { scanStatuses } from './scans.table.js';

const segmentalSchema = z.strictObject({
  leftArm: z.number().min(0).max(150),
  rightArm: z.number().min(0).max(150),
  trunk: z.number().min(0).max(300),
  leftLeg: z.number().min(0).max(150),
  rightLeg: z.number().min(0).max(150),
});

/**
 * A scan's measurement in our units, with the ranges both the 3D Scanning contract and the
 * body-composition entries accept. Height, weight, body fat and skeletal muscle are what the
 * service needs to build a model, so a file without them cannot become a scan.
 */
export const scanMeasurementSchema = z
  .strictObject({
    heightCm: z.number().min(100).max(250),
    weightKg: z.number().min(20).max(300),
    bodyFatPercentage: z.number().min(2).max(70),
    skeletalMuscleMassKg: z.number().min(5).max(150),
    bodyFatMassKg: z.number().min(0).max(300).optional(),
    leanBodyMassKg: z.number().min(10).max(300).optional(),
    totalBodyWaterKg: z.number().min(5).max(200).optional(),
    visceralFatLevel: z.number().min(1).max(59).optional(),
    basalMetabolicRateKcal: z.number().min(500).max(5000).optional(),
    bmi: z.number().min(8).max(100).optional(),
    segmentalLeanMassKg: segmentalSchema.optional(),
  })
  .openapi('ScanMeasurement');

/** The JSON document `POST /api/upload/scan-data` takes instead of an InBody CSV. */
export const scanJsonDocumentSchema = z
  .strictObject({
    measuredAt: z.iso.datetime({ offset: true }).openapi({
      description: 'When the measurement was taken, with its offset',
    }),
    heightCm: z.number().optional().openapi({
      description: 'Omitted: the profile’s height is used (a 422 when that is unset too)',
    }),
    weightKg: z.number(),
    bodyFatPercentage: z.number(),
    skeletalMuscleMassKg: z.number(),
    bodyFatMassKg: z.number().optional(),
    leanBodyMassKg: z.number().optional(),
    totalBodyWaterKg: z.number().optional(),
    visceralFatLevel: z.number().optional(),
    basalMetabolicRateKcal: z.number().optional(),
    bmi: z.number().optional(),
    segmentalLeanMassKg: z
      .strictObject({
        leftArm: z.number(),
        rightArm: z.number(),
        trunk: z.number(),
        leftLeg: z.number(),
        rightLeg: z.number(),
      })
      .optional(),
  })
  .openapi('ScanJsonDocument', {
    description:
      'Metric units (kg, cm, %, kcal). Ranges: height 100–250 cm, weight 20–300 kg, body fat ' +
      '2–70 %, skeletal muscle 5–150 kg; values outside them are a 422 naming the field.',
    example: {
      measuredAt: '2026-03-01T08:30:00+01:00',
      heightCm: 178,
      weightKg: 81.4,
      bodyFatPercentage: 18.2,
      skeletalMuscleMassKg: 37.9,
      bodyFatMassKg: 14.8,
      visceralFatLevel: 7,
    },
  });

/** The multipart form of the upload (documentation; multer reads it). */
export const scanUploadFormSchema = z
  .object({
    file: z.string().openapi({
      type: 'string',
      format: 'binary',
      description: 'An InBody CSV export (InBody app / LookinBody) or a JSON document',
    }),
    unit: z
      .enum(massUnits)
      .optional()
      .openapi({
        description:
          'Unit of CSV mass columns whose header names none (Lookin’Body 120 exports); default ' +
          'kg. A unit in the header, `Weight(lb)`, always wins.',
      }),
  })
  .openapi('ScanUpload');

export const scanAcceptedSchema = z
  .object({
    scanId: z.uuid(),
    status: z.literal('processing'),
  })
  .openapi('ScanAccepted', {
    example: { scanId: '0f8a7c3e-4b61-4f5e-9d0a-2b7c1e6f9a10', status: 'processing' },
  });

export const scanSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(scanStatuses),
    /** 0–1 as the service reports it; 1 once completed. */
    progress: z.number().min(0).max(1),
    measuredAt: z.iso.datetime(),
    metrics: scanMeasurementSchema,
    /** Figures the service derived from the scan (e.g. `waistCm`), once processed. */
    serviceMetrics: z.record(z.string(), z.number()),
    avatarUrl: z.string().nullable().openapi({
      description: 'The stored 3D model (`/api/files/{id}`, glTF binary) once completed',
      example: '/api/files/6d0e1f2a-3b4c-4d5e-8f90-a1b2c3d4e5f6',
    }),
    bodyCompositionId: z.uuid().nullable(),
    failureReason: z.string().nullable(),
    createdAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable().openapi({
      description: 'When processing ended (completed or failed); null while processing',
    }),
  })
  .openapi('Scan', {
    example: {
      id: '0f8a7c3e-4b61-4f5e-9d0a-2b7c1e6f9a10',
      status: 'completed',
      progress: 1,
      measuredAt: '2026-03-01T07:30:00.000Z',
      metrics: {
        heightCm: 178,
        weightKg: 81.4,
        bodyFatPercentage: 18.2,
        skeletalMuscleMassKg: 37.9,
        bodyFatMassKg: 14.8,
      },
      serviceMetrics: { waistCm: 84.2 },
      avatarUrl: '/api/files/6d0e1f2a-3b4c-4d5e-8f90-a1b2c3d4e5f6',
      bodyCompositionId: '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d',
      failureReason: null,
      createdAt: '2026-03-01T08:31:02.120Z',
      completedAt: '2026-03-01T08:33:40.512Z',
    },
  });
export type ScanView = z.infer<typeof scanSchema>;

export const scanPage = pageOf(scanSchema, 'Scan');

/** The webhook's event: the job's status fields, plus the event's own id (for replays). */
export const scanningWebhookEventSchemaFor = (allowHttpModelUrl: boolean) =>
  processingStatusSchemaFor(allowHttpModelUrl).extend({
    eventId: z.string().min(1).max(128),
    occurredAt: z.iso.datetime({ offset: true }).optional(),
  });
export type ScanningWebhookEvent = z.infer<ReturnType<typeof scanningWebhookEventSchemaFor>>;

/** The webhook body as documented (https model URLs). */
export const scanningWebhookEventSchema = scanningWebhookEventSchemaFor(false).openapi(
  'ScanningWebhookEvent',
  {
    example: {
      eventId: 'evt_01HZX3',
      jobId: 'job_78',
      status: 'completed',
      progress: 1,
      result: {
        avatarUrl: 'https://cdn.3d-scanning.com/avatars/job_78.glb',
        metrics: { waistCm: 84.2 },
      },
      error: null,
      occurredAt: '2026-03-01T08:33:21Z',
    },
  },
);

export const webhookAcknowledgedSchema = z
  .object({ received: z.literal(true) })
  .openapi('WebhookAcknowledged', { example: { received: true } });
