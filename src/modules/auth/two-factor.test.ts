import { eq } from 'drizzle-orm';
import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataEncryption, parseDataKey } from '../../lib/crypto/data-encryption.js';
import { buildSignedInUser, buildUser, type BuiltUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { refreshTokenFamilies } from './auth.table.js';
import { mfaRecoveryCodes, totpCredentials } from './recovery.table.js';
import { TotpFactor } from './totp-factor.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const db = () => t.container.database.db;
/** The code an authenticator app shows `offsetSteps` 30-second steps from now. */
const codeAt = (secret: string, offsetSteps = 0, now = Date.now()) =>
  authenticator.clone({ epoch: now + offsetSteps * 30_000 }).generate(secret);

/** Enrols an authenticator over HTTP; answers the seed and the recovery codes. */
async function enrol(user: { auth: string }) {
  const started = await t.http
    .post('/api/auth/mfa/totp')
    .set('Authorization', user.auth)
    .expect(200);
  const { secret } = started.body as { secret: string };
  const confirmed = await t.http
    .post('/api/auth/mfa/totp/confirm')
    .set('Authorization', user.auth)
    .send({ code: codeAt(secret) })
    .expect(200);
  return { secret, recoveryCodes: confirmed.body.recoveryCodes as string[] };
}

/** Makes the session's last proof of its factors older than the re-authentication window. */
async function ageSession(familyId: string): Promise<void> {
  await db()
    .update(refreshTokenFamilies)
    .set({ reauthenticatedAt: new Date(Date.now() - 3600_000) })
    .where(eq(refreshTokenFamilies.id, familyId));
}
const familyOf = (user: { session: { accessToken: string } }) =>
  t.container.tokens.verify(user.session.accessToken).familyId;

const passwordStep = (user: BuiltUser) =>
  t.http.post('/api/auth/login').send({ login: user.row.username, password: user.password });

describe('TOTP with a fixed clock', () => {
  const encryption = new DataEncryption(
    parseDataKey('0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef') ??
      (() => {
        throw new Error('key');
      })(),
  );
  // The middle of a 30-second step, so ±1 step is unambiguous.
  let clock = Date.UTC(2026, 0, 5, 10, 0, 15);
  const factorAt = () =>
    new TotpFactor({ db: db(), encryption, issuer: 'NXG Test', now: () => clock });

  async function enrolled() {
    const user = await buildUser(t);
    const factor = factorAt();
    const { secret, otpauthUri } = await factor.startEnrolment(user.row.id, user.row.email);
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/NXG%20Test:.+\?secret=[A-Z2-7]+/);
    expect(otpauthUri).toContain('issuer=NXG%20Test');
    const codes = await factor.confirmEnrolment(user.row.id, codeAt(secret, 0, clock));
    if (!codes) throw new Error('not confirmed');
    return { user, secret, codes, factor };
  }

  it('when codes are one step off either way, then they pass; two steps off, then they fail', async () => {
    const { user, secret, factor } = await enrolled();
    const check = (code: string) => factor.check(user.row.id, code, { allowRecoveryCode: false });
    clock += 30_000 * 10;
    expect(await check(codeAt(secret, -2, clock))).toBe('wrong');
    expect(await check(codeAt(secret, 2, clock))).toBe('wrong');
    expect(await check(codeAt(secret, -1, clock))).toBe('totp');
    expect(await check(codeAt(secret, 1, clock))).toBe('totp');
  });

  it('when a code is used again within its window, or an earlier step after a later one, then it fails', async () => {
    const { user, secret, factor } = await enrolled();
    const check = (code: string) => factor.check(user.row.id, code, { allowRecoveryCode: false });
    clock += 30_000 * 10;
    const now = codeAt(secret, 0, clock);
    expect(await check(now)).toBe('totp');
    expect(await check(now)).toBe('wrong');
    // The confirmation's code (ten steps back) and the previous step are spent by the later one.
    expect(await check(codeAt(secret, -1, clock))).toBe('wrong');
    clock += 30_000;
    expect(await check(now)).toBe('wrong');
    expect(await check(codeAt(secret, 0, clock))).toBe('totp');
  });

  it('when two requests race with one code, then exactly one passes', async () => {
    const { user, secret, factor } = await enrolled();
    clock += 30_000 * 10;
    const code = codeAt(secret, 0, clock);
    const results = await Promise.all(
      [1, 2, 3].map(() => factor.check(user.row.id, code, { allowRecoveryCode: false })),
    );
    expect(results.filter((result) => result === 'totp')).toHaveLength(1);
  });

  it('when a recovery code is used, then it works once, in any case and grouping', async () => {
    const { user, codes, factor } = await enrolled();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const [first, second] = codes;
    if (!first || !second) throw new Error('codes');
    expect(await factor.check(user.row.id, first, { allowRecoveryCode: false })).toBe('wrong');
    expect(await factor.check(user.row.id, first, { allowRecoveryCode: true })).toBe(
      'recovery-code',
    );
    expect(await factor.check(user.row.id, first, { allowRecoveryCode: true })).toBe('wrong');
    const loose = second.replace(/-/g, '').toLowerCase();
    expect(await factor.check(user.row.id, loose, { allowRecoveryCode: true })).toBe(
      'recovery-code',
    );
    expect(await factor.status(user.row.id)).toEqual({ totpEnabled: true, recoveryCodesLeft: 8 });
  });

  it('when the seed is stored, then the database holds neither it nor the recovery codes in the clear', async () => {
    const { user, secret, codes } = await enrolled();
    const [row] = await db()
      .select()
      .from(totpCredentials)
      .where(eq(totpCredentials.userId, user.row.id));
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(secret);
    expect(stored.toUpperCase()).not.toContain(secret.slice(0, 12));
    expect(row?.secretSealed).toMatch(/^v1:[0-9a-f]{8}:/);
    // Bound to its account: the sealed seed copied onto another account does not open.
    expect(() => encryption.open(row?.secretSealed ?? '', 'someone-else')).toThrow();
    const hashes = await db()
      .select()
      .from(mfaRecoveryCodes)
      .where(eq(mfaRecoveryCodes.userId, user.row.id));
    const storedCodes = JSON.stringify(hashes);
    for (const code of codes) expect(storedCodes).not.toContain(code.replace(/-/g, ''));
  });

  it('when the key is rotated, then old seeds still open and are sealed again under the new key', async () => {
    const { user, secret } = await enrolled();
    const newKey = parseDataKey('f'.repeat(64));
    const oldKey = parseDataKey('0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
    if (!newKey || !oldKey) throw new Error('keys');
    const rotated = new TotpFactor({
      db: db(),
      encryption: new DataEncryption(newKey, [oldKey]),
      issuer: 'NXG Test',
      now: () => clock,
    });
    clock += 30_000 * 10;
    expect(
      await rotated.check(user.row.id, codeAt(secret, 0, clock), { allowRecoveryCode: false }),
    ).toBe('totp');
    const [row] = await db()
      .select()
      .from(totpCredentials)
      .where(eq(totpCredentials.userId, user.row.id));
    expect(row?.secretSealed.split(':')[1]).toBe(newKey.id);
  });
});

describe('two-factor sign-in over HTTP', () => {
  it('when 2FA is on, then the password answers an mfaToken and a code completes the sign-in', async () => {
    const user = await buildSignedInUser(t);
    const { secret } = await enrol(user);
    const status = await t.http.get('/api/auth/mfa').set('Authorization', user.auth).expect(200);
    expect(status.body).toEqual({ totpEnabled: true, recoveryCodesLeft: 10 });

    const step = await passwordStep(user).expect(200);
    expect(step.body).toEqual({ mfaRequired: true, mfaToken: expect.any(String), expiresIn: 300 });
    expect(step.body).not.toHaveProperty('accessToken');
    // The mfaToken is no access token.
    await t.http
      .get('/api/users/me')
      .set('Authorization', `Bearer ${step.body.mfaToken}`)
      .expect(401);
    const wrong = await t.http
      .post('/api/auth/mfa/verify')
      .send({ mfaToken: step.body.mfaToken, code: '000000' })
      .expect(401);
    expect(wrong.body.code).toBe('INVALID_CODE');
    // One code, used twice: computed again later it could belong to the next 30-s step.
    const code = codeAt(secret, 1);
    const done = await t.http
      .post('/api/auth/mfa/verify')
      .send({ mfaToken: step.body.mfaToken, code })
      .expect(200);
    expect(done.body.user.id).toBe(user.row.id);
    await t.http
      .get('/api/users/me')
      .set('Authorization', `Bearer ${done.body.accessToken}`)
      .expect(200);
    // The same code again (replay within its window) is refused.
    const replay = await t.http
      .post('/api/auth/mfa/verify')
      .send({ mfaToken: step.body.mfaToken, code })
      .expect(401);
    expect(replay.body.code).toBe('INVALID_CODE');
  });

  it('when a recovery code completes a sign-in, then it cannot be used again', async () => {
    const user = await buildSignedInUser(t);
    const { recoveryCodes } = await enrol(user);
    const step = await passwordStep(user).expect(200);
    const code = recoveryCodes[3] ?? '';
    await t.http
      .post('/api/auth/mfa/verify')
      .send({ mfaToken: step.body.mfaToken, code })
      .expect(200);
    const again = await passwordStep(user).expect(200);
    await t.http
      .post('/api/auth/mfa/verify')
      .send({ mfaToken: again.body.mfaToken, code })
      .expect(401);
  });

  it('when wrong codes pile up, then the account locks like for wrong passwords', async () => {
    const local = await createTestApp({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' });
    try {
      const user = await buildUser(local);
      const session = await local.container.auth.login(
        { login: user.row.username, password: user.password },
        { ip: '127.0.0.1', userAgent: 'vitest' },
      );
      const auth = `Bearer ${session.accessToken}`;
      const started = await local.http.post('/api/auth/mfa/totp').set('Authorization', auth);
      const secret = started.body.secret as string;
      await local.http
        .post('/api/auth/mfa/totp/confirm')
        .set('Authorization', auth)
        .send({ code: codeAt(secret) })
        .expect(200);
      const step = await local.http
        .post('/api/auth/login')
        .send({ login: user.row.username, password: user.password })
        .expect(200);
      for (let i = 0; i < 3; i++) {
        await local.http
          .post('/api/auth/mfa/verify')
          .send({ mfaToken: step.body.mfaToken, code: '000000' })
          .expect(401);
      }
      // A right password does not wipe the count, and the right code is refused while locked.
      const locked = await local.http
        .post('/api/auth/mfa/verify')
        .send({ mfaToken: step.body.mfaToken, code: codeAt(secret, 1) })
        .expect(429);
      expect(locked.body.reason).toBe('ACCOUNT_LOCKED');
    } finally {
      await local.close();
    }
  });

  it('when the mfaToken is forged or expired, then 401 and nothing is counted', async () => {
    const res = await t.http
      .post('/api/auth/mfa/verify')
      .send({ mfaToken: 'not.a.token', code: '123456' })
      .expect(401);
    expect(res.body.code).toBe('INVALID_CODE');
    const bad = await t.http.post('/api/auth/mfa/verify').send({ code: '123456' }).expect(400);
    expect(bad.body.errors[0].path).toBe('body.mfaToken');
  });

  it('when 2FA is turned off, then password and code are both needed and sign-in needs the password only', async () => {
    const user = await buildSignedInUser(t);
    const { secret, recoveryCodes } = await enrol(user);
    const noCode = await t.http
      .delete('/api/auth/mfa/totp')
      .set('Authorization', user.auth)
      .send({ password: user.password })
      .expect(400);
    expect(noCode.body.errors[0].path).toBe('body.code');
    const wrongCode = await t.http
      .delete('/api/auth/mfa/totp')
      .set('Authorization', user.auth)
      .send({ password: user.password, code: '000000' })
      .expect(403);
    expect(wrongCode.body.code).toBe('WRONG_CODE');
    await t.http
      .delete('/api/auth/mfa/totp')
      .set('Authorization', user.auth)
      .send({ password: 'wrong password', code: codeAt(secret, 1) })
      .expect(403, /WRONG_PASSWORD/);
    await t.http
      .delete('/api/auth/mfa/totp')
      .set('Authorization', user.auth)
      .send({ password: user.password, code: recoveryCodes[0] })
      .expect(204);
    const login = await passwordStep(user).expect(200);
    expect(login.body).toHaveProperty('accessToken');
    await t.http
      .delete('/api/auth/mfa/totp')
      .set('Authorization', user.auth)
      .send({ password: user.password, code: '123456' })
      .expect(409, /TWO_FACTOR_NOT_ENABLED/);
  });

  it('when enrolment is confirmed with a wrong code or twice, then it is refused', async () => {
    const user = await buildSignedInUser(t);
    await t.http
      .post('/api/auth/mfa/totp/confirm')
      .set('Authorization', user.auth)
      .send({ code: '123456' })
      .expect(409, /NO_ENROLMENT_STARTED/);
    const started = await t.http.post('/api/auth/mfa/totp').set('Authorization', user.auth);
    await t.http
      .post('/api/auth/mfa/totp/confirm')
      .set('Authorization', user.auth)
      .send({ code: 'abcdef' })
      .expect(400);
    const wrong = await t.http
      .post('/api/auth/mfa/totp/confirm')
      .set('Authorization', user.auth)
      .send({ code: codeAt(started.body.secret as string, 5) })
      .expect(403);
    expect(wrong.body.code).toBe('WRONG_CODE');
    await t.http
      .post('/api/auth/mfa/totp/confirm')
      .set('Authorization', user.auth)
      .send({ code: codeAt(started.body.secret as string) })
      .expect(200);
    await t.http.post('/api/auth/mfa/totp').set('Authorization', user.auth).expect(409);
  });
});

describe('re-authentication for sensitive actions', () => {
  it('when an admin’s session is older than the window, then a role change needs re-authentication', async () => {
    const admin = await buildSignedInUser(t, { role: 'admin' });
    const member = await buildUser(t);
    await ageSession(familyOf(admin));
    const stale = await t.http
      .patch(`/api/users/${member.row.id}/role`)
      .set('Authorization', admin.auth)
      .send({ role: 'staff' })
      .expect(403);
    expect(stale.body.code).toBe('REAUTHENTICATION_REQUIRED');
    await t.http
      .post('/api/auth/reauthenticate')
      .set('Authorization', admin.auth)
      .send({ password: 'wrong password' })
      .expect(403, /WRONG_PASSWORD/);
    const proved = await t.http
      .post('/api/auth/reauthenticate')
      .set('Authorization', admin.auth)
      .send({ password: admin.password })
      .expect(200);
    expect(Date.parse(proved.body.reauthenticatedUntil)).toBeGreaterThan(Date.now());
    await t.http
      .patch(`/api/users/${member.row.id}/role`)
      .set('Authorization', admin.auth)
      .send({ role: 'staff' })
      .expect(200);
  });

  it('when 2FA is on, then re-authentication needs the code too', async () => {
    const user = await buildSignedInUser(t);
    const { secret } = await enrol(user);
    const missing = await t.http
      .post('/api/auth/reauthenticate')
      .set('Authorization', user.auth)
      .send({ password: user.password })
      .expect(400);
    expect(missing.body.errors[0].path).toBe('body.code');
    await t.http
      .post('/api/auth/reauthenticate')
      .set('Authorization', user.auth)
      .send({ password: user.password, code: codeAt(secret, 1) })
      .expect(200);
  });

  it('when 2FA is on and the session is stale, then deleting the account needs the code as well', async () => {
    const user = await buildSignedInUser(t);
    const { recoveryCodes } = await enrol(user);
    await ageSession(familyOf(user));
    const passwordOnly = await t.http
      .delete('/api/users/me')
      .set('Authorization', user.auth)
      .send({ password: user.password })
      .expect(403);
    expect(passwordOnly.body.code).toBe('REAUTHENTICATION_REQUIRED');
    await t.http
      .delete('/api/users/me')
      .set('Authorization', user.auth)
      .send({ password: user.password, code: recoveryCodes[1] })
      .expect(204);
  });

  it('when 2FA is on and the session is stale, then changing the password needs the code', async () => {
    const user = await buildSignedInUser(t);
    await enrol(user);
    await ageSession(familyOf(user));
    await t.http
      .post('/api/auth/password')
      .set('Authorization', user.auth)
      .send({ currentPassword: user.password, newPassword: 'another sound one' })
      .expect(403, /REAUTHENTICATION_REQUIRED/);
  });

  it('when a stale session starts an enrolment, then it must re-authenticate first', async () => {
    const user = await buildSignedInUser(t);
    await ageSession(familyOf(user));
    await t.http
      .post('/api/auth/mfa/totp')
      .set('Authorization', user.auth)
      .expect(403, /REAUTHENTICATION_REQUIRED/);
  });
});

describe('mandatory two-factor sign-in for staff', () => {
  it('when a staff member without an authenticator signs in, then only an enrolment token comes back until they enrol', async () => {
    const local = await createTestApp({ MFA_REQUIRED_FOR_STAFF: 'true' });
    try {
      const staff = await buildUser(local, { role: 'staff' });
      const member = await buildUser(local);
      const login = () =>
        local.http
          .post('/api/auth/login')
          .send({ login: staff.row.username, password: staff.password });
      const first = await login().expect(200);
      expect(first.body).toEqual({
        mfaEnrolmentRequired: true,
        enrolmentToken: expect.any(String),
        expiresIn: 900,
      });
      const { enrolmentToken } = first.body as { enrolmentToken: string };
      await local.http
        .get('/api/users/me')
        .set('Authorization', `Bearer ${enrolmentToken}`)
        .expect(401);
      // Members are not held.
      const memberLogin = await local.http
        .post('/api/auth/login')
        .send({ login: member.row.username, password: member.password })
        .expect(200);
      expect(memberLogin.body).toHaveProperty('accessToken');
      // Neither token passes for the other purpose.
      await local.http
        .post('/api/auth/mfa/enrolment')
        .send({ enrolmentToken: 'x.y.z' })
        .expect(401);

      const started = await local.http
        .post('/api/auth/mfa/enrolment')
        .send({ enrolmentToken })
        .expect(200);
      const secret = started.body.secret as string;
      await local.http
        .post('/api/auth/mfa/enrolment/confirm')
        .send({ enrolmentToken, code: codeAt(secret, 5) })
        .expect(401);
      const enrolled = await local.http
        .post('/api/auth/mfa/enrolment/confirm')
        .send({ enrolmentToken, code: codeAt(secret) })
        .expect(200);
      expect(enrolled.body.recoveryCodes).toHaveLength(10);
      await local.http
        .get('/api/users/me')
        .set('Authorization', `Bearer ${enrolled.body.accessToken}`)
        .expect(200);
      const next = await login().expect(200);
      expect(next.body).toMatchObject({ mfaRequired: true });
    } finally {
      await local.close();
    }
  });

  it('when a staff session predates the rule, then its refresh is refused until the account enrols', async () => {
    const local = await createTestApp({ MFA_REQUIRED_FOR_STAFF: 'true' });
    try {
      const staff = await buildUser(local, { role: 'staff' });
      // A session started before the rule applied to the account (e.g. before a promotion).
      const earlier = await local.container.auth.signInAs(staff.row, {
        ip: '127.0.0.1',
        userAgent: 'vitest',
      });
      await local.http
        .post('/api/auth/refresh')
        .send({ refreshToken: earlier.refreshToken })
        .expect(401);
    } finally {
      await local.close();
    }
  });
});
