/**
 * HTTP benchmark: the real API (built, against PostgreSQL and Redis) next to a bare Express
 * hello world on the same machine, at 100 and 1000 connections, with autocannon.
 *
 *   npm run bench
 *
 * Settings (environment):
 *   BENCH_DURATION      seconds per measured scenario (default 10)
 *   BENCH_WARMUP        seconds of warm-up before each target (default 2)
 *   BENCH_CONNECTIONS   comma-separated connection counts (default "100,1000")
 *   BENCH_TARGETS       comma-separated subset of "baseline,me,login" (default all)
 *   BENCH_DATABASE_URL  database to DROP and recreate (default postgres://postgres@127.0.0.1:5432/nxg_bench)
 *   BENCH_REDIS_URL     Redis to use (default redis://127.0.0.1:6379); keys get a per-run prefix
 *   BENCH_CPU_PROF=1    run the API under `node --cpu-prof` and print where its CPU time went
 *   BENCH_SKIP_BUILD=1  reuse the existing dist/ instead of running `npm run build`
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  freePort,
  killAllChildrenNow,
  runToCompletion,
  startChild,
  stopAllChildren,
  stopChild,
  waitForHttpOk,
  type ChildHandle,
} from './children.js';
import { formatCpuProfile, summarizeCpuProfile, type ProfileSummary } from './cpu-profile.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
/** Far above anything a run can reach, so limits and lockouts never shape the numbers. */
const UNLIMITED = '100000000';
const REQUEST_TIMEOUT_SECONDS = 10;
const API_SHUTDOWN_TIMEOUT_MS = 5_000;
const API_STOP_GRACE_MS = 2 * API_SHUTDOWN_TIMEOUT_MS;
const GOAL = { target: 'me', connections: 1000, minRatio: 0.5, maxP99Ms: 200 } as const;

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

interface LatencyMs {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

interface ScenarioResult {
  target: TargetKey;
  scenario: string;
  connections: number;
  durationSeconds: number;
  requestsPerSecond: number;
  completedRequests: number;
  latencyMs: LatencyMs;
  /** autocannon's own p50/p99 over 2xx responses only, kept for cross-checking. */
  autocannonLatencyMs: { p50: number; p99: number };
  non2xx: number;
  /** Connection errors other than timeouts. */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  ratioToBaseline: number | null;
  /** For login: seconds the server needed afterwards to finish abandoned hashes. */
  drainSeconds?: number;
  /** False when the backlog outlasted the drain timeout and leaked into the next scenario. */
  drainComplete?: boolean;
}

interface Settings {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number[];
  targets: TargetKey[];
  databaseUrl: string;
  redisUrl: string;
  cpuProfile: boolean;
  skipBuild: boolean;
}

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function readSettings(): Settings {
  const connections = (process.env.BENCH_CONNECTIONS ?? '100,1000')
    .split(',')
    .map((part) => Number(part.trim()));
  if (connections.some((count) => !Number.isInteger(count) || count < 1)) {
    throw new Error('BENCH_CONNECTIONS must be a comma-separated list of positive integers');
  }
  const allTargets: TargetKey[] = ['baseline', 'me', 'login'];
  const targets = (process.env.BENCH_TARGETS ?? allTargets.join(','))
    .split(',')
    .map((part) => part.trim());
  const unknown = targets.filter((key) => !allTargets.includes(key as TargetKey));
  if (unknown.length > 0) throw new Error(`BENCH_TARGETS: unknown ${unknown.join(', ')}`);
  return {
    durationSeconds: positiveNumber('BENCH_DURATION', 10),
    warmupSeconds: positiveNumber('BENCH_WARMUP', 2),
    connections,
    // Keep the canonical order whatever the input order: login must run last (see runAll).
    targets: allTargets.filter((key) => targets.includes(key)),
    databaseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/nxg_bench',
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    cpuProfile: process.env.BENCH_CPU_PROF === '1',
    skipBuild: process.env.BENCH_SKIP_BUILD === '1',
  };
}

/** Drops and recreates the benchmark database so every run starts from the same empty state. */
async function recreateDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  // The database is dropped: refuse names that do not look like a throwaway bench database.
  if (!name.includes('bench')) {
    throw new Error(`refusing to drop database "${name}": its name must contain "bench"`);
  }
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const identifier = client.escapeIdentifier(name);
    // FORCE ends sessions a previous, killed run may have left behind.
    await client.query(`DROP DATABASE IF EXISTS ${identifier} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${identifier}`);
  } finally {
    await client.end();
  }
}

/** Removes this run's keys (rate-limit counters, login sessions) from the shared Redis. */
async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    // Cleanup is best effort: one failed connect is reported once, not retried forever.
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** One request with a readable failure: the status and body are quoted when they differ. */
async function call(
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
  expectedStatus: number,
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  if (response.status !== expectedStatus) {
    throw new Error(
      `${init.method} ${url}: expected ${expectedStatus}, got ${response.status}: ${text.slice(0, 500)}`,
    );
  }
  const body: unknown = JSON.parse(text);
  if (!isRecord(body)) throw new Error(`${init.method} ${url}: body is not a JSON object: ${text}`);
  return body;
}

/** Registers a fresh user and checks login and /me answer as the API documents. */
async function setUpUser(apiBase: string): Promise<{ accessToken: string; loginBody: string }> {
  const suffix = randomBytes(4).toString('hex');
  const username = `bench_${suffix}`;
  const password = `bench-${randomBytes(12).toString('hex')}`;
  const json = { 'content-type': 'application/json' };
  const session = await call(
    `${apiBase}/api/auth/register`,
    {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        username,
        email: `${username}@example.com`,
        password,
        name: 'Bench User',
      }),
    },
    201,
  );
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

/** Nearest-rank percentile of an ascending-sorted array. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1]!;
}

const round = (value: number, digits = 1) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

let activeRun: autocannon.Instance | undefined;

/**
 * One autocannon run. Latency percentiles are computed here from every response (any status),
 * because autocannon's histogram has no p95 and leaves non-2xx answers out.
 */
async function load(
  target: Target,
  connections: number,
  durationSeconds: number,
): Promise<{ result: autocannon.Result; latencies: Float64Array }> {
  const samples: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    activeRun = autocannon(
      {
        url: target.url,
        method: target.method,
        headers: target.headers,
        body: target.body,
        connections,
        duration: durationSeconds,
        timeout: REQUEST_TIMEOUT_SECONDS,
      },
      (error: unknown, finished: autocannon.Result) => {
        if (error) {
          reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
        } else resolve(finished);
      },
    );
    activeRun.on('response', (_client, _status, _bytes, responseTime) => {
      samples.push(responseTime);
    });
  });
  activeRun = undefined;
  return { result, latencies: Float64Array.from(samples).sort() };
}

function summarize(
  target: Target,
  connections: number,
  result: autocannon.Result,
  latencies: Float64Array,
): ScenarioResult {
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = stats.count ?? 0;
  }
  const mean =
    latencies.length === 0 ? Number.NaN : latencies.reduce((a, b) => a + b, 0) / latencies.length;
  return {
    target: target.key,
    scenario: target.label,
    connections,
    durationSeconds: result.duration,
    requestsPerSecond: round(result.requests.average),
    completedRequests: latencies.length,
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.at(-1) ?? Number.NaN),
      mean: round(mean),
    },
    autocannonLatencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    non2xx: result.non2xx,
    errors: result.errors - result.timeouts,
    timeouts: result.timeouts,
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
 * Runs every scenario. Targets run one after another (all connection counts of one target
 * before the next) so the login backlog, which outlives its scenario, comes last and cannot
 * steal CPU from the cheap routes.
 */
async function runAll(targets: Target[], settings: Settings): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const target of targets) {
    log(`${target.label}: warm-up ${settings.warmupSeconds}s @ ${target.warmupConnections} conns`);
    await load(target, target.warmupConnections, settings.warmupSeconds);
    if (target.key === 'login') await drainLogins(target);
    for (const [index, connections] of settings.connections.entries()) {
      log(`${target.label}: ${settings.durationSeconds}s @ ${connections} conns`);
      const { result, latencies } = await load(target, connections, settings.durationSeconds);
      const summary = summarize(target, connections, result, latencies);
      const isLastScenario = target === targets.at(-1) && index === settings.connections.length - 1;
      if (target.key === 'login' && !isLastScenario) {
        const drain = await drainLogins(target);
        summary.drainSeconds = drain.seconds;
        summary.drainComplete = drain.complete;
        log(`${target.label}: server needed ${drain.seconds}s to finish abandoned logins`);
      }
      results.push(summary);
      // Let closed sockets settle before the next scenario opens up to 1000 new ones.
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  for (const summary of results) {
    const baseline = results.find(
      (other) => other.target === 'baseline' && other.connections === summary.connections,
    );
    if (baseline && baseline.requestsPerSecond > 0) {
      summary.ratioToBaseline = round(summary.requestsPerSecond / baseline.requestsPerSecond, 3);
    }
  }
  return results;
}

function formatTable(results: ScenarioResult[]): string {
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
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join(' | ');
  return [
    line(header),
    widths.map((width) => '-'.repeat(width)).join('-|-'),
    ...rows.map(line),
  ].join('\n');
}

interface GoalVerdict {
  met: boolean;
  lines: string[];
}

function judgeGoal(results: ScenarioResult[]): GoalVerdict | undefined {
  const me = results.find((r) => r.target === GOAL.target && r.connections === GOAL.connections);
  if (!me) return undefined;
  const ratioOk = me.ratioToBaseline !== null && me.ratioToBaseline >= GOAL.minRatio;
  const p99Ok = me.latencyMs.p99 < GOAL.maxP99Ms;
  // Fast 401s or dropped connections would flatter both numbers, so they void the verdict.
  const clean = me.non2xx === 0 && me.errors === 0 && me.timeouts === 0;
  const ratio = me.ratioToBaseline === null ? 'n/a' : `${(me.ratioToBaseline * 100).toFixed(1)}%`;
  return {
    met: ratioOk && p99Ok && clean,
    lines: [
      `  requests/s vs baseline: ${ratio} (need >= ${GOAL.minRatio * 100}%) ${ratioOk ? 'OK' : 'NOT MET'}`,
      `  p99 latency: ${me.latencyMs.p99} ms (need < ${GOAL.maxP99Ms} ms) ${p99Ok ? 'OK' : 'NOT MET'}`,
      `  all answers 2xx, no errors/timeouts: ${clean ? 'yes' : 'NO'}`,
    ],
  };
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
  } catch {
    return undefined;
  }
}

function apiEnvironment(settings: Settings, port: number, redisPrefix: string): NodeJS.ProcessEnv {
  // Fresh keys per run: nothing secret is stored, and tokens from other runs cannot match.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: settings.databaseUrl,
    REDIS_URL: settings.redisUrl,
    REDIS_KEY_PREFIX: redisPrefix,
    JWT_PRIVATE_KEY: privateKey,
    JWT_PUBLIC_KEY: publicKey,
    JWT_PRIVATE_KEY_FILE: '',
    JWT_PUBLIC_KEY_FILE: '',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_USER_MAX: UNLIMITED,
    RATE_LIMIT_ANONYMOUS_MAX: UNLIMITED,
    RATE_LIMIT_AUTH_MAX: UNLIMITED,
    LOGIN_MAX_FAILURES_PER_IP: UNLIMITED,
    LOGIN_MAX_FAILURES_PER_ACCOUNT: UNLIMITED,
    // No first admin: an inherited ADMIN_* from the shell would only add a bcrypt hash to startup.
    ADMIN_EMAIL: '',
    ADMIN_PASSWORD: '',
    SENTRY_DSN: '',
    SHUTDOWN_TIMEOUT_MS: String(API_SHUTDOWN_TIMEOUT_MS),
  };
}

async function main(): Promise<void> {
  const settings = readSettings();
  const startedAt = new Date();
  const runId = randomBytes(4).toString('hex');
  const redisPrefix = `bench:${runId}:`;
  const profileDir = path.join(RESULTS_DIR, `cpu-${runId}`);
  let api: ChildHandle | undefined;

  try {
    log(`recreating database ${new URL(settings.databaseUrl).pathname.slice(1)}`);
    await recreateDatabase(settings.databaseUrl);
    if (settings.skipBuild) log('skipping build (BENCH_SKIP_BUILD=1)');
    else {
      log('npm run build');
      await runToCompletion('npm run build', 'npm', ['run', 'build'], process.env);
    }

    const baselinePort = await freePort();
    // The OS may hand out a just-released port again; two servers cannot share one.
    let apiPort = await freePort();
    while (apiPort === baselinePort) apiPort = await freePort();
    const baseline = startChild(
      'baseline server',
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bench', 'baseline-server.ts')],
      { ...process.env, PORT: String(baselinePort), NODE_ENV: 'production' },
    );
    const nodeArgs = settings.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    api = startChild(
      'API server',
      process.execPath,
      [...nodeArgs, path.join(ROOT, 'dist', 'server.js')],
      apiEnvironment(settings, apiPort, redisPrefix),
    );
    const baselineBase = `http://127.0.0.1:${baselinePort}`;
    const apiBase = `http://127.0.0.1:${apiPort}`;
    await Promise.all([
      waitForHttpOk(`${baselineBase}/`, baseline, 30_000),
      waitForHttpOk(`${apiBase}/health/ready`, api, 30_000),
    ]);
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

    const apiOutputLines = api.lineCount();
    const apiOutputTail = api.tail().slice(-10);
    // Stop the API gracefully: --cpu-prof writes its profile only on a normal exit. The grace
    // is twice its SHUTDOWN_TIMEOUT_MS; past that it is stuck, and a SIGKILL is reported below.
    log('stopping servers');
    const apiExit = await stopChild(api, API_STOP_GRACE_MS);
    await stopAllChildren(5_000);

    let profiles: ProfileSummary[] = [];
    if (settings.cpuProfile) {
      try {
        profiles = readdirSync(profileDir)
          .filter((file) => file.endsWith('.cpuprofile'))
          .map((file) => summarizeCpuProfile(path.join(profileDir, file)));
      } catch (error) {
        log(
          `no CPU profile (API exit: ${apiExit}): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }

    const verdict = judgeGoal(results);
    const environment = {
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGb: round(os.totalmem() / 1024 ** 3),
      commit: gitCommit(),
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = path.join(
      RESULTS_DIR,
      `http-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`,
    );
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          startedAt: startedAt.toISOString(),
          finishedAt: new Date().toISOString(),
          environment,
          settings: {
            durationSeconds: settings.durationSeconds,
            warmupSeconds: settings.warmupSeconds,
            connections: settings.connections,
            requestTimeoutSeconds: REQUEST_TIMEOUT_SECONDS,
            database: new URL(settings.databaseUrl).pathname.slice(1),
          },
          results,
          goal: verdict ? { ...GOAL, met: verdict.met } : null,
          apiServer: { exit: apiExit, outputLines: apiOutputLines, outputTail: apiOutputTail },
          cpuProfiles: profiles,
        },
        null,
        2,
      )}\n`,
    );

    const out = (text: string) => process.stdout.write(`${text}\n`);
    out('');
    out(
      `HTTP benchmark: ${settings.durationSeconds}s per scenario, warm-up ${settings.warmupSeconds}s per target, ` +
        `Node ${environment.node}, ${environment.cpus} CPU (${environment.cpuModel})`,
    );
    out(
      'Latency over every response (any status); Err/Timeout = connection errors / 10 s timeouts.',
    );
    out('');
    out(formatTable(results));
    out('');
    for (const r of results.filter((result) => result.drainSeconds !== undefined)) {
      out(
        r.drainComplete === false
          ? `${r.scenario} @${r.connections}: the API was still hashing ${r.drainSeconds}s after the clients stopped; the next scenario started with that backlog.`
          : `${r.scenario} @${r.connections}: the API kept hashing for ${r.drainSeconds}s after the clients stopped.`,
      );
    }
    if (apiExit === 'SIGKILL') {
      out(
        `The API server did not exit within ${API_STOP_GRACE_MS / 1000}s of SIGTERM and was killed ` +
          '(queued bcrypt work on the libuv thread pool holds even process.exit back).',
      );
    }
    if (apiOutputLines > 0) {
      out(`API server wrote ${apiOutputLines} log line(s) at warn level or above; last ones:`);
      for (const line of apiOutputTail) out(`  ${line.slice(0, 300)}`);
    }
    for (const profile of profiles) out(`\n${formatCpuProfile(profile)}`);
    out(`\nResults written to ${path.relative(ROOT, file)}`);
    if (verdict) {
      out(
        `\nGoal (GET /api/users/me @${GOAL.connections} conns): ${verdict.met ? 'MET' : 'NOT MET'}`,
      );
      for (const line of verdict.lines) out(line);
    } else {
      out(`\nGoal not judged: the ${GOAL.target} @${GOAL.connections} scenario was not run.`);
    }
  } finally {
    activeRun?.stop();
    await stopAllChildren(5_000);
    if (api) {
      try {
        const deleted = await deleteRedisKeys(settings.redisUrl, redisPrefix);
        log(`removed ${deleted} Redis key(s) with prefix ${redisPrefix}`);
      } catch (error) {
        log(
          `could not clean Redis keys: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
}

// Every way out of the process takes the children with it.
process.on('exit', killAllChildrenNow);
let interrupted = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (interrupted) return;
  interrupted = true;
  log(`${signal}: stopping children`);
  activeRun?.stop();
  void stopAllChildren(3_000).finally(() => process.exit(130));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
