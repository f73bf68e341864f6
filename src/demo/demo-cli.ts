/**
 * `npm run demo`: fills the configured database (by default the embedded one under DATA_DIR)
 * with the demo gym of demo-gym.ts and prints how to use it. A second run changes nothing.
 * The embedded database serves one process: stop the server first.
 */
import 'dotenv/config';
import { loadConfigOrExit, type Config } from '../config/config.js';
import { createContainer, type Container } from '../container.js';
import { DirectoryLockedError } from '../db/data-directory-lock.js';
import { createLogger } from '../lib/logger.js';
import { demoFileOf, prepareDemoGym, type DemoGym, type DemoOutcome } from './demo-gym.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (config.env === 'production') {
    fail('npm run demo creates accounts with a published password; it does not run in production.');
    return;
  }
  let container: Container;
  try {
    // Warnings only: the services' info lines would bury the summary.
    container = await createContainer(config, { logger: createLogger('warn') });
  } catch (error) {
    if (error instanceof DirectoryLockedError) {
      fail(
        `${error.message}\n\nThe embedded database is probably held by a running server ` +
          '(npm start). Stop it (Ctrl-C), run npm run demo, then start the server again.',
      );
      return;
    }
    throw error;
  }
  try {
    await container.database.migrate();
    const file = demoFileOf(config.dataDir);
    process.stdout.write(`Preparing the demo gym in ${where(config)} …\n`);
    const { outcome, gym } = await prepareDemoGym(container, file, {
      progress: (step) => process.stdout.write(`  ${step}\n`),
    });
    process.stdout.write(summary(outcome, gym, file, config));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  } finally {
    await container.close();
  }
}

function fail(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}

function where(config: Config): string {
  return config.databaseUrl ? 'the PostgreSQL database of DATABASE_URL' : config.dataDir;
}

const headline: Record<DemoOutcome, string> = {
  created: 'Demo gym created.',
  'already-seeded':
    'The demo gym is already in this database: nothing was changed. (To start over, stop the ' +
    'server and delete DATA_DIR, or point DATABASE_URL at an empty database, then run it again.)',
  'keys-replaced':
    'The demo gym was already in this database but its device keys were not on file: every ' +
    'demo machine got a new device key (the old ones stop working).',
};

function summary(outcome: DemoOutcome, gym: DemoGym, file: string, config: Config): string {
  const api = `http://localhost:${config.port}`;
  const column = (text: string) => text.padEnd(22);
  const first = gym.machines[0];
  const member = gym.members.find((candidate) => candidate.branchName === first?.branchName);
  const lines = [
    '',
    headline[outcome],
    '',
    `  ${gym.branches.length} branches: ${gym.branches.map((b) => `${b.name} (${b.timezone})`).join(', ')}`,
    `  ${gym.machines.length} machines, device keys and QR codes in ${file}`,
    `  ${gym.members.length} members with active workout and diet plans and two weeks of logs`,
    '',
    `Sign in with POST ${api}/api/auth/login {"login": <username>, "password": "${gym.password}"}:`,
    `  admin   ${gym.admin.username}`,
    ...gym.staff.map((staff) => `  staff   ${column(staff.username)}${staff.branchName}`),
    ...gym.members.map((m) => `  member  ${column(m.username)}${m.branchName}`),
    '',
    'Next:',
    '  npm start                                   # the API, if it is not running',
    `  API ${api}/api   reference ${api}/api/docs`,
    `  npm run simulate:machine                    # in another terminal: ${first ? `${first.name}, ${first.branchName}` : 'a demo machine'} comes online`,
    ...(member && first
      ? [
          `  npm run simulate:machine -- --member ${member.username}`,
          '        # … and the member checks in, links to it and the machine reports their sets',
        ]
      : []),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

await main();
