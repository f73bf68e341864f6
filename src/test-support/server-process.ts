// The real entry points in child processes, for tests of what only a whole process shows (a
// crash on an unhandled 'error' event, exit codes, startup order). Nothing here may import
// vitest: `npm run build` compiles every file under src/ that is not a *.test.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A child running src/server.ts (or another entry point) and everything it printed. */
export interface ServerProcess {
  child: ChildProcess;
  /** stdout and stderr together, as printed so far. */
  output(): string;
  /** stderr alone, where entry points print why they could not start. */
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGKILLs the child unless it has already exited; resolves once it has. */
  kill(): Promise<void>;
}

/** A started server that announced its port. */
export interface RunningServer extends ServerProcess {
  baseUrl: string;
}

/** Spawns `entry` (default src/server.ts) through tsx with only `env` and PATH set. */
export function spawnEntryPoint(
  env: Record<string, string>,
  entry = 'src/server.ts',
): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { PATH: process.env.PATH, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
  return {
    child,
    output: () => output,
    stderr: () => stderr,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Spawns the server on a loopback port of its own choosing (PORT=0 unless given) and resolves
 * once it logs that it listens; rejects with its output if it exits first or takes longer than
 * `timeoutMs` (then it is killed).
 */
export async function startServerProcess(
  env: Record<string, string>,
  // Generous: a cold start compiles the app with tsx, and CI may share both cores.
  timeoutMs = 150_000,
): Promise<RunningServer> {
  const started = spawnEntryPoint({ PORT: '0', HOST: '127.0.0.1', ...env });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`server did not listen in ${timeoutMs} ms: ${started.output()}`)),
        timeoutMs,
      );
      const check = () => {
        const match = /listening on http:\/\/localhost:(\d+)/.exec(started.output());
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      started.child.stdout?.on('data', check);
      started.child.stderr?.on('data', check);
      void started.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${String(code)}: ${started.output()}`));
      });
    });
    return { ...started, baseUrl: `http://127.0.0.1:${port}` };
  } catch (error) {
    await started.kill();
    throw error;
  }
}

/**
 * Resolves with the exit code once the process has exited; if it is still running after
 * `timeoutMs` it is killed and this rejects with its output.
 */
export async function exitCodeOf(
  started: ServerProcess,
  timeoutMs = 60_000,
): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      void started.kill();
      reject(new Error(`still running after ${timeoutMs} ms: ${started.output()}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([started.exited, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** A loopback port nothing listens on: taken from the system, then given back. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
