import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import supertest from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { createTestApp, type TestApp } from '../test-support/test-app.js';
import { waitUntil } from '../test-support/job-test-support.js';
import { createErrorReporting, type ErrorReporting } from './error-reporting.js';
import { deploymentEnvironment, release } from './release.js';

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
  // Closing the database makes the next query fail in a way no error mapping expects.
  await t.container.database.close();
});

let reporting: ErrorReporting | undefined;

beforeEach(() => {
  envelopes.length = 0;
});

// The SDK's client is global: each test starts its own and ends it.
afterEach(async () => {
  await reporting?.close();
  reporting = undefined;
});

afterAll(async () => {
  await new Promise((resolve) => ingest.close(resolve));
  await t.close().catch(() => undefined);
});

interface Span {
  name: string;
  is_segment: boolean;
  attributes: Record<string, { value: unknown }>;
}

interface EnvelopeItem {
  type: string;
  payload: { release?: string; environment?: string; items?: Span[] };
}

/** The items of every envelope received: a header line, then item header and payload pairs. */
function receivedItems(): EnvelopeItem[] {
  return envelopes.flatMap((envelope) => {
    const lines = envelope.split('\n').filter((line) => line.length > 0);
    const items: EnvelopeItem[] = [];
    for (let i = 1; i + 1 < lines.length; i += 2) {
      const header = JSON.parse(lines[i] ?? '{}') as { type: string };
      items.push({ type: header.type, payload: JSON.parse(lines[i + 1] ?? '{}') as never });
    }
    return items;
  });
}

/** The root spans of requests to `path` (the SDK sends them as span items, one per segment). */
function requestSegments(path: string): Span[] {
  return receivedItems()
    .filter((item) => item.type === 'span')
    .flatMap((item) => item.payload.items ?? [])
    .filter((span) => span.is_segment && span.attributes['url.path']?.value === path);
}

/** Reports to the loopback ingest, then makes a login that fails with an unexpected error. */
async function failingLoginReportedWith(tracesSampleRate: number) {
  const { port } = ingest.address() as AddressInfo;
  const started = await createErrorReporting(
    { dsn: `http://publickey@127.0.0.1:${String(port)}/42`, tracesSampleRate },
    t.container.logger,
  );
  if (!started) throw new Error('a DSN was given: reporting must be on');
  reporting = started;
  const app = createApp(t.container, { reportError: started.report });
  const res = await supertest(app)
    .post('/api/auth/login')
    .set('Authorization', 'Bearer not-a-real-token-but-secret')
    .send({ login: 'someone@example.test', password: 'secret password' })
    .expect(500);
  await started.flush();
  return { res, reporting: started };
}

describe('unexpected errors', () => {
  it('when a handler fails unexpectedly, then a bare 500 leaves and Sentry receives the error without its data', async () => {
    const { res } = await failingLoginReportedWith(0);
    expect(res.body).toEqual({
      type: 'tag:nxg-connect,2026:problem:internal',
      title: 'Internal server error',
      status: 500,
      detail: 'Something went wrong on our side.',
      code: 'INTERNAL',
      correlationId: res.headers['x-request-id'],
    });
    const sent = envelopes.join('\n');
    expect(sent).toContain(res.headers['x-request-id']);
    expect(sent).not.toContain('someone@example.test');
    expect(sent).not.toContain('secret password');
    expect(t.logs.text).toContain('unhandled error');
    expect(t.logs.text).not.toContain('someone@example.test');
  });

  it('when an error is reported, then it names the release as service@version and the environment, and no trace goes with it by default', async () => {
    await failingLoginReportedWith(0);
    const items = receivedItems();
    const errors = items.filter((item) => item.type === 'event');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.payload).toMatchObject({
      release: `${release.service}@${release.version}`,
      environment: deploymentEnvironment(),
    });
    expect(items.filter((item) => item.type === 'span')).toEqual([]);
  });

  it('when SENTRY_TRACES_SAMPLE_RATE is 1, then the request is traced under its route template, with the release and environment and without what the client sent', async () => {
    const { reporting: tracing } = await failingLoginReportedWith(1);
    // The request's span ends when its response closes, which may be after the client has read it.
    await waitUntil(async () => {
      await tracing.flush();
      return requestSegments('/api/auth/login').length > 0;
    });
    expect(receivedItems().filter((item) => item.type === 'event')).toHaveLength(1);
    const segments = requestSegments('/api/auth/login');
    expect(segments).toHaveLength(1);
    expect(segments[0]?.name).toBe('POST /api/auth/login');
    expect(segments[0]?.attributes).toMatchObject({
      'sentry.release': { value: `${release.service}@${release.version}` },
      'sentry.environment': { value: deploymentEnvironment() },
      'http.response.status_code': { value: 500 },
    });
    const sent = envelopes.join('\n');
    expect(sent).not.toContain('someone@example.test');
    expect(sent).not.toContain('secret password');
    expect(sent).not.toContain('not-a-real-token-but-secret');
  });
});
