import type { Server as HttpServer } from 'node:http';
import { Server, type DefaultEventsMap } from 'socket.io';

/** What the handshake establishes about a connection. */
export interface SocketData {
  userId: string;
}
import type { Container } from '../container.js';

/** Socket.IO messages are small JSON events; anything bigger is refused at the transport. */
const MAX_SOCKET_MESSAGE_BYTES = 16 * 1024;

/**
 * Attaches Socket.IO on `/api/ws`. Connections are admitted only with a live access token in
 * the handshake (`auth: { token }`) and from allowed origins; namespaces arrive with the
 * real-time features.
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
      serveClient: false,
    },
  );
  io.use((socket, next) => {
    const token: unknown = (socket.handshake.auth as Record<string, unknown>).token;
    if (typeof token !== 'string') {
      next(new Error('UNAUTHENTICATED'));
      return;
    }
    try {
      const claims = container.tokens.verify(token);
      socket.data.userId = claims.userId;
      next();
    } catch {
      next(new Error('UNAUTHENTICATED'));
    }
  });
  return io;
}
