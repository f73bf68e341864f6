import type { ErrorReporter } from '../middleware/error-handler.js';
import { requestIdOf } from '../middleware/request-id.js';
import type { Logger } from './logger.js';

/**
 * Sentry reporting when a DSN is configured. The SDK is imported only then, so deployments
 * without Sentry do not pay for its instrumentation.
 */
export async function createErrorReporter(
  dsn: string | undefined,
  logger: Logger,
): Promise<ErrorReporter | undefined> {
  if (!dsn) return undefined;
  const Sentry = await import('@sentry/node');
  Sentry.init({ dsn, tracesSampleRate: 0 });
  logger.info('error reporting to Sentry enabled');
  return (error, req) => {
    Sentry.captureException(error, {
      tags: { requestId: requestIdOf(req) },
      user: req.user ? { id: req.user.userId } : undefined,
    });
  };
}
