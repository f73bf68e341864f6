import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  closedPort,
  exitCodeOf,
  spawnEntryPoint,
  startServerProcess,
  type RunningServer,
  type ServerProcess,
} from './test-support/server-process.js';
import { withDatabaseName } from './test-support/test-database.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'nxg-startup-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const children: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(children.map((child) => child.kill()));
});

/** Spawns src/server.ts (or another entry point) and ends it with the file whatever happens. */
function spawnTracked(env: Record<string, string>, entry?: string): ServerProcess {
  const started = spawnEntryPoint({ HOST: '127.0.0.1', PORT: '0', ...env }, entry);
  children.push(started);
  return started;
}

async function listeningServer(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

/** What an operator must see: exactly one line on stderr, and no stack anywhere. */
function expectOneClearLine(started: ServerProcess, pattern: RegExp): void {
  const lines = started.stderr().trim().split('\n');
  expect(lines, started.output()).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(started.output()).not.toMatch(/^\s+at /m);
  expect(started.output()).not.toContain('"stack"');
}

describe('two servers on one DATA_DIR', () => {
  let dataDir: string;
  let first: RunningServer | undefined;

  beforeAll(async () => {
    dataDir = path.join(scratch, 'shared');
    first = await startServerProcess({ DATA_DIR: dataDir, BCRYPT_COST: '4' });
    children.push(first);
  }, 200_000);

  it('when a second server starts on the running one’s directory, then it exits non-zero naming the directory and the first server’s pid, and the first keeps its data', async () => {
    const running = first!;
    const account = {
      username: 'first_owner',
      email: 'first-owner@example.test',
      password: 'owner password',
    };
    const registered = await fetch(`${running.baseUrl}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...account, name: 'Owner' }),
    });
    expect(registered.status).toBe(201);
    const entriesBefore = readdirSync(dataDir).sort();

    const second = spawnTracked({ DATA_DIR: dataDir, BCRYPT_COST: '4' });
    const code = await exitCodeOf(second);
    expect(code, second.output()).not.toBe(0);
    expectOneClearLine(second, /is in use by process \d+/);
    expect(second.stderr()).toContain(path.join(dataDir, 'pglite'));
    expect(second.stderr()).toContain(`process ${String(running.child.pid)}`);
    // It stopped before migrating, installing the libraries or starting jobs.
    expect(second.output()).not.toContain('job runner started');

    expect(readdirSync(dataDir).sort()).toEqual(entriesBefore);
    const lock = JSON.parse(readFileSync(path.join(dataDir, 'pglite.lock'), 'utf8')) as {
      pid: number;
    };
    expect(lock.pid).toBe(running.child.pid);
    const login = await fetch(`${running.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: account.username, password: account.password }),
    });
    expect(login.status).toBe(200);
    expect(running.child.exitCode).toBeNull();
  }, 120_000);

  it('when the first server stops, then its lock goes with it and the directory can be used again', async () => {
    const running = first!;
    running.child.kill('SIGTERM');
    expect(await exitCodeOf(running)).toBe(0);
    expect(existsSync(path.join(dataDir, 'pglite.lock'))).toBe(false);
  }, 60_000);
});

describe('a port that is already taken', () => {
  it('when the server is started on it, then it exits non-zero naming the port and creates no data directory', async () => {
    const blocker = await listeningServer();
    try {
      const dataDir = path.join(scratch, 'never-created');
      const started = spawnTracked({ DATA_DIR: dataDir, PORT: String(portOf(blocker)) });
      expect(await exitCodeOf(started)).not.toBe(0);
      expectOneClearLine(started, /^Startup failed: PORT: .* is already in use/);
      expect(started.stderr()).toContain(`127.0.0.1:${String(portOf(blocker))}`);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  }, 90_000);
});

describe('connection settings that cannot work', () => {
  const keys = () => {
    const signing = inject('signingKeys');
    return { JWT_PRIVATE_KEY: signing.privateKeyPem, JWT_PUBLIC_KEY: signing.publicKeyPem };
  };

  it('when DATABASE_URL refuses connections, then the server exits non-zero with one line naming it', async () => {
    const dataDir = path.join(scratch, 'refused-db');
    const started = spawnTracked({
      ...keys(),
      DATA_DIR: dataDir,
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await closedPort()}/nxg`,
    });
    expect(await exitCodeOf(started)).not.toBe(0);
    expectOneClearLine(started, /^Startup failed: DATABASE_URL: .*connection refused/);
    expect(existsSync(dataDir)).toBe(false);
  }, 90_000);

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'when DATABASE_URL names a database that does not exist, then the server exits non-zero with one line naming it',
    async () => {
      const started = spawnTracked({
        ...keys(),
        DATA_DIR: path.join(scratch, 'missing-db'),
        DATABASE_URL: withDatabaseName(process.env.TEST_DATABASE_URL!, 'nxg_no_such_database'),
      });
      expect(await exitCodeOf(started)).not.toBe(0);
      expectOneClearLine(started, /^Startup failed: DATABASE_URL: .*does not exist/);
    },
    90_000,
  );

  it('when DATABASE_URL cannot be parsed, then the process exits 78 naming it', async () => {
    const started = spawnTracked({
      ...keys(),
      DATABASE_URL: 'postgres://postgres@127.0.0.1:99999/nxg',
    });
    expect(await exitCodeOf(started)).toBe(78);
    expect(started.stderr()).toMatch(/DATABASE_URL: is not a valid URL/);
    expect(started.output()).not.toMatch(/^\s+at /m);
  }, 90_000);

  it('when REDIS_URL refuses connections, then the server exits non-zero with one line naming it instead of retrying with a stack each time', async () => {
    const dataDir = path.join(scratch, 'refused-redis');
    const started = spawnTracked({
      DATA_DIR: dataDir,
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
    });
    expect(await exitCodeOf(started)).not.toBe(0);
    expectOneClearLine(started, /^Startup failed: REDIS_URL: .*connection refused/);
    expect(existsSync(dataDir)).toBe(false);
  }, 90_000);

  it('when the worker’s DATABASE_URL refuses connections, then it exits non-zero with one line naming it', async () => {
    const started = spawnTracked(
      { ...keys(), DATABASE_URL: `postgres://postgres@127.0.0.1:${await closedPort()}/nxg` },
      'src/worker.ts',
    );
    expect(await exitCodeOf(started)).not.toBe(0);
    expectOneClearLine(started, /^Worker startup failed: DATABASE_URL: .*connection refused/);
  }, 90_000);
});
