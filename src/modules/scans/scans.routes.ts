import type { Request, RequestHandler } from 'express';
import { idParams, pageQuery } from '../../lib/http/common.schemas.js';
import { defineRoute, type DocumentedMiddleware, type RouteGroup } from '../../lib/http/route.js';
import { z } from '../../lib/zod.js';
import { FIRST_POLL_DELAY_SECONDS, MAX_POLLS, MAX_POLL_DELAY_SECONDS } from './scan-processing.js';
import { scanUpload, type ScanUploadInput } from './scan-upload.middleware.js';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  WEBHOOK_TOLERANCE_SECONDS,
} from './scanning-webhook.signature.js';
import {
  scanAcceptedSchema,
  scanPage,
  scanSchema,
  scanningWebhookEventSchema,
  webhookAcknowledgedSchema,
} from './scans.schemas.js';
import type { ScansService } from './scans.service.js';

/** Where the service's callbacks arrive; app.ts reads this path's body raw, for the signature. */
export const SCANNING_WEBHOOK_PATH = '/api/webhooks/scanning';

const uploadDescription = (limitBytes: number) =>
  'Multipart form: `file` (one, at most ' +
  `${String(limitBytes)} bytes) and optionally \`unit\` (\`kg\` | \`lb\`).\n\n` +
  '**InBody CSV exports** from the InBody app / LookinBody Web (`Date,Measurement device.,' +
  'Weight(kg),Skeletal Muscle Mass(kg),…`) and the Lookin’Body 120 desktop (`"1. Name", … ' +
  '"14. Test Date / Time", "15. Weight", …`). Columns are found by name; units come from the ' +
  'header (`Weight(lb)`, `[kg]`), else from `unit`. A file separated by `;` uses decimal ' +
  'commas. Dates such as `20260301083012` or `2026.03.01 08:30` are wall-clock times in the ' +
  'member’s zone (branch checked in at, else profile, else UTC). An export lists every test: ' +
  'only the **newest row** becomes the scan (re-uploading a longer export later would otherwise ' +
  'repeat older tests). A file holding several people’s results is refused. Height comes from ' +
  'the file, else the profile.\n\n' +
  '**JSON**: a `ScanJsonDocument` (metric units, an instant with offset).\n\n' +
  'The measurement becomes a body-composition entry (`source: "inbody"`) in the same ' +
  'transaction as the scan, and the scan is sent to the 3D Scanning service in the background ' +
  '(follow it with `GET /api/scans/{id}`; a `scan-finished` notification tells when it ends).\n\n' +
  'Errors: no file, a second file, another part name, an unknown field or a broken form: 400; ' +
  'CSV quoting or JSON syntax broken: 400 naming the line; larger than the limit: 413; not ' +
  'multipart, or a file that is not CSV or JSON (PDF, image, Excel workbook): 415; a needed ' +
  'column or field missing, a value unreadable or out of range, a time in the future: 422 ' +
  '(`UNPROCESSABLE_SCAN`) with `errors[].path` such as `file:line 3, column "Weight(kg)"` or ' +
  '`file.weightKg`.';

/** `POST /api/upload/scan-data`. */
export function scanUploadRoutes(
  scans: ScansService,
  options: { uploadMaxBytes: number },
): RouteGroup {
  return {
    basePath: '/api/upload',
    tag: 'Scans',
    routes: [
      defineRoute({
        method: 'post',
        path: '/scan-data',
        summary: 'Upload an InBody export or a JSON measurement as a body scan',
        description: uploadDescription(options.uploadMaxBytes),
        access: 'user',
        before: [scanUpload(options.uploadMaxBytes)],
        errors: [422],
        responses: {
          202: {
            description: 'Accepted; processing in the background',
            schema: scanAcceptedSchema,
          },
        },
        handler: async ({ user, res }) => ({
          status: 202,
          body: await scans.upload(user.userId, res.locals.scanUpload as ScanUploadInput),
        }),
      }),
    ],
  };
}

/** `GET /api/scans`, `GET /api/scans/:id`. */
export function scansRoutes(scans: ScansService): RouteGroup {
  return {
    basePath: '/api/scans',
    tag: 'Scans',
    routes: [
      defineRoute({
        method: 'get',
        path: '/',
        summary: 'The member’s scans, newest first',
        access: 'user',
        query: pageQuery,
        responses: { 200: { description: 'A page of scans', schema: scanPage } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await scans.list(user.userId, query),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/:id',
        summary: 'One scan: status, metrics, and the 3D model once ready',
        description:
          '`status` is `processing` until the model is stored (`completed`, `avatarUrl` set) or ' +
          'processing failed (`failed`, `failureReason` set). Without a callback from the ' +
          `service, its status is polled after ${String(FIRST_POLL_DELAY_SECONDS)} s, then ` +
          `twice as long each time up to ${String(MAX_POLL_DELAY_SECONDS / 60)} min; after ` +
          `${String(MAX_POLLS)} polls of one job the scan fails as timed out. Another member’s ` +
          'scan is a 404.',
        access: 'user',
        params: idParams,
        errors: [404],
        responses: { 200: { description: 'The scan', schema: scanSchema } },
        handler: async ({ user, params }) => ({
          status: 200,
          body: await scans.get(user.userId, params.id),
        }),
      }),
    ],
  };
}

/** Documents the webhook's raw JSON body and its signature headers (app.ts reads the bytes). */
const signedWebhookBody: DocumentedMiddleware = Object.assign(
  ((_req, _res, next) => next()) as RequestHandler,
  {
    openApi: {
      errors: [400, 401, 503],
      headers: z.object({
        [SIGNATURE_HEADER]: z.string().openapi({
          example: 'sha256=5d7c3b0e9f1a2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d',
        }),
        [TIMESTAMP_HEADER]: z.string().openapi({ example: '1772350401' }),
      }),
      body: { mediaType: 'application/json', schema: scanningWebhookEventSchema },
    },
  },
);

const headerOf = (req: Request, name: string) => {
  const value = req.headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
};

/** `POST /api/webhooks/scanning`: the 3D Scanning service's signed callbacks. */
export function scanningWebhookRoutes(scans: ScansService): RouteGroup {
  return {
    basePath: '/api/webhooks',
    tag: 'Scans',
    routes: [
      defineRoute({
        method: 'post',
        path: '/scanning',
        summary: 'Callback of the 3D Scanning service (signed; no user token)',
        description:
          'Sent by the 3D Scanning service when a job (scan or avatar) changes status. The body ' +
          'is the job’s status fields (as `GET /processing/status` answers them) plus the ' +
          'event’s own `eventId`.\n\n' +
          '**Signature.** The service and we share `SCANNING_WEBHOOK_SECRET`. It sends ' +
          `\`${TIMESTAMP_HEADER}: <Unix seconds>\` and \`${SIGNATURE_HEADER}: sha256=<hex>\`, ` +
          'where hex is HMAC-SHA256 with the secret over the bytes `<timestamp>.<raw body>` ' +
          '(the timestamp header’s text, a full stop, then the body exactly as sent). We compare ' +
          'in constant time over the raw bytes before parsing. A missing or wrong signature, or ' +
          `a timestamp more than ${String(WEBHOOK_TOLERANCE_SECONDS / 60)} minutes from our ` +
          'clock, is a 401 (as is every callback while no secret is configured).\n\n' +
          '**Delivery.** An `eventId` seen before changes nothing (200). Statuses only move ' +
          'forward (queued < processing < completed / failed): a late `processing` after ' +
          '`completed` is acknowledged and ignored. An unknown `jobId` is acknowledged (200) ' +
          'and ignored, since its scan may have gone with its account and a retried 404 would ' +
          'help no one. A valid signature with a body that breaks the schema is a 400.',
        access: 'public',
        before: [signedWebhookBody],
        responses: {
          200: {
            description: 'Received (applied, replayed or ignored)',
            schema: webhookAcknowledgedSchema,
          },
        },
        handler: async ({ req }) => {
          const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          await scans.receiveWebhook(raw, {
            timestamp: headerOf(req, TIMESTAMP_HEADER),
            signature: headerOf(req, SIGNATURE_HEADER),
          });
          return { status: 200, body: { received: true as const } };
        },
      }),
    ],
  };
}
