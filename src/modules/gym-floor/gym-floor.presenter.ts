import type {
  BranchView,
  GymSessionView,
  MachineLinkView,
  MachineStatusEvent,
  MachineTimeView,
  MachineView,
  MaintenanceEntryView,
  OccupancyHourView,
  OccupancyView,
} from './gym-floor.schemas.js';
import {
  machineTypes,
  type BranchRow,
  type GymSessionRow,
  type MachineLinkRow,
  type MachineRow,
  type MachineType,
  type MaintenanceEntryRow,
} from './gym-floor.table.js';
import type { HourTypeUse, MachineUse } from './occupancy.repository.js';

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

export function presentMachineLink(row: MachineLinkRow): MachineLinkView {
  return {
    id: row.id,
    machineId: row.machineId,
    branchId: row.branchId,
    machineType: row.machineType,
    startedAt: row.startedAt.toISOString(),
    endedAt: row.endedAt?.toISOString() ?? null,
    endReason: row.endReason,
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

/** `part / whole` to 4 decimals; null when there is no whole. */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;
}

/** Seconds as minutes to 2 decimals. */
const minutes = (seconds: number) => Math.round((seconds / 60) * 100) / 100;

/** Machine-time as the API shows it: minutes, and the occupied share of the capacity. */
export function presentMachineTime(
  capacitySeconds: number,
  occupiedSeconds: number,
): MachineTimeView {
  return {
    occupancy: ratio(occupiedSeconds, capacitySeconds),
    occupiedMinutes: minutes(occupiedSeconds),
    capacityMinutes: minutes(capacitySeconds),
  };
}

type Seconds = Pick<HourTypeUse, 'capacitySeconds' | 'occupiedSeconds'>;
const sumOf = (uses: Seconds[]) =>
  presentMachineTime(
    uses.reduce((sum, use) => sum + use.capacitySeconds, 0),
    uses.reduce((sum, use) => sum + use.occupiedSeconds, 0),
  );
const perType = (uses: HourTypeUse[]) =>
  Object.fromEntries(
    machineTypes.map((type) => [type, sumOf(uses.filter((use) => use.machineType === type))]),
  ) as Record<MachineType, MachineTimeView>;

/**
 * A branch's occupancy over a range: every hour of the day (24 entries, summed over the range's
 * days, in the branch's time zone), per machine type and overall, the busiest hours, and each
 * machine's time in use, busiest first.
 */
export function presentOccupancy(input: {
  branch: BranchRow;
  from: string;
  to: string;
  range: { start: Date; end: Date };
  hourly: HourTypeUse[];
  use: MachineUse[];
  machines: { id: string; name: string; type: MachineType }[];
}): OccupancyView {
  const hours: OccupancyHourView[] = Array.from({ length: 24 }, (_, hour) => {
    const uses = input.hourly.filter((use) => use.hour === hour);
    return { hour, ...sumOf(uses), byType: perType(uses) };
  });
  const busiestHours = hours
    .flatMap(({ hour, occupancy }) =>
      occupancy !== null && occupancy > 0 ? [{ hour, occupancy }] : [],
    )
    .sort((a, b) => b.occupancy - a.occupancy || a.hour - b.hour)
    .slice(0, 3);
  const useOf = new Map(input.use.map((use) => [use.machineId, use]));
  const removed = useOf.get(null);
  return {
    branchId: input.branch.id,
    timezone: input.branch.timezone,
    from: input.from,
    to: input.to,
    rangeStart: input.range.start.toISOString(),
    rangeEnd: input.range.end.toISOString(),
    overall: sumOf(input.hourly),
    byType: perType(input.hourly),
    hours,
    busiestHours,
    machines: input.machines
      .map((machine) => ({
        machineId: machine.id,
        name: machine.name,
        type: machine.type,
        minutesInUse: minutes(useOf.get(machine.id)?.occupiedSeconds ?? 0),
        links: useOf.get(machine.id)?.links ?? 0,
      }))
      .sort((a, b) => b.minutesInUse - a.minutesInUse),
    removedMachines: {
      minutesInUse: minutes(removed?.occupiedSeconds ?? 0),
      links: removed?.links ?? 0,
    },
  };
}
