import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The real entry point in its own process, on the embedded default, as `npm start` runs it. */
interface RunningServer {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** Every process this file started; afterAll ends those still running, whatever happened. */
const children = new Set<ChildProcess>();
const spawnServer = (env: Record<string, string | undefined>) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  return child;
};
afterAll(() => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

/** Starts the server; if it is not listening within `timeoutMs`, kills it and fails. */
function startServer(env: Record<string, string>, timeoutMs = 50_000): Promise<RunningServer> {
  const child = spawnServer({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', ...env });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server not listening after ${String(timeoutMs)} ms: ${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on http:\/\/localhost:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, baseUrl: `http://127.0.0.1:${match[1]}`, output: () => output, exited });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${String(code)}: ${output}`));
    });
  });
}

let dataDir: string;
let server: RunningServer;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'nxg-server-test-'));
  server = await startServer({
    DATA_DIR: dataDir,
    BCRYPT_COST: '10',
    CORS_ORIGINS: 'https://app.nxg.test',
    ADMIN_EMAIL: 'admin@example.test',
    ADMIN_PASSWORD: 'admin password 1',
  });
}, 60_000);

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

async function post(pathName: string, body: unknown, token?: string) {
  const res = await fetch(`${server.baseUrl}${pathName}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json().catch(() => null)) as Record<string, never>,
  };
}

/** 'connected', or the connect_error message. */
function socketOutcome(
  token: string | undefined,
  origin?: string,
  namespace = '/workouts',
): Promise<string> {
  const socket = connectSocket(`${server.baseUrl}${namespace}`, {
    path: '/api/ws',
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: origin ? { origin } : {},
  });
  return new Promise((resolve) => {
    socket.on('connect', () => {
      socket.close();
      resolve('connected');
    });
    socket.on('connect_error', (error) => {
      socket.close();
      resolve(error.message);
    });
  });
}

describe('the server process', () => {
  it('when started on the embedded default, then it migrates, creates the admin and serves', async () => {
    const live = await fetch(`${server.baseUrl}/health/live`);
    expect(live.status).toBe(200);
    const admin = await post('/api/auth/login', {
      login: 'admin@example.test',
      password: 'admin password 1',
    });
    expect(admin.status).toBe(200);
    expect(admin.body.user).toMatchObject({ role: 'admin' });
    expect(server.output()).toContain('"database":"pglite"');
  });

  it('when a socket connects, then only a live token from an allowed origin gets in', async () => {
    const reg = await post('/api/auth/register', {
      username: 'socketeer',
      email: 'socketeer@example.test',
      password: 'socket password',
      name: 'Socket',
    });
    const token = String(reg.body.accessToken);
    expect(await socketOutcome(token)).toBe('connected');
    expect(await socketOutcome(token, 'https://app.nxg.test')).toBe('connected');
    expect(await socketOutcome(undefined)).toBe('UNAUTHENTICATED');
    expect(await socketOutcome('not.a.token')).toBe('UNAUTHENTICATED');
    expect(await socketOutcome(token, 'https://evil.example')).not.toBe('connected');
    // The main namespace serves nothing; the feature namespaces are the only way in.
    expect(await socketOutcome(token, undefined, '/')).toBe('NOT_FOUND');
    expect((await post('/api/auth/logout', {}, token)).status).toBe(204);
    expect(await socketOutcome(token)).toBe('UNAUTHENTICATED');
  });

  it('when SIGTERM arrives mid-request, then the request completes and the process exits 0', async () => {
    // `Expect: 100-continue`: the server answers "continue" once it has taken the request up,
    // so the signal lands while the request is surely in flight, however busy the machine is.
    const body = JSON.stringify({ login: 'admin', password: 'admin password 1' });
    const login = httpRequest(`${server.baseUrl}/api/auth/login`, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        expect: '100-continue',
      },
    });
    const answered = once(login, 'response') as Promise<[IncomingMessage]>;
    const continued = once(login, 'continue');
    login.flushHeaders();
    await continued;
    server.child.kill('SIGTERM');
    login.end(body);
    const [response] = await answered;
    response.resume();
    expect(response.statusCode).toBe(200);
    // Exit code 0, not a SIGKILL from the shutdown timeout: the shutdown finished in time.
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('shutdown complete');
    await expect(fetch(`${server.baseUrl}/health/live`)).rejects.toThrow();
  });
});

describe('a misconfigured start', () => {
  it('when a variable is wrong, then the process exits 78 naming it', async () => {
    const child = spawnServer({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(78);
    expect(stderr).toMatch(/PORT/);
    expect(stderr).toMatch(/LOG_LEVEL/);
  }, 60_000);
});
