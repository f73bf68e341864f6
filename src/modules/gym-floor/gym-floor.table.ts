import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.js';
import type { MachineTelemetry } from './gym-floor.schemas.js';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
};

export const branches = pgTable(
  'branches',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    address: text('address').notNull(),
    timezone: text('timezone').notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('branches_name_lower_key').on(sql`lower(${t.name})`),
    // The keyset name order of lists (see db/keyset-page.ts).
    index('branches_lower_name_id_idx').on(sql`lower(${t.name})`, t.id),
  ],
);

/** Members who joined a branch (`branches[]` on the user). */
export const branchMembers = pgTable(
  'branch_members',
  {
    branchId: uuid('branch_id')
      .notNull()
      .references(() => branches.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    joinedAt: timestamp('joined_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.branchId] }),
    // A branch's members (leaderboards) without scanning every branch's memberships.
    index('branch_members_branch_idx').on(t.branchId, t.userId),
  ],
);

/** Which staff users work at which branch; staff act only on these branches. */
export const branchStaff = pgTable(
  'branch_staff',
  {
    branchId: uuid('branch_id')
      .notNull()
      .references(() => branches.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    assignedAt: timestamp('assigned_at', { withTimezone: true, precision: 3 })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.branchId] }),
    index('branch_staff_branch_idx').on(t.branchId),
  ],
);

export const machineTypes = ['cardio', 'strength', 'functional'] as const;
export type MachineType = (typeof machineTypes)[number];
export const machineStatuses = ['available', 'occupied', 'maintenance', 'offline'] as const;
export type MachineStatus = (typeof machineStatuses)[number];

export const machines = pgTable(
  'machines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // A branch with machines cannot be deleted by accident: they must be removed first.
    branchId: uuid('branch_id')
      .notNull()
      .references(() => branches.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    type: text('type', { enum: machineTypes }).notNull(),
    location: text('location').notNull(),
    qrCode: text('qr_code').notNull(),
    /** SHA-256 of the device key; the key itself is shown once and never stored. */
    deviceKeyHash: text('device_key_hash').notNull(),
    status: text('status', { enum: machineStatuses }).notNull().default('available'),
    currentUserId: uuid('current_user_id').references(() => users.id, { onDelete: 'set null' }),
    linkedAt: timestamp('linked_at', { withTimezone: true, precision: 3 }),
    /** Last sign of use by the linked member (link, workout progress, moving telemetry). */
    lastActivityAt: timestamp('last_activity_at', { withTimezone: true, precision: 3 }),
    lastHeartbeat: timestamp('last_heartbeat', { withTimezone: true, precision: 3 }),
    telemetry: jsonb('telemetry').$type<MachineTelemetry>(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('machines_qr_code_key').on(t.qrCode),
    uniqueIndex('machines_device_key_hash_key').on(t.deviceKeyHash),
    // A member holds at most one machine, whatever races between two link requests.
    uniqueIndex('machines_current_user_key')
      .on(t.currentUserId)
      .where(sql`${t.currentUserId} is not null`),
    index('machines_branch_lower_name_id_idx').on(t.branchId, sql`lower(${t.name})`, t.id),
    check(
      'machines_occupied_has_user_check',
      sql`(${t.status} = 'occupied') = (${t.currentUserId} is not null)`,
    ),
    check(
      'machines_status_check',
      sql`${t.status} in ('available', 'occupied', 'maintenance', 'offline')`,
    ),
  ],
);

export const machineMaintenanceLog = pgTable(
  'machine_maintenance_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    machineId: uuid('machine_id')
      .notNull()
      .references(() => machines.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    notes: text('notes').notNull(),
    performedBy: uuid('performed_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('machine_maintenance_machine_created_idx').on(t.machineId, t.createdAt, t.id)],
);

/** Why a link ended; every path that frees a machine names itself here. */
export const machineLinkEndReasons = [
  /** The member released it. */
  'unlinked',
  /** Staff of the branch (or an admin) released it. */
  'released-by-staff',
  /** The member linked another machine. */
  'relinked',
  /** The member checked out. */
  'checked-out',
  /** The member left the branch. */
  'left-branch',
  /** The gym session expired (the expiry sweep). */
  'expired',
  /** No activity on the link (the idle-link sweep). */
  'idle',
  /** Staff took the machine out of service. */
  'maintenance',
  /** The machine stopped heartbeating (the offline sweep). */
  'offline',
  /** The machine was deleted. */
  'machine-removed',
  /** The member deleted their account. */
  'account-deleted',
] as const;
export type MachineLinkEndReason = (typeof machineLinkEndReasons)[number];

/**
 * The history of links: one row per time a member held a machine, opened and closed in the
 * transactions that link and release the machine (so an open row exists exactly while
 * `machines.current_user_id` is set). Occupancy analytics read it. The machine's type and
 * branch are copied so the history outlives the machine (its id becomes null when it is
 * removed) and the member (likewise: an account's deletion leaves its use of the floor
 * anonymous, not gone).
 */
export const machineLinks = pgTable(
  'machine_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    machineId: uuid('machine_id').references(() => machines.id, { onDelete: 'set null' }),
    branchId: uuid('branch_id')
      .notNull()
      .references(() => branches.id, { onDelete: 'restrict' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    machineType: text('machine_type', { enum: machineTypes }).notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** Null while the link is open. */
    endedAt: timestamp('ended_at', { withTimezone: true, precision: 3 }),
    endReason: text('end_reason', { enum: machineLinkEndReasons }),
  },
  (t) => [
    // At most one open link per machine and per member, whatever races.
    uniqueIndex('machine_links_open_machine_key')
      .on(t.machineId)
      .where(sql`${t.endedAt} is null`),
    uniqueIndex('machine_links_open_user_key')
      .on(t.userId)
      .where(sql`${t.endedAt} is null`),
    // Occupancy: the links of a branch that end after a range starts (open ones count as
    // ending at infinity), then started before it ends. Recent ranges scan recent rows only.
    index('machine_links_branch_end_start_idx').on(
      t.branchId,
      sql`coalesce(${t.endedAt}, 'infinity'::timestamptz)`,
      t.startedAt,
    ),
    // The foreign keys' ON DELETE SET NULL and a member's export look links up by these.
    index('machine_links_user_start_idx').on(t.userId, t.startedAt),
    index('machine_links_machine_start_idx').on(t.machineId, t.startedAt),
    check(
      'machine_links_ended_has_reason_check',
      sql`(${t.endedAt} is null) = (${t.endReason} is null)`,
    ),
    check(
      'machine_links_interval_check',
      sql`${t.endedAt} is null or ${t.endedAt} >= ${t.startedAt}`,
    ),
    check(
      'machine_links_end_reason_check',
      sql.raw(`end_reason in (${machineLinkEndReasons.map((reason) => `'${reason}'`).join(', ')})`),
    ),
  ],
);

export const gymSessionStatuses = ['active', 'completed', 'expired'] as const;
export type GymSessionStatus = (typeof gymSessionStatuses)[number];

export const gymSessions = pgTable(
  'gym_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    branchId: uuid('branch_id')
      .notNull()
      .references(() => branches.id, { onDelete: 'restrict' }),
    startTime: timestamp('start_time', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    endTime: timestamp('end_time', { withTimezone: true, precision: 3 }),
    /** Whole minutes between start and end, set when the session ends. */
    duration: integer('duration'),
    machinesUsed: uuid('machines_used')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    status: text('status', { enum: gymSessionStatuses }).notNull().default('active'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    // At most one active session per user, enforced where concurrent check-ins meet.
    uniqueIndex('gym_sessions_one_active_per_user_key')
      .on(t.userId)
      .where(sql`${t.status} = 'active'`),
    index('gym_sessions_user_start_idx').on(t.userId, t.startTime, t.id),
    index('gym_sessions_active_start_idx')
      .on(t.startTime)
      .where(sql`${t.status} = 'active'`),
    // Who is checked in at a branch now (its busyness).
    index('gym_sessions_active_branch_idx')
      .on(t.branchId)
      .where(sql`${t.status} = 'active'`),
    check('gym_sessions_status_check', sql`${t.status} in ('active', 'completed', 'expired')`),
  ],
);

export type BranchRow = typeof branches.$inferSelect;
export type MachineRow = typeof machines.$inferSelect;
export type MaintenanceEntryRow = typeof machineMaintenanceLog.$inferSelect;
export type GymSessionRow = typeof gymSessions.$inferSelect;
export type MachineLinkRow = typeof machineLinks.$inferSelect;
