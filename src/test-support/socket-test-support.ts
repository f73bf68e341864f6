// Socket.IO client helpers for tests: real clients over real WebSockets to a listening app.
import { io, type Socket } from 'socket.io-client';
import type { TestApp } from './test-app.js';

/**
 * How long a test waits for an ack, event or disconnect before failing. Generous: on a busy
 * machine a round trip can take seconds, and a test must not depend on how fast it runs.
 */
const WAIT_MS = 20_000;

/** Connects to a namespace (`/machines`, `/workouts`) with the given handshake `auth`. */
export function connectSocket(
  baseUrl: string,
  namespace: string,
  auth: Record<string, unknown>,
  options: { origin?: string } = {},
): Socket {
  return io(`${baseUrl}${namespace}`, {
    path: '/api/ws',
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: options.origin ? { origin: options.origin } : undefined,
  });
}

/** Resolves once connected; rejects with the server's refusal (`connect_error`). */
export function connected(socket: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (socket.connected) {
      resolve(socket);
      return;
    }
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error: Error & { data?: unknown }) => reject(error));
  });
}

/** The server's refusal of a connection attempt: its message and `data`. */
export async function refusal(
  socket: Socket,
): Promise<{ message: string; data?: { code?: string; message?: string } }> {
  try {
    await connected(socket);
  } catch (error) {
    const refused = error as Error & { data?: { code?: string; message?: string } };
    return { message: refused.message, data: refused.data };
  } finally {
    socket.close();
  }
  throw new Error('the connection was accepted');
}

/** An acknowledgement as the socket contract shapes it. */
export interface AckReply {
  ok: boolean;
  error?: { code: string; message: string; errors?: { path: string; message: string }[] };
  [field: string]: unknown;
}

/** Emits with an ack callback and resolves with the ack. */
export function emitWithAck(socket: Socket, event: string, payload?: unknown): Promise<AckReply> {
  return socket.timeout(WAIT_MS).emitWithAck(event, payload) as Promise<AckReply>;
}

/** Every `event` the socket receives from now on, in order. */
export function recordEvents<T = Record<string, unknown>>(socket: Socket, event: string): T[] {
  const received: T[] = [];
  socket.on(event, (payload: T) => received.push(payload));
  return received;
}

/** Resolves with the next `event` matching `match`, or rejects after `timeoutMs`. */
export function nextEvent<T = Record<string, unknown>>(
  socket: Socket,
  event: string,
  match: (payload: T) => boolean = () => true,
  timeoutMs = WAIT_MS,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
}

/** Resolves once the server has closed the socket, with the reason. */
export function disconnection(socket: Socket, timeoutMs = WAIT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    if (socket.disconnected && !socket.active) {
      resolve('already disconnected');
      return;
    }
    const timer = setTimeout(() => reject(new Error('still connected')), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/**
 * Waits until `instances` Socket.IO servers have subscribed to every namespace's Redis channel.
 * The streams adapter subscribes in the background once a server starts; a test that cuts an
 * instance off Redis before that leaves a subscription half made, whose command then fails
 * unhandled when the instance closes.
 */
export async function adapterSubscribed(app: TestApp, instances: number): Promise<void> {
  const redis = app.container.redis;
  if (!redis) return;
  const channels = ['/', '/machines', '/workouts'].map(
    (namespace) => `${app.container.config.redisKeyPrefix}socket.io#${namespace}#`,
  );
  const deadline = Date.now() + 15_000;
  for (;;) {
    const counts = (await redis.pubsub('NUMSUB', ...channels)) as (string | number)[];
    const subscribed = counts.filter((_, index) => index % 2 === 1).map(Number);
    if (subscribed.every((count) => count >= instances)) return;
    if (Date.now() > deadline) {
      throw new Error(`Socket.IO adapters not subscribed in time: ${counts.join(' ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
