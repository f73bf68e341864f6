import { and, asc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import {
  mealAnalyses,
  mealAnalysisFeedback,
  mealImageAnalyses,
  type MealAnalysisFeedbackRow,
  type MealAnalysisRow,
  type MealImageAnalysisRow,
  type NewMealAnalysisRow,
  type NewMealImageAnalysisRow,
} from './meal-analysis.table.js';

/** The only place that queries meal analyses, their image cache and their feedback. */
export const mealAnalysisRepository = {
  async findImageAnalysis(db: Database, sha256: string): Promise<MealImageAnalysisRow | undefined> {
    const [row] = await db
      .select()
      .from(mealImageAnalyses)
      .where(eq(mealImageAnalyses.imageSha256, sha256))
      .limit(1);
    return row;
  },

  /** Keeps the service's answer for an image; a concurrent twin's answer is kept instead. */
  async saveImageAnalysis(
    db: Database,
    row: NewMealImageAnalysisRow,
  ): Promise<MealImageAnalysisRow> {
    await db.insert(mealImageAnalyses).values(row).onConflictDoNothing();
    const stored = await this.findImageAnalysis(db, row.imageSha256);
    if (!stored) throw new Error('image analysis vanished right after its insert');
    return stored;
  },

  async findForFile(
    db: Database,
    userId: string,
    fileId: string,
  ): Promise<MealAnalysisRow | undefined> {
    const [row] = await db
      .select()
      .from(mealAnalyses)
      .where(and(eq(mealAnalyses.userId, userId), eq(mealAnalyses.fileId, fileId)))
      .limit(1);
    return row;
  },

  /** The member's analysis; another member's is undefined, as a missing one. */
  async find(db: Database, userId: string, id: string): Promise<MealAnalysisRow | undefined> {
    const [row] = await db
      .select()
      .from(mealAnalyses)
      .where(and(eq(mealAnalyses.userId, userId), eq(mealAnalyses.id, id)))
      .limit(1);
    return row;
  },

  /** Inserts the member's analysis of a file, or returns the one a concurrent request made. */
  async insert(
    db: Database,
    row: NewMealAnalysisRow,
  ): Promise<{ row: MealAnalysisRow; created: boolean }> {
    const [inserted] = await db.insert(mealAnalyses).values(row).onConflictDoNothing().returning();
    if (inserted) return { row: inserted, created: true };
    const existing = await this.findForFile(db, row.userId, row.fileId);
    if (!existing) throw new Error('meal analysis neither inserted nor found');
    return { row: existing, created: false };
  },

  /** Marks a pending analysis confirmed into a meal; false when it was confirmed already. */
  async markConfirmed(
    db: Database,
    userId: string,
    id: string,
    mealLogId: string,
  ): Promise<boolean> {
    const rows = await db
      .update(mealAnalyses)
      .set({ status: 'confirmed', mealLogId, confirmedAt: new Date() })
      .where(
        and(
          eq(mealAnalyses.userId, userId),
          eq(mealAnalyses.id, id),
          eq(mealAnalyses.status, 'pending'),
        ),
      )
      .returning({ id: mealAnalyses.id });
    return rows.length === 1;
  },

  /** Records corrections; undefined when the analysis has some already. */
  async insertFeedback(
    db: Database,
    row: typeof mealAnalysisFeedback.$inferInsert,
  ): Promise<MealAnalysisFeedbackRow | undefined> {
    const [inserted] = await db
      .insert(mealAnalysisFeedback)
      .values(row)
      .onConflictDoNothing()
      .returning();
    return inserted;
  },

  async findFeedback(db: Database, id: string): Promise<MealAnalysisFeedbackRow | undefined> {
    const [row] = await db
      .select()
      .from(mealAnalysisFeedback)
      .where(eq(mealAnalysisFeedback.id, id))
      .limit(1);
    return row;
  },

  /** Corrections recorded more than `olderThanSeconds` ago and not delivered yet, oldest first. */
  async undeliveredFeedback(
    db: Database,
    olderThanSeconds: number,
    limit: number,
  ): Promise<string[]> {
    const rows = await db
      .select({ id: mealAnalysisFeedback.id })
      .from(mealAnalysisFeedback)
      .where(
        and(
          isNull(mealAnalysisFeedback.deliveredAt),
          lt(
            mealAnalysisFeedback.createdAt,
            sql`now() - make_interval(secs => ${olderThanSeconds})`,
          ),
        ),
      )
      .orderBy(asc(mealAnalysisFeedback.createdAt))
      .limit(limit);
    return rows.map((row) => row.id);
  },

  /** Records the delivery once; false when another run recorded it first. */
  async markFeedbackDelivered(
    db: Database,
    id: string,
    serviceFeedbackId: string,
  ): Promise<boolean> {
    const rows = await db
      .update(mealAnalysisFeedback)
      .set({ deliveredAt: new Date(), serviceFeedbackId })
      .where(and(eq(mealAnalysisFeedback.id, id), isNull(mealAnalysisFeedback.deliveredAt)))
      .returning({ id: mealAnalysisFeedback.id });
    return rows.length === 1;
  },
};
