import 'dotenv/config';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { loadConfigOrExit } from './config/config.js';
import { createContainer } from './container.js';
import { createLogger } from './lib/logger.js';
import { attachSocketServer } from './realtime/socket-server.js';
import { createErrorReporting } from './lib/error-reporting.js';
import {
  drainHttpServer,
  exitGracefullyOnSignals,
  exitOnStartupFailure,
} from './lib/graceful-shutdown.js';
import { assertDependenciesReachable, assertPortAvailable } from './lib/startup-checks.js';
import { listenWithAcceptSockets } from './lib/http/accept-sockets.js';

/**
 * Starts the API: config → port and connection checks → connections (the PGlite data
 * directory locked) → migrations → first admin → HTTP + Socket.IO. Nothing is opened or written
 * before the port and the configured PostgreSQL and Redis are known to be usable, so a second
 * server started by mistake fails with one line and leaves the running one's data alone. On
 * SIGTERM/SIGINT it stops accepting, lets in-flight requests finish, closes the database and
 * Redis, and exits; if that takes longer than the shutdown timeout it exits anyway.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  await assertPortAvailable(config.host, config.port);
  await assertDependenciesReachable(config);
  const container = await createContainer(config, { logger });
  await container.database.migrate();
  if (config.admin) await container.auth.ensureBootstrapAdmin(config.admin);
  // Built-in exercises and foods are searchable with the service's, so they live in tables too.
  await container.workouts.installBuiltInLibrary();
  await container.nutrition.installBuiltInFoods();
  // PGlite belongs to this process, so the embedded mode always works the jobs here; with
  // PostgreSQL they may run in src/worker.ts instead (RUN_JOBS=false on the API instances).
  if (config.runJobs || container.database.kind === 'pglite') await container.jobs.start();

  const errorReporting = await createErrorReporting(config.sentry, logger);
  let draining = false;
  const app = createApp(container, {
    reportError: errorReporting?.report,
    isDraining: () => draining,
  });
  const httpServer = createServer(app);
  attachSocketServer(httpServer, container);

  // A deep accept backlog (Node's default is 511) so a burst of connects is not dropped, and
  // several sockets to accept from so it is not left waiting there either.
  const acceptSockets = await listenWithAcceptSockets(httpServer, {
    host: config.host,
    port: config.port,
    backlog: 4096,
    sockets: config.httpAcceptSockets,
    onUnsupported: (error) =>
      logger.warn(
        { error: String(error) },
        'fewer listening sockets than HTTP_ACCEPT_SOCKETS: no SO_REUSEPORT',
      ),
  });
  const { port } = httpServer.address() as AddressInfo;
  logger.info(
    { port, database: container.database.kind, cache: container.redis ? 'redis' : 'memory' },
    `NXG Connect API listening on http://localhost:${port} (docs at /api/docs)`,
  );

  exitGracefullyOnSignals({
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    async stop() {
      // From here readiness answers 503 and no new connection is accepted.
      draining = true;
      const budget = config.shutdownTimeoutMs;
      const http = drainHttpServer(httpServer, {
        idleGraceMs: Math.min(1_000, budget / 5),
        acceptSockets,
      });
      // Sockets and long polls never end on their own; close them once keep-alive clients had
      // their grace (closing Socket.IO also closes idle HTTP connections).
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, budget / 5)));
      await container.realtime.close();
      // In-flight requests finish; only a connection stuck past half the budget is cut, so the
      // database, Redis and jobs still close before the deadline.
      const stuck = setTimeout(() => http.forceClose(), budget / 2);
      await http.closed;
      clearTimeout(stuck);
      await Promise.all([container.close(), errorReporting?.close()]);
    },
  });
}

main().catch(exitOnStartupFailure('Startup'));
