// Body scans: InBody uploads, the 3D Scanning service flow, its webhook.
export { ScanProcessing, type ScanProcessingDeps } from './scan-processing.js';
export {
  ScansService,
  type BodyCompositionRecorder,
  type ScanMemberFacts,
  type ScansServiceDeps,
} from './scans.service.js';
export {
  SCANNING_WEBHOOK_PATH,
  scanUploadRoutes,
  scanningWebhookRoutes,
  scansRoutes,
} from './scans.routes.js';
export { advanceScan, dispatchScans, registerScansJobs } from './scans.jobs.js';
export { scans, type ScanRow } from './scans.table.js';
