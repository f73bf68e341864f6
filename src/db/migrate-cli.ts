import 'dotenv/config';
import path from 'node:path';
import { loadConfigOrExit } from '../config/config.js';
import { openDatabase } from './database.js';

/** `npm run migrate`: applies pending migrations to the configured database and exits. */
const config = loadConfigOrExit();
const database = await openDatabase({
  url: config.databaseUrl,
  pgliteDirectory: path.join(config.dataDir, 'pglite'),
});
try {
  await database.migrate();
  process.stdout.write(`Migrations applied (${database.kind}).\n`);
} finally {
  await database.close();
}
