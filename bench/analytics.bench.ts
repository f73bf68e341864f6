/**
 * Analytics at scale: workout-log pages, sync, the analytics endpoints and the log POST of a
 * member with three years of daily training (≈ 300,000 set rows among ≈ 1,000,000 rows, see
 * analytics-seed.ts), cold and warm, next to a bare Express hello world measured in the same
 * run; plus the query plans of the key reads for that member and an average one
 * (analytics-explain.ts).
 *
 *   npm run bench:analytics                  # full run (seeds first when needed)
 *   BENCH_QUICK=1 npm run bench:analytics    # short scenarios, to try the harness
 *
 * Needs real PostgreSQL (refuses anything else, PGlite included) and Redis. The database is
 * seeded once and reused while the seed parameters stay the same (a marker row records them).
 *
 * COLD, per endpoint: the API is restarted with an empty KV cache (a new Redis key prefix), the
 * member signs in and three `GET /api/users/me` warm the process itself (JIT, connection pool;
 * not for the `me` target, whose cold path that is); then BENCH_COLD_SAMPLES requests of the
 * endpoint are sent one after another and each is timed. The first is the cold one (nothing cached, statements not yet prepared); the rest
 * show how fast it warms. PostgreSQL's own buffer cache is not emptied: the server is shared
 * and is never restarted by a benchmark, and the seed and the EXPLAIN step have just read the
 * member's pages, so "cold" is the application's cold, not the disk's.
 *
 * WARM, per endpoint, on one API instance: BENCH_WARMUP seconds of unmeasured load at the
 * paced run's pace, then the paced run (BENCH_PACED_RATE requests/s over BENCH_PACED_CONNECTIONS connections, each on its
 * own schedule from a random phase (open-load.ts): the latency
 * a member sees at a realistic load, which the goal judges), then the closed-model runs at each
 * of BENCH_CONNECTIONS (throughput, compared to the baseline's at the same connections).
 *
 * An endpoint whose route is not mounted (404 "Route … not found") is reported NOT AVAILABLE
 * and measured no further; any other unexpected status is reported FAILED. Neither gets a
 * number. The log POST sends a new Idempotency-Key per request, taking turns over ten members
 * with the heavy one among them (see POST_MEMBERS); `post-log-one-member` sends them all as the
 * heavy member. The entries they add are deleted afterwards (and their members' derived data
 * rebuilt) so every run sees the same history.
 *
 * Settings (environment):
 *   BENCH_QUICK=1             shorter defaults for everything below marked (quick: …)
 *   BENCH_DURATION            seconds per measured scenario (default 10; quick: 3)
 *   BENCH_WARMUP              seconds of warm-up per endpoint (default 2; quick: 1)
 *   BENCH_CONNECTIONS         comma-separated closed-model connection counts (default "100,1000"; quick: "10")
 *   BENCH_PACED_RATE          requests/s of the paced run (default 50; quick: 20)
 *   BENCH_PACED_CONNECTIONS   connections of the paced run (default 10)
 *   BENCH_COLD_SAMPLES        sequential requests per cold endpoint (default 5; quick: 3)
 *   BENCH_DEEP_PAGES          pages followed through nextCursor for the deep page (default 50)
 *   BENCH_TARGETS             comma-separated subset of the targets below (default all but "plans")
 *   BENCH_DATABASE_URL        PostgreSQL database to seed and use (default postgres://postgres@127.0.0.1:5432/nxg_bench_analytics);
 *                             its name must contain "bench": it is dropped and recreated when (re)seeding
 *   BENCH_SEED_SCALE          multiplies the seed's set rows, members and total (default 1 = ≈ 1,000,000 rows)
 *   BENCH_HEAVY_DAYS          days of the heavy member's history (default 1100)
 *   BENCH_RESEED=1            seed again even when the marker matches
 *   BENCH_REDIS_URL           Redis to use (default redis://127.0.0.1:6379); keys get a per-run prefix
 *   BENCH_SKIP_BUILD=1        reuse the existing dist/ instead of running `npm run build`
 *   BENCH_CPU_PROF=1          run the warm phase's API under `node --cpu-prof` and print where its
 *                             CPU time went (with BENCH_TARGETS naming one target, that target's)
 *
 * Targets: baseline, me (GET /api/users/me: the floor of any signed-in read), plans
 * (GET /api/workouts/plans), logs-first, logs-deep, logs-sync, summary-30d, summary-1y,
 * progress, compliance-30d, trends-1y, post-log, post-log-one-member.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type autocannon from 'autocannon';
import { loadConfig, type Config } from '../src/config/config.js';
import {
  apiEnvironment,
  buildApi,
  call,
  cleanUpRun,
  createDatabaseIfMissing,
  databaseName,
  isRecord,
  log,
  positiveInteger,
  positiveNumber,
  readApiSettings,
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
import {
  HEAVY_MEMBER,
  SEEDED_TABLES,
  assertRealPostgres,
  ensureSeed,
  forgetSeed,
  isDefaultSeed,
  markDerivedRebuilt,
  rebuildDerived,
  removeBenchWrites,
  seedParametersFromEnv,
  seededMemberIds,
  type DerivedRebuild,
  type SeedInfo,
  type SeedParameters,
} from './analytics-seed.js';
import { explainKeyQueries, explainSummaryTable, type ExplainReport } from './analytics-explain.js';
import { freePort, stopChild, type ChildHandle } from './children.js';
import { formatCpuProfile, summarizeCpuProfile } from './cpu-profile.js';
import { loadStats, runLoad, stopActiveLoad, type LoadRequest, type LoadStats } from './load.js';
import { runOpenLoad, type OpenRequest, type SlowAnswer } from './open-load.js';
import {
  appendHistory,
  describeEnvironment,
  formatTable,
  out,
  printResultsAndGoal,
  RESULTS_DIR,
  round,
  writeResults,
  type GoalVerdict,
} from './report.js';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/nxg_bench_analytics';
const REQUEST_TIMEOUT_SECONDS = 10;
/** The issue's goal: p99 under 100 ms warm, judged on the paced run. */
const GOAL = { maxP99Ms: 100, minPaceShare: 0.9 } as const;
const API_STOP_GRACE_MS = 10_000;
/** Requests that warm the restarted process before a cold endpoint is timed. */
const PROCESS_WARMING_REQUESTS = 3;
/**
 * Members the judged log POST takes turns over: the heavy member and seeded light ones, 5 entries
 * a second each at the paced 50/s. One member's writes queue behind each other by design (the
 * points, achievements and record flags of a member are computed under the member's locks), and
 * a member logs a set every minute or two, not fifty a second; so the goal's load is many members
 * writing, as at a gym. The one-member run (`post-log-one-member`) still measures the heavy
 * member alone at the full rate, reported next to it but not judged.
 */
const POST_MEMBERS = 10;

/** The writers of the spread POST: the heavy member, then light ones. */
const writerUsernames = (): string[] => [
  HEAVY_MEMBER.username,
  ...Array.from(
    { length: POST_MEMBERS - 1 },
    (_, index) => `bench_member_${String(index + 1).padStart(5, '0')}`,
  ),
];

const TARGET_KEYS = [
  'baseline',
  'me',
  'plans',
  'logs-first',
  'logs-deep',
  'logs-sync',
  'summary-30d',
  'summary-1y',
  'progress',
  'compliance-30d',
  'trends-1y',
  // Last: they add rows, which are removed only after the whole run.
  'post-log',
  'post-log-one-member',
] as const;
type TargetKey = (typeof TARGET_KEYS)[number];
const DEFAULT_TARGETS = TARGET_KEYS.filter((key) => key !== 'plans');

interface Settings extends ApiSettings {
  quick: boolean;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number[];
  pacedRate: number;
  pacedConnections: number;
  coldSamples: number;
  deepPages: number;
  targets: TargetKey[];
  seed: SeedParameters;
  reseed: boolean;
  cpuProfile: boolean;
}

function readSettings(): Settings {
  const quick = process.env.BENCH_QUICK === '1';
  const connections = (process.env.BENCH_CONNECTIONS ?? (quick ? '10' : '100,1000'))
    .split(',')
    .map((part) => Number(part.trim()));
  if (connections.some((count) => !Number.isInteger(count) || count < 1)) {
    throw new Error('BENCH_CONNECTIONS must be a comma-separated list of positive integers');
  }
  const targets =
    process.env.BENCH_TARGETS === undefined
      ? [...DEFAULT_TARGETS]
      : targetsFromEnv<TargetKey>(TARGET_KEYS);
  return {
    ...readApiSettings(),
    databaseUrl: process.env.BENCH_DATABASE_URL ?? DEFAULT_DATABASE_URL,
    quick,
    durationSeconds: positiveNumber('BENCH_DURATION', quick ? 3 : 10),
    warmupSeconds: positiveNumber('BENCH_WARMUP', quick ? 1 : 2),
    connections,
    pacedRate: positiveNumber('BENCH_PACED_RATE', quick ? 20 : 50),
    pacedConnections: positiveInteger('BENCH_PACED_CONNECTIONS', 10),
    coldSamples: positiveInteger('BENCH_COLD_SAMPLES', quick ? 3 : 5),
    deepPages: positiveInteger('BENCH_DEEP_PAGES', 50),
    targets,
    seed: seedParametersFromEnv(positiveNumber),
    reseed: process.env.BENCH_RESEED === '1',
    cpuProfile: process.env.BENCH_CPU_PROF === '1',
  };
}

// ---------------------------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------------------------

/** What a target's request is built from. */
interface RequestContext {
  apiBase: string;
  baselineBase: string;
  /** The heavy member's access token. */
  token: string;
  /** Tokens of the members whose POSTs a spread write target takes turns over, heavy first. */
  writerTokens: string[];
  seed: SeedInfo;
  /** `nextCursor` after BENCH_DEEP_PAGES pages of the log list, when the list exists. */
  deepCursor: { cursor: string; page: number } | undefined;
}

interface Target {
  key: TargetKey;
  label: string;
  /** Part of the issue's goal (not the baseline or a reference route). */
  contract: boolean;
  method: 'GET' | 'POST';
  expectedStatus: 200 | 201;
  /** The path and query, or why the request cannot be built. */
  path: (context: RequestContext) => string | { unavailable: string };
}

const daysBefore = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) - days * 24 * 3600 * 1000).toISOString().slice(0, 10);

const range = (seed: SeedInfo, days: number) =>
  `from=${daysBefore(seed.lastDay, days - 1)}&to=${seed.lastDay}`;

const TARGETS: Record<TargetKey, Omit<Target, 'key'>> = {
  baseline: {
    label: 'baseline GET /',
    contract: false,
    method: 'GET',
    expectedStatus: 200,
    path: () => '/',
  },
  me: {
    label: 'GET /api/users/me',
    contract: false,
    method: 'GET',
    expectedStatus: 200,
    path: () => '/api/users/me',
  },
  plans: {
    label: 'GET /api/workouts/plans',
    contract: false,
    method: 'GET',
    expectedStatus: 200,
    path: () => '/api/workouts/plans',
  },
  'logs-first': {
    label: 'GET /api/workouts/logs (first page)',
    contract: true,
    method: 'GET',
    expectedStatus: 200,
    path: () => '/api/workouts/logs?limit=20',
  },
  'logs-deep': {
    label: 'GET /api/workouts/logs (deep page)',
    contract: true,
    method: 'GET',
    expectedStatus: 200,
    path: ({ deepCursor }) =>
      deepCursor
        ? `/api/workouts/logs?limit=20&cursor=${encodeURIComponent(deepCursor.cursor)}`
        : { unavailable: 'no cursor: the first page of GET /api/workouts/logs is not available' },
  },
  'logs-sync': {
    label: 'GET /api/workouts/logs?updatedSince= (1 day)',
    contract: true,
    method: 'GET',
    expectedStatus: 200,
    path: ({ seed }) =>
      `/api/workouts/logs?updatedSince=${encodeURIComponent(`${seed.lastDay}T00:00:00.000Z`)}`,
  },
  'summary-30d': {
    label: 'GET /api/analytics/workout/summary (30 d)',
    contract: true,
    method: 'GET',
    expectedStatus: 200,
    path: ({ seed }) => `/api/analytics/workout/summary?${range(seed, 30)}`,
  },
  'summary-1y': {
    label: 'GET /api/analytics/workout/summary (1 y)',
    contract: true,
    method: 'GET',
    expectedStatus: 200,
    path: ({ seed }) => `/api/analytics/workout/summary?${range(seed, 365)}`,
  },
  progress: {
    label: 'GET /api/analytics/workout/progress',
    contract: true,
    method: 'GET',
    expectedStatus: 200,
    path: ({ seed }) =>
      `/api/analytics/workout/progress?exerciseId=${encodeURIComponent(seed.heavyExercise.id)}`,
  },
  'compliance-30d': {
    label: 'GET /api/analytics/nutrition/compliance (30 d)',
    contract: true,
    method: 'GET',
    expectedStatus: 200,
    path: ({ seed }) => `/api/analytics/nutrition/compliance?${range(seed, 30)}`,
  },
  'trends-1y': {
    label: 'GET /api/analytics/body/trends weightKg (1 y)',
    contract: true,
    method: 'GET',
    expectedStatus: 200,
    path: ({ seed }) => `/api/analytics/body/trends?metric=weightKg&${range(seed, 365)}`,
  },
  'post-log': {
    label: `POST /api/workouts/logs (${POST_MEMBERS} members)`,
    contract: true,
    method: 'POST',
    expectedStatus: 201,
    path: () => '/api/workouts/logs',
  },
  'post-log-one-member': {
    label: 'POST /api/workouts/logs (one member)',
    // Reported, not judged: see POST_MEMBERS.
    contract: false,
    method: 'POST',
    expectedStatus: 201,
    path: () => '/api/workouts/logs',
  },
};

/**
 * A new workout entry of the heavy member's main exercise, completed now. The day's points and
 * feed card are recomputed from the day's entries on every write, so a POST grows dearer as its
 * member's day fills: the one-member run adds ~600 entries to one day.
 */
function postLogBody(seed: SeedInfo): string {
  return JSON.stringify({
    exerciseId: seed.heavyExercise.id,
    exerciseName: seed.heavyExercise.name,
    completedSets: 3,
    completedReps: 8,
    weightKg: 80,
    completedAt: new Date().toISOString(),
  });
}

/** The request a target sends, for one-off calls and for autocannon alike. */
function requestFor(
  target: Target,
  context: RequestContext,
): LoadRequest | { unavailable: string } {
  const path = target.path(context);
  if (typeof path !== 'string') return path;
  if (target.key === 'baseline') {
    return { url: `${context.baselineBase}${path}`, method: 'GET' };
  }
  const headers: Record<string, string> = { authorization: `Bearer ${context.token}` };
  if (target.method === 'GET') return { url: `${context.apiBase}${path}`, method: 'GET', headers };
  const writers = target.key === 'post-log' ? context.writerTokens : [context.token];
  let turn = 0;
  return {
    url: `${context.apiBase}${path}`,
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: postLogBody(context.seed),
    // Each request records a new entry: its own key, completed now, by the next writer in turn.
    setupRequest: (request: autocannon.Request) => ({
      ...request,
      headers: {
        ...request.headers,
        authorization: `Bearer ${writers[turn++ % writers.length] ?? context.token}`,
        'idempotency-key': randomUUID(),
      },
      body: postLogBody(context.seed),
    }),
  };
}

/** The same request for the open-model runner; a POST gets a fresh key and body each time. */
function openRequests(request: LoadRequest): { baseUrl: string; request: () => OpenRequest } {
  const url = new URL(request.url);
  const plain: OpenRequest = {
    method: request.method,
    path: url.pathname + url.search,
    headers: request.headers ?? {},
    body: request.body,
  };
  const { setupRequest } = request;
  if (!setupRequest) return { baseUrl: url.origin, request: () => plain };
  return {
    baseUrl: url.origin,
    request: () => {
      const fresh = setupRequest({ headers: plain.headers, body: plain.body });
      return {
        ...plain,
        headers: { ...plain.headers, ...(fresh.headers as Record<string, string>) },
        body: typeof fresh.body === 'string' ? fresh.body : plain.body,
      };
    },
  };
}

/** Which of the writers sent a request (the heavy member is the first). */
function writerOf(request: OpenRequest, writerTokens: string[]): string {
  const index = writerTokens.findIndex(
    (token) => request.headers.authorization === `Bearer ${token}`,
  );
  return index === 0 ? HEAVY_MEMBER.username : `writer ${index}`;
}

function describeSlowest(slowest: SlowAnswer[]): string {
  return slowest
    .map(
      (answer) =>
        `${answer.ms} ms (due at ${answer.dueAtSeconds} s${answer.label ? `, ${answer.label}` : ''})`,
    )
    .join(', ');
}

/** Whether a target can be measured, from the answer to its first request. */
type Availability =
  | { state: 'available' }
  | { state: 'not-available'; reason: string }
  | { state: 'failed'; reason: string };

function problemDetail(text: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (isRecord(body) && typeof body.detail === 'string') return body.detail;
  } catch {
    // Not JSON: quote the text itself.
  }
  return text.slice(0, 200);
}

function availabilityOf(target: Target, status: number, text: string): Availability {
  if (status === target.expectedStatus) return { state: 'available' };
  const detail = problemDetail(text);
  // The API's answer for a path no route matched: the endpoint is not on this code yet.
  if (status === 404 && detail.startsWith('Route ')) {
    return { state: 'not-available', reason: `404 ${detail}` };
  }
  return { state: 'failed', reason: `${status} ${detail}` };
}

// ---------------------------------------------------------------------------------------------
// The API under test
// ---------------------------------------------------------------------------------------------

/** What the API instances wrote to their logs over the run. */
interface ApiLogTally {
  starts: number;
  lines: number;
  warnOrAbove: number;
  lastWarnings: string[];
  /** How each instance ended ("0", a code, or the signal that stopped it). */
  exits: string[];
}

/** Counts the API's JSON log lines by level as they arrive on its stdout. */
function tallyLogs(handle: ChildHandle, tally: ApiLogTally): void {
  let partial = '';
  handle.child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      tally.lines += 1;
      const level = /"level":(\d+)/.exec(line);
      if (level && Number(level[1]) >= 40) {
        tally.warnOrAbove += 1;
        tally.lastWarnings.push(line.slice(0, 300));
        if (tally.lastWarnings.length > 10) tally.lastWarnings.shift();
      }
    }
  });
}

/** The API started last, whose run prefix the final clean-up removes from Redis. */
let lastApi: BenchServer | undefined;

/**
 * Starts the built API with an empty KV cache (a Redis key prefix of its own), production
 * settings and the default log level, and waits until it is ready.
 */
async function startFreshApi(
  settings: Settings,
  runPrefix: string,
  tally: ApiLogTally,
  nodeArgs: string[] = [],
): Promise<BenchServer> {
  tally.starts += 1;
  const port = await freePort();
  const api = startApiServer(settings, port, `${runPrefix}${tally.starts}:`, {
    nodeArgs,
    // Blank means the configured default level: every request is logged, as in production.
    environment: { LOG_LEVEL: '' },
  });
  lastApi = api;
  tallyLogs(api.handle, tally);
  await waitUntilReady([api]);
  return api;
}

async function stopApi(api: BenchServer, tally: ApiLogTally): Promise<void> {
  tally.exits.push(await stopChild(api.handle, API_STOP_GRACE_MS));
}

/**
 * Signs a member in (the heavy one unless named); tokens live 15 minutes, so each phase takes a
 * new one. Every seeded member has the heavy member's password.
 */
async function signIn(apiBase: string, username: string = HEAVY_MEMBER.username): Promise<string> {
  const session = await call(
    `${apiBase}/api/auth/login`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: username, password: HEAVY_MEMBER.password }),
    },
    200,
    // After a 1000-connection run the API may still be answering its backlog.
    120_000,
  );
  if (typeof session.accessToken !== 'string') {
    throw new Error(`login: no accessToken in ${JSON.stringify(session).slice(0, 300)}`);
  }
  return session.accessToken;
}

/** One request, timed from send to the last byte of the answer; a POST gets a new key. */
async function timedRequest(
  request: LoadRequest,
): Promise<{ ms: number; status: number; text: string }> {
  const headers = { ...request.headers };
  if (request.method === 'POST') headers['idempotency-key'] = randomUUID();
  const started = performance.now();
  const response = await fetch(request.url, {
    method: request.method,
    headers,
    body: request.body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_SECONDS * 1000),
  });
  const text = await response.text();
  return { ms: round(performance.now() - started), status: response.status, text };
}

/**
 * Follows `nextCursor` through up to `pages` of the heavy member's log pages; answers the last
 * cursor seen and the page it leads to.
 */
async function findDeepCursor(
  apiBase: string,
  token: string,
  pages: number,
): Promise<RequestContext['deepCursor']> {
  let deep: RequestContext['deepCursor'];
  for (let fetched = 0; fetched < pages; fetched += 1) {
    const query = deep === undefined ? '' : `&cursor=${encodeURIComponent(deep.cursor)}`;
    const response = await fetch(`${apiBase}/api/workouts/logs?limit=20${query}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (response.status !== 200) {
      log(`log pages: page ${fetched + 1} answered ${response.status} ${problemDetail(text)}`);
      break;
    }
    const body: unknown = JSON.parse(text);
    const next = isRecord(body) ? body.nextCursor : undefined;
    if (typeof next !== 'string') break;
    deep = { cursor: next, page: fetched + 2 };
  }
  return deep;
}

// ---------------------------------------------------------------------------------------------
// Cold
// ---------------------------------------------------------------------------------------------

interface ColdResult {
  target: TargetKey;
  scenario: string;
  availability: Availability;
  /** Each sequential request's latency in ms, the first one cold. */
  samplesMs: number[];
  /** Seconds from starting the API to its readiness, for this target's restart. */
  apiStartSeconds?: number;
}

async function measureCold(
  targets: Target[],
  settings: Settings,
  base: Omit<RequestContext, 'apiBase' | 'token' | 'writerTokens'>,
  runPrefix: string,
  tally: ApiLogTally,
): Promise<ColdResult[]> {
  const results: ColdResult[] = [];
  for (const target of targets.filter((t) => t.key !== 'baseline')) {
    const path = target.path({ ...base, apiBase: '', token: '', writerTokens: [] });
    if (typeof path !== 'string') {
      results.push({
        target: target.key,
        scenario: target.label,
        availability: { state: 'not-available', reason: path.unavailable },
        samplesMs: [],
      });
      continue;
    }
    const started = Date.now();
    const api = await startFreshApi(settings, runPrefix, tally);
    const apiStartSeconds = round((Date.now() - started) / 1000);
    try {
      const token = await signIn(api.base);
      // One request at a time: every POST is the heavy member's.
      const context: RequestContext = { ...base, apiBase: api.base, token, writerTokens: [token] };
      const me = requestFor({ ...TARGETS.me, key: 'me' }, context);
      if ('unavailable' in me) throw new Error('GET /api/users/me cannot be built');
      // GET /me itself is the process's cold path, so it is timed without warming.
      if (target.key !== 'me') {
        for (let i = 0; i < PROCESS_WARMING_REQUESTS; i += 1) await timedRequest(me);
      }

      const samplesMs: number[] = [];
      let availability: Availability = { state: 'available' };
      for (let i = 0; i < settings.coldSamples; i += 1) {
        // Built again each time: a POST records a new entry, completed now.
        const request = requestFor(target, context);
        if ('unavailable' in request) throw new Error(`${target.label}: ${request.unavailable}`);
        const answer = await timedRequest(request);
        availability = availabilityOf(target, answer.status, answer.text);
        if (availability.state !== 'available') break;
        samplesMs.push(answer.ms);
      }
      log(
        `cold ${target.label}: ${availability.state === 'available' ? samplesMs.join(', ') + ' ms' : availability.reason}`,
      );
      results.push({
        target: target.key,
        scenario: target.label,
        availability,
        // A failure leaves no number behind: a fast error is not a measurement.
        samplesMs: availability.state === 'available' ? samplesMs : [],
        apiStartSeconds,
      });
    } finally {
      await stopApi(api, tally);
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Warm
// ---------------------------------------------------------------------------------------------

interface WarmResult extends LoadStats {
  target: TargetKey;
  scenario: string;
  /** "paced" at a fixed rate, or "closed" (each connection sends as fast as answered). */
  mode: 'paced' | 'closed';
  connections: number;
  /** Requests per second asked for in a paced run. */
  pacedRate: number | null;
  ratioToBaseline: number | null;
}

async function measureWarm(
  targets: Target[],
  settings: Settings,
  baseContext: Omit<RequestContext, 'token' | 'writerTokens'>,
): Promise<WarmResult[]> {
  const results: WarmResult[] = [];
  const shape = { timeoutSeconds: REQUEST_TIMEOUT_SECONDS };
  for (const target of targets) {
    const token = target.key === 'baseline' ? '' : await signIn(baseContext.apiBase);
    const writerTokens =
      target.key === 'post-log'
        ? await Promise.all(writerUsernames().map((name) => signIn(baseContext.apiBase, name)))
        : [token];
    const request = requestFor(target, { ...baseContext, token, writerTokens });
    if ('unavailable' in request) continue;
    // Each connection on its own schedule (open-load.ts): autocannon's overallRate sends every
    // connection's share at the top of each second, so its p99 measured a 50-request burst.
    const pacedLoad = (durationSeconds: number) =>
      runOpenLoad({
        ...openRequests(request),
        ...(target.key === 'post-log' && { label: (sent) => writerOf(sent, writerTokens) }),
        connections: settings.pacedConnections,
        totalRate: settings.pacedRate,
        durationSeconds,
        timeoutSeconds: REQUEST_TIMEOUT_SECONDS,
      });
    // The warm-up has the paced run's shape: a closed warm-up left the server answering its
    // last hundred requests when the paced run began, and the paced p99 measured that backlog.
    log(`${target.label}: warm-up ${settings.warmupSeconds}s paced ${settings.pacedRate}/s`);
    await pacedLoad(settings.warmupSeconds);
    // The clock time, so the slowest answers' "due at" can be matched with the database's logs.
    log(
      `${target.label}: paced ${settings.pacedRate}/s for ${settings.durationSeconds}s @ ${settings.pacedConnections} conns from ${new Date().toISOString()}`,
    );
    const paced = await pacedLoad(settings.durationSeconds);
    log(`${target.label}: slowest paced answers ${describeSlowest(paced.slowest)}`);
    results.push({
      target: target.key,
      scenario: target.label,
      mode: 'paced',
      connections: settings.pacedConnections,
      pacedRate: settings.pacedRate,
      ...paced,
      ratioToBaseline: null,
    });
    for (const connections of settings.connections) {
      log(`${target.label}: ${settings.durationSeconds}s @ ${connections} conns`);
      const closed = await runLoad(request, {
        ...shape,
        connections,
        durationSeconds: settings.durationSeconds,
      });
      results.push({
        target: target.key,
        scenario: target.label,
        mode: 'closed',
        connections,
        pacedRate: null,
        ...loadStats(closed.result, closed.latencies),
        ratioToBaseline: null,
      });
      // Let closed sockets settle before the next scenario opens up to 1000 new ones.
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  for (const result of results.filter((r) => r.mode === 'closed')) {
    const baseline = results.find(
      (other) =>
        other.target === 'baseline' &&
        other.mode === 'closed' &&
        other.connections === result.connections,
    );
    if (baseline && baseline.requestsPerSecond > 0) {
      result.ratioToBaseline = round(result.requestsPerSecond / baseline.requestsPerSecond, 3);
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

function coldTable(results: ColdResult[]): string {
  const rows = results.map((r) => {
    const [first, ...rest] = r.samplesMs;
    const sortedRest = [...rest].sort((a, b) => a - b);
    const restMedian = sortedRest[Math.floor((sortedRest.length - 1) / 2)];
    const outcome =
      r.availability.state === 'available'
        ? 'ok'
        : r.availability.state === 'not-available'
          ? 'NOT AVAILABLE'
          : 'FAILED';
    return [
      r.scenario,
      first === undefined ? '-' : first.toFixed(1),
      restMedian === undefined ? '-' : restMedian.toFixed(1),
      sortedRest.length === 0 ? '-' : sortedRest.at(-1)!.toFixed(1),
      r.apiStartSeconds === undefined ? '-' : r.apiStartSeconds.toFixed(1),
      outcome,
    ];
  });
  return formatTable(
    ['Endpoint (cold)', '1st ms', 'next p50 ms', 'next max ms', 'API start s', 'Outcome'],
    rows,
  );
}

function warmTable(results: WarmResult[]): string {
  const rows = results.map((r) => [
    r.scenario,
    r.mode === 'paced' ? `paced ${r.pacedRate}/s` : `closed ${r.connections}`,
    r.requestsPerSecond.toFixed(1),
    r.latencyMs.p50.toFixed(1),
    r.latencyMs.p95.toFixed(1),
    r.latencyMs.p99.toFixed(1),
    String(r.non2xx),
    `${r.errors}/${r.timeouts}`,
    r.ratioToBaseline === null ? '-' : `${(r.ratioToBaseline * 100).toFixed(1)}%`,
  ]);
  return formatTable(
    [
      'Endpoint (warm)',
      'Load',
      'Req/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'Non-2xx',
      'Err/Timeout',
      'vs baseline',
    ],
    rows,
  );
}

function describeDerived(derived: DerivedRebuild): string {
  switch (derived.status) {
    case 'rebuilt':
      return `rebuilt by analytics.rebuildMember for ${derived.members} members in ${derived.seconds}s`;
    case 'already-rebuilt':
      return `rebuilt when seeded (${derived.at})`;
    case 'not-available':
      return (
        `NOT REBUILT: ${derived.detail}. Analytics numbers below (if any) were measured over ` +
        'missing derived data.'
      );
  }
}

/** The goal: every contract endpoint available and under 100 ms p99 in the paced run. */
function judgeGoal(
  targets: Target[],
  cold: ColdResult[],
  warm: WarmResult[],
  derived: DerivedRebuild,
  explain: ExplainReport,
): { verdict: GoalVerdict | undefined; notJudged: string } {
  const contract = targets.filter((t) => t.contract);
  const missing = cold.filter(
    (c) => contract.some((t) => t.key === c.target) && c.availability.state !== 'available',
  );
  if (contract.length === 0) {
    return { verdict: undefined, notJudged: 'no endpoint of the goal was selected.' };
  }
  if (missing.length > 0) {
    return {
      verdict: undefined,
      notJudged: `${missing.length} of ${contract.length} endpoints NOT AVAILABLE or FAILED (${missing.map((m) => m.target).join(', ')}).`,
    };
  }
  if (derived.status === 'not-available') {
    return { verdict: undefined, notJudged: 'derived data was not rebuilt (see above).' };
  }
  const lines: string[] = [];
  let met = true;
  for (const target of contract) {
    const paced = warm.find((w) => w.target === target.key && w.mode === 'paced');
    if (!paced) {
      met = false;
      lines.push(`  ${target.label}: no paced run`);
      continue;
    }
    const p99Ok = paced.latencyMs.p99 < GOAL.maxP99Ms;
    const clean = paced.non2xx === 0 && paced.errors === 0 && paced.timeouts === 0;
    const kept = paced.requestsPerSecond >= GOAL.minPaceShare * (paced.pacedRate ?? 0);
    met &&= p99Ok && clean && kept;
    lines.push(
      `  ${target.label}: p99 ${paced.latencyMs.p99} ms (need < ${GOAL.maxP99Ms}) ${p99Ok ? 'OK' : 'NOT MET'}` +
        `${clean ? '' : ', NOT all 2xx'}${kept ? '' : `, served only ${paced.requestsPerSecond}/s of ${paced.pacedRate}/s`}`,
    );
  }
  const flat = explain.seqScanLines.length === 0;
  met &&= flat;
  lines.push(
    `  query plans: ${flat ? 'no sequential scan' : `${explain.seqScanLines.length} SEQUENTIAL SCAN(S)`}`,
  );
  return { verdict: { met, lines }, notJudged: '' };
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

/**
 * Deletes the entries the run's POSTs added and rebuilds their members' derived data, so the
 * next run measures the same history. When that fails, the seed is marked stale (seeded again
 * next time) rather than reused with extra rows. Answers what happened, for the report.
 */
async function undoBenchWrites(databaseUrl: string, config: Config, since: Date): Promise<string> {
  try {
    // Seeded rows were created before this run started; everything newer came from its POSTs.
    const removed = await removeBenchWrites(databaseUrl, since);
    if (removed.entries === 0) return 'nothing was written';
    const rebuilt = await rebuildDerived(config, removed.memberIds);
    const outcome =
      `${removed.entries} posted entries of ${removed.memberIds.length} member(s) deleted; their derived data ` +
      (rebuilt.status === 'rebuilt' ? 'rebuilt' : `NOT rebuilt (${rebuilt.detail})`);
    log(outcome);
    return outcome;
  } catch (error) {
    await forgetSeed(databaseUrl);
    const outcome =
      `COULD NOT undo the posted entries (${error instanceof Error ? error.message : String(error)}); ` +
      'the seed marker was dropped, so the next run seeds again';
    log(outcome);
    return outcome;
  }
}

/** The configuration the API's own code sees, for seeding and rebuilds in this process. */
function inProcessConfig(settings: Settings, redisPrefix: string): Config {
  return loadConfig(apiEnvironment(settings, 0, redisPrefix, { LOG_LEVEL: 'warn' }));
}

async function main(): Promise<void> {
  const settings = readSettings();
  const startedAt = new Date();
  const runId = randomBytes(4).toString('hex');
  const runPrefix = `bench:${runId}:`;
  const tally: ApiLogTally = { starts: 0, lines: 0, warnOrAbove: 0, lastWarnings: [], exits: [] };

  try {
    const postgres = await assertRealPostgres(settings.databaseUrl);
    log(`${postgres}; database ${databaseName(settings.databaseUrl)}`);
    if (await createDatabaseIfMissing(settings.databaseUrl)) {
      log(`created database ${databaseName(settings.databaseUrl)}`);
    }
    await buildApi(settings);
    const config = inProcessConfig(settings, `${runPrefix}prep:`);

    const seed = await ensureSeed(settings.databaseUrl, config, settings.seed, settings.reseed);
    let info = seed.info;
    let derived: DerivedRebuild;
    if (info.derivedRebuiltAt === null) {
      log('rebuilding derived data (analytics rollups, points) from the seeded rows');
      const outcome = await rebuildDerived(
        config,
        await seededMemberIds(settings.databaseUrl, info),
      );
      if (outcome.status === 'rebuilt') info = await markDerivedRebuilt(settings.databaseUrl, info);
      else log(`DERIVED DATA NOT REBUILT: ${outcome.detail}`);
      derived = outcome;
    } else {
      derived = { status: 'already-rebuilt', at: info.derivedRebuiltAt };
    }

    log('explaining the key queries');
    // Plans of another seed size go beside the committed file, not over it.
    const explainFile = isDefaultSeed(settings.seed)
      ? 'analytics-explain.txt'
      : 'analytics-explain-custom-seed.txt';
    const explain = await explainKeyQueries(settings.databaseUrl, info, explainFile, [
      `Analytics benchmark query plans, ${startedAt.toISOString()}, commit ${describeEnvironment().commit ?? 'unknown'}`,
      `${postgres}; seed of ${info.seededAt}: ${info.totalRows} rows; ` +
        `heavy member ${info.counts.workout_sets?.heavy ?? 0} sets / ${info.counts.workout_logs?.heavy ?? 0} entries, ` +
        `light member ${info.counts.workout_sets?.light ?? 0} sets / ${info.counts.workout_logs?.light ?? 0} entries`,
      'Each query ran twice per member; the second run is shown (buffers = shared hit + read of the whole plan).',
    ]);
    for (const line of explain.seqScanLines) log(line);

    const targets = settings.targets.map((key): Target => ({ key, ...TARGETS[key] }));
    const [baselinePort] = await twoFreePorts();
    const baseline = startBaselineServer('baseline server', 'baseline-server.ts', baselinePort);
    await waitUntilReady([baseline]);

    // The deep page's cursor, from a first instance (the cold phase restarts the API anyway).
    let deepCursor: RequestContext['deepCursor'];
    if (targets.some((t) => t.key === 'logs-deep')) {
      const api = await startFreshApi(settings, runPrefix, tally);
      deepCursor = await findDeepCursor(api.base, await signIn(api.base), settings.deepPages);
      log(deepCursor ? `deep page: page ${deepCursor.page}` : 'deep page: no cursor');
      await stopApi(api, tally);
    }

    const base = { baselineBase: baseline.base, seed: info, deepCursor };
    log('cold phase: one API restart per endpoint');
    const cold = await measureCold(targets, settings, base, runPrefix, tally);

    log('warm phase');
    const profileDir = path.join(RESULTS_DIR, `cpu-analytics-${runId}`);
    const api = await startFreshApi(
      settings,
      runPrefix,
      tally,
      settings.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    );
    const available = targets.filter(
      (t) =>
        t.key === 'baseline' ||
        cold.find((c) => c.target === t.key)?.availability.state === 'available',
    );
    const warm = await measureWarm(available, settings, { ...base, apiBase: api.base });
    // A graceful stop: --cpu-prof writes the profile only on a normal exit.
    await stopApi(api, tally);
    if (settings.cpuProfile) {
      for (const file of readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'))) {
        process.stdout.write(
          `\n${formatCpuProfile(summarizeCpuProfile(path.join(profileDir, file)))}\n`,
        );
      }
    }
    await stopServers(undefined);

    const afterWrites = await undoBenchWrites(settings.databaseUrl, config, startedAt);

    const { verdict, notJudged } = judgeGoal(targets, cold, warm, derived, explain);
    const environment = describeEnvironment();
    const unavailable = cold.flatMap((c) =>
      c.availability.state === 'available'
        ? []
        : [{ target: c.target, scenario: c.scenario, ...c.availability }],
    );
    const file = writeResults('analytics', startedAt, environment, {
      settings: {
        quick: settings.quick,
        durationSeconds: settings.durationSeconds,
        warmupSeconds: settings.warmupSeconds,
        connections: settings.connections,
        pacedRate: settings.pacedRate,
        pacedConnections: settings.pacedConnections,
        coldSamples: settings.coldSamples,
        deepPages: settings.deepPages,
        requestTimeoutSeconds: REQUEST_TIMEOUT_SECONDS,
        database: databaseName(settings.databaseUrl),
        postgres,
      },
      seed: { reused: seed.reused, ...info },
      derived,
      deepCursorPage: deepCursor?.page ?? null,
      cold,
      warm,
      unavailable,
      explain: { file: explain.file, seqScans: explain.seqScanLines, plans: explain.measurements },
      goal: verdict ? { ...GOAL, met: verdict.met } : { notJudged },
      afterWrites,
      apiServer: tally,
    });
    const historyFile = settings.quick
      ? undefined
      : appendHistory('analytics', startedAt, environment, verdict?.met ?? null, [
          ...warm.map((r) => ({
            target: r.target,
            load: r.mode === 'paced' ? `paced ${r.pacedRate}/s` : `closed ${r.connections}`,
            requestsPerSecond: r.requestsPerSecond,
            p50Ms: r.latencyMs.p50,
            p99Ms: r.latencyMs.p99,
            non2xx: r.non2xx,
            errors: r.errors,
            timeouts: r.timeouts,
            ratioToBaseline: r.ratioToBaseline,
          })),
          ...cold.map((r) =>
            r.availability.state === 'available'
              ? { target: r.target, load: 'cold', firstMs: r.samplesMs[0], samplesMs: r.samplesMs }
              : { target: r.target, load: 'cold', available: false, reason: r.availability.reason },
          ),
          {
            target: 'explain',
            seqScans: explain.seqScanLines.length,
            heavyMaxBuffers: Math.max(
              ...explain.measurements
                .filter((m) => m.member === 'heavy')
                .map((m) => m.sharedBuffers),
            ),
          },
        ]);

    const counts = SEEDED_TABLES.map((table) => `${table} ${info.counts[table]?.total ?? 0}`).join(
      ', ',
    );
    out('');
    out(
      `Analytics benchmark${settings.quick ? ' (QUICK MODE)' : ''}: ${settings.durationSeconds}s per scenario, ` +
        `warm-up ${settings.warmupSeconds}s, Node ${environment.node}, ${environment.cpus} CPU (${environment.cpuModel}), ${postgres}`,
    );
    out(
      `Seed ${seed.reused ? `reused (written ${info.seededAt} in ${info.seedSeconds}s)` : `written now in ${info.seedSeconds}s`}: ` +
        `${info.totalRows} rows (${counts})`,
    );
    out(
      `Heavy member: ${info.counts.workout_sets?.heavy ?? 0} sets in ${info.counts.workout_logs?.heavy ?? 0} entries ` +
        `over ${info.firstDay}..${info.lastDay}, ${info.counts.meal_logs?.heavy ?? 0} meals; ` +
        `progress exercise "${info.heavyExercise.name}" (${info.heavyExercise.logs} entries)`,
    );
    if (deepCursor) out(`Deep page: page ${deepCursor.page} of 20 entries, from its nextCursor`);
    out(`Derived data: ${describeDerived(derived)}`);
    out('');
    for (const entry of unavailable) {
      out(
        `${entry.state === 'not-available' ? 'NOT AVAILABLE' : 'FAILED'}: ${entry.scenario}: ${entry.reason}`,
      );
    }
    if (unavailable.length > 0) out('');
    out(
      `Cold: API restarted with an empty cache per endpoint, ${PROCESS_WARMING_REQUESTS} GET /api/users/me, ` +
        `then ${settings.coldSamples} sequential requests.`,
    );
    out(coldTable(cold));
    out('');
    out(
      `Warm: paced = ${settings.pacedRate} req/s over ${settings.pacedConnections} connections (the goal's latency); ` +
        'closed = each connection sends as soon as answered (throughput). Latency over every response.',
    );
    out(warmTable(warm));
    out('');
    out(`Query plans (${explain.file}), heavy vs light member:`);
    out(explainSummaryTable(explain.measurements));
    for (const line of explain.seqScanLines) out(line);
    out('');
    out(`After the run: ${afterWrites}.`);
    const exits = tally.exits.some((exit) => exit !== '0')
      ? `; exits ${tally.exits.join(', ')}`
      : '';
    out(
      `API: ${tally.starts} start(s), ${tally.lines} log line(s) at the default level, ` +
        `${tally.warnOrAbove} at warn or above${exits}`,
    );
    for (const line of tally.lastWarnings) out(`  ${line}`);
    printResultsAndGoal(file, historyFile, verdict, {
      title: `p99 < ${GOAL.maxP99Ms} ms warm (paced), no sequential scans`,
      notJudged,
    });
  } finally {
    stopActiveLoad();
    await cleanUpRun(lastApi, settings.redisUrl, runPrefix);
  }
}

runBenchmark(main, { stopping: 'load and children', onSignal: stopActiveLoad });
