import { timingSafeEqual } from 'node:crypto';
import type { ServiceStatus } from '../../integrations/index.js';
import { forbidden, unauthenticated } from '../../lib/errors.js';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import { z } from '../../lib/zod.js';

/** A dependency the readiness probe asks. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

const readinessSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.record(z.string(), z.enum(['up', 'down'])),
    services: z
      .array(
        z.object({
          service: z.string().openapi({ example: 'workout-planning' }),
          configured: z.boolean(),
          breaker: z.enum(['closed', 'half-open', 'open']),
        }),
      )
      .openapi({ description: 'AI services: informational, never a reason to be unready' }),
  })
  .openapi('Readiness', {
    example: {
      status: 'ok',
      checks: { database: 'up', redis: 'up' },
      services: [{ service: 'workout-planning', configured: true, breaker: 'closed' }],
    },
  });

const READINESS_TIMEOUT_MS = 2_000;

async function probe(check: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), READINESS_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check.check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const tokenMatches = (given: string, expected: string) =>
  given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));

/** Liveness, readiness and Prometheus metrics, outside `/api` for load balancers and scrapers. */
export function healthRoutes(deps: {
  checks: ReadinessCheck[];
  metrics: { contentType: string; metrics(): Promise<string> };
  /** The AI services' state: an open breaker is reported, not a readiness failure. */
  services: () => ServiceStatus[];
  metricsToken?: string;
  /** True while the process shuts down: not ready, so load balancers stop sending traffic. */
  isDraining?: () => boolean;
  /**
   * Without a token, whether /metrics is served to anyone (development and tests) or refused
   * (production: process and traffic details are not for the public internet).
   */
  metricsOpenWithoutToken: boolean;
}): RouteGroup {
  return {
    basePath: '',
    tag: 'Health',
    routes: [
      defineRoute({
        method: 'get',
        path: '/health/live',
        summary: 'Liveness: 200 while the process runs',
        access: 'public',
        responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
        handler: () => Promise.resolve({ status: 200, body: { status: 'ok' } }),
      }),
      defineRoute({
        method: 'get',
        path: '/health/ready',
        summary: 'Readiness: 200 when the database (and Redis, if configured) answer',
        description:
          'Answers 503 with the check `shutdown: down` from the moment the process starts ' +
          'shutting down, before any dependency is closed.',
        access: 'public',
        responses: {
          200: { description: 'Ready', schema: readinessSchema },
          503: {
            description: 'A dependency is down',
            schema: readinessSchema,
            example: {
              status: 'unavailable',
              checks: { database: 'up', redis: 'down' },
              services: [{ service: 'workout-planning', configured: true, breaker: 'closed' }],
            },
          },
        },
        handler: async () => {
          const results = await Promise.all(deps.checks.map(probe));
          const checks = Object.fromEntries(
            deps.checks.map((check, i) => [check.name, results[i] ? 'up' : 'down']),
          );
          const draining = deps.isDraining?.() ?? false;
          if (draining) checks.shutdown = 'down';
          const ready = !draining && results.every(Boolean);
          return {
            status: ready ? 200 : 503,
            body: { status: ready ? 'ok' : 'unavailable', checks, services: deps.services() },
          };
        },
      }),
      defineRoute({
        method: 'get',
        path: '/metrics',
        summary: 'Prometheus metrics',
        description:
          'When METRICS_TOKEN is configured, send it as `Authorization: Bearer <token>` ' +
          '(401 otherwise). In production without METRICS_TOKEN, metrics are not served (403).',
        access: 'public',
        responses: { 200: { description: 'Prometheus text exposition format' } },
        errors: [401, 403],
        handler: async ({ req }) => {
          if (deps.metricsToken) {
            const given = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
            if (!tokenMatches(given, deps.metricsToken)) throw unauthenticated();
          } else if (!deps.metricsOpenWithoutToken) {
            throw forbidden('Metrics are served only with METRICS_TOKEN configured.');
          }
          return {
            status: 200,
            body: await deps.metrics.metrics(),
            contentType: deps.metrics.contentType,
          };
        },
      }),
    ],
  };
}
