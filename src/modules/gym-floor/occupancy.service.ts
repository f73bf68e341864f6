import { addDays } from '../../lib/time/calendar-days.js';
import type { Database } from '../../db/database.js';
import { forbidden, validationError } from '../../lib/errors.js';
import { KeyValueUnavailableError, type KeyValueStore } from '../../lib/kv/kv.js';
import type { Logger } from '../../lib/logger.js';
import { localDay } from '../../lib/time/local-day.js';
import { z } from '../../lib/zod.js';
import type { Actor, BranchesService } from './branches.service.js';
import {
  OCCUPANCY_MAX_DAYS,
  weekdays,
  type BusynessView,
  type MachineCountsView,
  type OccupancyQuery,
  type OccupancyView,
} from './gym-floor.schemas.js';
import { presentMachineTime, presentOccupancy, ratio } from './gym-floor.presenter.js';
import { machineTypes, type BranchRow, type MachineType } from './gym-floor.table.js';
import { occupancyRepository, type TypeUse } from './occupancy.repository.js';

/** Days an occupancy range covers when the caller names none. */
export const OCCUPANCY_DEFAULT_DAYS = 7;
/** Weeks of history behind a branch's typical occupancy for the hour. */
export const TYPICAL_WEEKS = 4;

const typicalUseSchema = z.array(
  z.object({
    machineType: z.enum(machineTypes),
    capacitySeconds: z.number(),
    occupiedSeconds: z.number(),
  }),
);

/** A cached typical use, or undefined when the entry is not one (then it is recomputed). */
function parseCached(text: string): TypeUse[] | undefined {
  try {
    const parsed = typicalUseSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The wall clock in the zone at the instant: its weekday and hour of the day. */
function localClock(
  at: Date,
  timeZone: string,
): { weekday: (typeof weekdays)[number]; hour: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'long',
    hour: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(at);
  const weekday = parts.find((part) => part.type === 'weekday')?.value.toLowerCase();
  const hour = Number(parts.find((part) => part.type === 'hour')?.value);
  const known = weekdays.find((name) => name === weekday);
  if (!known || !Number.isInteger(hour)) throw new Error(`no wall clock for ${timeZone}`);
  return { weekday: known, hour };
}

/**
 * How busy a branch's floor is: utilisation by hour for staff (from the link history), and for
 * everyone who may watch the branch, how busy it is now against how busy it usually is.
 */
export class OccupancyService {
  constructor(
    private readonly deps: {
      db: Database;
      kv: KeyValueStore;
      logger: Logger;
      branches: BranchesService;
    },
  ) {}

  /**
   * Machine utilisation by hour of the local day over [from, to] (local days, at most
   * OCCUPANCY_MAX_DAYS), per machine type and per machine. Staff of the branch and admins.
   */
  async occupancy(actor: Actor, branchId: string, query: OccupancyQuery): Promise<OccupancyView> {
    const branch = await this.deps.branches.require(branchId);
    await this.deps.branches.assertCanManage(actor, branchId);
    const to = query.to ?? localDay(new Date(), branch.timezone);
    const from = query.from ?? addDays(to, 1 - OCCUPANCY_DEFAULT_DAYS);
    if (from > to) {
      throw validationError('The request query is invalid.', [
        { path: 'query.from', message: 'from must not be after to' },
      ]);
    }
    if (addDays(from, OCCUPANCY_MAX_DAYS) <= to) {
      throw validationError('The request query is invalid.', [
        {
          path: 'query.from',
          message: `the range must not exceed ${String(OCCUPANCY_MAX_DAYS)} days`,
        },
      ]);
    }
    const { db } = this.deps;
    const [hourly, use, machines, range] = await Promise.all([
      occupancyRepository.hourlyUse(db, branch.id, branch.timezone, from, to),
      occupancyRepository.machineUse(db, branch.id, branch.timezone, from, to),
      occupancyRepository.machinesOf(db, branch.id),
      occupancyRepository.rangeInstants(db, branch.timezone, from, to),
    ]);
    return presentOccupancy({ branch, from, to, range, hourly, use, machines });
  }

  /**
   * How busy the branch is now: members checked in, machines by type and status, and the
   * typical occupancy of this hour on this weekday. Its members, its staff and admins.
   */
  async busyness(actor: Actor, branchId: string): Promise<BusynessView> {
    const branch = await this.deps.branches.require(branchId);
    if (!(await this.deps.branches.canWatch(actor, branchId))) {
      throw forbidden('Join this branch (or staff it) to see how busy it is.');
    }
    const at = new Date();
    const { db } = this.deps;
    const [checkedIn, counts, typical] = await Promise.all([
      occupancyRepository.checkedInCount(db, branch.id),
      occupancyRepository.machineCounts(db, branch.id),
      this.typicalUse(branch, at),
    ]);
    const machines = Object.fromEntries(
      machineTypes.map((type) => [
        type,
        { total: 0, inUse: 0, available: 0, maintenance: 0, offline: 0 },
      ]),
    ) as Record<MachineType, MachineCountsView>;
    for (const { machineType, status, machines: count } of counts) {
      const bucket = machines[machineType];
      bucket.total += count;
      bucket[status === 'occupied' ? 'inUse' : status] += count;
    }
    const all = Object.values(machines);
    const inUse = all.reduce((sum, bucket) => sum + bucket.inUse, 0);
    const total = all.reduce((sum, bucket) => sum + bucket.total, 0);
    const byType = (type: MachineType) => {
      const row = typical.find((use) => use.machineType === type);
      return row ? presentMachineTime(row.capacitySeconds, row.occupiedSeconds).occupancy : null;
    };
    const sum = (field: 'capacitySeconds' | 'occupiedSeconds') =>
      typical.reduce((total, use) => total + use[field], 0);
    return {
      branchId: branch.id,
      timezone: branch.timezone,
      at: at.toISOString(),
      checkedIn,
      machines,
      occupancyNow: ratio(inUse, total),
      typical: {
        ...localClock(at, branch.timezone),
        weeks: TYPICAL_WEEKS,
        occupancy: presentMachineTime(sum('capacitySeconds'), sum('occupiedSeconds')).occupancy,
        byType: {
          cardio: byType('cardio'),
          strength: byType('strength'),
          functional: byType('functional'),
        },
      },
    };
  }

  /**
   * The typical use of this local hour, from the cache: it only changes when the hour does (its
   * key names the hour), so it is computed once an hour per branch, not on every look at the
   * app's home screen. Without the cache it is computed each time (slower, still right).
   */
  private async typicalUse(branch: BranchRow, at: Date): Promise<TypeUse[]> {
    const { hour } = localClock(at, branch.timezone);
    const key = `cache:gym-floor:typical-use:${branch.id}:${branch.timezone}:${localDay(at, branch.timezone)}T${String(hour)}`;
    const cached = await this.deps.kv.get(key).catch((error: unknown) => {
      if (error instanceof KeyValueUnavailableError) return null;
      throw error;
    });
    const hit = cached === null ? undefined : parseCached(cached);
    if (hit) return hit;
    const computed = await occupancyRepository.typicalUseNow(
      this.deps.db,
      branch.id,
      branch.timezone,
      TYPICAL_WEEKS,
      at,
    );
    await this.deps.kv.set(key, JSON.stringify(computed), 3600).catch((error: unknown) => {
      if (!(error instanceof KeyValueUnavailableError)) throw error;
      this.deps.logger.debug('typical busyness not cached: the cache is unavailable');
    });
    return computed;
  }
}
