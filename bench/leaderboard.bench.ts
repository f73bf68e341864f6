/**
 * The branch leaderboard at scale: `GET /api/social/leaderboard` for a branch of 20,000 members
 * with a year of points (≈ 3 million ledger rows), each period (week, month, all) under load,
 * next to a bare Express hello world measured in the same run; plus the query plans of each
 * period and a check that the API's answer equals a plain recomputation from the ledger rows.
 *
 *   npm run bench:leaderboard                  # full run (seeds first when needed)
 *   BENCH_QUICK=1 npm run bench:leaderboard    # short runs, to try the harness
 *
 * Needs real PostgreSQL (refuses anything else) and Redis. The seed is written once, with
 * `INSERT … SELECT generate_series(…)` on the server, and reused while its parameters stay the
 * same (a marker table records them; on reuse the pending migrations run, backfilling what they
 * add, then `vacuum analyze`). The API runs built (dist/), NODE_ENV=production, with
 * its default log level (every request logged, as in production).
 *
 * Seed: branch `Bench Leaderboard` (Europe/London) with BENCH_MEMBERS members (default 20,000),
 * and a second branch of a quarter as many (their points sit in the same tables). Each member
 * is active on 5–40% of the last 365 days (their own rate), with 1–3 awards an active day and a
 * reversal of about 2% of them on the award's day; 3% opted out of leaderboards, 2% private, a
 * few hundred blocks. `users.total_points` and the week and month sums are then computed from
 * the ledger rows (as the migration does for an existing ledger). The signed-in caller ranks
 * in the middle, outside the top 50.
 *
 * Settings (environment):
 *   BENCH_QUICK=1             shorter runs (3 s, connections "10")
 *   BENCH_DURATION            seconds per measured run (default 10; quick: 3)
 *   BENCH_WARMUP              seconds of unmeasured load before each target (default 2; quick: 1)
 *   BENCH_CONNECTIONS         comma-separated connection counts (default "10,100"; quick: "10")
 *   BENCH_MEMBERS             members of the measured branch (default 20000)
 *   BENCH_DATABASE_URL        default postgres://postgres@127.0.0.1:5432/nxg_bench_leaderboard;
 *                             its name must contain "bench": it is dropped when (re)seeding
 *   BENCH_RESEED=1            seed again even when the marker matches
 *   BENCH_REDIS_URL           Redis (default redis://127.0.0.1:6379); keys get a per-run prefix
 *   BENCH_SKIP_BUILD=1        reuse the existing dist/
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import bcrypt from 'bcrypt';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../src/db/database.js';
import { rowsOf } from '../src/db/raw-rows.js';
import { periodEnd, periodStart } from '../src/modules/rewards/point-periods.js';
import { rankingStatement } from '../src/modules/social/leaderboard.repository.js';
import { LIFETIME_STARTS_ON } from '../src/modules/social/leaderboard.table.js';
import {
  buildApi,
  call,
  cleanUpRun,
  databaseName,
  log,
  positiveInteger,
  positiveNumber,
  readApiSettings,
  recreateDatabase,
  runBenchmark,
  startApiServer,
  startBaselineServer,
  stopServers,
  twoFreePorts,
  waitUntilReady,
  type ApiSettings,
  type BenchServer,
} from './api-under-test.js';
import { loadStats, runLoad, stopActiveLoad, type LoadRequest, type LoadStats } from './load.js';
import {
  RESULTS_DIR,
  appendHistory,
  describeEnvironment,
  formatTable,
  out,
  round,
  writeResults,
} from './report.js';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/nxg_bench_leaderboard';
const SEED_VERSION = 1;
const BRANCH_NAME = 'Bench Leaderboard';
const TIMEZONE = 'Europe/London';
const PASSWORD = 'bench-leaderboard-member';
const REQUEST_TIMEOUT_SECONDS = 10;
const PERIODS = ['week', 'month', 'all'] as const;
type Period = (typeof PERIODS)[number];

interface Settings extends ApiSettings {
  quick: boolean;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number[];
  members: number;
  reseed: boolean;
}

function readSettings(): Settings {
  const quick = process.env.BENCH_QUICK === '1';
  const connections = (process.env.BENCH_CONNECTIONS ?? (quick ? '10' : '10,100'))
    .split(',')
    .map((part) => Number(part.trim()));
  if (connections.some((count) => !Number.isInteger(count) || count < 1)) {
    throw new Error('BENCH_CONNECTIONS must be a comma-separated list of positive integers');
  }
  return {
    ...readApiSettings(),
    databaseUrl: process.env.BENCH_DATABASE_URL ?? DEFAULT_DATABASE_URL,
    quick,
    durationSeconds: positiveNumber('BENCH_DURATION', quick ? 3 : 10),
    warmupSeconds: positiveNumber('BENCH_WARMUP', quick ? 1 : 2),
    connections,
    members: positiveInteger('BENCH_MEMBERS', 20_000),
    reseed: process.env.BENCH_RESEED === '1',
  };
}

// ---------------------------------------------------------------------------------------------
// Seed
// ---------------------------------------------------------------------------------------------

interface SeedInfo {
  parameters: { version: number; members: number };
  seededAt: string;
  seedSeconds: number;
  branchId: string;
  /** The signed-in caller: a member ranked in the middle for lifetime points. */
  viewer: { id: string; username: string };
  counts: Record<string, number>;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function readMarker(url: string): Promise<SeedInfo | undefined> {
  try {
    return await withClient(url, async (client) => {
      const result = await client.query<{ info: SeedInfo }>(
        'select info from bench_leaderboard_seed limit 1',
      );
      return result.rows[0]?.info;
    });
  } catch {
    // No database or no marker yet: seed.
    return undefined;
  }
}

/**
 * Runs `work` with the non-unique, non-primary indexes of `tables` dropped, then creates them
 * again from their stored definitions (the schema ends exactly as the migrations made it).
 */
async function withoutSecondaryIndexes(
  client: pg.Client,
  tables: string[],
  step: (label: string, text: string) => Promise<void>,
  work: () => Promise<void>,
): Promise<void> {
  const indexes = await client.query<{ name: string; definition: string }>(
    `select c.relname as name, pg_get_indexdef(x.indexrelid) as definition
     from pg_index x
     join pg_class c on c.oid = x.indexrelid
     join pg_class t on t.oid = x.indrelid
     join pg_namespace n on n.oid = t.relnamespace
     where n.nspname = 'public' and t.relname = any($1) and not x.indisprimary and not x.indisunique`,
    [tables],
  );
  for (const index of indexes.rows) await client.query(`drop index "${index.name}"`);
  await work();
  for (const index of indexes.rows) await step(`index ${index.name}`, index.definition);
}

async function ensureSeed(settings: Settings): Promise<{ info: SeedInfo; reused: boolean }> {
  const parameters = { version: SEED_VERSION, members: settings.members };
  const existing = settings.reseed ? undefined : await readMarker(settings.databaseUrl);
  if (existing && isDeepStrictEqual(existing.parameters, parameters)) {
    // A seed from before a schema change: the pending migrations backfill what they add from
    // the seeded rows, as they would a production database.
    const database = await openDatabase({ url: settings.databaseUrl, poolSize: 2 });
    try {
      await database.migrate();
      // Statistics and the visibility map a settled production table has (index-only scans).
      await database.db.execute(sql`vacuum analyze`);
    } finally {
      await database.close();
    }
    return { info: existing, reused: true };
  }
  log(`recreating ${databaseName(settings.databaseUrl)} and migrating`);
  await recreateDatabase(settings.databaseUrl);
  const database = await openDatabase({ url: settings.databaseUrl, poolSize: 2 });
  try {
    await database.migrate();
  } finally {
    await database.close();
  }
  const started = performance.now();
  const passwordHash = await bcrypt.hash(PASSWORD, 10);
  const info = await withClient(settings.databaseUrl, async (client) => {
    const step = async (label: string, text: string, values: unknown[] = []) => {
      const at = performance.now();
      const result = await client.query(text, values);
      log(
        `seed: ${label} (${String(result.rowCount ?? 0)} rows, ${round((performance.now() - at) / 1000)} s)`,
      );
    };
    const others = Math.max(1, Math.round(settings.members / 4));
    await step(
      'branches',
      `insert into branches (name, address, timezone)
       values ($1, 'bench', $2), ($1 || ' (other)', 'bench', $2)`,
      [BRANCH_NAME, TIMEZONE],
    );
    await step(
      'users',
      `insert into users (username, email, password_hash, profile)
       select 'bench_lb_' || lpad(n::text, 6, '0'), 'bench_lb_' || n || '@example.com', $1,
              jsonb_build_object('name', 'Bench Member ' || n, 'demographics', '{}'::jsonb,
                                 'fitnessProfile', '{}'::jsonb, 'dietPreferences', '{}'::jsonb,
                                 'timezone', null)
       from generate_series(1, $2::int) n`,
      [passwordHash, settings.members + others],
    );
    await step(
      'memberships',
      `insert into branch_members (branch_id, user_id)
       select case when u.username <= 'bench_lb_' || lpad($2::text, 6, '0')
                   then (select id from branches where name = $1)
                   else (select id from branches where name = $1 || ' (other)') end, u.id
       from users u`,
      [BRANCH_NAME, settings.members],
    );
    await step(
      'social settings (3% opted out, 2% private)',
      `insert into social_settings (user_id, privacy, show_on_leaderboards)
       select id, case when r < 0.02 then 'private' else 'public' end, r >= 0.02 + 0.03
       from (select id, random() as r from users) u where r < 0.05`,
    );
    await step(
      'blocks',
      `insert into user_blocks (blocker_id, blocked_id)
       select a.id, b.id from
         (select id, row_number() over (order by random()) as k from users) a
         join (select id, row_number() over (order by random()) as k from users) b
           on a.k = b.k and a.id <> b.id
       where a.k <= 300
       on conflict do nothing`,
    );
    // The bulk rows go in without the secondary indexes of the tables they fill (built once
    // afterwards from the sorted data: several times faster than millions of index inserts).
    await withoutSecondaryIndexes(
      client,
      ['points_ledger', 'member_period_points', 'branch_period_points'],
      step,
      async () => {
        // Each member's own activity rate; 1–3 awards per active day; ~2% reversed on the same day.
        await step(
          'points ledger (a year)',
          `with activity as (
           select id, 0.05 + random() * 0.35 as rate from users
         ), awards as (
           select a.id as user_id, d::date as day, 1 + floor(random() * 3)::int as count
           from activity a
           cross join generate_series(current_date - 364, current_date, interval '1 day') d
           where random() < a.rate
         )
         insert into points_ledger (user_id, rule, amount, source_kind, source_id, day, created_at)
         select user_id,
                (array['completed-set', 'logged-meal', 'gym-visit'])[k],
                (array[8, 5, 20])[k] + floor(random() * 5)::int,
                (array['workout-log', 'meal-log', 'gym-session'])[k],
                gen_random_uuid(), day, day + interval '18 hours'
         from awards, generate_series(1, count) k`,
        );
        await step(
          'reversals (~2%)',
          `insert into points_ledger
           (user_id, rule, amount, source_kind, source_id, day, reverses_id, created_at)
         select user_id, rule, -(1 + floor(random() * amount))::int, source_kind, source_id, day, id,
                created_at + interval '1 hour'
         from points_ledger where random() < 0.02`,
        );
        await step(
          'lifetime totals',
          `update users u set total_points = s.sum
         from (select user_id, sum(amount)::int as sum from points_ledger group by 1) s
         where s.user_id = u.id`,
        );
        await step(
          'week and month sums (as the migration backfills them)',
          `insert into member_period_points (user_id, period, starts_on, points)
         select user_id, 'week', date_trunc('week', day)::date, sum(amount)::int
         from points_ledger group by 1, 3
         union all
         select user_id, 'month', date_trunc('month', day)::date, sum(amount)::int
         from points_ledger group by 1, 3`,
        );
        await step(
          'branch leaderboard rows (as the migration backfills them)',
          `insert into branch_period_points
           (branch_id, period, starts_on, user_id, points, sort_name, eligible)
         select bm.branch_id, 'all', '0001-01-01', bm.user_id, u.total_points, lower(u.username),
                u.is_active and not exists (
                  select 1 from social_settings s
                  where s.user_id = bm.user_id and (s.privacy = 'private' or not s.show_on_leaderboards))
         from branch_members bm join users u on u.id = bm.user_id`,
        );
        await step(
          'branch week and month rows',
          `insert into branch_period_points
           (branch_id, period, starts_on, user_id, points, sort_name, eligible)
         select a.branch_id, p.period, p.starts_on, a.user_id, p.points, a.sort_name, a.eligible
         from branch_period_points a join member_period_points p on p.user_id = a.user_id
         where a.period = 'all'`,
        );
      },
    );
    await step('vacuum analyze', 'vacuum analyze');
    const branch = await client.query<{ id: string }>('select id from branches where name = $1', [
      BRANCH_NAME,
    ]);
    const branchId = branch.rows[0]?.id;
    if (!branchId) throw new Error('no branch');
    // A visible member in the middle of the lifetime ranking, not blocked by anyone.
    const viewer = await client.query<{ id: string; username: string }>(
      `select u.id, u.username from branch_members bm join users u on u.id = bm.user_id
       left join social_settings s on s.user_id = u.id
       where bm.branch_id = $1 and s.user_id is null
         and not exists (select 1 from user_blocks b where u.id in (b.blocker_id, b.blocked_id))
       order by u.total_points desc offset $2 limit 1`,
      [branchId, Math.floor(settings.members / 2)],
    );
    const viewerRow = viewer.rows[0];
    if (!viewerRow) throw new Error('no viewer');
    const counts: Record<string, number> = {};
    for (const table of [
      'users',
      'branch_members',
      'social_settings',
      'user_blocks',
      'points_ledger',
      'member_period_points',
      'branch_period_points',
    ]) {
      const result = await client.query<{ count: string }>(`select count(*) from ${table}`);
      counts[table] = Number(result.rows[0]?.count ?? 0);
    }
    const seeded: SeedInfo = {
      parameters,
      seededAt: new Date().toISOString(),
      seedSeconds: round((performance.now() - started) / 1000),
      branchId,
      viewer: viewerRow,
      counts,
    };
    await client.query('create table bench_leaderboard_seed (info jsonb not null)');
    await client.query('insert into bench_leaderboard_seed (info) values ($1)', [seeded]);
    return seeded;
  });
  return { info, reused: false };
}

// ---------------------------------------------------------------------------------------------
// Plans and the exactness check
// ---------------------------------------------------------------------------------------------

const today = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: TIMEZONE, dateStyle: 'short' }).format(new Date());

function selectionFor(info: SeedInfo, period: Period) {
  return {
    branchId: info.branchId,
    period:
      period === 'all'
        ? { kind: period, startsOn: LIFETIME_STARTS_ON }
        : { kind: period, startsOn: periodStart(period, today()) },
    viewerId: info.viewer.id,
    limit: 50,
  };
}

interface PlanSummary {
  period: Period;
  executionMs: number;
  sharedBuffers: number;
  seqScans: string[];
}

async function explainPlans(url: string, info: SeedInfo, header: string[]): Promise<PlanSummary[]> {
  const database = await openDatabase({ url, poolSize: 1 });
  const lines = [...header, ''];
  const summaries: PlanSummary[] = [];
  try {
    for (const period of PERIODS) {
      const statement = rankingStatement(selectionFor(info, period));
      const explain = sql`explain (analyze, buffers) ${statement}`;
      // The first run reads pages in; the second is what a warm server pays.
      await rowsOf(database.db, explain);
      const rows = await rowsOf<{ 'QUERY PLAN': string }>(database.db, explain);
      const plan = rows.map((row) => row['QUERY PLAN']);
      lines.push(`---- period=${period} ----`, ...plan, '');
      const execution = plan.find((line) => line.startsWith('Execution Time'));
      const buffers = plan.find((line) => line.trim().startsWith('Buffers:'));
      summaries.push({
        period,
        executionMs: Number(/([\d.]+) ms/.exec(execution ?? '')?.[1] ?? Number.NaN),
        sharedBuffers: [...(buffers ?? '').matchAll(/(?:hit|read)=(\d+)/g)].reduce(
          (sum, match) => sum + Number(match[1]),
          0,
        ),
        seqScans: plan.filter((line) => line.includes('Seq Scan')).map((line) => line.trim()),
      });
    }
  } finally {
    await database.close();
  }
  writeFileSync(path.join(RESULTS_DIR, 'leaderboard-explain.txt'), `${lines.join('\n')}\n`);
  return summaries;
}

/**
 * The API's top 50 and the caller's entry against the same ranking computed plainly from the
 * ledger rows (sum of amounts whose day lies in the period), for each period.
 */
async function checkAgainstLedger(
  url: string,
  info: SeedInfo,
  answers: Record<Period, Record<string, unknown>>,
): Promise<Record<Period, boolean>> {
  return withClient(url, async (client) => {
    const verdict = {} as Record<Period, boolean>;
    for (const period of PERIODS) {
      const from = period === 'all' ? '0001-01-01' : periodStart(period, today());
      const before = period === 'all' ? '9999-12-31' : periodEnd(period, from);
      const result = await client.query<{ user_id: string; points: number; rank: number }>(
        `with eligible as (
           select u.id, u.username from branch_members bm join users u on u.id = bm.user_id
           left join social_settings s on s.user_id = u.id
           where bm.branch_id = $1 and u.is_active
             and (s.user_id is null or (s.privacy <> 'private' and s.show_on_leaderboards))
         ), sums as (
           select e.id, e.username, coalesce(sum(l.amount), 0)::int as points
           from eligible e left join points_ledger l
             on l.user_id = e.id and l.day >= $2::date and l.day < $3::date
           group by e.id, e.username
         )
         select id as user_id, points, (rank() over (order by points desc))::int as rank
         from sums order by points desc, lower(username) collate "C", id`,
        [info.branchId, from, before],
      );
      const blocked = await client.query<{ id: string }>(
        `select blocked_id as id from user_blocks where blocker_id = $1
         union select blocker_id from user_blocks where blocked_id = $1`,
        [info.viewer.id],
      );
      const hidden = new Set(blocked.rows.map((row) => row.id));
      const expectedTop = result.rows
        .filter((row) => !hidden.has(row.user_id))
        .slice(0, 50)
        .map((row) => [row.user_id, row.points, row.rank]);
      const mine = result.rows.find((row) => row.user_id === info.viewer.id);
      const answer = answers[period];
      const entries = Array.isArray(answer.entries)
        ? (answer.entries as Record<string, unknown>[])
        : [];
      const me = answer.me as Record<string, unknown> | null;
      verdict[period] =
        isDeepStrictEqual(
          entries.map((entry) => [entry.userId, entry.points, entry.rank]),
          expectedTop,
        ) &&
        me?.points === mine?.points &&
        me?.rank === mine?.rank &&
        answer.rankedMembers === result.rows.length;
    }
    return verdict;
  });
}

// ---------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------

interface LoadResult extends LoadStats {
  target: string;
  connections: number;
  ratioToBaseline: number | null;
}

async function measure(
  target: string,
  request: LoadRequest,
  settings: Settings,
  baseline: Map<number, number>,
): Promise<LoadResult[]> {
  log(`${target}: warm-up ${String(settings.warmupSeconds)} s`);
  await runLoad(request, {
    connections: Math.max(...settings.connections),
    durationSeconds: settings.warmupSeconds,
    timeoutSeconds: REQUEST_TIMEOUT_SECONDS,
  });
  const results: LoadResult[] = [];
  for (const connections of settings.connections) {
    log(`${target}: ${String(connections)} connections, ${String(settings.durationSeconds)} s`);
    const { result, latencies } = await runLoad(request, {
      connections,
      durationSeconds: settings.durationSeconds,
      timeoutSeconds: REQUEST_TIMEOUT_SECONDS,
    });
    const stats = loadStats(result, latencies);
    const base = baseline.get(connections);
    results.push({
      target,
      connections,
      ...stats,
      ratioToBaseline: base ? round(stats.requestsPerSecond / base, 4) : null,
    });
    if (target === 'baseline') baseline.set(connections, stats.requestsPerSecond);
  }
  return results;
}

async function main(): Promise<void> {
  const settings = readSettings();
  if (!/^postgres(ql)?:\/\//.test(settings.databaseUrl)) {
    throw new Error('BENCH_DATABASE_URL must be a postgres:// URL (PGlite cannot hold this seed)');
  }
  const startedAt = new Date();
  const runPrefix = `bench:leaderboard:${String(process.pid)}:`;
  let api: BenchServer | undefined;
  try {
    const seed = await ensureSeed(settings);
    const { info } = seed;
    log(`seed ${seed.reused ? 'reused' : `written in ${String(info.seedSeconds)} s`}`);
    const environment = describeEnvironment();
    const plans = await explainPlans(settings.databaseUrl, info, [
      `Leaderboard query plans, ${startedAt.toISOString()}, commit ${environment.commit ?? 'unknown'}`,
      `Seed: ${JSON.stringify(info.counts)}; branch of ${String(info.parameters.members)} members; ` +
        'the caller ranks mid-table. Each statement ran twice; the second run is shown.',
    ]);

    await buildApi(settings);
    const [baselinePort, apiPort] = await twoFreePorts();
    const baseline = startBaselineServer('baseline server', 'baseline-server.ts', baselinePort);
    // Blank: the configured default level (info), every request logged as in production.
    api = startApiServer(settings, apiPort, runPrefix, { environment: { LOG_LEVEL: '' } });
    await waitUntilReady([baseline, api]);

    const session = await call(
      `${api.base}/api/auth/login`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: info.viewer.username, password: PASSWORD }),
      },
      200,
    );
    if (typeof session.accessToken !== 'string') throw new Error('login: no accessToken');
    const headers = { authorization: `Bearer ${session.accessToken}` };
    const url = (period: Period) =>
      `${api?.base ?? ''}/api/social/leaderboard?branchId=${info.branchId}&period=${period}`;

    const answers = {} as Record<Period, Record<string, unknown>>;
    const firstMs = {} as Record<Period, number>;
    for (const period of PERIODS) {
      const at = performance.now();
      answers[period] = await call(url(period), { method: 'GET', headers }, 200);
      firstMs[period] = round(performance.now() - at);
    }
    const exact = await checkAgainstLedger(settings.databaseUrl, info, answers);

    const baselineRps = new Map<number, number>();
    const results: LoadResult[] = [];
    results.push(
      ...(await measure(
        'baseline',
        { url: `${baseline.base}/`, method: 'GET' },
        settings,
        baselineRps,
      )),
    );
    for (const period of PERIODS) {
      results.push(
        ...(await measure(
          `leaderboard ${period}`,
          { url: url(period), method: 'GET', headers },
          settings,
          baselineRps,
        )),
      );
    }
    const apiReport = await stopServers(api);

    const file = writeResults('leaderboard', startedAt, environment, {
      settings: {
        quick: settings.quick,
        durationSeconds: settings.durationSeconds,
        warmupSeconds: settings.warmupSeconds,
        connections: settings.connections,
        requestTimeoutSeconds: REQUEST_TIMEOUT_SECONDS,
        database: databaseName(settings.databaseUrl),
        logLevel: 'info (default)',
      },
      seed: { reused: seed.reused, ...info },
      exactAgainstLedger: exact,
      firstRequestMs: firstMs,
      plans,
      results,
      apiServer: apiReport,
    });

    const historyFile = settings.quick
      ? undefined
      : appendHistory(
          'leaderboard',
          startedAt,
          environment,
          // The goal: the answer equals the ledger for every period.
          PERIODS.every((period) => exact[period]),
          [
            ...results.map((r) => ({
              target: r.target,
              connections: r.connections,
              requestsPerSecond: r.requestsPerSecond,
              p50Ms: r.latencyMs.p50,
              p95Ms: r.latencyMs.p95,
              p99Ms: r.latencyMs.p99,
              non2xx: r.non2xx,
              errors: r.errors + r.timeouts,
              ratioToBaseline: r.ratioToBaseline,
            })),
            ...plans.map((plan) => ({
              target: `plan ${plan.period}`,
              executionMs: plan.executionMs,
              sharedBuffers: plan.sharedBuffers,
              seqScans: plan.seqScans.length,
            })),
            { target: 'seed', ...info.counts, seedSeconds: info.seedSeconds },
            { target: 'exact against the ledger', ...exact },
          ],
        );

    out('');
    out(
      `Leaderboard benchmark${settings.quick ? ' (QUICK MODE)' : ''}: Node ${environment.node}, ` +
        `${String(environment.cpus)} CPU (${environment.cpuModel})`,
    );
    out(
      `Seed: ${JSON.stringify(info.counts)} (${seed.reused ? 'reused' : `${String(info.seedSeconds)} s`})`,
    );
    out(
      `Exact against the ledger: ${PERIODS.map((p) => `${p} ${exact[p] ? 'yes' : 'NO'}`).join(', ')}`,
    );
    out(
      `First request after start: ${PERIODS.map((p) => `${p} ${String(firstMs[p])} ms`).join(', ')}`,
    );
    out(
      formatTable(
        ['period', 'execution ms', 'buffers', 'seq scans'],
        plans.map((plan) => [
          plan.period,
          String(plan.executionMs),
          String(plan.sharedBuffers),
          plan.seqScans.join('; ') || '-',
        ]),
      ),
    );
    out('');
    out(
      formatTable(
        [
          'target',
          'conns',
          'req/s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'non-2xx',
          'errors',
          'vs baseline',
        ],
        results.map((r) => [
          r.target,
          String(r.connections),
          String(r.requestsPerSecond),
          String(r.latencyMs.p50),
          String(r.latencyMs.p95),
          String(r.latencyMs.p99),
          String(r.non2xx),
          String(r.errors + r.timeouts),
          r.ratioToBaseline === null ? '-' : `${String(round(r.ratioToBaseline * 100, 2))}%`,
        ]),
      ),
    );
    out('');
    out(`Results: ${file}; plans: bench/results/leaderboard-explain.txt`);
    if (historyFile) out(`History: ${historyFile}`);
  } finally {
    stopActiveLoad();
    await cleanUpRun(api, settings.redisUrl, runPrefix);
  }
}

runBenchmark(main, { stopping: 'load and children', onSignal: stopActiveLoad });
