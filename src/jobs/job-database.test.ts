import { afterEach, beforeEach, expect, it } from 'vitest';
import pg from 'pg';
import { openTestDatabase } from '../test-support/test-database.js';
import type { DatabaseHandle } from '../db/database.js';
import { createQueueConnection, jobDatabaseOf, type JobDatabase } from './job-database.js';

let database: DatabaseHandle;
let url: string | undefined;
let drop: () => Promise<void>;
let singleConnection: pg.Pool | undefined;

beforeEach(async () => {
  const opened = await openTestDatabase();
  ({ database, url } = opened);
  drop = () => opened.drop();
});

afterEach(async () => {
  await singleConnection?.end();
  singleConnection = undefined;
  await drop();
});

/** On PostgreSQL a one-connection pool, so the next statement surely reuses the failed one. */
function oneConnection(): JobDatabase {
  const jobs = jobDatabaseOf(database);
  if (jobs.kind === 'pglite') return jobs;
  singleConnection = new pg.Pool({ connectionString: url, max: 1 });
  // As the server's pool does (db/database.ts): an idle connection PostgreSQL ends (57P01) is
  // replaced, not an unhandled 'error' that fails the whole run. One CI run saw such an end
  // between two statements of these tests; the statements' own results stay asserted.
  singleConnection.on('error', () => undefined);
  return { kind: 'postgres', pgPool: singleConnection };
}

it('when a database handle is given, then the job queue uses its own client', () => {
  const jobs = jobDatabaseOf(database);
  expect(jobs.kind).toBe(database.kind);
  expect(jobs.pgPool ?? jobs.pglite).toBeDefined();
});

it('when a queue script fails halfway, then its transaction is rolled back and the connection stays usable', async () => {
  const connection = createQueueConnection(oneConnection(), () => undefined);

  await expect(
    connection.executeSql('BEGIN; CREATE TABLE half_done (id int); SELECT 1/0; COMMIT;'),
  ).rejects.toThrow(/division by zero/);

  const { rows } = await connection.executeSql(
    "select to_regclass('half_done') as leftover, $1::int as answer",
    [42],
  );
  expect(rows).toEqual([{ leftover: null, answer: 42 }]);
});

it('when a script selects rows, then the rows of its last query are returned', async () => {
  const connection = createQueueConnection(oneConnection(), () => undefined);

  const { rows } = await connection.executeSql('BEGIN; SELECT 1 AS one; SELECT 2 AS two; COMMIT;');

  expect(rows).toEqual([{ two: 2 }]);
});

it('when the connection is closed, then later statements are dropped, not sent', async () => {
  let dropped = 0;
  const connection = createQueueConnection(jobDatabaseOf(database), () => (dropped += 1));
  connection.close();

  await expect(connection.executeSql('select 1/0', [])).resolves.toEqual({ rows: [] });
  expect(dropped).toBe(1);
});

it('when a job finishes after the connection closed, then its dropped command answers a count of none, as pg-boss reads it', async () => {
  const connection = createQueueConnection(jobDatabaseOf(database), () => undefined);
  connection.close();
  const failCommand = `WITH results AS (UPDATE pgboss.job SET state = 'failed' RETURNING 1)
    SELECT COUNT(*) FROM results
  `;
  await expect(connection.executeSql(failCommand, [])).resolves.toEqual({
    rows: [{ count: '0' }],
  });
});
