import type { ScanView } from './scans.schemas.js';
import type { ScanRow } from './scans.table.js';

/** A scan as members see it: the model as one of their files, the service's ids left out. */
export function presentScan(row: ScanRow): ScanView {
  return {
    id: row.id,
    status: row.status,
    progress: row.progress,
    measuredAt: row.measuredAt.toISOString(),
    metrics: row.measurement,
    serviceMetrics: row.serviceMetrics,
    avatarUrl: row.modelFileId ? `/api/files/${row.modelFileId}` : null,
    bodyCompositionId: row.bodyCompositionId,
    failureReason: row.failureReason,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.finishedAt?.toISOString() ?? null,
  };
}
