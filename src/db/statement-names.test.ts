import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../modules/users/users.table.js';
import { openTestDatabase } from '../test-support/test-database.js';
import type { DatabaseHandle } from './database.js';
import { rowsOf } from './raw-rows.js';
import { StatementNames } from './statement-names.js';

describe('StatementNames', () => {
  it('names a text on its second sighting, the same name from then on', () => {
    const names = new StatementNames();
    expect(names.nameOf('select $1')).toBeUndefined();
    const name = names.nameOf('select $1');
    expect(name).toMatch(/^nxg_\d+$/);
    expect(names.nameOf('select $1')).toBe(name);
    expect(names.nameOf('select $1 + 1')).toBeUndefined();
  });

  it('names at most maxNamed texts; later ones stay unnamed', () => {
    const names = new StatementNames(2);
    for (const text of ['a', 'a', 'b', 'b', 'c', 'c']) names.nameOf(text);
    expect(names.size).toBe(2);
    expect(names.nameOf('a')).toBeDefined();
    expect(names.nameOf('c')).toBeUndefined();
  });

  it('forgets the texts seen once when that memory is full', () => {
    const names = new StatementNames(10, 2);
    names.nameOf('a');
    names.nameOf('b');
    names.nameOf('c'); // full: starts over with c
    expect(names.nameOf('a')).toBeUndefined();
    expect(names.nameOf('c')).toBeDefined();
  });
});

// Prepared statements are a PostgreSQL server's; PGlite runs in-process without a pool.
describe.runIf(process.env.TEST_DATABASE_URL)('pooled PostgreSQL connections', () => {
  let database: DatabaseHandle;
  let testDatabase: Awaited<ReturnType<typeof openTestDatabase>>;

  beforeAll(async () => {
    testDatabase = await openTestDatabase();
    database = testDatabase.database;
  });
  afterAll(async () => {
    await testDatabase.drop();
  });

  /** The statements prepared on one pooled connection, after running `work` on it. */
  async function preparedAfter(work: (client: pg.PoolClient) => Promise<void>) {
    const pool = database.pgPool;
    if (!pool) throw new Error('no pool');
    const client = await pool.connect();
    try {
      await work(client);
      const { rows } = await client.query<{
        name: string;
        statement: string;
        generic_plans: string;
        custom_plans: string;
      }>(
        'select name, statement, generic_plans::text, custom_plans::text from pg_prepared_statements',
      );
      return rows;
    } finally {
      client.release();
    }
  }

  it('prepares a repeated parameterized statement once and reuses it', async () => {
    const text = 'select $1::int + 1 as next';
    const prepared = await preparedAfter(async (client) => {
      for (let value = 0; value < 3; value += 1) {
        const { rows } = await client.query<{ next: number }>(text, [value]);
        expect(rows[0]?.next).toBe(value + 1);
      }
    });
    expect(prepared.filter((row) => row.statement === text)).toHaveLength(1);
  });

  it('names Drizzle queries in transactions, with the same results', async () => {
    const prepared = await database.db.transaction(async (tx) => {
      for (let round = 0; round < 3; round += 1) {
        const found = await tx
          .select({ id: users.id })
          .from(users)
          .where(sql`${users.username} = ${'nobody-here'}`);
        expect(found).toEqual([]);
      }
      // The same connection: the transaction's.
      return rowsOf<{ name: string; statement: string }>(
        tx,
        sql`select name, statement from pg_prepared_statements`,
      );
    });
    const lookup = prepared.filter((row) => row.statement.includes('"users"."username" = $1'));
    expect(lookup).toHaveLength(1);
    expect(lookup[0]?.name).toMatch(/^nxg_\d+$/);
  });

  it('leaves statements without parameters unnamed: several in one text still run', async () => {
    const prepared = await preparedAfter(async (client) => {
      for (let round = 0; round < 3; round += 1) {
        await client.query('select 1; select 2');
      }
    });
    expect(prepared.some((row) => row.statement.includes('select 2'))).toBe(false);
  });

  it('keeps a failing statement failing the same way, and the connection usable', async () => {
    await preparedAfter(async (client) => {
      for (let round = 0; round < 3; round += 1) {
        await expect(client.query('select $1::int / 0', [1])).rejects.toThrow(/division by zero/);
      }
      const { rows } = await client.query<{ ok: number }>('select $1::int as ok', [7]);
      expect(rows[0]?.ok).toBe(7);
    });
  });

  it('plans a prepared statement for its parameters on every run, never generically', async () => {
    const text = 'select $1::int * 2 as twice';
    const prepared = await preparedAfter(async (client) => {
      for (let value = 0; value < 8; value += 1) await client.query(text, [value]);
    });
    // Named on the second run; left to itself PostgreSQL would go generic after five.
    expect(prepared.filter((row) => row.statement === text)).toEqual([
      expect.objectContaining({ generic_plans: '0', custom_plans: '7' }),
    ]);
  });

  it('keeps statements named by their caller as they are', async () => {
    const prepared = await preparedAfter(async (client) => {
      for (let round = 0; round < 2; round += 1) {
        await client.query({ name: 'caller_named', text: 'select $1::int', values: [round] });
      }
    });
    expect(prepared.map((row) => row.name)).toContain('caller_named');
  });
});
