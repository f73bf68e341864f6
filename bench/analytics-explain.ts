/**
 * "Cost flat as the table grows": the key read queries of tracking and analytics, run with
 * `EXPLAIN (ANALYZE, BUFFERS)` for the heavy member and for an average member of the seed. A
 * query whose plan reads an index range of the member's rows costs about the same for both;
 * one that scans a table costs what the whole table costs, and is flagged.
 *
 * The query texts follow the foundation tables and their indexes (drizzle/0008): log pages by
 * (user_id, completed_at, id), sync by (user_id, updated_at, id), a day's activity by
 * (user_id, day); the analytics reads are the analytics repository's statements on its rollups
 * (exercise-day, nutrition-day) and its version row (EXPLAINED_QUERIES).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ROOT } from './api-under-test.js';
import type { SeedInfo } from './analytics-seed.js';
import { RESULTS_DIR, formatTable, round } from './report.js';

/** Everything a query's parameters are taken from, for one member. */
interface Subject {
  label: 'heavy' | 'light';
  userId: string;
  exerciseId: string;
  /** The member's last day with an entry. */
  lastDay: string;
  /** Position after the 1,000th newest entry (page 50 of 20), or the oldest one. */
  deepCursor: { at: Date; id: string };
  /** The ids of the newest page of entries. */
  firstPageIds: string[];
}

interface ExplainedQuery {
  name: string;
  /** What the query serves, and what its cost should depend on. */
  what: string;
  sql: string;
  parameters: (subject: Subject) => unknown[];
}

const daysBefore = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) - days * 24 * 3600 * 1000).toISOString().slice(0, 10);

/**
 * Tables that do not grow with members or their history (the exercise library): reading one
 * whole costs the same for every member and every size of seed, so it is not flagged.
 */
const REFERENCE_TABLES = ['exercises'];

/** The statements explained, in report order. */
const EXPLAINED_QUERIES: ExplainedQuery[] = [
  {
    name: 'logs: first page',
    what: 'GET /api/workouts/logs, newest first (keyset on completed_at, id)',
    sql: `SELECT * FROM workout_logs WHERE user_id = $1
          ORDER BY completed_at DESC, id DESC LIMIT 21`,
    parameters: (s) => [s.userId],
  },
  {
    name: 'logs: page 50',
    what: 'the same list 1,000 entries deep, from its cursor',
    sql: `SELECT * FROM workout_logs WHERE user_id = $1 AND (completed_at, id) < ($2, $3)
          ORDER BY completed_at DESC, id DESC LIMIT 21`,
    parameters: (s) => [s.userId, s.deepCursor.at, s.deepCursor.id],
  },
  {
    name: 'logs: sets of a page',
    what: 'the sets of the 20 entries on a page',
    sql: `SELECT * FROM workout_sets WHERE log_id = ANY($1::uuid[]) ORDER BY log_id, set_number`,
    parameters: (s) => [s.firstPageIds],
  },
  {
    name: 'logs: from/to (30 days)',
    what: 'GET /api/workouts/logs?from=&to=, first page',
    sql: `SELECT * FROM workout_logs
          WHERE user_id = $1 AND completed_at >= $2::date AND completed_at < $3::date + 1
          ORDER BY completed_at DESC, id DESC LIMIT 21`,
    parameters: (s) => [s.userId, daysBefore(s.lastDay, 29), s.lastDay],
  },
  {
    name: 'sync: changed logs',
    what: 'GET /api/workouts/logs?updatedSince= (a day of changes), keyset on updated_at, id',
    sql: `SELECT * FROM workout_logs
          WHERE user_id = $1 AND (updated_at, id) > ($2::date, '00000000-0000-0000-0000-000000000000')
          ORDER BY updated_at, id LIMIT 101`,
    parameters: (s) => [s.userId, s.lastDay],
  },
  {
    name: 'sync: tombstones',
    what: 'deletions since the same point',
    sql: `SELECT kind, record_id, deleted_at FROM deleted_records
          WHERE user_id = $1 AND kind = 'workout-log' AND deleted_at > $2::date
          ORDER BY deleted_at LIMIT 101`,
    parameters: (s) => [s.userId, s.lastDay],
  },
  {
    name: 'day: workout logs',
    what: "a day's activity: its entries",
    sql: `SELECT * FROM workout_logs WHERE user_id = $1 AND day = $2 ORDER BY completed_at, id`,
    parameters: (s) => [s.userId, s.lastDay],
  },
  {
    name: 'day: sets',
    what: "a day's activity: its sets (totals)",
    sql: `SELECT * FROM workout_sets WHERE user_id = $1 AND day = $2`,
    parameters: (s) => [s.userId, s.lastDay],
  },
  {
    name: 'day: meals',
    what: "a day's meals and totals",
    sql: `SELECT * FROM meal_logs WHERE user_id = $1 AND day = $2 ORDER BY consumed_at`,
    parameters: (s) => [s.userId, s.lastDay],
  },
  {
    name: 'exercise: history page',
    what: 'entries of one exercise, newest first',
    sql: `SELECT * FROM workout_logs WHERE user_id = $1 AND exercise_id = $2
          ORDER BY completed_at DESC LIMIT 21`,
    parameters: (s) => [s.userId, s.exerciseId],
  },
  {
    name: 'progress: PR entries (1 year)',
    what: 'GET /analytics/workout/progress: entries of the exercise that set a record in the range',
    sql: `SELECT id, day, completed_at, personal_records FROM workout_logs
          WHERE user_id = $1 AND exercise_id = $2
            AND completed_at >= $3::date - 1 AND completed_at < $4::date + 2
            AND day BETWEEN $3 AND $4 AND cardinality(personal_records) > 0
          ORDER BY completed_at, id`,
    parameters: (s) => [s.userId, s.exerciseId, daysBefore(s.lastDay, 364), s.lastDay],
  },
  {
    name: 'progress: days (1 year)',
    what: 'the exercise-day rollups of the range: one row per day the exercise was done',
    sql: `SELECT * FROM exercise_day_rollups
          WHERE user_id = $1 AND exercise_id = $2 AND day BETWEEN $3 AND $4 ORDER BY day`,
    parameters: (s) => [s.userId, s.exerciseId, daysBefore(s.lastDay, 364), s.lastDay],
  },
  {
    name: 'progress: best e1RM day',
    what: "one of the four all-history bests: the exercise's rollups, not its sets",
    sql: `SELECT * FROM exercise_day_rollups
          WHERE user_id = $1 AND exercise_id = $2 AND best_e1rm_kg IS NOT NULL
          ORDER BY best_e1rm_kg DESC, day LIMIT 1`,
    parameters: (s) => [s.userId, s.exerciseId],
  },
  {
    name: 'summary: rollup version',
    what: "what a cached summary is checked against on every read (the member's last change)",
    sql: `SELECT changed_at, verified_at FROM analytics_member_changes WHERE user_id = $1`,
    parameters: (s) => [s.userId],
  },
  {
    name: 'summary: totals (30 days)',
    what: 'GET /analytics/workout/summary totals from exercise-day rollups',
    sql: `SELECT count(DISTINCT day)::int, coalesce(sum(logs), 0)::int, coalesce(sum(sets), 0)::int,
                 coalesce(sum(reps), 0)::int, coalesce(sum(volume_kg), 0)::float8,
                 coalesce(sum(duration_sec), 0)::int
          FROM exercise_day_rollups WHERE user_id = $1 AND day BETWEEN $2 AND $3`,
    parameters: (s) => [s.userId, daysBefore(s.lastDay, 29), s.lastDay],
  },
  {
    name: 'summary: totals (1 year)',
    what: 'the same over a year (computed once per change of the member, then cached)',
    sql: `SELECT count(DISTINCT day)::int, coalesce(sum(logs), 0)::int, coalesce(sum(sets), 0)::int,
                 coalesce(sum(reps), 0)::int, coalesce(sum(volume_kg), 0)::float8,
                 coalesce(sum(duration_sec), 0)::int
          FROM exercise_day_rollups WHERE user_id = $1 AND day BETWEEN $2 AND $3`,
    parameters: (s) => [s.userId, daysBefore(s.lastDay, 364), s.lastDay],
  },
  {
    name: 'summary: muscles (1 year)',
    what: 'weekly muscle volume: rollups summed per week and exercise, then the library',
    sql: `SELECT per_week.week_start::text, coalesce(muscle.name, 'other'),
                 sum(per_week.week_sets)::int, sum(per_week.week_volume_kg)::float8
          FROM (SELECT day - (extract(isodow FROM day)::int - 1) AS week_start,
                       exercise_id AS week_exercise_id, sum(sets) AS week_sets,
                       sum(volume_kg) AS week_volume_kg
                FROM exercise_day_rollups WHERE user_id = $1 AND day BETWEEN $2 AND $3
                GROUP BY 1, exercise_id) AS per_week
          LEFT JOIN exercises ON exercises.id::text = lower(per_week.week_exercise_id)
          LEFT JOIN LATERAL unnest(exercises.primary_muscles) AS muscle(name) ON true
          GROUP BY 1, 2`,
    parameters: (s) => [s.userId, daysBefore(s.lastDay, 364), s.lastDay],
  },
  {
    name: 'compliance: 30 days',
    what: 'GET /analytics/nutrition/compliance: nutrition-day rollups of the range',
    sql: `SELECT * FROM nutrition_day_rollups
          WHERE user_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day`,
    parameters: (s) => [s.userId, daysBefore(s.lastDay, 29), s.lastDay],
  },
  {
    name: 'body: 1 year of weight',
    what: 'body trends from body-composition entries',
    sql: `SELECT measured_at, weight_kg FROM body_composition_entries
          WHERE user_id = $1 AND measured_at >= $2::date AND measured_at < $3::date + 1
          ORDER BY measured_at`,
    parameters: (s) => [s.userId, daysBefore(s.lastDay, 364), s.lastDay],
  },
];

/** One query's plan for one member, with the numbers the summary compares. */
export interface ExplainMeasurement {
  query: string;
  member: 'heavy' | 'light';
  executionMs: number;
  /** Shared buffers the whole plan touched (hit + read): work, whatever was cached. */
  sharedBuffers: number;
  rows: number;
  /** Tables read by a sequential scan. */
  seqScans: string[];
}

/** Everything the explain step produced. */
export interface ExplainReport {
  file: string;
  measurements: ExplainMeasurement[];
  /** One line per sequential scan, for the printed report. */
  seqScanLines: string[];
}

async function subjectFor(
  client: pg.Client,
  label: Subject['label'],
  userId: string,
  exerciseId: string,
): Promise<Subject> {
  const last = await client.query<{ day: string }>(
    `SELECT max(day)::text AS day FROM workout_logs WHERE user_id = $1`,
    [userId],
  );
  const deep = await client.query<{ completed_at: Date; id: string }>(
    `SELECT completed_at, id FROM (
       SELECT completed_at, id, row_number() OVER (ORDER BY completed_at DESC, id DESC) AS nth
       FROM workout_logs WHERE user_id = $1) AS ranked
     WHERE nth <= 1000 ORDER BY nth DESC LIMIT 1`,
    [userId],
  );
  const firstPage = await client.query<{ id: string }>(
    `SELECT id FROM workout_logs WHERE user_id = $1 ORDER BY completed_at DESC, id DESC LIMIT 20`,
    [userId],
  );
  const lastDay = last.rows[0]?.day;
  const deepRow = deep.rows[0];
  if (!lastDay || !deepRow) throw new Error(`the ${label} member has no workout logs`);
  return {
    label,
    userId,
    // The light member's own most-logged exercise, so its records query finds rows too.
    exerciseId:
      label === 'heavy'
        ? exerciseId
        : ((
            await client.query<{ exercise_id: string }>(
              `SELECT exercise_id FROM workout_logs WHERE user_id = $1
               GROUP BY exercise_id ORDER BY count(*) DESC, exercise_id LIMIT 1`,
              [userId],
            )
          ).rows[0]?.exercise_id ?? exerciseId),
    lastDay,
    deepCursor: { at: deepRow.completed_at, id: deepRow.id },
    firstPageIds: firstPage.rows.map((row) => row.id),
  };
}

function measure(query: ExplainedQuery, subject: Subject, plan: string): ExplainMeasurement {
  const execution = /Execution Time: ([\d.]+) ms/.exec(plan);
  // The first Buffers line is the top node's, which counts its whole subtree.
  const buffers = plan.split('\n').find((line) => line.includes('Buffers: shared'));
  const sharedBuffers = [...(buffers ?? '').matchAll(/(hit|read)=(\d+)/g)].reduce(
    (sum, part) => sum + Number(part[2]),
    0,
  );
  const rows = /actual time=[\d.]+\.\.[\d.]+ rows=(\d+)/.exec(plan);
  return {
    query: query.name,
    member: subject.label,
    executionMs: execution ? round(Number(execution[1]), 3) : Number.NaN,
    sharedBuffers,
    rows: rows ? Number(rows[1]) : 0,
    seqScans: [...plan.matchAll(/Seq Scan on (\S+)/g)].map((match) => match[1]!),
  };
}

/**
 * Explains every query for the heavy and the light member, writes the plans to
 * bench/results/`fileName` with a summary on top, and answers the numbers.
 */
export async function explainKeyQueries(
  databaseUrl: string,
  info: SeedInfo,
  fileName: string,
  header: string[],
): Promise<ExplainReport> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const subjects = [
      await subjectFor(client, 'heavy', info.heavyUserId, info.heavyExercise.id),
      await subjectFor(client, 'light', info.lightUserId, info.heavyExercise.id),
    ];
    const measurements: ExplainMeasurement[] = [];
    const sections: string[] = [];
    for (const query of EXPLAINED_QUERIES) {
      sections.push(`=== ${query.name}: ${query.what}\n${query.sql.replace(/\n\s+/g, '\n  ')}`);
      for (const subject of subjects) {
        const explain = `EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`;
        const values = query.parameters(subject);
        // The first run loads pages into the cache; the second is the one kept.
        await client.query(explain, values);
        const result = await client.query<{ 'QUERY PLAN': string }>(explain, values);
        const plan = result.rows.map((row) => row['QUERY PLAN']).join('\n');
        measurements.push(measure(query, subject, plan));
        sections.push(`--- ${subject.label} member (${subject.userId})\n${plan}`);
      }
      sections.push('');
    }

    const seqScanLines = measurements
      .map((m) => ({ ...m, growing: m.seqScans.filter((t) => !REFERENCE_TABLES.includes(t)) }))
      .filter((m) => m.growing.length > 0)
      .map((m) => `SEQ SCAN: "${m.query}" (${m.member} member) scans ${m.growing.join(', ')}`);
    const referenceScans = [
      ...new Set(
        measurements.flatMap((m) => m.seqScans.filter((t) => REFERENCE_TABLES.includes(t))),
      ),
    ];
    const summary = explainSummaryTable(measurements);
    const file = path.join(RESULTS_DIR, fileName);
    writeFileSync(
      file,
      [
        ...header,
        '',
        summary,
        '',
        seqScanLines.length === 0
          ? 'No sequential scan of a table that grows with members or their history.'
          : seqScanLines.join('\n'),
        ...(referenceScans.length === 0
          ? []
          : [
              `Scanned whole, as they are the same for everyone: ${referenceScans.join(', ')} ` +
                '(the built-in library, a few hundred rows, joined to per-week sums).',
            ]),
        '',
        ...sections,
      ].join('\n'),
    );
    return { file: path.relative(ROOT, file), measurements, seqScanLines };
  } finally {
    await client.end();
  }
}

/** Heavy next to light, per query: time, buffers, rows, and any sequential scan. */
export function explainSummaryTable(measurements: ExplainMeasurement[]): string {
  const names = [...new Set(measurements.map((m) => m.query))];
  const rows = names.map((name) => {
    const heavy = measurements.find((m) => m.query === name && m.member === 'heavy');
    const light = measurements.find((m) => m.query === name && m.member === 'light');
    const scans = [...new Set([...(heavy?.seqScans ?? []), ...(light?.seqScans ?? [])])];
    return [
      name,
      heavy ? heavy.executionMs.toFixed(3) : '-',
      heavy ? String(heavy.sharedBuffers) : '-',
      heavy ? String(heavy.rows) : '-',
      light ? light.executionMs.toFixed(3) : '-',
      light ? String(light.sharedBuffers) : '-',
      light ? String(light.rows) : '-',
      scans.length === 0 ? 'none' : `SEQ SCAN ${scans.join(', ')}`,
    ];
  });
  return formatTable(
    [
      'Query',
      'heavy ms',
      'heavy buffers',
      'heavy rows',
      'light ms',
      'light buffers',
      'light rows',
      'Seq scans',
    ],
    rows,
  );
}
