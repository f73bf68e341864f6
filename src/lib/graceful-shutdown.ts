import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import { StartupError } from './startup-error.js';
import type { Logger } from './logger.js';

/**
 * Runs `stop` once on the first SIGTERM or SIGINT, then exits 0 (1 if `stop` failed). If
 * stopping takes longer than `timeoutMs` the process is killed outright: process.exit() would
 * still wait for queued thread-pool work, SIGKILL does not.
 */
export function exitGracefullyOnSignals(options: {
  logger: Logger;
  timeoutMs: number;
  stop: () => Promise<void>;
}): void {
  const { logger } = options;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('graceful shutdown timed out; exiting');
      process.kill(process.pid, 'SIGKILL');
    }, options.timeoutMs);
    deadline.unref();
    options.stop().then(
      () => {
        logger.info('shutdown complete');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ error: String(error) }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** An HTTP server being drained: see `drainHttpServer`. */
export interface HttpDrain {
  /** Resolves once every connection has ended. */
  closed: Promise<void>;
  /** Ends the connections still open (stuck ones); in-flight requests on them are cut. */
  forceClose(): void;
}

/**
 * Stops an HTTP server without cutting a request it accepted. New connections are refused at
 * once; every response from now on says `Connection: close`, so a busy keep-alive connection
 * ends after its current request instead of carrying on forever; connections still idle after
 * `idleGraceMs` are closed. The grace matters: a keep-alive client may be writing its next
 * request into a connection the server sees as idle, and closing that one resets the request.
 * Under load each client sends within moments and is answered with `Connection: close`.
 */
export function drainHttpServer(
  server: Server,
  options: { idleGraceMs: number; acceptSockets?: NetServer[] },
): HttpDrain {
  server.prependListener('request', (_req, res) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  });
  // Each listening socket counts its own connections; all of them must end.
  const listeners: NetServer[] = [server, ...(options.acceptSockets ?? [])];
  const closed = Promise.all(
    listeners.map((listener) => new Promise((resolve) => listener.once('close', resolve))),
  ).then(() => undefined);
  // net's close, not http's: http's also closes idle connections at once (see above).
  for (const listener of listeners) NetServer.prototype.close.call(listener);
  const grace = setTimeout(() => server.closeIdleConnections(), options.idleGraceMs);
  grace.unref();
  void closed.then(() => clearTimeout(grace));
  return { closed, forceClose: () => server.closeAllConnections() };
}

/**
 * The last line of an entry point: a failed startup is printed and the process exits 1. A
 * StartupError (the operator's to fix: a port in use, an unreachable database) is one line
 * with its own exit code; anything else is a bug and gets its stack.
 */
export function exitOnStartupFailure(what: string) {
  return (error: unknown): never => {
    if (error instanceof StartupError) {
      process.stderr.write(`${what} failed: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    process.stderr.write(
      `${what} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  };
}
