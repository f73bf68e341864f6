/**
 * The data the analytics benchmark measures: about a million rows in real PostgreSQL, written
 * server-side with `INSERT … SELECT generate_series(…)` in a few big statements.
 *
 * - One heavy member (`bench_heavy`) with three years of daily training: enough exercise
 *   entries a day (`workout_logs`) with 3–4 sets each (`workout_sets`) to reach the issue's
 *   ≈ 300,000 set rows, weights that rise over the years, e1RM by Epley (weight × (1 + reps/30)),
 *   PR flags on the entries that beat every earlier one of their exercise, three meals a day
 *   (`meal_logs`), a weekly body-composition entry, and a few deletion tombstones.
 * - A few thousand members (`bench_member_00001`, …) with short, varied histories of the same
 *   kinds, making up the rest of the million rows.
 *
 * Exercises are strength exercises of the built-in library (`exercises` table) that take a
 * load. Everyone has the heavy member's password; only the bench database holds these rows.
 *
 * A marker row (`bench_seed`) records the parameters the data was written with; a later run
 * with the same parameters reuses the data instead of seeding again. Derived data (analytics
 * rollups, points) comes from the application's own rebuild, see `rebuildDerived`.
 */
import { isDeepStrictEqual } from 'node:util';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import type { Config } from '../src/config/config.js';
import { createContainer, type Container } from '../src/container.js';
import { createLogger } from '../src/lib/logger.js';
import { PasswordHasher } from '../src/modules/auth/index.js';
import { emptyProfile } from '../src/modules/users/index.js';
import { log, recreateDatabase } from './api-under-test.js';
import { round } from './report.js';

/** Bump when the shape of the seeded data changes, so older seeds are written again. */
const SEED_VERSION = 1;

/** The member whose history the benchmark reads; the password is the same for all members. */
export const HEAVY_MEMBER = {
  username: 'bench_heavy',
  password: 'bench-heavy-lifter-3y',
} as const;

const AVERAGE_SETS_PER_LOG = 3.5;
const LIGHT_EXERCISES_PER_DAY = 4;
/** A light member's training day: 4 entries, ~14 sets, 3 meals; a body entry per 10 days. */
const ROWS_PER_LIGHT_DAY = LIGHT_EXERCISES_PER_DAY * (1 + AVERAGE_SETS_PER_LOG) + 3 + 0.1;
/** Share of entries the members deleted, kept as tombstones for `?updatedSince=` syncs. */
const DELETED_SHARE = 0.005;

/** What the seed is made of; the same parameters mean the same data. */
export interface SeedParameters {
  version: number;
  /** Days of the heavy member's history, ending yesterday (UTC) at seeding time. */
  heavyDays: number;
  /** Set rows to give the heavy member (the issue's ≈ 300,000). */
  heavySets: number;
  /** Members besides the heavy one. */
  members: number;
  /** Rows in users, workout logs and sets, meal logs and body composition together. */
  totalRows: number;
}

/**
 * BENCH_SEED_SCALE (default 1) scales the set rows, the members and the total together, so a
 * small seed for trying the harness keeps the same shape; BENCH_HEAVY_DAYS (default 1100).
 */
export function seedParametersFromEnv(
  number: (name: string, fallback: number) => number,
): SeedParameters {
  const scale = number('BENCH_SEED_SCALE', 1);
  return {
    version: SEED_VERSION,
    heavyDays: Math.round(number('BENCH_HEAVY_DAYS', 1100)),
    heavySets: Math.max(1, Math.round(300_000 * scale)),
    members: Math.max(1, Math.round(3_000 * scale)),
    totalRows: Math.max(1, Math.round(1_000_000 * scale)),
  };
}

/** The tables the seed writes, in the order reports list them. */
export const SEEDED_TABLES = [
  'users',
  'workout_logs',
  'workout_sets',
  'meal_logs',
  'body_composition_entries',
  'deleted_records',
] as const;

/** Whether these are the default parameters (the seed the committed plans describe). */
export function isDefaultSeed(parameters: SeedParameters): boolean {
  return isDeepStrictEqual(
    parameters,
    seedParametersFromEnv((_name, fallback) => fallback),
  );
}

/** What was seeded, as the marker row keeps it. */
export interface SeedInfo {
  parameters: SeedParameters;
  seededAt: string;
  seedSeconds: number;
  /** The heavy member's first and last day of history (UTC dates). */
  firstDay: string;
  lastDay: string;
  heavyUserId: string;
  /** A member whose history is the size of the average light member's. */
  lightUserId: string;
  /** The heavy member's most-logged exercise, whose progress is the heaviest to compute. */
  heavyExercise: { id: string; name: string; logs: number };
  /** Exercise entries per day of the heavy member. */
  heavyLogsPerDay: number;
  /** Rows per table, and the heavy and light member's share of each. */
  counts: Record<string, { total: number; heavy: number; light: number }>;
  totalRows: number;
  /** When derived data was last rebuilt from these rows, null while it never was. */
  derivedRebuiltAt: string | null;
}

/** Refuses anything but a reachable PostgreSQL server, with the reason. */
export async function assertRealPostgres(databaseUrl: string): Promise<string> {
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error(
      `BENCH_DATABASE_URL must be a postgres:// URL of a real PostgreSQL server (got "${databaseUrl}"). ` +
        'This benchmark seeds a million rows and measures query plans and server-side cost; the ' +
        'embedded PGlite mode cannot stand in for that, so it refuses to run on it.',
    );
  }
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    const result = await client.query<{ version: string }>('SELECT version()');
    const version = result.rows[0]?.version ?? '';
    if (!version.startsWith('PostgreSQL')) {
      throw new Error(`${url.host} is not a PostgreSQL server (it says "${version}")`);
    }
    return version.split(',')[0] ?? version;
  } catch (error) {
    throw new Error(
      `this benchmark needs a running PostgreSQL at ${url.host} (PGlite cannot hold it): ` +
        (error instanceof Error ? error.message : String(error)),
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Opens the application's own container (as the server does), works, and closes it. */
async function withContainer<T>(config: Config, work: (container: Container) => Promise<T>) {
  // Its log lines go to stderr with the bench's progress: stdout carries only the report.
  const logger = createLogger('warn', { write: (line: string) => process.stderr.write(line) });
  const container = await createContainer(config, { logger });
  try {
    return await work(container);
  } finally {
    await container.close();
  }
}

async function readMarker(client: pg.Client): Promise<SeedInfo | undefined> {
  const table = await client.query("SELECT to_regclass('bench_seed') IS NOT NULL AS present");
  if (table.rows[0]?.present !== true) return undefined;
  const marker = await client.query<{ info: SeedInfo }>('SELECT info FROM bench_seed');
  return marker.rows[0]?.info;
}

async function writeMarker(client: pg.Client, info: SeedInfo): Promise<void> {
  await client.query(
    `CREATE TABLE IF NOT EXISTS bench_seed (
       id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
       info jsonb NOT NULL)`,
  );
  await client.query(
    `INSERT INTO bench_seed (id, info) VALUES (1, $1)
     ON CONFLICT (id) DO UPDATE SET info = excluded.info`,
    [JSON.stringify(info)],
  );
}

async function withClient<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The seed, and whether this run wrote it or found it. */
export interface Seed {
  info: SeedInfo;
  reused: boolean;
}

/**
 * Answers the seed described by `parameters`: the one already in the database when its marker
 * matches (and `force` is off), else a new one written into the recreated database.
 */
export async function ensureSeed(
  databaseUrl: string,
  config: Config,
  parameters: SeedParameters,
  force: boolean,
): Promise<Seed> {
  const existing = await withClient(databaseUrl, readMarker).catch(() => undefined);
  if (existing && !force && isDeepStrictEqual(existing.parameters, parameters)) {
    log(`reusing the seed of ${existing.seededAt} (${existing.totalRows} rows)`);
    return { info: existing, reused: true };
  }
  log(
    existing
      ? force
        ? 'BENCH_RESEED=1: seeding again'
        : 'the seed in the database was written with other parameters: seeding again'
      : 'no seed in the database yet: seeding',
  );
  await recreateDatabase(databaseUrl);
  const started = Date.now();
  // The schema and the built-in library exactly as the server's startup writes them.
  const passwordHash = await withContainer(config, async (container) => {
    await container.database.migrate();
    await container.workouts.installBuiltInLibrary();
    await container.nutrition.installBuiltInFoods();
    return new PasswordHasher(config.bcryptCost).hash(HEAVY_MEMBER.password);
  });
  const info = await withClient(databaseUrl, async (client) => {
    const seeded = await writeRows(client, parameters, passwordHash);
    const seedSeconds = round((Date.now() - started) / 1000);
    const complete: SeedInfo = {
      ...seeded,
      parameters,
      seededAt: new Date(started).toISOString(),
      seedSeconds,
      derivedRebuiltAt: null,
    };
    await writeMarker(client, complete);
    return complete;
  });
  log(`seeded ${info.totalRows} rows in ${info.seedSeconds}s`);
  return { info, reused: false };
}

/** Drops the marker, so the next run seeds again (after the benchmark left the data changed). */
export async function forgetSeed(databaseUrl: string): Promise<void> {
  await withClient(databaseUrl, (client) => client.query('DELETE FROM bench_seed'));
}

/** Records that derived data now matches the raw rows. */
export async function markDerivedRebuilt(databaseUrl: string, info: SeedInfo): Promise<SeedInfo> {
  const updated = { ...info, derivedRebuiltAt: new Date().toISOString() };
  await withClient(databaseUrl, (client) => writeMarker(client, updated));
  return updated;
}

/** Runs one timed step of the seed, logging how long it took. */
async function step(client: pg.Client, what: string, sql: string, values: unknown[] = []) {
  const started = Date.now();
  const result = await client.query(sql, values);
  log(`  ${what}: ${result.rowCount ?? 0} rows in ${round((Date.now() - started) / 1000)}s`);
  return result;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** ISO-8601 UTC text of a timestamptz column, as the API writes it into JSON. */
const isoText = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

type SeededRows = Omit<SeedInfo, 'parameters' | 'seededAt' | 'seedSeconds' | 'derivedRebuiltAt'>;

/** Writes every row of the seed; the statements run one after another on one connection. */
async function writeRows(
  client: pg.Client,
  parameters: SeedParameters,
  passwordHash: string,
): Promise<SeededRows> {
  const { heavyDays, heavySets, members, totalRows } = parameters;
  const lastDayDate = new Date(Date.now() - 24 * 3600 * 1000);
  const firstDayDate = new Date(lastDayDate.getTime() - (heavyDays - 1) * 24 * 3600 * 1000);
  const firstDay = isoDay(firstDayDate);
  const lastDay = isoDay(lastDayDate);
  const heavyLogsPerDay = Math.max(1, Math.round(heavySets / heavyDays / AVERAGE_SETS_PER_LOG));
  // The day's entries spread from 06:00 UTC, never past 22:00, so each stays on its day.
  const heavyStepSeconds = Math.min(540, Math.floor((16 * 3600) / heavyLogsPerDay));
  const heavyRows =
    heavyDays * heavyLogsPerDay * (1 + AVERAGE_SETS_PER_LOG) + heavyDays * 3 + heavyDays / 7 + 1;
  const averageLightDays = Math.max(
    1,
    (totalRows - heavyRows - members) / members / ROWS_PER_LIGHT_DAY,
  );
  // Light histories fall in the last half year (longer when they are long).
  const lightWindowDays = Math.min(heavyDays, Math.max(180, Math.ceil(4 * averageLightDays)));
  log(
    `seeding: heavy member ${heavyDays} days × ${heavyLogsPerDay} entries, ${members} members ` +
      `× ~${round(averageLightDays)} training days`,
  );

  // Bulk load: a lost commit only means seeding again. The fixed seed makes reruns alike.
  await client.query('SET synchronous_commit = off');
  await client.query("SET maintenance_work_mem = '256MB'");
  await client.query('SELECT setseed(0.2026)');

  // Strength exercises that take a load, with a typical working weight for their equipment.
  await step(
    client,
    'exercise pool',
    `CREATE TEMP TABLE bench_pool AS
     SELECT (row_number() OVER (ORDER BY id) - 1)::int AS idx, id::text AS exercise_id, name,
            CASE WHEN 'barbell' = ANY(equipment) THEN 70
                 WHEN 'machine' = ANY(equipment) THEN 55
                 WHEN 'cable' = ANY(equipment) THEN 30
                 WHEN 'dumbbell' = ANY(equipment) THEN 20
                 ELSE 16 END::float8 AS base_kg
     FROM exercises
     WHERE source = 'builtin' AND type = 'strength'
       AND equipment && ARRAY['barbell', 'machine', 'cable', 'dumbbell', 'kettlebell']`,
  );
  await client.query('ANALYZE bench_pool');
  const pool = await client.query<{ size: number }>('SELECT count(*)::int AS size FROM bench_pool');
  const poolSize = pool.rows[0]?.size ?? 0;
  if (poolSize === 0) {
    throw new Error('no loaded strength exercises in the exercises table: built-ins missing?');
  }

  const heavyProfile = {
    ...emptyProfile('Heavy Lifter'),
    demographics: {
      age: 34,
      heightCm: 180,
      weightKg: 80,
      gender: 'male' as const,
      activityLevel: 'very_active' as const,
    },
    fitnessProfile: {
      level: 'advanced' as const,
      goal: 'build_muscle' as const,
      healthConditions: [],
    },
  };
  const heavy = await client.query<{ id: string }>(
    `INSERT INTO users (username, email, password_hash, profile, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5::date::timestamptz, $5::date::timestamptz) RETURNING id`,
    [
      HEAVY_MEMBER.username,
      `${HEAVY_MEMBER.username}@example.com`,
      passwordHash,
      JSON.stringify(heavyProfile),
      firstDay,
    ],
  );
  const heavyUserId = heavy.rows[0]!.id;
  await step(
    client,
    'members',
    `INSERT INTO users (username, email, password_hash, profile, created_at, updated_at)
     SELECT format('bench_member_%s', lpad(g::text, 5, '0')),
            format('bench_member_%s@example.com', lpad(g::text, 5, '0')),
            $1, jsonb_set($2::jsonb, '{name}', to_jsonb('Bench Member ' || g)),
            $3::date::timestamptz, $3::date::timestamptz
     FROM generate_series(1, $4::int) AS g`,
    [passwordHash, JSON.stringify(emptyProfile('Bench Member')), firstDay, members],
  );
  // Each light member's training days: 1 to 2×average−1 of them, at random in the window.
  await step(
    client,
    'member training days',
    `CREATE TEMP TABLE bench_member_days AS
     SELECT DISTINCT u.id AS user_id, u.ord,
            ($1::date - floor(random() * $2::int)::int) AS day
     FROM (SELECT id, row_number() OVER (ORDER BY username)::int AS ord,
                  1 + floor(random() * (2 * $3::float8 - 1))::int AS n_days
           FROM users WHERE username LIKE 'bench\\_member\\_%') AS u
     CROSS JOIN LATERAL generate_series(1, u.n_days) AS g`,
    [lastDay, lightWindowDays, averageLightDays],
  );
  await client.query('ANALYZE bench_member_days');

  await step(
    client,
    'heavy member workout logs',
    `INSERT INTO workout_logs (user_id, day, exercise_id, exercise_name, completed_at, source,
                               created_at, updated_at)
     SELECT $1::uuid, t.day, p.exercise_id, p.name, t.at, 'app', t.at, t.at
     FROM generate_series(0, $3::int - 1) AS d
     CROSS JOIN generate_series(0, $4::int - 1) AS k
     CROSS JOIN LATERAL (
       SELECT $2::date + d AS day,
              (($2::date + d) + time '06:00' + k * make_interval(secs => $5::int))
                AT TIME ZONE 'UTC' AS at) AS t
     JOIN bench_pool p ON p.idx = (d * 11 + k) % $6::int`,
    [heavyUserId, firstDay, heavyDays, heavyLogsPerDay, heavyStepSeconds, poolSize],
  );
  await step(
    client,
    'member workout logs',
    `INSERT INTO workout_logs (user_id, day, exercise_id, exercise_name, completed_at, source,
                               created_at, updated_at)
     SELECT md.user_id, md.day, p.exercise_id, p.name, t.at, 'app', t.at, t.at
     FROM bench_member_days md
     CROSS JOIN generate_series(0, $2::int - 1) AS k
     CROSS JOIN LATERAL (
       SELECT ((md.day + time '17:30') + k * interval '10 minutes') AT TIME ZONE 'UTC' AS at) AS t
     JOIN bench_pool p ON p.idx = (md.ord * 5 + (md.day - $1::date) * 3 + k * 17) % $3::int`,
    [firstDay, LIGHT_EXERCISES_PER_DAY, poolSize],
  );
  // 3 or 4 sets per entry; 5–12 reps, heavier for fewer reps; loads rise over the years.
  await step(
    client,
    'workout sets',
    `INSERT INTO workout_sets (log_id, user_id, day, set_number, reps, weight_kg,
                               estimated_one_rep_max_kg, recorded_at)
     SELECT l.id, l.user_id, l.day, s.n, s.reps, w.kg, w.kg * (1 + s.reps / 30.0),
            l.completed_at - (c.sets - s.n) * interval '150 seconds'
     FROM workout_logs l
     JOIN bench_pool p ON p.exercise_id = l.exercise_id
     CROSS JOIN LATERAL (
       SELECT 3 + (get_byte(uuid_send(l.id), 15) & 1) AS sets,
              (l.day - $1::date)::float8 / $2::int AS progress) AS c
     CROSS JOIN LATERAL (
       SELECT n, 5 + floor(random() * 8)::int AS reps FROM generate_series(1, c.sets) AS n) AS s
     CROSS JOIN LATERAL (
       SELECT greatest(2.5, round(p.base_kg * (0.75 + 0.35 * c.progress) * (1.1 - s.reps * 0.02)
                                  * (0.96 + random() * 0.08) / 2.5) * 2.5) AS kg) AS w`,
    [firstDay, heavyDays],
  );
  // An entry sets a record when it beats every earlier entry of its exercise (the first one
  // sets none: there is nothing to beat yet).
  await step(
    client,
    'personal-record flags',
    `WITH per_log AS (
       SELECT l.id, l.user_id, l.exercise_id, l.completed_at,
              max(s.estimated_one_rep_max_kg) AS e1rm, max(s.weight_kg) AS kg,
              sum(s.weight_kg * s.reps) AS volume
       FROM workout_logs l JOIN workout_sets s ON s.log_id = l.id
       GROUP BY l.id),
     ranked AS (
       SELECT id, e1rm > max(e1rm) OVER earlier AS e1rm_pr, kg > max(kg) OVER earlier AS kg_pr,
              volume > max(volume) OVER earlier AS volume_pr
       FROM per_log
       WINDOW earlier AS (PARTITION BY user_id, exercise_id ORDER BY completed_at, id
                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))
     UPDATE workout_logs l
     SET personal_records = array_remove(ARRAY[
           CASE WHEN r.e1rm_pr THEN 'e1rm' END, CASE WHEN r.kg_pr THEN 'weight' END,
           CASE WHEN r.volume_pr THEN 'volume' END], NULL)
     FROM ranked r
     WHERE r.id = l.id AND (r.e1rm_pr OR r.kg_pr OR r.volume_pr)`,
  );

  // Three meals on each day with training; calories follow the macros (4/4/9 kcal per gram).
  await step(
    client,
    'meal logs',
    `INSERT INTO meal_logs (user_id, day, meal_type, meal_description, consumed_at, calories,
                            protein, carbs, fat, source, created_at, updated_at)
     SELECT d.user_id, d.day, m.meal_type, m.descriptions[1 + floor(random() * 3)::int], c.at,
            round(4 * (m.protein + m.carbs) * c.f + 9 * m.fat * c.f),
            round((m.protein * c.f)::numeric, 1), round((m.carbs * c.f)::numeric, 1),
            round((m.fat * c.f)::numeric, 1), 'manual', c.at, c.at
     FROM (SELECT $1::uuid AS user_id, $2::date + g AS day FROM generate_series(0, $3::int - 1) g
           UNION ALL SELECT user_id, day FROM bench_member_days) AS d
     CROSS JOIN (VALUES
       ('breakfast', time '07:30', 35, 60, 14,
        ARRAY['Oats with whey and berries', 'Eggs on wholegrain toast', 'Greek yoghurt and granola']),
       ('lunch', time '12:45', 50, 80, 20,
        ARRAY['Chicken, rice and broccoli', 'Tuna wrap and salad', 'Lentil and quinoa bowl']),
       ('dinner', time '19:15', 45, 70, 28,
        ARRAY['Salmon, potatoes and greens', 'Beef chilli with rice', 'Tofu stir-fry with noodles'])
     ) AS m(meal_type, at_time, protein, carbs, fat, descriptions)
     CROSS JOIN LATERAL (
       SELECT ((d.day + m.at_time) AT TIME ZONE 'UTC') + random() * interval '40 minutes' AS at,
              0.8 + random() * 0.4 AS f) AS c`,
    [heavyUserId, firstDay, heavyDays],
  );

  // Weekly scans for the heavy member (slowly leaner and more muscular); members every tenth
  // training day. BMI for 1.80 m; BMR by Katch–McArdle from lean mass.
  await step(
    client,
    'body composition',
    `INSERT INTO body_composition_entries (user_id, measured_at, weight_kg, body_fat_percentage,
              body_fat_mass_kg, skeletal_muscle_mass_kg, lean_body_mass_kg,
              basal_metabolic_rate_kcal, bmi, source, created_at)
     SELECT e.user_id, e.at, e.kg, e.fat_pct, round((e.kg * e.fat_pct / 100)::numeric, 1),
            round((e.kg * (1 - e.fat_pct / 100) * 0.56)::numeric, 1),
            round((e.kg * (1 - e.fat_pct / 100))::numeric, 1),
            round(370 + 21.6 * e.kg * (1 - e.fat_pct / 100)), round((e.kg / 3.24)::numeric, 1),
            'inbody', e.at
     FROM (
       SELECT $1::uuid AS user_id, (($2::date + d) + time '07:00') AT TIME ZONE 'UTC' AS at,
              round((86 - 6.0 * d / $3::int + (random() - 0.5) * 1.2)::numeric, 1)::float8 AS kg,
              round((21 - 6.0 * d / $3::int + (random() - 0.5))::numeric, 1)::float8 AS fat_pct
       FROM generate_series(0, $3::int - 1, 7) AS d
       UNION ALL
       SELECT user_id, (day + time '08:00') AT TIME ZONE 'UTC',
              round((60 + (ord * 37) % 35 + (random() - 0.5))::numeric, 1)::float8,
              round((15 + (ord * 13) % 15 + (random() - 0.5))::numeric, 1)::float8
       FROM (SELECT user_id, ord, day,
                    row_number() OVER (PARTITION BY user_id ORDER BY day) AS nth
             FROM bench_member_days) AS md
       WHERE nth % 10 = 1) AS e`,
    [heavyUserId, firstDay, heavyDays],
  );
  // GET /me reads the newest entry from the user row, as the write path keeps it.
  await step(
    client,
    'latest body composition on users',
    `UPDATE users u
     SET body_composition = jsonb_build_object(
       'id', e.id, 'measuredAt', ${isoText('e.measured_at')}, 'weightKg', e.weight_kg,
       'bodyFatPercentage', e.body_fat_percentage, 'bodyFatMassKg', e.body_fat_mass_kg,
       'skeletalMuscleMassKg', e.skeletal_muscle_mass_kg, 'leanBodyMassKg', e.lean_body_mass_kg,
       'totalBodyWaterKg', e.total_body_water_kg, 'visceralFatLevel', e.visceral_fat_level,
       'basalMetabolicRateKcal', e.basal_metabolic_rate_kcal, 'bmi', e.bmi,
       'source', e.source, 'notes', e.notes, 'createdAt', ${isoText('e.created_at')})
     FROM (SELECT DISTINCT ON (user_id) * FROM body_composition_entries
           ORDER BY user_id, measured_at DESC, id DESC) AS e
     WHERE e.user_id = u.id`,
  );
  // Entries the members deleted again: only their tombstones remain.
  await step(
    client,
    'deletion tombstones',
    `INSERT INTO deleted_records (user_id, kind, record_id, deleted_at)
     SELECT user_id, kind, gen_random_uuid(), at + random() * interval '2 hours'
     FROM (SELECT user_id, 'workout-log' AS kind, completed_at AS at FROM workout_logs
           UNION ALL SELECT user_id, 'meal-log', consumed_at FROM meal_logs) AS source
     WHERE random() < $1::float8`,
    [DELETED_SHARE],
  );

  const tables = SEEDED_TABLES;
  for (const table of tables)
    await step(client, `vacuum analyze ${table}`, `VACUUM (ANALYZE) ${table}`);

  const light = await client.query<{ user_id: string }>(
    `WITH per_member AS (
       SELECT user_id, count(*) AS logs FROM workout_logs WHERE user_id <> $1 GROUP BY user_id)
     SELECT user_id FROM per_member
     ORDER BY abs(logs - (SELECT avg(logs) FROM per_member)), user_id LIMIT 1`,
    [heavyUserId],
  );
  const lightUserId = light.rows[0]?.user_id ?? heavyUserId;
  const exercise = await client.query<{ exercise_id: string; exercise_name: string; logs: number }>(
    `SELECT exercise_id, exercise_name, count(*)::int AS logs FROM workout_logs
     WHERE user_id = $1 GROUP BY exercise_id, exercise_name
     ORDER BY count(*) DESC, exercise_id LIMIT 1`,
    [heavyUserId],
  );
  const heaviest = exercise.rows[0];
  if (!heaviest) throw new Error('the heavy member has no workout logs after seeding');

  const counts: SeedInfo['counts'] = {};
  for (const table of tables) {
    const owner = table === 'users' ? 'id' : 'user_id';
    const result = await client.query<{ total: number; heavy: number; light: number }>(
      `SELECT count(*)::int AS total,
              (count(*) FILTER (WHERE ${owner} = $1))::int AS heavy,
              (count(*) FILTER (WHERE ${owner} = $2))::int AS light
       FROM ${table}`,
      [heavyUserId, lightUserId],
    );
    counts[table] = result.rows[0]!;
  }
  return {
    firstDay,
    lastDay,
    heavyUserId,
    lightUserId,
    heavyExercise: { id: heaviest.exercise_id, name: heaviest.exercise_name, logs: heaviest.logs },
    heavyLogsPerDay,
    counts,
    totalRows: Object.values(counts).reduce((sum, count) => sum + count.total, 0),
  };
}

/** What became of derived data (analytics rollups, points) for the seeded rows. */
export type DerivedRebuild = RebuildOutcome | { status: 'already-rebuilt'; at: string };

/** What one call of `rebuildDerived` did. */
export type RebuildOutcome =
  | { status: 'rebuilt'; members: number; seconds: number }
  | { status: 'not-available'; detail: string };

type RebuildMember = (userId: string) => Promise<unknown>;

/**
 * The analytics service's `rebuildMember(userId)` on the container, if this code has one.
 * Looked up by name because the analytics module is being written beside this benchmark; once
 * it is merged this becomes `container.analytics.rebuildMember`.
 */
function findRebuildMember(container: Container): RebuildMember {
  const { service } = container.analytics;
  return async (userId) => {
    await service.rebuildMember(userId);
  };
}

/** The tables a rebuild writes. */
const DERIVED_TABLES = [
  'exercise_day_rollups',
  'nutrition_day_rollups',
  'analytics_member_changes',
];

/** Members rebuilt at once: the pool has 10 connections; a rebuild may hold one or two. */
const REBUILD_CONCURRENCY = 4;

/**
 * Rebuilds the analytics rollups of `memberIds` from their raw rows with the application's own
 * code (`AnalyticsService.rebuildMember`), after seeding wrote the rows behind its back. Pending
 * migrations are applied first, so derived tables added since the seed exist. Points are not
 * rebuilt: seeded history earns none, as an import would not.
 */
export async function rebuildDerived(
  config: Config,
  memberIds: readonly string[],
): Promise<RebuildOutcome> {
  return withContainer(config, async (container) => {
    await container.database.migrate();
    const rebuildMember = findRebuildMember(container);
    const started = Date.now();
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < memberIds.length) {
        const userId = memberIds[next++]!;
        await rebuildMember(userId);
        done += 1;
        if (done % 500 === 0) log(`  rebuilt ${done}/${memberIds.length} members`);
      }
    };
    await Promise.all(Array.from({ length: REBUILD_CONCURRENCY }, worker));
    // Statistics and visibility as autovacuum would leave them in a while: the rebuild rewrote
    // whole tables, and plans read on stale estimates are not what a member would get.
    for (const table of DERIVED_TABLES) {
      await container.database.db.execute(sql.raw(`VACUUM (ANALYZE) ${table}`));
    }
    return { status: 'rebuilt', members: done, seconds: round((Date.now() - started) / 1000) };
  });
}

/** Every seeded member's id, the heavy one first (its derived data matters most). */
export async function seededMemberIds(databaseUrl: string, info: SeedInfo): Promise<string[]> {
  return withClient(databaseUrl, async (client) => {
    const result = await client.query<{ id: string }>(
      `SELECT id FROM users WHERE username LIKE 'bench\\_member\\_%' ORDER BY username`,
    );
    return [info.heavyUserId, ...result.rows.map((row) => row.id)];
  });
}

/**
 * Removes what the benchmark's own POSTs added (entries and idempotency keys created since
 * `since`: seeded rows are older), so the next run measures the same history. Answers how many
 * entries went and whose they were, whose derived data then needs rebuilding.
 */
export async function removeBenchWrites(
  databaseUrl: string,
  since: Date,
): Promise<{ entries: number; memberIds: string[] }> {
  return withClient(databaseUrl, async (client) => {
    const logs = await client.query<{ user_id: string }>(
      'DELETE FROM workout_logs WHERE created_at >= $1 RETURNING user_id',
      [since],
    );
    await client.query('DELETE FROM idempotency_keys WHERE created_at >= $1', [since]);
    return {
      entries: logs.rowCount ?? 0,
      memberIds: [...new Set(logs.rows.map((row) => row.user_id))],
    };
  });
}
