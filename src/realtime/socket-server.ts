import type { Server as HttpServer } from 'node:http';
import { Server, type DefaultEventsMap } from 'socket.io';
import type { Container } from '../container.js';

/** What the handshake establishes about a connection. */
export interface SocketData {
  userId: string;
}

/** Socket.IO messages are small JSON events; anything bigger is refused at the transport. */
const MAX_SOCKET_MESSAGE_BYTES = 16 * 1024;

/**
 * Attaches Socket.IO on `/api/ws`. Connections are admitted only from allowed origins and with a
 * live access token in the handshake (`auth: { token }`); namespaces arrive with the real-time
 * features.
 */
export function attachSocketServer(
  httpServer: HttpServer,
  container: Container,
): Server<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, SocketData> {
  const io = new Server<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, SocketData>(
    httpServer,
    {
      path: '/api/ws',
      maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
      cors: { origin: container.config.corsOrigins, credentials: true },
      // CORS does not cover WebSocket upgrades: browsers' Origin is checked here for every
      // transport. Machines and mobile apps send no Origin and are judged by their credentials.
      allowRequest: (req, callback) => {
        const origin = req.headers.origin;
        callback(null, origin === undefined || container.config.corsOrigins.includes(origin));
      },
      serveClient: false,
    },
  );
  // Same checks as HTTP: signature, blacklist, revoked family, user still exists.
  io.use((socket, next) => {
    const token: unknown = (socket.handshake.auth as Record<string, unknown>).token;
    if (typeof token !== 'string') {
      next(new Error('UNAUTHENTICATED'));
      return;
    }
    container.authGuard.authenticateToken(token).then(
      (user) => {
        socket.data.userId = user.userId;
        next();
      },
      () => next(new Error('UNAUTHENTICATED')),
    );
  });
  return io;
}
