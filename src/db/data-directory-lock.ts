/* eslint-disable security/detect-non-literal-fs-filename -- the lock sits beside DATA_DIR/pglite, a path from configuration */
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { StartupError } from '../lib/startup-error.js';

/** Thrown when another live process holds the directory; entry points print it as one line. */
export class DirectoryLockedError extends StartupError {
  constructor(
    readonly directory: string,
    /** Undefined when the holder is still writing its lock file. */
    readonly holder?: LockHolder,
  ) {
    const who = !holder
      ? 'another process that is locking it right now'
      : holder.hostname === hostname()
        ? `process ${holder.pid}`
        : `process ${holder.pid} on host ${holder.hostname}`;
    super(
      `${directory} is in use by ${who} (lock file ${lockFileOf(directory)}). ` +
        'PGlite serves one process only: stop that process, or give this one another DATA_DIR. ' +
        'Delete the lock file only if no such process is running.',
    );
    this.name = 'DirectoryLockedError';
  }
}

/** What a lock file records about its holder. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** Tells this holder's lock apart from a later one by a process with the same pid. */
  instance: string;
  acquiredAt: string;
}

/** A held lock; `release` removes the lock file if it is still this holder's. */
export interface DirectoryLock {
  readonly file: string;
  release(): void;
}

/** `<directory>.lock`, beside the directory so that nothing foreign lands inside it. */
export function lockFileOf(directory: string): string {
  return `${directory}.lock`;
}

// Locks this process holds, by lock file: a lock naming our own pid is ours only if listed here.
const heldHere = new Map<string, string>();

// A lock file still empty this long after it was created belongs to a holder that died
// between creating and writing it; younger, its holder may be writing it right now.
const UNWRITTEN_LOCK_GRACE_MS = 10_000;

/**
 * Takes `directory` for this process, or throws DirectoryLockedError naming the process that
 * has it. The lock is a file created exclusively (`wx`) holding the pid; a file whose process
 * is gone (killed, crashed) is stale and taken over. Released on `release()` and, as far as
 * possible, when the process exits. Two processes taking over the same stale lock at the very
 * same moment could both succeed; starting two servers on one directory at once after a crash
 * is not guarded against beyond that.
 */
export function lockDirectory(directory: string): DirectoryLock {
  const file = lockFileOf(directory);
  for (let attempt = 0; attempt < 3; attempt++) {
    const holder: LockHolder = {
      pid: process.pid,
      hostname: hostname(),
      instance: randomUUID(),
      acquiredAt: new Date().toISOString(),
    };
    if (tryCreate(file, holder)) return heldLock(file, holder.instance);
    const current = readHolder(file);
    if (current === 'gone') continue;
    if (current !== 'unwritten' && isAlive(current, file)) {
      throw new DirectoryLockedError(directory, current);
    }
    if (current === 'unwritten' && !isOlderThan(file, UNWRITTEN_LOCK_GRACE_MS)) {
      throw new DirectoryLockedError(directory);
    }
    removeIfPresent(file);
  }
  throw new Error(`could not lock ${directory}: its lock file keeps changing`);
}

function tryCreate(file: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readHolder(file: string): LockHolder | 'gone' | 'unwritten' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed.pid === 'number' && typeof parsed.instance === 'string') {
      return {
        pid: parsed.pid,
        hostname: typeof parsed.hostname === 'string' ? parsed.hostname : 'unknown',
        instance: parsed.instance,
        acquiredAt: typeof parsed.acquiredAt === 'string' ? parsed.acquiredAt : '',
      };
    }
  } catch {
    // Not (yet) JSON: judged by the file's age below.
  }
  return 'unwritten';
}

function isAlive(holder: LockHolder, file: string): boolean {
  // A process on another host (a shared volume) cannot be checked: assume it runs.
  if (holder.hostname !== hostname()) return true;
  // Our own pid: ours if we took it in this process; otherwise left by an earlier process
  // that had the same pid (containers restart as pid 1).
  if (holder.pid === process.pid) return heldHere.get(file) === holder.instance;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isOlderThan(file: string, ms: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > ms;
  } catch {
    return true;
  }
}

function removeIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function heldLock(file: string, instance: string): DirectoryLock {
  heldHere.set(file, instance);
  const release = () => {
    if (heldHere.get(file) !== instance) return;
    heldHere.delete(file);
    process.off('exit', release);
    const current = readHolder(file);
    if (typeof current === 'object' && current.instance === instance) removeIfPresent(file);
  };
  // process.exit() skips the graceful path (a failed startup); the lock goes with it anyway.
  process.on('exit', release);
  return { file, release };
}
