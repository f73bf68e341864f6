import type { Database } from '../../db/database.js';
import { SYNC_OVERLAP_SECONDS } from '../../lib/http/cursor.js';
import { inUnitOfWork, type UnitOfWork } from '../../db/unit-of-work.js';
import { conflict, notFound } from '../../lib/errors.js';
import type { KeyedQueue } from '../../lib/keyed-queue.js';
import type { DomainEvents } from '../../lib/events/domain-events.js';
import { encodeCursor } from '../../lib/http/cursor.js';
import type { Logger } from '../../lib/logger.js';
import { localDay } from '../../lib/time/local-day.js';
import { fieldErrorsOf, z } from '../../lib/zod.js';
import type { Realtime } from '../../realtime/realtime.js';
import type { ImportedWorkoutLog, ImportOutcome } from './imported-log.js';
import { estimatedOneRepMaxKg, recordsSet, sameKinds } from './personal-records.js';
import { planDayOn, type ScheduledPlan } from './plan-schedule.js';
import { presentLog, presentProgress } from './workout-logs.presenter.js';
import { workoutLogsRepository as logs, type HistoryPosition } from './workout-logs.repository.js';
import {
  completedAtProblem,
  encodeExerciseCursor,
  type CreateWorkoutLogBody,
  type DayActivityView,
  type ExerciseRecordsView,
  type ListWorkoutLogsQuery,
  type RecordsQuery,
  type UpdateWorkoutLogBody,
  type WorkoutLogList,
  type WorkoutLogView,
  type WorkoutProgressPayload,
  type WorkoutProgressRecord,
} from './workout-logs.schemas.js';
import type {
  NewWorkoutSetRow,
  PersonalRecordKind,
  WorkoutLogRow,
  WorkoutLogSource,
} from './workout-logs.table.js';

/** The machine a member holds now; the gym floor provides it. */
export interface MemberPresence {
  machineHeldBy(userId: string): Promise<string | undefined>;
}

/** The member's local time zone: the branch they are at, else their home zone, else UTC. */
export interface MemberTimeZones {
  timezoneOf(userId: string): Promise<string>;
}

/** The member's active workout plan (the workouts module provides it). */
export interface ActiveWorkoutPlans {
  /** The plan as the member trains it (customizations applied), or undefined without one. */
  activePlanOf(userId: string): Promise<ScheduledPlan | undefined>;
}

export interface WorkoutLogsServiceDeps {
  db: Database;
  logger: Logger;
  realtime: Realtime;
  presence: MemberPresence;
  timeZones: MemberTimeZones;
  plans: ActiveWorkoutPlans;
  events: DomainEvents;
  /** A member's writes, one at a time per process (see KeyedQueue). */
  memberWrites: KeyedQueue;
}

/** One set's values, before it is numbered and stored. */
interface SetValues {
  reps: number;
  weightKg: number | null;
  durationSec: number | null;
  distanceM: number | null;
}

/** The sets a `POST /logs` body describes (the schema has ruled out conflicting input). */
function setsOf(body: CreateWorkoutLogBody): SetValues[] {
  if (body.sets) {
    return body.sets.map((set) => ({
      reps: set.reps,
      weightKg: set.weightKg ?? body.weightKg ?? null,
      durationSec: set.durationSec ?? body.durationSec ?? null,
      distanceM: set.distanceM ?? null,
    }));
  }
  return Array.from({ length: body.completedSets ?? 0 }, () => ({
    reps: body.completedReps ?? 0,
    weightKg: body.weightKg ?? null,
    durationSec: body.durationSec ?? null,
    distanceM: null,
  }));
}

/** Sets given one by one (PATCH, imports), their missing measures null. */
type GivenSet = Pick<SetValues, 'reps'> & {
  [K in Exclude<keyof SetValues, 'reps'>]?: number | null;
};
const givenSets = (sets: GivenSet[]): SetValues[] =>
  sets.map((set) => ({
    reps: set.reps,
    weightKg: set.weightKg ?? null,
    durationSec: set.durationSec ?? null,
    distanceM: set.distanceM ?? null,
  }));

/** The sets of an entry as rows, numbered from 1 in the order given. */
const setRows = (log: WorkoutLogRow, sets: SetValues[]): NewWorkoutSetRow[] =>
  sets.map((set, index) => ({
    logId: log.id,
    userId: log.userId,
    day: log.day,
    setNumber: index + 1,
    ...set,
    estimatedOneRepMaxKg: estimatedOneRepMaxKg(set.reps, set.weightKg),
  }));

/** The earlier of two places in an exercise's history. */
const earlier = <P extends HistoryPosition>(a: P, b: P): P =>
  a.completedAt.getTime() !== b.completedAt.getTime()
    ? a.completedAt < b.completedAt
      ? a
      : b
    : a.id < b.id
      ? a
      : b;

/** An imported entry, held to the same bounds as one posted by the member. */
const importedLogSchema = z.object({
  importKey: z.string().min(1).max(500),
  exerciseId: z.string().trim().min(1).max(100),
  exerciseName: z.string().trim().min(1).max(200),
  completedAt: z.date().refine((at) => !Number.isNaN(at.getTime()), 'must be a valid time'),
  performanceNotes: z.string().max(1000).nullable(),
  sets: z
    .array(
      z.object({
        setNumber: z.number().int().min(1),
        reps: z.number().int().min(0).max(1000),
        weightKg: z.number().min(0).max(1000).nullable(),
        durationSec: z
          .number()
          .int()
          .min(0)
          .max(24 * 3600)
          .nullable(),
        distanceM: z.number().min(0).max(1_000_000).nullable(),
      }),
    )
    .min(1, 'has no sets')
    .max(100),
});

// Rows per INSERT when importing: far below PostgreSQL's limit of 65,535 parameters.
const IMPORT_BATCH = 500;

const inBatches = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );

/**
 * The members' workout history: entries posted over REST, sets reported live over the socket
 * (from the app or a linked machine) and imported files are one model, `workout_logs` with
 * their `workout_sets`. Every write is one transaction that also runs `workout-logs.changed`,
 * so what is derived from the logs (points, achievements, rollups) changes with them.
 *
 * Days are the member's local days: the time zone of the branch they are checked in at when
 * the entry is written, else their profile's home zone, else UTC.
 */
export class WorkoutLogsService {
  constructor(private readonly deps: WorkoutLogsServiceDeps) {}

  /** Logs one exercise with its sets (`POST /logs`). */
  async create(userId: string, body: CreateWorkoutLogBody): Promise<WorkoutLogView> {
    if (body.machineId) await this.requireLinked(userId, body.machineId);
    const timezone = await this.deps.timeZones.timezoneOf(userId);
    return this.write(userId, async (uow) => {
      const { tx } = uow;
      await logs.lockExercise(tx, userId, body.exerciseId);
      const log = await logs.insertLog(tx, {
        userId,
        day: localDay(body.completedAt, timezone),
        exerciseId: body.exerciseId,
        exerciseName: body.exerciseName,
        completedAt: body.completedAt,
        performanceNotes: body.performanceNotes ?? null,
        machineId: body.machineId ?? null,
        source: 'app',
      });
      const sets = await logs.insertSets(tx, setRows(log, setsOf(body)));
      const flagged = await this.refreshRecords(tx, userId, log.exerciseId, log);
      const written = flagged.get(log.id) ?? log;
      await this.announce(uow, userId, 'created', written);
      await this.announceReflagged(uow, userId, flagged, [log.id]);
      uow.afterCommit(() => this.deps.events.publish('workout-logs.set-recorded', { userId }));
      return presentLog(written, sets);
    });
  }

  async get(userId: string, id: string): Promise<WorkoutLogView> {
    const row = await logs.find(this.deps.db, userId, id);
    if (!row) throw notFound('Workout log');
    return this.presentOne(this.deps.db, row);
  }

  /**
   * Corrects an entry. New `sets` replace the old ones; a new `completedAt` may move the entry
   * to another day (in the member's zone now). Record flags of the exercise's entries from the
   * earlier of the old and new times on are recomputed.
   */
  async update(userId: string, id: string, body: UpdateWorkoutLogBody): Promise<WorkoutLogView> {
    const timezone = body.completedAt ? await this.deps.timeZones.timezoneOf(userId) : undefined;
    return this.write(userId, async (uow) => {
      const { tx } = uow;
      const current = await this.lockedEntry(tx, userId, id);
      const day = body.completedAt && timezone ? localDay(body.completedAt, timezone) : current.day;
      const updated = await logs.updateLog(tx, id, {
        ...(body.exerciseName !== undefined && { exerciseName: body.exerciseName }),
        ...(body.performanceNotes !== undefined && { performanceNotes: body.performanceNotes }),
        ...(body.completedAt && { completedAt: body.completedAt, day }),
      });
      if (body.sets) {
        await logs.deleteSets(tx, id);
        await logs.insertSets(tx, setRows(updated, givenSets(body.sets)));
      } else if (day !== current.day) {
        await logs.moveSets(tx, id, day);
      }
      const flagged = await this.refreshRecords(
        tx,
        userId,
        current.exerciseId,
        earlier(current, updated),
      );
      const written = flagged.get(id) ?? updated;
      await this.announce(
        uow,
        userId,
        'updated',
        written,
        day !== current.day ? current.day : undefined,
      );
      await this.announceReflagged(uow, userId, flagged, [id]);
      return this.presentOne(tx, written);
    });
  }

  /**
   * Deletes an entry and leaves a tombstone for syncing devices; the exercise's later entries
   * have their record flags recomputed without it.
   */
  async remove(userId: string, id: string): Promise<void> {
    await this.write(userId, async (uow) => {
      const { tx } = uow;
      await this.lockedEntry(tx, userId, id);
      const deleted = await logs.deleteLog(tx, userId, id);
      if (!deleted) throw notFound('Workout log');
      const flagged = await this.refreshRecords(tx, userId, deleted.exerciseId, deleted);
      await this.announce(uow, userId, 'deleted', deleted);
      await this.announceReflagged(uow, userId, flagged, []);
    });
  }

  /**
   * `GET /logs`: with `updatedSince`, what changed since (entries and deletions, oldest change
   * first); otherwise the entries of the days asked for, newest first.
   */
  async list(userId: string, query: ListWorkoutLogsQuery): Promise<WorkoutLogList> {
    if (query.updatedSince) return this.changesSince(userId, query.updatedSince, query);
    const page = await logs.list(this.deps.db, userId, query);
    return {
      items: await this.present(this.deps.db, page.items),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * Changes at or after `since` minus the overlap, as one stream of entries (by updatedAt) and
   * deletions (by deletedAt) in (time, id) order. The last page hands out a sync cursor: the
   * database time before this page was read, from which the next sync starts (minus the
   * overlap again, for changes stamped before it that committed after).
   */
  private async changesSince(
    userId: string,
    since: Date,
    page: Pick<ListWorkoutLogsQuery, 'limit' | 'cursor'>,
  ): Promise<WorkoutLogList> {
    const { db } = this.deps;
    const readAt = await logs.now(db);
    const changes = await logs.changedSince(db, userId, {
      since: new Date(since.getTime() - SYNC_OVERLAP_SECONDS * 1000),
      after: page.cursor,
      limit: page.limit,
    });
    type Change = { at: Date; id: string; log?: WorkoutLogRow };
    const merged: Change[] = [
      ...changes.logs.map((log) => ({ at: log.updatedAt, id: log.id, log })),
      ...changes.deletions.map((deletion) => ({ at: deletion.deletedAt, id: deletion.id })),
    ].sort((a, b) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const taken = merged.slice(0, page.limit);
    const hasMore = merged.length > page.limit;
    const last = taken.at(-1);
    return {
      items: await this.present(
        db,
        taken.flatMap((change) => (change.log ? [change.log] : [])),
      ),
      deleted: taken.flatMap((change) =>
        change.log ? [] : [{ id: change.id, deletedAt: change.at.toISOString() }],
      ),
      nextCursor: hasMore && last ? encodeCursor({ at: last.at, id: last.id }) : null,
      syncCursor: hasMore ? null : readAt.toISOString(),
    };
  }

  /** The member's current best of each record kind per exercise, by exercise id. */
  async records(
    userId: string,
    query: RecordsQuery,
  ): Promise<{ items: ExerciseRecordsView[]; nextCursor: string | null }> {
    const { db } = this.deps;
    const { exerciseIds, holders } = await logs.recordHolders(db, userId, {
      limit: query.limit,
      after: query.cursor,
      exerciseId: query.exerciseId,
    });
    const metrics = await logs.metricsOf(db, [...new Set(holders.map((holder) => holder.id))]);
    const listed = exerciseIds.slice(0, query.limit);
    const items = listed.map((exerciseId): ExerciseRecordsView => {
      const own = holders.filter((holder) => holder.exerciseId === exerciseId);
      const latest = own.reduce<WorkoutLogRow | undefined>(
        (found, holder) => (found && found.completedAt >= holder.completedAt ? found : holder),
        undefined,
      );
      const holderOf = (kind: PersonalRecordKind) => {
        const holder = own.find((candidate) => candidate.kind === kind);
        const value = holder && metrics.get(holder.id)?.[kind];
        if (!holder || value === null || value === undefined) return null;
        return {
          value: Math.round(value * 100) / 100,
          logId: holder.id,
          day: holder.day,
          completedAt: holder.completedAt.toISOString(),
        };
      };
      return {
        exerciseId,
        exerciseName: latest?.exerciseName ?? exerciseId,
        estimatedOneRepMaxKg: holderOf('e1rm'),
        heaviestWeightKg: holderOf('weight'),
        mostReps: holderOf('reps'),
        bestVolumeKg: holderOf('volume'),
      };
    });
    const lastListed = listed.at(-1);
    return {
      items,
      nextCursor:
        exerciseIds.length > query.limit && lastListed ? encodeExerciseCursor(lastListed) : null,
    };
  }

  /**
   * A day's activity (the seed's UserActivity): the exercises the active plan assigns to the
   * day's weekday, which of them have a log that day, the completion percentage and the day's
   * entries. `date` defaults to today in the member's zone.
   */
  async dayActivity(userId: string, date: string | undefined): Promise<DayActivityView> {
    const { db } = this.deps;
    const timezone = await this.deps.timeZones.timezoneOf(userId);
    const day = date ?? localDay(new Date(), timezone);
    const [plan, entries] = await Promise.all([
      this.deps.plans.activePlanOf(userId),
      logs.ofDay(db, userId, day),
    ]);
    const planDay = plan && planDayOn(plan, day);
    const logged = new Set(entries.map((entry) => entry.exerciseId));
    const assigned = (planDay?.exercises ?? []).map((exercise) => ({
      exerciseId: exercise.exerciseId,
      exerciseName: exercise.exerciseName,
      sets: exercise.sets,
      reps: exercise.reps,
      seconds: exercise.seconds,
      completed: logged.has(exercise.exerciseId),
    }));
    const assignedIds = new Set(assigned.map((exercise) => exercise.exerciseId));
    const completedExercises = [
      ...new Map(
        entries.map((entry) => [
          entry.exerciseId,
          {
            exerciseId: entry.exerciseId,
            exerciseName: entry.exerciseName,
            assigned: assignedIds.has(entry.exerciseId),
          },
        ]),
      ).values(),
    ];
    const done = assigned.filter((exercise) => exercise.completed).length;
    return {
      date: day,
      timezone,
      plan: plan
        ? {
            id: plan.id,
            planName: plan.planName,
            dayOrder: planDay?.dayOrder ?? null,
            muscleGroup: planDay?.muscleGroup ?? null,
          }
        : null,
      assignedExercises: assigned,
      completedExercises,
      assignedWorkouts: assigned.length,
      completedWorkouts: done,
      completionPercentage:
        assigned.length > 0 ? Math.round((done * 1000) / assigned.length) / 10 : null,
      workoutHistory: await this.present(db, entries),
    };
  }

  /**
   * Records one set reported live into today's entry of its exercise (the member's local day),
   * creating the entry with its first set; a set number already there is corrected. Acked with
   * the stored set, then sent to the member's devices after the commit: all of them when a
   * machine reported it, the others when one of them did.
   */
  async recordSet(
    userId: string,
    payload: WorkoutProgressPayload,
    reporter: { kind: Exclude<WorkoutLogSource, 'import'>; socketId?: string },
  ): Promise<WorkoutProgressRecord> {
    // A set is credited to a machine only by the member using it.
    if (payload.machineId) await this.requireLinked(userId, payload.machineId);
    const timezone = await this.deps.timeZones.timezoneOf(userId);
    const now = new Date();
    const day = localDay(now, timezone);
    const machineId = payload.machineId ?? null;
    return this.write(userId, async (uow) => {
      const { tx } = uow;
      await logs.lockExercise(tx, userId, payload.exerciseId);
      const existing = await logs.latestOfDay(tx, userId, day, payload.exerciseId);
      const log = existing
        ? await logs.extendLog(tx, existing.id, now, machineId)
        : await logs.insertLog(tx, {
            userId,
            day,
            exerciseId: payload.exerciseId,
            exerciseName: payload.exerciseName,
            completedAt: now,
            machineId,
            source: reporter.kind,
          });
      const set = await logs.upsertSet(tx, {
        logId: log.id,
        userId,
        day,
        setNumber: payload.setNumber,
        reps: payload.reps,
        weightKg: payload.weightKg ?? null,
        durationSec: payload.durationSec ?? null,
        distanceM: payload.distanceM ?? null,
        estimatedOneRepMaxKg: estimatedOneRepMaxKg(payload.reps, payload.weightKg ?? null),
        recordedAt: now,
      });
      const flagged = await this.refreshRecords(tx, userId, log.exerciseId, existing ?? log);
      const written = flagged.get(log.id) ?? log;
      await this.announce(uow, userId, existing ? 'updated' : 'created', written);
      await this.announceReflagged(uow, userId, flagged, [log.id]);
      const record = presentProgress(written, set, { source: reporter.kind, machineId });
      uow.afterCommit(() => this.deps.events.publish('workout-logs.set-recorded', { userId }));
      // Live copies for the member's other devices. Not volatile: a volatile packet is dropped
      // whenever the socket is still writing the previous one (an achievement notification sent
      // by the same commit, say); the per-user socket event budget bounds how many there are.
      uow.afterCommit(() =>
        this.deps.realtime.emitToUser(userId, 'workout:progress', record, {
          exceptSocketId: reporter.socketId,
        }),
      );
      return record;
    });
  }

  /**
   * Writes entries read from another app's export, in one transaction. An entry whose
   * `importKey` the member already has counts as already imported (so a file imported twice adds
   * nothing); an entry outside the bounds of a posted one is skipped with the reason (`row` is
   * the entry's `sourceLine`, else its 1-based position in `entries`). Each created entry runs `workout-logs.changed`.
   */
  async importLogs(userId: string, entries: ImportedWorkoutLog[]): Promise<ImportOutcome> {
    const skipped: ImportOutcome['skipped'] = [];
    const valid: ImportedWorkoutLog[] = [];
    entries.forEach((entry, index) => {
      const parsed = importedLogSchema.safeParse(entry);
      const timeProblem = parsed.success ? completedAtProblem(entry.completedAt) : undefined;
      if (parsed.success && !timeProblem) {
        valid.push({ ...entry, ...parsed.data });
        return;
      }
      const first = parsed.success
        ? undefined
        : fieldErrorsOf(parsed.error, undefined, 1).errors[0];
      skipped.push({
        row: entry.sourceLine ?? index + 1,
        reason: first ? `${first.path}: ${first.message}` : `completedAt: ${String(timeProblem)}`,
      });
    });
    if (valid.length === 0) return { created: 0, alreadyImported: 0, skipped };
    const timezone = await this.deps.timeZones.timezoneOf(userId);
    const byKey = new Map(valid.map((entry) => [entry.importKey, entry]));

    return this.write(userId, async (uow) => {
      const { tx } = uow;
      // In one order, so two imports of one member cannot wait on each other.
      for (const exerciseId of [...new Set(valid.map((entry) => entry.exerciseId))].sort()) {
        await logs.lockExercise(tx, userId, exerciseId);
      }
      const created: WorkoutLogRow[] = [];
      for (const batch of inBatches([...byKey.values()], IMPORT_BATCH)) {
        created.push(
          ...(await logs.insertImported(
            tx,
            batch.map((entry) => ({
              userId,
              day: localDay(entry.completedAt, timezone),
              exerciseId: entry.exerciseId,
              exerciseName: entry.exerciseName,
              completedAt: entry.completedAt,
              performanceNotes: entry.performanceNotes,
              source: 'import' as const,
              importKey: entry.importKey,
            })),
          )),
        );
      }
      const rows = created.flatMap((log) => {
        const entry = log.importKey === null ? undefined : byKey.get(log.importKey);
        const sets = [...(entry?.sets ?? [])].sort((a, b) => a.setNumber - b.setNumber);
        return setRows(log, givenSets(sets));
      });
      for (const batch of inBatches(rows, IMPORT_BATCH * 2)) await logs.insertSets(tx, batch);

      const reflagged = new Map<string, WorkoutLogRow>();
      for (const exerciseId of new Set(created.map((log) => log.exerciseId))) {
        const first = created
          .filter((log) => log.exerciseId === exerciseId)
          .reduce((a, b) => earlier(a, b));
        for (const [id, row] of await this.refreshRecords(tx, userId, exerciseId, first)) {
          reflagged.set(id, row);
        }
      }
      // Stamped last, so the time syncing devices see is close to the commit however long the
      // import took.
      const createdIds = new Set(created.map((log) => log.id));
      const touched = [...createdIds, ...[...reflagged.keys()].filter((id) => !createdIds.has(id))];
      await logs.touch(tx, touched);
      for (const row of await logs.findMany(tx, touched)) {
        await this.announce(uow, userId, createdIds.has(row.id) ? 'created' : 'updated', row);
      }
      return {
        created: created.length,
        alreadyImported: valid.length - created.length,
        skipped,
      };
    });
  }

  /**
   * Of the (member, local day) pairs, those on which the member logged a workout, as
   * `userId/day` keys; read through `db`, the caller's transaction (the reminder scheduler).
   */
  trainedOn(db: Database, memberDays: readonly { userId: string; day: string }[]) {
    return logs.daysWithLogs(db, memberDays);
  }

  /** Everything the member logged with its sets, oldest first, for their data export. */
  async exportOf(userId: string): Promise<WorkoutLogView[]> {
    const rows = await logs.allOf(this.deps.db, userId);
    const views: WorkoutLogView[] = [];
    for (const batch of inBatches(rows, 1000)) {
      views.push(...(await this.present(this.deps.db, batch)));
    }
    return views;
  }

  // ---- internals ----

  /** One transaction of the member's, after the member's earlier writes on this instance. */
  private write<T>(userId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    return this.deps.memberWrites.run(userId, () =>
      inUnitOfWork(this.deps.db, this.deps.logger, work),
    );
  }

  private async requireLinked(userId: string, machineId: string): Promise<void> {
    if (machineId !== (await this.deps.presence.machineHeldBy(userId))) {
      throw conflict('You are not linked to that machine.', 'MACHINE_NOT_LINKED');
    }
  }

  /** The member's entry, after taking its exercise's lock; another member's is 404. */
  private async lockedEntry(tx: Database, userId: string, id: string): Promise<WorkoutLogRow> {
    const seen = await logs.find(tx, userId, id);
    if (!seen) throw notFound('Workout log');
    await logs.lockExercise(tx, userId, seen.exerciseId);
    // Read again under the lock: a write that held it may have changed or deleted the entry.
    const current = await logs.find(tx, userId, id);
    if (!current) throw notFound('Workout log');
    return current;
  }

  private async presentOne(db: Database, row: WorkoutLogRow): Promise<WorkoutLogView> {
    const sets = await logs.setsOf(db, [row.id]);
    return presentLog(row, sets.get(row.id) ?? []);
  }

  private async present(db: Database, rows: WorkoutLogRow[]): Promise<WorkoutLogView[]> {
    const sets = await logs.setsOf(
      db,
      rows.map((row) => row.id),
    );
    return rows.map((row) => presentLog(row, sets.get(row.id) ?? []));
  }

  /**
   * Recomputes the record flags of the member's entries of the exercise from `from` on (the
   * bests before it come from the flags there, which this change did not touch), and stores
   * those that differ. Returns the entries whose flags changed, as stored now.
   */
  private async refreshRecords(
    tx: Database,
    userId: string,
    exerciseId: string,
    from: HistoryPosition,
  ): Promise<Map<string, WorkoutLogRow>> {
    let bests = await logs.bestsBefore(tx, userId, exerciseId, from);
    const changes: { id: string; personalRecords: PersonalRecordKind[] }[] = [];
    for (const entry of await logs.scoredFrom(tx, userId, exerciseId, from)) {
      const outcome = recordsSet(entry.metrics, bests);
      bests = outcome.bests;
      if (!sameKinds(outcome.kinds, entry.personalRecords)) {
        changes.push({ id: entry.id, personalRecords: outcome.kinds });
      }
    }
    const rows = await logs.setRecords(tx, changes);
    return new Map(rows.map((row) => [row.id, row]));
  }

  private async announce(
    uow: UnitOfWork,
    userId: string,
    change: 'created' | 'updated' | 'deleted',
    log: WorkoutLogRow,
    previousDay?: string,
  ): Promise<void> {
    await this.deps.events.run('workout-logs.changed', {
      uow,
      userId,
      change,
      log,
      ...(previousDay !== undefined && { previousDay }),
    });
  }

  /** Other entries whose record flags a write changed are updated entries too. */
  private async announceReflagged(
    uow: UnitOfWork,
    userId: string,
    reflagged: Map<string, WorkoutLogRow>,
    written: string[],
  ): Promise<void> {
    for (const [id, row] of reflagged) {
      if (!written.includes(id)) await this.announce(uow, userId, 'updated', row);
    }
  }
}
