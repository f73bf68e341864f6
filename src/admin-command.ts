/**
 * Operator commands (run by src/admin-cli.ts), for any database the configuration names:
 *
 *   printf '%s' "$PASSWORD" | npm run admin -- create --email ops@example.com --username ops
 *   npm run admin -- promote <username or email>
 *
 * From a production install: `node dist/admin-cli.js …`. Applies pending migrations first.
 * With the embedded default, stop the server first (one process holds DATA_DIR's database).
 */
import { parseArgs } from 'node:util';
import type { Container } from './container.js';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES } from './modules/auth/index.js';

export const adminUsage = [
  'usage: npm run admin -- create --email <email> --username <username>',
  '         (the password is read from standard input)',
  '       npm run admin -- promote <username or email>',
].join('\n');

/** Runs one command and answers the line to print; bad input throws AppError or Error. */
export async function runAdminCommand(
  argv: string[],
  container: Pick<Container, 'auth' | 'users'>,
  readPassword: () => Promise<string>,
): Promise<string> {
  const [command, ...rest] = argv;
  if (command === 'create') {
    const { values } = parseArgs({
      args: rest,
      options: { email: { type: 'string' }, username: { type: 'string' } },
      strict: true,
    });
    if (!values.email || !values.username) throw new Error(adminUsage);
    const password = (await readPassword()).trim();
    const bytes = Buffer.byteLength(password);
    if (bytes < PASSWORD_MIN_BYTES || bytes > PASSWORD_MAX_BYTES) {
      throw new Error(`the password must be ${PASSWORD_MIN_BYTES}-${PASSWORD_MAX_BYTES} bytes`);
    }
    const admin = await container.auth.createAdmin({
      email: values.email,
      username: values.username,
      password,
    });
    return `admin ${admin.username} created (id ${admin.id})`;
  }
  if (command === 'promote' && rest.length === 1 && rest[0]) {
    const user = await container.users.promoteToAdmin(rest[0]);
    return `${user.username} is now an admin (id ${user.id})`;
  }
  throw new Error(adminUsage);
}
