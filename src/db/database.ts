import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
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

/** Opens PostgreSQL (when a URL is given) or PGlite behind the same Drizzle interface. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) return openPostgres(options.url, options.poolSize ?? 10);
  return openPglite(options.pgliteDirectory, options.pgliteSnapshot);
}

function openPostgres(url: string, poolSize: number): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const db = drizzlePg(pool, { schema });
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
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- DATA_DIR from configuration
  if (directory) mkdirSync(directory, { recursive: true });
  const client = await PGlite.create({ dataDir: directory, loadDataDir: snapshot });
  const db = drizzlePglite(client, { schema });
  return {
    db,
    kind: 'pglite',
    pglite: client,
    migrate: () => migratePglite(db, { migrationsFolder }),
    ping: () => pingWith(db),
    close: () => client.close(),
    dumpPglite: () => client.dumpDataDir('none'),
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
