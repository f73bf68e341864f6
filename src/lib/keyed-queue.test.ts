import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { KeyedQueue } from './keyed-queue.js';

/** A promise and the functions that settle it. */
function deferred(): {
  promise: Promise<string>;
  resolve(value: string): void;
  reject(error: Error): void;
} {
  let resolve: (value: string) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every settled promise's reactions run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedQueue', () => {
  it('when jobs share a key, then each starts only after the one before it ended, in order', async () => {
    const queue = new KeyedQueue(10);
    const started: string[] = [];
    const first = deferred();
    const second = deferred();
    const a = queue.run('member', () => (started.push('a'), first.promise));
    const b = queue.run('member', () => (started.push('b'), second.promise));
    const c = queue.run('member', () => (started.push('c'), Promise.resolve('c')));
    await settle();
    expect(started).toEqual(['a']);
    first.resolve('a');
    await settle();
    expect(started).toEqual(['a', 'b']);
    second.resolve('b');
    await expect(Promise.all([a, b, c])).resolves.toEqual(['a', 'b', 'c']);
    expect(queue.activeKeys).toBe(0);
  });

  it('when jobs have different keys, then they run at once', async () => {
    const queue = new KeyedQueue(10);
    const started: string[] = [];
    const held = deferred();
    void queue.run('one', () => (started.push('one'), held.promise));
    void queue.run('two', () => (started.push('two'), held.promise));
    await settle();
    expect(started).toEqual(['one', 'two']);
    held.resolve('done');
  });

  it('when a job fails, then its caller gets the error and the next job still runs', async () => {
    const queue = new KeyedQueue(10);
    const failed = queue.run('member', () => Promise.reject(new Error('boom')));
    const next = queue.run('member', () => Promise.resolve('next'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
    expect(queue.activeKeys).toBe(0);
  });

  it('when more jobs wait than allowed, then the next is refused with 503 until the queue drains', async () => {
    const queue = new KeyedQueue(2);
    const held = deferred();
    const accepted = [1, 2, 3].map(() => queue.run('member', () => held.promise));
    const refused = queue.run('member', () => Promise.resolve('late'));
    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({ status: 503 });
    // Another member is not affected.
    await expect(queue.run('other', () => Promise.resolve('other'))).resolves.toBe('other');
    held.resolve('done');
    await Promise.all(accepted);
    await expect(queue.run('member', () => Promise.resolve('again'))).resolves.toBe('again');
  });
});
