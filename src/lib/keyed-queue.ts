import { serviceUnavailable } from './errors.js';

/**
 * Runs work one at a time per key, in arrival order; work under different keys runs at once.
 * At most `maxWaiting` jobs wait per key; one more is refused with 503 and `Retry-After`.
 *
 * Used for a member's writes: they take the member's locks in PostgreSQL and so run one at a
 * time anyway, but there each waiting write holds a pooled connection while it waits. A phone
 * sending its offline backlog ten at a time then held the whole pool of an instance, and every
 * other member's request waited for a connection. Queued here, a member's writes hold at most
 * one connection per instance.
 */
export class KeyedQueue {
  private readonly queues = new Map<string, { tail: Promise<unknown>; size: number }>();

  constructor(private readonly maxWaiting: number) {}

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const queue = this.queues.get(key) ?? { tail: Promise.resolve(), size: 0 };
    // `size` counts the running job too.
    if (queue.size > this.maxWaiting) {
      return Promise.reject(
        serviceUnavailable('Too many of your changes are waiting to be saved; retry shortly.', 1),
      );
    }
    const result = queue.tail.then(work);
    queue.size += 1;
    queue.tail = result.then(
      () => this.finished(key, queue),
      () => this.finished(key, queue),
    );
    this.queues.set(key, queue);
    return result;
  }

  /** Keys with work running or waiting (a key is forgotten when its last job ends). */
  get activeKeys(): number {
    return this.queues.size;
  }

  private finished(key: string, queue: { size: number }): void {
    queue.size -= 1;
    if (queue.size === 0) this.queues.delete(key);
  }
}
