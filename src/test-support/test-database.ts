import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../db/database.js';

/** The same server, another database name. */
export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/**
 * A database of the test's own: a clone of the migrated template on real PostgreSQL when
 * TEST_DATABASE_URL is set, else a fresh in-memory PGlite. `drop` removes it afterwards.
 */
export async function openTestDatabase(): Promise<{
  database: DatabaseHandle;
  url?: string;
  drop(): Promise<void>;
}> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  const template = inject('templateDatabase');
  if (!adminUrl || !template) {
    const templateFile = inject('pgliteTemplateFile');
    const database = await openDatabase({
      pgliteSnapshot: templateFile ? new Blob([readFileSync(templateFile)]) : undefined,
    });
    await database.migrate();
    return { database, drop: () => database.close() };
  }
  const name = `nxg_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = withDatabaseName(adminUrl, name);
  const database = await openDatabase({ url, poolSize: 10 });
  return {
    database,
    url,
    async drop() {
      await database.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
