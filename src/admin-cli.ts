/**
 * `npm run admin -- …` (from a production install: `node dist/admin-cli.js …`): see
 * admin-command.ts. Applies pending migrations first. With the embedded default, stop the
 * server first (one process holds DATA_DIR's database).
 */
import 'dotenv/config';
import { text } from 'node:stream/consumers';
import { runAdminCommand } from './admin-command.js';
import { loadConfigOrExit } from './config/config.js';
import { createContainer } from './container.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const container = await createContainer(config);
  try {
    await container.database.migrate();
    const line = await runAdminCommand(process.argv.slice(2), container, () => text(process.stdin));
    process.stdout.write(`${line}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  } finally {
    await container.close();
  }
}

await main();
