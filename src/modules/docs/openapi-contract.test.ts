import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';

/**
 * The served OpenAPI document as a client developer meets it: every body has an example a
 * "Try it out" can send, every problem example agrees with its status, and every operation
 * says what it can answer. A new route without examples or statuses fails here.
 */

interface MediaTypeDoc {
  schema?: { type?: string; format?: string };
  example?: unknown;
}
interface ResponseDoc {
  headers?: Record<string, unknown>;
  content?: Record<string, MediaTypeDoc>;
}
interface OperationDoc {
  security?: Record<string, unknown>[];
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, MediaTypeDoc> };
  responses: Record<string, ResponseDoc>;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, OperationDoc>>;
  components: { securitySchemes: Record<string, unknown> };
}

let t: TestApp;
let doc: OpenApiDoc;
let operations: { name: string; path: string; operation: OperationDoc }[];
beforeAll(async () => {
  t = await createTestApp();
  doc = (await t.http.get('/api/openapi.json').expect(200)).body as OpenApiDoc;
  operations = Object.entries(doc.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]) => ({
      name: `${method.toUpperCase()} ${path}`,
      path,
      operation,
    })),
  );
});
afterAll(async () => {
  await t.close();
});

const isFile = (media: MediaTypeDoc) => media.schema?.format === 'binary';
const signedIn = (operation: OperationDoc) =>
  (operation.security ?? []).some((scheme) => 'bearerAuth' in scheme);
/** The problem+json answers (readiness's 503 is a body of its own, not a problem). */
const problemResponses = (operation: OperationDoc) =>
  Object.entries(operation.responses).filter(
    ([status, response]) =>
      Number(status) >= 400 && response.content?.['application/problem+json'] !== undefined,
  );

describe('examples in the OpenAPI document', () => {
  it('when an operation takes a body, then every media type but a file upload has an example', () => {
    const missing = operations.flatMap(({ name, operation }) =>
      Object.entries(operation.requestBody?.content ?? {})
        .filter(([mediaType, media]) => mediaType !== 'multipart/form-data' && !isFile(media))
        .filter(([, media]) => media.example === undefined)
        .map(([mediaType]) => `${name} ${mediaType}`),
    );
    expect(missing).toEqual([]);
  });

  it('when a success response has a JSON body, then it has an example', () => {
    const jsonBodies = operations.flatMap(({ name, operation }) =>
      Object.entries(operation.responses)
        .filter(([status]) => Number(status) < 400)
        .flatMap(([status, response]) =>
          Object.entries(response.content ?? {})
            .filter(([mediaType]) => mediaType === 'application/json')
            .map(([, media]) => ({ response: `${name} ${status}`, media })),
        ),
    );
    expect(jsonBodies.length).toBeGreaterThan(120);
    const missing = jsonBodies.filter(({ media }) => media.example === undefined);
    expect(missing.map(({ response }) => response)).toEqual([]);
  });

  it('when an operation can answer a problem, then its example carries that very status', () => {
    const problems = operations.flatMap(({ name, operation }) =>
      problemResponses(operation).map(([status, response]) => ({
        name,
        status: Number(status),
        example: response.content?.['application/problem+json']?.example as
          | { status?: number; code?: string; title?: string; detail?: string; type?: string }
          | undefined,
      })),
    );
    expect(problems.length).toBeGreaterThan(500);
    for (const { name, status, example } of problems) {
      expect({ name, status: example?.status }).toEqual({ name, status });
      expect(example?.code, name).toMatch(/^[A-Z_]+$/);
      expect(example?.detail, name).toBeTruthy();
      expect(example?.title, name).toBeTruthy();
      expect(example?.type, name).toMatch(/^tag:nxg-connect,2026:problem:[a-z-]+$/);
    }
  });

  it('when a problem lists reasons, then its example names the first of them', () => {
    for (const { name, operation } of operations) {
      for (const [status, response] of problemResponses(operation)) {
        const media = response.content?.['application/problem+json'] as
          { schema: { allOf?: { properties?: { reason?: { enum?: string[] } } }[] } } | undefined;
        const reasons = (media?.schema.allOf ?? []).flatMap(
          (part) => part.properties?.reason?.enum ?? [],
        );
        const example = (media as { example?: { reason?: string } } | undefined)?.example;
        expect({ name, status, reason: example?.reason }).toEqual({
          name,
          status,
          reason: reasons[0],
        });
      }
    }
  });
});

describe('statuses and headers in the OpenAPI document', () => {
  it('when an operation needs a user token, then it declares 401 and 503 (the guard reads the account)', () => {
    const signedInOperations = operations.filter(({ operation }) => signedIn(operation));
    expect(signedInOperations.length).toBeGreaterThan(100);
    for (const { name, operation } of signedInOperations) {
      expect({ name, statuses: Object.keys(operation.responses) }).toEqual({
        name,
        statuses: expect.arrayContaining(['401', '503']),
      });
      expect(operation.responses['401']?.headers, name).toHaveProperty('WWW-Authenticate');
    }
  });

  it('when an operation is under /api, then it declares 429 with Retry-After', () => {
    for (const { name, path, operation } of operations) {
      if (!path.startsWith('/api/') || path === '/api/docs') continue;
      expect(operation.responses['429']?.headers, name).toHaveProperty('Retry-After');
    }
  });

  it('when an operation answers 503, then the answer documents Retry-After', () => {
    for (const { name, operation } of operations) {
      const unavailable = operation.responses['503'];
      if (unavailable?.content?.['application/problem+json']) {
        expect(unavailable.headers, name).toHaveProperty('Retry-After');
      }
    }
  });

  it('when an operation has an {id} in its path, then it declares 404', () => {
    for (const { name, path, operation } of operations) {
      if (/\{id\}/.test(path)) expect(operation.responses, name).toHaveProperty('404');
    }
  });

  it('when any response is documented, then it declares X-Request-Id', () => {
    for (const { name, operation } of operations) {
      if (name === 'GET /api/docs') continue;
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(response.headers, `${name} ${status}`).toHaveProperty('X-Request-Id');
      }
    }
  });

  it('when an operation can be called with Idempotency-Key, then it declares the header, its 409 and Idempotent-Replayed', () => {
    const idempotent = operations.filter(({ operation }) =>
      (operation.parameters ?? []).some(
        (parameter) => parameter.in === 'header' && parameter.name === 'idempotency-key',
      ),
    );
    expect(idempotent.length).toBeGreaterThan(10);
    for (const { name, operation } of idempotent) {
      expect(operation.responses, name).toHaveProperty('409');
      const success = Object.entries(operation.responses).find(([status]) => status < '300');
      expect(success?.[1].headers, name).toHaveProperty('Idempotent-Replayed');
    }
  });

  it('when a machine calls its heartbeat, then the document asks for X-Machine-Key, not a bearer token', () => {
    const heartbeat = doc.paths['/api/machines/{id}/heartbeat']?.post;
    expect(heartbeat?.security).toEqual([{ machineKey: [] }]);
    expect(doc.components.securitySchemes.machineKey).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'X-Machine-Key',
    });
    expect(Object.keys(heartbeat?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '404', '429', '503']),
    );
  });

  it('when the reviewed flows are read, then each declares the statuses it can answer', () => {
    const expectations: [string, string, string[]][] = [
      ['/api/auth/login', 'post', ['401', '429', '503']],
      ['/api/auth/refresh', 'post', ['401', '429', '503']],
      ['/api/auth/register', 'post', ['409', '429', '503']],
      ['/api/sessions/check-in', 'post', ['403', '404', '409']],
      ['/api/machines/{id}/unlink', 'post', ['403', '404', '409']],
      ['/api/social/leaderboard', 'get', ['403', '404']],
      ['/api/branches/{id}/busyness', 'get', ['403', '404']],
      ['/api/files/{id}', 'get', ['304', '404', '416']],
    ];
    const problemOf = (path: string, method: string, status: string) =>
      doc.paths[path]?.[method]?.responses[status]?.content?.['application/problem+json']?.example;
    expect(problemOf('/api/auth/login', 'post', '401')).toMatchObject({
      status: 401,
      code: 'INVALID_CREDENTIALS',
    });
    expect(problemOf('/api/sessions/check-in', 'post', '403')).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
      detail: 'Join this branch before checking in.',
    });
    expect(problemOf('/api/machines/link', 'post', '409')).toMatchObject({
      status: 409,
      code: 'CONFLICT',
      reason: 'NOT_CHECKED_IN',
    });
    for (const [path, method, statuses] of expectations) {
      const responses = doc.paths[path]?.[method]?.responses ?? {};
      expect({ path, statuses: Object.keys(responses) }).toEqual({
        path,
        statuses: expect.arrayContaining(statuses),
      });
    }
  });
});
