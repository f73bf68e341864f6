import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { idempotencyKeys, type IdempotencyKeyRow } from './idempotency.table.js';

/** What a request with a key asks to hold before it runs. */
export interface IdempotencyClaim {
  scope: string;
  key: string;
  userId?: string;
  fingerprint: string;
  /** How long the record is kept (from now; the outcome restarts the clock). */
  ttlSeconds: number;
  /** How long a pending claim shuts out others before it counts as abandoned. */
  leaseSeconds: number;
}

/** The response a request with a key gave, as it is replayed. */
export interface IdempotencyOutcome {
  status: number;
  contentType?: string;
  body?: string;
}

const secondsFromNow = (seconds: number) => sql`now() + make_interval(secs => ${seconds})`;

/** Idempotency records in PostgreSQL. Every time is the database's clock, shared by instances. */
export const idempotencyRepository = {
  /**
   * Claims the key for one run: inserts a pending row, or takes over one that expired or whose
   * attempt died (pending past its lease, same request). Concurrent claims of one key meet on the
   * primary key, so exactly one gets the claim id; the others get undefined and read the row.
   */
  async claim(db: Database, claim: IdempotencyClaim): Promise<string | undefined> {
    const claimId = randomUUID();
    const [row] = await db
      .insert(idempotencyKeys)
      .values({
        scope: claim.scope,
        key: claim.key,
        userId: claim.userId,
        state: 'pending',
        claimId,
        fingerprint: claim.fingerprint,
        lockedUntil: secondsFromNow(claim.leaseSeconds),
        expiresAt: secondsFromNow(claim.ttlSeconds),
      })
      .onConflictDoUpdate({
        target: [idempotencyKeys.scope, idempotencyKeys.key],
        set: {
          userId: sql`excluded.user_id`,
          state: 'pending',
          claimId,
          fingerprint: sql`excluded.fingerprint`,
          status: null,
          contentType: null,
          body: null,
          lockedUntil: sql`excluded.locked_until`,
          expiresAt: sql`excluded.expires_at`,
          createdAt: sql`now()`,
        },
        setWhere: sql`${idempotencyKeys.expiresAt} <= now() or (${idempotencyKeys.state} = 'pending'
          and ${idempotencyKeys.lockedUntil} <= now()
          and ${idempotencyKeys.fingerprint} = excluded.fingerprint)`,
      })
      .returning({ claimId: idempotencyKeys.claimId });
    return row?.claimId;
  },

  /** The live record of a key, if any. */
  async find(db: Database, scope: string, key: string): Promise<IdempotencyKeyRow | undefined> {
    const [row] = await db
      .select()
      .from(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.scope, scope),
          eq(idempotencyKeys.key, key),
          sql`${idempotencyKeys.expiresAt} > now()`,
        ),
      );
    return row;
  },

  /** Stores the outcome of the claim's run; a claim taken over meanwhile is left alone. */
  async complete(
    db: Database,
    scope: string,
    key: string,
    claimId: string,
    outcome: IdempotencyOutcome,
    ttlSeconds: number,
  ): Promise<void> {
    await db
      .update(idempotencyKeys)
      .set({
        state: 'done',
        status: outcome.status,
        contentType: outcome.contentType ?? null,
        body: outcome.body ?? null,
        expiresAt: secondsFromNow(ttlSeconds),
      })
      .where(
        and(
          eq(idempotencyKeys.scope, scope),
          eq(idempotencyKeys.key, key),
          eq(idempotencyKeys.claimId, claimId),
        ),
      );
  },

  /** Gives the key up (the run failed on our side), so the request may be tried again. */
  async release(db: Database, scope: string, key: string, claimId: string): Promise<void> {
    await db
      .delete(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.scope, scope),
          eq(idempotencyKeys.key, key),
          eq(idempotencyKeys.claimId, claimId),
        ),
      );
  },

  /** Deletes up to `limit` expired records; returns how many went. */
  async deleteExpired(db: Database, limit: number): Promise<number> {
    const deleted = await db
      .delete(idempotencyKeys)
      .where(
        sql`(${idempotencyKeys.scope}, ${idempotencyKeys.key}) in (
          select scope, key from idempotency_keys where expires_at <= now() limit ${limit})`,
      )
      .returning({ key: idempotencyKeys.key });
    return deleted.length;
  },
};
