import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TaskCancelledError } from 'cockatiel';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger.js';
import { LogCapture } from '../test-support/log-capture.js';
import { errorHandler } from './error-handler.js';

/** An app whose one route waits for its client to hang up, then fails with `error`. */
async function serverFailingAfterHangUp(error: () => Error, logs: LogCapture) {
  const reported: unknown[] = [];
  let markReceived: () => void = () => undefined;
  const received = new Promise<void>((resolve) => (markReceived = resolve));
  const app = express();
  app.get('/work', async (req) => {
    markReceived();
    await once(req.socket, 'close');
    throw error();
  });
  app.use(
    errorHandler({
      logger: createLogger('info', logs),
      bodyLimitBytes: 1024,
      report: (reportedError) => reported.push(reportedError),
    }),
  );
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, reported, received };
}

/** Sends the request and hangs up once the route is running. */
async function hangUpDuringRequest(port: number, received: Promise<void>): Promise<void> {
  const request = http.get({ host: '127.0.0.1', port, path: '/work' });
  request.on('error', () => undefined);
  await received;
  request.destroy();
}

async function waitForLine(logs: LogCapture, message: string): Promise<Record<string, unknown>> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    const line = logs.entries().find((entry) => entry.msg === message);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no "${message}" line: ${logs.text}`);
}

describe('error handler', () => {
  it('when work is cancelled because its client hung up, then it is logged at info and not reported', async () => {
    const logs = new LogCapture();
    const { server, port, reported, received } = await serverFailingAfterHangUp(
      () => new TaskCancelledError(),
      logs,
    );
    try {
      await hangUpDuringRequest(port, received);
      const line = await waitForLine(logs, 'client went away; its work was stopped');
      expect(line.level).toBe(30);
      expect(logs.entries().some((entry) => entry.level === 50)).toBe(false);
      expect(reported).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('when another error follows a hang-up, then it is still an unhandled error, reported', async () => {
    const logs = new LogCapture();
    const { server, port, reported, received } = await serverFailingAfterHangUp(
      () => new Error('a real bug'),
      logs,
    );
    try {
      await hangUpDuringRequest(port, received);
      const line = await waitForLine(logs, 'unhandled error');
      expect(line.level).toBe(50);
      expect(reported).toHaveLength(1);
    } finally {
      server.close();
    }
  });
});
