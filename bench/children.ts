/**
 * Child processes of the benchmark: started in their own process group so that stopping one
 * also stops whatever it spawned (`npm run build` runs a shell that runs tsc), and tracked so
 * that every exit path of the benchmark can kill them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

const TAIL_LINES = 40;

/** A process the benchmark started, with the end of its output kept to explain failures. */
export interface ChildHandle {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves once the process has exited: "0", another exit code, or the signal name. */
  readonly exited: Promise<string>;
  /** Whether the process has exited. */
  hasExited(): boolean;
  /** The last lines the process wrote to stdout and stderr. */
  tail(): string[];
  /** How many lines the process wrote in total. */
  lineCount(): number;
}

const running = new Set<ChildHandle>();

/** Starts `command` in a new process group with piped output; it is killed on any bench exit. */
export function startChild(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): ChildHandle {
  const child = spawn(command, args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: the group can be signalled as a whole, and a Ctrl-C in the terminal
    // reaches only the benchmark, which then stops its children in order.
    detached: true,
  });
  const lines: string[] = [];
  let total = 0;
  let exitedFlag = false;
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      total += 1;
      lines.push(line);
      if (lines.length > TAIL_LINES) lines.shift();
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => {
      exitedFlag = true;
      lines.push(`spawn error: ${error.message}`);
      resolve(`spawn error: ${error.message}`);
    });
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve(signal ?? String(code));
    });
  });

  const handle: ChildHandle = {
    name,
    child,
    exited,
    hasExited: () => exitedFlag,
    tail: () => [...lines],
    lineCount: () => total,
  };
  running.add(handle);
  void exited.then(() => running.delete(handle));
  return handle;
}

function signalGroup(handle: ChildHandle, signal: NodeJS.Signals): void {
  const pid = handle.child.pid;
  if (pid === undefined || handle.hasExited()) return;
  try {
    // A negative pid addresses the whole process group this child leads.
    process.kill(-pid, signal);
  } catch {
    // Already gone between the check and the signal.
  }
}

/** Asks a child to stop (SIGTERM), then kills its process group if it is not gone in time. */
export async function stopChild(handle: ChildHandle, graceMs: number): Promise<string> {
  if (handle.hasExited()) return handle.exited;
  signalGroup(handle, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const outcome = await Promise.race([handle.exited, timedOut]);
  clearTimeout(timer);
  if (outcome !== 'timeout') return outcome;
  signalGroup(handle, 'SIGKILL');
  return handle.exited;
}

/** Stops every child still running, in parallel. */
export async function stopAllChildren(graceMs: number): Promise<void> {
  await Promise.all([...running].map((handle) => stopChild(handle, graceMs)));
}

/** Last resort from a synchronous `exit` handler: no time is left for a graceful stop. */
export function killAllChildrenNow(): void {
  for (const handle of running) signalGroup(handle, 'SIGKILL');
}

/** Runs a command to completion; rejects with its output tail when it fails. */
export async function runToCompletion(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const handle = startChild(name, command, args, env);
  const outcome = await handle.exited;
  if (outcome !== '0') {
    throw new Error(`${name} failed (${outcome}):\n${handle.tail().join('\n')}`);
  }
}

/** A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port assigned');
  return address.port;
}

/**
 * Polls `url` until it answers 200. Fails early, with the child's output, when the child exits,
 * and after `timeoutMs` with the last answer seen, so a broken start explains itself.
 */
export async function waitForHttpOk(
  url: string,
  handle: ChildHandle,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastSeen = 'no answer yet';
  while (Date.now() < deadline) {
    if (handle.hasExited()) {
      const outcome = await handle.exited;
      throw new Error(
        `${handle.name} exited (${outcome}) before ${url} answered 200:\n${handle.tail().join('\n')}`,
      );
    }
    try {
      // Longer than the API's own 2 s per-dependency probe timeout, so its 503 body arrives.
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      const text = await response.text();
      if (response.status === 200) return;
      lastSeen = `${response.status} ${text.slice(0, 300)}`;
    } catch (error) {
      lastSeen = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `${handle.name}: ${url} did not answer 200 within ${timeoutMs} ms (last: ${lastSeen}):\n` +
      handle.tail().join('\n'),
  );
}
