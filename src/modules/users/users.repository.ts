import { and, asc, count, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import { recordCommittedChange } from '../../db/committed-changes.js';
import type { Database } from '../../db/database.js';
import { keysetPage, type Page, type PageRequest } from '../../db/keyset-page.js';
import { containsPattern } from '../../db/sql-patterns.js';
import {
  bodyCompositionEntries,
  type BodyCompositionRow,
  type NewBodyCompositionRow,
} from './body-composition.table.js';
import type { BodyCompositionSnapshot } from './users.schemas.js';
import type { Role } from '../../lib/roles.js';
import { users, type NewUserRow, type UserRow } from './users.table.js';

/**
 * The user lookup every authenticated request makes, as a named prepared statement: Drizzle
 * builds the SQL once and PostgreSQL plans it once per connection.
 */
function prepareFindById(db: Database) {
  return db
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .limit(1)
    .prepare('users_find_by_id');
}
const preparedFindById = new WeakMap<Database, ReturnType<typeof prepareFindById>>();

/** The only place that queries users and their body-composition history. */
export const usersRepository = {
  async insert(db: Database, values: NewUserRow): Promise<UserRow> {
    const [row] = await db.insert(users).values(values).returning();
    if (!row) throw new Error('insert returned no row');
    return row;
  },

  async findById(db: Database, id: string): Promise<UserRow | undefined> {
    let query = preparedFindById.get(db);
    if (!query) {
      query = prepareFindById(db);
      preparedFindById.set(db, query);
    }
    const [row] = await query.execute({ id });
    return row;
  },

  /** Looks a user up by email or username, both case-insensitively. */
  async findByLogin(db: Database, login: string): Promise<UserRow | undefined> {
    const lowered = login.toLowerCase();
    const [row] = await db
      .select()
      .from(users)
      .where(
        or(sql`lower(${users.email}) = ${lowered}`, sql`lower(${users.username}) = ${lowered}`),
      )
      .limit(1);
    return row;
  },

  /** Looks a user up by email only, case-insensitively (password reset by address). */
  async findByEmail(db: Database, email: string): Promise<UserRow | undefined> {
    const [row] = await db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = ${email.toLowerCase()}`)
      .limit(1);
    return row;
  },

  async update(
    db: Database,
    id: string,
    changes: Partial<
      Pick<
        UserRow,
        | 'username'
        | 'email'
        | 'emailVerifiedAt'
        | 'pendingEmail'
        | 'profile'
        | 'passwordHash'
        | 'role'
        | 'avatar'
      >
    >,
  ): Promise<UserRow | undefined> {
    const [row] = await db
      .update(users)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(users.id, id))
      .returning();
    if (row) await recordCommittedChange(db, { kind: 'account', userId: id });
    return row;
  },

  /** Points `activePlans` at a plan; called inside the transaction that activates it. */
  async setActivePlan(
    db: Database,
    userId: string,
    plan: { workoutPlanId: string } | { dietPlanId: string },
  ): Promise<void> {
    await db
      .update(users)
      .set({
        ...('workoutPlanId' in plan
          ? { activeWorkoutPlanId: plan.workoutPlanId }
          : { activeDietPlanId: plan.dietPlanId }),
        updatedAt: new Date(),
      })
      .where(eq(users.id, userId));
    await recordCommittedChange(db, { kind: 'account', userId });
  },

  /** Locks the row for the rest of the transaction, so read-modify-write cannot interleave. */
  async findByIdForUpdate(db: Database, id: string): Promise<UserRow | undefined> {
    const [row] = await db.select().from(users).where(eq(users.id, id)).for('update').limit(1);
    return row;
  },

  async delete(db: Database, id: string): Promise<boolean> {
    const rows = await db.delete(users).where(eq(users.id, id)).returning({ id: users.id });
    if (rows.length > 0) await recordCommittedChange(db, { kind: 'account', userId: id });
    return rows.length > 0;
  },

  /** Row-locks every admin for the rest of the transaction. */
  async lockAdmins(db: Database): Promise<void> {
    await db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.role, 'admin'))
      .orderBy(asc(users.id))
      .for('update');
  },

  async countByRole(db: Database, role: Role): Promise<number> {
    const [row] = await db.select({ n: count() }).from(users).where(eq(users.role, role));
    return row?.n ?? 0;
  },

  /** One page in creation order. */
  async list(
    db: Database,
    options: PageRequest & { q?: string; role?: Role },
  ): Promise<Page<UserRow>> {
    const page = keysetPage(users, { by: 'createdAt', direction: 'asc' }, options);
    const filters: (SQL | undefined)[] = [page.where];
    if (options.role) filters.push(eq(users.role, options.role));
    if (options.q) {
      const pattern = containsPattern(options.q);
      filters.push(or(ilike(users.username, pattern), ilike(users.email, pattern)));
    }
    return page.fetch(
      db
        .select()
        .from(users)
        .where(and(...filters)),
    );
  },

  async insertBodyComposition(
    db: Database,
    values: NewBodyCompositionRow,
  ): Promise<BodyCompositionRow> {
    const [row] = await db.insert(bodyCompositionEntries).values(values).returning();
    if (!row) throw new Error('insert returned no row');
    return row;
  },

  async latestBodyComposition(
    db: Database,
    userId: string,
  ): Promise<BodyCompositionRow | undefined> {
    const [row] = await db
      .select()
      .from(bodyCompositionEntries)
      .where(eq(bodyCompositionEntries.userId, userId))
      .orderBy(desc(bodyCompositionEntries.measuredAt), desc(bodyCompositionEntries.id))
      .limit(1);
    return row;
  },

  async setBodyCompositionSnapshot(
    db: Database,
    userId: string,
    snapshot: BodyCompositionSnapshot | null,
  ): Promise<void> {
    await db
      .update(users)
      .set({ bodyComposition: snapshot, updatedAt: new Date() })
      .where(eq(users.id, userId));
    await recordCommittedChange(db, { kind: 'account', userId });
  },

  /** History newest first, keyset-paginated on (measuredAt, id). */
  async listBodyComposition(
    db: Database,
    userId: string,
    options: PageRequest,
  ): Promise<Page<BodyCompositionRow>> {
    const page = keysetPage(
      bodyCompositionEntries,
      { by: 'measuredAt', direction: 'desc' },
      options,
    );
    return page.fetch(
      db
        .select()
        .from(bodyCompositionEntries)
        .where(and(eq(bodyCompositionEntries.userId, userId), page.where)),
    );
  },

  async allBodyComposition(db: Database, userId: string): Promise<BodyCompositionRow[]> {
    return db
      .select()
      .from(bodyCompositionEntries)
      .where(eq(bodyCompositionEntries.userId, userId))
      .orderBy(desc(bodyCompositionEntries.measuredAt), desc(bodyCompositionEntries.id));
  },
};

/** The repository's shape, for the narrow views other modules declare of it (`Pick`). */
export type UsersRepository = typeof usersRepository;
