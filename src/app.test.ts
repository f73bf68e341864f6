import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedInUser } from './test-support/factories.js';
import { connectSocket, connected } from './test-support/socket-test-support.js';
import { createTestApp, type TestApp } from './test-support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: string;
}

/** Every method + path the Express app really serves, read from its router stack. */
function mountedRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = prefix + (layer.route.path === '/' ? '' : layer.route.path) || '/';
        for (const method of Object.keys(layer.route.methods)) {
          found.push(`${method.toUpperCase()} ${path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
        }
      } else if (layer.handle.stack) {
        const mount =
          typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found;
}

describe('OpenAPI document', () => {
  it('when generated, then every mounted route is documented', async () => {
    const res = await t.http.get('/api/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    const documented = new Set(
      Object.entries(res.body.paths as Record<string, Record<string, unknown>>).flatMap(
        ([path, operations]) => Object.keys(operations).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    const mounted = mountedRoutes(t.app);
    expect(mounted.length).toBeGreaterThan(15);
    expect(mounted).toContain('PATCH /api/users/{id}/role');
    expect(mounted.filter((route) => !documented.has(route))).toEqual([]);
  });

  it('when a route validates a body, then the document shows that same schema', async () => {
    const res = await t.http.get('/api/openapi.json').expect(200);
    const register = res.body.paths['/api/auth/register'].post;
    expect(register.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/Register',
    );
    const schema = res.body.components.schemas.Register;
    expect(schema.required).toEqual(['username', 'email', 'password', 'name']);
    expect(schema.additionalProperties).toBe(false);
    expect(res.body.paths['/api/users/me'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(register.responses['409'].content['application/problem+json']).toBeDefined();
  });

  it('when /api/docs is opened, then the API reference is served from this origin only', async () => {
    for (const pathName of ['/api/docs', '/api/docs/']) {
      const res = await t.http.get(pathName).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      // Every script is ours and none is inline: the CSP allows 'self' scripts only.
      const scripts = [...res.text.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
      expect(scripts.map(([, attributes]) => attributes?.trim())).toEqual([
        'src="/api/docs/scalar.js"',
        'src="/api/docs/start.js"',
      ]);
      expect(scripts.every(([, , body]) => body?.trim() === '')).toBe(true);
      expect(res.text).not.toMatch(/https?:\/\//);
      expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
    }
    const bundle = await t.http.get('/api/docs/scalar.js').expect(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect(bundle.text).toContain('createApiReference');
    const start = await t.http.get('/api/docs/start.js').expect(200);
    expect(start.text).toContain('"url":"/api/openapi.json"');
  });
});

describe('service index', () => {
  it('when / is opened, then it names the service and version and links the docs and health', async () => {
    const res = await t.http.get('/').expect(200);
    expect(res.body).toMatchObject({
      name: 'NXG Connect API',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      links: {
        documentation: '/api/docs',
        openapi: '/api/openapi.json',
        asyncapi: '/api/asyncapi.json',
        health: '/health/live',
      },
    });
    const asyncApi = await t.http.get('/api/asyncapi.json').expect(200);
    expect(asyncApi.body).toMatchObject({ asyncapi: '3.0.0', info: { version: res.body.version } });
  });

  it('when the server logs, then each line names the service, version and environment', async () => {
    await t.http.get('/').expect(200);
    const line = t.logs.entries().find((entry) => entry.msg === 'request completed');
    expect(line).toMatchObject({ service: 'nxg-connect-api', environment: 'test' });
    expect(line?.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('health', () => {
  it('when the process runs, then live is 200', async () => {
    await t.http.get('/health/live').expect(200, { status: 'ok' });
  });

  it('when the database answers, then ready is 200 and names each check', async () => {
    const res = await t.http.get('/health/ready').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.checks.database).toBe('up');
    if (process.env.TEST_REDIS_URL) expect(res.body.checks.redis).toBe('up');
  });

  it('when the database is gone, then ready is 503', async () => {
    const local = await createTestApp();
    await local.container.database.close();
    const res = await local.http.get('/health/ready').expect(503);
    expect(res.body).toMatchObject({ status: 'unavailable', checks: { database: 'down' } });
    await local.close().catch(() => undefined);
  });
});

describe('metrics', () => {
  it('when requests were served, then the duration histogram has them by route template and status', async () => {
    const user = await buildSignedInUser(t);
    await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    await t.http.get('/no/such/path').expect(404);
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/api\/users\/me",status_code="200"\} [1-9]/,
    );
    expect(res.text).toContain('route="unmatched",status_code="404"');
    expect(res.text).not.toContain('/no/such/path');
  });

  it('when members are connected, then the socket gauge counts them by namespace', async () => {
    const user = await buildSignedInUser(t);
    const baseUrl = await t.listen();
    const socket = await connected(
      connectSocket(baseUrl, '/workouts', { token: user.session.accessToken }),
    );
    try {
      const res = await t.http.get('/metrics').expect(200);
      expect(res.text).toMatch(/socketio_connected_sockets\{namespace="\/workouts"\} [1-9]/);
      expect(res.text).toMatch(/socketio_connected_sockets\{namespace="\/machines"\} \d+/);
    } finally {
      socket.close();
    }
  });

  it('when METRICS_TOKEN is set, then /metrics needs it', async () => {
    const local = await createTestApp({ METRICS_TOKEN: 'scrape-secret' });
    try {
      await local.http.get('/metrics').expect(401);
      await local.http.get('/metrics').set('Authorization', 'Bearer scrape-secret').expect(200);
    } finally {
      await local.close();
    }
  });

  it('when NODE_ENV is production and no METRICS_TOKEN is set, then /metrics is refused with 403', async () => {
    const local = await createTestApp({ NODE_ENV: 'production' });
    try {
      const res = await local.http.get('/metrics').expect(403);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({
        code: 'FORBIDDEN',
        detail: expect.stringMatching(/METRICS_TOKEN/),
      });
      expect(res.text).not.toContain('process_cpu');
      // The rest of the server is unaffected.
      await local.http.get('/health/live').expect(200);
    } finally {
      await local.close();
    }
  });

  it('when NODE_ENV is production and METRICS_TOKEN is set, then a scraper with the token is served', async () => {
    const local = await createTestApp({ NODE_ENV: 'production', METRICS_TOKEN: 'prod-scrape' });
    try {
      await local.http.get('/metrics').set('Authorization', 'Bearer wrong-token').expect(401);
      const res = await local.http
        .get('/metrics')
        .set('Authorization', 'Bearer prod-scrape')
        .expect(200);
      expect(res.text).toContain('http_request_duration_seconds');
    } finally {
      await local.close();
    }
  });
});

describe('cross-cutting HTTP behaviour', () => {
  it('when a request id is sent, then it is echoed and used as correlationId', async () => {
    const res = await t.http.get('/api/users/me').set('X-Request-Id', 'trace-abc.123').expect(401);
    expect(res.headers['x-request-id']).toBe('trace-abc.123');
    expect(res.body.correlationId).toBe('trace-abc.123');
    expect(t.logs.text).toContain('"requestId":"trace-abc.123"');
  });

  it('when no or an unsafe request id is sent, then a UUID is generated', async () => {
    const res = await t.http.get('/health/live').set('X-Request-Id', 'bad id\twith spaces');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when an allowed origin calls, then CORS allows it; other origins get no CORS headers', async () => {
    const allowed = await t.http
      .options('/api/users/me')
      .set('Origin', 'https://app.nxg.test')
      .set('Access-Control-Request-Method', 'GET');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.nxg.test');
    const denied = await t.http
      .options('/api/users/me')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'GET');
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('when any response leaves, then helmet’s security headers are on it', async () => {
    const res = await t.http.get('/health/live');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('when a client sends If-None-Match to a JSON route, then it gets the body, not an undeclared 304', async () => {
    const user = await buildSignedInUser(t);
    const first = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    // No validator is computed for JSON answers (a SHA-1 of every body), so none can match.
    expect(first.headers.etag).toBeUndefined();
    const again = await t.http
      .get('/api/users/me')
      .set('Authorization', user.auth)
      // The validator an earlier version handed out: a client that cached one still sends it.
      .set('If-None-Match', 'W/"29b-CHkN25LM7d507Yhbjd6aIwcK+2c"')
      .expect(200);
    expect(again.body).toEqual(first.body);
  });

  it('when a request is logged, then the line carries the user id', async () => {
    const user = await buildSignedInUser(t);
    await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    const line = t.logs
      .entries()
      .find((entry) => entry.userId === user.row.id && entry.msg === 'request completed');
    expect(line).toBeDefined();
  });
});

describe('logs', () => {
  it('when a whole account lifecycle runs, then no password, token or hash reaches the logs', async () => {
    const local = await createTestApp({ LOG_LEVEL: 'trace' });
    try {
      const password = 'very-secret-pass-123';
      const reg = await local.http
        .post('/api/auth/register')
        .send({ username: 'logcheck', email: 'logcheck@example.test', password, name: 'Log' })
        .expect(201);
      const { accessToken, refreshToken } = reg.body;
      await local.http
        .post('/api/auth/login')
        .send({ login: 'logcheck', password: 'wrong-password-456' })
        .expect(401);
      const refreshed = await local.http
        .post('/api/auth/refresh')
        .send({ refreshToken })
        .expect(200);
      await local.http.post('/api/auth/refresh').send({ refreshToken }).expect(401);
      await local.http
        .post('/api/auth/password')
        .set('Authorization', `Bearer ${refreshed.body.accessToken}`)
        .send({ currentPassword: password, newPassword: 'another-secret-789' })
        .expect(401);
      await local.http
        .get('/api/users/me')
        .set('Authorization', `Bearer ${accessToken}`)
        .set('Cookie', 'session=cookie-secret-value')
        .expect(401);

      const text = local.logs.text;
      expect(local.logs.lines.length).toBeGreaterThan(5);
      for (const secret of [
        password,
        'wrong-password-456',
        'another-secret-789',
        accessToken,
        refreshToken,
        refreshed.body.accessToken,
        refreshed.body.refreshToken,
        'cookie-secret-value',
        'logcheck@example.test',
      ]) {
        expect(text).not.toContain(secret);
      }
      expect(text).not.toMatch(/\$2[aby]\$\d\d\$/);
      expect(text).toContain('[redacted]');
    } finally {
      await local.close();
    }
  });
});
