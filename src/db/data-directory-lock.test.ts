import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryLockedError, lockDirectory, lockFileOf } from './data-directory-lock.js';

let scratch: string;
let directory: string;
const releases: (() => void)[] = [];

beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'nxg-lock-test-'));
  directory = path.join(scratch, 'pglite');
});

afterEach(() => {
  for (const release of releases.splice(0)) release();
  rmSync(scratch, { recursive: true, force: true });
});

function lock() {
  const held = lockDirectory(directory);
  releases.push(() => held.release());
  return held;
}

function writeLockOf(pid: number, host = hostname()) {
  writeFileSync(
    lockFileOf(directory),
    JSON.stringify({ pid, hostname: host, instance: 'earlier', acquiredAt: '' }),
  );
}

/** A pid that was just in use and no longer is. */
async function pidOfExitedProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('the data directory lock', () => {
  it('when the directory is locked, then a second lock fails naming the directory and the holder', () => {
    lock();
    expect(() => lockDirectory(directory)).toThrow(DirectoryLockedError);
    expect(() => lockDirectory(directory)).toThrow(
      `${directory} is in use by process ${process.pid}`,
    );
  });

  it('when the lock is released, then the file is gone and the directory can be locked again', () => {
    lock().release();
    expect(existsSync(lockFileOf(directory))).toBe(false);
    expect(() => lock()).not.toThrow();
  });

  it('when the lock file names a process that is gone, then the lock is taken over', async () => {
    writeLockOf(await pidOfExitedProcess());
    lock();
    const holder = JSON.parse(readFileSync(lockFileOf(directory), 'utf8')) as { pid: number };
    expect(holder.pid).toBe(process.pid);
  });

  it('when the lock file names this process but was not taken by it, then it is left from an earlier life and taken over', () => {
    // A container restarts its server as pid 1 again.
    writeLockOf(process.pid);
    expect(() => lock()).not.toThrow();
  });

  it('when the lock file names a live process, then the lock is refused', () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    try {
      writeLockOf(holder.pid!);
      expect(() => lockDirectory(directory)).toThrow(`in use by process ${String(holder.pid)}`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('when the lock file was written on another host, then it is respected, as that process cannot be checked', () => {
    writeLockOf(1, 'another-host');
    expect(() => lockDirectory(directory)).toThrow('on host another-host');
  });
});
