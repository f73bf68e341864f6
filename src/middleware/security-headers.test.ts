import express from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { browserCors, securityHeaders } from './security-headers.js';

const options: HelmetOptions = {
  contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:'] } },
};

function appWith(middleware: express.RequestHandler) {
  const app = express();
  app.disable('x-powered-by');
  app.use(middleware);
  app.get('/', (_req, res) => {
    res.json({ ok: true });
  });
  return app;
}

const securityHeadersOf = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !['date', 'etag'].includes(name)));

describe('securityHeaders', () => {
  it('when a response leaves, then it carries exactly the headers helmet itself would set', async () => {
    const fromHelmet = await request(appWith(helmet(options)))
      .get('/')
      .expect(200);
    const recorded = await request(appWith(securityHeaders(options)))
      .get('/')
      .expect(200);
    expect(securityHeadersOf(recorded.headers)).toEqual(securityHeadersOf(fromHelmet.headers));
    expect(recorded.headers['content-security-policy']).toContain("img-src 'self' data:");
  });

  it('when a directive is worked out per request, then it refuses at startup', () => {
    const nonce = () => "'nonce-abc'";
    expect(() =>
      securityHeaders({ contentSecurityPolicy: { directives: { 'script-src': [nonce] } } }),
    ).toThrow(/static helmet options/);
  });
});

describe('browserCors', () => {
  const app = appWith(
    browserCors({ origin: ['https://app.example'], credentials: true, exposedHeaders: ['X-A'] }),
  );

  it('when a request has no Origin, then it gets no CORS headers but Vary: Origin', async () => {
    const res = await request(app).get('/').expect(200);
    expect(res.headers.vary).toBe('Origin');
    expect(Object.keys(res.headers).filter((name) => name.startsWith('access-control-'))).toEqual(
      [],
    );
  });

  it('when an allowed origin asks, then it gets the CORS headers; another origin gets none', async () => {
    const allowed = await request(app).get('/').set('Origin', 'https://app.example').expect(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    expect(allowed.headers['access-control-expose-headers']).toBe('X-A');
    expect(allowed.headers.vary).toBe('Origin');
    const other = await request(app).get('/').set('Origin', 'https://evil.example').expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
