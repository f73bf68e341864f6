import { OpenApiGeneratorV31, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Express } from 'express';
import swaggerUi from 'swagger-ui-express';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import { z } from '../../lib/zod.js';

type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** Builds the OpenAPI 3.1 document from every route registered so far. */
export function buildOpenApiDocument(registry: OpenAPIRegistry): OpenApiDocument {
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  registry.registerPath({
    method: 'get',
    path: '/api/docs',
    summary: 'Swagger UI over this document',
    tags: ['Docs'],
    responses: { 200: { description: 'HTML page' } },
  });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'NXG Connect API',
      version: '0.1.0',
      description: [
        'Backend of the NXG Connect connected-gym app.',
        'Errors are RFC 9457 problem documents (`application/problem+json`) with a stable ' +
          '`code`; `type` is a `tag:` URI naming that code. Every response carries ' +
          '`X-Request-Id`, equal to the problem’s `correlationId`.',
        'Lists take `?limit=` (1-100, default 20) and an opaque `?cursor=` (the previous ' +
          'page’s `nextCursor`; any other is a 400 at `query.cursor`) and answer ' +
          '`{ items, nextCursor }`. Time-ordered lists page on (timestamp, id); lists by name ' +
          '(branches, machines, exercises, foods) on (`lower(name)`, id): case-insensitive, ' +
          'with the id breaking ties.',
        'Unknown fields in a body or query are rejected with 400.',
        'Real-time events use Socket.IO on engine path `/api/ws` (namespaces `/machines`, ' +
          '`/workouts`; see the README). A user holds at most `SOCKETS_PER_USER` connections ' +
          'at once and a machine `SOCKETS_PER_MACHINE` (further ones get `connect_error` with ' +
          '`data.code` `TOO_MANY_CONNECTIONS`); events are limited per connection and per user ' +
          'or machine over all their connections (`RATE_LIMITED` ack).',
      ].join('\n\n'),
    },
    servers: [{ url: '/' }],
  });
}

/** `/api/openapi.json`; `/api/docs` is mounted by `mountSwaggerUi`. */
export function docsRoutes(document: () => OpenApiDocument): RouteGroup {
  return {
    basePath: '/api',
    tag: 'Docs',
    routes: [
      defineRoute({
        method: 'get',
        path: '/openapi.json',
        summary: 'This OpenAPI 3.1 document',
        access: 'public',
        responses: { 200: { description: 'OpenAPI document', schema: z.looseObject({}) } },
        handler: () => Promise.resolve({ status: 200, body: document() }),
      }),
    ],
  };
}

/** Swagger UI; its assets are served from the package, so it works offline. */
export function mountSwaggerUi(app: Express): void {
  app.use(
    '/api/docs',
    swaggerUi.serve,
    // The UI fetches the document from its route, so it is built once, on first use.
    swaggerUi.setup(undefined, {
      customSiteTitle: 'NXG Connect API',
      swaggerOptions: { url: '/api/openapi.json', persistAuthorization: true },
    }),
  );
}
