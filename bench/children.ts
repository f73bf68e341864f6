/**
 * Child processes of the benchmark: started in their own process group so that stopping one
 * also stops whatever it spawned (`npm run build` runs a shell that runs tsc), and tracked so
 * that every exit path of the benchmark can kill them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
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
  /**
   * Lines of output that pass `keep` (e.g. warnings) and the last `max` of them: over the whole
   * log file when there is one, over the kept tail when output is piped.
   */
  matchingLines(keep: (line: string) => boolean, max: number): { count: number; last: string[] };
}

const running = new Set<ChildHandle>();

/** Calls `visit` with every line of a file, reading it in pieces (it may be hundreds of MB). */
function forEachLine(file: string, visit: (line: string) => void): void {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    let carry = '';
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      const pieces = (carry + buffer.toString('utf8', 0, read)).split('\n');
      carry = pieces.pop() ?? '';
      for (const line of pieces) if (line.trim() !== '') visit(line);
    }
    if (carry.trim() !== '') visit(carry);
  } finally {
    closeSync(fd);
  }
}

/**
 * Starts `command` in a new process group; it is killed on any bench exit. Its output is piped
 * and its end kept in memory, or, with `logFile`, written to that file as a deployed server
 * writes its logs (the benchmark process then spends nothing reading them).
 */
export function startChild(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { logFile?: string } = {},
): ChildHandle {
  const logFd = options.logFile === undefined ? undefined : openSync(options.logFile, 'w');
  const child = spawn(command, args, {
    env,
    stdio: logFd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd],
    // Own process group: the group can be signalled as a whole, and a Ctrl-C in the terminal
    // reaches only the benchmark, which then stops its children in order.
    detached: true,
  });
  if (logFd !== undefined) closeSync(logFd); // the child holds its own copy
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
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

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

  const matchingLines = (keep: (line: string) => boolean, max: number) => {
    const last: string[] = [];
    let count = 0;
    const visit = (line: string) => {
      if (!keep(line)) return;
      count += 1;
      last.push(line);
      if (last.length > max) last.shift();
    };
    if (options.logFile === undefined) lines.forEach(visit);
    else forEachLine(options.logFile, visit);
    return { count, last };
  };
  const { logFile } = options;
  const handle: ChildHandle = {
    name,
    child,
    exited,
    hasExited: () => exitedFlag,
    tail: () => (logFile === undefined ? [...lines] : matchingLines(() => true, TAIL_LINES).last),
    lineCount: () => (logFile === undefined ? total : matchingLines(() => true, 0).count),
    matchingLines,
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
