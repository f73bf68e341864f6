/**
 * Open-model benchmark of a realistic mix, against the built API on PostgreSQL and Redis:
 *
 *   npm run bench:mix
 *
 * Scenarios (BENCH_SCENARIOS, comma-separated, default all, run in this order):
 *   open     1,000 connections at a fixed total pace of ~500 req/s for BENCH_DURATION s, each
 *            connection on its own schedule from a random phase (open-load.ts; autocannon
 *            fires every paced connection at the top of each second):
 *            70% reads (GET /users/me, points, achievements), 20% lists (plans, gym sessions,
 *            workout logs), 10% writes (body-composition entries). p50/p95/p99 per kind.
 *   flood    the same, while 100 connections sign in as fast as they can (bcrypt cost 12):
 *            the reads' p99 must stay under 200 ms.
 *   cluster  GET /users/me closed at 1,000 connections and the open mix again, on one API
 *            process and on a node cluster of BENCH_WORKERS (default 2): the scaling.
 *
 * Each freshly started API first gets BENCH_WARMUP seconds (default 10) of the open mix,
 * unmeasured: without it the first open run measured the process compiling its code and
 * accepting its first thousand connections (p99 384 ms there, 97 ms in the flood run after it).
 *
 * Settings (environment): BENCH_DURATION (default 60), BENCH_RATE (total req/s, default 500),
 * BENCH_CONNECTIONS (default 1000), BENCH_USERS (signed-in members, default 40),
 * BENCH_CLOSED_DURATION (closed /me runs, default 20), BENCH_WORKERS (default 2), and the
 * BENCH_DATABASE_URL / BENCH_REDIS_URL / BENCH_SKIP_BUILD of `npm run bench`.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  ROOT,
  call,
  cleanUpRun,
  log,
  positiveInteger,
  positiveNumber,
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
import { loadStats, runLoad, stopActiveLoad, type LoadStats } from './load.js';
import { runOpenLoad, stopOpenLoad, type OpenRequest } from './open-load.js';
import { appendHistory, describeEnvironment, formatTable, out, writeResults } from './report.js';

const REQUEST_TIMEOUT_SECONDS = 10;
const GOAL_P99_MS = 200;
type Scenario = 'open' | 'flood' | 'cluster';
type Kind = 'reads' | 'lists' | 'writes';

/** Share of the connections (and so of the requests) each kind gets, and what it asks. */
const MIX: Record<Kind, { share: number; paths: string[] }> = {
  reads: {
    share: 0.7,
    // /me most of all: every app screen starts with it.
    paths: [
      '/api/users/me',
      '/api/users/me',
      '/api/users/me',
      '/api/users/me',
      '/api/users/me/points',
      '/api/users/me/achievements',
    ],
  },
  lists: { share: 0.2, paths: ['/api/workouts/plans', '/api/sessions', '/api/workouts/logs'] },
  writes: { share: 0.1, paths: ['/api/users/me/body-composition'] },
};

interface Member {
  auth: string;
  loginBody: string;
}

interface KindResult extends LoadStats {
  kind: Kind | 'login' | 'me-closed';
  connections: number;
}

interface ScenarioResult {
  scenario: string;
  processes: number;
  kinds: KindResult[];
}

/** Registers members (a few at a time: each costs a bcrypt hash) and keeps their tokens. */
async function registerMembers(apiBase: string, count: number): Promise<Member[]> {
  const members: Member[] = [];
  for (let start = 0; start < count; start += 4) {
    const batch = Array.from({ length: Math.min(4, count - start) }, async () => {
      const username = `mix_${randomBytes(5).toString('hex')}`;
      const password = `mix-${randomBytes(12).toString('hex')}`;
      await registerUser(apiBase, { username, password, name: 'Mix Member' });
      return { username, password };
    });
    for (const { username, password } of await Promise.all(batch)) {
      members.push({ auth: '', loginBody: JSON.stringify({ login: username, password }) });
    }
  }
  return members;
}

/** Signs every member in (again, on a restarted API with new keys). */
async function signInMembers(apiBase: string, members: Member[]): Promise<void> {
  for (let start = 0; start < members.length; start += 4) {
    await Promise.all(
      members.slice(start, start + 4).map(async (member) => {
        const session = await call(
          `${apiBase}/api/auth/login`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: member.loginBody,
          },
          200,
        );
        if (typeof session.accessToken !== 'string') throw new Error('login: no accessToken');
        member.auth = `Bearer ${session.accessToken}`;
      }),
    );
  }
}

/** One kind's requests, rotating members and paths. */
function kindRequests(kind: Kind, members: Member[]) {
  const paths = MIX[kind].paths;
  return (turn: number): OpenRequest => {
    const member = members[turn % members.length];
    const path = paths[turn % paths.length] ?? paths[0] ?? '/';
    const headers = { authorization: member?.auth ?? '' };
    if (kind !== 'writes') return { method: 'GET', path, headers };
    return {
      method: 'POST',
      path,
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        measuredAt: new Date(Date.now() - 1000).toISOString(),
        weightKg: 60 + (turn % 400) / 10,
      }),
    };
  };
}

/** The open mix, and optionally the login flood beside it, all at once. */
async function runMix(
  apiBase: string,
  members: Member[],
  settings: MixSettings,
  flood: Member | undefined,
): Promise<KindResult[]> {
  const kinds = Object.keys(MIX) as Kind[];
  const runs = kinds.map(async (kind) => {
    const connections = Math.max(1, Math.round(settings.connections * MIX[kind].share));
    const stats = await runOpenLoad({
      baseUrl: apiBase,
      connections,
      totalRate: settings.rate * MIX[kind].share,
      durationSeconds: settings.durationSeconds,
      timeoutSeconds: REQUEST_TIMEOUT_SECONDS,
      request: kindRequests(kind, members),
    });
    return { kind, connections, ...stats };
  });
  const floodRun = flood
    ? (async () => {
        const { result, latencies } = await runLoad(
          {
            url: `${apiBase}/api/auth/login`,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: flood.loginBody,
          },
          {
            connections: 100,
            durationSeconds: settings.durationSeconds,
            timeoutSeconds: REQUEST_TIMEOUT_SECONDS,
          },
        );
        return { kind: 'login' as const, connections: 100, ...loadStats(result, latencies) };
      })()
    : undefined;
  const results: KindResult[] = await Promise.all(runs);
  if (floodRun) results.push(await floodRun);
  return results;
}

/** The open mix for BENCH_WARMUP seconds, unmeasured, on a freshly started API. */
async function warmUp(apiBase: string, members: Member[], settings: MixSettings): Promise<void> {
  log(`warm-up: the open mix for ${settings.warmupSeconds}s`);
  await runMix(
    apiBase,
    members,
    { ...settings, durationSeconds: settings.warmupSeconds },
    undefined,
  );
}

/** GET /users/me in the closed model (throughput), one member's token. */
async function runClosedMe(apiBase: string, member: Member, settings: MixSettings) {
  const { result, latencies } = await runLoad(
    { url: `${apiBase}/api/users/me`, method: 'GET', headers: { authorization: member.auth } },
    {
      connections: settings.connections,
      durationSeconds: settings.closedDurationSeconds,
      timeoutSeconds: REQUEST_TIMEOUT_SECONDS,
    },
  );
  return {
    kind: 'me-closed' as const,
    connections: settings.connections,
    ...loadStats(result, latencies),
  };
}

interface MixSettings {
  scenarios: Scenario[];
  durationSeconds: number;
  warmupSeconds: number;
  closedDurationSeconds: number;
  rate: number;
  connections: number;
  users: number;
  workers: number;
}

function readSettings(): MixSettings {
  const all: Scenario[] = ['open', 'flood', 'cluster'];
  const named = (process.env.BENCH_SCENARIOS ?? all.join(',')).split(',').map((s) => s.trim());
  const unknown = named.filter((name) => !all.some((known) => known === name));
  if (unknown.length > 0) throw new Error(`BENCH_SCENARIOS: unknown ${unknown.join(', ')}`);
  const scenarios = all.filter((scenario) => named.includes(scenario));
  return {
    scenarios,
    durationSeconds: positiveNumber('BENCH_DURATION', 60),
    warmupSeconds: positiveNumber('BENCH_WARMUP', 10),
    closedDurationSeconds: positiveNumber('BENCH_CLOSED_DURATION', 20),
    rate: positiveNumber('BENCH_RATE', 500),
    connections: positiveInteger('BENCH_CONNECTIONS', 1000),
    users: positiveInteger('BENCH_USERS', 40),
    workers: positiveInteger('BENCH_WORKERS', 2),
  };
}

function table(results: ScenarioResult[]): string {
  const header = [
    'Scenario',
    'Procs',
    'Kind',
    'Conns',
    'Req/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'Non-2xx',
    'Err/Timeout',
  ];
  const rows = results.flatMap((scenario) =>
    scenario.kinds.map((r) => [
      scenario.scenario,
      String(scenario.processes),
      r.kind,
      String(r.connections),
      r.requestsPerSecond.toFixed(1),
      r.latencyMs.p50.toFixed(1),
      r.latencyMs.p95.toFixed(1),
      r.latencyMs.p99.toFixed(1),
      String(r.non2xx),
      `${r.errors}/${r.timeouts}`,
    ]),
  );
  return formatTable(header, rows);
}

/** Whether the open-model scenarios met their goals: p99 under 200 ms, no errors (not logins). */
function verdicts(results: ScenarioResult[]): string[] {
  return results
    .filter((scenario) => !scenario.scenario.startsWith('closed'))
    .map((scenario) => {
      const judged = scenario.kinds.filter(
        (r) => r.kind !== 'login' && (scenario.scenario !== 'flood' || r.kind === 'reads'),
      );
      const met = judged.every(
        (r) => r.latencyMs.p99 < GOAL_P99_MS && r.non2xx === 0 && r.errors + r.timeouts === 0,
      );
      return `  ${scenario.scenario} (${scenario.processes} proc): ${judged.map((r) => `${r.kind} p99 ${r.latencyMs.p99} ms`).join(', ')} -> ${met ? 'OK' : 'NOT MET'}`;
    });
}

async function main(): Promise<void> {
  const settings = readSettings();
  const apiSettings = readApiSettings();
  const startedAt = new Date();
  const redisPrefix = `bench:${randomBytes(4).toString('hex')}:`;
  let api: BenchServer | undefined;
  const results: ScenarioResult[] = [];
  try {
    await prepareApi(apiSettings);
    const [, apiPort] = await twoFreePorts();
    api = startApiServer(apiSettings, apiPort, redisPrefix);
    await waitUntilReady([api]);
    log(`registering ${settings.users} members`);
    const members = await registerMembers(api.base, settings.users + 1);
    const flooder = members.pop();
    await signInMembers(api.base, members);
    await warmUp(api.base, members, settings);

    if (settings.scenarios.includes('open')) {
      log(`open mix: ${settings.rate} req/s over ${settings.connections} connections`);
      results.push({
        scenario: 'open',
        processes: 1,
        kinds: await runMix(api.base, members, settings, undefined),
      });
    }
    if (settings.scenarios.includes('flood')) {
      log('open mix with a login flood of 100 connections');
      results.push({
        scenario: 'flood',
        processes: 1,
        kinds: await runMix(api.base, members, settings, flooder),
      });
    }
    if (settings.scenarios.includes('cluster')) {
      const first = members[0];
      if (!first) throw new Error('no members');
      log('closed GET /users/me, one process');
      results.push({
        scenario: 'closed /me',
        processes: 1,
        kinds: [await runClosedMe(api.base, first, settings)],
      });
      await stopServers(api);
      api = startApiServer(apiSettings, apiPort, redisPrefix, {
        entry: ['--import', 'tsx', path.join(ROOT, 'bench', 'cluster-api.ts')],
        environment: { BENCH_WORKERS: String(settings.workers) },
      });
      await waitUntilReady([api]);
      // New signing keys in the new processes: sign in again.
      await signInMembers(api.base, members);
      await warmUp(api.base, members, settings);
      log(`closed GET /users/me, ${settings.workers} processes`);
      results.push({
        scenario: 'closed /me',
        processes: settings.workers,
        kinds: [await runClosedMe(api.base, first, settings)],
      });
      log(`open mix, ${settings.workers} processes`);
      results.push({
        scenario: 'open',
        processes: settings.workers,
        kinds: await runMix(api.base, members, settings, undefined),
      });
    }
    const apiServer = await stopServers(api);
    const environment = describeEnvironment();
    const file = writeResults('mix', startedAt, environment, {
      settings,
      results,
      apiServer,
    });
    const historyFile = appendHistory(
      'mix',
      startedAt,
      environment,
      null,
      results.flatMap((scenario) =>
        scenario.kinds.map((r) => ({
          scenario: scenario.scenario,
          processes: scenario.processes,
          kind: r.kind,
          connections: r.connections,
          requestsPerSecond: r.requestsPerSecond,
          p50Ms: r.latencyMs.p50,
          p95Ms: r.latencyMs.p95,
          p99Ms: r.latencyMs.p99,
          non2xx: r.non2xx,
          errors: r.errors,
          timeouts: r.timeouts,
          statusCodes: r.statusCodes,
        })),
      ),
    );
    out(
      `\nMix benchmark: ${settings.durationSeconds}s per open scenario at ${settings.rate} req/s over ${settings.connections} connections`,
    );
    out(table(results));
    out(`\nGoal: p99 < ${GOAL_P99_MS} ms, no errors (under the flood: the reads)`);
    for (const line of verdicts(results)) out(line);
    out(`\nResults: ${file}\nHistory: ${historyFile}`);
  } finally {
    stopAll();
    await cleanUpRun(api, apiSettings.redisUrl, redisPrefix);
  }
}

function stopAll(): void {
  stopActiveLoad();
  stopOpenLoad();
}

runBenchmark(main, { stopping: 'children', onSignal: stopAll });
