import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { WorkGate } from './work-gate.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('WorkGate', () => {
  it('when more jobs arrive than it runs at once, then the rest wait their turn', async () => {
    const gate = new WorkGate(2, 10);
    let running = 0;
    let peak = 0;
    const job = async () => {
      running += 1;
      peak = Math.max(peak, running);
      await tick(20);
      running -= 1;
      return 'done';
    };
    const results = await Promise.all(Array.from({ length: 7 }, () => gate.run(job)));
    expect(results).toEqual(Array(7).fill('done'));
    expect(peak).toBe(2);
  });

  it('when the queue is full, then further jobs are refused with 503 at once', async () => {
    const gate = new WorkGate(1, 1);
    const slow = () => tick(50);
    const accepted = [gate.run(slow), gate.run(slow)];
    const refused = await gate.run(slow).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).status).toBe(503);
    await Promise.all(accepted);
  });

  it('when a queued job’s client hangs up, then its work is skipped and the slot freed', async () => {
    const gate = new WorkGate(1, 5);
    let ran = 0;
    const work = () => {
      ran += 1;
      return Promise.resolve();
    };
    const first = gate.run(() => tick(30));
    const hangUp = new AbortController();
    const abandoned = gate.run(work, hangUp.signal);
    hangUp.abort();
    await expect(abandoned).rejects.toThrow();
    await first;
    await gate.run(work);
    expect(ran).toBe(1);
  });

  it('when a job throws, then its slot is released', async () => {
    const gate = new WorkGate(1, 1);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.run(() => Promise.resolve(42))).resolves.toBe(42);
  });
});
