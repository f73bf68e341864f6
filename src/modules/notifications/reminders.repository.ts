import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import {
  reminderSchedules,
  type NewReminderScheduleRow,
  type ReminderScheduleRow,
} from './reminders.table.js';

const ownedBy = (userId: string, id: string) =>
  and(eq(reminderSchedules.userId, userId), eq(reminderSchedules.id, id));

/** A claimed schedule's new next occurrence, and the occurrence sent now if one was. */
export interface ReminderAdvance {
  id: string;
  nextFireAt: Date;
  firedAt: Date | null;
}

/** The only place that queries reminder schedules. */
export const remindersRepository = {
  /** The database clock: every instance judges what is due by the same time. */
  async now(db: Database): Promise<Date> {
    const [row] = await db
      .select({ now: sql`clock_timestamp()`.mapWith(reminderSchedules.nextFireAt) })
      .from(sql`(select 1) as clock`);
    if (!row?.now) throw new Error('the clock query returned no row');
    return row.now;
  },

  async countOf(db: Database, userId: string): Promise<number> {
    const [row] = await db
      .select({ total: count() })
      .from(reminderSchedules)
      .where(eq(reminderSchedules.userId, userId));
    return row?.total ?? 0;
  },

  async insert(db: Database, values: NewReminderScheduleRow): Promise<ReminderScheduleRow> {
    const [row] = await db.insert(reminderSchedules).values(values).returning();
    if (!row) throw new Error('the reminder was not stored');
    return row;
  },

  async listOf(db: Database, userId: string): Promise<ReminderScheduleRow[]> {
    return db
      .select()
      .from(reminderSchedules)
      .where(eq(reminderSchedules.userId, userId))
      .orderBy(asc(reminderSchedules.createdAt), asc(reminderSchedules.id));
  },

  async find(db: Database, userId: string, id: string): Promise<ReminderScheduleRow | undefined> {
    const [row] = await db.select().from(reminderSchedules).where(ownedBy(userId, id)).limit(1);
    return row;
  },

  /** The member's reminder, locked until the transaction ends (an update reads what it replaces). */
  async findForUpdate(
    db: Database,
    userId: string,
    id: string,
  ): Promise<ReminderScheduleRow | undefined> {
    const [row] = await db
      .select()
      .from(reminderSchedules)
      .where(ownedBy(userId, id))
      .limit(1)
      .for('update');
    return row;
  },

  async update(
    db: Database,
    userId: string,
    id: string,
    changes: Partial<Omit<NewReminderScheduleRow, 'id' | 'userId' | 'createdAt' | 'updatedAt'>>,
  ): Promise<ReminderScheduleRow | undefined> {
    const [row] = await db
      .update(reminderSchedules)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(ownedBy(userId, id))
      .returning();
    return row;
  },

  async delete(db: Database, userId: string, id: string): Promise<boolean> {
    const rows = await db
      .delete(reminderSchedules)
      .where(ownedBy(userId, id))
      .returning({ id: reminderSchedules.id });
    return rows.length > 0;
  },

  /** All the member's reminders, locked (their zone is about to change). */
  async lockAllOf(db: Database, userId: string): Promise<ReminderScheduleRow[]> {
    return db
      .select()
      .from(reminderSchedules)
      .where(eq(reminderSchedules.userId, userId))
      .for('update');
  },

  /**
   * Up to `limit` schedules due at `now`, earliest first, locked for this transaction. Rows
   * another transaction holds are skipped, not waited for: that transaction is sending them.
   */
  async claimDue(db: Database, now: Date, limit: number): Promise<ReminderScheduleRow[]> {
    return db
      .select()
      .from(reminderSchedules)
      .where(sql`${reminderSchedules.nextFireAt} <= ${now.toISOString()}::timestamptz`)
      .orderBy(asc(reminderSchedules.nextFireAt))
      .limit(limit)
      .for('update', { skipLocked: true });
  },

  /** Moves claimed schedules to their next occurrences in one statement. */
  async advance(db: Database, advances: ReminderAdvance[]): Promise<void> {
    if (advances.length === 0) return;
    // As JSON text, which both drivers pass through unchanged to the ::jsonb cast.
    const values = JSON.stringify(
      advances.map((entry) => ({
        id: entry.id,
        next_fire_at: entry.nextFireAt.toISOString(),
        fired_at: entry.firedAt?.toISOString() ?? null,
      })),
    );
    await db.execute(sql`
      update ${reminderSchedules} as r
      set next_fire_at = v.next_fire_at,
          last_fired_at = coalesce(v.fired_at, r.last_fired_at)
      from jsonb_to_recordset(${values}::jsonb)
        as v(id uuid, next_fire_at timestamptz, fired_at timestamptz)
      where r.id = v.id`);
  },
};
