import type { ErrorReporter } from '../middleware/error-handler.js';
import { requestIdOf } from '../middleware/request-id.js';
import type { Logger } from './logger.js';

/** Sends unexpected errors to Sentry; `flush` waits (bounded) for queued events to leave. */
export interface ErrorReporting {
  report: ErrorReporter;
  flush(): Promise<void>;
}

const FLUSH_TIMEOUT_MS = 2_000;

/**
 * Sentry reporting when a DSN is configured. The SDK is imported only then, so deployments
 * without Sentry do not pay for its instrumentation.
 */
export async function createErrorReporting(
  dsn: string | undefined,
  logger: Logger,
): Promise<ErrorReporting | undefined> {
  if (!dsn) return undefined;
  const Sentry = await import('@sentry/node');
  Sentry.init({ dsn, tracesSampleRate: 0, defaultIntegrations: false });
  logger.info('error reporting to Sentry enabled');
  return {
    report: (error, req) => {
      Sentry.captureException(error, {
        tags: { requestId: requestIdOf(req) },
        user: req.user ? { id: req.user.userId } : undefined,
      });
    },
    async flush() {
      await Sentry.flush(FLUSH_TIMEOUT_MS);
    },
  };
}
