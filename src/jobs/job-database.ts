import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { DatabaseHandle } from '../db/database.js';

/**
 * The raw client the job queue talks to: the server's own pg Pool on PostgreSQL, or its PGlite
 * instance in the embedded mode. `DatabaseHandle` satisfies this shape once it exposes its client.
 */
export interface JobDatabase {
  kind: 'postgres' | 'pglite';
  pgPool?: pg.Pool;
  pglite?: PGlite;
}

/** What pg-boss calls for every statement (its `db` option). */
export interface QueueConnection {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A QueueConnection that can be drained and shut before the database itself is closed. */
export interface TrackedQueueConnection extends QueueConnection {
  /** True while a statement is running. */
  readonly busy: boolean;
  /** Resolves once no statement is running; statements started meanwhile are waited for too. */
  drain(): Promise<void>;
  /** From now on statements are not sent; they resolve with no rows (pg-boss fires some late). */
  close(): void;
}

interface QueryOutcome {
  rows?: unknown[];
  fields?: unknown[];
}

/**
 * Adapts the pool or PGlite to pg-boss. Parameterless text may be a multi-statement script
 * (`BEGIN; …; COMMIT;`); if one of its statements fails, PostgreSQL leaves the session inside an
 * aborted transaction, which would poison a pooled connection and, on PGlite, the only connection
 * the whole server has. So scripts run on a dedicated client that is rolled back on failure
 * (PostgreSQL), or inside PGlite's own transaction, which rolls back on failure and waits for
 * any transaction the application has open.
 */
export function createQueueConnection(
  database: JobDatabase,
  onLateStatement: () => void,
): TrackedQueueConnection {
  const execute = executorFor(database);
  const running = new Set<Promise<unknown>>();
  let closed = false;
  return {
    async executeSql(text, values) {
      if (closed) {
        onLateStatement();
        return droppedResult(text);
      }
      const statement = execute(text, values);
      running.add(statement);
      try {
        return await statement;
      } finally {
        running.delete(statement);
      }
    },
    get busy() {
      return running.size > 0;
    },
    async drain() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    close() {
      closed = true;
    },
  };
}

// pg-boss's complete, fail and cancel commands end in this and read `rows[0].count` from the
// answer: an empty answer made a job finishing after stop an unhandled TypeError inside it.
const COUNTING_COMMAND = /select count\(\*\) from results\s*$/i;

/** What a statement dropped after stop answers: nothing done, in the shape its caller reads. */
function droppedResult(text: string): { rows: unknown[] } {
  return COUNTING_COMMAND.test(text) ? { rows: [{ count: '0' }] } : { rows: [] };
}

type Executor = (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }>;

function executorFor(database: JobDatabase): Executor {
  if (database.kind === 'postgres') {
    const pool = database.pgPool;
    if (!pool) throw new Error('a PostgreSQL job database needs its pg Pool');
    return (text, values) => (values ? poolQuery(pool, text, values) : poolScript(pool, text));
  }
  const client = database.pglite;
  if (!client) throw new Error('a PGlite job database needs its PGlite client');
  return async (text, values) => {
    if (values) return { rows: (await client.query(text, values)).rows };
    const results = await client.transaction((tx) => tx.exec(text));
    return lastRows(results);
  };
}

async function poolQuery(pool: pg.Pool, text: string, values: unknown[]) {
  const result = await pool.query(text, values);
  return { rows: result.rows as unknown[] };
}

async function poolScript(pool: pg.Pool, text: string) {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    // Several statements give an array of results, one gives a single result.
    const outcome = (await client.query(text)) as unknown as QueryOutcome | QueryOutcome[];
    return lastRows(Array.isArray(outcome) ? outcome : [outcome]);
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      // A connection that cannot even roll back is discarded rather than reused.
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** The rows of the last statement that returns rows (a script's SELECT, not its COMMIT). */
function lastRows(results: QueryOutcome[]): { rows: unknown[] } {
  const withRows = results.filter((result) => (result.fields?.length ?? 0) > 0);
  return { rows: withRows.at(-1)?.rows ?? [] };
}

// Any fixed number works; it only has to be the same for every instance of this server.
const QUEUE_SETUP_LOCK_ID = 4_726_002;

/**
 * Runs `setup` while no other instance runs its own. pg-boss guards its schema install with an
 * advisory lock taken inside the install script, but the script's `CREATE SCHEMA IF NOT EXISTS`
 * can still judge "not exists" from a catalog snapshot older than the lock wait, so two instances
 * starting on a fresh database failed with a duplicate pg_namespace key (reproduced with two
 * servers started together). Waiting here, in a statement of its own, means the install that
 * follows sees what the previous instance committed. PGlite belongs to one process: no wait.
 */
export async function withQueueSetupLock<T>(
  database: JobDatabase,
  setup: () => Promise<T>,
  onLockLost: (error: Error) => void,
): Promise<T> {
  if (database.kind !== 'postgres' || !database.pgPool) return setup();
  // A connection of its own: holding one of the pool's could starve the setup of a small pool.
  const client = new pg.Client(database.pgPool.options);
  // The session idles while the setup runs; PostgreSQL ending it then (a restart) emits
  // 'error' on the client, which unheard would kill the process. The lock goes with the
  // session: the setup carries on unguarded, as a lone instance would.
  client.on('error', onLockLost);
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [QUEUE_SETUP_LOCK_ID]);
    return await setup();
  } finally {
    // Ending the session releases the lock too.
    await client.end().catch(() => undefined);
  }
}

/** The raw client behind a DatabaseHandle, which pg-boss talks to through its `db` option. */
export function jobDatabaseOf(handle: DatabaseHandle): JobDatabase {
  return { kind: handle.kind, pgPool: handle.pgPool, pglite: handle.pglite };
}
