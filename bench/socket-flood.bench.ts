/**
 * Socket flood: one account opens many `/workouts` sockets and sends workout progress from all of
 * them at once, as in the amplification report (100 sockets × 40 events). Measures what the
 * server lets through (sockets accepted, acks by outcome), the progress copies the account's
 * devices receive, how long until they stop arriving, the API process's resident memory, and
 * `/health/live` latency while it all happens.
 *
 *   npm run bench:socket-flood
 *
 * Settings (environment):
 *   BENCH_FLOOD_SOCKETS    sockets the account tries to open (default 100)
 *   BENCH_FLOOD_EVENTS     `workout:progress` events per accepted socket, all in flight (default 40)
 *   BENCH_API_ENV          extra API settings, e.g. "SOCKETS_PER_USER=1000,SOCKET_USER_EVENTS_PER_MINUTE=100000"
 *   BENCH_DATABASE_URL     database to DROP and recreate (default postgres://postgres@127.0.0.1:5432/nxg_bench)
 *   BENCH_REDIS_URL        Redis to use (default redis://127.0.0.1:6379); keys get a per-run prefix
 *   BENCH_SKIP_BUILD=1     reuse the existing dist/ instead of running `npm run build`
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import {
  cleanUpRun,
  isRecord,
  log,
  positiveInteger,
  prepareApi,
  readApiSettings,
  registerUser,
  runBenchmark,
  startApiServer,
  stopServers,
  twoFreePorts,
  waitUntilReady,
  type BenchServer,
} from './api-under-test.js';
import { formatTable, latencyPercentiles, out, round } from './report.js';

const CONNECT_TIMEOUT_MS = 20_000;
const ACK_TIMEOUT_MS = 120_000;
/** Copies have stopped arriving once none came for this long. */
const QUIET_MS = 2_000;
const SAMPLE_EVERY_MS = 100;

const openSockets = new Set<Socket>();
const closeAll = () => {
  for (const socket of openSockets) socket.disconnect();
  openSockets.clear();
};

/** The API process's resident set size in MB, from /proc. */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN');
  return kb / 1024;
}

/** Connects to `/workouts`; resolves with the socket or the refusal's code. */
function connect(base: string, token: string): Promise<Socket | string> {
  const socket = io(`${base}/workouts`, {
    path: '/api/ws',
    transports: ['websocket'],
    auth: { token },
    forceNew: true,
    reconnection: false,
    timeout: CONNECT_TIMEOUT_MS,
  });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      openSockets.add(socket);
      resolve(socket);
    });
    socket.once('connect_error', (error: Error & { data?: { code?: string } }) => {
      socket.disconnect();
      resolve(error.data?.code ?? error.message);
    });
  });
}

function parseApiEnv(raw: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const pair of (raw ?? '').split(',').filter(Boolean)) {
    const [name, value] = pair.split('=');
    if (!name || value === undefined) throw new Error(`BENCH_API_ENV: "${pair}" is not NAME=value`);
    env[name.trim()] = value.trim();
  }
  return env;
}

const count = (values: string[]) =>
  values.reduce<Record<string, number>>((counts, value) => {
    counts[value] = (counts[value] ?? 0) + 1;
    return counts;
  }, {});

async function main(): Promise<void> {
  const settings = readApiSettings();
  const sockets = positiveInteger('BENCH_FLOOD_SOCKETS', 100);
  const events = positiveInteger('BENCH_FLOOD_EVENTS', 40);
  const apiEnv = parseApiEnv(process.env.BENCH_API_ENV);
  const redisPrefix = `bench:${randomBytes(4).toString('hex')}:`;
  let api: BenchServer | undefined;
  try {
    await prepareApi(settings);
    const [port] = await twoFreePorts();
    api = startApiServer(settings, port, redisPrefix, { environment: apiEnv });
    await waitUntilReady([api]);
    const pid = api.handle.child.pid;
    if (pid === undefined) throw new Error('the API server has no pid');
    const base = api.base;

    const session = await registerUser(base, {
      username: `flood${randomBytes(3).toString('hex')}`,
      password: `bench-${randomBytes(12).toString('hex')}`,
      name: 'Flood',
    });
    const token = session.accessToken;
    if (typeof token !== 'string') throw new Error('no access token');

    log(`opening ${sockets} sockets for one account`);
    const outcomes = await Promise.all(Array.from({ length: sockets }, () => connect(base, token)));
    const accepted = outcomes.filter((outcome): outcome is Socket => typeof outcome !== 'string');
    const refused = count(outcomes.filter((outcome) => typeof outcome === 'string'));

    let copies = 0;
    let lastCopyAt = performance.now();
    for (const socket of accepted) {
      socket.on('workout:progress', () => {
        copies += 1;
        lastCopyAt = performance.now();
      });
    }

    const rssBefore = rssMb(pid);
    const rssSamples: number[] = [rssBefore];
    const healthMs: number[] = [];
    const sampling = { on: true };
    const sampler = (async () => {
      while (sampling.on) {
        rssSamples.push(rssMb(pid));
        const started = performance.now();
        const res = await fetch(`${base}/health/live`, { signal: AbortSignal.timeout(30_000) });
        await res.arrayBuffer();
        healthMs.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
      }
    })();

    log(`flooding: ${accepted.length} sockets × ${events} workout:progress`);
    const floodStart = performance.now();
    const acks = await Promise.all(
      accepted.flatMap((socket) =>
        Array.from({ length: events }, (_, n) =>
          (
            socket.timeout(ACK_TIMEOUT_MS).emitWithAck('workout:progress', {
              exerciseId: 'flood',
              exerciseName: 'Flood',
              setNumber: (n % 100) + 1,
              reps: 1,
            }) as Promise<unknown>
          ).then(
            (ack) =>
              isRecord(ack) && ack.ok === true
                ? 'ok'
                : isRecord(ack) && isRecord(ack.error)
                  ? String(ack.error.code)
                  : 'malformed',
            () => 'ack timeout',
          ),
        ),
      ),
    );
    const acksDoneMs = performance.now() - floodStart;
    while (performance.now() - lastCopyAt < QUIET_MS) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const drainMs = Math.max(lastCopyAt - floodStart, acksDoneMs);
    sampling.on = false;
    await sampler;
    const rssAfter = rssMb(pid);

    const health = latencyPercentiles(Float64Array.from(healthMs).sort());
    const rows: [string, string][] = [
      ['sockets tried / accepted', `${sockets} / ${accepted.length}`],
      ['sockets refused', JSON.stringify(refused)],
      ['events sent', String(acks.length)],
      ['acks', JSON.stringify(count(acks))],
      ['progress copies received', String(copies)],
      ['all acks back after', `${round(acksDoneMs / 1000, 2)} s`],
      ['last copy after (drain)', `${round(drainMs / 1000, 2)} s`],
      [
        'API RSS before / peak / after',
        `${[rssBefore, Math.max(...rssSamples), rssAfter].map((mb) => round(mb, 0)).join(' / ')} MB`,
      ],
      [
        '/health/live during flood',
        `n=${healthMs.length} p50 ${round(health.p50)} ms, p99 ${round(health.p99)} ms, max ${round(health.max)} ms`,
      ],
      ['API settings', JSON.stringify(apiEnv)],
    ];
    out(formatTable(['measure', 'value'], rows));
  } finally {
    closeAll();
    if (api) await stopServers(api);
    await cleanUpRun(api, settings.redisUrl, redisPrefix);
  }
}

runBenchmark(main, { stopping: 'sockets and children', onSignal: closeAll });
