import type { ErrorReporter } from '../middleware/error-handler.js';
import { requestIdOf } from '../middleware/request-id.js';
import type { Logger } from './logger.js';
import { deploymentEnvironment, release } from './release.js';

/** Sends unexpected errors to Sentry; `flush` waits (bounded) for queued events to leave. */
export interface ErrorReporting {
  report: ErrorReporter;
  flush(): Promise<void>;
  /** Flushes, then stops reporting (shutdown; a later `createErrorReporting` starts afresh). */
  close(): Promise<void>;
}

/** Where errors go, and the share of requests (0 to 1) whose traces go with them. */
export interface ErrorReportingSettings {
  dsn?: string;
  tracesSampleRate: number;
}

const FLUSH_TIMEOUT_MS = 2_000;

// Probes and scrapes every few seconds would be most of the traces and tell nothing.
const UNTRACED_PATHS = /^\/(health\/|metrics$)/;

/**
 * Sentry reporting when a DSN is configured. The SDK is imported only then, so deployments
 * without Sentry do not pay for its instrumentation; the HTTP instrumentation that makes request
 * traces is added only when some requests are traced. Every event names the release
 * (`service@version`, as Sentry groups regressions by it) and the deployment environment.
 */
export async function createErrorReporting(
  settings: ErrorReportingSettings,
  logger: Logger,
): Promise<ErrorReporting | undefined> {
  const { dsn, tracesSampleRate } = settings;
  if (!dsn) return undefined;
  const Sentry = await import('@sentry/node');
  const tracing = tracesSampleRate > 0;
  Sentry.init({
    dsn,
    release: `${release.service}@${release.version}`,
    environment: deploymentEnvironment(),
    tracesSampleRate,
    // Nothing the client sent (bodies with passwords and health data, headers with tokens,
    // query strings, addresses) leaves with an event or a span; the error handler adds the
    // request id and user id itself.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
    },
    defaultIntegrations: false,
    integrations: tracing
      ? [
          Sentry.httpIntegration({
            sessions: false,
            ignoreIncomingRequests: (url) => UNTRACED_PATHS.test(url),
            // Named by route template, as in /metrics, so ids in paths do not split transactions.
            onSpanEnd: (span, request) => {
              const { routeTemplate } = request as { routeTemplate?: string };
              if (routeTemplate)
                Sentry.updateSpanName(span, `${request.method ?? 'GET'} ${routeTemplate}`);
            },
          }),
        ]
      : [],
  });
  logger.info({ tracesSampleRate }, 'error reporting to Sentry enabled');
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
    async close() {
      await Sentry.close(FLUSH_TIMEOUT_MS);
    },
  };
}
