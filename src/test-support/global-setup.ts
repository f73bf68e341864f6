import type { TestProject } from 'vitest/node';
import { generateRsaKeyPair } from '../modules/auth/index.js';
import { openDatabase } from '../db/database.js';
import { withDatabaseName } from './test-database.js';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Migrated PostgreSQL database every test file clones, when TEST_DATABASE_URL is set. */
    templateDatabase: string | null;
    /** Otherwise: a dump of a migrated PGlite that each test database starts from. */
    pgliteTemplateFile: string | null;
    signingKeys: { privateKeyPem: string; publicKeyPem: string };
  }
}

/**
 * Runs once per `vitest run`: migrates one template that every test database is copied from
 * (CREATE DATABASE … TEMPLATE on PostgreSQL, a data-directory dump on PGlite), far faster than
 * creating and migrating a database per test file.
 */
export default async function setup(project: TestProject) {
  project.provide('signingKeys', generateRsaKeyPair());
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    project.provide('templateDatabase', null);
    const file = path.join(tmpdir(), `nxg-pglite-template-${String(process.pid)}.tar`);
    const database = await openDatabase({});
    await database.migrate();
    const dump = await database.dumpPglite();
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    await database.close();
    project.provide('pgliteTemplateFile', file);
    return () => rmSync(file, { force: true });
  }
  project.provide('pgliteTemplateFile', null);
  const template = `nxg_tpl_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${template}`);
  const database = await openDatabase({ url: withDatabaseName(url, template), poolSize: 1 });
  await database.migrate();
  await database.close();
  project.provide('templateDatabase', template);

  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
  };
}
