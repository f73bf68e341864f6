/**
 * The reminder scheduler at scale: how long one tick takes to find, claim and send the due
 * reminders among 100,000 schedules, and the plan of its claim query.
 *
 *   npm run bench:reminders
 *   BENCH_SCHEDULES=20000 BENCH_DUE=500 npm run bench:reminders   # a smaller seed
 *
 * Needs real PostgreSQL (PGlite cannot stand in for server-side plans and cost) and Redis (the
 * notifier's Socket.IO adapter appends every notification to a Redis stream, as in production).
 * The database is dropped and recreated on every run.
 *
 * The seed (server-side `INSERT … SELECT generate_series`): BENCH_SCHEDULES schedules of
 * BENCH_SCHEDULES / 5 members in five zones (UTC, London, New York, Tokyo, Sydney), half
 * workout and half meal reminders, 5% disabled. BENCH_DUE of them fall due at the tick T
 * (Monday 4 January 2027 07:00 UTC, each at the wall time T is in its own zone); the rest are
 * spread uniformly over every minute of the following week, so a tick at T finds exactly
 * BENCH_DUE. A tenth of the members with a due workout reminder trained that day (one
 * workout log each), so the skip path runs as well.
 *
 * Each measured tick is `RemindersService.sendDue(T)` of the application's own container (its
 * notifier, its workout-logs port): claim with FOR UPDATE SKIP LOCKED in batches of 500, the
 * trained-today lookup, the notifications (socket emit after commit), the batched advance to
 * the next occurrence. Between ticks the due rows are put back to T. Also measured: an idle
 * tick (nothing due), and EXPLAIN (ANALYZE, BUFFERS) of the claim query.
 *
 * Settings (environment):
 *   BENCH_DATABASE_URL   default postgres://postgres@127.0.0.1:5432/nxg_bench_reminders (the name must contain "bench")
 *   BENCH_REDIS_URL      default redis://127.0.0.1:6379; keys get a per-run prefix, removed after
 *   BENCH_SCHEDULES      schedules seeded (default 100000)
 *   BENCH_DUE            schedules due at the tick (default 1500)
 *   BENCH_TICKS          measured ticks (default 7, after one unmeasured warm-up)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/config.js';
import { createContainer, type Container } from '../src/container.js';
import { rowsOf } from '../src/db/raw-rows.js';
import { createLogger } from '../src/lib/logger.js';
import { generateRsaKeyPair } from '../src/modules/auth/index.js';
import { DUE_BATCH_SIZE } from '../src/modules/notifications/reminders.service.js';
import { log, positiveInteger, recreateDatabase } from './api-under-test.js';
import { assertRealPostgres } from './analytics-seed.js';
import {
  RESULTS_DIR,
  appendHistory,
  describeEnvironment,
  formatTable,
  out,
  round,
  writeResults,
} from './report.js';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/nxg_bench_reminders';
const TICK = '2027-01-04T07:00:00Z';
const ZONES = ['UTC', 'Europe/London', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney'];
const SCHEDULES_PER_MEMBER = 5;

interface Settings {
  databaseUrl: string;
  redisUrl: string;
  schedules: number;
  due: number;
  ticks: number;
}

function readSettings(): Settings {
  const settings = {
    databaseUrl: process.env.BENCH_DATABASE_URL ?? DEFAULT_DATABASE_URL,
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    schedules: positiveInteger('BENCH_SCHEDULES', 100_000),
    due: positiveInteger('BENCH_DUE', 1_500),
    ticks: positiveInteger('BENCH_TICKS', 7),
  };
  if (settings.due > settings.schedules) throw new Error('BENCH_DUE exceeds BENCH_SCHEDULES');
  return settings;
}

/** Members, their schedules, and the workout logs of the members who trained on T's day. */
async function seed(container: Container, settings: Settings): Promise<void> {
  const { db } = container.database;
  const members = Math.ceil(settings.schedules / SCHEDULES_PER_MEMBER);
  const zones = `array[${ZONES.map((zone) => `'${zone}'`).join(', ')}]`;
  await db.execute(sql`
    insert into users (username, email, password_hash, role, profile)
    select 'bench_' || n, 'bench_' || n || '@bench.test', 'not-a-hash', 'member',
      jsonb_build_object('name', 'Bench ' || n, 'demographics', '{}'::jsonb,
        'fitnessProfile', '{}'::jsonb, 'dietPreferences', '{}'::jsonb,
        'timezone', (${sql.raw(zones)})[1 + n % 5])
    from generate_series(1, ${members}) as n`);
  // Schedule n belongs to member n % members; the first BENCH_DUE are due at T, each at the
  // wall time T shows in its zone; the others at T + 1 min + (0 … 10079) min, read back into
  // their zone's weekday and time the same way.
  await db.execute(sql`
    with numbered as (
      select n, u.id as user_id, u.profile->>'timezone' as zone,
        case when n <= ${settings.due} then ${TICK}::timestamptz
          else ${TICK}::timestamptz + make_interval(mins => 1 + ((n * 7919) % 10080)::int)
        end as fire_at
      from generate_series(1, ${settings.schedules}) as n
      join users u on u.username = 'bench_' || (1 + n % ${members})
    )
    insert into reminder_schedules
      (user_id, kind, days_mask, minute_of_day, meal_type, time_zone, enabled, next_fire_at)
    select user_id,
      case when n % 2 = 0 then 'workout' else 'meal' end,
      (1 << (extract(isodow from fire_at at time zone zone)::int - 1))::smallint,
      (extract(hour from fire_at at time zone zone) * 60
        + extract(minute from fire_at at time zone zone))::smallint,
      case when n % 2 = 1 and n % 3 = 0 then 'lunch' end,
      zone,
      n <= ${settings.due} or n % 20 <> 0,
      case when n <= ${settings.due} or n % 20 <> 0 then fire_at end
    from numbered`);
  await db.execute(sql`
    insert into workout_logs (user_id, day, exercise_id, exercise_name, completed_at, source)
    select distinct on (r.user_id) r.user_id,
      (${TICK}::timestamptz at time zone r.time_zone)::date, 'squat', 'Squat',
      ${TICK}::timestamptz - interval '1 minute', 'app'
    from reminder_schedules r
    where r.next_fire_at = ${TICK}::timestamptz and r.kind = 'workout'
      and (hashtext(r.user_id::text) % 10) = 0`);
  await db.execute(sql`analyze`);
}

/** Puts the due rows back to T, as if the tick had not run. */
async function rewind(container: Container, dueIds: string[]): Promise<void> {
  await container.database.db.execute(sql`
    update reminder_schedules set next_fire_at = ${TICK}::timestamptz, last_fired_at = null
    where id = any(${`{${dueIds.join(',')}}`}::uuid[])`);
}

/** Ends the EXPLAIN's transaction without keeping its row locks. */
class Rollback extends Error {}

/** The claim query's plan, as the scheduler runs it (it locks, so inside a rolled-back tx). */
async function explainClaim(container: Container): Promise<string[]> {
  let plan: string[] = [];
  await container.database.db
    .transaction(async (tx) => {
      const rows = await rowsOf<{ 'QUERY PLAN': string }>(
        tx,
        sql`explain (analyze, buffers)
          select * from reminder_schedules
          where next_fire_at <= ${TICK}::timestamptz
          order by next_fire_at limit ${DUE_BATCH_SIZE} for update skip locked`,
      );
      plan = rows.map((row) => row['QUERY PLAN']);
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return plan;
}

async function main(): Promise<void> {
  const settings = readSettings();
  const startedAt = new Date();
  const version = await assertRealPostgres(settings.databaseUrl);
  log(`recreating ${settings.databaseUrl} (${version})`);
  await recreateDatabase(settings.databaseUrl);
  const prefix = `bench:reminders:${randomBytes(4).toString('hex')}:`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nxg-bench-reminders-'));
  // Signing keys are required with DATABASE_URL; this run signs nothing, so throwaway ones do.
  const keys = generateRsaKeyPair();
  const config = loadConfig({
    JWT_PRIVATE_KEY: keys.privateKeyPem,
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: settings.databaseUrl,
    REDIS_URL: settings.redisUrl,
    REDIS_KEY_PREFIX: prefix,
    DATA_DIR: dataDir,
  });
  const container = await createContainer(config, { logger: createLogger('warn') });
  try {
    await container.database.migrate();
    log(`seeding ${settings.schedules} schedules (${settings.due} due at ${TICK})`);
    const seedStart = performance.now();
    await seed(container, settings);
    log(`seeded in ${round((performance.now() - seedStart) / 1000)} s`);
    const dueIds = (
      await rowsOf<{ id: string }>(
        container.database.db,
        sql`select id::text as id from reminder_schedules where next_fire_at <= ${TICK}::timestamptz`,
      )
    ).map((row) => row.id);

    const tickAt = new Date(TICK);
    const samples: number[] = [];
    let outcome = { sent: 0, skippedTrained: 0, missed: 0 };
    for (let run = 0; run <= settings.ticks; run++) {
      await rewind(container, dueIds);
      const start = performance.now();
      outcome = await container.reminders.sendDue(tickAt);
      const elapsed = performance.now() - start;
      if (run > 0) samples.push(elapsed);
      log(
        `tick ${run === 0 ? 'warm-up' : String(run)}: ${round(elapsed)} ms ${JSON.stringify(outcome)}`,
      );
    }
    const idleSamples: number[] = [];
    for (let run = 0; run < settings.ticks; run++) {
      const start = performance.now();
      await container.reminders.sendDue(new Date(tickAt.getTime() + 30_000));
      idleSamples.push(performance.now() - start);
    }
    await rewind(container, dueIds);
    const explained = await explainClaim(container);

    const sorted = [...samples].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
    const idleMedian =
      [...idleSamples].sort((a, b) => a - b)[Math.floor(idleSamples.length / 2)] ?? Number.NaN;
    const usesDueIndex = explained.some((line) => line.includes('reminder_schedules_due_idx'));
    const seqScan = explained.some((line) => line.includes('Seq Scan'));
    const result = {
      schedules: settings.schedules,
      due: dueIds.length,
      batches: Math.ceil(dueIds.length / DUE_BATCH_SIZE),
      outcome,
      tickMedianMs: round(median),
      tickMinMs: round(sorted[0] ?? Number.NaN),
      tickMaxMs: round(sorted[sorted.length - 1] ?? Number.NaN),
      perReminderMs: round(median / dueIds.length, 3),
      idleTickMedianMs: round(idleMedian),
      claimUsesDueIndex: usesDueIndex,
      claimSeqScan: seqScan,
    };

    out(`Reminder scheduler, ${settings.schedules} schedules, ${dueIds.length} due in one tick`);
    out(
      formatTable(
        ['measure', 'value'],
        [
          ['tick (find + claim + send), median', `${result.tickMedianMs} ms`],
          ['tick min / max', `${result.tickMinMs} / ${result.tickMaxMs} ms`],
          ['per due reminder', `${result.perReminderMs} ms`],
          ['idle tick (nothing due), median', `${result.idleTickMedianMs} ms`],
          [
            'sent / skipped (trained) / missed',
            `${outcome.sent} / ${outcome.skippedTrained} / ${outcome.missed}`,
          ],
          ['claim query uses reminder_schedules_due_idx', String(usesDueIndex)],
        ],
      ),
    );
    out('Claim query plan:');
    for (const line of explained) out(`  ${line}`);
    const environment = describeEnvironment();
    writeFileSync(
      path.join(RESULTS_DIR, 'reminders-explain.txt'),
      `-- ${startedAt.toISOString()}, ${settings.schedules} schedules, ${dueIds.length} due\n${explained.join('\n')}\n`,
    );
    writeResults('reminders', startedAt, environment, { settings, samplesMs: samples, result });
    const history = appendHistory('reminders', startedAt, environment, null, [
      { ...result, samplesMs: samples.map((value) => round(value)) },
    ]);
    out(`History: ${history}`);
  } finally {
    await container.close();
    rmSync(dataDir, { recursive: true, force: true });
    const redis = new Redis(settings.redisUrl);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
