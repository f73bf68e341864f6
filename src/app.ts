import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express, { type Express } from 'express';
import type { Container } from './container.js';
import { mountRoutes, type RouteGroup } from './lib/http/route.js';
import type { ContractViolation, ResponseContract } from './lib/http/response-contract.js';
import { errorHandler, routeNotFound, type ErrorReporter } from './middleware/error-handler.js';
import { apiRateLimit, authRateLimit, machineRateLimit } from './middleware/rate-limit.js';
import { requestId } from './middleware/request-id.js';
import { requestLog } from './middleware/request-log.js';
import { browserCors, securityHeaders } from './middleware/security-headers.js';
import { accountPagesRoutes, authRoutes, recoveryRoutes } from './modules/auth/index.js';
import {
  buildAsyncApiDocument,
  buildOpenApiDocument,
  docsRoutes,
  mountApiReference,
  serviceIndexRoutes,
  type AsyncApiDocument,
} from './modules/docs/index.js';
import { healthRoutes } from './modules/health/index.js';
import { usersRoutes } from './modules/users/index.js';
import { workoutsRoutes } from './modules/workouts/index.js';
import { workoutLogTransferRoutes, workoutLogsRoutes } from './modules/workout-logs/index.js';
import {
  barcodeLookupRoutes,
  mealAnalysisRoutes,
  mealLogsRoutes,
  nutritionRoutes,
} from './modules/nutrition/index.js';
import {
  branchesRoutes,
  machineDeviceRoutes,
  machinesRoutes,
  gymSessionsRoutes,
  occupancyRoutes,
} from './modules/gym-floor/index.js';
import { rewardsRoutes } from './modules/rewards/index.js';
import { leaderboardRoutes } from './modules/social/index.js';
import { idempotency } from './middleware/idempotency.js';
import { analyticsRoutes } from './modules/analytics/index.js';
import { socialRoutes } from './modules/social/index.js';
import { remindersRoutes } from './modules/notifications/index.js';
import { filesRoutes, uploadsRoutes } from './modules/files/index.js';
import {
  SCANNING_WEBHOOK_PATH,
  scanUploadRoutes,
  scanningWebhookRoutes,
  scansRoutes,
} from './modules/scans/index.js';
import { notificationsRoutes } from './modules/notifications/index.js';

export interface AppOptions {
  /** Unknown errors go here as well as to the log (Sentry in production). */
  reportError?: ErrorReporter;
  /** True once the process is shutting down: readiness then answers 503. */
  isDraining?: () => boolean;
  /** Told of every reply that breaks its contract, when CHECK_RESPONSE_CONTRACT is on. */
  onContractViolation?: (violation: ContractViolation) => void;
}

/** Liveness, readiness and /metrics over the container's dependencies and registry. */
function healthRoutesOf(container: Container, options: AppOptions): RouteGroup {
  const { config } = container;
  return healthRoutes({
    checks: [
      { name: 'database', check: () => container.database.ping() },
      ...(container.redis ? [{ name: 'redis', check: () => container.kv.ping() }] : []),
    ],
    metrics: container.metrics.registry,
    services: () => container.integrations.statuses(),
    metricsToken: config.metricsToken,
    isDraining: options.isDraining,
    metricsOpenWithoutToken: config.env !== 'production',
  });
}

/**
 * The worker's only HTTP surface: /health/* and /metrics (its job runs, the pool, the cache),
 * under the same METRICS_TOKEN rules as the API, and 404 for everything else.
 */
export function createProbeApp(container: Container, options: AppOptions = {}): Express {
  const { config, logger } = container;
  const app = express();
  app.disable('x-powered-by');
  app.use(requestId);
  app.use(container.metrics.observeRequests);
  const router = express.Router();
  mountRoutes(router, healthRoutesOf(container, options), {
    registry: new OpenAPIRegistry(),
    guard: container.authGuard.guard,
  });
  app.use(router);
  app.use(routeNotFound);
  app.use(errorHandler({ logger, bodyLimitBytes: config.bodyLimitBytes }));
  return app;
}

/**
 * Builds the Express app without listening. Order matters: request id first so every log line
 * and problem carries it; identification before rate limiting so limits can be per user.
 */
export function createApp(container: Container, options: AppOptions = {}): Express {
  const { config, logger } = container;
  const app = express();
  app.disable('x-powered-by');
  // No ETag on JSON answers: Express hashed every body for it (SHA-1, 1.5% of `GET /me`), and a
  // matching If-None-Match turned the answer into a 304 no route declares. Files set their own.
  app.disable('etag');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');

  const metrics = container.metrics;
  const registry = new OpenAPIRegistry();
  const guard = container.authGuard;
  const limitStores = { kv: container.kv };
  // POSTs that record an activity or create something honour Idempotency-Key (see the OpenAPI document).
  const idempotent = idempotency({
    db: container.database.db,
    ttlSeconds: config.idempotencyTtlSeconds,
    logger,
  });

  app.use(requestId);
  app.use(
    requestLog(app, logger, {
      // Health probes and scrapes every few seconds would drown the useful lines.
      ignore: (url) => url === '/health/live' || url === '/metrics',
    }),
  );
  app.use(metrics.observeRequests);
  app.use(
    securityHeaders({
      contentSecurityPolicy: {
        // The API reference needs inline styles and data: images; scripts stay same-origin only.
        directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] },
      },
    }),
  );
  app.use(
    browserCors({
      origin: config.corsOrigins,
      credentials: true,
      exposedHeaders: [
        'X-Request-Id',
        'Retry-After',
        'RateLimit-Limit',
        'RateLimit-Remaining',
        'RateLimit-Reset',
      ],
    }),
  );
  // The scanning webhook's signature covers the bytes as sent: read them raw, before the JSON
  // parser (which then leaves the request alone).
  app.use(SCANNING_WEBHOOK_PATH, express.raw({ type: () => true, limit: '256kb' }));
  app.use(
    express.json({
      limit: config.bodyLimitBytes,
      strict: true,
      type: ['application/json', 'application/*+json'],
    }),
  );
  app.use(guard.identify);

  const groups: RouteGroup[] = [
    healthRoutesOf(container, options),
    authRoutes(container.auth, authRateLimit(config.rateLimit, limitStores)),
    recoveryRoutes(container, authRateLimit(config.rateLimit, limitStores)),
    accountPagesRoutes(),
    usersRoutes(container.users, { idempotent }),
    workoutsRoutes(container.workouts, { idempotent }),
    // Before the logs group: its `GET /logs/:id` would take `/logs/export`.
    workoutLogTransferRoutes(container.workoutLogTransfer, { idempotent }),
    workoutLogsRoutes(container.workoutLogs, { idempotent }),
    nutritionRoutes(container.nutrition, { idempotent }),
    mealLogsRoutes(container.mealLogs, { idempotent }),
    mealAnalysisRoutes(container.mealAnalysis, { idempotent }),
    barcodeLookupRoutes(container.barcodes),
    branchesRoutes(container.gymFloor, { idempotent }),
    machinesRoutes(container.gymFloor, { idempotent }),
    machineDeviceRoutes(container.gymFloor, {
      rateLimit: machineRateLimit(config.rateLimit, limitStores),
    }),
    gymSessionsRoutes(container.gymFloor, { idempotent }),
    rewardsRoutes(container.rewards),
    analyticsRoutes(container.analytics.service),
    occupancyRoutes(container.gymFloor),
    socialRoutes(container.social),
    remindersRoutes(container.reminders),
    leaderboardRoutes(container.leaderboard),
    uploadsRoutes(container.uploads, { maxBytes: config.uploads.maxBytes }),
    filesRoutes(container.files, { cacheMaxAgeSeconds: config.files.cacheMaxAgeSeconds }),
    scanUploadRoutes(container.scans, { uploadMaxBytes: config.scans.uploadMaxBytes }),
    scansRoutes(container.scans),
    scanningWebhookRoutes(container.scans),
    notificationsRoutes(container.notifications),
  ];
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  let asyncApiDocument: AsyncApiDocument | undefined;
  groups.push(
    docsRoutes({
      openApi: () => (document ??= buildOpenApiDocument(registry)),
      asyncApi: () => (asyncApiDocument ??= buildAsyncApiDocument()),
    }),
    serviceIndexRoutes(),
  );

  // Health and metrics stay unlimited: probes and scrapers call them on a schedule.
  // Per-user counts ride in the guard's one cache round trip.
  const apiLimit = apiRateLimit(config.rateLimit, { ...limitStores, fusedCounter: guard.countHit });
  const responseContract: ResponseContract | undefined = config.checkResponseContract
    ? {
        onViolation(violation, req) {
          logger.error({ violation, requestId: req.id }, 'reply breaks its declared contract');
          options.onContractViolation?.(violation);
        },
      }
    : undefined;
  for (const group of groups) {
    const router = express.Router();
    const limited = group.basePath.startsWith('/api') && group.generalRateLimit !== false;
    const rateLimit = limited ? apiLimit : undefined;
    mountRoutes(router, group, { registry, guard: guard.guard, rateLimit, responseContract });
    app.use(group.basePath || '/', router);
  }
  mountApiReference(app);

  app.use(routeNotFound);
  app.use(
    errorHandler({ logger, bodyLimitBytes: config.bodyLimitBytes, report: options.reportError }),
  );
  return app;
}
