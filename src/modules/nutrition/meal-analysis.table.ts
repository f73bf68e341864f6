import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  doublePrecision,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
// Table files import table files directly (see nutrition.table.ts).
import { files } from '../files/files.table.js';
import { users } from '../users/users.table.js';
import { mealLogs } from './meal-logs.table.js';

/** kcal and grams. */
export interface AnalysisMacros {
  calories: number;
  protein: number;
  carbs: number;
  fat: number;
}

/** A food the Meal Detection service saw in a photo. */
export interface AnalysedItem {
  name: string;
  grams: number;
  macros: AnalysisMacros;
}

/** A correction of one detected item, in the service's feedback format. */
export interface ItemCorrection {
  itemIndex: number;
  correctedName?: string;
  correctedGrams?: number;
  removed?: boolean;
}

/** Food the member added that the service did not see. */
export interface AddedItem {
  name: string;
  grams: number;
}

/**
 * What the Meal Detection service said about one image, keyed by the SHA-256 of the bytes we
 * stored: the same photo is never sent (and paid for) twice, whoever uploads it. Members never
 * read this table directly; each gets a row of their own in `meal_analyses`.
 */
export const mealImageAnalyses = pgTable('meal_image_analyses', {
  imageSha256: text('image_sha256').primaryKey(),
  serviceAnalysisId: text('service_analysis_id').notNull(),
  items: jsonb('items').$type<AnalysedItem[]>().notNull(),
  calories: doublePrecision('calories').notNull(),
  protein: doublePrecision('protein').notNull(),
  carbs: doublePrecision('carbs').notNull(),
  fat: doublePrecision('fat').notNull(),
  confidence: doublePrecision('confidence').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

export type MealImageAnalysisRow = typeof mealImageAnalyses.$inferSelect;
export type NewMealImageAnalysisRow = typeof mealImageAnalyses.$inferInsert;

export const mealAnalysisStatuses = ['pending', 'confirmed'] as const;
export type MealAnalysisStatus = (typeof mealAnalysisStatuses)[number];

/**
 * One member's analysis of one of their meal photos: a copy of the image's cached result under
 * an id of its own, then the meal it was confirmed into.
 */
export const mealAnalyses = pgTable(
  'meal_analyses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    fileId: uuid('file_id')
      .notNull()
      .references(() => files.id, { onDelete: 'cascade' }),
    imageSha256: text('image_sha256').notNull(),
    serviceAnalysisId: text('service_analysis_id').notNull(),
    items: jsonb('items').$type<AnalysedItem[]>().notNull(),
    calories: doublePrecision('calories').notNull(),
    protein: doublePrecision('protein').notNull(),
    carbs: doublePrecision('carbs').notNull(),
    fat: doublePrecision('fat').notNull(),
    confidence: doublePrecision('confidence').notNull(),
    needsConfirmation: boolean('needs_confirmation').notNull(),
    status: text('status', { enum: mealAnalysisStatuses }).notNull().default('pending'),
    mealLogId: uuid('meal_log_id').references(() => mealLogs.id, { onDelete: 'set null' }),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    // One analysis per member and photo: analysing it again returns the same one.
    uniqueIndex('meal_analyses_user_file_key').on(t.userId, t.fileId),
    index('meal_analyses_user_created_idx').on(t.userId, t.createdAt),
    check('meal_analyses_status_check', sql`${t.status} in ('pending', 'confirmed')`),
  ],
);

export type MealAnalysisRow = typeof mealAnalyses.$inferSelect;
export type NewMealAnalysisRow = typeof mealAnalyses.$inferInsert;

/**
 * Corrections of an analysis on their way to the service's feedback endpoint: written with the
 * request (or the confirmation), delivered inline when the service answers, else by a job that
 * retries with backoff. `deliveredAt` set means the service has them.
 */
export const mealAnalysisFeedback = pgTable(
  'meal_analysis_feedback',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    analysisId: uuid('analysis_id')
      .notNull()
      .references(() => mealAnalyses.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    serviceAnalysisId: text('service_analysis_id').notNull(),
    corrections: jsonb('corrections').$type<ItemCorrection[]>().notNull(),
    addedItems: jsonb('added_items').$type<AddedItem[]>().notNull(),
    serviceFeedbackId: text('service_feedback_id'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  // One set of corrections per analysis.
  (t) => [uniqueIndex('meal_analysis_feedback_analysis_key').on(t.analysisId)],
);

export type MealAnalysisFeedbackRow = typeof mealAnalysisFeedback.$inferSelect;
