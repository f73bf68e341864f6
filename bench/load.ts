/**
 * One autocannon run and the numbers every HTTP benchmark keeps from it. Latency percentiles
 * are computed here from every response (any status), because autocannon's histogram has no
 * p95 and leaves non-2xx answers out.
 */
import autocannon from 'autocannon';
import { latencyPercentiles, round, type LatencyPercentiles } from './report.js';

/** What is sent: one URL and method, optionally rewritten per request by `setupRequest`. */
export interface LoadRequest {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /**
   * Rewrites each request before it is sent (a unique `Idempotency-Key`, a fresh timestamp in
   * the body); receives autocannon's request with the defaults above filled in.
   */
  setupRequest?: (request: autocannon.Request) => autocannon.Request;
}

/** How hard and how long. */
export interface LoadShape {
  connections: number;
  durationSeconds: number;
  timeoutSeconds: number;
  /**
   * Requests per second across all connections. Unset, every connection sends its next request
   * as soon as the previous answer is in (closed model: throughput); set, the pace is fixed and
   * latency is what the server needs at that load.
   */
  overallRate?: number;
  /** Requests per second per connection (open model at a fixed pace per client). */
  connectionRate?: number;
}

/** The numbers kept from a run, whatever the benchmark around it. */
export interface LoadStats {
  durationSeconds: number;
  requestsPerSecond: number;
  completedRequests: number;
  latencyMs: LatencyPercentiles;
  /**
   * autocannon's own p50/p99 over 2xx responses only, kept for cross-checking; with a fixed
   * pace they are corrected for coordinated omission (time a request waited to be sent).
   */
  autocannonLatencyMs?: { p50: number; p99: number };
  non2xx: number;
  /** Connection errors other than timeouts. */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

const activeRuns = new Set<autocannon.Instance>();

/** Stops the runs in progress, if any (on SIGINT/SIGTERM, before the children are stopped). */
export function stopActiveLoad(): void {
  for (const run of activeRuns) if (typeof run.stop === 'function') run.stop();
}

/** Runs autocannon once; answers its result and every response's latency, sorted. */
export async function runLoad(
  request: LoadRequest,
  shape: LoadShape,
): Promise<{ result: autocannon.Result; latencies: Float64Array }> {
  const samples: number[] = [];
  let run: autocannon.Instance | undefined;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    run = autocannon(
      {
        url: request.url,
        method: request.method,
        headers: request.headers,
        body: request.body,
        ...(request.setupRequest ? { requests: [{ setupRequest: request.setupRequest }] } : {}),
        connections: shape.connections,
        duration: shape.durationSeconds,
        timeout: shape.timeoutSeconds,
        ...(shape.overallRate === undefined ? {} : { overallRate: shape.overallRate }),
        ...(shape.connectionRate === undefined ? {} : { connectionRate: shape.connectionRate }),
      },
      (error: unknown, finished: autocannon.Result) => {
        if (error) {
          reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
        } else resolve(finished);
      },
    );
    activeRuns.add(run);
    run.on('response', (_client, _status, _bytes, responseTime) => {
      samples.push(responseTime);
    });
  });
  if (run) activeRuns.delete(run);
  return { result, latencies: Float64Array.from(samples).sort() };
}

/** The kept numbers of one run. */
export function loadStats(result: autocannon.Result, latencies: Float64Array): LoadStats {
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = stats.count ?? 0;
  }
  return {
    durationSeconds: result.duration,
    requestsPerSecond: round(result.requests.average),
    completedRequests: latencies.length,
    latencyMs: latencyPercentiles(latencies),
    autocannonLatencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    non2xx: result.non2xx,
    errors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    statusCodes,
  };
}
