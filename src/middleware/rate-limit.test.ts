import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedInUser } from '../test-support/factories.js';
import { createTestApp, type TestApp } from '../test-support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    RATE_LIMIT_ANONYMOUS_MAX: '3',
    RATE_LIMIT_USER_MAX: '5',
    RATE_LIMIT_AUTH_MAX: '2',
  });
});
afterAll(async () => {
  await t.close();
});

describe('rate limits', () => {
  it('when an anonymous client exceeds its limit, then 429 problem with Retry-After and RateLimit headers', async () => {
    for (let i = 0; i < 3; i++) {
      const ok = await t.http.get('/api/openapi.json').expect(200);
      expect(ok.headers['ratelimit-limit']).toBe('3');
      expect(ok.headers['ratelimit-remaining']).toBe(String(2 - i));
    }
    const limited = await t.http.get('/api/openapi.json').expect(429);
    expect(limited.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(limited.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(limited.headers['ratelimit-reset']).toBeDefined();
  });

  it('when users share one IP, then each has a budget of their own', async () => {
    const first = await buildSignedInUser(t);
    const second = await buildSignedInUser(t);
    for (let i = 0; i < 5; i++) {
      await t.http.get('/api/users/me').set('Authorization', first.auth).expect(200);
    }
    await t.http.get('/api/users/me').set('Authorization', first.auth).expect(429);
    await t.http.get('/api/users/me').set('Authorization', second.auth).expect(200);
  });

  it('when /api/auth calls exceed the strict limit, then 429 before any password is checked', async () => {
    const local = await createTestApp({ RATE_LIMIT_AUTH_MAX: '2' });
    try {
      for (let i = 0; i < 2; i++) {
        await local.http.post('/api/auth/login').send({ login: 'x', password: 'y' }).expect(401);
      }
      const limited = await local.http
        .post('/api/auth/login')
        .send({ login: 'x', password: 'y' })
        .expect(429);
      expect(limited.body.code).toBe('RATE_LIMITED');
      // The strict budget covers every /api/auth route of the same client.
      await local.http
        .post('/api/auth/refresh')
        .send({ refreshToken: 'A'.repeat(43) })
        .expect(429);
      // Signed-in calls count per user, so a shared IP does not lock people out of logout.
      const user = await buildSignedInUser(local);
      await local.http
        .post('/api/auth/logout')
        .set('Authorization', user.auth)
        .send({})
        .expect(204);
    } finally {
      await local.close();
    }
  });

  it('when health is probed often, then it is never limited', async () => {
    for (let i = 0; i < 6; i++) await t.http.get('/health/live').expect(200);
  });
});
