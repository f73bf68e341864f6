import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { createTestApp, type TestApp } from '../test-support/test-app.js';
import { createErrorReporting } from './error-reporting.js';

/** A Sentry ingest endpoint on loopback that keeps every envelope it receives. */
let ingest: Server;
const envelopes: string[] = [];
let t: TestApp;

beforeAll(async () => {
  ingest = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      envelopes.push(
        req.headers['content-encoding'] === 'gzip' ? gunzipSync(body).toString() : body.toString(),
      );
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => ingest.listen(0, '127.0.0.1', resolve));
  t = await createTestApp();
});

afterAll(async () => {
  await new Promise((resolve) => ingest.close(resolve));
  await t.close().catch(() => undefined);
});

describe('unexpected errors', () => {
  it('when a handler fails unexpectedly, then a bare 500 leaves and Sentry receives the error without its data', async () => {
    const { port } = ingest.address() as AddressInfo;
    const reporting = await createErrorReporting(
      `http://publickey@127.0.0.1:${String(port)}/42`,
      t.container.logger,
    );
    const app = createApp(t.container, { reportError: reporting?.report });
    // Closing the database makes the next query fail in a way no error mapping expects.
    await t.container.database.close();
    const { default: supertest } = await import('supertest');
    const res = await supertest(app)
      .post('/api/auth/login')
      .send({ login: 'someone@example.test', password: 'secret password' })
      .expect(500);
    expect(res.body).toEqual({
      type: 'tag:nxg-connect,2026:problem:internal',
      title: 'Internal server error',
      status: 500,
      detail: 'Something went wrong on our side.',
      code: 'INTERNAL',
      correlationId: res.headers['x-request-id'],
    });
    await reporting?.flush();
    const sent = envelopes.join('\n');
    expect(sent).toContain(res.headers['x-request-id']);
    expect(sent).not.toContain('someone@example.test');
    expect(sent).not.toContain('secret password');
    expect(t.logs.text).toContain('unhandled error');
    expect(t.logs.text).not.toContain('someone@example.test');
  });
});
