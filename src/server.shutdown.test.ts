import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The real entry point in its own process, as `npm start` runs it on the embedded default. */
interface RunningServer {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startServer(env: Record<string, string>): Promise<RunningServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { PATH: process.env.PATH, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on http:\/\/localhost:(\d+)/.exec(output);
      if (match) resolve({ child, port: Number(match[1]), output: () => output, exited });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(({ code }) =>
      reject(new Error(`server exited with ${String(code)}: ${output}`)),
    );
  });
}

interface Outcome {
  path: string;
  /** Sent after the server had logged that it is shutting down. */
  sentAfterShutdownBegan: boolean;
  status?: number;
  connection?: string;
  error?: string;
}

/** One request on the shared keep-alive agent; network errors are part of the outcome. */
function send(
  port: number,
  agent: Agent,
  pathName: string,
  token: string,
  sentAfterShutdownBegan: boolean,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: pathName,
        agent,
        headers: { authorization: `Bearer ${token}` },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            path: pathName,
            sentAfterShutdownBegan,
            status: res.statusCode,
            connection: res.headers.connection,
          }),
        );
        res.on('error', (error: NodeJS.ErrnoException) =>
          resolve({ path: pathName, sentAfterShutdownBegan, error: error.code ?? error.message }),
        );
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ path: pathName, sentAfterShutdownBegan, error: error.code ?? error.message }),
    );
    req.end();
  });
}

let dataDir: string;
let server: RunningServer | undefined;

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'nxg-shutdown-test-'));
});

afterAll(() => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGKILL');
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('SIGTERM under keep-alive load', () => {
  it('when SIGTERM lands mid-load, then accepted requests complete with Connection: close, readiness turns 503, nothing is reset and the process exits 0', async () => {
    server = await startServer({
      DATA_DIR: dataDir,
      BCRYPT_COST: '4',
      RATE_LIMIT_USER_MAX: '1000000',
      RATE_LIMIT_ANONYMOUS_MAX: '1000000',
      LOG_LEVEL: 'info',
    });
    const running = server;
    const register = await fetch(`http://127.0.0.1:${running.port}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'loader',
        email: 'loader@example.test',
        password: 'loader password',
        name: 'Loader',
      }),
    });
    const { accessToken } = (await register.json()) as { accessToken: string };

    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const outcomes: Outcome[] = [];
    let shutdownBegan = false;
    running.child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('shutting down')) shutdownBegan = true;
    });
    let exited = false;
    const exit = running.exited.then((result) => {
      exited = true;
      return result;
    });

    // Eight clients, each sending its next request as soon as the last one is answered, until
    // a connection is refused (the server stopped listening) or the process is gone.
    const clients = Array.from({ length: 8 }, async (_, i) => {
      const pathName = i === 0 ? '/health/ready' : '/api/users/me';
      for (;;) {
        const outcome = await send(running.port, agent, pathName, accessToken, shutdownBegan);
        outcomes.push(outcome);
        if (outcome.error || exited) return;
      }
    });
    try {
      // Let the load run, then signal while every connection is busy.
      const started = Date.now();
      while (outcomes.length < 300 && Date.now() - started < 30_000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const sentBeforeSignal = outcomes.length;
      const signalledAt = Date.now();
      running.child.kill('SIGTERM');
      const { code, signal } = await exit;
      const secondsToExit = (Date.now() - signalledAt) / 1000;
      await Promise.all(clients);

      const during = outcomes.slice(sentBeforeSignal);
      const summary = {
        completed: during.filter((o) => o.status !== undefined).length,
        refusedAtConnect: during.filter((o) => o.error === 'ECONNREFUSED').length,
        reset: during.filter((o) => o.error !== undefined && o.error !== 'ECONNREFUSED').length,
        exitCode: code,
        secondsToExit,
      };
      process.stdout.write(`shutdown under keep-alive load: ${JSON.stringify(summary)}\n`);

      expect(signal).toBeNull();
      expect(code).toBe(0);
      expect(running.output()).toContain('shutdown complete');
      // Requests were either answered or refused at connect; none was cut.
      expect(outcomes.filter((o) => o.error && o.error !== 'ECONNREFUSED')).toEqual([]);
      expect(
        outcomes.filter(
          (o) => o.status !== undefined && o.status >= 500 && o.path !== '/health/ready',
        ),
      ).toEqual([]);
      // Whatever was sent once shutdown began was answered with Connection: close (or refused).
      const late = outcomes.filter((o) => o.sentAfterShutdownBegan && o.status !== undefined);
      expect(late.filter((o) => o.connection !== 'close')).toEqual([]);
      // Readiness answered during the drain said 503.
      const drainingReady = outcomes.filter(
        (o) => o.path === '/health/ready' && o.connection === 'close',
      );
      expect(drainingReady.length).toBeGreaterThan(0);
      expect(drainingReady.map((o) => o.status)).toEqual(drainingReady.map(() => 503));
    } finally {
      agent.destroy();
      if (running.child.exitCode === null && running.child.signalCode === null) {
        running.child.kill('SIGKILL');
      }
    }
  }, 90_000);
});
