import { and, desc, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { refreshTokenFamilies, refreshTokens, type RefreshFamilyRow } from './auth.table.js';

export type RevocationReason = 'logout' | 'logout-all' | 'password-change' | 'reuse-detected';

/** The only place that queries refresh-token families and tokens. */
export const authRepository = {
  async createFamily(
    db: Database,
    values: { userId: string; userAgent: string | null; expiresAt: Date },
  ): Promise<RefreshFamilyRow> {
    const [row] = await db.insert(refreshTokenFamilies).values(values).returning();
    if (!row) throw new Error('insert returned no row');
    return row;
  },

  async insertToken(
    db: Database,
    values: { familyId: string; tokenHash: string; expiresAt: Date },
  ): Promise<void> {
    await db.insert(refreshTokens).values(values);
  },

  /**
   * Marks an unspent token spent and returns it. The conditional UPDATE takes the row lock, so
   * of two concurrent refreshes with one token exactly one gets a row back.
   */
  async spendToken(
    db: Database,
    tokenHash: string,
  ): Promise<{ familyId: string; expiresAt: Date } | undefined> {
    const [row] = await db
      .update(refreshTokens)
      .set({ spentAt: sql`now()` })
      .where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.spentAt)))
      .returning({ familyId: refreshTokens.familyId, expiresAt: refreshTokens.expiresAt });
    return row;
  },

  async findTokenFamilyId(db: Database, tokenHash: string): Promise<string | undefined> {
    const [row] = await db
      .select({ familyId: refreshTokens.familyId })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, tokenHash))
      .limit(1);
    return row?.familyId;
  },

  async findFamily(db: Database, id: string): Promise<RefreshFamilyRow | undefined> {
    const [row] = await db
      .select()
      .from(refreshTokenFamilies)
      .where(eq(refreshTokenFamilies.id, id))
      .limit(1);
    return row;
  },

  async touchFamily(db: Database, id: string): Promise<void> {
    await db
      .update(refreshTokenFamilies)
      .set({ lastUsedAt: sql`now()` })
      .where(eq(refreshTokenFamilies.id, id));
  },

  /** Revokes live families of a user (one, all, or all but one); returns the revoked ids. */
  async revokeFamilies(
    db: Database,
    filter: { userId: string; familyId?: string; exceptFamilyId?: string },
    reason: RevocationReason,
  ): Promise<string[]> {
    const rows = await db
      .update(refreshTokenFamilies)
      .set({ revokedAt: sql`now()`, revokedReason: reason })
      .where(
        and(
          eq(refreshTokenFamilies.userId, filter.userId),
          isNull(refreshTokenFamilies.revokedAt),
          filter.familyId ? eq(refreshTokenFamilies.id, filter.familyId) : undefined,
          filter.exceptFamilyId ? ne(refreshTokenFamilies.id, filter.exceptFamilyId) : undefined,
        ),
      )
      .returning({ id: refreshTokenFamilies.id });
    return rows.map((row) => row.id);
  },

  async listFamilies(db: Database, userId: string): Promise<RefreshFamilyRow[]> {
    return db
      .select()
      .from(refreshTokenFamilies)
      .where(eq(refreshTokenFamilies.userId, userId))
      .orderBy(desc(refreshTokenFamilies.createdAt));
  },
};
