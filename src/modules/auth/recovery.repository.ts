import { and, count, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { refreshTokenFamilies } from './auth.table.js';
import {
  accountTokens,
  mailOutbox,
  mfaRecoveryCodes,
  totpCredentials,
  type AccountTokenPurpose,
  type AccountTokenRow,
  type MailKind,
  type MailOutboxRow,
  type TotpCredentialRow,
} from './recovery.table.js';

/** The only place that queries email tokens, the mail outbox and second factors. */
export const recoveryRepository = {
  /** Replaces the account's live token of this purpose: the older one dies with it. */
  async replaceToken(
    db: Database,
    values: {
      userId: string;
      purpose: AccountTokenPurpose;
      tokenHash: string;
      email: string;
      ttlSeconds: number;
    },
  ): Promise<void> {
    const { ttlSeconds, ...row } = values;
    await db
      .delete(accountTokens)
      .where(and(eq(accountTokens.userId, row.userId), eq(accountTokens.purpose, row.purpose)));
    // Issued and expiring by the database clock, like every check of it.
    await db
      .insert(accountTokens)
      .values({ ...row, expiresAt: sql`now() + make_interval(secs => ${ttlSeconds})` });
  },

  /**
   * Deletes and returns a live token: of concurrent uses of one token exactly one gets the
   * row, and a used token no longer exists.
   */
  async consumeToken(
    db: Database,
    purpose: AccountTokenPurpose,
    tokenHash: string,
  ): Promise<AccountTokenRow | undefined> {
    const [row] = await db
      .delete(accountTokens)
      .where(
        and(
          eq(accountTokens.tokenHash, tokenHash),
          eq(accountTokens.purpose, purpose),
          gt(accountTokens.expiresAt, sql`now()`),
        ),
      )
      .returning();
    return row;
  },

  async deleteTokens(db: Database, userId: string, purpose: AccountTokenPurpose): Promise<void> {
    await db
      .delete(accountTokens)
      .where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose)));
  },

  /** When the account's live token of this purpose was issued, if it has one. */
  async latestTokenIssuedAt(
    db: Database,
    userId: string,
    purpose: AccountTokenPurpose,
  ): Promise<Date | undefined> {
    const [row] = await db
      .select({ createdAt: accountTokens.createdAt })
      .from(accountTokens)
      .where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose)))
      .limit(1);
    return row?.createdAt;
  },

  async deleteExpiredTokens(db: Database): Promise<number> {
    const rows = await db
      .delete(accountTokens)
      .where(lt(accountTokens.expiresAt, sql`now()`))
      .returning({ id: accountTokens.id });
    return rows.length;
  },

  async queueMail(
    db: Database,
    values: {
      kind: MailKind;
      userId: string | null;
      recipient: string;
      data?: Record<string, string>;
    },
  ): Promise<void> {
    await db.insert(mailOutbox).values(values);
  },

  /** Whether a message of this kind to the account was queued within the last seconds. */
  async queuedMailWithin(
    db: Database,
    userId: string,
    kind: MailKind,
    seconds: number,
  ): Promise<boolean> {
    const [row] = await db
      .select({ id: mailOutbox.id })
      .from(mailOutbox)
      .where(
        and(
          eq(mailOutbox.userId, userId),
          eq(mailOutbox.kind, kind),
          gt(mailOutbox.createdAt, sql`now() - make_interval(secs => ${seconds})`),
        ),
      )
      .limit(1);
    return row !== undefined;
  },

  /** Marks up to `limit` undispatched messages dispatched and returns their ids, oldest first. */
  async takeUndispatched(db: Database, limit: number): Promise<string[]> {
    const rows = await db
      .update(mailOutbox)
      .set({ dispatchedAt: sql`now()` })
      .where(
        sql`${mailOutbox.id} in (select ${mailOutbox.id} from ${mailOutbox} where ${isNull(
          mailOutbox.dispatchedAt,
        )} order by ${mailOutbox.createdAt} limit ${limit} for update skip locked)`,
      )
      .returning({ id: mailOutbox.id });
    return rows.map((row) => row.id);
  },

  /** Puts messages back for the next dispatch (their jobs could not be queued). */
  async undispatch(db: Database, ids: string[]): Promise<void> {
    for (const id of ids) {
      await db.update(mailOutbox).set({ dispatchedAt: null }).where(eq(mailOutbox.id, id));
    }
  },

  async findMail(db: Database, id: string): Promise<MailOutboxRow | undefined> {
    const [row] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, id)).limit(1);
    return row;
  },

  async deleteMail(db: Database, id: string): Promise<void> {
    await db.delete(mailOutbox).where(eq(mailOutbox.id, id));
  },

  /**
   * Messages whose delivery gave up long ago (their jobs failed every retry); dispatched
   * messages still in the table after `olderThanSeconds` are dropped.
   */
  async deleteStaleMail(db: Database, olderThanSeconds: number): Promise<number> {
    const rows = await db
      .delete(mailOutbox)
      .where(lt(mailOutbox.createdAt, sql`now() - make_interval(secs => ${olderThanSeconds})`))
      .returning({ id: mailOutbox.id });
    return rows.length;
  },

  async findTotp(db: Database, userId: string): Promise<TotpCredentialRow | undefined> {
    const [row] = await db
      .select()
      .from(totpCredentials)
      .where(eq(totpCredentials.userId, userId))
      .limit(1);
    return row;
  },

  /** Starts (or restarts) an enrolment: an unconfirmed seed replaces any unconfirmed one. */
  async startTotpEnrolment(db: Database, userId: string, secretSealed: string): Promise<boolean> {
    const rows = await db
      .insert(totpCredentials)
      .values({ userId, secretSealed })
      .onConflictDoUpdate({
        target: totpCredentials.userId,
        set: { secretSealed, lastUsedStep: null, createdAt: sql`now()` },
        setWhere: isNull(totpCredentials.confirmedAt),
      })
      .returning({ userId: totpCredentials.userId });
    return rows.length > 0;
  },

  /**
   * Accepts a code's time step once: the step must be later than every step accepted before,
   * checked and recorded in one statement, so two requests with one code cannot both pass.
   */
  async acceptTotpStep(
    db: Database,
    userId: string,
    step: number,
    options: { confirm: boolean },
  ): Promise<boolean> {
    const rows = await db
      .update(totpCredentials)
      .set({
        lastUsedStep: step,
        ...(options.confirm && {
          confirmedAt: sql`coalesce(${totpCredentials.confirmedAt}, now())`,
        }),
      })
      .where(
        and(
          eq(totpCredentials.userId, userId),
          or(isNull(totpCredentials.lastUsedStep), lt(totpCredentials.lastUsedStep, step)),
        ),
      )
      .returning({ userId: totpCredentials.userId });
    return rows.length > 0;
  },

  async resealTotp(db: Database, userId: string, secretSealed: string): Promise<void> {
    await db
      .update(totpCredentials)
      .set({ secretSealed })
      .where(eq(totpCredentials.userId, userId));
  },

  async deleteTotp(db: Database, userId: string): Promise<void> {
    await db.delete(totpCredentials).where(eq(totpCredentials.userId, userId));
    await db.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
  },

  async replaceRecoveryCodes(db: Database, userId: string, codeHashes: string[]): Promise<void> {
    await db.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
    await db.insert(mfaRecoveryCodes).values(codeHashes.map((codeHash) => ({ userId, codeHash })));
  },

  /** Spends an unused recovery code; true for exactly one of concurrent uses. */
  async spendRecoveryCode(db: Database, userId: string, codeHash: string): Promise<boolean> {
    const rows = await db
      .update(mfaRecoveryCodes)
      .set({ usedAt: sql`now()` })
      .where(
        and(
          eq(mfaRecoveryCodes.userId, userId),
          eq(mfaRecoveryCodes.codeHash, codeHash),
          isNull(mfaRecoveryCodes.usedAt),
        ),
      )
      .returning({ id: mfaRecoveryCodes.id });
    return rows.length > 0;
  },

  async countUnusedRecoveryCodes(db: Database, userId: string): Promise<number> {
    const [row] = await db
      .select({ n: count() })
      .from(mfaRecoveryCodes)
      .where(and(eq(mfaRecoveryCodes.userId, userId), isNull(mfaRecoveryCodes.usedAt)));
    return row?.n ?? 0;
  },

  /** Records that the session has just proved every factor of its account. */
  async markReauthenticated(db: Database, familyId: string): Promise<Date | undefined> {
    const [row] = await db
      .update(refreshTokenFamilies)
      .set({ reauthenticatedAt: sql`now()` })
      .where(and(eq(refreshTokenFamilies.id, familyId), isNull(refreshTokenFamilies.revokedAt)))
      .returning({ at: refreshTokenFamilies.reauthenticatedAt });
    return row?.at;
  },

  /** Whether the session proved every factor within the last `windowSeconds`. */
  async reauthenticatedWithin(
    db: Database,
    familyId: string,
    windowSeconds: number,
  ): Promise<boolean> {
    const [row] = await db
      .select({ id: refreshTokenFamilies.id })
      .from(refreshTokenFamilies)
      .where(
        and(
          eq(refreshTokenFamilies.id, familyId),
          gt(
            refreshTokenFamilies.reauthenticatedAt,
            sql`now() - make_interval(secs => ${windowSeconds})`,
          ),
        ),
      )
      .limit(1);
    return row !== undefined;
  },
};
