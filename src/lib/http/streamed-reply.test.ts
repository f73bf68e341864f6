import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express from 'express';
import { pinoHttp } from 'pino-http';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../../middleware/error-handler.js';
import { requestId } from '../../middleware/request-id.js';
import { serviceUnavailable } from '../errors.js';
import { createLogger } from '../logger.js';
import { defineRoute, mountRoutes } from './route.js';

const logger = createLogger('silent');
let sourceClosed = false;
let releaseSlowSource: () => void = () => undefined;

/** A public route per streaming case, mounted as the app mounts groups. */
function streamingApp() {
  const app = express();
  app.use(requestId);
  app.use(pinoHttp({ logger, genReqId: (req) => req.id }));
  const route = (path: string, stream: () => AsyncIterable<string>) =>
    defineRoute({
      method: 'get',
      path,
      summary: path,
      access: 'public',
      responses: { 200: { description: 'text', contentType: 'text/plain' } },
      handler: () =>
        Promise.resolve({
          status: 200,
          contentType: 'text/plain; charset=utf-8',
          stream: stream(),
        }),
    });
  const router = express.Router();
  mountRoutes(
    router,
    {
      basePath: '/stream',
      tag: 'Streams',
      routes: [
        route('/pieces', async function* () {
          for (let i = 0; i < 50; i++) {
            await Promise.resolve();
            yield `piece ${i}\n`;
          }
        }),
        route('/fails-first', () => ({
          [Symbol.asyncIterator]: () => ({
            next: () => Promise.reject(serviceUnavailable('The database is busy; retry shortly.')),
          }),
        })),
        route('/fails-midway', async function* () {
          yield 'first piece\n';
          await Promise.resolve();
          throw new Error('lost the database');
        }),
        route('/endless', async function* () {
          try {
            for (;;) {
              yield 'x'.repeat(64 * 1024);
              await new Promise<void>((resolve) => {
                releaseSlowSource = resolve;
                setTimeout(resolve, 50);
              });
            }
          } finally {
            sourceClosed = true;
          }
        }),
      ],
    },
    { registry: new OpenAPIRegistry(), guard: () => (_req, _res, next) => next() },
  );
  app.use('/stream', router);
  app.use(errorHandler({ logger, bodyLimitBytes: 1024 }));
  return app;
}

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer(streamingApp());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('streamed replies', () => {
  it('when a handler answers with a stream, then its pieces arrive in order, chunked', async () => {
    const res = await supertest(server).get('/stream/pieces').expect(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.text.split('\n').slice(0, 3)).toEqual(['piece 0', 'piece 1', 'piece 2']);
    expect(res.text.split('\n')).toHaveLength(51);
  });

  it('when the stream fails before its first piece, then the answer is an ordinary problem', async () => {
    const res = await supertest(server).get('/stream/fails-first').expect(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('when the stream fails midway, then the connection is cut instead of ending cleanly', async () => {
    const outcome = await new Promise<{ status?: number; body: string; aborted: boolean }>(
      (resolve) => {
        get(`${base}/stream/fails-midway`, (res: IncomingMessage) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode, body, aborted: false }));
          res.on('error', () => resolve({ status: res.statusCode, body, aborted: true }));
        }).on('error', () => resolve({ body: '', aborted: true }));
      },
    );
    expect(outcome).toEqual({ status: 200, body: 'first piece\n', aborted: true });
  });

  it('when the client goes away, then the source stops being read', async () => {
    sourceClosed = false;
    await new Promise<void>((resolve, reject) => {
      const request = get(`${base}/stream/endless`, (res) => {
        res.once('data', () => {
          request.destroy();
          resolve();
        });
      });
      request.on('error', (error) => (request.destroyed ? undefined : reject(error)));
    });
    // Generous: the server notices the closed socket on its next write.
    const closed = () => sourceClosed;
    for (let waited = 0; !closed() && waited < 10_000; waited += 20) {
      releaseSlowSource();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(sourceClosed).toBe(true);
  });
});
