import { and, asc, eq, getTableColumns, inArray, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { keysetPage, type Page, type PageRequest } from '../../db/keyset-page.js';
import type { MachineTelemetry } from './gym-floor.schemas.js';
import {
  machineLinks,
  machineMaintenanceLog,
  machines,
  type MachineLinkEndReason,
  type MachineLinkRow,
  type MachineRow,
  type MachineStatus,
  type MachineType,
  type MaintenanceEntryRow,
} from './gym-floor.table.js';

/** What a released machine goes back to: free, with no member's data left on it. */
const released = {
  currentUserId: null,
  linkedAt: null,
  lastActivityAt: null,
  telemetry: null,
} as const;

/** `now() - seconds`, on the database clock that every instance shares. */
const secondsAgo = (seconds: number) => sql`now() - make_interval(secs => ${seconds})`;

/** A machine released by a change, with the member who held it. */
export interface ReleasedMachine {
  machine: MachineRow;
  previousUserId: string | null;
}

/** What a heartbeat needs back: whether the machine was offline, and what to answer. */
export type HeartbeatOutcome = Pick<
  MachineRow,
  'id' | 'status' | 'currentUserId' | 'lastHeartbeat'
>;

function prepareHeartbeat(db: Database) {
  return db
    .update(machines)
    .set({
      lastHeartbeat: sql`now()`,
      telemetry: sql`coalesce(${sql.placeholder('telemetry')}::jsonb, ${machines.telemetry})`,
      lastActivityAt: sql`case when ${sql.placeholder('moving')}::boolean and ${machines.status} = 'occupied' then now() else ${machines.lastActivityAt} end`,
    })
    .where(eq(machines.id, sql.placeholder('id')))
    .returning({
      id: machines.id,
      status: machines.status,
      currentUserId: machines.currentUserId,
      lastHeartbeat: machines.lastHeartbeat,
    })
    .prepare('machines_record_heartbeat');
}
const preparedHeartbeat = new WeakMap<Database, ReturnType<typeof prepareHeartbeat>>();

/** The only place that queries machines and their maintenance log. */
export const machinesRepository = {
  async insert(db: Database, values: typeof machines.$inferInsert): Promise<MachineRow> {
    const [row] = await db.insert(machines).values(values).returning();
    if (!row) throw new Error('insert returned no row');
    return row;
  },

  async findById(db: Database, id: string): Promise<MachineRow | undefined> {
    const [row] = await db.select().from(machines).where(eq(machines.id, id)).limit(1);
    return row;
  },

  async findByQrCode(db: Database, qrCode: string): Promise<MachineRow | undefined> {
    const [row] = await db.select().from(machines).where(eq(machines.qrCode, qrCode)).limit(1);
    return row;
  },

  async findHeldBy(db: Database, userId: string): Promise<MachineRow | undefined> {
    const [row] = await db
      .select()
      .from(machines)
      .where(eq(machines.currentUserId, userId))
      .limit(1);
    return row;
  },

  async findByDeviceKeyHash(db: Database, hash: string): Promise<MachineRow | undefined> {
    const [row] = await db.select().from(machines).where(eq(machines.deviceKeyHash, hash)).limit(1);
    return row;
  },

  async list(
    db: Database,
    branchId: string,
    query: PageRequest<string> & { status?: MachineStatus; type?: MachineType },
  ): Promise<Page<MachineRow>> {
    const page = keysetPage(machines, { by: 'name', direction: 'asc' }, query);
    const filters: (SQL | undefined)[] = [eq(machines.branchId, branchId), page.where];
    if (query.status) filters.push(eq(machines.status, query.status));
    if (query.type) filters.push(eq(machines.type, query.type));
    return page.fetch(
      db
        .select()
        .from(machines)
        .where(and(...filters)),
    );
  },

  async update(
    db: Database,
    id: string,
    values: Partial<Pick<MachineRow, 'name' | 'location' | 'deviceKeyHash'>>,
  ): Promise<MachineRow | undefined> {
    const [row] = await db
      .update(machines)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(machines.id, id))
      .returning();
    return row;
  },

  /**
   * Deletes the machine, closing its open link (`machine-removed`) first, inside the caller's
   * transaction. The machine's row is locked before the link is closed, so a link committing in
   * between cannot leave an open history row behind a machine that is gone.
   */
  async delete(tx: Database, id: string): Promise<boolean> {
    const [locked] = await tx
      .select({ id: machines.id })
      .from(machines)
      .where(eq(machines.id, id))
      .for('update');
    if (!locked) return false;
    await closeOpenLinks(tx, [id], 'machine-removed');
    const deleted = await tx
      .delete(machines)
      .where(eq(machines.id, id))
      .returning({ id: machines.id });
    return deleted.length > 0;
  },

  /**
   * Gives the machine to the user if, at the moment its row is locked, it is available. Racing
   * requests queue on the row lock and re-check the condition, so exactly one of them wins.
   * The link's history row is opened by the same statement, starting at `linkedAt`.
   */
  async occupy(db: Database, machineId: string, userId: string): Promise<MachineRow | undefined> {
    const taken = db.$with('taken').as(
      db
        .update(machines)
        .set({
          status: 'occupied',
          currentUserId: userId,
          linkedAt: sql`now()`,
          lastActivityAt: sql`now()`,
          updatedAt: sql`now()`,
        })
        .where(and(eq(machines.id, machineId), eq(machines.status, 'available')))
        .returning(),
    );
    const opened = db.$with('opened').as(
      db
        .insert(machineLinks)
        .select(
          db
            .select({
              id: sql`gen_random_uuid()`.as('id'),
              machineId: taken.id,
              branchId: taken.branchId,
              userId: taken.currentUserId,
              machineType: taken.type,
              startedAt: taken.linkedAt,
              endedAt: sql`null::timestamptz`.as('ended_at'),
              endReason: sql`null::text`.as('end_reason'),
            })
            .from(taken),
        )
        .returning({ id: machineLinks.id }),
    );
    const [row] = await db.with(taken, opened).select().from(taken);
    return row;
  },

  /** Releases whatever machine the users hold (except one), e.g. before linking another. */
  async releaseHeldBy(
    db: Database,
    userIds: string[],
    reason: MachineLinkEndReason,
    exceptMachineId?: string,
  ): Promise<ReleasedMachine[]> {
    if (userIds.length === 0) return [];
    const filters: SQL[] = [inArray(machines.currentUserId, userIds)];
    if (exceptMachineId) filters.push(ne(machines.id, exceptMachineId));
    return releaseWhere(db, and(...filters), 'available', reason);
  },

  /** Releases the machine only if `userId` still holds it (guards against a concurrent change). */
  async releaseIfHeldBy(
    db: Database,
    machineId: string,
    userId: string,
    reason: MachineLinkEndReason,
  ): Promise<ReleasedMachine | undefined> {
    const [row] = await releaseWhere(
      db,
      and(eq(machines.id, machineId), eq(machines.currentUserId, userId)),
      'available',
      reason,
    );
    return row;
  },

  /**
   * Puts the machine into maintenance or back into service. Going into maintenance releases the
   * member using it; going back makes it available only from maintenance (an offline machine
   * comes back by its own heartbeat).
   */
  async setServiceStatus(
    db: Database,
    machineId: string,
    status: 'maintenance' | 'available',
  ): Promise<ReleasedMachine | undefined> {
    const from: MachineStatus[] =
      status === 'maintenance' ? ['available', 'occupied', 'offline'] : ['maintenance'];
    const [row] = await releaseWhere(
      db,
      and(eq(machines.id, machineId), inArray(machines.status, from)),
      status,
      'maintenance',
    );
    return row;
  },

  /**
   * Records a heartbeat: its time, the telemetry if sent, and activity when the telemetry shows
   * the machine in motion while a member holds it. One prepared statement: heartbeats are the
   * most frequent write, and building the query each time cost more than running it.
   */
  async recordHeartbeat(
    db: Database,
    machineId: string,
    telemetry: MachineTelemetry | undefined,
    moving: boolean,
  ): Promise<HeartbeatOutcome | undefined> {
    let query = preparedHeartbeat.get(db);
    if (!query) {
      query = prepareHeartbeat(db);
      preparedHeartbeat.set(db, query);
    }
    const [row] = await query.execute({
      id: machineId,
      // As JSON text, which both drivers pass through unchanged to the ::jsonb cast.
      telemetry: telemetry ? JSON.stringify(telemetry) : null,
      moving,
    });
    return row;
  },

  /** An offline machine that is heard from again becomes available; undefined if it was not offline. */
  async markOnline(db: Database, machineId: string): Promise<MachineRow | undefined> {
    const [row] = await db
      .update(machines)
      .set({ status: 'available', updatedAt: sql`now()` })
      .where(and(eq(machines.id, machineId), eq(machines.status, 'offline')))
      .returning();
    return row;
  },

  /** Marks in-service machines silent for longer than `seconds` offline, releasing their members. */
  async markSilentOffline(db: Database, seconds: number): Promise<ReleasedMachine[]> {
    return releaseWhere(
      db,
      and(
        inArray(machines.status, ['available', 'occupied']),
        sql`coalesce(${machines.lastHeartbeat}, ${machines.createdAt}) < ${secondsAgo(seconds)}`,
      ),
      'offline',
      'offline',
    );
  },

  /** Releases links with no activity for longer than `seconds`. */
  async releaseIdleLinks(db: Database, seconds: number): Promise<ReleasedMachine[]> {
    return releaseWhere(
      db,
      and(
        eq(machines.status, 'occupied'),
        sql`${machines.lastActivityAt} < ${secondsAgo(seconds)}`,
      ),
      'available',
      'idle',
    );
  },

  /** Every link of the member, oldest first (their data export). */
  async linksOf(db: Database, userId: string): Promise<MachineLinkRow[]> {
    return db
      .select()
      .from(machineLinks)
      .where(eq(machineLinks.userId, userId))
      .orderBy(asc(machineLinks.startedAt), asc(machineLinks.id));
  },

  /** Notes activity on the machine the user holds (workout progress while linked). */
  async touchHeldBy(db: Database, userId: string): Promise<void> {
    await db
      .update(machines)
      .set({ lastActivityAt: sql`now()` })
      .where(eq(machines.currentUserId, userId));
  },

  async addMaintenanceEntry(
    db: Database,
    values: typeof machineMaintenanceLog.$inferInsert,
  ): Promise<MaintenanceEntryRow> {
    const [row] = await db.insert(machineMaintenanceLog).values(values).returning();
    if (!row) throw new Error('insert returned no row');
    return row;
  },

  /** Newest first. */
  async listMaintenance(
    db: Database,
    machineId: string,
    query: PageRequest,
  ): Promise<Page<MaintenanceEntryRow>> {
    const page = keysetPage(machineMaintenanceLog, { by: 'createdAt', direction: 'desc' }, query);
    return page.fetch(
      db
        .select()
        .from(machineMaintenanceLog)
        .where(and(eq(machineMaintenanceLog.machineId, machineId), page.where)),
    );
  },
};

/**
 * The end of a link released now: the transaction's time, like the machine's `updatedAt`. A
 * transaction that began before a racing link committed would end that link before it started;
 * such a link ends when it started instead (it never lasted, as far as the releaser saw).
 */
const linkEndsNow = sql`greatest(now(), ${machineLinks.startedAt})`;

/** Ends the open links of the machines, now, for `reason`. */
async function closeOpenLinks(
  db: Database,
  machineIds: string[],
  reason: MachineLinkEndReason,
): Promise<void> {
  await db
    .update(machineLinks)
    .set({ endedAt: linkEndsNow, endReason: reason })
    .where(and(inArray(machineLinks.machineId, machineIds), isNull(machineLinks.endedAt)));
}

/**
 * Sets the matching machines to `status` with no member on them, closes their open links for
 * `reason`, and returns them with the member each held, in one statement (so even a caller
 * outside a transaction never frees a machine without ending its history row): the subquery
 * locks the rows (re-checking the condition once a concurrent change to them has committed)
 * and hands the previous holder to RETURNING, which only sees the new values.
 */
async function releaseWhere(
  db: Database,
  condition: SQL | undefined,
  status: MachineStatus,
  reason: MachineLinkEndReason,
): Promise<ReleasedMachine[]> {
  const previous = db
    .select({ id: machines.id, previousUserId: machines.currentUserId })
    .from(machines)
    .where(condition)
    .for('update')
    .as('previous');
  const freed = db.$with('freed').as(
    db
      .update(machines)
      .set({ ...released, status, updatedAt: sql`now()` })
      .from(previous)
      .where(eq(machines.id, previous.id))
      .returning({
        ...getTableColumns(machines),
        previousUserId: sql<string | null>`${previous.previousUserId}`.as('previous_user_id'),
      }),
  );
  const closed = db.$with('closed').as(
    db
      .update(machineLinks)
      .set({ endedAt: linkEndsNow, endReason: reason })
      .from(freed)
      .where(and(eq(machineLinks.machineId, freed.id), isNull(machineLinks.endedAt)))
      .returning({ id: machineLinks.id }),
  );
  const rows = await db.with(freed, closed).select().from(freed);
  return rows.map(({ previousUserId, ...machine }) => ({ machine, previousUserId }));
}
