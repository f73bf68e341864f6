import type { ZodType } from 'zod';
import type {
  AckCallback,
  MachinesClientEvents,
  MachinesServerEvents,
  WorkoutsClientEvents,
  WorkoutsServerEvents,
} from '../../realtime/event-maps.js';
import { namespaces } from '../../realtime/realtime.js';
import type { FailedAck } from '../../realtime/socket-errors.schemas.js';
import {
  branchSubscribedSchema,
  branchSubscribePayload,
  branchUnsubscribedSchema,
  heartbeatResultSchema,
  machineHeartbeatPayload,
  machineLinkedEventSchema,
  machineRemovedEventSchema,
  machineStatusEventSchema,
  machineUnlinkedEventSchema,
} from '../gym-floor/index.js';
import { notificationEventSchema } from '../notifications/index.js';
import {
  workoutProgressAckSchema,
  workoutProgressPayload,
  workoutProgressRecord,
} from '../workout-logs/index.js';

/** Who is on the other end of a socket: a signed-in user (`auth.token`) or a gym machine (`auth.machineKey`). */
export type SocketParty = 'user' | 'machine';

/** An event a client sends, answered through its ack callback. */
export interface ClientEventContract<Payload, Result> {
  summary: string;
  description: string;
  /** Who may send it; anyone else gets a `NOT_FOUND` ack (no handler for them). */
  senders: readonly SocketParty[];
  /** The schema the handler validates the payload with. */
  payload: ZodType<Payload>;
  payloadExample: Payload;
  /** What a successful ack carries besides `ok: true`. */
  reply: ZodType<Result>;
  replyExample: Result;
  /** How this event is refused besides the rate limits every event shares. */
  failureExamples: readonly { name: string; summary: string; ack: FailedAck }[];
}

/** An event the server sends. */
export interface ServerEventContract<Payload> {
  summary: string;
  description: string;
  recipients: readonly SocketParty[];
  payload: ZodType<Payload>;
  examples: readonly { name: string; summary: string; payload: Payload }[];
}

/**
 * Every client event of an event map, each with its contract: a mapped type, so an event added
 * to (or removed from) the map fails to compile here until it is documented (or dropped).
 */
type ClientEventContracts<Events> = {
  [E in keyof Events]-?: Events[E] extends (
    payload: infer Payload,
    ack: AckCallback<infer Result>,
  ) => void
    ? ClientEventContract<Payload, Result>
    : never;
};

type ServerEventContracts<Events> = {
  [E in keyof Events]-?: Events[E] extends (payload: infer Payload) => void
    ? ServerEventContract<Payload>
    : never;
};

/** One namespace: who may connect and every event either way. */
export interface NamespaceContract<ClientEvents, ServerEvents> {
  namespace: string;
  title: string;
  description: string;
  admits: readonly SocketParty[];
  clientEvents: ClientEventContracts<ClientEvents>;
  serverEvents: ServerEventContracts<ServerEvents>;
}

// Example ids, shared so the examples tell one consistent story.
const branchId = '3f6c1a2e-8b4d-4c7e-9a15-2d8e7f60b1c4';
const machineId = '9b2e4d71-5c3a-4f8e-b6d0-1a7c3e9f2b58';
const otherMachineId = 'c4a8e1f6-2d9b-4e3c-8f71-6b0d5a2e9c37';
const memberId = '5e8d2c1b-7a4f-4b9e-a3c6-0f1e2d3c4b5a';
const logId = 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b';
const setId = '7c6b5a49-3827-4165-9f4e-3d2c1b0a9f8e';

const treadmillSet = {
  exerciseId: 'treadmill-run',
  exerciseName: 'Treadmill run',
  setNumber: 1,
  reps: 1,
  durationSec: 1200,
  distanceM: 3200,
};
const storedSet = {
  id: setId,
  logId,
  userId: memberId,
  day: '2026-11-30',
  ...treadmillSet,
  weightKg: null,
  machineId: null,
  source: 'app' as const,
  recordedAt: '2026-11-30T18:24:10.512Z',
};

const validationFailure = (event: string, path: string, message: string) => ({
  name: 'invalidPayload',
  summary: 'The payload failed validation; nothing changed',
  ack: {
    ok: false as const,
    error: {
      code: 'VALIDATION_ERROR',
      message: `The ${event} payload is invalid.`,
      errors: [{ path, message }],
    },
  },
});

const machines: NamespaceContract<MachinesClientEvents, MachinesServerEvents> = {
  namespace: namespaces.machines,
  title: 'Gym floor',
  description:
    'Members, staff and admins follow the machines of a branch; gym machines (devices) report ' +
    'in with heartbeats and their linked member’s workout progress, and hear when a member ' +
    'links or unlinks. Users connect with `auth: { token }`, devices with `auth: { machineKey }`.',
  admits: ['user', 'machine'],
  clientEvents: {
    'branch:subscribe': {
      summary: 'Follow the machines of a branch',
      description:
        'Allowed to the branch’s members, its staff and admins (`FORBIDDEN` ack otherwise). ' +
        'The socket then receives the branch’s `machine:status` and `machine:removed` events; ' +
        'the ack carries every machine’s current status, so no separate request is needed ' +
        'before following changes. Subscriptions do not survive a reconnect: subscribe again.',
      senders: ['user'],
      payload: branchSubscribePayload,
      payloadExample: { branchId },
      reply: branchSubscribedSchema,
      replyExample: {
        branchId,
        machines: [
          { machineId, branchId, status: 'occupied', at: '2026-11-30T18:20:05.120Z' },
          {
            machineId: otherMachineId,
            branchId,
            status: 'available',
            at: '2026-11-30T17:02:44.903Z',
          },
        ],
      },
      failureExamples: [
        {
          name: 'notAllowed',
          summary: 'The user neither belongs to nor staffs the branch',
          ack: {
            ok: false,
            error: {
              code: 'FORBIDDEN',
              message: 'Join this branch (or staff it) to follow its machines.',
            },
          },
        },
        validationFailure('branch:subscribe', 'payload.branchId', 'Invalid UUID'),
      ],
    },
    'branch:unsubscribe': {
      summary: 'Stop following a branch',
      description: 'Idempotent: leaving a branch the socket does not follow is acked the same.',
      senders: ['user'],
      payload: branchSubscribePayload,
      payloadExample: { branchId },
      reply: branchUnsubscribedSchema,
      replyExample: { branchId },
      failureExamples: [
        validationFailure(
          'branch:unsubscribe',
          'payload.branchId',
          'Invalid input: expected string, received undefined',
        ),
      ],
    },
    'machine:heartbeat': {
      summary: 'A device reports that it is alive, with its latest telemetry',
      description:
        'Devices only. Keeps the machine from being marked `offline`; an offline machine ' +
        'becomes `available` again and its branch hears `machine:status`. Connecting counts ' +
        'as a heartbeat too. Same as `POST /api/machines/{id}/heartbeat` over HTTP.',
      senders: ['machine'],
      payload: machineHeartbeatPayload,
      payloadExample: {
        telemetry: { speedKmh: 9.5, inclinePercent: 1, heartRateBpm: 142, elapsedSec: 1200 },
      },
      reply: heartbeatResultSchema,
      replyExample: {
        machineId,
        status: 'occupied',
        currentUserId: memberId,
        at: '2026-11-30T18:24:00.037Z',
      },
      failureExamples: [
        validationFailure(
          'machine:heartbeat',
          'payload.telemetry.speedKmh',
          'Too big: expected number to be <=100',
        ),
      ],
    },
    'workout:progress': {
      summary: 'A device records a set for the member linked to it',
      description:
        'Devices only; the machine is the device itself. Stored like the member’s own ' +
        '`workout:progress` on `/workouts` (which see), and sent to the member’s `/workouts` ' +
        'sockets. With no member linked the ack is a `CONFLICT` with reason ' +
        '`MACHINE_NOT_LINKED`.',
      senders: ['machine'],
      payload: workoutProgressPayload,
      payloadExample: treadmillSet,
      reply: workoutProgressAckSchema,
      replyExample: { record: { ...storedSet, machineId, source: 'machine' } },
      failureExamples: [
        {
          name: 'notLinked',
          summary: 'No member is linked to the machine',
          ack: {
            ok: false,
            error: {
              code: 'CONFLICT',
              reason: 'MACHINE_NOT_LINKED',
              message: 'No member is linked to this machine.',
            },
          },
        },
      ],
    },
  },
  serverEvents: {
    'machine:status': {
      summary: 'A machine of a followed branch changed status',
      description:
        'To the branch’s subscribers. `currentUserId` (who holds the machine) reaches only the ' +
        'branch’s staff, admins and the member it names; everyone else gets the event without it.',
      recipients: ['user'],
      payload: machineStatusEventSchema,
      examples: [
        {
          name: 'linkedAsStaffSeeIt',
          summary: 'A member linked the machine, as staff and that member see it',
          payload: {
            machineId,
            branchId,
            status: 'occupied',
            currentUserId: memberId,
            at: '2026-11-30T18:20:05.120Z',
          },
        },
        {
          name: 'linkedAsMembersSeeIt',
          summary: 'The same change, as other members see it',
          payload: { machineId, branchId, status: 'occupied', at: '2026-11-30T18:20:05.120Z' },
        },
      ],
    },
    'machine:removed': {
      summary: 'A machine of a followed branch was removed',
      description: 'To the branch’s subscribers; the removed machine’s own sockets are closed.',
      recipients: ['user'],
      payload: machineRemovedEventSchema,
      examples: [
        {
          name: 'removed',
          summary: 'An admin removed a machine',
          payload: { machineId: otherMachineId, branchId, at: '2026-11-30T19:00:00.000Z' },
        },
      ],
    },
    'machine:linked': {
      summary: 'A member linked this machine',
      description: 'To the device: a member scanned its QR code and is using it now.',
      recipients: ['machine'],
      payload: machineLinkedEventSchema,
      examples: [
        {
          name: 'linked',
          summary: 'A member scanned the machine',
          payload: { userId: memberId, at: '2026-11-30T18:20:05.120Z' },
        },
      ],
    },
    'machine:unlinked': {
      summary: 'This machine’s member let go of it, or was let go of',
      description:
        'To the device: the member unlinked, checked out, went idle too long or left; ' +
        '`status` is the machine’s status now.',
      recipients: ['machine'],
      payload: machineUnlinkedEventSchema,
      examples: [
        {
          name: 'unlinked',
          summary: 'The member checked out',
          payload: { userId: memberId, status: 'available', at: '2026-11-30T18:45:31.274Z' },
        },
      ],
    },
  },
};

const workouts: NamespaceContract<WorkoutsClientEvents, WorkoutsServerEvents> = {
  namespace: namespaces.workouts,
  title: 'A member’s devices',
  description:
    'A member’s apps (users only, `auth: { token }`): sets recorded live, copied to the ' +
    'member’s other devices, and the member’s notifications as they happen.',
  admits: ['user'],
  clientEvents: {
    'workout:progress': {
      summary: 'Record a set of today’s workout',
      description:
        'Stored as a set of the member’s latest log entry of that exercise on their local day ' +
        '(the time zone of the branch they are checked in at, else their profile’s, else UTC), ' +
        'which its first set creates; sending a set number again corrects that set. The ack’s ' +
        '`record` is the stored set with its `logId`; the member’s other sockets receive it as ' +
        '`workout:progress`.',
      senders: ['user'],
      payload: workoutProgressPayload,
      payloadExample: treadmillSet,
      reply: workoutProgressAckSchema,
      replyExample: { record: storedSet },
      failureExamples: [
        validationFailure(
          'workout:progress',
          'payload.setNumber',
          'Too small: expected number to be >=1',
        ),
      ],
    },
  },
  serverEvents: {
    'workout:progress': {
      summary: 'A set recorded from another of the member’s devices, or their machine',
      description:
        'The stored set, as the sender’s ack carried it; the socket that sent it does not get ' +
        'a copy.',
      recipients: ['user'],
      payload: workoutProgressRecord,
      examples: [
        {
          name: 'fromMachine',
          summary: 'The treadmill the member is linked to reported a set',
          payload: { ...storedSet, machineId, source: 'machine' },
        },
      ],
    },
    notification: {
      summary: 'A notification for the member, as it is stored in their inbox',
      description:
        'Sent after the notification is stored, unless the member turned the socket channel ' +
        'off for its kind. The notification’s `data` details are spread next to the fixed ' +
        'fields and depend on the `type`; a detail of the same name takes the place of a fixed ' +
        'field (an achievement’s `title`, and `at` when it was unlocked).',
      recipients: ['user'],
      payload: notificationEventSchema,
      examples: [
        {
          name: 'achievementUnlocked',
          summary: 'The member unlocked an achievement',
          payload: {
            type: 'achievement-unlocked',
            message: 'Achievement unlocked: First workout',
            at: '2026-11-30T18:24:10.498Z',
            title: 'First workout',
            key: 'first-workout',
            points: 50,
            notificationId: '0b8f5a52-8e3e-4a8e-9b7c-3f8d1c2e4a11',
          },
        },
      ],
    },
  },
};

/**
 * The Socket.IO contract, namespace by namespace: the same Zod schemas the handlers validate
 * with and the event maps type the emits with, plus what only a reader needs (summaries,
 * examples). The AsyncAPI document is generated from this.
 */
export const socketContract = { machines, workouts } as const;
