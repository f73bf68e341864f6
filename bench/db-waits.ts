/**
 * What PostgreSQL's backends are waiting on, sampled while a benchmark runs beside it: every
 * 50 ms, each active statement of the database that has been waiting on anything but its client
 * for more than 30 ms is printed with the clock time, its wait event and how long the statement
 * has run. `bench:analytics` logs the clock time of each paced run and when its slowest answers
 * were due, so a stall can be matched with what the database was doing at that moment (for the
 * log POST's tail: WAL flushes and page reads of every writer at once, see the README).
 *
 *   npx tsx bench/db-waits.ts [seconds=300] > waits.log &   # then run the benchmark
 *
 * BENCH_DATABASE_URL names the database (default: the analytics benchmark's).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

const SAMPLE_EVERY_MS = 50;
const REPORT_AFTER_MS = 30;

interface Waiting {
  at: Date;
  pid: number;
  wait_event_type: string;
  wait_event: string;
  ms: number;
  query: string;
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 300);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new Error('seconds must be a positive number');
  const client = new pg.Client({
    connectionString:
      process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/nxg_bench_analytics',
  });
  await client.connect();
  const endsAt = Date.now() + seconds * 1000;
  try {
    while (Date.now() < endsAt) {
      const { rows } = await client.query<Waiting>(
        `select clock_timestamp() as at, pid, wait_event_type, wait_event,
           round(extract(epoch from clock_timestamp() - state_change) * 1000)::int as ms,
           left(regexp_replace(query, '\\s+', ' ', 'g'), 60) as query
         from pg_stat_activity
         where datname = current_database() and state = 'active' and pid <> pg_backend_pid()
           and wait_event is not null and wait_event_type <> 'Client'
           and clock_timestamp() - state_change > make_interval(secs => $1 / 1000.0)`,
        [REPORT_AFTER_MS],
      );
      for (const row of rows) {
        const event = `${row.wait_event_type}: ${row.wait_event}`;
        console.log(`${row.at.toISOString()} ${row.pid} ${event} ${row.ms} ms ${row.query}`);
      }
      await sleep(SAMPLE_EVERY_MS);
    }
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
