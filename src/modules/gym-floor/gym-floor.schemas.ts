import {
  namePageQuery,
  pageOf,
  pageQuery,
  text,
  uuidParam,
} from '../../lib/http/common.schemas.js';
import { timeZoneSchema } from '../../lib/time/local-day.js';
import { z } from '../../lib/zod.js';

const machineTypeValues = ['cardio', 'strength', 'functional'] as const;
const machineStatusValues = ['available', 'occupied', 'maintenance', 'offline'] as const;
const gymSessionStatusValues = ['active', 'completed', 'expired'] as const;
const timestamp = z.iso.datetime();

const timezone = timeZoneSchema;

// ---- branches ----

export const createBranchBody = z
  .strictObject({ name: text(100, 1), address: text(300, 1), timezone })
  .openapi('CreateBranch');
export type CreateBranchBody = z.infer<typeof createBranchBody>;

export const updateBranchBody = z
  .strictObject({
    name: text(100, 1).optional(),
    address: text(300, 1).optional(),
    timezone: timezone.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change')
  .openapi('UpdateBranch');
export type UpdateBranchBody = z.infer<typeof updateBranchBody>;

export const branchSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    address: z.string(),
    timezone: z.string(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('Branch');
export type BranchView = z.infer<typeof branchSchema>;
export const branchPage = pageOf(branchSchema, 'Branch');

export const branchListQuery = namePageQuery.extend({ q: text(100).optional() });

export const membershipSchema = z
  .object({ branchId: z.uuid(), branchName: z.string(), joinedAt: timestamp })
  .openapi('BranchMembership');
export type MembershipView = z.infer<typeof membershipSchema>;

export const staffParams = z.strictObject({ id: uuidParam, userId: uuidParam });
export const assignStaffBody = z.strictObject({ userId: uuidParam }).openapi('AssignStaff');
export const staffMemberSchema = z
  .object({ userId: z.uuid(), username: z.string(), assignedAt: timestamp })
  .openapi('BranchStaffMember');

// ---- machines ----

/**
 * Telemetry in the spirit of Bluetooth FTMS. Every field is optional and bounded, so a faulty
 * device cannot store absurd values.
 */
export const machineTelemetrySchema = z
  .strictObject({
    speedKmh: z.number().min(0).max(100).optional(),
    inclinePercent: z.number().min(-30).max(50).optional(),
    cadenceRpm: z.number().min(0).max(400).optional(),
    powerW: z.number().min(0).max(5000).optional(),
    heartRateBpm: z.number().int().min(20).max(260).optional(),
    distanceM: z.number().min(0).max(1_000_000).optional(),
    energyKcal: z.number().min(0).max(100_000).optional(),
    elapsedSec: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .optional(),
  })
  .openapi('MachineTelemetry');
export type MachineTelemetry = z.infer<typeof machineTelemetrySchema>;

export const createMachineBody = z
  .strictObject({
    branchId: uuidParam,
    name: text(100, 1),
    type: z.enum(machineTypeValues),
    location: text(200).default(''),
  })
  .openapi('CreateMachine');
export type CreateMachineBody = z.infer<typeof createMachineBody>;

export const updateMachineBody = z
  .strictObject({
    name: text(100, 1).optional(),
    location: text(200).optional(),
    status: z
      .enum(['maintenance', 'available'])
      .optional()
      .openapi({ description: 'Staff take a machine out of service and back.' }),
  })
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change')
  .openapi('UpdateMachine');
export type UpdateMachineBody = z.infer<typeof updateMachineBody>;

export const machineListQuery = namePageQuery.extend({
  status: z.enum(machineStatusValues).optional(),
  type: z.enum(machineTypeValues).optional(),
});
export type MachineListQuery = z.infer<typeof machineListQuery>;

export const machineSchema = z
  .object({
    id: z.uuid(),
    branchId: z.uuid(),
    name: z.string(),
    type: z.enum(machineTypeValues),
    location: z.string(),
    qrCode: z
      .string()
      .nullable()
      .openapi({
        description:
          'What members scan to link. Shown to staff and to the member using the machine only: ' +
          'knowing it should mean standing at the machine.',
      }),
    status: z.enum(machineStatusValues),
    currentUserId: z
      .uuid()
      .nullable()
      .openapi({
        description:
          'The member using the machine. Shown to staff of its branch, admins and that member ' +
          'only; for everyone else `null`, also while the machine is `occupied`.',
      }),
    linkedAt: timestamp.nullable(),
    lastHeartbeat: timestamp.nullable(),
    telemetry: machineTelemetrySchema
      .nullable()
      .openapi({ description: 'Latest telemetry; shown to staff and the linked member only.' }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('Machine');
export type MachineView = z.infer<typeof machineSchema>;
export const machinePage = pageOf(machineSchema, 'Machine');

export const maintenanceEntrySchema = z
  .object({
    id: z.uuid(),
    type: z.string(),
    notes: z.string(),
    performedBy: z.uuid().nullable(),
    date: timestamp,
  })
  .openapi('MaintenanceEntry');
export type MaintenanceEntryView = z.infer<typeof maintenanceEntrySchema>;
export const maintenancePage = pageOf(maintenanceEntrySchema, 'MaintenanceEntry');

export const machineDetailsSchema = machineSchema
  .extend({
    maintenanceLog: z
      .array(maintenanceEntrySchema)
      .optional()
      .openapi({
        description:
          'The 20 newest entries, for staff of the machine’s branch and admins only (absent ' +
          'for everyone else); page through all with GET /machines/{id}/maintenance.',
      }),
  })
  .openapi('MachineDetails');
export type MachineDetailsView = z.infer<typeof machineDetailsSchema>;

export const addMaintenanceBody = z
  .strictObject({
    type: z.enum(['inspection', 'cleaning', 'repair', 'calibration', 'part-replacement', 'other']),
    notes: text(2000).default(''),
  })
  .openapi('AddMaintenanceEntry');
export type AddMaintenanceBody = z.infer<typeof addMaintenanceBody>;

export const createdMachineSchema = z
  .object({
    machine: machineSchema,
    deviceKey: z.string().openapi({
      description: 'The machine’s secret for `X-Machine-Key` and the socket handshake. Shown once.',
    }),
  })
  .openapi('CreatedMachine');

export const linkBody = z.strictObject({ qrCode: text(200, 1) }).openapi('LinkMachine');

export const heartbeatBody = z
  .strictObject({ telemetry: machineTelemetrySchema.optional() })
  .openapi('MachineHeartbeat');
export type HeartbeatBody = z.infer<typeof heartbeatBody>;

export const heartbeatResultSchema = z
  .object({
    machineId: z.uuid(),
    status: z.enum(machineStatusValues),
    currentUserId: z.uuid().nullable(),
    at: timestamp,
  })
  .openapi('HeartbeatResult');

// ---- gym sessions ----

export const checkInBody = z.strictObject({ branchId: uuidParam }).openapi('CheckIn');

export const gymSessionSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    branchId: z.uuid(),
    startTime: timestamp,
    endTime: timestamp.nullable(),
    duration: z.number().int().nullable().openapi({ description: 'Minutes, once ended.' }),
    machinesUsed: z.array(z.uuid()),
    status: z.enum(gymSessionStatusValues),
    createdAt: timestamp,
  })
  .openapi('GymSession');
export type GymSessionView = z.infer<typeof gymSessionSchema>;
export const gymSessionPage = pageOf(gymSessionSchema, 'GymSession');

export const gymSessionHistoryQuery = pageQuery
  .extend({ from: timestamp.optional(), to: timestamp.optional() })
  .refine((q) => !q.from || !q.to || new Date(q.from) <= new Date(q.to), {
    message: 'from must not be after to',
    path: ['from'],
  });

// ---- real-time events ----

/** `machine:status` as subscribers of the branch receive it. */
export interface MachineStatusEvent {
  machineId: string;
  branchId: string;
  status: (typeof machineStatusValues)[number];
  /** Only to the branch's staff, admins and the member it names. */
  currentUserId?: string;
  at: string;
}

export const branchSubscribePayload = z.strictObject({ branchId: uuidParam });
export const machineHeartbeatPayload = heartbeatBody;
