import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { roles } from '../../lib/roles.js';
import type { BodyCompositionSnapshot, UserAvatar, UserProfile } from './users.schemas.js';

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    /** When `email` was proved by a link sent to it; null until then. */
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true, precision: 3 }),
    /** An address the user asked to change to; it takes over once its link is followed. */
    pendingEmail: text('pending_email'),
    role: text('role', { enum: roles }).notNull().default('member'),
    profile: jsonb('profile').$type<UserProfile>().notNull(),
    // Denormalised copy of the newest body-composition entry, kept in step by the same
    // transaction that writes an entry, so GET /me needs one row.
    bodyComposition: jsonb('body_composition').$type<BodyCompositionSnapshot>(),
    activeWorkoutPlanId: uuid('active_workout_plan_id'),
    activeDietPlanId: uuid('active_diet_plan_id'),
    totalPoints: integer('total_points').notNull().default(0),
    /** The profile picture's URLs, set by the files feature when an avatar is uploaded. */
    avatar: jsonb('avatar').$type<UserAvatar>(),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    // Case-insensitive uniqueness lives in the database so that concurrent registrations
    // cannot both pass an application-level check.
    uniqueIndex('users_username_lower_key').on(sql`lower(${t.username})`),
    uniqueIndex('users_email_lower_key').on(sql`lower(${t.email})`),
    index('users_created_at_id_idx').on(t.createdAt, t.id),
    check('users_role_check', sql`${t.role} in ('member', 'staff', 'admin')`),
    check('users_total_points_check', sql`${t.totalPoints} >= 0`),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;

declare module '../../lib/http/request-context.js' {
  /** The guard hands handlers the whole users row it read. */
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the row type is the body
  interface AuthenticatedAccount extends UserRow {}
}
