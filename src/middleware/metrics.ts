import type { RequestHandler } from 'express';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus registry for one app, with the request-duration histogram the API contract promises. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const observeRequests: RequestHandler = (req, res, next) => {
    const stop = requestDuration.startTimer();
    res.on('finish', () => {
      // Unmatched paths share one label so scanners cannot blow up the series count.
      stop({
        method: req.method,
        route: req.routeTemplate ?? 'unmatched',
        status_code: String(res.statusCode),
      });
    });
    next();
  };

  return { registry, observeRequests };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * `socketio_connected_sockets{namespace}`: sockets connected to this instance, read at scrape
 * time (a sum over instances is the whole floor).
 */
export function gaugeConnectedSockets(
  registry: Registry,
  namespaces: () => Iterable<{ name: string; sockets: { size: number } }>,
): void {
  new Gauge({
    name: 'socketio_connected_sockets',
    help: 'Socket.IO connections to this instance, by namespace',
    labelNames: ['namespace'] as const,
    registers: [registry],
    collect() {
      for (const namespace of namespaces()) {
        this.set({ namespace: namespace.name }, namespace.sockets.size);
      }
    },
  });
}
