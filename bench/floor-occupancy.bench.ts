// Cost of the occupancy and busyness queries on a large link history, with their plans.
//
//   DATABASE_URL=postgres://… npx tsx bench/floor-occupancy.bench.ts
//
// Seeds (once per database) 3 branches of 60 machines with a year of links each (one every 80
// minutes per machine, ≈ 1.2 M rows), then times each statement cold-ish and warm and prints
// EXPLAIN (ANALYZE, BUFFERS) of the range queries. Use a scratch database: it writes rows.
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../src/db/database.js';
import { rowsOf } from '../src/db/raw-rows.js';
import {
  occupancyRepository,
  occupancyStatements,
} from '../src/modules/gym-floor/occupancy.repository.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required (a scratch PostgreSQL database)');
const RUNS = 30;
const BRANCH_PREFIX = 'bench-occupancy-';

const database = await openDatabase({ url, poolSize: 2 });
await database.migrate();
const { db } = database;

async function seed(): Promise<string> {
  const existing = await rowsOf<{ id: string }>(
    db,
    sql`select id from branches where name = ${`${BRANCH_PREFIX}0`}`,
  );
  if (existing[0]) return existing[0].id;
  const ids: string[] = [];
  for (let branch = 0; branch < 3; branch++) {
    const [row] = await rowsOf<{ id: string }>(
      db,
      sql`insert into branches (name, address, timezone)
          values (${`${BRANCH_PREFIX}${String(branch)}`}, 'bench', 'Europe/London') returning id`,
    );
    if (!row) throw new Error('no branch');
    ids.push(row.id);
    await db.execute(sql`
      insert into machines (branch_id, name, type, location, qr_code, device_key_hash, created_at)
      select ${row.id}, 'machine ' || n,
             (array['cardio', 'strength', 'functional'])[1 + n % 3], 'floor',
             gen_random_uuid()::text, gen_random_uuid()::text, now() - interval '400 days'
      from generate_series(1, 60) as n`);
    await db.execute(sql`
      insert into machine_links (machine_id, branch_id, machine_type, started_at, ended_at, end_reason)
      select m.id, m.branch_id, m.type, s, s + (20 + random() * 40) * interval '1 minute', 'unlinked'
      from machines m,
           generate_series(now() - interval '365 days', now() - interval '2 hours', interval '80 minutes') as s
      where m.branch_id = ${row.id}`);
  }
  await db.execute(sql`analyze machine_links`);
  await db.execute(sql`analyze machines`);
  const first = ids[0];
  if (!first) throw new Error('no branch');
  return first;
}

async function time(name: string, run: () => Promise<unknown>) {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  const first = samples[0] ?? 0;
  const warm = samples.slice(1).sort((a, b) => a - b);
  const at = (q: number) => warm[Math.min(warm.length - 1, Math.floor(q * warm.length))] ?? 0;
  console.log(
    `${name.padEnd(34)} first ${first.toFixed(1).padStart(7)} ms   p50 ${at(0.5).toFixed(1).padStart(7)} ms   p99 ${at(0.99).toFixed(1).padStart(7)} ms`,
  );
}

async function explain(name: string, statement: ReturnType<typeof sql>) {
  const rows = await rowsOf<{ 'QUERY PLAN': string }>(
    db,
    sql`explain (analyze, buffers, costs off) ${statement}`,
  );
  console.log(`\n--- ${name}\n${rows.map((row) => row['QUERY PLAN']).join('\n')}`);
}

try {
  const branchId = await seed();
  const [count] = await rowsOf<{ links: number }>(
    db,
    sql`select count(*)::int as links from machine_links`,
  );
  console.log(`machine_links rows: ${String(count?.links)}\n`);
  const today = new Date().toISOString().slice(0, 10);
  const daysAgo = (days: number) =>
    new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
  const tz = 'Europe/London';

  await time('occupancy hourly, 7 days', () =>
    occupancyRepository.hourlyUse(db, branchId, tz, daysAgo(6), today),
  );
  await time('occupancy per machine, 7 days', () =>
    occupancyRepository.machineUse(db, branchId, tz, daysAgo(6), today),
  );
  await time('occupancy hourly, 92 days', () =>
    occupancyRepository.hourlyUse(db, branchId, tz, daysAgo(91), today),
  );
  await time('occupancy hourly, 7 days a year ago', () =>
    occupancyRepository.hourlyUse(db, branchId, tz, daysAgo(360), daysAgo(354)),
  );
  await time('busyness: checked in + machine counts', () =>
    Promise.all([
      occupancyRepository.checkedInCount(db, branchId),
      occupancyRepository.machineCounts(db, branchId),
    ]),
  );
  await time('busyness: typical (uncached)', () =>
    occupancyRepository.typicalUseNow(db, branchId, tz, 4, new Date()),
  );

  await explain(
    'occupancy hourly, 7 days',
    occupancyStatements.hourlyUse(branchId, tz, daysAgo(6), today),
  );
  await explain(
    'occupancy per machine, 7 days',
    occupancyStatements.machineUse(branchId, tz, daysAgo(6), today),
  );
  await explain('busyness: typical', occupancyStatements.typicalUse(branchId, tz, 4, new Date()));
} finally {
  await database.close();
}
