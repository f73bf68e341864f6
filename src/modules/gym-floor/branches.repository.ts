import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { recordCommittedChange } from '../../db/committed-changes.js';
import type { Database } from '../../db/database.js';
import { keysetPage, type Page, type PageRequest } from '../../db/keyset-page.js';
import { containsPattern } from '../../db/sql-patterns.js';
import { users } from '../users/users.table.js';
import { branchMembers, branchStaff, branches, type BranchRow } from './gym-floor.table.js';

/**
 * One user's memberships, as a named prepared statement: the guard runs it whenever it reads
 * an account from the database (PostgreSQL plans it once per connection).
 */
function prepareMembershipsOfUser(db: Database) {
  return db
    .select({
      branchId: branchMembers.branchId,
      branchName: branches.name,
      joinedAt: branchMembers.joinedAt,
    })
    .from(branchMembers)
    .innerJoin(branches, eq(branches.id, branchMembers.branchId))
    .where(eq(branchMembers.userId, sql.placeholder('userId')))
    .orderBy(asc(branchMembers.joinedAt), asc(branchMembers.branchId))
    .prepare('branch_memberships_of_user');
}
const preparedMembershipsOfUser = new WeakMap<
  Database,
  ReturnType<typeof prepareMembershipsOfUser>
>();

/** The only place that queries branches, their members and their staff. */
export const branchesRepository = {
  async insert(db: Database, values: typeof branches.$inferInsert): Promise<BranchRow> {
    const [row] = await db.insert(branches).values(values).returning();
    if (!row) throw new Error('insert returned no row');
    return row;
  },

  async findById(db: Database, id: string): Promise<BranchRow | undefined> {
    const [row] = await db.select().from(branches).where(eq(branches.id, id)).limit(1);
    return row;
  },

  async update(
    db: Database,
    id: string,
    values: Partial<Pick<BranchRow, 'name' | 'address' | 'timezone'>>,
  ): Promise<BranchRow | undefined> {
    const [row] = await db
      .update(branches)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(branches.id, id))
      .returning();
    // Members' `branches[]` show the name.
    if (row) await recordCommittedChange(db, { kind: 'branches' });
    return row;
  },

  async delete(db: Database, id: string): Promise<boolean> {
    const deleted = await db
      .delete(branches)
      .where(eq(branches.id, id))
      .returning({ id: branches.id });
    // Its memberships go with it.
    if (deleted.length > 0) await recordCommittedChange(db, { kind: 'branches' });
    return deleted.length > 0;
  },

  /** Branches by name, optionally only those whose name contains `q`. */
  async list(db: Database, query: PageRequest<string> & { q?: string }): Promise<Page<BranchRow>> {
    const page = keysetPage(branches, { by: 'name', direction: 'asc' }, query);
    const filters: (SQL | undefined)[] = [page.where];
    if (query.q) filters.push(sql`${branches.name} ilike ${containsPattern(query.q)}`);
    return page.fetch(
      db
        .select()
        .from(branches)
        .where(and(...filters)),
    );
  },

  /** Adds the membership; true when it is new, false when the user had already joined. */
  async join(db: Database, branchId: string, userId: string): Promise<boolean> {
    const inserted = await db
      .insert(branchMembers)
      .values({ branchId, userId })
      .onConflictDoNothing()
      .returning({ userId: branchMembers.userId });
    if (inserted.length > 0) await recordCommittedChange(db, { kind: 'account', userId });
    return inserted.length > 0;
  },

  async leave(db: Database, branchId: string, userId: string): Promise<boolean> {
    const deleted = await db
      .delete(branchMembers)
      .where(and(eq(branchMembers.branchId, branchId), eq(branchMembers.userId, userId)))
      .returning({ userId: branchMembers.userId });
    if (deleted.length > 0) await recordCommittedChange(db, { kind: 'account', userId });
    return deleted.length > 0;
  },

  async isMember(db: Database, branchId: string, userId: string): Promise<boolean> {
    const [row] = await db
      .select({ userId: branchMembers.userId })
      .from(branchMembers)
      .where(and(eq(branchMembers.branchId, branchId), eq(branchMembers.userId, userId)))
      .limit(1);
    return row !== undefined;
  },

  /** One user's memberships with the branch names, oldest first. */
  async membershipsOfUser(
    db: Database,
    userId: string,
  ): Promise<{ branchId: string; branchName: string; joinedAt: Date }[]> {
    let query = preparedMembershipsOfUser.get(db);
    if (!query) {
      query = prepareMembershipsOfUser(db);
      preparedMembershipsOfUser.set(db, query);
    }
    return query.execute({ userId });
  },

  /** The users' memberships with the branch names, oldest first. */
  async membershipsOf(
    db: Database,
    userIds: string[],
  ): Promise<{ userId: string; branchId: string; branchName: string; joinedAt: Date }[]> {
    if (userIds.length === 0) return [];
    return db
      .select({
        userId: branchMembers.userId,
        branchId: branchMembers.branchId,
        branchName: branches.name,
        joinedAt: branchMembers.joinedAt,
      })
      .from(branchMembers)
      .innerJoin(branches, eq(branches.id, branchMembers.branchId))
      .where(inArray(branchMembers.userId, userIds))
      .orderBy(asc(branchMembers.joinedAt), asc(branchMembers.branchId));
  },

  async assignStaff(db: Database, branchId: string, userId: string): Promise<void> {
    await db.insert(branchStaff).values({ branchId, userId }).onConflictDoNothing();
  },

  async removeStaff(db: Database, branchId: string, userId: string): Promise<boolean> {
    const deleted = await db
      .delete(branchStaff)
      .where(and(eq(branchStaff.branchId, branchId), eq(branchStaff.userId, userId)))
      .returning({ userId: branchStaff.userId });
    return deleted.length > 0;
  },

  /** Removes every branch assignment of the user; answers the branches they staffed. */
  async removeAllStaffAssignments(db: Database, userId: string): Promise<string[]> {
    const deleted = await db
      .delete(branchStaff)
      .where(eq(branchStaff.userId, userId))
      .returning({ branchId: branchStaff.branchId });
    return deleted.map((row) => row.branchId);
  },

  async isStaff(db: Database, branchId: string, userId: string): Promise<boolean> {
    const [row] = await db
      .select({ userId: branchStaff.userId })
      .from(branchStaff)
      .where(and(eq(branchStaff.branchId, branchId), eq(branchStaff.userId, userId)))
      .limit(1);
    return row !== undefined;
  },

  async listStaff(
    db: Database,
    branchId: string,
  ): Promise<{ userId: string; username: string; assignedAt: Date }[]> {
    return db
      .select({
        userId: branchStaff.userId,
        username: users.username,
        assignedAt: branchStaff.assignedAt,
      })
      .from(branchStaff)
      .innerJoin(users, eq(users.id, branchStaff.userId))
      .where(eq(branchStaff.branchId, branchId))
      .orderBy(asc(users.username));
  },
};
