import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Counts Socket.IO events by namespace and event name (both bounded: our namespaces and events). */
export interface SocketEventMetrics {
  /** An event a client sent, with how it was answered (`ok`, or the ack's error code). */
  received(namespace: string, event: string, outcome: string): void;
  /** An event this instance emitted to a room, once per emit whatever the number of recipients. */
  sent(namespace: string, event: string): void;
}

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

  // One series per method, route template and status, looked up by a plain string: binding the
  // labels on every request hashed them each time.
  const series = new Map<string, Histogram.Internal<'method' | 'route' | 'status_code'>>();
  const observeRequests: RequestHandler = (req, res, next) => {
    const startedAt = performance.now();
    res.on('finish', () => {
      // Unmatched paths share one label so scanners cannot blow up the series count.
      const route = req.routeTemplate ?? 'unmatched';
      const key = `${req.method} ${route} ${String(res.statusCode)}`;
      let observed = series.get(key);
      if (!observed) {
        observed = requestDuration.labels({
          method: req.method,
          route,
          status_code: String(res.statusCode),
        });
        series.set(key, observed);
      }
      observed.observe((performance.now() - startedAt) / 1000);
    });
    next();
  };

  return { registry, observeRequests, socketEvents: countSocketEvents(registry) };
}

export type Metrics = ReturnType<typeof createMetrics>;

function countSocketEvents(registry: Registry): SocketEventMetrics {
  const received = new Counter({
    name: 'socketio_events_received_total',
    help: 'Socket.IO events sent by clients, by namespace, event and outcome (ok or the ack error code)',
    labelNames: ['namespace', 'event', 'outcome'] as const,
    registers: [registry],
  });
  const sent = new Counter({
    name: 'socketio_events_sent_total',
    help: 'Socket.IO events emitted by this instance, by namespace and event (once per emit, not per recipient)',
    labelNames: ['namespace', 'event'] as const,
    registers: [registry],
  });
  return {
    received: (namespace, event, outcome) => received.inc({ namespace, event, outcome }),
    sent: (namespace, event) => sent.inc({ namespace, event }),
  };
}

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

/** The counts a pg Pool keeps about itself. */
interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max?: number };
}

/**
 * The PostgreSQL pool's connections, read at scrape time. PGlite has no pool (one connection
 * inside the process, statements queue in PGlite itself), so nothing is reported for it.
 */
export function gaugeDatabasePool(registry: Registry, pool: PoolCounts): void {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('db_pool_connections', 'Open connections of the database pool', () => pool.totalCount);
  gauge('db_pool_idle_connections', 'Open connections no query is using', () => pool.idleCount);
  gauge(
    'db_pool_waiting_clients',
    'Queries and transactions waiting for a free pool connection',
    () => pool.waitingCount,
  );
  gauge(
    'db_pool_max_connections',
    'Most connections the pool opens (DATABASE_POOL_SIZE)',
    () => pool.options.max ?? 10,
  );
}
