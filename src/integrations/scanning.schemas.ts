import { z } from '../lib/zod.js';
import { clientReferenceSchema, externalIdSchema } from './common.schemas.js';

const jobStatusSchema = z.enum(['queued', 'processing', 'completed', 'failed']);
const centimetres = z.number().min(20).max(250);
const kilograms = z.number().min(0).max(300);

/** Answer of the asynchronous endpoints: the job to poll (or to await on the webhook). */
export const processingJobSchema = z.object({
  jobId: externalIdSchema,
  status: jobStatusSchema,
});
export type ProcessingJob = z.infer<typeof processingJobSchema>;

/** POST /scans/process body: one InBody measurement. */
export const processScanRequestSchema = z.object({
  clientReference: clientReferenceSchema,
  scan: z.object({
    device: z.literal('inbody'),
    measuredAt: z.iso.datetime({ offset: true }),
    heightCm: z.number().min(100).max(250),
    weightKg: z.number().min(20).max(300),
    bodyFatPercent: z.number().min(2).max(70),
    skeletalMuscleMassKg: kilograms,
    bodyWaterKg: kilograms.optional(),
    visceralFatLevel: z.number().int().min(1).max(30).optional(),
    segmentalLeanMassKg: z
      .object({
        leftArm: kilograms,
        rightArm: kilograms,
        trunk: kilograms,
        leftLeg: kilograms,
        rightLeg: kilograms,
      })
      .optional(),
  }),
  callbackUrl: z.url({ protocol: /^https$/ }).optional(),
});
export type ProcessScanRequest = z.input<typeof processScanRequestSchema>;

/** POST /avatars/generate body: measurements (or a processed scan) to build a 3D avatar from. */
export const generateAvatarRequestSchema = z.object({
  clientReference: clientReferenceSchema,
  scanJobId: externalIdSchema.optional(),
  measurements: z.object({
    heightCm: z.number().min(100).max(250),
    weightKg: z.number().min(20).max(300),
    bodyFatPercent: z.number().min(2).max(70).optional(),
    chestCm: centimetres.optional(),
    waistCm: centimetres.optional(),
    hipsCm: centimetres.optional(),
  }),
  format: z.enum(['glb', 'usdz']).default('glb'),
  callbackUrl: z.url({ protocol: /^https$/ }).optional(),
});
export type GenerateAvatarRequest = z.input<typeof generateAvatarRequestSchema>;

/** GET /processing/status query. */
export const processingStatusQuerySchema = z.object({ jobId: externalIdSchema });
export type ProcessingStatusQuery = z.input<typeof processingStatusQuerySchema>;

/**
 * GET /processing/status answer (and the webhook's job fields): progress, and the result once
 * completed. The model's address must be https; `allowHttpModelUrl` is for a service that is
 * itself reached over plain http (a loopback stub, a development instance), see
 * `scanningAllowsHttp`.
 */
export const processingStatusSchemaFor = (allowHttpModelUrl: boolean) =>
  z.object({
    jobId: externalIdSchema,
    status: jobStatusSchema,
    progress: z.number().min(0).max(1),
    result: z
      .object({
        avatarUrl: z
          .url({ protocol: allowHttpModelUrl ? /^https?$/ : /^https$/ })
          .nullable()
          .default(null),
        metrics: z.record(z.string().min(1).max(64), z.number()).default({}),
      })
      .nullable()
      .default(null),
    error: z.string().max(1_000).nullable().default(null),
  });
export const processingStatusSchema = processingStatusSchemaFor(false);
export type ProcessingStatus = z.infer<typeof processingStatusSchema>;

/**
 * Whether the service may hand out plain-http model addresses: only when its own base URL is
 * http, which production configurations never are (a https service must answer https URLs).
 */
export const scanningAllowsHttp = (baseUrl: URL) => baseUrl.protocol === 'http:';
