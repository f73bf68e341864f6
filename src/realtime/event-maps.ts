// The Socket.IO events of each namespace, as Socket.IO's typed event maps: an emit or a handler
// whose event name or payload does not match fails to compile. Only types live here, so the
// realtime layer and the feature modules can both import this file without an import cycle.
// The payload types come straight from the modules' schema files, not their index.ts: an index
// also exports the socket handlers, which import this file, and that would be a cycle.
// eslint-disable-next-line no-restricted-imports -- schema types only; see above
import type {
  WorkoutProgressAck,
  WorkoutProgressPayload,
  WorkoutProgressRecord,
} from '../modules/workout-logs/workout-logs.schemas.js';
// eslint-disable-next-line no-restricted-imports -- schema types only; see above
import type {
  BranchSubscribed,
  BranchUnsubscribed,
  HeartbeatBody,
  HeartbeatResult,
  MachineLinkedEvent,
  MachineRemovedEvent,
  MachineStatusEvent,
  MachineUnlinkedEvent,
} from '../modules/gym-floor/gym-floor.schemas.js';
// eslint-disable-next-line no-restricted-imports -- schema types only; see above
import type { NotificationEvent } from '../modules/notifications/notifications.schemas.js';
import type { FailedAck } from './socket-errors.schemas.js';
import type { Role } from '../lib/roles.js';

/** Who is on the other end of a socket, as the handshake established it. */
export type SocketIdentity =
  | {
      kind: 'user';
      userId: string;
      role: Role;
      jti: string;
      familyId: string;
      /** Seconds since the epoch; the socket is closed then. */
      expiresAt: number;
    }
  | { kind: 'machine'; machineId: string; branchId: string };

/** `socket.data` of every socket of ours. */
export interface SocketData {
  identity: SocketIdentity;
}

/**
 * What every acknowledgement looks like, on both namespaces: ok with the event's result, or an
 * error (validation, rate limit, refusal) with nothing changed.
 */
export type Ack<Result extends object = Record<string, unknown>> =
  ({ ok: true } & Result) | FailedAck;

/** The callback a client passes last to be answered, with the event's result type. */
export type AckCallback<Result extends object = Record<string, unknown>> = (
  ack: Ack<Result>,
) => void;

/** `/machines`, client to server: members follow branches, devices report in. */
export interface MachinesClientEvents {
  'branch:subscribe': (payload: { branchId: string }, ack: AckCallback<BranchSubscribed>) => void;
  'branch:unsubscribe': (
    payload: { branchId: string },
    ack: AckCallback<BranchUnsubscribed>,
  ) => void;
  'machine:heartbeat': (payload: HeartbeatBody, ack: AckCallback<HeartbeatResult>) => void;
  /** From a device, for its linked member; the machine is the device itself. */
  'workout:progress': (
    payload: WorkoutProgressPayload,
    ack: AckCallback<WorkoutProgressAck>,
  ) => void;
}

/** `/machines`, server to client. */
export interface MachinesServerEvents {
  /** To a branch's subscribers. */
  'machine:status': (event: MachineStatusEvent) => void;
  /** To a branch's subscribers. */
  'machine:removed': (event: MachineRemovedEvent) => void;
  /** To the device. */
  'machine:linked': (event: MachineLinkedEvent) => void;
  /** To the device. */
  'machine:unlinked': (event: MachineUnlinkedEvent) => void;
}

/** `/workouts`, client to server. */
export interface WorkoutsClientEvents {
  'workout:progress': (
    payload: WorkoutProgressPayload,
    ack: AckCallback<WorkoutProgressAck>,
  ) => void;
}

/** `/workouts`, server to client: a member's devices. */
export interface WorkoutsServerEvents {
  /** A set recorded from another of the member's devices (or their machine). */
  'workout:progress': (record: WorkoutProgressRecord) => void;
  notification: (notification: NotificationEvent) => void;
}

/** Every event a client may send, over both namespaces (the server's `ListenEvents`). */
export type ClientToServerEvents = MachinesClientEvents & WorkoutsClientEvents;

/** Every event the server sends, over both namespaces (the server's `EmitEvents`). */
export type ServerToClientEvents = MachinesServerEvents & WorkoutsServerEvents;

/** Instances talk to each other only through the adapter's own messages. */
export type InterServerEvents = Record<string, never>;
