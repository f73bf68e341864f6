import { and, eq, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { keysetPage, type Page, type PageRequest } from '../../db/keyset-page.js';
import { scanWebhookEvents, scans, type NewScanRow, type ScanRow } from './scans.table.js';

/** The only place that queries scans and their webhook events. */
export const scansRepository = {
  async insert(db: Database, values: NewScanRow): Promise<ScanRow> {
    const [row] = await db.insert(scans).values(values).returning();
    if (!row) throw new Error('scan row was not returned by its insert');
    return row;
  },

  async findOwned(db: Database, userId: string, id: string): Promise<ScanRow | undefined> {
    const [row] = await db
      .select()
      .from(scans)
      .where(and(eq(scans.id, id), eq(scans.userId, userId)));
    return row;
  },

  /** The caller's scans, newest first. */
  async listOwned(db: Database, userId: string, page: PageRequest): Promise<Page<ScanRow>> {
    const keyset = keysetPage(scans, { by: 'createdAt', direction: 'desc' }, page);
    return keyset.fetch(
      db
        .select()
        .from(scans)
        .where(and(eq(scans.userId, userId), keyset.where)),
    );
  },

  async find(db: Database, id: string): Promise<ScanRow | undefined> {
    const [row] = await db.select().from(scans).where(eq(scans.id, id));
    return row;
  },

  /** Locks the scan for the rest of the transaction. */
  async findForUpdate(tx: Database, id: string): Promise<ScanRow | undefined> {
    const [row] = await tx.select().from(scans).where(eq(scans.id, id)).for('update');
    return row;
  },

  /** The scan a service job belongs to (its scan or its avatar job), locked. */
  async findByJobForUpdate(tx: Database, jobId: string): Promise<ScanRow | undefined> {
    const [row] = await tx
      .select()
      .from(scans)
      .where(or(eq(scans.scanJobId, jobId), eq(scans.avatarJobId, jobId)))
      .for('update');
    return row;
  },

  async update(db: Database, id: string, changes: Partial<NewScanRow>): Promise<void> {
    await db
      .update(scans)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(scans.id, id));
  },

  /** Records a webhook event; false when its id was recorded before (a replay). */
  async recordEvent(tx: Database, eventId: string, scanId: string): Promise<boolean> {
    const inserted = await tx
      .insert(scanWebhookEvents)
      .values({ eventId, scanId })
      .onConflictDoNothing()
      .returning({ eventId: scanWebhookEvents.eventId });
    return inserted.length > 0;
  },

  /**
   * Claims up to `limit` processing scans whose next step is due and that nobody holds, until
   * `claimUntil`; concurrent dispatchers skip each other's rows.
   */
  async claimDue(db: Database, now: Date, claimUntil: Date, limit: number): Promise<string[]> {
    const nowText = now.toISOString();
    const rows = await db
      .update(scans)
      .set({ claimedUntil: claimUntil })
      .where(
        sql`${scans.id} in (
          select ${scans.id} from ${scans}
          where ${scans.status} = 'processing'
            and ${scans.nextStepAt} <= ${nowText}::timestamptz
            and (${scans.claimedUntil} is null or ${scans.claimedUntil} < ${nowText}::timestamptz)
          order by ${scans.nextStepAt}
          limit ${limit}
          for update skip locked
        )`,
      )
      .returning({ id: scans.id });
    return rows.map((row) => row.id);
  },
};
