import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const scratch = mkdtempSync(path.join(tmpdir(), 'nxg-migrations-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('migrations', () => {
  it('when drizzle-kit compares the tables with drizzle/, then there is nothing left to generate', () => {
    // A table changed without `npm run db:generate` would ship code the database never gets.
    cpSync('drizzle', scratch, { recursive: true });
    const before = readdirSync(scratch).filter((file) => file.endsWith('.sql'));
    // drizzle-kit mangles absolute --out paths and exits 0 on errors: pass a relative path and
    // read what it says.
    const output = execFileSync(
      process.execPath,
      [
        'node_modules/drizzle-kit/bin.cjs',
        'generate',
        '--dialect=postgresql',
        '--schema=./src/db/schema.ts',
        `--out=${path.relative(process.cwd(), scratch)}`,
      ],
      { stdio: 'pipe', encoding: 'utf8' },
    );
    expect(output).toContain('No schema changes');
    expect(readdirSync(scratch).filter((file) => file.endsWith('.sql'))).toEqual(before);
  });
});
