import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The niceness of the hashing threads (Linux: 0 normal, 19 lowest). bcrypt at cost 12 is a
 * quarter-second of pure CPU per sign-in; at normal priority a flood of sign-ins took a whole
 * core from the event loop, PostgreSQL and Redis, and every other request waited. At 19 the
 * scheduler gives hashing what they leave idle: sign-ins slow down under load, other requests
 * do not, and the bounded queue in front (PasswordHasher) answers 503 when sign-ins back up.
 */
export const HASHING_NICENESS = 19;

type HashingJob =
  | { op: 'hash'; password: string; cost: number }
  | { op: 'compare'; password: string; hash: string };

interface HashingReply {
  value?: string | boolean;
  error?: string;
}

// CommonJS, evaluated in each thread: bcrypt is a native CommonJS module, loaded by its resolved
// path so the thread finds it wherever the process was started from. A thread lowers its own
// priority: on Linux a thread has an id of its own that setpriority(2) accepts. Elsewhere it
// keeps the process's priority.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readlinkSync } = require('node:fs');
const { setPriority } = require('node:os');
const bcrypt = require(workerData.bcryptPath);
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), workerData.niceness);
} catch {}
parentPort.on('message', (job) => {
  try {
    const value = job.op === 'hash'
      ? bcrypt.hashSync(job.password, job.cost)
      : bcrypt.compareSync(job.password, job.hash);
    parentPort.postMessage({ value });
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
`;

const bcryptPath = createRequire(import.meta.url).resolve('bcrypt');

/**
 * bcrypt on worker threads of low priority, one job per thread at a time. Threads start when
 * first needed and are kept; the caller bounds how many jobs run at once (PasswordHasher's
 * bulkhead), and so how many threads exist. An idle thread does not keep the process alive.
 */
export class HashingThreads {
  private readonly idle: Worker[] = [];

  async hash(password: string, cost: number): Promise<string> {
    const value = await this.run({ op: 'hash', password, cost });
    if (typeof value !== 'string') throw new Error('bcrypt hash answered no hash');
    return value;
  }

  async compare(password: string, hash: string): Promise<boolean> {
    const value = await this.run({ op: 'compare', password, hash });
    if (typeof value !== 'boolean') throw new Error('bcrypt compare answered no verdict');
    return value;
  }

  private async run(job: HashingJob): Promise<HashingReply['value']> {
    const thread = this.idle.pop() ?? this.spawn();
    // Referenced while it works, so a script awaiting a hash is not ended under it.
    thread.ref();
    const reply = await new Promise<HashingReply>((resolve, reject) => {
      const settle = (outcome: () => void) => {
        thread.off('message', onMessage).off('error', onError).off('exit', onExit);
        outcome();
      };
      const onMessage = (message: HashingReply) => settle(() => resolve(message));
      const onError = (error: Error) => settle(() => reject(error));
      const onExit = (code: number) =>
        settle(() => reject(new Error(`hashing thread exited with code ${String(code)}`)));
      thread.on('message', onMessage).on('error', onError).on('exit', onExit);
      thread.postMessage(job);
    }).catch(async (error: unknown) => {
      // A thread that failed is not used again.
      await thread.terminate();
      throw error;
    });
    thread.unref();
    this.idle.push(thread);
    if (reply.error !== undefined) throw new Error(reply.error);
    return reply.value;
  }

  private spawn(): Worker {
    const thread = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { bcryptPath, niceness: HASHING_NICENESS },
    });
    // Always heard, also while idle (an unheard 'error' would end the process): a thread that
    // failed or ended is not handed work again.
    const forget = () => {
      const index = this.idle.indexOf(thread);
      if (index >= 0) this.idle.splice(index, 1);
    };
    thread.on('error', forget).on('exit', forget);
    return thread;
  }
}

/** The process's hashing threads, shared by every PasswordHasher (tests build many). */
export const hashingThreads = new HashingThreads();
