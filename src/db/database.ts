import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { lockDirectory, type DirectoryLock } from './data-directory-lock.js';
import { StatementNames } from './statement-names.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** The query builder both drivers share; transactions have the same type. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

/** An open database plus what the server needs to manage it. */
export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** The pool behind `db` on PostgreSQL, for clients that bring their own SQL (the job queue). */
  pgPool?: pg.Pool;
  /** The PGlite instance behind `db` in the embedded mode, for the same clients. */
  pglite?: PGlite;
  migrate(): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /** The PGlite data directory as a tarball (test templates); PostgreSQL has none. */
  dumpPglite(): Promise<Blob>;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; without it PGlite runs in-process. */
  url?: string;
  poolSize?: number;
  /**
   * Hears a pooled connection being lost (PostgreSQL restarted, session terminated, network
   * cut). The pool replaces the connection; requests using it at that moment fail with a 503.
   */
  onConnectionError?: (error: Error) => void;
  /** Where PGlite keeps its files; undefined keeps it in memory (tests). */
  pgliteDirectory?: string;
  /** An in-memory PGlite starts as a copy of this dumped data directory (tests' template). */
  pgliteSnapshot?: Blob;
}

// src/db and dist/db are both two levels below the project root, where drizzle/ lives.
const migrationsFolder = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../drizzle',
);

// Any fixed number works; it only has to be the same for every instance of this server.
const MIGRATION_LOCK_ID = 4_726_001;

/**
 * How long getting a connection may take, opening one or waiting for a free one. Without a
 * limit an unreachable server (packets dropped) would leave startup and requests hanging;
 * with it they fail, and a request answers 503.
 */
const CONNECT_TIMEOUT_MS = 10_000;

/** Opens PostgreSQL (when a URL is given) or PGlite behind the same Drizzle interface. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    return openPostgres(options.url, options.poolSize ?? 10, options.onConnectionError);
  }
  return openPglite(options.pgliteDirectory, options.pgliteSnapshot);
}

function openPostgres(
  url: string,
  poolSize: number,
  onConnectionError: (error: Error) => void = () => undefined,
): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Prepared statements (see below) are parsed once, but still planned for their parameters
    // on every run: a generic plan is chosen from average statistics, and members' histories are
    // skewed. The heavy member's exercise-day range took 45 ms under the generic plan (a scan of
    // every day of theirs, filtered) against 1 ms planned for its parameters. The pool awaits
    // this before it hands the connection out (and ends the connection if it fails).
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- pg-pool awaits onConnect; @types/pg types it as void
    onConnect: (client) => client.query('set plan_cache_mode = force_custom_plan'),
  });
  // A connection that PostgreSQL ends (57P01 on a restart or pg_terminate_backend) emits
  // 'error' on its client when no statement is running to receive it. pg-pool listens on idle
  // clients only (the 'error' below), not on checked-out ones, e.g. between two statements of
  // a transaction: there an unheard 'error' event would kill the process. The statement that
  // comes next fails instead, and the client is dropped when it is released.
  pool.on('error', onConnectionError);
  const statementNames = new StatementNames();
  pool.on('connect', (client) => {
    client.on('error', onConnectionError);
    statementNames.nameStatementsOf(client);
  });
  const db = drizzlePg(pool, { schema });
  db.transaction = transactionOnOwnClient(pool);
  return {
    db,
    kind: 'postgres',
    pgPool: pool,
    async migrate() {
      // Instances started together take turns, so migrations never run twice at once.
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
        await migratePg(drizzlePg(client, { schema }), { migrationsFolder });
      } finally {
        await client
          .query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID])
          .catch(() => undefined);
        client.release();
      }
    },
    ping: () => pingWith(db),
    close: () => pool.end(),
    dumpPglite: () => Promise.reject(new Error('only PGlite databases can be dumped')),
  };
}

async function openPglite(
  directory: string | undefined,
  snapshot: Blob | undefined,
): Promise<DatabaseHandle> {
  let lock: DirectoryLock | undefined;
  if (directory) {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- DATA_DIR from configuration
    mkdirSync(path.dirname(directory), { recursive: true });
    // PGlite has no lock of its own: a second process on the same files would corrupt them.
    lock = lockDirectory(directory);
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- as above
    mkdirSync(directory, { recursive: true });
  }
  let client: PGlite;
  try {
    client = await PGlite.create({ dataDir: directory, loadDataDir: snapshot });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = drizzlePglite(client, { schema });
  return {
    db,
    kind: 'pglite',
    pglite: client,
    migrate: () => migratePglite(db, { migrationsFolder }),
    ping: () => pingWith(db),
    async close() {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
    dumpPglite: () => client.dumpDataDir('none'),
  };
}

/**
 * Drizzle's `transaction` on a pool, except that the client always goes back: Drizzle's own
 * leaves it checked out for good when BEGIN fails (a connection ended the moment it was taken
 * from the pool), and enough of those would exhaust the pool. A client whose ROLLBACK failed
 * is closed rather than reused, as its session may still be inside the failed transaction.
 */
function transactionOnOwnClient(pool: pg.Pool): NodePgDatabase<Schema>['transaction'] {
  const sessions = new WeakMap<pg.PoolClient, NodePgDatabase<Schema>>();
  return async (work, config) => {
    const client = await pool.connect();
    let discard: Error | undefined;
    try {
      let session = sessions.get(client);
      if (!session) {
        session = drizzlePg(client, { schema });
        sessions.set(client, session);
      }
      return await session.transaction(work, config);
    } catch (error) {
      if ((error as { query?: unknown }).query === 'rollback') {
        discard = error instanceof Error ? error : new Error('rollback failed');
      }
      throw error;
    } finally {
      // pg-pool closes a released client itself when its connection is gone.
      client.release(discard);
    }
  };
}

async function pingWith(db: Database): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}
