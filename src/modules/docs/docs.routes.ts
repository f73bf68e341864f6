import { OpenApiGeneratorV31, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Express } from 'express';
import { registerContractComponents } from '../../lib/http/openapi-contract.js';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import { z } from '../../lib/zod.js';
import { release } from '../../lib/release.js';
import type { AsyncApiDocument } from './asyncapi.js';

type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** Builds the OpenAPI 3.1 document from every route registered so far. */
export function buildOpenApiDocument(registry: OpenAPIRegistry): OpenApiDocument {
  registerContractComponents(registry);
  registry.registerPath({
    method: 'get',
    path: '/api/docs',
    summary: 'API reference (Scalar) over this document',
    tags: ['Docs'],
    responses: { 200: { description: 'HTML page' } },
  });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'NXG Connect API',
      version: release.version,
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
          '`/workouts`), described by the AsyncAPI 3.0 document at `/api/asyncapi.json`: ' +
          'handshake auth, every event’s payload, acks and errors. A user holds at most `SOCKETS_PER_USER` connections ' +
          'at once and a machine `SOCKETS_PER_MACHINE` (further ones get `connect_error` with ' +
          '`data.code` `TOO_MANY_CONNECTIONS`); events are limited per connection and per user ' +
          'or machine over all their connections (`RATE_LIMITED` ack).',
      ].join('\n\n'),
    },
    servers: [{ url: '/' }],
  });
}

/** `GET /`: what this server is and where to go next, for a person or a probe opening it. */
export function serviceIndexRoutes(): RouteGroup {
  const index = {
    name: 'NXG Connect API',
    service: release.service,
    version: release.version,
    links: {
      documentation: '/api/docs',
      openapi: '/api/openapi.json',
      asyncapi: '/api/asyncapi.json',
      health: '/health/live',
      readiness: '/health/ready',
    },
  };
  return {
    basePath: '',
    tag: 'Docs',
    routes: [
      defineRoute({
        method: 'get',
        path: '/',
        summary: 'Service name, version and links to the documentation and health',
        access: 'public',
        responses: {
          200: {
            description: 'What this server is',
            schema: z
              .object({
                name: z.string(),
                service: z.string(),
                version: z.string(),
                links: z.record(z.string(), z.string()),
              })
              .openapi({ example: index }),
          },
        },
        handler: () => Promise.resolve({ status: 200, body: index }),
      }),
    ],
  };
}

/**
 * `/api/openapi.json` (REST) and `/api/asyncapi.json` (Socket.IO); `/api/docs` is mounted by
 * `mountApiReference`.
 */
export function docsRoutes(documents: {
  openApi: () => OpenApiDocument;
  asyncApi: () => AsyncApiDocument;
}): RouteGroup {
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
        handler: () => Promise.resolve({ status: 200, body: documents.openApi() }),
      }),
      defineRoute({
        method: 'get',
        path: '/asyncapi.json',
        summary: 'The AsyncAPI 3.0 document of the Socket.IO API (engine path `/api/ws`)',
        access: 'public',
        responses: { 200: { description: 'AsyncAPI document', schema: z.looseObject({}) } },
        handler: () => Promise.resolve({ status: 200, body: documents.asyncApi() }),
      }),
    ],
  };
}

// Scalar's single-file browser bundle, served from the package: the page loads nothing from a
// CDN, so it works offline and under the app's `script-src 'self'` policy.
const scalarBundle = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@scalar/api-reference')), // …/dist
  'browser/standalone.js',
);

// No inline script (the CSP forbids it): the page loads the bundle, then this file starts it.
// Fonts from the system, no agent or MCP panels, nothing sent anywhere but this API.
const startScript = `Scalar.createApiReference('#app', ${JSON.stringify({
  url: '/api/openapi.json',
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  showDeveloperTools: 'never',
  hideClientButton: true,
})});\n`;

const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>NXG Connect API</title>
  </head>
  <body>
    <div id="app"></div>
    <script src="/api/docs/scalar.js"></script>
    <script src="/api/docs/start.js"></script>
  </body>
</html>
`;

/**
 * The API reference at `/api/docs`, over `/api/openapi.json`; every asset is served locally.
 * One middleware rather than routes: the page and its scripts are not API operations (the page
 * itself is documented in buildOpenApiDocument).
 */
export function mountApiReference(app: Express): void {
  app.use('/api/docs', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    if (req.path === '/') {
      res.type('html').send(page);
    } else if (req.path === '/start.js') {
      res.type('text/javascript').send(startScript);
    } else if (req.path === '/scalar.js') {
      res.sendFile(scalarBundle, { maxAge: '1d' }, (error) => {
        if (error) next(error);
      });
    } else {
      next();
    }
  });
}
