import type { Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { listenOrExplain } from '../startup-checks.js';

/**
 * Listens on `host:port` with `sockets` listening sockets (SO_REUSEPORT) that all hand their
 * connections to one HTTP server, and answers the extra ones (the HTTP server holds the first).
 *
 * Why more than one: since libuv 1.45 (Node 20.3) a listening socket accepts one connection per
 * turn of the event loop. Under load a turn serves hundreds of requests and takes tens of
 * milliseconds, so a burst of new connections (a reconnect storm after a deploy, a load
 * balancer widening its pool) drains from the kernel's queue at a few dozen a second: at
 * 1,000 connections opened at once, 400 got no answer within 10 s while the others were served.
 * The kernel spreads new connections over the sockets and each turn accepts one per socket.
 *
 * A second server cannot join the port by accident: `assertPortAvailable` binds without
 * SO_REUSEPORT first. Node offers the option only where the kernel spreads connections over the
 * sockets (not on macOS or Windows, where `listen` would fail); there, and wherever an extra
 * socket fails to bind, the server keeps the sockets it has (`onUnsupported` says so).
 */
/** Where Node's `reusePort` works (its documentation for `server.listen`). */
const REUSE_PORT_PLATFORMS = new Set<NodeJS.Platform>(['linux', 'freebsd', 'sunos', 'aix']);

export async function listenWithAcceptSockets(
  httpServer: HttpServer,
  options: {
    host: string;
    port: number;
    backlog: number;
    sockets: number;
    onUnsupported: (error: unknown) => void;
  },
): Promise<Server[]> {
  const { host, backlog } = options;
  const supported = REUSE_PORT_PLATFORMS.has(process.platform);
  if (options.sockets > 1 && !supported) {
    options.onUnsupported(new Error(`SO_REUSEPORT is not offered on ${process.platform}`));
  }
  const sockets = supported ? options.sockets : 1;
  const reusePort = sockets > 1;
  await listenOrExplain(httpServer, host, options.port, { backlog, reusePort });
  // Port 0 picked a free port; the extra sockets join that one.
  const { port } = httpServer.address() as AddressInfo;
  const extra: Server[] = [];
  for (let index = 1; index < sockets; index++) {
    // The options http.Server gives its own socket: half-open for HTTP, no Nagle delay.
    const acceptor = createNetServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      httpServer.emit('connection', socket);
    });
    try {
      await listenOrExplain(acceptor, host, port, { backlog, reusePort });
    } catch (error) {
      options.onUnsupported(error);
      break;
    }
    extra.push(acceptor);
  }
  return extra;
}
