import type { Socket } from 'socket.io';
import type { ZodType } from 'zod';
import { AppError, validationError } from '../lib/errors.js';
import { fieldErrorsOf } from '../lib/zod.js';
import type { Logger } from '../lib/logger.js';
import type {
  Ack,
  AckCallback,
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from './event-maps.js';
import type { FailedAck } from './socket-errors.schemas.js';
import { quotaHolder, type EventBudget } from './socket-quotas.js';
import type { SocketEventMetrics } from '../middleware/metrics.js';

/** A connected socket of ours; its identity is always set once connected. */
export type AppSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

/**
 * A namespace's event handlers, given a socket that has passed the handshake. Feature modules
 * build theirs; the composition root hands them to `attachSocketServer`.
 */
export interface SocketFeature {
  namespace: string;
  /** Whether gym machines (device keys) may connect here, or only users. */
  admitsMachines: boolean;
  onConnection(socket: AppSocket): void;
}

/** The payload a client event carries, as its event map declares it. */
type ClientPayload<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];

/** What a successful ack of the client event carries besides `ok: true`. */
export type AckResult<E extends keyof ClientToServerEvents> =
  Parameters<ClientToServerEvents[E]>[1] extends AckCallback<infer Result> ? Result : never;

/** An ack as an error, for a thrown AppError or anything else. */
export function errorAck(error: unknown, logger: Logger, event: string): FailedAck {
  if (error instanceof AppError) {
    return {
      ok: false,
      error: {
        code: error.code,
        ...(error.extras.reason && { reason: error.extras.reason }),
        message: error.detail,
        ...(error.extras.errors && { errors: error.extras.errors }),
        ...(error.extras.errorsOmitted && { errorsOmitted: error.extras.errorsOmitted }),
      },
    };
  }
  logger.error({ err: error, event }, 'socket event failed');
  return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side.' } };
}

/**
 * Registers a handler for a client event whose payload is validated by `schema` first. The
 * handler's result becomes `{ ok: true, ...result }`; a validation failure or a thrown error
 * becomes `{ ok: false, error }` and nothing is changed. Clients that send no ack callback still
 * get the event handled; a payload-less emit (`emit(event, ack)`) is treated as `{}`.
 */
export function onEvent<E extends keyof ClientToServerEvents>(
  socket: AppSocket,
  event: E,
  schema: ZodType<ClientPayload<E>>,
  logger: Logger,
  handler: (payload: ClientPayload<E>) => Promise<AckResult<E>>,
): void {
  const listener = (...args: unknown[]) => {
    const last = args.at(-1);
    const ack: AckCallback<AckResult<E>> =
      typeof last === 'function' ? (last as AckCallback<AckResult<E>>) : () => undefined;
    const raw = typeof args[0] === 'function' || args.length === 0 ? {} : args[0];
    const parsed = schema.safeParse(raw ?? {});
    if (!parsed.success) {
      const invalid = validationError(
        `The ${event} payload is invalid.`,
        fieldErrorsOf(parsed.error, 'payload'),
      );
      ack(errorAck(invalid, logger, event));
      return;
    }
    handler(parsed.data).then(
      (result) => ack({ ok: true, ...result }),
      (error: unknown) => ack(errorAck(error, logger, event)),
    );
  };
  // The listener takes what the client really sent as unknown and validates it, rather than
  // trusting the event map's declared payload (which is what the schema's type is checked
  // against above); Socket.IO's listener type cannot be resolved for a generic event name.
  (socket as { on(event: string, listener: (...args: unknown[]) => void): unknown }).on(
    event,
    listener,
  );
}

/** Drops an incoming event, answering its ack callback (if it has one) with the error. */
function refusePacket(packet: unknown[], code: string, message: string): void {
  const last = packet.at(-1);
  if (typeof last === 'function')
    (last as (ack: FailedAck) => void)({ ok: false, error: { code, message } });
}

// Error codes are constants of ours; anything else is folded so a label cannot grow unbounded.
const ERROR_CODE = /^[A-Z][A-Z_]{0,39}$/;

function outcomeOf(ack: Ack): string {
  if (ack.ok) return 'ok';
  const { code } = ack.error;
  return ERROR_CODE.test(code) ? code.toLowerCase() : 'error';
}

/**
 * Counts every event the client sends by how it was answered. Installed before the limits, it
 * swaps the packet's ack callback (adding one when the client sent none, which the handlers
 * treat the same as none) for one that counts the answer first: every path, handled, invalid,
 * rate limited or unknown, ends in exactly one ack. Events no handler listens for share one
 * name, so a client cannot invent label values.
 */
export function countReceivedEvents(socket: AppSocket, metrics: SocketEventMetrics): void {
  const namespace = socket.nsp.name;
  socket.use((packet, next) => {
    const event = socket.listenerCount(packet[0]) > 0 ? packet[0] : 'unknown';
    const last: unknown = packet.at(-1);
    const clientAck = typeof last === 'function' ? (last as AckCallback) : undefined;
    const counted: AckCallback = (answer) => {
      metrics.received(namespace, event, outcomeOf(answer));
      clientAck?.(answer);
    };
    if (clientAck) packet[packet.length - 1] = counted;
    else packet.push(counted);
    next();
  });
}

/**
 * Answers events no handler listens for with a NOT_FOUND ack instead of leaving the client's
 * callback waiting for ever. Handlers are registered on connection, before any event arrives.
 * Socket.IO itself listens for `error` on every socket (a no-op), which is no handler of ours.
 */
export function refuseUnknownEvents(socket: AppSocket): void {
  socket.use((packet, next) => {
    const [event] = packet;
    if (event !== 'error' && socket.listenerCount(event) > 0) {
      next();
      return;
    }
    refusePacket(packet, 'NOT_FOUND', `No event "${event}" in this namespace.`);
  });
}

/**
 * Caps how many events one socket may send: a token bucket of `perSecond` refilled continuously
 * with bursts up to twice that. Events over the limit are dropped with a RATE_LIMITED ack, so a
 * misbehaving device or script cannot flood the database through one connection.
 */
export function limitEventRate(socket: AppSocket, perSecond: number): void {
  const capacity = perSecond * 2;
  let tokens = capacity;
  let refilledAt = Date.now();
  socket.use((packet, next) => {
    const now = Date.now();
    tokens = Math.min(capacity, tokens + ((now - refilledAt) / 1000) * perSecond);
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      next();
      return;
    }
    refusePacket(packet, 'RATE_LIMITED', `At most ${perSecond} events per second.`);
  });
}

/**
 * Caps the events of the socket's user (or device key) over all their sockets, on every
 * instance: events over the budget are dropped with a RATE_LIMITED ack, so opening more
 * sockets buys no more events. Runs after the per-socket limit, which refuses for free.
 */
export function limitHolderEvents(socket: AppSocket, budget: EventBudget, perMinute: number): void {
  const holder = quotaHolder(socket.data.identity);
  socket.use((packet, next) => {
    void budget.spend(holder).then((allowed) => {
      if (allowed) next();
      else refusePacket(packet, 'RATE_LIMITED', `At most ${perMinute} events per minute.`);
    });
  });
}
