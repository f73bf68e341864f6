import { and, asc, desc, eq, gt, inArray, isNull, lte, ne, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import {
  loginThrottles,
  refreshTokenFamilies,
  refreshTokens,
  type LoginThrottleRow,
  type RefreshFamilyRow,
} from './auth.table.js';

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
   * Spends a token that is unspent, unexpired and in a live family, and returns that family.
   * The conditional UPDATE takes the row lock, so of concurrent refreshes with one token
   * exactly one gets a row back; refused tokens are left as they were.
   */
  async spendLiveToken(db: Database, tokenHash: string): Promise<RefreshFamilyRow | undefined> {
    const [row] = await db
      .update(refreshTokens)
      .set({ spentAt: sql`now()` })
      .from(refreshTokenFamilies)
      .where(
        and(
          eq(refreshTokens.tokenHash, tokenHash),
          isNull(refreshTokens.spentAt),
          gt(refreshTokens.expiresAt, sql`now()`),
          eq(refreshTokenFamilies.id, refreshTokens.familyId),
          isNull(refreshTokenFamilies.revokedAt),
          gt(refreshTokenFamilies.expiresAt, sql`now()`),
        ),
      )
      .returning({ family: refreshTokenFamilies });
    return row?.family;
  },

  async findToken(
    db: Database,
    tokenHash: string,
  ): Promise<{ familyId: string; userId: string; spentAt: Date | null } | undefined> {
    const [row] = await db
      .select({
        familyId: refreshTokens.familyId,
        userId: refreshTokenFamilies.userId,
        spentAt: refreshTokens.spentAt,
      })
      .from(refreshTokens)
      .innerJoin(refreshTokenFamilies, eq(refreshTokenFamilies.id, refreshTokens.familyId))
      .where(eq(refreshTokens.tokenHash, tokenHash))
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

/** The only place that queries the login throttle's counters. */
export const loginThrottleRepository = {
  /**
   * Makes sure each counter has a row (the given fresh state when it had none) and locks the
   * rows until the transaction ends, always in key order so concurrent attempts cannot deadlock.
   */
  async lockCounters(
    tx: Database,
    fresh: LoginThrottleRow[],
  ): Promise<Map<string, LoginThrottleRow>> {
    const sorted = [...fresh].sort((a, b) => (a.key < b.key ? -1 : 1));
    await tx.insert(loginThrottles).values(sorted).onConflictDoNothing();
    const rows = await tx
      .select()
      .from(loginThrottles)
      .where(
        inArray(
          loginThrottles.key,
          sorted.map((row) => row.key),
        ),
      )
      .orderBy(asc(loginThrottles.key))
      .for('update');
    return new Map(rows.map((row) => [row.key, row]));
  },

  async saveCounters(tx: Database, rows: LoginThrottleRow[]): Promise<void> {
    for (const { key, ...state } of rows) {
      await tx.update(loginThrottles).set(state).where(eq(loginThrottles.key, key));
    }
  },

  async deleteCounters(db: Database, keys: string[]): Promise<void> {
    if (keys.length > 0) await db.delete(loginThrottles).where(inArray(loginThrottles.key, keys));
  },

  /** Gives back an attempt that was counted before its password was judged. */
  async takeBackAttempt(db: Database, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await db
      .update(loginThrottles)
      .set({ failures: sql`greatest(${loginThrottles.failures} - 1, 0)` })
      .where(inArray(loginThrottles.key, keys));
  },

  async deleteExpired(db: Database, now: Date): Promise<number> {
    const deleted = await db
      .delete(loginThrottles)
      .where(lte(loginThrottles.expiresAt, now))
      .returning({ key: loginThrottles.key });
    return deleted.length;
  },
};
