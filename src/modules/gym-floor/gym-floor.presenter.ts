import type {
  BranchView,
  GymSessionView,
  MachineStatusEvent,
  MachineView,
  MaintenanceEntryView,
} from './gym-floor.schemas.js';
import type {
  BranchRow,
  GymSessionRow,
  MachineRow,
  MaintenanceEntryRow,
} from './gym-floor.table.js';

export function presentBranch(row: BranchRow): BranchView {
  return {
    id: row.id,
    name: row.name,
    address: row.address,
    timezone: row.timezone,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * A machine as the API shows it. `privileged` is for staff of its branch and the member using
 * it: only they see its QR code (anyone else could link from afar with it, instead of scanning
 * it at the machine), its telemetry (the member's workout) and who holds it (`currentUserId`;
 * other members see `occupied` with a null holder, so they cannot follow each other around the
 * floor). The device key hash never leaves the server.
 */
export function presentMachine(row: MachineRow, options: { privileged: boolean }): MachineView {
  return {
    id: row.id,
    branchId: row.branchId,
    name: row.name,
    type: row.type,
    location: row.location,
    qrCode: options.privileged ? row.qrCode : null,
    status: row.status,
    currentUserId: options.privileged ? row.currentUserId : null,
    linkedAt: row.linkedAt?.toISOString() ?? null,
    lastHeartbeat: row.lastHeartbeat?.toISOString() ?? null,
    telemetry: options.privileged ? (row.telemetry ?? null) : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function presentMaintenanceEntry(row: MaintenanceEntryRow): MaintenanceEntryView {
  return {
    id: row.id,
    type: row.type,
    notes: row.notes,
    performedBy: row.performedBy,
    date: row.createdAt.toISOString(),
  };
}

export function presentGymSession(row: GymSessionRow): GymSessionView {
  return {
    id: row.id,
    userId: row.userId,
    branchId: row.branchId,
    startTime: row.startTime.toISOString(),
    endTime: row.endTime?.toISOString() ?? null,
    duration: row.duration,
    machinesUsed: row.machinesUsed,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * `machine:status` for a machine's current row. `currentUserId` only when `holderVisible`: for
 * the branch's staff and the holder, as over HTTP.
 */
export function machineStatusEvent(
  row: MachineRow,
  options: { holderVisible: boolean },
): MachineStatusEvent {
  return {
    machineId: row.id,
    branchId: row.branchId,
    status: row.status,
    ...(options.holderVisible && row.currentUserId && { currentUserId: row.currentUserId }),
    at: row.updatedAt.toISOString(),
  };
}
