import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  jsonb,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type ExtraConfigColumn,
} from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.js';

/** Who built a stored plan: the planning service or the built-in planner. */
export const planOrigins = ['ai', 'fallback'] as const;
export type PlanOrigin = (typeof planOrigins)[number];

/**
 * The columns every generated-plan table has (workout plans, diet plans), spread into its
 * pgTable definition before the columns of its own; `D` is the type of its `planData`.
 */
export function planColumns<D>() {
  return {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    planName: text('plan_name').notNull(),
    /** Who built it: the planning service or the built-in planner. */
    origin: text('origin', { enum: planOrigins }).notNull(),
    externalId: text('external_id'),
    /** SHA-256 of the normalised generation inputs: the stored-plan fallback's key. */
    requestHash: text('request_hash').notNull(),
    planData: jsonb('plan_data').$type<D>().notNull(),
    explanation: jsonb('explanation').$type<string[]>().notNull().default([]),
    isActive: boolean('is_active').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  };
}

type PlanIndexedColumns = Record<
  'id' | 'userId' | 'origin' | 'requestHash' | 'isActive' | 'createdAt',
  ExtraConfigColumn
>;

/** The indexes and checks of a plan table named `table`, for its pgTable extra config. */
export function planTableIndexes(table: string, t: PlanIndexedColumns) {
  return [
    // The member's plans newest first (keyset-paginated on createdAt, id).
    index(`${table}_user_created_idx`).on(t.userId, t.createdAt.desc(), t.id.desc()),
    // The newest plan for the same inputs (the stored-plan fallback).
    index(`${table}_user_request_idx`).on(t.userId, t.requestHash, t.createdAt.desc()),
    // At most one active plan per user, enforced where concurrent activations meet.
    uniqueIndex(`${table}_one_active_per_user`)
      .on(t.userId)
      .where(sql`${t.isActive}`),
    check(`${table}_origin_check`, sql`${t.origin} in ('ai', 'fallback')`),
  ];
}
