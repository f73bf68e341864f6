import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedInUser, buildUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { refreshTokenFamilies } from './auth.table.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const registration = (tag: string) => ({
  username: `runner_${tag}`,
  email: `runner_${tag}@example.test`,
  password: 'a sound password',
  name: 'Río Núñez',
});

describe('POST /api/auth/register', () => {
  it('when the details are valid, then it creates the account and signs in', async () => {
    const res = await t.http.post('/api/auth/register').send(registration('ok')).expect(201);
    expect(res.body).toMatchObject({
      user: { username: 'runner_ok', email: 'runner_ok@example.test', role: 'member' },
      tokenType: 'Bearer',
      expiresIn: 900,
    });
    expect(res.body.user.profile.name).toBe('Río Núñez');
    expect(res.body.user).not.toHaveProperty('passwordHash');
    expect(res.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await t.http
      .get('/api/users/me')
      .set('Authorization', `Bearer ${res.body.accessToken}`)
      .expect(200);
  });

  it('when the username or email is taken in another case, then it answers 409', async () => {
    await t.http.post('/api/auth/register').send(registration('dup')).expect(201);
    const sameEmail = await t.http
      .post('/api/auth/register')
      .send({ ...registration('dup2'), email: 'RUNNER_DUP@Example.Test' })
      .expect(409);
    expect(sameEmail.body).toMatchObject({
      code: 'CONFLICT',
      detail: expect.stringMatching(/email/),
    });
    const sameName = await t.http
      .post('/api/auth/register')
      .send({ ...registration('dup3'), username: 'Runner_DUP' })
      .expect(409);
    expect(sameName.body.detail).toMatch(/username/);
  });

  it('when two registrations race for one username, then exactly one succeeds', async () => {
    const attempts = await Promise.all(
      [1, 2, 3, 4].map((i) =>
        t.http
          .post('/api/auth/register')
          .send({ ...registration(`race${i}`), username: 'racer_one' }),
      ),
    );
    expect(attempts.map((res) => res.status).sort()).toEqual([201, 409, 409, 409]);
  });

  it('when the password is shorter than 8 or longer than 72 bytes, then it is refused', async () => {
    const short = await t.http
      .post('/api/auth/register')
      .send({ ...registration('short'), password: 'seven77' })
      .expect(400);
    expect(short.body.errors).toEqual([
      { path: 'body.password', message: 'must be at least 8 bytes' },
    ]);
    // 25 three-byte characters: 25 characters but 75 bytes, one more than bcrypt can use.
    await t.http
      .post('/api/auth/register')
      .send({ ...registration('long'), password: '€'.repeat(25) })
      .expect(400);
    await t.http
      .post('/api/auth/register')
      .send({ ...registration('exact'), password: '€'.repeat(24) })
      .expect(201);
  });
});

describe('POST /api/auth/login', () => {
  it('when email or username is right in any case, then it signs in', async () => {
    const user = await buildUser(t, { username: 'Casey', email: 'casey@example.test' });
    for (const login of ['casey', 'CASEY@EXAMPLE.TEST']) {
      const res = await t.http
        .post('/api/auth/login')
        .send({ login, password: user.password })
        .expect(200);
      expect(res.body.user.id).toBe(user.row.id);
    }
  });

  it('when the user does not exist or the password is wrong, then both answers are identical', async () => {
    const user = await buildUser(t);
    const wrongPassword = await t.http
      .post('/api/auth/login')
      .send({ login: user.row.username, password: 'not the password' })
      .expect(401);
    const noSuchUser = await t.http
      .post('/api/auth/login')
      .send({ login: 'nobody_here', password: 'not the password' })
      .expect(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, correlationId: undefined });
    expect(strip(wrongPassword.body)).toEqual(strip(noSuchUser.body));
    expect(wrongPassword.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('when a password matches only in its first 72 bytes, then it is refused', async () => {
    const password = 'x'.repeat(72);
    const user = await buildUser(t, { password });
    await t.http
      .post('/api/auth/login')
      .send({ login: user.row.username, password: `${password}tail` })
      .expect(401);
  });
});

describe('login lockouts', () => {
  it('when an account keeps failing, then it answers 429 with Retry-After, even with the right password', async () => {
    const local = await createTestApp({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' });
    try {
      const user = await buildUser(local);
      for (let i = 0; i < 3; i++) {
        await local.http
          .post('/api/auth/login')
          .send({ login: user.row.email, password: 'wrong password' })
          .expect(401);
      }
      const locked = await local.http
        .post('/api/auth/login')
        .send({ login: user.row.email, password: user.password })
        .expect(429);
      expect(locked.body.code).toBe('RATE_LIMITED');
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      // Unknown accounts lock the same way, so lockouts reveal nothing about existence.
      for (let i = 0; i < 3; i++) {
        await local.http.post('/api/auth/login').send({ login: 'ghost', password: 'wrong pw' });
      }
      await local.http.post('/api/auth/login').send({ login: 'ghost', password: 'x' }).expect(429);
    } finally {
      await local.close();
    }
  });

  it('when wrong passwords arrive in parallel, then no more than the limit are checked', async () => {
    const local = await createTestApp({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '5' });
    try {
      const user = await buildUser(local);
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          local.http
            .post('/api/auth/login')
            .send({ login: user.row.email, password: 'guess 1234' }),
        ),
      );
      const statuses = results.map((res) => res.status);
      expect(statuses.filter((status) => status === 401)).toHaveLength(5);
      expect(statuses.filter((status) => status === 429)).toHaveLength(15);
    } finally {
      await local.close();
    }
  });

  it('when the username is locked, then signing in by email is locked too', async () => {
    const local = await createTestApp({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '2' });
    try {
      const user = await buildUser(local);
      for (let i = 0; i < 2; i++) {
        await local.http
          .post('/api/auth/login')
          .send({ login: user.row.username, password: 'wrong password' })
          .expect(401);
      }
      await local.http
        .post('/api/auth/login')
        .send({ login: user.row.email.toUpperCase(), password: user.password })
        .expect(429);
    } finally {
      await local.close();
    }
  });

  it('when one IP keeps failing across accounts, then that IP is locked out', async () => {
    const local = await createTestApp({ LOGIN_MAX_FAILURES_PER_IP: '4' });
    try {
      for (let i = 0; i < 4; i++) {
        await local.http
          .post('/api/auth/login')
          .send({ login: `guess_${i}`, password: 'wrong password' })
          .expect(401);
      }
      const user = await buildUser(local);
      await local.http
        .post('/api/auth/login')
        .send({ login: user.row.username, password: user.password })
        .expect(429);
    } finally {
      await local.close();
    }
  });
});

describe('POST /api/auth/refresh', () => {
  it('when a refresh token is used, then a new pair comes back and the old token is spent', async () => {
    const user = await buildSignedInUser(t);
    const first = await t.http
      .post('/api/auth/refresh')
      .send({ refreshToken: user.session.refreshToken })
      .expect(200);
    expect(first.body.refreshToken).not.toBe(user.session.refreshToken);
    expect(first.body.accessToken).not.toBe(user.session.accessToken);
    const second = await t.http
      .post('/api/auth/refresh')
      .send({ refreshToken: first.body.refreshToken })
      .expect(200);
    await t.http
      .get('/api/users/me')
      .set('Authorization', `Bearer ${second.body.accessToken}`)
      .expect(200);
  });

  it('when a spent token is presented again, then the whole family is revoked, access tokens included', async () => {
    const user = await buildSignedInUser(t);
    const rotated = await t.http
      .post('/api/auth/refresh')
      .send({ refreshToken: user.session.refreshToken })
      .expect(200);
    const reuse = await t.http
      .post('/api/auth/refresh')
      .send({ refreshToken: user.session.refreshToken })
      .expect(401);
    expect(reuse.body.detail).toMatch(/already used/);
    await t.http
      .post('/api/auth/refresh')
      .send({ refreshToken: rotated.body.refreshToken })
      .expect(401);
    await t.http
      .get('/api/users/me')
      .set('Authorization', `Bearer ${rotated.body.accessToken}`)
      .expect(401);
    expect(t.logs.text).toContain('refresh token reuse detected');
  });

  it('when two refreshes race with one token, then exactly one wins', async () => {
    const user = await buildSignedInUser(t);
    const results = await Promise.all(
      [1, 2].map(() =>
        t.http.post('/api/auth/refresh').send({ refreshToken: user.session.refreshToken }),
      ),
    );
    expect(results.map((res) => res.status).sort()).toEqual([200, 401]);
  });

  it('when many refreshes race with one token, then still exactly one gets a pair', async () => {
    const user = await buildSignedInUser(t);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.http.post('/api/auth/refresh').send({ refreshToken: user.session.refreshToken }),
      ),
    );
    expect(results.filter((res) => res.status === 200)).toHaveLength(1);
    expect(results.filter((res) => res.status === 401)).toHaveLength(7);
  });

  it('when the family is past its absolute lifetime, then refresh fails although the token is fresh', async () => {
    const user = await buildSignedInUser(t);
    await t.container.database.db
      .update(refreshTokenFamilies)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(refreshTokenFamilies.userId, user.row.id));
    const res = await t.http
      .post('/api/auth/refresh')
      .send({ refreshToken: user.session.refreshToken })
      .expect(401);
    expect(res.body.detail).toMatch(/session has ended/);
  });

  it('when the token is unknown or malformed, then 401 or 400', async () => {
    await t.http
      .post('/api/auth/refresh')
      .send({ refreshToken: 'A'.repeat(43) })
      .expect(401);
    await t.http.post('/api/auth/refresh').send({ refreshToken: 'short' }).expect(400);
  });
});

describe('POST /api/auth/logout', () => {
  it('when a user logs out, then the access token and the refresh family stop working', async () => {
    const user = await buildSignedInUser(t);
    await t.http.post('/api/auth/logout').set('Authorization', user.auth).send({}).expect(204);
    const me = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(401);
    expect(me.body.detail).toMatch(/revoked/);
    await t.http
      .post('/api/auth/refresh')
      .send({ refreshToken: user.session.refreshToken })
      .expect(401);
  });

  it('when logout names another user’s refresh token, then that session survives', async () => {
    const caller = await buildSignedInUser(t);
    const victim = await buildSignedInUser(t);
    await t.http
      .post('/api/auth/logout')
      .set('Authorization', caller.auth)
      .send({ refreshToken: victim.session.refreshToken })
      .expect(204);
    await t.http
      .post('/api/auth/refresh')
      .send({ refreshToken: victim.session.refreshToken })
      .expect(200);
  });

  it('when unauthenticated, then 401', async () => {
    await t.http.post('/api/auth/logout').send({}).expect(401);
  });
});

describe('POST /api/auth/logout-all', () => {
  it('when called, then every session of the user ends', async () => {
    const user = await buildSignedInUser(t);
    const other = await t.http
      .post('/api/auth/login')
      .send({ login: user.row.username, password: user.password })
      .expect(200);
    await t.http.post('/api/auth/logout-all').set('Authorization', user.auth).expect(204);
    await t.http
      .get('/api/users/me')
      .set('Authorization', `Bearer ${other.body.accessToken}`)
      .expect(401);
    await t.http
      .post('/api/auth/refresh')
      .send({ refreshToken: other.body.refreshToken })
      .expect(401);
  });
});

describe('POST /api/auth/password', () => {
  it('when the current password is right, then it changes and only other sessions end', async () => {
    const user = await buildSignedInUser(t);
    const other = await t.http
      .post('/api/auth/login')
      .send({ login: user.row.username, password: user.password })
      .expect(200);
    await t.http
      .post('/api/auth/password')
      .set('Authorization', user.auth)
      .send({ currentPassword: user.password, newPassword: 'brand new secret' })
      .expect(204);
    await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    await t.http
      .get('/api/users/me')
      .set('Authorization', `Bearer ${other.body.accessToken}`)
      .expect(401);
    await t.http
      .post('/api/auth/login')
      .send({ login: user.row.username, password: user.password })
      .expect(401);
    await t.http
      .post('/api/auth/login')
      .send({ login: user.row.username, password: 'brand new secret' })
      .expect(200);
  });

  it('when the current password is wrong, then 403 WRONG_PASSWORD and nothing changes', async () => {
    const user = await buildSignedInUser(t);
    const res = await t.http
      .post('/api/auth/password')
      .set('Authorization', user.auth)
      .send({ currentPassword: 'wrong one', newPassword: 'brand new secret' })
      .expect(403);
    expect(res.body.code).toBe('WRONG_PASSWORD');
    expect(res.body.errors).toEqual([{ path: 'body.currentPassword', message: 'is wrong' }]);
    await t.http
      .post('/api/auth/login')
      .send({ login: user.row.username, password: user.password })
      .expect(200);
  });
});
