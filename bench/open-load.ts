/**
 * The open model as clients make it: every connection sends at its own fixed pace on a schedule
 * of its own, whatever the server's answers, and latency is measured from when a request was
 * due, so a slow answer that delays the next request on that connection is counted in full
 * (no coordinated omission).
 *
 * Why not autocannon's `overallRate`: it lowers the connection count to the rate (1,000
 * connections at 500 req/s become 500), and each connection's budget resets on its own
 * one-second timer, all started together, so every connection sends at the top of each second:
 * 500 requests arrive in one burst, then nothing. That measures how a burst drains, not how the
 * server serves 1,000 members at 500 req/s. Here each connection starts at a random phase of
 * its interval, as independent clients do.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { LoadStats } from './load.js';
import { latencyPercentiles, round } from './report.js';

/** One request to send; `turn` counts every request of the run, for rotating users or paths. */
export interface OpenRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface OpenShape {
  /** Base URL, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  connections: number;
  /** Requests per second across all connections (each connection gets an equal share). */
  totalRate: number;
  durationSeconds: number;
  timeoutSeconds: number;
  request(turn: number): OpenRequest;
  /** Names a request in the report of the slowest (e.g. which member sent it). */
  label?(request: OpenRequest): string;
}

/** One of the run's slowest answers: when it was due, and what it was. */
export interface SlowAnswer {
  ms: number;
  /** Seconds from the start of the run to when the request was due. */
  dueAtSeconds: number;
  label?: string;
}

export interface OpenLoadStats extends LoadStats {
  /** The five slowest answers, slowest first: whether a tail is one stall or one sender. */
  slowest: SlowAnswer[];
}

interface Tally {
  /** Every answer, its latency unrounded. */
  answers: SlowAnswer[];
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
}

const stopRequested = { value: false };

/** Ends runs in progress early (SIGINT): no new requests are scheduled. */
export function stopOpenLoad(): void {
  stopRequested.value = true;
}

function send(
  agent: http.Agent,
  target: URL,
  request: OpenRequest,
  timeoutMs: number,
  dueAt: number,
  tally: Tally,
  describe: { startedAt: number; label: string | undefined },
): Promise<void> {
  return new Promise((resolve) => {
    const outgoing = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.path,
        headers: {
          ...request.headers,
          ...(request.body !== undefined && {
            'content-length': String(Buffer.byteLength(request.body)),
          }),
        },
        timeout: timeoutMs,
      },
      (response) => {
        response.resume();
        response.once('end', () => {
          tally.answers.push({
            ms: performance.now() - dueAt,
            dueAtSeconds: round((dueAt - describe.startedAt) / 1000),
            ...(describe.label !== undefined && { label: describe.label }),
          });
          const code = String(response.statusCode ?? 0);
          tally.statusCodes[code] = (tally.statusCodes[code] ?? 0) + 1;
          resolve();
        });
        response.once('error', () => {
          tally.errors += 1;
          resolve();
        });
      },
    );
    outgoing.once('timeout', () => {
      tally.timeouts += 1;
      outgoing.destroy(new Error('timeout'));
    });
    outgoing.once('error', (error) => {
      if (error.message !== 'timeout') tally.errors += 1;
      resolve();
    });
    outgoing.end(request.body);
  });
}

/**
 * Runs the open model: `connections` keep-alive connections (one socket each), every one
 * sending a request each `connections / totalRate` seconds from a random phase, for
 * `durationSeconds`; then waits for the answers still due.
 */
export async function runOpenLoad(shape: OpenShape): Promise<OpenLoadStats> {
  stopRequested.value = false;
  const target = new URL(shape.baseUrl);
  const intervalMs = (1000 * shape.connections) / shape.totalRate;
  const timeoutMs = shape.timeoutSeconds * 1000;
  const tally: Tally = { answers: [], statusCodes: {}, errors: 0, timeouts: 0 };
  const startedAt = performance.now();
  const endsAt = startedAt + shape.durationSeconds * 1000;
  let turn = 0;

  const connection = async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const inFlight: Promise<void>[] = [];
    let dueAt = startedAt + Math.random() * intervalMs;
    try {
      while (dueAt < endsAt && !stopRequested.value) {
        const wait = dueAt - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        // Sent on schedule even if the last answer is not in: it then queues for the socket,
        // and that wait is part of its latency.
        const request = shape.request(turn++);
        const label = shape.label?.(request);
        const sending = send(agent, target, request, timeoutMs, dueAt, tally, { startedAt, label });
        inFlight.push(sending);
        void sending.then(() => inFlight.splice(inFlight.indexOf(sending), 1));
        dueAt += intervalMs;
      }
      await Promise.all(inFlight);
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: shape.connections }, connection));

  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  const latencies = Float64Array.from(tally.answers, (answer) => answer.ms).sort();
  const non2xx = Object.entries(tally.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    durationSeconds: round(elapsedSeconds),
    requestsPerSecond: round(latencies.length / shape.durationSeconds),
    completedRequests: latencies.length,
    latencyMs: latencyPercentiles(latencies),
    non2xx,
    errors: tally.errors,
    timeouts: tally.timeouts,
    statusCodes: tally.statusCodes,
    slowest: tally.answers
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5)
      .map((answer) => ({ ...answer, ms: round(answer.ms) })),
  };
}
