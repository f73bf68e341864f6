import { and, count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedInUser, buildUser, signIn } from '../../test-support/factories.js';
import { startSmtpTestServer, type SmtpTestServer } from '../../test-support/smtp-test-server.js';
import { connectSocket, connected, disconnection } from '../../test-support/socket-test-support.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { waitUntil } from '../../test-support/job-test-support.js';
import { refreshTokenFamilies } from './auth.table.js';
import { accountTokens, mailOutbox } from './recovery.table.js';

let smtp: SmtpTestServer;
let t: TestApp;
beforeAll(async () => {
  smtp = await startSmtpTestServer();
  t = await createTestApp({
    SMTP_URL: smtp.url,
    MAIL_DISPATCH_INTERVAL_SECONDS: '1',
    PUBLIC_BASE_URL: 'https://app.nxg.test/',
  });
  await t.container.jobs.start();
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const db = () => t.container.database.db;
const to = (address: string, subject: RegExp) => (mail: { to: string[]; subject: string }) =>
  mail.to.includes(address) && subject.test(mail.subject);

/** The link's path and query, to follow it on the app under test. */
function pathOf(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}
const tokenOf = (link: string) => new URL(link).searchParams.get('token') ?? '';

describe('email verification', () => {
  it('when a member registers, then a link arrives by SMTP and works exactly once', async () => {
    const reg = await t.http
      .post('/api/auth/register')
      .send({
        username: 'verify_me',
        email: 'verify.me@example.test',
        password: 'a sound password',
        name: 'Vera <b>',
      })
      .expect(201);
    expect(reg.body.user).toMatchObject({ emailVerified: false, pendingEmail: null });

    const mail = await smtp.waitFor(to('verify.me@example.test', /confirm your email/i));
    expect(mail.text).toContain('Hi Vera <b>,');
    // The HTML part escapes the name; both parts carry the same link.
    expect(mail.html).toContain('Vera &lt;b&gt;');
    const [link] = mail.links;
    expect(link).toMatch(/^https:\/\/app\.nxg\.test\/account\/verify-email\?token=[\w-]{43}$/);
    if (!link) throw new Error('no link');
    expect(decodeURIComponent(mail.html)).toContain(tokenOf(link));

    // Opening the page spends nothing (mail scanners fetch links).
    const page = await t.http.get(pathOf(link)).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).not.toContain(tokenOf(link));

    const verified = await t.http
      .post('/api/auth/email/verify')
      .send({ token: tokenOf(link) })
      .expect(200);
    expect(verified.body).toEqual({ email: 'verify.me@example.test', emailVerified: true });
    const me = await t.http
      .get('/api/users/me')
      .set('Authorization', `Bearer ${reg.body.accessToken}`)
      .expect(200);
    expect(me.body.emailVerified).toBe(true);

    const again = await t.http
      .post('/api/auth/email/verify')
      .send({ token: tokenOf(link) })
      .expect(400);
    expect(again.body).toMatchObject({ code: 'INVALID_TOKEN' });
    expect(again.body.errors).toEqual([
      { path: 'body.token', message: 'is invalid, expired or used' },
    ]);
  });

  it('when the token is malformed, then 400 names the field', async () => {
    const res = await t.http.post('/api/auth/email/verify').send({ token: 'short' }).expect(400);
    expect(res.body.errors[0].path).toBe('body.token');
  });

  it('when verification is asked again at once, then the second ask is 429 with Retry-After', async () => {
    const user = await buildSignedInUser(t);
    await t.http.post('/api/auth/email/verification').set('Authorization', user.auth).expect(202);
    const second = await t.http
      .post('/api/auth/email/verification')
      .set('Authorization', user.auth)
      .expect(429);
    expect(second.body.reason).toBe('EMAIL_RESEND_COOLDOWN');
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
    await smtp.waitFor(to(user.row.email, /confirm your email/i));
  });

  it('when the address is verified already, then resending is 409', async () => {
    const user = await buildSignedInUser(t);
    await db()
      .update(accountTokens)
      .set({ email: user.row.email })
      .where(eq(accountTokens.userId, user.row.id));
    await t.container.database.db.execute(
      sql`update users set email_verified_at = now() where id = ${user.row.id}`,
    );
    const res = await t.http
      .post('/api/auth/email/verification')
      .set('Authorization', user.auth)
      .expect(409);
    expect(res.body.reason).toBe('EMAIL_ALREADY_VERIFIED');
  });
});

describe('changing the email address', () => {
  it('when a change is asked, then the new address must be verified before it takes over, and the old one is told', async () => {
    const user = await buildSignedInUser(t);
    const newEmail = `moved_${user.row.username}@example.test`;
    const res = await t.http
      .post('/api/users/me/email')
      .set('Authorization', user.auth)
      .send({ email: newEmail, password: user.password })
      .expect(202);
    expect(res.body).toMatchObject({ email: user.row.email, pendingEmail: newEmail });

    const notice = await smtp.waitFor(to(user.row.email, /change of your email/i));
    expect(notice.text).toContain(newEmail);
    const link = (await smtp.waitFor(to(newEmail, /confirm your email/i))).links[0] ?? '';

    // Until the link is followed, the old address is the account's.
    await t.http
      .post('/api/auth/login')
      .send({ login: user.row.email, password: user.password })
      .expect(200);
    await t.http
      .post('/api/auth/email/verify')
      .send({ token: tokenOf(link) })
      .expect(200, { email: newEmail, emailVerified: true });
    const me = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    expect(me.body).toMatchObject({ email: newEmail, emailVerified: true, pendingEmail: null });
    await smtp.waitFor(to(user.row.email, /email address was changed/i));
    await t.http
      .post('/api/auth/login')
      .send({ login: user.row.email, password: user.password })
      .expect(401);
  });

  it('when the password is wrong or the address belongs to another account, then nothing changes', async () => {
    const user = await buildSignedInUser(t);
    const other = await buildUser(t);
    const wrong = await t.http
      .post('/api/users/me/email')
      .set('Authorization', user.auth)
      .send({ email: 'fresh@example.test', password: 'not the password' })
      .expect(403);
    expect(wrong.body).toMatchObject({ code: 'WRONG_PASSWORD' });
    const taken = await t.http
      .post('/api/users/me/email')
      .set('Authorization', user.auth)
      .send({ email: other.row.email.toUpperCase(), password: user.password })
      .expect(409);
    expect(taken.body.reason).toBe('EMAIL_TAKEN');
    const bad = await t.http
      .post('/api/users/me/email')
      .set('Authorization', user.auth)
      .send({ email: 'not-an-address', password: user.password })
      .expect(400);
    expect(bad.body.errors[0].path).toBe('body.email');
    const me = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    expect(me.body).toMatchObject({ email: user.row.email, pendingEmail: null });
  });
});

describe('POST /api/auth/password/forgot', () => {
  it('when the address is known or unknown, then status, body and the work done are the same', async () => {
    // Jobs not started yet, so what each request left behind can be counted before delivery.
    const local = await createTestApp({
      SMTP_URL: smtp.url,
      MAIL_DISPATCH_INTERVAL_SECONDS: '1',
    });
    try {
      const user = await buildUser(local);
      const unknown = `nobody_${user.row.username}@example.test`;
      const queued = async (address: string) => {
        const [row] = await local.container.database.db
          .select({ n: count() })
          .from(mailOutbox)
          .where(sql`lower(${mailOutbox.recipient}) = ${address.toLowerCase()}`);
        return row?.n ?? 0;
      };
      const forUnknown = await local.http
        .post('/api/auth/password/forgot')
        .send({ email: unknown });
      const forKnown = await local.http
        .post('/api/auth/password/forgot')
        .send({ email: user.row.email.toUpperCase() });
      expect(forKnown.status).toBe(202);
      expect(forUnknown.status).toBe(202);
      expect(forKnown.body).toEqual(forUnknown.body);
      expect(forKnown.headers['content-type']).toBe(forUnknown.headers['content-type']);
      expect(forKnown.headers['content-length']).toBe(forUnknown.headers['content-length']);
      // The same work: each request queued exactly one message, resolved later by the job.
      expect(await queued(user.row.email)).toBe(1);
      expect(await queued(unknown)).toBe(1);

      await local.container.jobs.start();
      await smtp.waitFor(to(user.row.email, /reset your password/i));
      await waitUntil(
        async () => (await queued(unknown)) === 0 && (await queued(user.row.email)) === 0,
      );
      expect(smtp.received.some((mail) => mail.to.includes(unknown))).toBe(false);
    } finally {
      await local.close();
    }
  });

  it('when the body is not an email, then 400 names the field', async () => {
    const res = await t.http
      .post('/api/auth/password/forgot')
      .send({ email: 'nope', extra: 1 })
      .expect(400);
    expect(res.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'body.email',
      'body.extra',
    ]);
  });
});

/** Asks for a reset and answers the link's token once it arrived. */
async function resetLink(email: string, after = smtp.received.length): Promise<string> {
  await t.http.post('/api/auth/password/forgot').send({ email }).expect(202);
  const mail = await smtp.waitFor(
    (received) =>
      smtp.received.indexOf(received) >= after && to(email, /reset your password/i)(received),
  );
  return tokenOf(mail.links[0] ?? '');
}

describe('POST /api/auth/password/reset', () => {
  it('when the link is followed, then the password changes, every session and socket ends, and the member is told', async () => {
    const user = await buildSignedInUser(t);
    const second = await signIn(t, user);
    const baseUrl = await t.listen();
    const socket = await connected(
      connectSocket(baseUrl, '/workouts', { token: user.session.accessToken }),
    );
    const closed = disconnection(socket);
    try {
      const token = await resetLink(user.row.email);
      const [stored] = await db()
        .select()
        .from(accountTokens)
        .where(
          and(eq(accountTokens.userId, user.row.id), eq(accountTokens.purpose, 'password-reset')),
        );
      // Hashed at rest, 30 minutes.
      expect(stored?.tokenHash).not.toContain(token);
      expect(stored?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect((stored?.expiresAt.getTime() ?? 0) - (stored?.createdAt.getTime() ?? 0)).toBe(
        30 * 60 * 1000,
      );

      await t.http
        .post('/api/auth/password/reset')
        .send({ token, password: 'brand new secret' })
        .expect(204);
      await closed;
      for (const session of [user.session, second]) {
        await t.http
          .get('/api/users/me')
          .set('Authorization', `Bearer ${session.accessToken}`)
          .expect(401);
        await t.http
          .post('/api/auth/refresh')
          .send({ refreshToken: session.refreshToken })
          .expect(401);
      }
      await t.http
        .post('/api/auth/login')
        .send({ login: user.row.email, password: user.password })
        .expect(401);
      const login = await t.http
        .post('/api/auth/login')
        .send({ login: user.row.email, password: 'brand new secret' })
        .expect(200);
      // Following the link proved the address.
      expect(login.body.user.emailVerified).toBe(true);
      const notice = await smtp.waitFor(to(user.row.email, /password was changed/i));
      expect(notice.text).toMatch(/reset/);

      const reuse = await t.http
        .post('/api/auth/password/reset')
        .send({ token, password: 'another new one' })
        .expect(400);
      expect(reuse.body.code).toBe('INVALID_TOKEN');
    } finally {
      socket.close();
    }
  });

  it('when the token has expired, then 400 and the password stays', async () => {
    const user = await buildUser(t);
    const token = await resetLink(user.row.email);
    await db()
      .update(accountTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(accountTokens.userId, user.row.id));
    await t.http
      .post('/api/auth/password/reset')
      .send({ token, password: 'brand new secret' })
      .expect(400);
    await t.http
      .post('/api/auth/login')
      .send({ login: user.row.email, password: user.password })
      .expect(200);
  });

  it('when a newer link is issued, then the older one stops working', async () => {
    const user = await buildUser(t);
    const first = await resetLink(user.row.email);
    // Past the resend cool-down, so the second request sends a second link.
    await db()
      .update(accountTokens)
      .set({ createdAt: new Date(Date.now() - 3600_000) })
      .where(eq(accountTokens.userId, user.row.id));
    const second = await resetLink(user.row.email);
    expect(second).not.toBe(first);
    await t.http
      .post('/api/auth/password/reset')
      .send({ token: first, password: 'brand new secret' })
      .expect(400);
    await t.http
      .post('/api/auth/password/reset')
      .send({ token: second, password: 'brand new secret' })
      .expect(204);
  });

  it('when the password is changed another way, then the link stops working', async () => {
    const user = await buildSignedInUser(t);
    const token = await resetLink(user.row.email);
    await t.http
      .post('/api/auth/password')
      .set('Authorization', user.auth)
      .send({ currentPassword: user.password, newPassword: 'changed the usual way' })
      .expect(204);
    await t.http
      .post('/api/auth/password/reset')
      .send({ token, password: 'brand new secret' })
      .expect(400);
    await smtp.waitFor(to(user.row.email, /password was changed/i));
  });

  it('when two resets race with one token, then exactly one succeeds', async () => {
    const user = await buildUser(t);
    const token = await resetLink(user.row.email);
    const results = await Promise.all(
      ['first racer pw', 'second racer pw'].map((password) =>
        t.http.post('/api/auth/password/reset').send({ token, password }),
      ),
    );
    expect(results.map((res) => res.status).sort()).toEqual([204, 400]);
  });

  it('when the new password is too short, then 400 names the field', async () => {
    const res = await t.http
      .post('/api/auth/password/reset')
      .send({ token: 'q3X9yPz0tA6b8mE1sV4kR7uW2nC5dF8gH1jK4lM7oQ0', password: 'short' })
      .expect(400);
    expect(res.body.errors[0].path).toBe('body.password');
  });
});

describe('logs', () => {
  it('when account email goes out over SMTP, then no link token reaches the logs', async () => {
    const user = await buildUser(t);
    const token = await resetLink(user.row.email);
    expect(t.logs.text).not.toContain(token);
    expect(t.logs.text).not.toContain(user.row.email);
  });
});

describe('sessions stay scoped', () => {
  it('when a reset revokes one account, then another member’s session lives on', async () => {
    const victim = await buildUser(t);
    const bystander = await buildSignedInUser(t);
    const token = await resetLink(victim.row.email);
    await t.http
      .post('/api/auth/password/reset')
      .send({ token, password: 'brand new secret' })
      .expect(204);
    await t.http.get('/api/users/me').set('Authorization', bystander.auth).expect(200);
    const [family] = await db()
      .select()
      .from(refreshTokenFamilies)
      .where(eq(refreshTokenFamilies.userId, bystander.row.id));
    expect(family?.revokedAt).toBeNull();
  });
});
