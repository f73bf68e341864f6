import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express from 'express';
import supertest from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { errorHandler } from '../../middleware/error-handler.js';
import { requestId } from '../../middleware/request-id.js';
import { conflict, notFound } from '../errors.js';
import { createLogger } from '../logger.js';
import { z } from '../zod.js';
import { defineRoute, mountRoutes, type Reply } from './route.js';
import type { ContractViolation } from './response-contract.js';

const logger = createLogger('silent');
const violations: ContractViolation[] = [];
beforeEach(() => {
  violations.length = 0;
});

const item = z.object({ id: z.string(), name: z.string() });
const page = z.object({ items: z.array(item), nextCursor: z.string().nullable() });
const syncPage = page.extend({ deleted: z.array(z.string()) });

/** A public GET answering `reply`, declaring 200 with `schema` (and 404 when told). */
const route = (path: string, reply: () => Reply, schema: z.ZodType = item, errors?: number[]) =>
  defineRoute({
    method: 'get',
    path,
    summary: path,
    access: 'public',
    params: path.includes(':id') ? z.strictObject({ id: z.string() }) : undefined,
    errors,
    responses: { 200: { description: 'An item', schema } },
    handler: () => Promise.resolve(reply()),
  });

/** Routes mounted as the app mounts them, with the contract check on. */
function appWithCheckedRoutes() {
  const app = express();
  app.use(requestId);
  const router = express.Router();
  const ok = { id: 'i1', name: 'Bench' };
  mountRoutes(
    router,
    {
      basePath: '/items',
      tag: 'Items',
      routes: [
        route('/ok', () => ({ status: 200, body: ok })),
        route('/missing-field', () => ({ status: 200, body: { id: 'i1' } })),
        route(
          '/extra-field',
          () => ({
            status: 200,
            body: { items: [{ ...ok, secret: 'x' }], nextCursor: null },
          }),
          page,
        ),
        route('/undeclared-status', () => ({ status: 202, body: ok })),
        route('/undeclared-problem', () => {
          throw conflict('The machine is in use.', 'MACHINE_OCCUPIED');
        }),
        route(
          '/either-page',
          () => ({
            status: 200,
            body: { items: [ok], nextCursor: null, deleted: ['i2'] },
          }),
          z.union([page, syncPage]),
        ),
        route(
          '/:id',
          () => {
            throw notFound('Item');
          },
          item,
          [404],
        ),
      ],
    },
    {
      registry: new OpenAPIRegistry(),
      guard: () => (_req, _res, next) => next(),
      responseContract: { onViolation: (violation) => violations.push(violation) },
    },
  );
  app.use('/items', router);
  app.use(errorHandler({ logger, bodyLimitBytes: 1024 }));
  return supertest(app);
}

const http = appWithCheckedRoutes();

describe('response contract check', () => {
  it('when replies match their declared responses, then they pass untouched', async () => {
    await http.get('/items/ok').expect(200, { id: 'i1', name: 'Bench' });
    const missing = await http.get('/items/i9').expect(404);
    expect(missing.body).toMatchObject({ code: 'NOT_FOUND' });
    const either = await http.get('/items/either-page').expect(200);
    expect(either.body).toMatchObject({ deleted: ['i2'] });
    expect(violations).toEqual([]);
  });

  it('when a body lacks a declared field, then 500 names the route, status and field', async () => {
    const response = await http.get('/items/missing-field').expect(500);
    expect(response.body).toMatchObject({ code: 'CONTRACT_VIOLATION' });
    expect(response.body.detail).toContain('GET /items/missing-field answered 200');
    expect(violations).toEqual([
      {
        operation: 'GET /items/missing-field',
        status: 200,
        problems: [expect.stringMatching(/^name: /)],
      },
    ]);
  });

  it('when a body carries a field its schema does not declare, then that is a violation too', async () => {
    await http.get('/items/extra-field').expect(500);
    expect(violations).toEqual([
      {
        operation: 'GET /items/extra-field',
        status: 200,
        problems: ['items.0.secret: not declared in the schema'],
      },
    ]);
  });

  it('when a route answers a status it does not declare, then it is caught, problems included', async () => {
    await http.get('/items/undeclared-status').expect(500);
    await http.get('/items/undeclared-problem').expect(500);
    expect(violations).toEqual([
      {
        operation: 'GET /items/undeclared-status',
        status: 202,
        problems: [expect.stringContaining('status 202 is not declared')],
      },
      {
        operation: 'GET /items/undeclared-problem',
        status: 409,
        problems: [expect.stringContaining('status 409 is not declared')],
      },
    ]);
  });
});
