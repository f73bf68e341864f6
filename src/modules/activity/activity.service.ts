import { localDay } from '../../lib/time/local-day.js';
import type { Database } from '../../db/database.js';
import { conflict } from '../../lib/errors.js';
import type { DomainEvents } from '../../lib/events/domain-events.js';
import type { Realtime } from '../../realtime/realtime.js';
import { activityRepository } from './activity.repository.js';
import type { WorkoutProgressPayload, WorkoutProgressRecord } from './activity.schemas.js';
import type { WorkoutActivityRow, WorkoutActivitySource } from './activity.table.js';

export function presentProgress(row: WorkoutActivityRow): WorkoutProgressRecord {
  return {
    id: row.id,
    userId: row.userId,
    day: row.day,
    exerciseId: row.exerciseId,
    exerciseName: row.exerciseName,
    setNumber: row.setNumber,
    reps: row.reps,
    weightKg: row.weightKg,
    durationSec: row.durationSec,
    machineId: row.machineId,
    source: row.source,
    recordedAt: row.recordedAt.toISOString(),
  };
}

declare module '../../lib/events/domain-events.js' {
  interface DomainEventMap {
    /** A member recorded a set (the gym floor keeps their machine link alive with it). */
    'activity.progress-recorded': { userId: string };
  }
}

/** Where the member is on the gym floor now; the gym floor provides it. */
export interface MemberPresence {
  /** The time zone of the branch the member is at, if checked in (their local day). */
  activeTimezone(userId: string): Promise<string | undefined>;
  /** The machine the member is linked to now, if any. */
  machineHeldBy(userId: string): Promise<string | undefined>;
}

/** The member's local time zone: the branch they are at, else their home zone, else UTC. */
export interface MemberTimeZones {
  timezoneOf(userId: string): Promise<string>;
}

export interface ActivityServiceDeps {
  db: Database;
  realtime: Realtime;
  presence: MemberPresence;
  timeZones: MemberTimeZones;
  events: DomainEvents;
}

/** The members' daily workout activity, as their apps and the machines report it live. */
export class ActivityService {
  constructor(private readonly deps: ActivityServiceDeps) {}

  /**
   * Stores one reported set in the member's activity for their local day, then sends it to the
   * member's devices: all of them when a machine reported it, the others when one of them did.
   */
  async recordProgress(
    userId: string,
    payload: WorkoutProgressPayload,
    source: { kind: WorkoutActivitySource; socketId?: string },
  ): Promise<WorkoutProgressRecord> {
    if (
      payload.machineId &&
      payload.machineId !== (await this.deps.presence.machineHeldBy(userId))
    ) {
      // A set is credited to a machine only by the member using it.
      throw conflict('You are not linked to that machine.', 'MACHINE_NOT_LINKED');
    }
    const timezone = await this.deps.timeZones.timezoneOf(userId);
    const row = await activityRepository.insert(this.deps.db, {
      userId,
      day: localDay(new Date(), timezone),
      exerciseId: payload.exerciseId,
      exerciseName: payload.exerciseName,
      setNumber: payload.setNumber,
      reps: payload.reps,
      weightKg: payload.weightKg ?? null,
      durationSec: payload.durationSec ?? null,
      machineId: payload.machineId ?? null,
      source: source.kind,
    });
    await this.deps.events.publish('activity.progress-recorded', { userId });
    const record = presentProgress(row);
    // Live copies for the member's other devices: droppable when a device lags behind.
    this.deps.realtime.emitToUser(userId, 'workout:progress', record, {
      exceptSocketId: source.socketId,
      volatile: true,
    });
    return record;
  }

  /** Everything the member recorded, for their data export. */
  async exportOf(userId: string): Promise<WorkoutProgressRecord[]> {
    return (await activityRepository.allOf(this.deps.db, userId)).map(presentProgress);
  }
}
