/**
 * HTTP benchmark: the real API (built, against PostgreSQL and Redis) next to a bare Express
 * hello world on the same machine, at 100 and 1000 connections, with autocannon.
 *
 *   npm run bench
 *
 * Settings (environment):
 *   BENCH_DURATION      seconds per measured run (default 10)
 *   BENCH_ROUNDS        runs of the baseline and of GET /me, alternating, per connection count
 *                       (default 3); their answers are pooled
 *   BENCH_WARMUP        seconds of warm-up before each target (default 2)
 *   BENCH_CONNECTIONS   comma-separated connection counts (default "100,1000")
 *   BENCH_TARGETS       comma-separated subset of "baseline,me,login" (default all)
 *   BENCH_DATABASE_URL  database to DROP and recreate (default postgres://postgres@127.0.0.1:5432/nxg_bench)
 *   BENCH_REDIS_URL     Redis to use (default redis://127.0.0.1:6379); keys get a per-run prefix
 *   BENCH_CPU_PROF=1    run the API under `node --cpu-prof` and print where its CPU time went
 *   BENCH_SKIP_BUILD=1  reuse the existing dist/ instead of running `npm run build`
 *   BENCH_EMBEDDED=1    run the API in its embedded default (PGlite in a fresh data directory,
 *                       in-memory cache) instead of on PostgreSQL and Redis
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type autocannon from 'autocannon';
import {
  apiServerNotes,
  call,
  cleanUpRun,
  databaseName,
  log,
  positiveInteger,
  positiveNumber,
  prepareApi,
  readApiSettings,
  registerUser,
  runBenchmark,
  startApiServer,
  startBaselineServer,
  stopServers,
  targetsFromEnv,
  twoFreePorts,
  waitUntilReady,
  type ApiSettings,
  type BenchServer,
} from './api-under-test.js';
import { loadStats, runLoad, stopActiveLoad, type LoadStats } from './load.js';
import { formatCpuProfile, summarizeCpuProfile, type ProfileSummary } from './cpu-profile.js';
import {
  RESULTS_DIR,
  describeEnvironment,
  formatTable,
  latencyPercentiles,
  out,
  appendHistory,
  printResultsAndGoal,
  round,
  writeResults,
  type GoalVerdict,
} from './report.js';

const REQUEST_TIMEOUT_SECONDS = 10;
/** Issue 14's goal 1: half the baseline's req/s, p99 at most twice the baseline's, no errors. */
const GOAL = { target: 'me', connections: 1000, minRatio: 0.5, maxP99ToBaseline: 2 } as const;

type TargetKey = 'baseline' | 'me' | 'login';

interface Target {
  key: TargetKey;
  label: string;
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /**
   * Warm-up concurrency. Login is kept at a few connections: every abandoned bcrypt hash keeps
   * running on the server after the client gives up, so a wide warm-up would leave minutes of
   * queued CPU work behind and skew the measurement that follows.
   */
  warmupConnections: number;
}

interface ScenarioResult extends LoadStats {
  target: TargetKey;
  scenario: string;
  connections: number;
  ratioToBaseline: number | null;
  /** Each round's throughput, when the scenario ran in rounds beside the baseline. */
  roundRequestsPerSecond?: number[];
  /** Each round's throughput over the baseline's in the same round. */
  roundRatiosToBaseline?: number[];
  /** For login: seconds the server needed afterwards to finish abandoned hashes. */
  drainSeconds?: number;
  /** False when the backlog outlasted the drain timeout and leaked into the next scenario. */
  drainComplete?: boolean;
}

interface Settings extends ApiSettings {
  durationSeconds: number;
  warmupSeconds: number;
  /** How many times the baseline and GET /me alternate at each connection count. */
  rounds: number;
  connections: number[];
  targets: TargetKey[];
  cpuProfile: boolean;
}

function readSettings(): Settings {
  const connections = (process.env.BENCH_CONNECTIONS ?? '100,1000')
    .split(',')
    .map((part) => Number(part.trim()));
  if (connections.some((count) => !Number.isInteger(count) || count < 1)) {
    throw new Error('BENCH_CONNECTIONS must be a comma-separated list of positive integers');
  }
  // In this order whatever the input order: login must run last (see runAll).
  const targets = targetsFromEnv<TargetKey>(['baseline', 'me', 'login']);
  return {
    durationSeconds: positiveNumber('BENCH_DURATION', 10),
    warmupSeconds: positiveNumber('BENCH_WARMUP', 2),
    rounds: positiveInteger('BENCH_ROUNDS', 3),
    connections,
    targets,
    ...readApiSettings(),
    cpuProfile: process.env.BENCH_CPU_PROF === '1',
  };
}

/** Registers a fresh user and checks login and /me answer as the API documents. */
async function setUpUser(apiBase: string): Promise<{ accessToken: string; loginBody: string }> {
  const suffix = randomBytes(4).toString('hex');
  const username = `bench_${suffix}`;
  const password = `bench-${randomBytes(12).toString('hex')}`;
  const json = { 'content-type': 'application/json' };
  const session = await registerUser(apiBase, { username, password, name: 'Bench User' });
  if (typeof session.accessToken !== 'string') {
    throw new Error(`register: no accessToken in ${JSON.stringify(session).slice(0, 500)}`);
  }
  const loginBody = JSON.stringify({ login: username, password });
  await call(`${apiBase}/api/auth/login`, { method: 'POST', headers: json, body: loginBody }, 200);
  const me = await call(
    `${apiBase}/api/users/me`,
    { method: 'GET', headers: { authorization: `Bearer ${session.accessToken}` } },
    200,
  );
  if (me.username !== username) {
    throw new Error(`/api/users/me answered another user: ${JSON.stringify(me).slice(0, 500)}`);
  }
  return { accessToken: session.accessToken, loginBody };
}

/** One autocannon run against a target (see load.ts). */
function load(target: Target, connections: number, durationSeconds: number) {
  return runLoad(target, { connections, durationSeconds, timeoutSeconds: REQUEST_TIMEOUT_SECONDS });
}

function summarize(
  target: Target,
  connections: number,
  result: autocannon.Result,
  latencies: Float64Array,
): ScenarioResult {
  return {
    target: target.key,
    scenario: target.label,
    connections,
    ...loadStats(result, latencies),
    ratioToBaseline: null,
  };
}

/** One scenario's rounds as one result: their answers together, their throughputs listed. */
function pool(rounds: ScenarioResult[], latencies: Float64Array[]): ScenarioResult {
  const [first] = rounds;
  if (!first) throw new Error('a scenario ran no rounds');
  const all = new Float64Array(latencies.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of latencies) {
    all.set(part, offset);
    offset += part.length;
  }
  all.sort();
  const sum = (pick: (round: ScenarioResult) => number) =>
    rounds.reduce((total, round) => total + pick(round), 0);
  const statusCodes: Record<string, number> = {};
  for (const round of rounds) {
    for (const [code, count] of Object.entries(round.statusCodes)) {
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
    }
  }
  const durationSeconds = sum((round) => round.durationSeconds);
  return {
    target: first.target,
    scenario: first.scenario,
    connections: first.connections,
    durationSeconds,
    requestsPerSecond: round(sum((r) => r.requestsPerSecond * r.durationSeconds) / durationSeconds),
    roundRequestsPerSecond: rounds.map((r) => r.requestsPerSecond),
    completedRequests: all.length,
    latencyMs: latencyPercentiles(all),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    statusCodes,
    ratioToBaseline: null,
  };
}

/** Longest wait for a login backlog, so a slow machine cannot stretch the run without bound. */
const DRAIN_TIMEOUT_MS = 60_000;

/**
 * Waits until the API has finished the login work abandoned by timed-out clients: one more
 * login queues behind all of it on the bcrypt thread pool, so its answer marks the drain.
 */
async function drainLogins(target: Target): Promise<{ seconds: number; complete: boolean }> {
  const started = Date.now();
  let complete = true;
  try {
    await call(
      target.url,
      { method: 'POST', headers: target.headers, body: target.body },
      200,
      DRAIN_TIMEOUT_MS,
    );
  } catch (error) {
    complete = false;
    log(`login backlog not drained: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { seconds: round((Date.now() - started) / 1000), complete };
}

/**
 * Runs every scenario. The baseline and GET /me run in rounds at each connection count,
 * alternating (the order flips every round): this machine's speed drifts by a third within
 * minutes, and a baseline measured once before the API would carry that drift into the ratio.
 * Login runs last, alone: the bcrypt backlog it leaves behind would steal CPU from the others.
 */
async function runAll(targets: Target[], settings: Settings): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  const paired = targets.filter((target) => target.key !== 'login');
  for (const target of paired) {
    log(`${target.label}: warm-up ${settings.warmupSeconds}s @ ${target.warmupConnections} conns`);
    await load(target, target.warmupConnections, settings.warmupSeconds);
  }
  for (const connections of settings.connections) {
    const rounds = new Map(paired.map((target) => [target, [] as ScenarioResult[]]));
    const latencies = new Map(paired.map((target) => [target, [] as Float64Array[]]));
    for (let index = 0; index < settings.rounds; index++) {
      for (const target of index % 2 === 0 ? paired : [...paired].reverse()) {
        log(
          `${target.label}: round ${index + 1}, ${settings.durationSeconds}s @ ${connections} conns`,
        );
        const run = await load(target, connections, settings.durationSeconds);
        rounds.get(target)?.push(summarize(target, connections, run.result, run.latencies));
        latencies.get(target)?.push(run.latencies);
        // Let closed sockets settle before the next run opens up to 1000 new ones.
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    for (const target of paired) {
      results.push(pool(rounds.get(target) ?? [], latencies.get(target) ?? []));
    }
  }
  const login = targets.find((target) => target.key === 'login');
  if (login) {
    log(`${login.label}: warm-up ${settings.warmupSeconds}s @ ${login.warmupConnections} conns`);
    await load(login, login.warmupConnections, settings.warmupSeconds);
    await drainLogins(login);
    for (const [index, connections] of settings.connections.entries()) {
      log(`${login.label}: ${settings.durationSeconds}s @ ${connections} conns`);
      const { result, latencies } = await load(login, connections, settings.durationSeconds);
      const summary = summarize(login, connections, result, latencies);
      if (index < settings.connections.length - 1) {
        const drain = await drainLogins(login);
        summary.drainSeconds = drain.seconds;
        summary.drainComplete = drain.complete;
        log(`${login.label}: server needed ${drain.seconds}s to finish abandoned logins`);
      }
      results.push(summary);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  for (const summary of results) {
    const baseline = results.find(
      (other) => other.target === 'baseline' && other.connections === summary.connections,
    );
    if (baseline && baseline.requestsPerSecond > 0) {
      summary.ratioToBaseline = round(summary.requestsPerSecond / baseline.requestsPerSecond, 3);
      const alongside = baseline.roundRequestsPerSecond ?? [];
      summary.roundRatiosToBaseline = summary.roundRequestsPerSecond?.map((rate, index) =>
        round(rate / (alongside[index] ?? Number.NaN), 3),
      );
    }
  }
  return results;
}

/** The printed table: one row per scenario, the API's throughput as a share of the baseline's. */
function resultsTable(results: ScenarioResult[]): string {
  const header = [
    'Scenario',
    'Conns',
    'Req/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'Non-2xx',
    'Err/Timeout',
    'vs baseline',
  ];
  const rows = results.map((r) => [
    r.scenario,
    String(r.connections),
    r.requestsPerSecond.toFixed(1),
    r.latencyMs.p50.toFixed(1),
    r.latencyMs.p95.toFixed(1),
    r.latencyMs.p99.toFixed(1),
    String(r.non2xx),
    `${r.errors}/${r.timeouts}`,
    r.ratioToBaseline === null ? '-' : `${(r.ratioToBaseline * 100).toFixed(1)}%`,
  ]);
  return formatTable(header, rows);
}

function judgeGoal(results: ScenarioResult[]): GoalVerdict | undefined {
  const me = results.find((r) => r.target === GOAL.target && r.connections === GOAL.connections);
  const baseline = results.find(
    (r) => r.target === 'baseline' && r.connections === GOAL.connections,
  );
  if (!me || !baseline) return undefined;
  const ratioOk = me.ratioToBaseline !== null && me.ratioToBaseline >= GOAL.minRatio;
  const maxP99Ms = round(baseline.latencyMs.p99 * GOAL.maxP99ToBaseline);
  const p99Ok = me.latencyMs.p99 <= maxP99Ms;
  // Fast 401s or dropped connections would flatter both numbers, so they void the verdict; so
  // do the baseline's: clients stuck on it lower the reference the ratio is taken against.
  const cleanRun = (r: ScenarioResult) => r.non2xx === 0 && r.errors === 0 && r.timeouts === 0;
  const clean = cleanRun(me) && cleanRun(baseline);
  const ratio = me.ratioToBaseline === null ? 'n/a' : `${(me.ratioToBaseline * 100).toFixed(1)}%`;
  return {
    met: ratioOk && p99Ok && clean,
    lines: [
      `  requests/s vs baseline: ${ratio} (need >= ${GOAL.minRatio * 100}%) ${ratioOk ? 'OK' : 'NOT MET'}`,
      `  p99 latency: ${me.latencyMs.p99} ms (need <= ${maxP99Ms} ms, twice the baseline's ${baseline.latencyMs.p99} ms) ${p99Ok ? 'OK' : 'NOT MET'}`,
      `  all answers 2xx, no errors/timeouts (API and baseline): ${clean ? 'yes' : 'NO'}`,
    ],
  };
}

async function main(): Promise<void> {
  const settings = readSettings();
  const startedAt = new Date();
  const runId = randomBytes(4).toString('hex');
  const redisPrefix = `bench:${runId}:`;
  const profileDir = path.join(RESULTS_DIR, `cpu-${runId}`);
  let api: BenchServer | undefined;

  try {
    await prepareApi(settings);

    const [baselinePort, apiPort] = await twoFreePorts();
    const baseline = startBaselineServer('baseline server', 'baseline-server.ts', baselinePort);
    const nodeArgs = settings.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    // The embedded default: no database or cache servers, state in a fresh data directory.
    const embedded = process.env.BENCH_EMBEDDED === '1';
    const embeddedEnvironment = embedded
      ? {
          DATABASE_URL: undefined,
          REDIS_URL: undefined,
          DATA_DIR: mkdtempSync(path.join(tmpdir(), 'nxg-bench-')),
        }
      : {};
    api = startApiServer(settings, apiPort, redisPrefix, {
      nodeArgs,
      environment: embeddedEnvironment,
    });
    const baselineBase = baseline.base;
    const apiBase = api.base;
    await waitUntilReady([baseline, api]);
    const hello = await call(`${baselineBase}/`, { method: 'GET' }, 200);
    if (hello.hello !== 'world') throw new Error(`baseline answered ${JSON.stringify(hello)}`);
    log(`baseline on ${baselineBase}, API on ${apiBase}; registering a user`);
    const user = await setUpUser(apiBase);

    const allTargets: Target[] = [
      {
        key: 'baseline',
        label: 'baseline GET /',
        url: `${baselineBase}/`,
        method: 'GET',
        warmupConnections: 100,
      },
      {
        key: 'me',
        label: 'GET /api/users/me',
        url: `${apiBase}/api/users/me`,
        method: 'GET',
        headers: { authorization: `Bearer ${user.accessToken}` },
        warmupConnections: 100,
      },
      {
        key: 'login',
        label: 'POST /api/auth/login',
        url: `${apiBase}/api/auth/login`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: user.loginBody,
        warmupConnections: 4,
      },
    ];
    const targets = allTargets.filter((target) => settings.targets.includes(target.key));
    const results = await runAll(targets, settings);

    // A graceful stop: --cpu-prof writes the profile only on a normal exit.
    const apiServer = await stopServers(api);

    let profiles: ProfileSummary[] = [];
    if (settings.cpuProfile) {
      try {
        profiles = readdirSync(profileDir)
          .filter((file) => file.endsWith('.cpuprofile'))
          .map((file) => summarizeCpuProfile(path.join(profileDir, file)));
      } catch (error) {
        log(
          `no CPU profile (API exit: ${apiServer.exit}): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }

    const verdict = judgeGoal(results);
    const environment = describeEnvironment();
    const file = writeResults('http', startedAt, environment, {
      settings: {
        durationSeconds: settings.durationSeconds,
        rounds: settings.rounds,
        warmupSeconds: settings.warmupSeconds,
        connections: settings.connections,
        requestTimeoutSeconds: REQUEST_TIMEOUT_SECONDS,
        database:
          process.env.BENCH_EMBEDDED === '1' ? 'embedded' : databaseName(settings.databaseUrl),
      },
      results,
      goal: verdict ? { ...GOAL, met: verdict.met } : null,
      apiServer,
      cpuProfiles: profiles,
    });

    const historyFile = appendHistory(
      'http',
      startedAt,
      environment,
      verdict?.met ?? null,
      results.map((r) => ({
        target: r.target,
        connections: r.connections,
        requestsPerSecond: r.requestsPerSecond,
        p50Ms: r.latencyMs.p50,
        p99Ms: r.latencyMs.p99,
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        ratioToBaseline: r.ratioToBaseline,
        roundRatiosToBaseline: r.roundRatiosToBaseline,
      })),
    );

    out('');
    out(
      `HTTP benchmark: ${settings.rounds} alternating rounds of ${settings.durationSeconds}s per scenario (login: one), warm-up ${settings.warmupSeconds}s per target, ` +
        `Node ${environment.node}, ${environment.cpus} CPU (${environment.cpuModel})`,
    );
    out(
      'Latency over every response (any status); Err/Timeout = connection errors / 10 s timeouts.',
    );
    out('');
    out(resultsTable(results));
    for (const r of results) {
      if (r.target === 'baseline' || !r.roundRatiosToBaseline) continue;
      const ratios = r.roundRatiosToBaseline.map((ratio) => `${(ratio * 100).toFixed(1)}%`);
      out(`${r.scenario} @${r.connections}, each round vs its baseline: ${ratios.join(', ')}`);
    }
    out('');
    for (const r of results.filter((result) => result.drainSeconds !== undefined)) {
      out(
        r.drainComplete === false
          ? `${r.scenario} @${r.connections}: the API was still hashing ${r.drainSeconds}s after the clients stopped; the next scenario started with that backlog.`
          : `${r.scenario} @${r.connections}: the API kept hashing for ${r.drainSeconds}s after the clients stopped.`,
      );
    }
    const killedBecause =
      ' (queued bcrypt work on the libuv thread pool holds even process.exit back)';
    for (const line of apiServerNotes(apiServer, killedBecause)) out(line);
    for (const profile of profiles) out(`\n${formatCpuProfile(profile)}`);
    printResultsAndGoal(file, historyFile, verdict, {
      title: `GET /api/users/me @${GOAL.connections} conns`,
      notJudged: `the ${GOAL.target} and baseline @${GOAL.connections} scenarios were not both run.`,
    });
  } finally {
    stopActiveLoad();
    await cleanUpRun(api, settings.redisUrl, redisPrefix);
  }
}

runBenchmark(main, { stopping: 'children', onSignal: stopActiveLoad });
