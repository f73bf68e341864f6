import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import { Server, type BroadcastOperator, type Namespace } from 'socket.io';
import type { Logger } from '../lib/logger.js';
import type { SocketEventMetrics } from '../middleware/metrics.js';
import type {
  ClientToServerEvents,
  InterServerEvents,
  MachinesClientEvents,
  MachinesServerEvents,
  ServerToClientEvents,
  SocketData,
  WorkoutsClientEvents,
  WorkoutsServerEvents,
} from './event-maps.js';

/** Socket.IO messages are small JSON events; anything bigger is refused at the transport. */
export const MAX_SOCKET_MESSAGE_BYTES = 16 * 1024;

/** The namespaces clients see as `/api/ws/machines` and `/api/ws/workouts` (engine path `/api/ws`). */
export const namespaces = { machines: '/machines', workouts: '/workouts' } as const;

/** Room names, spelled in one place for the handlers that join them and the code that emits. */
export const rooms = {
  branch: (branchId: string) => `branch:${branchId}`,
  /** Subscribers of a branch who staff it (or are admins): they hear who holds each machine. */
  branchStaff: (branchId: string) => `branch-staff:${branchId}`,
  /** One user's subscriptions to one branch, so the member on a machine hears their own id. */
  branchUser: (branchId: string, userId: string) => `branch:${branchId}:user:${userId}`,
  machine: (machineId: string) => `machine:${machineId}`,
  user: (userId: string) => `user:${userId}`,
  accessToken: (jti: string) => `token:${jti}`,
  family: (familyId: string) => `family:${familyId}`,
};

/** The Socket.IO server with every namespace's events typed. */
export type AppServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
type MachinesNamespace = Namespace<
  MachinesClientEvents,
  MachinesServerEvents,
  InterServerEvents,
  SocketData
>;
type WorkoutsNamespace = Namespace<
  WorkoutsClientEvents,
  WorkoutsServerEvents,
  InterServerEvents,
  SocketData
>;

/** The one payload of a server-to-client event (every event of ours has exactly one). */
type Payload<Events, E extends keyof Events> = Events[E] extends (payload: infer P) => void
  ? P
  : never;

/**
 * Emits an event whose name and payload the Realtime signatures have already checked against
 * the event maps. Socket.IO's own `emit` types its arguments through a conditional type
 * (acknowledgement decoration) that TypeScript cannot resolve for a generic event name, though
 * it leaves ack-less events like ours unchanged; this is the one place that steps around it,
 * and the one place every event to clients passes, so it is counted here.
 */
function sender(metrics: Pick<SocketEventMetrics, 'sent'> | undefined) {
  return (
    namespace: string,
    target: BroadcastOperator<never, SocketData>,
    event: string,
    payload: unknown,
  ) => {
    (target as unknown as { emit(event: string, payload: unknown): boolean }).emit(event, payload);
    metrics?.sent(namespace, event);
  };
}

/** How an event reaches a member's devices. */
export interface UserEmitOptions {
  /** The socket that sent the update, which already has it. */
  exceptSocketId?: string;
}

/**
 * Sends events to rooms from anywhere (HTTP handlers, jobs, another namespace). With Redis the
 * Socket.IO server carries a Redis Streams adapter, so an event emitted on one instance, or by
 * a worker process that serves no sockets at all, reaches subscribers connected to any other.
 * Unlike the pub/sub adapter, a stream is read from an offset, so events emitted while Redis
 * was briefly unreachable are delivered once it is back instead of being dropped.
 */
export interface Realtime {
  /** The Socket.IO server; `attachSocketServer` binds it to the HTTP server. */
  readonly io: AppServer;
  /**
   * To every subscriber of the branch. With `insiders`, the branch's staff subscribers and the
   * subscriptions of `insiders.userIds` receive `insiders.payload` instead (each socket one of
   * the two), for events with details not everyone may see.
   */
  emitToBranch<E extends keyof MachinesServerEvents>(
    branchId: string,
    event: E,
    payload: Payload<MachinesServerEvents, E>,
    insiders?: { payload: Payload<MachinesServerEvents, E>; userIds: string[] },
  ): void;
  emitToMachine<E extends keyof MachinesServerEvents>(
    machineId: string,
    event: E,
    payload: Payload<MachinesServerEvents, E>,
  ): void;
  /** To the member's devices on `/workouts`. */
  emitToUser<E extends keyof WorkoutsServerEvents>(
    userId: string,
    event: E,
    payload: Payload<WorkoutsServerEvents, E>,
    options?: UserEmitOptions,
  ): void;
  /** Ends the sockets opened with these access tokens or login sessions (logout, revocation). */
  disconnectRevoked(revoked: { accessTokenIds?: string[]; familyIds?: string[] }): void;
  /** Takes the user's sockets, on any instance, out of a branch's rooms. */
  leaveBranch(userId: string, branchId: string): void;
  /** Takes the user's sockets out of a branch's staff room only (no longer staff there). */
  leaveBranchStaff(userId: string, branchId: string): void;
  /** Ends every socket of a user (account deleted, role changed). */
  disconnectUser(userId: string): void;
  /** Ends a device's sockets (machine removed or its key replaced). */
  disconnectMachine(machineId: string): void;
  close(): Promise<void>;
}

export interface RealtimeOptions {
  redis?: Redis;
  /** The deployment's Redis key prefix; the stream and channels live under it. */
  keyPrefix: string;
  logger: Logger;
  /** Counts the events emitted to clients (`socketio_events_sent_total`). */
  metrics?: Pick<SocketEventMetrics, 'sent'>;
}

/**
 * After a reconnect ioredis subscribes again by itself and leaves that command's promise
 * unhandled: a connection lost again before Redis answers (a flapping network, or a shutdown
 * right after a reconnect) would end the process with an unhandled rejection. The subscriber
 * keeps reconnecting and re-subscribing either way, so that failure needs no handling beyond
 * being handled.
 */
function withHandledResubscribes(client: Redis): Redis {
  for (const method of ['subscribe', 'psubscribe', 'ssubscribe'] as const) {
    const original = client[method].bind(client) as (...args: unknown[]) => Promise<unknown>;
    client[method] = (...args: unknown[]) => {
      const pending = original(...args);
      pending.catch(() => undefined);
      return pending;
    };
  }
  return client;
}

/** Builds the Socket.IO server (not yet listening) and the emitters over it. */
export function createRealtime(options: RealtimeOptions): Realtime {
  // The adapter gets a connection of its own that queues commands while Redis is unreachable
  // (the cache's connection fails them at once, as a request path should): events emitted
  // during an outage are appended once Redis is back, and every instance reads them from its
  // last offset. Emitting never waits on Redis, so nothing here needs the cache's deadlines;
  // blocking stream reads would trip them. Its stream readers are duplicated from this one.
  const streamClient = options.redis?.duplicate({
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    autoResendUnfulfilledCommands: true,
    commandTimeout: undefined,
    socketTimeout: undefined,
  });
  const onError = (error: Error) => options.logger.warn({ err: error }, 'socket adapter redis');
  streamClient?.on('error', onError);
  if (streamClient) {
    // The adapter's subscriber and stream readers are duplicates of this client.
    const duplicate = streamClient.duplicate.bind(streamClient);
    streamClient.duplicate = (override) =>
      withHandledResubscribes(duplicate(override).on('error', onError));
  }
  const io: AppServer = new Server({
    path: '/api/ws',
    maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
    serveClient: false,
    ...(streamClient && {
      adapter: createAdapter(streamClient, {
        streamName: `${options.keyPrefix}socket.io`,
        channelPrefix: `${options.keyPrefix}socket.io`,
        // Bounds the stream's memory; at a few hundred events per second this is minutes.
        maxLen: 100_000,
        // How long a closing adapter's reader may stay blocked on Redis.
        blockTimeInMs: 1_000,
        onlyPlaintext: true,
      }),
    }),
  });
  const machines: MachinesNamespace = io.of(namespaces.machines);
  const workouts: WorkoutsNamespace = io.of(namespaces.workouts);
  const both = [machines, workouts];
  const send = sender(options.metrics);

  let closing: Promise<void> | undefined;
  return {
    io,
    emitToBranch: (branchId, event, payload, insiders) => {
      if (!insiders) {
        send(namespaces.machines, machines.to(rooms.branch(branchId)), event, payload);
        return;
      }
      const inner = [
        rooms.branchStaff(branchId),
        ...insiders.userIds.map((userId) => rooms.branchUser(branchId, userId)),
      ];
      send(namespaces.machines, machines.to(rooms.branch(branchId)).except(inner), event, payload);
      send(namespaces.machines, machines.to(inner), event, insiders.payload);
    },
    emitToMachine: (machineId, event, payload) => {
      send(namespaces.machines, machines.to(rooms.machine(machineId)), event, payload);
    },
    emitToUser: (userId, event, payload, options = {}) => {
      let target = workouts.to(rooms.user(userId));
      if (options.exceptSocketId) target = target.except(options.exceptSocketId);
      send(namespaces.workouts, target, event, payload);
    },
    disconnectRevoked: ({ accessTokenIds = [], familyIds = [] }) => {
      const targets = [...accessTokenIds.map(rooms.accessToken), ...familyIds.map(rooms.family)];
      if (targets.length === 0) return;
      for (const namespace of both) namespace.in(targets).disconnectSockets(true);
    },
    leaveBranch: (userId, branchId) => {
      machines
        .in(rooms.user(userId))
        .socketsLeave([
          rooms.branch(branchId),
          rooms.branchStaff(branchId),
          rooms.branchUser(branchId, userId),
        ]);
    },
    leaveBranchStaff: (userId, branchId) => {
      machines.in(rooms.user(userId)).socketsLeave(rooms.branchStaff(branchId));
    },
    disconnectUser: (userId) => {
      for (const namespace of both) namespace.in(rooms.user(userId)).disconnectSockets(true);
    },
    disconnectMachine: (machineId) => {
      machines.in(rooms.machine(machineId)).disconnectSockets(true);
    },
    close: () =>
      (closing ??= (async () => {
        try {
          await io.close();
        } catch (error) {
          // Closing before listening is not worth failing a shutdown over.
          options.logger.debug({ err: error }, 'socket server close');
        }
        await streamClient?.quit().catch(() => streamClient.disconnect());
      })()),
  };
}
