import { and, asc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { deletedRecords, type DeletedRecordRow } from '../../db/deleted-records.table.js';
import { keysetPage, type Page, type PageRequest } from '../../db/keyset-page.js';
import type { Cursor } from '../../lib/http/cursor.js';
import { mealLogs, type MealLogRow, type MealType, type NewMealLogRow } from './meal-logs.table.js';

/** The macro columns summed over a day. */
export interface MacroSums {
  calories: number;
  protein: number;
  carbs: number;
  fat: number;
}

const ownedBy = (userId: string, id: string) =>
  and(eq(mealLogs.userId, userId), eq(mealLogs.id, id));

/** `(time, id) > (cursor)`: the rows after a position of a stream ordered by (time, id). */
const after = (time: SQL | typeof mealLogs.updatedAt, id: SQL | typeof mealLogs.id, at: Cursor) =>
  sql`(${time}, ${id}) > (${at.at.toISOString()}::timestamptz, ${at.id}::uuid)`;

/** The only place that queries logged meals and their tombstones. */
export const mealLogsRepository = {
  async insert(db: Database, rows: NewMealLogRow[]): Promise<MealLogRow[]> {
    if (rows.length === 0) return [];
    return db.insert(mealLogs).values(rows).returning();
  },

  async find(db: Database, userId: string, id: string): Promise<MealLogRow | undefined> {
    const [row] = await db.select().from(mealLogs).where(ownedBy(userId, id)).limit(1);
    return row;
  },

  /** The member's meal, locked until the transaction ends (an update reads what it replaces). */
  async findForUpdate(db: Database, userId: string, id: string): Promise<MealLogRow | undefined> {
    const [row] = await db
      .select()
      .from(mealLogs)
      .where(ownedBy(userId, id))
      .limit(1)
      .for('update');
    return row;
  },

  /** Changes the member's meal; `updatedAt` becomes the transaction's time (the sync order). */
  async update(
    db: Database,
    userId: string,
    id: string,
    changes: Partial<Omit<NewMealLogRow, 'id' | 'userId' | 'createdAt' | 'updatedAt'>>,
  ): Promise<MealLogRow | undefined> {
    const [row] = await db
      .update(mealLogs)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(ownedBy(userId, id))
      .returning();
    return row;
  },

  /** Deletes the member's meal and leaves its tombstone for syncing phones, returning the meal. */
  async delete(db: Database, userId: string, id: string): Promise<MealLogRow | undefined> {
    const [row] = await db.delete(mealLogs).where(ownedBy(userId, id)).returning();
    if (!row) return undefined;
    await db.insert(deletedRecords).values({ userId, kind: 'meal-log', recordId: id });
    return row;
  },

  /** The member's meals of a local day by time, optionally of some types only. */
  async ofDay(
    db: Database,
    userId: string,
    day: string,
    options: { mealTypes?: readonly MealType[]; limit: number },
  ): Promise<MealLogRow[]> {
    const filters: SQL[] = [eq(mealLogs.userId, userId), eq(mealLogs.day, day)];
    if (options.mealTypes) filters.push(inArray(mealLogs.mealType, [...options.mealTypes]));
    return db
      .select()
      .from(mealLogs)
      .where(and(...filters))
      .orderBy(asc(mealLogs.consumedAt), asc(mealLogs.id))
      .limit(options.limit);
  },

  /** Macro sums of every meal of the member's local day (zero without meals). */
  async dayTotals(db: Database, userId: string, day: string): Promise<MacroSums> {
    const [row] = await db
      .select({
        calories: sql<number>`coalesce(sum(${mealLogs.calories}), 0)::float8`.mapWith(Number),
        protein: sql<number>`coalesce(sum(${mealLogs.protein}), 0)::float8`.mapWith(Number),
        carbs: sql<number>`coalesce(sum(${mealLogs.carbs}), 0)::float8`.mapWith(Number),
        fat: sql<number>`coalesce(sum(${mealLogs.fat}), 0)::float8`.mapWith(Number),
      })
      .from(mealLogs)
      .where(and(eq(mealLogs.userId, userId), eq(mealLogs.day, day)));
    return row ?? { calories: 0, protein: 0, carbs: 0, fat: 0 };
  },

  /** The member's meals of days in [from, to] (either end open), newest first. */
  async listRange(
    db: Database,
    userId: string,
    query: PageRequest & { from?: string; to?: string },
  ): Promise<Page<MealLogRow>> {
    const page = keysetPage(mealLogs, { by: 'consumedAt', direction: 'desc' }, query);
    const filters: (SQL | undefined)[] = [eq(mealLogs.userId, userId), page.where];
    if (query.from) filters.push(gte(mealLogs.day, query.from));
    if (query.to) filters.push(lte(mealLogs.day, query.to));
    return page.fetch(
      db
        .select()
        .from(mealLogs)
        .where(and(...filters)),
    );
  },

  /** Meals changed at or after `since`, past the position, by (updatedAt, id); `limit` rows. */
  async changedSince(
    db: Database,
    userId: string,
    since: Date,
    position: Cursor | undefined,
    limit: number,
  ): Promise<MealLogRow[]> {
    const filters: SQL[] = [eq(mealLogs.userId, userId), gte(mealLogs.updatedAt, since)];
    if (position) filters.push(after(mealLogs.updatedAt, mealLogs.id, position));
    return db
      .select()
      .from(mealLogs)
      .where(and(...filters))
      .orderBy(asc(mealLogs.updatedAt), asc(mealLogs.id))
      .limit(limit);
  },

  /** Meal tombstones written at or after `since`, past the position, by (deletedAt, id). */
  async deletedSince(
    db: Database,
    userId: string,
    since: Date,
    position: Cursor | undefined,
    limit: number,
  ): Promise<DeletedRecordRow[]> {
    const filters: SQL[] = [
      eq(deletedRecords.userId, userId),
      eq(deletedRecords.kind, 'meal-log'),
      gte(deletedRecords.deletedAt, since),
    ];
    if (position) {
      filters.push(
        sql`(${deletedRecords.deletedAt}, ${deletedRecords.recordId}) > (${position.at.toISOString()}::timestamptz, ${position.id}::uuid)`,
      );
    }
    return db
      .select()
      .from(deletedRecords)
      .where(and(...filters))
      .orderBy(asc(deletedRecords.deletedAt), asc(deletedRecords.recordId))
      .limit(limit);
  },

  /** The database's clock, the one `updatedAt` and `deletedAt` are written with. */
  async now(db: Database): Promise<Date> {
    const [row] = await db
      .select({ epochMs: sql<number>`(extract(epoch from now()) * 1000)::float8`.mapWith(Number) })
      .from(sql`(values (1)) as clock`);
    if (!row) throw new Error('select now() returned no row');
    return new Date(Math.floor(row.epochMs));
  },

  /** Every meal of the member, oldest first (their data export). */
  async allOf(db: Database, userId: string): Promise<MealLogRow[]> {
    return db
      .select()
      .from(mealLogs)
      .where(eq(mealLogs.userId, userId))
      .orderBy(asc(mealLogs.consumedAt), asc(mealLogs.id));
  },
};
