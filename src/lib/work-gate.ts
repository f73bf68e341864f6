import { serviceUnavailable } from './errors.js';

/**
 * Bounds CPU-heavy work (bcrypt): at most `concurrency` jobs run, at most `maxQueued` wait, and
 * the rest are refused with 503 at once. Without it, a login flood queues minutes of hashing on
 * libuv's thread pool, long after the clients gave up, and even blocks process exit.
 */
export class WorkGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
  ) {}

  /** Runs the job when a slot frees; skips it if `signal` aborted while it waited. */
  async run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxQueued) {
        throw serviceUnavailable('The server is busy checking passwords; retry shortly.');
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      // A client that hung up while queued gets nothing from the work, so none is done.
      signal?.throwIfAborted();
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
