import { sql } from 'drizzle-orm';
import { check, doublePrecision, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.table.js';

export const bodyCompositionSources = ['manual', 'inbody', 'scan'] as const;
export type BodyCompositionSource = (typeof bodyCompositionSources)[number];

export const bodyCompositionEntries = pgTable(
  'body_composition_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    measuredAt: timestamp('measured_at', { withTimezone: true, precision: 3 }).notNull(),
    weightKg: doublePrecision('weight_kg'),
    bodyFatPercentage: doublePrecision('body_fat_percentage'),
    bodyFatMassKg: doublePrecision('body_fat_mass_kg'),
    skeletalMuscleMassKg: doublePrecision('skeletal_muscle_mass_kg'),
    leanBodyMassKg: doublePrecision('lean_body_mass_kg'),
    totalBodyWaterKg: doublePrecision('total_body_water_kg'),
    visceralFatLevel: doublePrecision('visceral_fat_level'),
    basalMetabolicRateKcal: doublePrecision('basal_metabolic_rate_kcal'),
    bmi: doublePrecision('bmi'),
    source: text('source', { enum: bodyCompositionSources }).notNull().default('manual'),
    notes: text('notes'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('body_composition_user_measured_idx').on(t.userId, t.measuredAt.desc(), t.id.desc()),
    check('body_composition_source_check', sql`${t.source} in ('manual', 'inbody', 'scan')`),
  ],
);

export type BodyCompositionRow = typeof bodyCompositionEntries.$inferSelect;
export type NewBodyCompositionRow = typeof bodyCompositionEntries.$inferInsert;
