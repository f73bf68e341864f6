/**
 * What every benchmark needs around the API it measures: settings read from the environment, a
 * freshly recreated database and a fresh build, the API and a bare reference server as child
 * processes, the run's Redis keys removed afterwards, and a bench process that takes its
 * children with it whichever way it ends.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** The repository root, whatever directory the benchmark was started from. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Far above anything a run can reach, so limits and lockouts never shape the numbers. */
export const UNLIMITED = '100000000';
const API_SHUTDOWN_TIMEOUT_MS = 5_000;
/** Twice the API's own SHUTDOWN_TIMEOUT_MS: past that it is stuck, and it is killed. */
const API_STOP_GRACE_MS = 2 * API_SHUTDOWN_TIMEOUT_MS;
const READY_TIMEOUT_MS = 30_000;
const CHILD_STOP_GRACE_MS = 5_000;
/** Shorter than at a normal end: an interrupted run should give the terminal back quickly. */
const INTERRUPTED_STOP_GRACE_MS = 3_000;

/**
 * The node flags of `npm start` (the image's command has the same), read from package.json so
 * every benchmark runs the API as operators do. Reference servers get them too: a ratio between
 * two processes under different V8 settings would measure the settings.
 */
export const OPERATOR_NODE_FLAGS: readonly string[] = (() => {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  return manifest.scripts.start.split(/\s+/).filter((word) => word.startsWith('--'));
})();

/** Progress goes to stderr, so stdout carries only the results. */
export const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

/** Reads a positive number from the environment; unset or blank gives `fallback`. */
export function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

/** Reads a positive integer from the environment; unset or blank gives `fallback`. */
export function positiveInteger(name: string, fallback: number): number {
  const value = positiveNumber(name, fallback);
  if (!Number.isInteger(value)) throw new Error(`${name} must be a positive integer`);
  return value;
}

/**
 * The targets named in BENCH_TARGETS (default all), in the order of `all` whatever the input
 * order, so the benchmark's own ordering rules (baseline first, costly targets last) hold.
 */
export function targetsFromEnv<Key extends string>(all: readonly Key[]): Key[] {
  const named = (process.env.BENCH_TARGETS ?? all.join(',')).split(',').map((part) => part.trim());
  const unknown = named.filter((key) => !all.some((known) => known === key));
  if (unknown.length > 0) throw new Error(`BENCH_TARGETS: unknown ${unknown.join(', ')}`);
  return all.filter((key) => named.includes(key));
}

/** Where the API under test keeps its state, and whether it needs building first. */
export interface ApiSettings {
  databaseUrl: string;
  redisUrl: string;
  skipBuild: boolean;
}

/** BENCH_DATABASE_URL, BENCH_REDIS_URL and BENCH_SKIP_BUILD, with the local defaults. */
export function readApiSettings(): ApiSettings {
  return {
    databaseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/nxg_bench',
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    skipBuild: process.env.BENCH_SKIP_BUILD === '1',
  };
}

/** The database name as it is logged and recorded in the results file. */
export const databaseName = (databaseUrl: string) => new URL(databaseUrl).pathname.slice(1);

// ---------------------------------------------------------------------------------------------
// Database, build and Redis
// ---------------------------------------------------------------------------------------------

/** Runs `work` on a connection to the server's `postgres` database, beside `databaseUrl`'s. */
async function onMaintenanceDatabase<T>(
  databaseUrl: string,
  work: (client: pg.Client, identifier: string, name: string) => Promise<T>,
): Promise<T> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client, client.escapeIdentifier(name), name);
  } finally {
    await client.end();
  }
}

/** Drops and recreates the benchmark database so every run starts from the same empty state. */
export async function recreateDatabase(databaseUrl: string): Promise<void> {
  await onMaintenanceDatabase(databaseUrl, async (client, identifier, name) => {
    // The database is dropped: refuse names that do not look like a throwaway bench database.
    if (!name.includes('bench')) {
      throw new Error(`refusing to drop database "${name}": its name must contain "bench"`);
    }
    // FORCE ends sessions a previous, killed run may have left behind.
    await client.query(`DROP DATABASE IF EXISTS ${identifier} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${identifier}`);
  });
}

/** Creates the benchmark database unless it exists; answers whether it was created. */
export async function createDatabaseIfMissing(databaseUrl: string): Promise<boolean> {
  return onMaintenanceDatabase(databaseUrl, async (client, identifier, name) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount !== 0) return false;
    await client.query(`CREATE DATABASE ${identifier}`);
    return true;
  });
}

/** Builds dist/ (`npm run build`) unless BENCH_SKIP_BUILD=1. */
export async function buildApi(settings: ApiSettings): Promise<void> {
  if (settings.skipBuild) log('skipping build (BENCH_SKIP_BUILD=1)');
  else {
    log('npm run build');
    await runToCompletion('npm run build', 'npm', ['run', 'build'], process.env);
  }
}

/** Recreates the database, then builds dist/ (`npm run build`) unless BENCH_SKIP_BUILD=1. */
export async function prepareApi(settings: ApiSettings): Promise<void> {
  log(`recreating database ${databaseName(settings.databaseUrl)}`);
  await recreateDatabase(settings.databaseUrl);
  await buildApi(settings);
}

/** Removes this run's keys (rate-limit counters, sessions, adapter streams) from Redis. */
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

// ---------------------------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------------------------

/** A server the benchmark started, where it listens, and the URL that answers 200 when ready. */
export interface BenchServer {
  handle: ChildHandle;
  base: string;
  readyUrl: string;
}

/** Two different free ports, for the baseline and the API. */
export async function twoFreePorts(): Promise<[number, number]> {
  const first = await freePort();
  // The OS may hand out a just-released port again; two servers cannot share one.
  let second = await freePort();
  while (second === first) second = await freePort();
  return [first, second];
}

/** Starts a reference server from a bench/ script (run through tsx) on `port`. */
export function startBaselineServer(name: string, script: string, port: number): BenchServer {
  const handle = startChild(
    name,
    process.execPath,
    [...OPERATOR_NODE_FLAGS, '--import', 'tsx', path.join(ROOT, 'bench', script)],
    { ...process.env, PORT: String(port), NODE_ENV: 'production' },
  );
  const base = `http://127.0.0.1:${port}`;
  return { handle, base, readyUrl: `${base}/` };
}

/** What one benchmark adds to the API's start: node flags, environment on top of the shared. */
export interface ApiStartOptions {
  nodeArgs?: string[];
  /** What node runs instead of dist/server.js (the cluster launcher, with its own flags). */
  entry?: string[];
  environment?: NodeJS.ProcessEnv;
}

/**
 * The API's environment for a run: fresh RS256 keys, this run's Redis prefix, no limits, no
 * first admin, warnings only, then `overrides`. Also what a bench builds the API's own
 * container from when it works on the database in-process (seeding, rebuilds).
 */
export function apiEnvironment(
  settings: ApiSettings,
  port: number,
  redisPrefix: string,
  overrides: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
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
    // The default level (info: a line per request) to a file, as operators run it.
    LOG_LEVEL: '',
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
    ...overrides,
  };
}

/** Starts the built API (dist/server.js) on `port`, its Redis keys under `redisPrefix`. */
export function startApiServer(
  settings: ApiSettings,
  port: number,
  redisPrefix: string,
  options: ApiStartOptions = {},
): BenchServer {
  const handle = startChild(
    'API server',
    process.execPath,
    [
      ...OPERATOR_NODE_FLAGS,
      ...(options.nodeArgs ?? []),
      ...(options.entry ?? [path.join(ROOT, 'dist', 'server.js')]),
    ],
    apiEnvironment(settings, port, redisPrefix, options.environment ?? {}),
    { logFile: path.join(tmpdir(), `nxg-bench-api-${String(port)}.log`) },
  );
  const base = `http://127.0.0.1:${port}`;
  return { handle, base, readyUrl: `${base}/health/ready` };
}

/** Waits for every given server at once; a server that cannot start fails the run here. */
export async function waitUntilReady(servers: (BenchServer | undefined)[]): Promise<void> {
  const started = servers.filter((server) => server !== undefined);
  await Promise.all(
    started.map((server) => waitForHttpOk(server.readyUrl, server.handle, READY_TIMEOUT_MS)),
  );
}

/** How the API ended, and what it logged on the way, for the results. */
export interface ApiServerReport {
  exit: string;
  /** Every line the API logged (info and above by default: one per request). */
  outputLines: number;
  /** Lines at warn level or above, and the last of them. */
  warnings: number;
  outputTail: string[];
}

// pino writes levels as numbers: 40 warn, 50 error, 60 fatal. Anything that is not a JSON log
// line (a crash trace) counts too.
const isWarningOrWorse = (line: string) =>
  !line.startsWith('{') || /"level":(4|5|6)0[,}]/.test(line);

/**
 * Stops the API gracefully, then every other child. A graceful stop matters: `--cpu-prof`
 * writes its profile only on a normal exit. A stuck API is killed; apiServerNotes says so.
 */
export async function stopServers(api: BenchServer): Promise<ApiServerReport>;
/** Stops every child; without an API there is nothing to report. */
export async function stopServers(
  api: BenchServer | undefined,
): Promise<ApiServerReport | undefined>;
export async function stopServers(
  api: BenchServer | undefined,
): Promise<ApiServerReport | undefined> {
  log('stopping servers');
  const exit = api ? await stopChild(api.handle, API_STOP_GRACE_MS) : undefined;
  await stopAllChildren(CHILD_STOP_GRACE_MS);
  if (!api || exit === undefined) return undefined;
  const warnings = api.handle.matchingLines(isWarningOrWorse, 10);
  return {
    exit,
    outputLines: api.handle.lineCount(),
    warnings: warnings.count,
    outputTail: warnings.last,
  };
}

/**
 * Lines for the printed report when the API had to be killed or wrote warnings; `killedBecause`
 * is the likely reason for a kill, as this benchmark understands it.
 */
export function apiServerNotes(api: ApiServerReport | undefined, killedBecause = ''): string[] {
  if (!api) return [];
  const notes: string[] = [];
  if (api.exit === 'SIGKILL') {
    notes.push(
      `The API server did not exit within ${API_STOP_GRACE_MS / 1000}s of SIGTERM and was ` +
        `killed${killedBecause}.`,
    );
  }
  notes.push(`API server logged ${api.outputLines} line(s) at its default level to a file.`);
  if (api.warnings > 0) {
    notes.push(`${api.warnings} of them at warn level or above; last ones:`);
    for (const line of api.outputTail) notes.push(`  ${line.slice(0, 300)}`);
  }
  return notes;
}

/**
 * The end of every run, successful or not: no child outlives it, and when the API ran, its
 * Redis keys are removed (best effort: a failure is logged, not thrown).
 */
export async function cleanUpRun(
  api: BenchServer | undefined,
  redisUrl: string,
  redisPrefix: string,
): Promise<void> {
  await stopAllChildren(CHILD_STOP_GRACE_MS);
  if (!api) return;
  try {
    const deleted = await deleteRedisKeys(redisUrl, redisPrefix);
    log(`removed ${deleted} Redis key(s) with prefix ${redisPrefix}`);
  } catch (error) {
    log(`could not clean Redis keys: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/** Whether a parsed JSON value is an object whose fields can be read. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/**
 * One request with a readable failure: the request body, the status and the answer are quoted
 * when the status differs. An empty answer reads as `{}`.
 */
export async function call(
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
  expectedStatus: number,
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  if (response.status !== expectedStatus) {
    throw new Error(
      `${init.method} ${url}${init.body === undefined ? '' : ` ${init.body}`}: expected ` +
        `${expectedStatus}, got ${response.status}: ${text.slice(0, 500)}`,
    );
  }
  if (text === '') return {};
  const body: unknown = JSON.parse(text);
  if (!isRecord(body)) throw new Error(`${init.method} ${url}: body is not a JSON object: ${text}`);
  return body;
}

/** Registers `username` (e-mail derived from it) through the API; answers the session body. */
export async function registerUser(
  apiBase: string,
  account: { username: string; password: string; name: string },
): Promise<Record<string, unknown>> {
  return call(
    `${apiBase}/api/auth/register`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: account.username,
        email: `${account.username}@example.com`,
        password: account.password,
        name: account.name,
      }),
    },
    201,
  );
}

// ---------------------------------------------------------------------------------------------
// The bench process
// ---------------------------------------------------------------------------------------------

/** How a benchmark stops the load it generates itself, next to the children it started. */
export interface ClientShutdown {
  /** What the log line on SIGINT/SIGTERM says is being stopped, e.g. "sockets and children". */
  stopping: string;
  /** Stops the load on SIGINT/SIGTERM, before the children are stopped. */
  onSignal: () => void;
  /** Synchronous last words on process exit, before the children are killed. */
  onExit?: () => void;
}

/**
 * Runs `main` and exits with its outcome (0, or 1 with the error logged). Every way out of the
 * process takes the children with it; a signal stops them gracefully and exits with 130.
 */
export function runBenchmark(main: () => Promise<void>, clients: ClientShutdown): void {
  process.on('exit', () => {
    clients.onExit?.();
    killAllChildrenNow();
  });
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping ${clients.stopping}`);
    clients.onSignal();
    void stopAllChildren(INTERRUPTED_STOP_GRACE_MS).finally(() => process.exit(130));
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
}
