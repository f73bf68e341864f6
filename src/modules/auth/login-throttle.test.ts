import { isNotNull, sql } from 'drizzle-orm';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedInUser, buildUser, type BuiltUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { usersRepository } from '../users/index.js';
import { loginThrottles } from './auth.table.js';
import { COUNTER_UPDATES_AT_ONCE } from './login-throttle.js';

// Behind one trusted proxy hop, so each request can say which address it comes from.
const proxied = { TRUST_PROXY: '1' };

function signIn(
  t: TestApp,
  ip: string,
  body: { login: string; password: string; deviceToken?: string },
) {
  return t.http.post('/api/auth/login').set('X-Forwarded-For', ip).send(body);
}

/** Signs in once from the owner's own device and keeps the device token it hands out. */
async function ownDevice(t: TestApp, user: BuiltUser, ip: string): Promise<string> {
  const res = await signIn(t, ip, { login: user.row.username, password: user.password }).expect(
    200,
  );
  expect(typeof res.body.deviceToken).toBe('string');
  return res.body.deviceToken as string;
}

function expectLocked(res: Response, reason: string) {
  expect(res.status).toBe(429);
  expect(res.body).toMatchObject({ code: 'RATE_LIMITED', reason });
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

/** Ends every lockout and window now, as if their time had passed. */
async function letLockoutsExpire(t: TestApp) {
  await t.container.database.db
    .update(loginThrottles)
    .set({
      lockedUntil: sql`now() - interval '1 second'`,
      windowEndsAt: sql`now() - interval '1 second'`,
    })
    .where(isNotNull(loginThrottles.key));
}

describe('a stranger cannot lock the owner out', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(proxied);
  });
  afterAll(async () => {
    await t.close();
  });

  it('when a stranger keeps failing for the account, then the owner still signs in from a device that signed in before', async () => {
    const owner = await buildUser(t);
    const deviceToken = await ownDevice(t, owner, '198.51.100.10');
    // The stranger sits behind the same gym address as the owner.
    for (let i = 0; i < 5; i++) {
      await signIn(t, '198.51.100.10', { login: owner.row.email, password: `guess ${i}` }).expect(
        401,
      );
    }
    expectLocked(
      await signIn(t, '198.51.100.10', { login: owner.row.email, password: owner.password }),
      'ACCOUNT_LOCKED',
    );
    const trusted = await signIn(t, '198.51.100.10', {
      login: owner.row.username,
      password: owner.password,
      deviceToken,
    }).expect(200);
    expect(trusted.body.user.id).toBe(owner.row.id);
    // From another network, even a new device of the owner is not locked by that stranger.
    await signIn(t, '203.0.113.20', { login: owner.row.email, password: owner.password }).expect(
      200,
    );
  });

  it('when a device token belongs to another account or is forged, then it earns no exemption', async () => {
    const owner = await buildUser(t);
    const other = await buildUser(t);
    const othersToken = await ownDevice(t, other, '198.51.100.30');
    for (let i = 0; i < 5; i++) {
      await signIn(t, '198.51.100.31', { login: owner.row.username, password: `guess ${i}` });
    }
    for (const deviceToken of [othersToken, `${othersToken}x`, 'not-a-token']) {
      expectLocked(
        await signIn(t, '198.51.100.31', {
          login: owner.row.username,
          password: owner.password,
          deviceToken,
        }),
        'ACCOUNT_LOCKED',
      );
    }
  });

  it('when someone guesses with the owner’s device token, then only that token is locked', async () => {
    const owner = await buildUser(t);
    const deviceToken = await ownDevice(t, owner, '198.51.100.40');
    for (let i = 0; i < 5; i++) {
      await signIn(t, '198.51.100.41', {
        login: owner.row.username,
        password: `guess ${i}`,
        deviceToken,
      }).expect(401);
    }
    expectLocked(
      await signIn(t, '198.51.100.41', {
        login: owner.row.username,
        password: owner.password,
        deviceToken,
      }),
      'DEVICE_LOCKED',
    );
    await signIn(t, '198.51.100.40', {
      login: owner.row.username,
      password: owner.password,
    }).expect(200);
  });
});

describe('one account signing in from several devices at once', () => {
  it('when sign-ins of one account run concurrently, then each succeeds, never a 409', async () => {
    const t = await createTestApp(proxied);
    try {
      const owner = await buildUser(t);
      // Each attempt locks its counters, and each success then deletes them: both must take
      // the rows in one order, or two sign-ins deadlock and one answers 409. Four at a time
      // stay under the per-source limit, which counts attempts still in flight.
      for (let round = 0; round < 10; round++) {
        const answers = await Promise.all(
          [owner.row.email, owner.row.username, owner.row.email, owner.row.username].map((login) =>
            signIn(t, '198.51.100.30', { login, password: owner.password }),
          ),
        );
        expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
      }
    } finally {
      await t.close();
    }
  });
});

describe('guessing from many addresses stays bounded', () => {
  it('when failures come from many IPs, then the account locks for unknown devices, longer each time, and an unknown account answers alike', async () => {
    const t = await createTestApp({
      ...proxied,
      LOGIN_MAX_FAILURES_PER_SOURCE: '2',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '4',
    });
    try {
      const owner = await buildUser(t);
      const deviceToken = await ownDevice(t, owner, '192.0.2.1');
      const attack = async (login: string, round: number) => {
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
          const res = await signIn(t, `203.0.113.${round * 10 + i}`, { login, password: 'guess' });
          statuses.push(res.status);
        }
        const fresh = await signIn(t, `203.0.113.${round * 10 + 9}`, {
          login,
          password: login === owner.row.username ? owner.password : 'whatever',
        });
        return { statuses, fresh };
      };

      const known = await attack(owner.row.username, 1);
      const unknown = await attack('nobody_at_all', 1);
      expect(known.statuses).toEqual([401, 401, 401, 401]);
      expect(unknown.statuses).toEqual(known.statuses);
      expectLocked(known.fresh, 'ACCOUNT_LOCKED');
      expectLocked(unknown.fresh, 'ACCOUNT_LOCKED');
      const firstLock = Number(known.fresh.headers['retry-after']);
      expect(Number(unknown.fresh.headers['retry-after'])).toBe(firstLock);
      await signIn(t, '192.0.2.1', {
        login: owner.row.username,
        password: owner.password,
        deviceToken,
      }).expect(200);

      // Once it ends, the next round of failures locks the account twice as long.
      await letLockoutsExpire(t);
      const again = await attack(owner.row.username, 2);
      expect(again.statuses).toEqual([401, 401, 401, 401]);
      expectLocked(again.fresh, 'ACCOUNT_LOCKED');
      expect(Number(again.fresh.headers['retry-after'])).toBeGreaterThan(firstLock * 1.5);
    } finally {
      await t.close();
    }
  });
});

describe('a gym behind one address', () => {
  it('when others behind the address fail across accounts, then members on their own devices still sign in', async () => {
    const t = await createTestApp({ ...proxied, LOGIN_MAX_FAILURES_PER_IP: '3' });
    try {
      const gym = '198.51.100.77';
      const members = await Promise.all([1, 2, 3, 4].map(() => buildUser(t)));
      const tokens: string[] = [];
      // Successful sign-ins at opening time do not use up the address's allowance.
      for (const member of members) tokens.push(await ownDevice(t, member, gym));
      for (let i = 0; i < 3; i++) {
        await signIn(t, gym, { login: `someone_${i}`, password: 'guess' }).expect(401);
      }
      expectLocked(await signIn(t, gym, { login: 'someone_9', password: 'guess' }), 'IP_LOCKED');
      for (const [i, member] of members.entries()) {
        await signIn(t, gym, {
          login: member.row.email,
          password: member.password,
          deviceToken: tokens[i],
        }).expect(200);
      }
    } finally {
      await t.close();
    }
  });
});

describe('lockouts outlive the cache', () => {
  it.runIf(process.env.TEST_REDIS_URL)(
    'when Redis comes back empty, then a locked account is still locked',
    async () => {
      const t = await createTestApp({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '2' });
      try {
        const owner = await buildUser(t);
        for (let i = 0; i < 2; i++) {
          await t.http.post('/api/auth/login').send({ login: owner.row.email, password: 'guess' });
        }
        const redis = t.container.redis;
        if (!redis) throw new Error('expected Redis');
        // Only this test's own keys: the shared server is never flushed.
        const keys = await redis.keys(`${t.container.config.redisKeyPrefix}*`);
        if (keys.length > 0) await redis.del(...keys);
        expectLocked(
          await t.http
            .post('/api/auth/login')
            .send({ login: owner.row.email, password: owner.password }),
          'ACCOUNT_LOCKED',
        );
      } finally {
        await t.close();
      }
    },
  );
});

describe('confirming sensitive actions with the password', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOGIN_MAX_FAILURES_PER_SOURCE: '2' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('when the current password is guessed on POST /password, then the guesses are counted and locked', async () => {
    const user = await buildSignedInUser(t);
    const change = (currentPassword: string) =>
      t.http
        .post('/api/auth/password')
        .set('Authorization', user.auth)
        .send({ currentPassword, newPassword: 'brand new secret' });
    for (let i = 0; i < 2; i++) {
      const res = await change(`guess ${i}`).expect(403);
      expect(res.body.code).toBe('WRONG_PASSWORD');
    }
    expectLocked(await change(user.password), 'PASSWORD_CHECKS_LOCKED');
    // Deleting the account shares the count: no fresh budget there either.
    expectLocked(
      await t.http
        .delete('/api/users/me')
        .set('Authorization', user.auth)
        .send({ password: user.password }),
      'PASSWORD_CHECKS_LOCKED',
    );
  });

  it('when strangers lock the account’s sign-ins, then the signed-in owner can still change the password', async () => {
    const user = await buildSignedInUser(t);
    for (let i = 0; i < 3; i++) {
      await t.http.post('/api/auth/login').send({ login: user.row.email, password: 'guess' });
    }
    await t.http
      .post('/api/auth/password')
      .set('Authorization', user.auth)
      .send({ currentPassword: user.password, newPassword: 'brand new secret' })
      .expect(204);
  });

  it('when DELETE /me comes without the password or with a wrong one, then nothing is deleted', async () => {
    const user = await buildSignedInUser(t);
    const missing = await t.http
      .delete('/api/users/me')
      .set('Authorization', user.auth)
      .expect(400);
    expect(missing.body.errors).toEqual([{ path: 'body.password', message: expect.any(String) }]);
    const wrong = await t.http
      .delete('/api/users/me')
      .set('Authorization', user.auth)
      .send({ password: 'not it' })
      .expect(403);
    expect(wrong.body).toMatchObject({
      code: 'WRONG_PASSWORD',
      errors: [{ path: 'body.password', message: 'is wrong' }],
    });
    expect(await usersRepository.findById(t.container.database.db, user.row.id)).toBeDefined();
    await t.http
      .delete('/api/users/me')
      .set('Authorization', user.auth)
      .send({ password: user.password })
      .expect(204);
    expect(await usersRepository.findById(t.container.database.db, user.row.id)).toBeUndefined();
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('a flood of sign-ins', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(proxied);
  });
  afterAll(async () => {
    await t.close();
  });

  it('when 40 sign-ins to one account arrive at once, then at most a gate’s worth of their counter transactions hold connections, and all are answered', async () => {
    const user = await buildUser(t);
    const pool = t.container.database.pgPool!;
    // Sessions of this database waiting for a row lock: the sign-ins queued on the counters.
    // Without the gate, every pooled connection but one sat here while the flood lasted.
    let mostWaiting = 0;
    let samples = 0;
    const flood = { running: true };
    const watcher = (async () => {
      while (flood.running) {
        const { rows } = await pool.query<{ waiting: number }>(
          `select count(*)::int as waiting from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`,
        );
        mostWaiting = Math.max(mostWaiting, rows[0]?.waiting ?? 0);
        samples += 1;
      }
    })();
    const answers = await Promise.all(
      Array.from({ length: 40 }, () =>
        signIn(t, '198.51.100.77', { login: user.row.username, password: user.password }),
      ),
    ).finally(() => {
      flood.running = false;
    });
    await watcher;
    expect(samples).toBeGreaterThan(0);
    expect(mostWaiting).toBeLessThan(COUNTER_UPDATES_AT_ONCE);
    // 429: parallel attempts are counted before any is checked, so some meet the lock.
    for (const answer of answers) expect([200, 429, 503]).toContain(answer.status);
    expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThan(0);
  });
});
