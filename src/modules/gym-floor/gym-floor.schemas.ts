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
  .openapi('CreateBranch', {
    example: {
      name: 'NXG Shoreditch',
      address: '12 Curtain Road, London EC2A 3NQ',
      timezone: 'Europe/London',
    },
  });
export type CreateBranchBody = z.infer<typeof createBranchBody>;

export const updateBranchBody = z
  .strictObject({
    name: text(100, 1).optional(),
    address: text(300, 1).optional(),
    timezone: timezone.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change')
  .openapi('UpdateBranch', { example: { address: '14 Curtain Road, London EC2A 3NQ' } });
export type UpdateBranchBody = z.infer<typeof updateBranchBody>;

export const branchSchema = z
  .object({
    id: z.uuid(),
    name: z.string().openapi({ example: 'NXG Shoreditch' }),
    address: z.string().openapi({ example: '12 Curtain Road, London EC2A 3NQ' }),
    timezone: z.string().openapi({ example: 'Europe/London' }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('Branch');
export type BranchView = z.infer<typeof branchSchema>;
export const branchPage = pageOf(branchSchema, 'Branch');

export const branchListQuery = namePageQuery.extend({ q: text(100).optional() });

export const membershipSchema = z
  .object({
    branchId: z.uuid(),
    branchName: z.string().openapi({ example: 'NXG Shoreditch' }),
    joinedAt: timestamp,
  })
  .openapi('BranchMembership');
export type MembershipView = z.infer<typeof membershipSchema>;

export const staffParams = z.strictObject({ id: uuidParam, userId: uuidParam });
export const assignStaffBody = z
  .strictObject({ userId: uuidParam })
  .openapi('AssignStaff', { example: { userId: '7c1f9a52-3f0e-4a4e-9a43-0b6c0f0f4c11' } });
export const staffMemberSchema = z
  .object({
    userId: z.uuid(),
    username: z.string().openapi({ example: 'jo.coach' }),
    assignedAt: timestamp,
  })
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
  .openapi('CreateMachine', {
    example: {
      branchId: '5b0c1c9e-3c4e-4f43-9f0a-6f1e7e2b9a10',
      name: 'Treadmill 1',
      type: 'cardio',
      location: 'Ground floor, by the windows',
    },
  });
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
  .openapi('UpdateMachine', { example: { status: 'maintenance' } });
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
    name: z.string().openapi({ example: 'Treadmill 1' }),
    type: z.enum(machineTypeValues),
    location: z.string().openapi({ example: 'Ground floor, by the windows' }),
    qrCode: z
      .string()
      .nullable()
      .openapi({
        description:
          'What members scan to link. Shown to staff and to the member using the machine only: ' +
          'knowing it should mean standing at the machine.',
        example: 'NXG-q7ZrX2mV9kLp4TbW',
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
    type: z.string().openapi({ example: 'cleaning' }),
    notes: z.string().openapi({ example: 'Belt cleaned and lubricated' }),
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
  .openapi('AddMaintenanceEntry', {
    example: { type: 'cleaning', notes: 'Belt cleaned and lubricated' },
  });
export type AddMaintenanceBody = z.infer<typeof addMaintenanceBody>;

export const createdMachineSchema = z
  .object({
    machine: machineSchema,
    deviceKey: z.string().openapi({
      description: 'The machine’s secret for `X-Machine-Key` and the socket handshake. Shown once.',
      example: 'nxgdk_V3q8Zr1xT6pN4bW9eK2sJ7hD0cF5gLmA8yQ3uR6wE1t',
    }),
  })
  .openapi('CreatedMachine');

export const linkBody = z
  .strictObject({ qrCode: text(200, 1) })
  .openapi('LinkMachine', { example: { qrCode: 'NXG-q7ZrX2mV9kLp4TbW' } });

export const heartbeatBody = z
  .strictObject({ telemetry: machineTelemetrySchema.optional() })
  .openapi('MachineHeartbeat', {
    example: {
      telemetry: { speedKmh: 9.5, inclinePercent: 1, heartRateBpm: 142, distanceM: 2350 },
    },
  });
export type HeartbeatBody = z.infer<typeof heartbeatBody>;

export const heartbeatResultSchema = z
  .object({
    machineId: z.uuid(),
    status: z.enum(machineStatusValues),
    currentUserId: z.uuid().nullable(),
    at: timestamp,
  })
  .openapi('HeartbeatResult');

/** One link of the history, as the member's data export shows it. */
export const machineLinkSchema = z
  .object({
    id: z.uuid(),
    machineId: z.uuid().nullable().openapi({ description: 'Null once the machine is removed.' }),
    branchId: z.uuid(),
    machineType: z.enum(machineTypeValues),
    startedAt: timestamp,
    endedAt: timestamp.nullable(),
    endReason: z
      .enum([
        'unlinked',
        'released-by-staff',
        'relinked',
        'checked-out',
        'left-branch',
        'expired',
        'idle',
        'maintenance',
        'offline',
        'machine-removed',
        'account-deleted',
      ])
      .nullable(),
  })
  .openapi('MachineLink');
export type MachineLinkView = z.infer<typeof machineLinkSchema>;

// ---- gym sessions ----

export const checkInBody = z
  .strictObject({ branchId: uuidParam })
  .openapi('CheckIn', { example: { branchId: '5b0c1c9e-3c4e-4f43-9f0a-6f1e7e2b9a10' } });

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

// ---- occupancy and busyness ----

/** The longest range occupancy analytics cover, in days. */
export const OCCUPANCY_MAX_DAYS = 92;
const localDate = z.iso.date();
const daysFrom = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000;

export const occupancyQuery = z
  .strictObject({
    from: localDate
      .optional()
      .openapi({ description: 'First local day (branch time zone). Default: 6 days before `to`.' }),
    to: localDate
      .optional()
      .openapi({ description: 'Last local day, included. Default: today in the branch.' }),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: 'from must not be after to',
    path: ['from'],
  })
  .refine((q) => !q.from || !q.to || daysFrom(q.from, q.to) < OCCUPANCY_MAX_DAYS, {
    message: `the range must not exceed ${String(OCCUPANCY_MAX_DAYS)} days`,
    path: ['from'],
  });
export type OccupancyQuery = z.infer<typeof occupancyQuery>;

const byMachineType = <T extends z.ZodType>(value: T) =>
  z.object({ cardio: value, strength: value, functional: value });

export const machineTimeSchema = z
  .object({
    occupancy: z.number().min(0).nullable().openapi({
      description:
        'occupiedMinutes / capacityMinutes, to 4 decimals; null when there was no machine-time.',
    }),
    occupiedMinutes: z.number().min(0),
    capacityMinutes: z.number().min(0),
  })
  .openapi('MachineTime');
export type MachineTimeView = z.infer<typeof machineTimeSchema>;

export const occupancyHourSchema = machineTimeSchema
  .extend({
    hour: z.number().int().min(0).max(23).openapi({ description: 'Hour of the local day.' }),
    byType: byMachineType(machineTimeSchema),
  })
  .openapi('OccupancyHour');
export type OccupancyHourView = z.infer<typeof occupancyHourSchema>;

export const occupancySchema = z
  .object({
    branchId: z.uuid(),
    timezone: z.string(),
    from: localDate,
    to: localDate,
    rangeStart: timestamp.openapi({ description: 'The first local midnight, as an instant.' }),
    rangeEnd: timestamp.openapi({
      description: 'The midnight after `to`, or now when that is still to come.',
    }),
    overall: machineTimeSchema,
    byType: byMachineType(machineTimeSchema),
    hours: z.array(occupancyHourSchema).length(24),
    busiestHours: z
      .array(z.object({ hour: z.number().int().min(0).max(23), occupancy: z.number() }))
      .max(3)
      .openapi({
        description: 'Up to three hours with the highest occupancy above 0, highest first.',
      }),
    machines: z.array(
      z.object({
        machineId: z.uuid(),
        name: z.string(),
        type: z.enum(machineTypeValues),
        minutesInUse: z.number().min(0),
        links: z.number().int().min(0),
      }),
    ),
    removedMachines: z
      .object({ minutesInUse: z.number().min(0), links: z.number().int().min(0) })
      .openapi({ description: 'Use within the range of machines deleted since.' }),
  })
  .openapi('BranchOccupancy', {
    example: {
      branchId: '5b0c1c9e-3c4e-4f43-9f0a-6f1e7e2b9a10',
      timezone: 'Europe/London',
      from: '2026-11-23',
      to: '2026-11-29',
      rangeStart: '2026-11-23T00:00:00.000Z',
      rangeEnd: '2026-11-30T00:00:00.000Z',
      overall: { occupancy: 0.2125, occupiedMinutes: 4284, capacityMinutes: 20160 },
      byType: {
        cardio: { occupancy: 0.31, occupiedMinutes: 3124.8, capacityMinutes: 10080 },
        strength: { occupancy: 0.1151, occupiedMinutes: 1159.2, capacityMinutes: 10080 },
        functional: { occupancy: null, occupiedMinutes: 0, capacityMinutes: 0 },
      },
      // Every hour of the day is listed; the example shows the evening peak and quiet others.
      hours: Array.from({ length: 24 }, (_, hour) =>
        hour === 18
          ? {
              hour,
              occupancy: 0.75,
              occupiedMinutes: 630,
              capacityMinutes: 840,
              byType: {
                cardio: { occupancy: 0.8333, occupiedMinutes: 350, capacityMinutes: 420 },
                strength: { occupancy: 0.6667, occupiedMinutes: 280, capacityMinutes: 420 },
                functional: { occupancy: null, occupiedMinutes: 0, capacityMinutes: 0 },
              },
            }
          : {
              hour,
              occupancy: 0.1,
              occupiedMinutes: 84,
              capacityMinutes: 840,
              byType: {
                cardio: { occupancy: 0.1, occupiedMinutes: 42, capacityMinutes: 420 },
                strength: { occupancy: 0.1, occupiedMinutes: 42, capacityMinutes: 420 },
                functional: { occupancy: null, occupiedMinutes: 0, capacityMinutes: 0 },
              },
            },
      ),
      busiestHours: [
        { hour: 18, occupancy: 0.75 },
        { hour: 7, occupancy: 0.6 },
        { hour: 19, occupancy: 0.55 },
      ],
      machines: [
        {
          machineId: '0f7c7d1e-2d7b-4c55-8a38-8c1c6f0f3e21',
          name: 'Treadmill 1',
          type: 'cardio',
          minutesInUse: 1562.4,
          links: 48,
        },
      ],
      removedMachines: { minutesInUse: 0, links: 0 },
    },
  });
export type OccupancyView = z.infer<typeof occupancySchema>;

const machineCountsSchema = z
  .object({
    total: z.number().int().min(0),
    inUse: z.number().int().min(0),
    available: z.number().int().min(0),
    maintenance: z.number().int().min(0),
    offline: z.number().int().min(0),
  })
  .openapi('MachineCounts');
export type MachineCountsView = z.infer<typeof machineCountsSchema>;

export const weekdays = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
] as const;

export const busynessSchema = z
  .object({
    branchId: z.uuid(),
    timezone: z.string(),
    at: timestamp,
    checkedIn: z.number().int().min(0).openapi({ description: 'Members checked in now.' }),
    machines: byMachineType(machineCountsSchema),
    occupancyNow: z.number().min(0).max(1).nullable().openapi({
      description: 'Machines in use / all machines, to 4 decimals; null without machines.',
    }),
    typical: z
      .object({
        weekday: z.enum(weekdays),
        hour: z.number().int().min(0).max(23),
        weeks: z.number().int(),
        occupancy: z.number().min(0).nullable(),
        byType: byMachineType(z.number().min(0).nullable()),
      })
      .openapi({
        description:
          'Occupancy in this local hour on this weekday over the previous `weeks` weeks.',
      }),
  })
  .openapi('BranchBusyness', {
    example: {
      branchId: '5b0c1c9e-3c4e-4f43-9f0a-6f1e7e2b9a10',
      timezone: 'Europe/London',
      at: '2026-11-30T18:20:05.120Z',
      checkedIn: 37,
      machines: {
        cardio: { total: 12, inUse: 9, available: 2, maintenance: 1, offline: 0 },
        strength: { total: 8, inUse: 4, available: 4, maintenance: 0, offline: 0 },
        functional: { total: 0, inUse: 0, available: 0, maintenance: 0, offline: 0 },
      },
      occupancyNow: 0.65,
      typical: {
        weekday: 'monday',
        hour: 18,
        weeks: 4,
        occupancy: 0.52,
        byType: { cardio: 0.61, strength: 0.3875, functional: null },
      },
    },
  });
export type BusynessView = z.infer<typeof busynessSchema>;

// ---- real-time events ----
// The payloads of the `/machines` Socket.IO events: they validate what clients send, type what
// the server emits (through the event maps) and are the schemas of the AsyncAPI document.

/** `machine:status` as subscribers of the branch receive it. */
export const machineStatusEventSchema = z
  .object({
    machineId: z.uuid(),
    branchId: z.uuid(),
    status: z.enum(machineStatusValues),
    currentUserId: z.uuid().optional().openapi({
      description:
        'The member holding the machine: only to the branch’s staff, admins and that member.',
    }),
    at: timestamp.openapi({ description: 'When the status changed' }),
  })
  .openapi('MachineStatusEvent');
export type MachineStatusEvent = z.infer<typeof machineStatusEventSchema>;

/** `machine:removed`, to the branch's subscribers: the machine is gone from the floor. */
export const machineRemovedEventSchema = z
  .object({ machineId: z.uuid(), branchId: z.uuid(), at: timestamp })
  .openapi('MachineRemovedEvent');
export type MachineRemovedEvent = z.infer<typeof machineRemovedEventSchema>;

/** `machine:linked`, to the device: a member scanned it. */
export const machineLinkedEventSchema = z
  .object({
    userId: z.uuid().openapi({ description: 'The member now using the machine' }),
    at: timestamp,
  })
  .openapi('MachineLinkedEvent');
export type MachineLinkedEvent = z.infer<typeof machineLinkedEventSchema>;

/** `machine:unlinked`, to the device: its member let go, or was let go of. */
export const machineUnlinkedEventSchema = z
  .object({
    userId: z.uuid().openapi({ description: 'The member who was using the machine' }),
    status: z.enum(machineStatusValues).openapi({ description: 'The machine’s status now' }),
    at: timestamp,
  })
  .openapi('MachineUnlinkedEvent');
export type MachineUnlinkedEvent = z.infer<typeof machineUnlinkedEventSchema>;

export const branchSubscribePayload = z.strictObject({ branchId: uuidParam });
export const machineHeartbeatPayload = heartbeatBody;

/** The `branch:subscribe` ack: the branch's machines as they are now. */
export const branchSubscribedSchema = z
  .object({
    branchId: z.uuid(),
    machines: z.array(machineStatusEventSchema).openapi({
      description: 'Every machine of the branch (at most 1,000), as `machine:status` shows it',
    }),
  })
  .openapi('BranchSubscribed');
export type BranchSubscribed = z.infer<typeof branchSubscribedSchema>;

/** The `branch:unsubscribe` ack. */
export const branchUnsubscribedSchema = z
  .object({ branchId: z.uuid() })
  .openapi('BranchUnsubscribed');
export type BranchUnsubscribed = z.infer<typeof branchUnsubscribedSchema>;

/** The `machine:heartbeat` ack: the machine's state, as the HTTP heartbeat answers it. */
export type HeartbeatResult = z.infer<typeof heartbeatResultSchema>;
