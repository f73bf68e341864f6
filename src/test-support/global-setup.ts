import type { TestProject } from 'vitest/node';
import { generateRsaKeyPair } from '../modules/auth/access-tokens.js';
import { openDatabase } from '../db/database.js';
import { withDatabaseName } from './test-database.js';
import pg from 'pg';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Migrated PostgreSQL database every test file clones, when TEST_DATABASE_URL is set. */
    templateDatabase: string | null;
    signingKeys: { privateKeyPem: string; publicKeyPem: string };
  }
}

/**
 * Runs once per `vitest run`. Against real PostgreSQL it migrates a template database that each
 * test file clones (CREATE DATABASE … TEMPLATE is a file copy, far faster than migrating).
 */
export default async function setup(project: TestProject) {
  project.provide('signingKeys', generateRsaKeyPair());
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    project.provide('templateDatabase', null);
    return;
  }
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
