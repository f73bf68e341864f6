import 'dotenv/config';
import { createServer, type Server } from 'node:http';
import { createProbeApp } from './app.js';
import { loadConfigOrExit } from './config/config.js';
import { createContainer } from './container.js';
import { exitGracefullyOnSignals, exitOnStartupFailure } from './lib/graceful-shutdown.js';
import { createLogger } from './lib/logger.js';
import {
  assertDependenciesReachable,
  assertPortAvailable,
  listenOrExplain,
} from './lib/startup-checks.js';

/**
 * Runs the background jobs without the HTTP API, so they can be scaled and restarted apart from
 * it (a second PM2 app; the API instances then set RUN_JOBS=false). It needs PostgreSQL: a PGlite
 * data directory belongs to one process, so in the embedded mode the API server runs the jobs
 * itself. On SIGTERM/SIGINT it stops fetching, lets running jobs finish, closes its connections
 * and exits; unfinished jobs are retried by another instance.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, undefined, config.logFormat).child({
    role: 'worker',
  });
  if (!config.databaseUrl) {
    process.stderr.write(
      'The worker needs DATABASE_URL (PostgreSQL); with PGlite the API server runs the jobs.\n',
    );
    process.exit(78); // EX_CONFIG: PM2 is told not to restart on it
  }
  const probePort = config.workerMetricsPort;
  if (probePort !== undefined) await assertPortAvailable(config.host, probePort);
  // One clear line, not a stack per failed statement, when PostgreSQL or Redis is unusable.
  await assertDependenciesReachable(config);
  const container = await createContainer(config, { logger });
  if (!container.redis) {
    // Events reach sockets of other processes only through the Redis adapter.
    logger.warn('REDIS_URL is not set: machine status changes made by jobs reach no client');
  }
  // Jobs read the application's tables; a worker started before the API must not find them old.
  await container.database.migrate();
  await container.jobs.start();
  // The runs this process works are only seen through its own /metrics.
  let draining = false;
  let probes: Server | undefined;
  if (probePort !== undefined) {
    probes = createServer(createProbeApp(container, { isDraining: () => draining }));
    await listenOrExplain(probes, config.host, probePort);
  }
  logger.info(
    { database: container.database.kind, metricsPort: probePort },
    'NXG Connect worker running',
  );

  exitGracefullyOnSignals({
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    stop: async () => {
      draining = true;
      probes?.close();
      await container.close();
    },
  });
}

main().catch(exitOnStartupFailure('Worker startup'));
