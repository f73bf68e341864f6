import { and, asc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { keysetPage, type Page, type PageRequest } from '../../db/keyset-page.js';
import { users } from '../users/users.table.js';
import { branches, gymSessions, type GymSessionRow } from './gym-floor.table.js';

/** Ends sessions on the database clock: end time now, duration in whole minutes. */
const ending = (status: 'completed' | 'expired') => ({
  status,
  endTime: sql`now()`,
  duration: sql`round(extract(epoch from (now() - ${gymSessions.startTime})) / 60)::int`,
});

/** The only place that queries gym sessions. */
export const gymSessionsRepository = {
  /** Starts a session; the partial unique index refuses a second active one for the user. */
  async insertActive(db: Database, userId: string, branchId: string): Promise<GymSessionRow> {
    const [row] = await db.insert(gymSessions).values({ userId, branchId }).returning();
    if (!row) throw new Error('insert returned no row');
    return row;
  },

  async findActive(db: Database, userId: string): Promise<GymSessionRow | undefined> {
    const [row] = await db
      .select()
      .from(gymSessions)
      .where(and(eq(gymSessions.userId, userId), eq(gymSessions.status, 'active')))
      .limit(1);
    return row;
  },

  /**
   * The user's active session, locked until the transaction ends. Everything that ends a session
   * (check-out, expiry, leaving the branch) updates this row, so it waits for the lock holder to
   * commit, and a lock taken after the session ended finds no active row: whoever takes a machine
   * under this lock knows the session outlives the link, or is ended after it and frees the machine.
   */
  async lockActive(db: Database, userId: string): Promise<GymSessionRow | undefined> {
    const [row] = await db
      .select()
      .from(gymSessions)
      .where(and(eq(gymSessions.userId, userId), eq(gymSessions.status, 'active')))
      .limit(1)
      .for('update');
    return row;
  },

  /** Completes the user's active session, only if it is at `branchId` when one is given. */
  async complete(
    db: Database,
    userId: string,
    atBranchId?: string,
  ): Promise<GymSessionRow | undefined> {
    const filters: SQL[] = [eq(gymSessions.userId, userId), eq(gymSessions.status, 'active')];
    if (atBranchId) filters.push(eq(gymSessions.branchId, atBranchId));
    const [row] = await db
      .update(gymSessions)
      .set(ending('completed'))
      .where(and(...filters))
      .returning();
    return row;
  },

  /** Expires active sessions started more than `seconds` ago. */
  async expireOlderThan(db: Database, seconds: number): Promise<GymSessionRow[]> {
    return db
      .update(gymSessions)
      .set(ending('expired'))
      .where(
        and(
          eq(gymSessions.status, 'active'),
          sql`${gymSessions.startTime} < now() - make_interval(secs => ${seconds})`,
        ),
      )
      .returning();
  },

  /** Adds the machine to the session's `machinesUsed` once. */
  async addMachineUsed(db: Database, sessionId: string, machineId: string): Promise<void> {
    await db
      .update(gymSessions)
      .set({
        machinesUsed: sql`case when ${machineId}::uuid = any(${gymSessions.machinesUsed}) then ${gymSessions.machinesUsed} else array_append(${gymSessions.machinesUsed}, ${machineId}::uuid) end`,
      })
      .where(eq(gymSessions.id, sessionId));
  },

  /** The user's sessions, newest first, optionally those started within [from, to]. */
  async list(
    db: Database,
    userId: string,
    query: PageRequest & { from?: Date; to?: Date },
  ): Promise<Page<GymSessionRow>> {
    const page = keysetPage(gymSessions, { by: 'startTime', direction: 'desc' }, query);
    const filters: (SQL | undefined)[] = [eq(gymSessions.userId, userId), page.where];
    if (query.from) filters.push(gte(gymSessions.startTime, query.from));
    if (query.to) filters.push(lte(gymSessions.startTime, query.to));
    return page.fetch(
      db
        .select()
        .from(gymSessions)
        .where(and(...filters)),
    );
  },

  async allOf(db: Database, userId: string): Promise<GymSessionRow[]> {
    return db
      .select()
      .from(gymSessions)
      .where(eq(gymSessions.userId, userId))
      .orderBy(asc(gymSessions.startTime), asc(gymSessions.id));
  },

  /**
   * The member's local time zone in one query: the zone of the branch they are checked in at,
   * else their profile's home zone, else UTC (undefined when there is no such member).
   */
  async memberTimezone(db: Database, userId: string): Promise<string | undefined> {
    const [row] = await db
      .select({
        timezone: sql<string>`coalesce(${branches.timezone}, ${users.profile} ->> 'timezone', 'UTC')`,
      })
      .from(users)
      .leftJoin(
        gymSessions,
        and(eq(gymSessions.userId, users.id), eq(gymSessions.status, 'active')),
      )
      .leftJoin(branches, eq(branches.id, gymSessions.branchId))
      .where(eq(users.id, userId))
      .limit(1);
    return row?.timezone;
  },
};
