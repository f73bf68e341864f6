import type { Server as HttpServer } from 'node:http';
import type { Container } from '../container.js';
import { AppError, unauthenticated } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { SocketIdentity } from './event-maps.js';
import {
  countReceivedEvents,
  limitEventRate,
  limitHolderEvents,
  refuseUnknownEvents,
  type AppSocket,
} from './socket-events.js';
import { rooms } from './realtime.js';
import {
  createConnectionSlots,
  EventBudget,
  quotaHolder,
  type ConnectionSlots,
} from './socket-quotas.js';

/**
 * Binds the container's Socket.IO server to the HTTP server on `/api/ws` and installs the
 * namespaces. Every connection passes the same checks as HTTP: browsers' Origin against the
 * CORS allow-list, then a live user access token (signature, blacklist, revoked session, user
 * exists) or, where a namespace admits them, a gym machine's device key.
 */
export function attachSocketServer(httpServer: HttpServer, container: Container): void {
  const { config, logger, realtime } = container;
  realtime.io.attach(httpServer, {
    cors: { origin: config.corsOrigins, credentials: true },
    // CORS does not cover WebSocket upgrades: browsers' Origin is checked here for every
    // transport. Machines and mobile apps send no Origin and are judged by their credentials.
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      callback(null, origin === undefined || config.corsOrigins.includes(origin));
    },
  });

  // Clients talk to the feature namespaces only; the main namespace carries nothing.
  realtime.io.use((_socket, next) => {
    next(connectionRefusal('NOT_FOUND', 'Connect to /machines or /workouts.'));
  });

  const quotas = config.socketQuotas;
  const slots = createConnectionSlots({
    redis: container.redis,
    keyPrefix: config.redisKeyPrefix,
    logger,
  });
  const budget = new EventBudget(container.kv, quotas.eventsPerMinute, logger);
  for (const feature of container.socketFeatures) {
    const namespace = realtime.io.of(feature.namespace);
    namespace.use((socket, next) => {
      identify(container, socket.handshake.auth, feature.admitsMachines)
        .then(async (identity) => {
          socket.data.identity = identity;
          const max = identity.kind === 'user' ? quotas.perUser : quotas.perMachine;
          if (!(await takeSlot(slots, socket, max, logger))) {
            next(
              connectionRefusal(
                'TOO_MANY_CONNECTIONS',
                `At most ${max} connections at once for this ${identity.kind === 'user' ? 'account' : 'machine'}; close one first.`,
              ),
            );
            return;
          }
          next();
        })
        .catch((error: unknown) => {
          if (error instanceof AppError) {
            next(connectionRefusal(error.code, error.detail));
            return;
          }
          // The database or Redis did not answer: the client may retry, unlike a refusal.
          logger.warn({ err: error }, 'socket handshake failed');
          next(connectionRefusal('SERVICE_UNAVAILABLE', 'Try connecting again shortly.'));
        });
    });
    namespace.on('connection', (socket) => {
      joinIdentityRooms(socket);
      countReceivedEvents(socket, container.metrics.socketEvents);
      limitEventRate(socket, config.socketEventsPerSecond);
      limitHolderEvents(socket, budget, quotas.eventsPerMinute);
      refuseUnknownEvents(socket);
      feature.onConnection(socket);
    });
  }
}

/**
 * Counts the handshaking socket against its user's (or device key's) cap on every instance.
 * The slot is given back when the socket disconnects, or when its connection closes before the
 * handshake completes (Socket.IO then drops the socket without a `disconnect`). When Redis
 * cannot answer the socket is let in uncounted: an outage should not lock machines out.
 */
async function takeSlot(
  slots: ConnectionSlots,
  socket: AppSocket,
  max: number,
  logger: Logger,
): Promise<boolean> {
  const holder = quotaHolder(socket.data.identity);
  try {
    if (!(await slots.acquire(holder, socket.id, max))) return false;
  } catch (error) {
    logger.warn({ err: error }, 'socket slot unavailable; connection admitted uncounted');
    return true;
  }
  const connection = socket.conn;
  const release = () => {
    connection.off('close', release);
    slots.release(holder, socket.id);
  };
  socket.once('disconnect', release);
  connection.once('close', release);
  if (connection.readyState !== 'open') release();
  return true;
}

/**
 * A refused connection as the client's `connect_error` shows it: the code as the message and
 * `{ code, message }` as `data`, so clients can tell "sign in again" from "retry".
 */
function connectionRefusal(code: string, message: string): Error {
  return Object.assign(new Error(code), { data: { code, message } });
}

/** The handshake's credentials, checked: `auth: { token }` for users, `{ machineKey }` for devices. */
async function identify(
  container: Container,
  auth: Record<string, unknown>,
  admitsMachines: boolean,
): Promise<SocketIdentity> {
  if (typeof auth.token === 'string') {
    const user = await container.authGuard.authenticateToken(auth.token);
    return {
      kind: 'user',
      userId: user.userId,
      role: user.role,
      jti: user.jti,
      familyId: user.familyId,
      expiresAt: user.expiresAt,
    };
  }
  if (admitsMachines && typeof auth.machineKey === 'string') {
    const machine = await container.gymFloor.machines.authenticateDevice(auth.machineKey);
    return { kind: 'machine', machineId: machine.id, branchId: machine.branchId };
  }
  throw unauthenticated(
    admitsMachines
      ? 'Connect with auth: { token } (users) or auth: { machineKey } (machines).'
      : 'Connect with auth: { token }.',
  );
}

/**
 * Rooms that let any instance reach this socket: a user's sockets by user, access token and
 * login session (so logout ends them), a device's by machine. A user's socket also closes when
 * its access token expires; the client reconnects with a fresh one.
 */
function joinIdentityRooms(socket: AppSocket): void {
  const identity = socket.data.identity;
  if (identity.kind === 'machine') {
    void socket.join(rooms.machine(identity.machineId));
    return;
  }
  void socket.join([
    rooms.user(identity.userId),
    rooms.accessToken(identity.jti),
    rooms.family(identity.familyId),
  ]);
  const expiry = setTimeout(
    () => socket.disconnect(true),
    Math.max(0, identity.expiresAt * 1000 - Date.now()),
  );
  socket.once('disconnect', () => clearTimeout(expiry));
}
