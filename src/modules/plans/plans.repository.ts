import { and, asc, desc, eq, ne } from 'drizzle-orm';
import type { BuildColumns } from 'drizzle-orm';
import type { PgTableWithColumns } from 'drizzle-orm/pg-core';
import type { Database } from '../../db/database.js';
import { keysetPage, type Page, type PageRequest } from '../../db/keyset-page.js';
import type { planColumns } from './plans.table.js';

/** Any table built from `planColumns()`, whatever columns of its own it adds. */
export type PlanTable = PgTableWithColumns<{
  name: string;
  schema: undefined;
  columns: BuildColumns<string, ReturnType<typeof planColumns<unknown>>, 'pg'>;
  dialect: 'pg';
}>;

/** The queries every plan table answers, for rows of type `Row`. */
export interface PlanRepository<Row, NewRow> {
  insert(db: Database, values: NewRow): Promise<Row>;
  /** A plan of this user; another user's id finds nothing. */
  find(db: Database, userId: string, id: string): Promise<Row | undefined>;
  findActive(db: Database, userId: string): Promise<Row | undefined>;
  /** The newest plan of the user generated from these inputs (the stored-plan fallback). */
  latestFor(db: Database, userId: string, requestHash: string): Promise<Row | undefined>;
  /** The user's plans, newest first. */
  list(db: Database, userId: string, page: PageRequest): Promise<Page<Row>>;
  /** Every plan of the user, oldest first (their data export). */
  allOf(db: Database, userId: string): Promise<Row[]>;
  /** Makes one plan the user's active one; the others stop being active. */
  activate(db: Database, userId: string, id: string): Promise<Row | undefined>;
}

/** The only place that queries a plan table: the shared queries, built for `table`. */
export function planRepository<T extends PlanTable>(
  table: T,
): PlanRepository<T['$inferSelect'], T['$inferInsert']> {
  type Row = T['$inferSelect'];
  // Queries go through the shared columns; `select()` still returns every column of `table`,
  // so each result is a whole `Row` of the concrete table.
  const plans: PlanTable = table;
  const whole = (rows: PlanTable['$inferSelect'][]) => rows as Row[];
  const ofUser = (userId: string, id: string) => and(eq(plans.id, id), eq(plans.userId, userId));

  return {
    async insert(db, values) {
      const [row] = whole(await db.insert(plans).values(values).returning());
      if (!row) throw new Error('insert returned no row');
      return row;
    },

    async find(db, userId, id) {
      const [row] = whole(await db.select().from(plans).where(ofUser(userId, id)).limit(1));
      return row;
    },

    async findActive(db, userId) {
      const [row] = whole(
        await db
          .select()
          .from(plans)
          .where(and(eq(plans.userId, userId), eq(plans.isActive, true)))
          .limit(1),
      );
      return row;
    },

    async latestFor(db, userId, requestHash) {
      const [row] = whole(
        await db
          .select()
          .from(plans)
          .where(and(eq(plans.userId, userId), eq(plans.requestHash, requestHash)))
          .orderBy(desc(plans.createdAt), desc(plans.id))
          .limit(1),
      );
      return row;
    },

    async list(db, userId, request) {
      const page = keysetPage(plans, { by: 'createdAt', direction: 'desc' }, request);
      return page.fetch(
        db
          .select()
          .from(plans)
          .where(and(eq(plans.userId, userId), page.where)),
      );
    },

    async allOf(db, userId) {
      return whole(
        await db
          .select()
          .from(plans)
          .where(eq(plans.userId, userId))
          .orderBy(asc(plans.createdAt), asc(plans.id)),
      );
    },

    async activate(db, userId, id) {
      const now = new Date();
      await db
        .update(plans)
        .set({ isActive: false, updatedAt: now })
        .where(and(eq(plans.userId, userId), eq(plans.isActive, true), ne(plans.id, id)));
      const [row] = whole(
        await db
          .update(plans)
          .set({ isActive: true, updatedAt: now })
          .where(ofUser(userId, id))
          .returning(),
      );
      return row;
    },
  };
}
