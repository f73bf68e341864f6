import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exitCodeOf,
  spawnEntryPoint,
  startServerProcess,
  type RunningServer,
} from './test-support/server-process.js';

// The real entry point in its own process, on the embedded default, as `npm start` runs it.
let dataDir: string;
let server: RunningServer;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'nxg-server-test-'));
  server = await startServerProcess({
    DATA_DIR: dataDir,
    BCRYPT_COST: '10',
    CORS_ORIGINS: 'https://app.nxg.test',
    ADMIN_EMAIL: 'admin@example.test',
    ADMIN_PASSWORD: 'admin password 1',
  });
}, 200_000);

afterAll(async () => {
  // Unset when the start itself failed; that failure is the one worth reading.
  await (server as RunningServer | undefined)?.kill();
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
    const started = spawnEntryPoint({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    try {
      expect(await exitCodeOf(started)).toBe(78);
      expect(started.stderr()).toMatch(/PORT/);
      expect(started.stderr()).toMatch(/LOG_LEVEL/);
    } finally {
      await started.kill();
    }
  });
});
