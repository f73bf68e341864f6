import { and, asc, desc, eq, getTableColumns, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { deletedRecords } from '../../db/deleted-records.table.js';
import { keysetPage, type Page } from '../../db/keyset-page.js';
import { rowsOf } from '../../db/raw-rows.js';
import type { Cursor } from '../../lib/http/cursor.js';
import type { RecordBests, RecordMetrics } from './personal-records.js';
import {
  personalRecordKinds,
  workoutLogs,
  workoutSets,
  type NewWorkoutLogRow,
  type NewWorkoutSetRow,
  type PersonalRecordKind,
  type WorkoutLogRow,
  type WorkoutSetRow,
} from './workout-logs.table.js';

/** The corrections an entry can take; SQL where the new value depends on the old. */
type LogChanges = {
  [K in 'exerciseName' | 'performanceNotes' | 'completedAt' | 'day' | 'machineId']?:
    NewWorkoutLogRow[K] | SQL;
};

/** Where an entry stands in its member's history of an exercise: by completedAt, then id. */
export interface HistoryPosition {
  completedAt: Date;
  id: string;
}

/** An entry of the history with what it scores and the records it is flagged with. */
export interface ScoredLog extends HistoryPosition {
  personalRecords: PersonalRecordKind[];
  metrics: RecordMetrics;
}

const TOMBSTONE_KIND = 'workout-log';

// The database's clock at the moment of the statement (not the transaction's start), so a
// change is stamped as close to its commit as possible (see SYNC_OVERLAP_SECONDS).
const clockNow = sql`clock_timestamp()`;

const isFlagged = sql`cardinality(${workoutLogs.personalRecords}) > 0`;

const positionOf = (position: HistoryPosition) =>
  sql`(${position.completedAt.toISOString()}::timestamptz, ${position.id}::uuid)`;
const historyKey = sql`(${workoutLogs.completedAt}, ${workoutLogs.id})`;

/** What each entry scores, from its sets: the only definition of the record metrics. */
const metricColumns = {
  e1rm: sql<unknown>`max(${workoutSets.estimatedOneRepMaxKg})`,
  weight: sql<unknown>`max(${workoutSets.weightKg}) filter (where ${workoutSets.reps} > 0)`,
  reps: sql<unknown>`max(${workoutSets.reps})`,
  volume: sql<unknown>`round(sum(${workoutSets.reps} * coalesce(${workoutSets.weightKg}, 0))::numeric, 3)::float8`,
};

/** The only place that queries workout logs, their sets and their tombstones. */
export const workoutLogsRepository = {
  /**
   * Serialises the writes to one member's history of one exercise until the transaction ends:
   * today's log for a socket set, and the record flags, depend on the entries around them.
   */
  async lockExercise(tx: Database, userId: string, exerciseId: string): Promise<void> {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`workout-logs:${userId}:${exerciseId}`}, 0))`,
    );
  },

  /** The database clock (the time sync cursors and change stamps are on). */
  async now(db: Database): Promise<Date> {
    const [row] = await db
      .select({ now: sql`clock_timestamp()`.mapWith(workoutLogs.updatedAt) })
      .from(sql`(select 1) as clock`);
    if (!row) throw new Error('the clock query returned no row');
    return row.now;
  },

  async insertLog(tx: Database, values: NewWorkoutLogRow): Promise<WorkoutLogRow> {
    const [row] = await tx
      .insert(workoutLogs)
      .values({ ...values, createdAt: clockNow, updatedAt: clockNow })
      .returning();
    if (!row) throw new Error('insert returned no row');
    return row;
  },

  /** Inserts imported entries; those whose import key the member already has are left out. */
  async insertImported(tx: Database, values: NewWorkoutLogRow[]): Promise<WorkoutLogRow[]> {
    if (values.length === 0) return [];
    return tx
      .insert(workoutLogs)
      .values(values.map((value) => ({ ...value, createdAt: clockNow, updatedAt: clockNow })))
      .onConflictDoNothing({
        target: [workoutLogs.userId, workoutLogs.importKey],
        where: sql`${workoutLogs.importKey} is not null`,
      })
      .returning();
  },

  async find(db: Database, userId: string, id: string): Promise<WorkoutLogRow | undefined> {
    const [row] = await db
      .select()
      .from(workoutLogs)
      .where(and(eq(workoutLogs.id, id), eq(workoutLogs.userId, userId)));
    return row;
  },

  async findMany(db: Database, ids: string[]): Promise<WorkoutLogRow[]> {
    if (ids.length === 0) return [];
    return db.select().from(workoutLogs).where(inArray(workoutLogs.id, ids));
  },

  /** The member's latest entry of the exercise on the day: where a socket set goes. */
  async latestOfDay(
    tx: Database,
    userId: string,
    day: string,
    exerciseId: string,
  ): Promise<WorkoutLogRow | undefined> {
    const [row] = await tx
      .select()
      .from(workoutLogs)
      .where(
        and(
          eq(workoutLogs.userId, userId),
          eq(workoutLogs.day, day),
          eq(workoutLogs.exerciseId, exerciseId),
        ),
      )
      .orderBy(desc(workoutLogs.completedAt), desc(workoutLogs.id))
      .limit(1);
    return row;
  },

  /** Changes an entry and stamps it as changed now. */
  async updateLog(tx: Database, id: string, changes: LogChanges): Promise<WorkoutLogRow> {
    const [row] = await tx
      .update(workoutLogs)
      .set({ ...changes, updatedAt: clockNow })
      .where(eq(workoutLogs.id, id))
      .returning();
    if (!row) throw new Error('update found no row');
    return row;
  },

  /**
   * A socket set's log: completed at the latest of its time and `at`, and credited to the
   * set's machine unless it already has one.
   */
  async extendLog(
    tx: Database,
    id: string,
    at: Date,
    machineId: string | null,
  ): Promise<WorkoutLogRow> {
    return this.updateLog(tx, id, {
      completedAt: sql`greatest(${workoutLogs.completedAt}, ${at.toISOString()}::timestamptz)`,
      ...(machineId && { machineId: sql`coalesce(${workoutLogs.machineId}, ${machineId}::uuid)` }),
    });
  },

  /** Deletes the member's entry (its sets go with it) and leaves a tombstone for syncing phones. */
  async deleteLog(tx: Database, userId: string, id: string): Promise<WorkoutLogRow | undefined> {
    const [row] = await tx
      .delete(workoutLogs)
      .where(and(eq(workoutLogs.id, id), eq(workoutLogs.userId, userId)))
      .returning();
    if (!row) return undefined;
    await tx
      .insert(deletedRecords)
      .values({ userId, kind: TOMBSTONE_KIND, recordId: id, deletedAt: clockNow })
      .onConflictDoNothing();
    return row;
  },

  /** Sets the record flags of entries, stamping each as changed; answers them as stored now. */
  async setRecords(
    tx: Database,
    changes: { id: string; personalRecords: PersonalRecordKind[] }[],
  ): Promise<WorkoutLogRow[]> {
    if (changes.length === 0) return [];
    const flagsOf = sql.join(
      changes.map(
        (change) =>
          sql`when ${change.id}::uuid then ${sql.param(change.personalRecords, workoutLogs.personalRecords)}::text[]`,
      ),
      sql` `,
    );
    return tx
      .update(workoutLogs)
      .set({ personalRecords: sql`case ${workoutLogs.id} ${flagsOf} end`, updatedAt: clockNow })
      .where(
        inArray(
          workoutLogs.id,
          changes.map((change) => change.id),
        ),
      )
      .returning();
  },

  /** Stamps entries as changed now (an import's, right before it commits). */
  async touch(tx: Database, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await tx.update(workoutLogs).set({ updatedAt: clockNow }).where(inArray(workoutLogs.id, ids));
  },

  // ---- sets ----

  async insertSets(tx: Database, rows: NewWorkoutSetRow[]): Promise<WorkoutSetRow[]> {
    if (rows.length === 0) return [];
    return tx
      .insert(workoutSets)
      .values(rows.map((row) => ({ ...row, recordedAt: row.recordedAt ?? clockNow })))
      .returning();
  },

  /** Stores a set by its number: a number already there is corrected. */
  async upsertSet(tx: Database, row: NewWorkoutSetRow): Promise<WorkoutSetRow> {
    const [stored] = await tx
      .insert(workoutSets)
      .values(row)
      .onConflictDoUpdate({
        target: [workoutSets.logId, workoutSets.setNumber],
        set: {
          reps: row.reps,
          weightKg: row.weightKg ?? null,
          durationSec: row.durationSec ?? null,
          distanceM: row.distanceM ?? null,
          estimatedOneRepMaxKg: row.estimatedOneRepMaxKg ?? null,
          recordedAt: row.recordedAt,
          day: row.day,
        },
      })
      .returning();
    if (!stored) throw new Error('upsert returned no row');
    return stored;
  },

  async deleteSets(tx: Database, logId: string): Promise<void> {
    await tx.delete(workoutSets).where(eq(workoutSets.logId, logId));
  },

  /** Keeps the sets' copy of the day in step with their log's. */
  async moveSets(tx: Database, logId: string, day: string): Promise<void> {
    await tx.update(workoutSets).set({ day }).where(eq(workoutSets.logId, logId));
  },

  /** The sets of the entries, by entry, in set order. */
  async setsOf(db: Database, logIds: string[]): Promise<Map<string, WorkoutSetRow[]>> {
    const byLog = new Map<string, WorkoutSetRow[]>(logIds.map((id) => [id, []]));
    if (logIds.length === 0) return byLog;
    const rows = await db
      .select()
      .from(workoutSets)
      .where(inArray(workoutSets.logId, logIds))
      .orderBy(asc(workoutSets.logId), asc(workoutSets.setNumber));
    for (const row of rows) byLog.get(row.logId)?.push(row);
    return byLog;
  },

  // ---- lists ----

  /**
   * The member's entries newest first, optionally of days [from, to]. Every zone is within
   * UTC−12…UTC+14, so the days also bound completedAt, and the scan stays on the
   * (user, completedAt, id) index.
   */
  async list(
    db: Database,
    userId: string,
    query: { limit: number; cursor?: Cursor | undefined; from?: string; to?: string },
  ): Promise<Page<WorkoutLogRow>> {
    const page = keysetPage(workoutLogs, { by: 'completedAt', direction: 'desc' }, query);
    const filters: (SQL | undefined)[] = [eq(workoutLogs.userId, userId), page.where];
    if (query.from) {
      filters.push(gte(workoutLogs.day, query.from));
      // The day starts earliest at UTC+14.
      filters.push(gte(workoutLogs.completedAt, new Date(`${query.from}T00:00:00+14:00`)));
    }
    if (query.to) {
      filters.push(sql`${workoutLogs.day} <= ${query.to}`);
      // The day ends latest at UTC−12.
      const end = Date.parse(`${query.to}T00:00:00-12:00`) + 24 * 3600 * 1000;
      filters.push(lt(workoutLogs.completedAt, new Date(end)));
    }
    return page.fetch(
      db
        .select()
        .from(workoutLogs)
        .where(and(...filters)),
    );
  },

  async ofDay(db: Database, userId: string, day: string): Promise<WorkoutLogRow[]> {
    return db
      .select()
      .from(workoutLogs)
      .where(and(eq(workoutLogs.userId, userId), eq(workoutLogs.day, day)))
      .orderBy(asc(workoutLogs.completedAt), asc(workoutLogs.id));
  },

  /** Of the (member, local day) pairs, those with at least one entry, as `userId/day` keys. */
  async daysWithLogs(
    db: Database,
    memberDays: readonly { userId: string; day: string }[],
  ): Promise<Set<string>> {
    if (memberDays.length === 0) return new Set();
    // As JSON text, which both drivers pass through unchanged to the ::jsonb cast.
    const wanted = JSON.stringify(memberDays.map(({ userId, day }) => ({ user_id: userId, day })));
    const rows = await rowsOf<{ userId: string; day: string }>(
      db,
      sql`select v.user_id::text as "userId", v.day::text as "day"
          from jsonb_to_recordset(${wanted}::jsonb) as v(user_id uuid, day date)
          where exists (
            select 1 from ${workoutLogs}
            where ${workoutLogs.userId} = v.user_id and ${workoutLogs.day} = v.day
          )`,
    );
    return new Set(rows.map((row) => `${row.userId}/${row.day}`));
  },

  /** Everything the member logged, oldest first (the data export). */
  async allOf(db: Database, userId: string): Promise<WorkoutLogRow[]> {
    return db
      .select()
      .from(workoutLogs)
      .where(eq(workoutLogs.userId, userId))
      .orderBy(asc(workoutLogs.completedAt), asc(workoutLogs.id));
  },

  /**
   * Entries changed and entries deleted at or after `since`, each after `after` in (time, id)
   * order, oldest first: up to `limit` + 1 of each, for the caller to merge.
   */
  async changedSince(
    db: Database,
    userId: string,
    query: { since: Date; after?: Cursor | undefined; limit: number },
  ): Promise<{ logs: WorkoutLogRow[]; deletions: { id: string; deletedAt: Date }[] }> {
    const afterLog = query.after
      ? sql`(${workoutLogs.updatedAt}, ${workoutLogs.id}) > (${query.after.at.toISOString()}::timestamptz, ${query.after.id}::uuid)`
      : undefined;
    const afterDeletion = query.after
      ? sql`(${deletedRecords.deletedAt}, ${deletedRecords.recordId}) > (${query.after.at.toISOString()}::timestamptz, ${query.after.id}::uuid)`
      : undefined;
    const [logs, deletions] = await Promise.all([
      db
        .select()
        .from(workoutLogs)
        .where(
          and(eq(workoutLogs.userId, userId), gte(workoutLogs.updatedAt, query.since), afterLog),
        )
        .orderBy(asc(workoutLogs.updatedAt), asc(workoutLogs.id))
        .limit(query.limit + 1),
      db
        .select({ id: deletedRecords.recordId, deletedAt: deletedRecords.deletedAt })
        .from(deletedRecords)
        .where(
          and(
            eq(deletedRecords.userId, userId),
            eq(deletedRecords.kind, TOMBSTONE_KIND),
            gte(deletedRecords.deletedAt, query.since),
            afterDeletion,
          ),
        )
        .orderBy(asc(deletedRecords.deletedAt), asc(deletedRecords.recordId))
        .limit(query.limit + 1),
    ]);
    return { logs, deletions };
  },

  // ---- personal records ----

  /** What each of the entries scores. */
  async metricsOf(db: Database, logIds: string[]): Promise<Map<string, RecordMetrics>> {
    if (logIds.length === 0) return new Map();
    const rows = await db
      .select({ id: workoutSets.logId, ...metricColumns })
      .from(workoutSets)
      .where(inArray(workoutSets.logId, logIds))
      .groupBy(workoutSets.logId);
    return new Map(rows.map(({ id, ...metrics }) => [id, normaliseMetrics(metrics)] as const));
  },

  /**
   * The member's bests of each kind over their entries of the exercise before `position`: the
   * latest entry flagged with a kind before it holds that kind's best (the flags mark exactly
   * the entries that beat everything before them).
   */
  async bestsBefore(
    tx: Database,
    userId: string,
    exerciseId: string,
    position: HistoryPosition,
  ): Promise<RecordBests> {
    // Each kind's holder is the first row of its own index range; one statement for all four.
    const holderOf = (kind: PersonalRecordKind) => sql`(
      select ${kind}::text as kind, ${workoutLogs.id} as id from ${workoutLogs}
      where ${workoutLogs.userId} = ${userId} and ${workoutLogs.exerciseId} = ${exerciseId}
        and ${isFlagged} and ${kind} = any(${workoutLogs.personalRecords})
        and ${historyKey} < ${positionOf(position)}
      order by ${workoutLogs.completedAt} desc, ${workoutLogs.id} desc
      limit 1)`;
    // The holders' metrics in the same statement (a holder always has sets: it scored).
    const scored = await rowsOf<{ kind: string } & Record<keyof RecordMetrics, unknown>>(
      tx,
      sql`select holder.kind, ${metricColumns.e1rm} as e1rm, ${metricColumns.weight} as weight,
          ${metricColumns.reps} as reps, ${metricColumns.volume} as volume
        from (${sql.join(personalRecordKinds.map(holderOf), sql` union all `)}) holder
          join ${workoutSets} on ${workoutSets.logId} = holder.id
        group by holder.kind, holder.id`,
    );
    const bests: RecordBests = { e1rm: null, weight: null, reps: null, volume: null };
    for (const { kind, ...metrics } of scored) {
      const recordKind = personalRecordKinds.find((known) => known === kind);
      if (recordKind) bests[recordKind] = normaliseMetrics(metrics)[recordKind];
    }
    return bests;
  },

  /** The member's entries of the exercise from `position` on (inclusive), oldest first, scored. */
  async scoredFrom(
    tx: Database,
    userId: string,
    exerciseId: string,
    position: HistoryPosition,
  ): Promise<ScoredLog[]> {
    const rows = await tx
      .select({
        id: workoutLogs.id,
        completedAt: workoutLogs.completedAt,
        personalRecords: workoutLogs.personalRecords,
        ...metricColumns,
      })
      .from(workoutLogs)
      .innerJoin(workoutSets, eq(workoutSets.logId, workoutLogs.id))
      .where(
        and(
          eq(workoutLogs.userId, userId),
          eq(workoutLogs.exerciseId, exerciseId),
          sql`${historyKey} >= ${positionOf(position)}`,
        ),
      )
      .groupBy(workoutLogs.id)
      .orderBy(asc(workoutLogs.completedAt), asc(workoutLogs.id));
    return rows.map(({ id, completedAt, personalRecords, ...metrics }) => ({
      id,
      completedAt,
      personalRecords,
      metrics: normaliseMetrics(metrics),
    }));
  },

  /**
   * The exercises with records, by id after `after`, and for each kind the entry holding the
   * record: the latest entry flagged with that kind.
   */
  async recordHolders(
    db: Database,
    userId: string,
    query: { limit: number; after?: string | undefined; exerciseId?: string | undefined },
  ): Promise<{ exerciseIds: string[]; holders: (WorkoutLogRow & { kind: PersonalRecordKind })[] }> {
    const exerciseRows = await db
      .selectDistinct({ exerciseId: workoutLogs.exerciseId })
      .from(workoutLogs)
      .where(
        and(
          eq(workoutLogs.userId, userId),
          isFlagged,
          query.after ? sql`${workoutLogs.exerciseId} > ${query.after}` : undefined,
          query.exerciseId ? eq(workoutLogs.exerciseId, query.exerciseId) : undefined,
        ),
      )
      .orderBy(asc(workoutLogs.exerciseId))
      .limit(query.limit + 1);
    const exerciseIds = exerciseRows.map((row) => row.exerciseId);
    const listed = exerciseIds.slice(0, query.limit);
    if (listed.length === 0) return { exerciseIds, holders: [] };
    const kind = sql<PersonalRecordKind>`kind`;
    const holders = await db
      .selectDistinctOn([workoutLogs.exerciseId, kind], {
        ...getTableColumns(workoutLogs),
        kind,
      })
      .from(workoutLogs)
      .crossJoin(sql`unnest(${workoutLogs.personalRecords}) as kind`)
      .where(
        and(eq(workoutLogs.userId, userId), isFlagged, inArray(workoutLogs.exerciseId, listed)),
      )
      .orderBy(
        asc(workoutLogs.exerciseId),
        kind,
        desc(workoutLogs.completedAt),
        desc(workoutLogs.id),
      );
    return { exerciseIds, holders };
  },
};

// Drivers return aggregates as numbers or numeric strings, and null over no values.
function normaliseMetrics(raw: Record<keyof RecordMetrics, unknown>): RecordMetrics {
  const value = (field: unknown) => (field === null || field === undefined ? null : Number(field));
  return {
    e1rm: value(raw.e1rm),
    weight: value(raw.weight),
    reps: value(raw.reps),
    volume: value(raw.volume),
  };
}
