import { createHmac, createPublicKey, randomUUID, sign } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSignedInUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { generateRsaKeyPair } from './access-tokens.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

// The defaults of src/config/config.ts, which the test app does not override.
const ISSUER = 'nxg-connect';
const AUDIENCE = 'nxg-connect-api';

const detail = {
  missing: 'A valid access token is required.',
  invalid: 'The access token is invalid.',
  expired: 'The access token has expired; refresh it.',
  revoked: 'The access token has been revoked.',
  gone: 'The account no longer exists.',
} as const;

type SignedInUser = Awaited<ReturnType<typeof buildSignedInUser>>;
type Claims = Record<string, unknown>;

const encodePart = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decodePart = (part: string) =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Claims;
const nowSeconds = () => Math.floor(Date.now() / 1000);

function partsOf(token: string): { header: string; payload: string; signature: string } {
  const [header, payload, signature, ...rest] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined || rest.length) {
    throw new Error(`not a three-part JWT: ${token}`);
  }
  return { header, payload, signature };
}

/** Claims exactly as the server would issue them for this user's session, with overrides. */
function claimsFor(user: SignedInUser, overrides: Claims = {}): Claims {
  const issued = decodePart(partsOf(user.session.accessToken).payload);
  const now = nowSeconds();
  return {
    sub: user.row.id,
    role: user.row.role,
    sid: issued.sid,
    jti: randomUUID(),
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + 600,
    ...overrides,
  };
}

const without = (claims: Claims, name: string): Claims =>
  Object.fromEntries(Object.entries(claims).filter(([key]) => key !== name));

/** RS256 with the server's own private key (or another PEM), claims taken as given. */
const signRs256 = (claims: Claims, privateKeyPem = inject('signingKeys').privateKeyPem) =>
  jwt.sign(claims, privateKeyPem, { algorithm: 'RS256' });

const me = (authorization?: string) => {
  const request = t.http.get('/api/users/me');
  return authorization === undefined ? request : request.set('Authorization', authorization);
};

/** Library wording that must never reach a client (jsonwebtoken, zod, the driver, stacks). */
const LEAKS =
  /jwt |jsonwebtoken|invalid signature|malformed|algorithm|audience|issuer|expected|zod|select |\.ts:\d|\.js:\d|node_modules/i;

function expectUnauthenticated(res: Response, expectedDetail: string): void {
  expect(res.status).toBe(401);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['www-authenticate']).toMatch(/^Bearer\b/);
  expect(res.body).toEqual({
    type: 'tag:nxg-connect,2026:problem:unauthenticated',
    title: 'Unauthenticated',
    status: 401,
    detail: expectedDetail,
    code: 'UNAUTHENTICATED',
    correlationId: res.headers['x-request-id'],
  });
  expect(res.text).not.toMatch(LEAKS);
}

function expectForbidden(res: Response): void {
  expect(res.status).toBe(403);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toEqual({
    type: 'tag:nxg-connect,2026:problem:forbidden',
    title: 'Forbidden',
    status: 403,
    detail: 'You are not allowed to do this.',
    code: 'FORBIDDEN',
    correlationId: res.headers['x-request-id'],
  });
}

describe('control: a token built by hand the way the server builds it', () => {
  it('when it is signed RS256 with the real key and carries every claim, then GET /me answers 200', async () => {
    const user = await buildSignedInUser(t);
    const res = await me(`Bearer ${signRs256(claimsFor(user))}`).expect(200);
    expect(res.body).toMatchObject({ id: user.row.id, role: 'member' });
  });
});

describe('forged algorithms on GET /api/users/me', () => {
  it('when the header says alg none and the signature is empty, then 401 invalid', async () => {
    const user = await buildSignedInUser(t);
    const payload = encodePart(claimsFor(user));
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const token = `${encodePart({ alg, typ: 'JWT' })}.${payload}.`;
      expectUnauthenticated(await me(`Bearer ${token}`), detail.invalid);
    }
  });

  it('when alg none carries the original RS256 signature, then 401 invalid', async () => {
    const user = await buildSignedInUser(t);
    const { payload, signature } = partsOf(user.session.accessToken);
    const token = `${encodePart({ alg: 'none', typ: 'JWT' })}.${payload}.${signature}`;
    expectUnauthenticated(await me(`Bearer ${token}`), detail.invalid);
  });

  it('when HS256 is signed with the server public key PEM as the HMAC secret, then 401 invalid', async () => {
    const user = await buildSignedInUser(t);
    const { publicKeyPem } = inject('signingKeys');
    const signingInput = `${encodePart({ alg: 'HS256', typ: 'JWT' })}.${encodePart(claimsFor(user))}`;
    for (const secret of [publicKeyPem, publicKeyPem.trim()]) {
      const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
      expectUnauthenticated(await me(`Bearer ${signingInput}.${signature}`), detail.invalid);
    }
  });

  it('when the token is signed by a different RSA key, then 401 invalid', async () => {
    const user = await buildSignedInUser(t);
    const attacker = generateRsaKeyPair();
    const token = signRs256(claimsFor(user), attacker.privateKeyPem);
    expectUnauthenticated(await me(`Bearer ${token}`), detail.invalid);
  });

  it('when another key is offered in the header (jwk, jku, kid), then 401 invalid', async () => {
    const user = await buildSignedInUser(t);
    const attacker = generateRsaKeyPair();
    const jwk = createPublicKey(attacker.publicKeyPem).export({ format: 'jwk' });
    const header = {
      alg: 'RS256',
      typ: 'JWT',
      jwk,
      jku: 'https://evil.test/jwks.json',
      kid: 'evil',
    };
    const signingInput = `${encodePart(header)}.${encodePart(claimsFor(user))}`;
    const signature = sign('sha256', Buffer.from(signingInput), attacker.privateKeyPem);
    const token = `${signingInput}.${signature.toString('base64url')}`;
    expectUnauthenticated(await me(`Bearer ${token}`), detail.invalid);
  });
});

describe('tampered and mis-addressed tokens on GET /api/users/me', () => {
  it('when the payload of a valid token is changed to role admin, then 401 invalid', async () => {
    const user = await buildSignedInUser(t);
    const { header, payload, signature } = partsOf(user.session.accessToken);
    const claims = decodePart(payload);
    expect(claims.role).toBe('member');
    const token = `${header}.${encodePart({ ...claims, role: 'admin' })}.${signature}`;
    expectUnauthenticated(await me(`Bearer ${token}`), detail.invalid);
  });

  it('when the payload is changed to another user’s sub, then 401 invalid', async () => {
    const user = await buildSignedInUser(t);
    const victim = await buildSignedInUser(t);
    const { header, payload, signature } = partsOf(user.session.accessToken);
    const token = `${header}.${encodePart({ ...decodePart(payload), sub: victim.row.id })}.${signature}`;
    expectUnauthenticated(await me(`Bearer ${token}`), detail.invalid);
  });

  it('when the signature is stripped or truncated, then 401 invalid', async () => {
    const user = await buildSignedInUser(t);
    const { header, payload, signature } = partsOf(user.session.accessToken);
    expectUnauthenticated(await me(`Bearer ${header}.${payload}.`), detail.invalid);
    expectUnauthenticated(
      await me(`Bearer ${header}.${payload}.${signature.slice(0, -4)}`),
      detail.invalid,
    );
  });

  it('when the token expired, then 401 and the detail says it expired', async () => {
    const user = await buildSignedInUser(t);
    const past = nowSeconds() - 3600;
    const token = signRs256(claimsFor(user, { iat: past - 900, exp: past }));
    expectUnauthenticated(await me(`Bearer ${token}`), detail.expired);
  });

  it('when the issuer is wrong, then 401 invalid', async () => {
    const user = await buildSignedInUser(t);
    const token = signRs256(claimsFor(user, { iss: 'evil-issuer' }));
    expectUnauthenticated(await me(`Bearer ${token}`), detail.invalid);
    expectUnauthenticated(
      await me(`Bearer ${signRs256(without(claimsFor(user), 'iss'))}`),
      detail.invalid,
    );
  });

  it('when the audience is wrong, then 401 invalid', async () => {
    const user = await buildSignedInUser(t);
    const token = signRs256(claimsFor(user, { aud: 'some-other-api' }));
    expectUnauthenticated(await me(`Bearer ${token}`), detail.invalid);
    expectUnauthenticated(
      await me(`Bearer ${signRs256(without(claimsFor(user), 'aud'))}`),
      detail.invalid,
    );
  });

  it('when the jti claim is missing, then 401 invalid', async () => {
    const user = await buildSignedInUser(t);
    const token = signRs256(without(claimsFor(user), 'jti'));
    expectUnauthenticated(await me(`Bearer ${token}`), detail.invalid);
  });

  it('when the sid claim is missing, then 401 invalid', async () => {
    const user = await buildSignedInUser(t);
    const token = signRs256(without(claimsFor(user), 'sid'));
    expectUnauthenticated(await me(`Bearer ${token}`), detail.invalid);
  });

  it('when exp, sub or role is missing or malformed, then 401 invalid', async () => {
    const user = await buildSignedInUser(t);
    const variants = [
      without(claimsFor(user), 'exp'),
      without(claimsFor(user), 'sub'),
      without(claimsFor(user), 'role'),
      claimsFor(user, { role: 'superuser' }),
      claimsFor(user, { sub: 'not-a-uuid' }),
      claimsFor(user, { jti: 'not-a-uuid' }),
    ];
    for (const claims of variants) {
      expectUnauthenticated(await me(`Bearer ${signRs256(claims)}`), detail.invalid);
    }
  });
});

describe('tokens of users or sessions that no longer exist', () => {
  it('when the user deleted the account, then the token still held is refused', async () => {
    const user = await buildSignedInUser(t);
    await me(user.auth).expect(200);
    await t.http
      .delete('/api/users/me')
      .set('Authorization', user.auth)
      .send({ password: user.password })
      .expect(204);
    expectUnauthenticated(await me(user.auth), detail.gone);
  });

  it('when a validly signed token names a random user id, then 401', async () => {
    const user = await buildSignedInUser(t);
    const token = signRs256(claimsFor(user, { sub: randomUUID(), sid: randomUUID() }));
    expectUnauthenticated(await me(`Bearer ${token}`), detail.gone);
  });

  it('when the user logged out, then the blacklisted access token is refused', async () => {
    const user = await buildSignedInUser(t);
    await t.http.post('/api/auth/logout').set('Authorization', user.auth).send({}).expect(204);
    expectUnauthenticated(await me(user.auth), detail.revoked);
  });
});

describe('malformed Authorization headers on GET /api/users/me', () => {
  it('when there is no Authorization header, then 401 asking for a token', async () => {
    expectUnauthenticated(await me(), detail.missing);
  });

  it('when the header holds garbage, then 401 invalid', async () => {
    const user = await buildSignedInUser(t);
    const garbage = [
      'Bearer garbage',
      'Bearer a.b.c',
      'Bearer ...',
      'Bearer eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln',
      `Bearer ${encodePart([1, 2])}.${encodePart('x')}.c2ln`,
      `Bearer ${user.session.accessToken} trailing`,
      `Bearer  ${user.session.accessToken}`,
      `Bearer ${user.session.accessToken}.extra`,
      `Token ${user.session.accessToken}`,
      user.session.accessToken,
      'null',
      'undefined',
    ];
    for (const value of garbage) {
      expectUnauthenticated(await me(value), detail.invalid);
    }
  });

  it('when the scheme is Bearer with no token, then 401 invalid', async () => {
    expectUnauthenticated(await me('Bearer'), detail.invalid);
    expectUnauthenticated(await me('Bearer '), detail.invalid);
  });

  it('when the Basic scheme is used, then 401 with the Bearer challenge', async () => {
    const user = await buildSignedInUser(t);
    const basic = Buffer.from(`${user.row.username}:${user.password}`).toString('base64');
    expectUnauthenticated(await me(`Basic ${basic}`), detail.invalid);
  });

  it('when the header value is 10 KB long, then 401 invalid', async () => {
    expectUnauthenticated(await me(`Bearer ${'A'.repeat(10 * 1024)}`), detail.invalid);
    const third = 'A'.repeat(Math.floor((10 * 1024) / 3));
    expectUnauthenticated(await me(`Bearer ${third}.${third}.${third}`), detail.invalid);
    expectUnauthenticated(await me(`Bearer ${'a.'.repeat(5 * 1024)}`), detail.invalid);
  });
});

describe('roles on the admin routes', () => {
  it('when a member tampers role=admin into the token, then GET /api/users answers 401, not 403 or 200', async () => {
    const user = await buildSignedInUser(t);
    const { header, payload, signature } = partsOf(user.session.accessToken);
    const token = `${header}.${encodePart({ ...decodePart(payload), role: 'admin' })}.${signature}`;
    expectUnauthenticated(
      await t.http.get('/api/users').set('Authorization', `Bearer ${token}`),
      detail.invalid,
    );
  });

  it('when a member holds a correctly signed token claiming admin, then the stored role wins: 403', async () => {
    const user = await buildSignedInUser(t);
    const token = signRs256(claimsFor(user, { role: 'admin' }));
    expectForbidden(await t.http.get('/api/users').set('Authorization', `Bearer ${token}`));
  });

  it('when a member calls GET /api/users, then 403 FORBIDDEN', async () => {
    const user = await buildSignedInUser(t);
    const res = await t.http.get('/api/users').set('Authorization', user.auth);
    expectForbidden(res);
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('when a member tries PATCH /api/users/:id/role on themselves or others, then 403 and nothing changes', async () => {
    const user = await buildSignedInUser(t);
    const other = await buildSignedInUser(t);
    for (const id of [user.row.id, other.row.id]) {
      expectForbidden(
        await t.http
          .patch(`/api/users/${id}/role`)
          .set('Authorization', user.auth)
          .send({ role: 'admin' }),
      );
    }
    expect((await me(user.auth).expect(200)).body.role).toBe('member');
    expect((await me(other.auth).expect(200)).body.role).toBe('member');
  });

  it('when an admin changes a user’s role, then that user’s existing token carries the new role at once', async () => {
    const admin = await buildSignedInUser(t, { role: 'admin' });
    const user = await buildSignedInUser(t);
    expect(decodePart(partsOf(user.session.accessToken).payload).role).toBe('member');
    const listUsers = () => t.http.get('/api/users').set('Authorization', user.auth);
    const changeRole = (role: string) =>
      t.http
        .patch(`/api/users/${user.row.id}/role`)
        .set('Authorization', admin.auth)
        .send({ role })
        .expect(200);

    expectForbidden(await listUsers());

    expect((await changeRole('staff')).body).toMatchObject({ id: user.row.id, role: 'staff' });
    expect((await me(user.auth).expect(200)).body.role).toBe('staff');
    expectForbidden(await listUsers());

    expect((await changeRole('admin')).body).toMatchObject({ id: user.row.id, role: 'admin' });
    const asAdmin = await t.http
      .get('/api/users')
      .query({ q: user.row.username })
      .set('Authorization', user.auth)
      .expect(200);
    expect(asAdmin.body.items).toHaveLength(1);
    expect(asAdmin.body.items[0]).toMatchObject({ id: user.row.id, role: 'admin' });

    await changeRole('member');
    expectForbidden(await listUsers());
  });
});

describe('after all the attacks above', () => {
  it('when the log is read, then none of them surfaced as an unhandled error', () => {
    expect(t.logs.text).not.toContain('unhandled error');
  });
});
