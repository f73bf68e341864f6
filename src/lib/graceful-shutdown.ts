import { StartupError } from './startup-error.js';
import type { Logger } from './logger.js';

/**
 * Runs `stop` once on the first SIGTERM or SIGINT, then exits 0 (1 if `stop` failed). If
 * stopping takes longer than `timeoutMs` the process is killed outright: process.exit() would
 * still wait for queued thread-pool work (bcrypt), SIGKILL does not.
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
