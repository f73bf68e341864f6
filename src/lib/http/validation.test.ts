import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedInUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';

let t: TestApp;
let admin: Awaited<ReturnType<typeof buildSignedInUser>>;
beforeAll(async () => {
  t = await createTestApp();
  admin = await buildSignedInUser(t, { role: 'admin' });
});
afterAll(async () => {
  await t.close();
});

const PROBLEM_KEYS = [
  'type',
  'title',
  'status',
  'detail',
  'code',
  'reason',
  'correlationId',
  'errors',
  'errorsOmitted',
];
/** Stack frames, SQL, driver and library wording that must never reach a client. */
const LEAKS =
  /\bat .+:\d+:\d+|node_modules|\.ts:\d|\.js:\d|\bselect\b.+\bfrom\b|insert into|update .+ set|violates|constraint|relation "|postgres|pglite|drizzle|SyntaxError|Unexpected token|stack/i;

/** Asserts an RFC 9457 problem document as the OpenAPI document's Problem schema defines it. */
function expectProblem(res: Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  // UPPER_SNAKE: upper-case words joined by single underscores.
  expect(code.split('_').every((word) => /^[A-Z]+$/.test(word))).toBe(true);
  expect(res.body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
  });
  expect(res.body.type).not.toBe('');
  expect(res.body.title).not.toBe('');
  expect(res.body.detail).not.toBe('');
  expect(res.headers['x-request-id']).toEqual(expect.any(String));
  expect(res.body.correlationId).toBe(res.headers['x-request-id']);
  expect(Object.keys(res.body).filter((key) => !PROBLEM_KEYS.includes(key))).toEqual([]);
  expect(res.body).not.toHaveProperty('stack');
  expect(res.text).not.toMatch(LEAKS);
}

const unique = () => Math.random().toString(36).slice(2, 10);
const registration = (tag = unique()) => ({
  username: `val_${tag}`,
  email: `val_${tag}@example.test`,
  password: 'a sound password',
  name: 'Valid Name',
});
const register = (body: unknown) => t.http.post('/api/auth/register').send(body as object);
const rawPost = (path: string, raw: string, contentType = 'application/json') =>
  t.http.post(path).set('Content-Type', contentType).send(raw);

const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

describe('POST /api/auth/register validation', () => {
  it('when a required field is missing, then 400 naming it and nothing is created', async () => {
    const { username, email, password } = registration('noname');
    const body = { username, email, password };
    const res = await register(body);
    expectProblem(res, 400, 'VALIDATION_ERROR');
    expect(res.body.errors).toEqual([
      { path: 'body.name', message: expect.stringMatching(/expected string, received undefined/) },
    ]);
    expectProblem(
      await t.http.post('/api/auth/login').send({ login: body.email, password: body.password }),
      401,
      'INVALID_CREDENTIALS',
    );
  });

  it('when fields have the wrong type, then 400 with one entry per field', async () => {
    const res = await register({ ...registration(), password: 12345678, name: ['Sam'] });
    expectProblem(res, 400, 'VALIDATION_ERROR');
    expect(res.body.errors).toEqual([
      { path: 'body.password', message: expect.stringMatching(/expected string, received number/) },
      { path: 'body.name', message: expect.stringMatching(/expected string, received array/) },
    ]);
  });

  it('when unknown fields are sent (mass assignment of role), then 400 "unknown field"', async () => {
    const res = await register({ ...registration(), role: 'admin', isActive: true });
    expectProblem(res, 400, 'VALIDATION_ERROR');
    expect(res.body.errors).toEqual([
      { path: 'body.role', message: 'unknown field' },
      { path: 'body.isActive', message: 'unknown field' },
    ]);
  });

  it('when __proto__ is smuggled in raw JSON, then 400 "unknown field" and no admin is made', async () => {
    const body = JSON.stringify(registration('proto')).replace(
      /^\{/,
      '{"__proto__":{"role":"admin"},',
    );
    const res = await rawPost('/api/auth/register', body);
    expectProblem(res, 400, 'VALIDATION_ERROR');
    expect(res.body.errors).toEqual([{ path: 'body.__proto__', message: 'unknown field' }]);
  });

  it('when the username or name is too long, then 400 with the limit', async () => {
    const res = await register({
      ...registration(),
      username: 'u'.repeat(31),
      name: 'n'.repeat(101),
    });
    expectProblem(res, 400, 'VALIDATION_ERROR');
    expect(res.body.errors).toEqual([
      { path: 'body.username', message: 'must be 3-30 letters, digits, _ . or -' },
      { path: 'body.name', message: 'must be at most 100 characters' },
    ]);
  });

  it('when a well-formed email is longer than 254 characters, then 400 saying it is too long', async () => {
    const email = `${'e'.repeat(60)}@${'d'.repeat(60)}.${'d'.repeat(60)}.${'d'.repeat(60)}.example.test`;
    expect(email).toHaveLength(256);
    const res = await register({ ...registration(), email });
    expectProblem(res, 400, 'VALIDATION_ERROR');
    expect(res.body.errors).toEqual([
      { path: 'body.email', message: expect.stringMatching(/254/) },
    ]);
  });

  it('when a control character or NUL is in the name, then 400, never 500', async () => {
    for (const name of [
      'Sam\u0000',
      'Sam\u0007Bell',
      '\u001b[31mRed',
      'Next\u0085Line',
      'x\u007f',
    ]) {
      const res = await register({ ...registration(), name });
      expectProblem(res, 400, 'VALIDATION_ERROR');
      expect(res.body.errors).toEqual([
        { path: 'body.name', message: 'must not contain control characters' },
      ]);
    }
  });

  it('when a NUL is in the username or email, then 400, never 500', async () => {
    const tag = unique();
    for (const [field, value] of [
      ['username', `nul_${tag}\u0000`],
      ['email', `nul_${tag}\u0000@example.test`],
    ] as const) {
      const res = await register({ ...registration(tag), [field]: value });
      expectProblem(res, 400, 'VALIDATION_ERROR');
      expect(res.body.errors).toEqual([{ path: `body.${field}`, message: expect.any(String) }]);
    }
  });

  it('when the password holds a NUL, then it is not truncated there', async () => {
    const body = { ...registration('nulpw'), password: 'a sound\u0000password' };
    await register(body).expect(201);
    const login = (password: string) =>
      t.http.post('/api/auth/login').send({ login: body.username, password });
    expectProblem(await login('a sound'), 401, 'INVALID_CREDENTIALS');
    expectProblem(await login('a sound\u0000different'), 401, 'INVALID_CREDENTIALS');
    await login(body.password).expect(200);
  });

  it('when a NUL is in the login, then 400 or 401, never 500', async () => {
    const res = await t.http
      .post('/api/auth/login')
      .send({ login: 'someone\u0000', password: 'whatever password' });
    expect([400, 401]).toContain(res.status);
    expectProblem(res, res.status, res.status === 400 ? 'VALIDATION_ERROR' : 'INVALID_CREDENTIALS');
  });

  it('when the email or username is taken, then 409 and no user exists with the second email', async () => {
    const first = registration('first409');
    await register(first).expect(201);
    const second = { ...registration('second409'), username: first.username.toUpperCase() };
    expectProblem(await register(second), 409, 'CONFLICT');
    expectProblem(
      await t.http.post('/api/auth/login').send({ login: second.email, password: second.password }),
      401,
      'INVALID_CREDENTIALS',
    );
    const listed = await t.http
      .get('/api/users')
      .query({ q: 'second409' })
      .set('Authorization', admin.auth)
      .expect(200);
    expect(listed.body.items).toEqual([]);
  });
});

describe('request bodies that are not an acceptable JSON object', () => {
  it('when the JSON is malformed, then 400 MALFORMED_JSON', async () => {
    for (const raw of ['{"a":', '{name: "x"}', "{'a': 1}", '{"a": 1,}', '{"a": NaN}']) {
      const res = await rawPost('/api/auth/register', raw);
      expectProblem(res, 400, 'MALFORMED_JSON');
      expect(res.body.detail).toBe('The request body is not valid JSON.');
    }
  });

  it('when the body is sent as text/plain or a form, then 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const json = JSON.stringify(registration('texty'));
    expectProblem(
      await rawPost('/api/auth/register', json, 'text/plain'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectProblem(
      await rawPost(
        '/api/auth/register',
        'username=a&password=b',
        'application/x-www-form-urlencoded',
      ),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const user = await buildSignedInUser(t);
    const res = await t.http
      .patch('/api/users/me')
      .set('Authorization', user.auth)
      .set('Content-Type', 'text/plain')
      .send('{"profile":{"name":"Plain"}}');
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(
      (await t.http.get('/api/users/me').set('Authorization', user.auth)).body.profile.name,
    ).toBe(user.row.profile.name);
    // The account was not created by the text/plain attempt either.
    expectProblem(
      await t.http
        .post('/api/auth/login')
        .send({ login: 'val_texty', password: 'a sound password' }),
      401,
      'INVALID_CREDENTIALS',
    );
  });

  it('when the JSON charset is not UTF, then 415', async () => {
    const res = await rawPost(
      '/api/auth/register',
      JSON.stringify(registration()),
      'application/json; charset=iso-8859-1',
    );
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('when the body exceeds 100 KB, then 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await register({ ...registration(), name: 'x'.repeat(101 * 1024) });
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(res.body.detail).toBe('The request body exceeds the 102400-byte limit.');
    // Just under the limit the body is read and judged on its content instead.
    const under = await register({ ...registration(), name: 'x'.repeat(99 * 1024) });
    expectProblem(under, 400, 'VALIDATION_ERROR');
  });

  it('when the JSON is an array, then 400 expecting an object', async () => {
    const res = await rawPost('/api/auth/register', JSON.stringify([registration()]));
    expectProblem(res, 400, 'VALIDATION_ERROR');
    expect(res.body.errors).toEqual([
      { path: 'body', message: expect.stringMatching(/expected object, received array/) },
    ]);
  });

  /** Posts these exact bytes (supertest would otherwise JSON-encode a Buffer). */
  const postEncoded = (encoding: string, body: Buffer | string) =>
    t.http
      .post('/api/auth/register')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', encoding)
      .serialize((bytes: unknown) => bytes as string)
      .send(body);

  it('when the body does not decompress as its Content-Encoding says, then 400, never 500', async () => {
    const json = JSON.stringify(registration());
    const truncatedGzip = gzipSync(json).subarray(0, 12);
    for (const [encoding, body] of [
      ['gzip', Buffer.from(json)],
      ['gzip', truncatedGzip],
      ['deflate', Buffer.from(json)],
      ['br', Buffer.from(json)],
    ] as const) {
      const res = await postEncoded(encoding, body);
      expectProblem(res, 400, 'VALIDATION_ERROR');
      expect(res.body.detail).toMatch(/could not be decompressed as its Content-Encoding/);
    }
    // Correctly compressed bodies are read and judged on their content (control).
    for (const [encoding, body] of [
      ['gzip', gzipSync(JSON.stringify({ username: 'x' }))],
      ['br', brotliCompressSync(JSON.stringify({ username: 'x' }))],
    ] as const) {
      const res = await postEncoded(encoding, body);
      expectProblem(res, 400, 'VALIDATION_ERROR');
      expect(res.body.errors).toContainEqual({ path: 'body.email', message: expect.any(String) });
    }
  });

  it('when the Content-Encoding is one the server cannot decode, then 415 naming the ones it can', async () => {
    for (const encoding of ['compress', 'x-custom', 'gzip, gzip']) {
      const res = await postEncoded(encoding, JSON.stringify(registration()));
      expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(res.body.detail).toMatch(/Content-Encoding gzip, deflate or br/);
    }
  });

  it('when a body has 8,000 unknown keys, then 400 lists the first 20 and counts the rest', async () => {
    const body: Record<string, unknown> = registration();
    for (let i = 0; i < 8_000; i++) body[`k${String(i)}`] = 1;
    const res = await register(body);
    expectProblem(res, 400, 'VALIDATION_ERROR');
    expect(res.body.errors).toHaveLength(20);
    expect(res.body.errors[0]).toEqual({ path: 'body.k0', message: 'unknown field' });
    expect(res.body.errorsOmitted).toBe(7_980);
    expect(res.text.length).toBeLessThan(4_096);
    // Twenty or fewer are listed in full, without the count (control).
    const few = await register({ ...registration(), a: 1, b: 2 });
    expect(few.body.errors).toHaveLength(2);
    expect(few.body).not.toHaveProperty('errorsOmitted');
  });

  it('when the JSON is a bare string, number or null, then 400', async () => {
    for (const raw of ['"just a string"', '42', 'null', 'true']) {
      const res = await rawPost('/api/auth/register', raw);
      expectProblem(res, 400, 'MALFORMED_JSON');
    }
  });
});

describe('PATCH /api/users/me validation', () => {
  const patchMe = (auth: string, body: unknown) =>
    t.http
      .patch('/api/users/me')
      .set('Authorization', auth)
      .send(body as object);

  it('when unknown fields are sent at any depth, then 400 "unknown field" with the full path', async () => {
    const user = await buildSignedInUser(t);
    const res = await patchMe(user.auth, {
      role: 'admin',
      email: 'new@example.test',
      profile: { demographics: { shoeSize: 44 } },
    });
    expectProblem(res, 400, 'VALIDATION_ERROR');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'body.role', message: 'unknown field' },
        { path: 'body.email', message: 'unknown field' },
        { path: 'body.profile.demographics.shoeSize', message: 'unknown field' },
      ]),
    );
    expect(res.body.errors).toHaveLength(3);
  });

  it('when age is not an integer or out of range, then 400 at body.profile.demographics.age', async () => {
    const user = await buildSignedInUser(t);
    for (const age of [30.5, 12, 121, -1, '30']) {
      const res = await patchMe(user.auth, { profile: { demographics: { age } } });
      expectProblem(res, 400, 'VALIDATION_ERROR');
      expect(res.body.errors).toEqual([
        { path: 'body.profile.demographics.age', message: expect.any(String) },
      ]);
    }
  });

  it('when a number is 1e400 (Infinity once parsed), then 400, never stored', async () => {
    const user = await buildSignedInUser(t);
    for (const raw of [
      '{"profile":{"demographics":{"weightKg":1e400}}}',
      '{"profile":{"demographics":{"age":-1e400}}}',
    ]) {
      const res = await t.http
        .patch('/api/users/me')
        .set('Authorization', user.auth)
        .set('Content-Type', 'application/json')
        .send(raw);
      expectProblem(res, 400, 'VALIDATION_ERROR');
    }
    const me = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    expect(me.body.profile.demographics).toMatchObject({ weightKg: null, age: null });
  });

  it('when a 400 happens, then the profile is left exactly as it was', async () => {
    const user = await buildSignedInUser(t);
    await patchMe(user.auth, { profile: { name: 'Before', demographics: { age: 30 } } }).expect(
      200,
    );
    const before = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    const res = await patchMe(user.auth, {
      username: `renamed_${unique()}`,
      profile: { name: 'After', demographics: { age: 31, heightCm: 9999 } },
    });
    expectProblem(res, 400, 'VALIDATION_ERROR');
    expect(res.body.errors).toEqual([
      { path: 'body.profile.demographics.heightCm', message: expect.any(String) },
    ]);
    const after = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    expect(after.body).toEqual(before.body);
  });

  it('when the new username is taken, then 409 and neither the username nor the profile changes', async () => {
    const user = await buildSignedInUser(t);
    const other = await buildSignedInUser(t);
    const before = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    const res = await patchMe(user.auth, {
      username: other.row.username.toUpperCase(),
      profile: { name: 'Should Not Stick' },
    });
    expectProblem(res, 409, 'CONFLICT');
    const after = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    expect(after.body).toEqual(before.body);
  });

  it('when the name has emoji and combining characters, then it is stored NFC and returned intact', async () => {
    const user = await buildSignedInUser(t);
    // "e" + COMBINING ACUTE, "n" + COMBINING TILDE, a ZWJ emoji sequence with variation selector.
    const decomposed = '  Ame\u0301lie N\u0303an\u0303ez 🏋️‍♀️ 👩🏽‍💻  ';
    const expected = 'Am\u00e9lie \u00d1a\u00f1ez 🏋️‍♀️ 👩🏽‍💻';
    expect(decomposed.normalize('NFC').trim()).toBe(expected);
    const res = await patchMe(user.auth, { profile: { name: decomposed } }).expect(200);
    expect(res.body.profile.name).toBe(expected);
    const me = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    expect(me.body.profile.name).toBe(expected);
    expect(me.body.profile.name.normalize('NFC')).toBe(me.body.profile.name);
  });

  it('when a profile string holds a NUL or control character, then 400, never 500', async () => {
    const user = await buildSignedInUser(t);
    const cases: [unknown, string][] = [
      [{ profile: { name: 'Nul\u0000l' } }, 'body.profile.name'],
      [{ profile: { name: 'Esc\u001b' } }, 'body.profile.name'],
      [
        { profile: { dietPreferences: { allergies: ['nuts\u0000'] } } },
        'body.profile.dietPreferences.allergies.0',
      ],
      [
        { profile: { fitnessProfile: { healthConditions: ['ok', 'bad\u0008'] } } },
        'body.profile.fitnessProfile.healthConditions.1',
      ],
    ];
    for (const [body, path] of cases) {
      const res = await patchMe(user.auth, body);
      expectProblem(res, 400, 'VALIDATION_ERROR');
      expect(res.body.errors).toEqual([{ path, message: 'must not contain control characters' }]);
    }
  });

  it('when the name is too long or only whitespace, then 400', async () => {
    const user = await buildSignedInUser(t);
    const long = await patchMe(user.auth, { profile: { name: 'n'.repeat(101) } });
    expectProblem(long, 400, 'VALIDATION_ERROR');
    expect(long.body.errors).toEqual([
      { path: 'body.profile.name', message: 'must be at most 100 characters' },
    ]);
    const blank = await patchMe(user.auth, { profile: { name: '   ' } });
    expectProblem(blank, 400, 'VALIDATION_ERROR');
    expect(blank.body.errors).toEqual([
      { path: 'body.profile.name', message: 'must not be empty' },
    ]);
  });

  it('when the body is malformed JSON, then 400 MALFORMED_JSON', async () => {
    const user = await buildSignedInUser(t);
    const res = await t.http
      .patch('/api/users/me')
      .set('Authorization', user.auth)
      .set('Content-Type', 'application/json')
      .send('{"profile":');
    expectProblem(res, 400, 'MALFORMED_JSON');
  });
});

describe('POST /api/users/me/body-composition validation', () => {
  const addEntry = (auth: string, body: unknown) =>
    t.http
      .post('/api/users/me/body-composition')
      .set('Authorization', auth)
      .send(body as object);

  it('when the body is valid, then 201 (control for the refusals below)', async () => {
    const user = await buildSignedInUser(t);
    const res = await addEntry(user.auth, {
      measuredAt: minutesFromNow(-10),
      weightKg: 80.5,
      bodyFatPercentage: 18.2,
    }).expect(201);
    expect(res.body).toMatchObject({ weightKg: 80.5, bodyFatPercentage: 18.2, source: 'manual' });
  });

  it('when no metric is given at all, then 400 asking for one', async () => {
    const user = await buildSignedInUser(t);
    for (const body of [
      { measuredAt: minutesFromNow(-1) },
      { measuredAt: minutesFromNow(-1), notes: 'felt good' },
    ]) {
      const res = await addEntry(user.auth, body);
      expectProblem(res, 400, 'VALIDATION_ERROR');
      expect(res.body.errors).toEqual([
        { path: 'body.weightKg', message: 'give at least one measurement' },
      ]);
    }
  });

  it('when measuredAt is in the future beyond clock slack, then 400', async () => {
    const user = await buildSignedInUser(t);
    const res = await addEntry(user.auth, { measuredAt: minutesFromNow(60), weightKg: 80 });
    expectProblem(res, 400, 'VALIDATION_ERROR');
    expect(res.body.errors).toEqual([
      { path: 'body.measuredAt', message: 'must not be in the future' },
    ]);
    // A scale running a minute ahead is tolerated.
    await addEntry(user.auth, { measuredAt: minutesFromNow(1), weightKg: 80 }).expect(201);
  });

  it('when measuredAt is missing, not ISO-8601 with offset, or before 1900, then 400', async () => {
    const user = await buildSignedInUser(t);
    for (const measuredAt of [
      undefined,
      'yesterday',
      '2026-01-01T10:00:00',
      1700000000000,
      '1899-12-31T23:00:00Z',
    ]) {
      const res = await addEntry(user.auth, { measuredAt, weightKg: 80 });
      expectProblem(res, 400, 'VALIDATION_ERROR');
      expect(res.body.errors).toEqual([{ path: 'body.measuredAt', message: expect.any(String) }]);
    }
  });

  it('when a metric is out of range, negative, a string or 1e400, then 400 at that metric', async () => {
    const user = await buildSignedInUser(t);
    const measuredAt = minutesFromNow(-5);
    for (const weightKg of [401, 19.99, -80, 0, '80']) {
      const res = await addEntry(user.auth, { measuredAt, weightKg });
      expectProblem(res, 400, 'VALIDATION_ERROR');
      expect(res.body.errors).toEqual([{ path: 'body.weightKg', message: expect.any(String) }]);
    }
    for (const raw of [
      `{"measuredAt":"${measuredAt}","weightKg":1e400}`,
      `{"measuredAt":"${measuredAt}","weightKg":-1e400}`,
      `{"measuredAt":"${measuredAt}","basalMetabolicRateKcal":1e308}`,
    ]) {
      const res = await t.http
        .post('/api/users/me/body-composition')
        .set('Authorization', user.auth)
        .set('Content-Type', 'application/json')
        .send(raw);
      expectProblem(res, 400, 'VALIDATION_ERROR');
      expect(res.body.errors).toHaveLength(1);
    }
  });

  it('when notes are too long or hold a NUL, and when a field is unknown, then 400', async () => {
    const user = await buildSignedInUser(t);
    const measuredAt = minutesFromNow(-5);
    const long = await addEntry(user.auth, { measuredAt, weightKg: 80, notes: 'n'.repeat(501) });
    expectProblem(long, 400, 'VALIDATION_ERROR');
    expect(long.body.errors).toEqual([
      { path: 'body.notes', message: 'must be at most 500 characters' },
    ]);
    const nul = await addEntry(user.auth, { measuredAt, weightKg: 80, notes: 'a\u0000b' });
    expectProblem(nul, 400, 'VALIDATION_ERROR');
    const unknown = await addEntry(user.auth, { measuredAt, weightKg: 80, source: 'inbody' });
    expectProblem(unknown, 400, 'VALIDATION_ERROR');
    expect(unknown.body.errors).toEqual([{ path: 'body.source', message: 'unknown field' }]);
  });

  it('when entries are refused, then nothing was written: history and snapshot stay empty', async () => {
    const user = await buildSignedInUser(t);
    await addEntry(user.auth, { measuredAt: minutesFromNow(60), weightKg: 80 }).expect(400);
    await addEntry(user.auth, { measuredAt: minutesFromNow(-5), weightKg: 500 }).expect(400);
    const history = await t.http
      .get('/api/users/me/body-composition')
      .set('Authorization', user.auth)
      .expect(200);
    expect(history.body).toEqual({ items: [], nextCursor: null });
    const me = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    expect(me.body.bodyComposition).toBeNull();
  });
});

describe('query validation on lists', () => {
  const history = (auth: string, query: string) =>
    t.http.get(`/api/users/me/body-composition${query}`).set('Authorization', auth);
  const users = (query: string) =>
    t.http.get(`/api/users${query}`).set('Authorization', admin.auth);

  it('when limit is 0, 101, not a number, fractional, negative or repeated, then 400 at query.limit', async () => {
    const user = await buildSignedInUser(t);
    for (const query of [
      '?limit=0',
      '?limit=101',
      '?limit=abc',
      '?limit=1.5',
      '?limit=-1',
      '?limit=1e400',
      '?limit=1&limit=2',
    ]) {
      for (const res of [await history(user.auth, query), await users(query)]) {
        expectProblem(res, 400, 'VALIDATION_ERROR');
        expect(res.body.errors).toEqual([{ path: 'query.limit', message: expect.any(String) }]);
      }
    }
  });

  it('when limit is at the bounds, then 200 (control)', async () => {
    const user = await buildSignedInUser(t);
    for (const query of ['?limit=1', '?limit=100', '']) {
      expect((await history(user.auth, query).expect(200)).body).toEqual({
        items: [],
        nextCursor: null,
      });
      await users(query).expect(200);
    }
  });

  it('when an unknown query parameter is sent, then 400 "unknown field"', async () => {
    const user = await buildSignedInUser(t);
    for (const res of [
      await history(user.auth, '?limit=5&sort=asc'),
      await users('?limit=5&sort=asc'),
    ]) {
      expectProblem(res, 400, 'VALIDATION_ERROR');
      expect(res.body.errors).toEqual([{ path: 'query.sort', message: 'unknown field' }]);
    }
  });

  it('when the admin filters are invalid, then 400', async () => {
    expectProblem(await users('?role=superuser'), 400, 'VALIDATION_ERROR');
    expectProblem(await users('?q='), 400, 'VALIDATION_ERROR');
    expectProblem(await users(`?q=${'q'.repeat(101)}`), 400, 'VALIDATION_ERROR');
    expectProblem(await users('?q=a%00b'), 400, 'VALIDATION_ERROR');
  });

  const encodeCursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const someId = '3f1c4f0e-8d5a-4c1e-9a3b-2b7d6e5f4a10';

  async function expectCursorRefused(auth: string, cursor: string): Promise<void> {
    const query = `?cursor=${encodeURIComponent(cursor)}`;
    for (const res of [await history(auth, query), await users(query)]) {
      expectProblem(res, 400, 'VALIDATION_ERROR');
      expect(res.body.errors).toEqual([{ path: 'query.cursor', message: 'invalid cursor' }]);
    }
  }

  it('when the cursor is not one the API issued, then 400 at query.cursor', async () => {
    const user = await buildSignedInUser(t);
    for (const cursor of [
      'garbage',
      '%00',
      encodeCursor({ at: '2026-01-01T00:00:00Z', id: someId }),
      encodeCursor(['not a date', someId]),
      encodeCursor(['2026-01-01T00:00:00Z', 'not-a-uuid']),
      encodeCursor(['2026-01-01T00:00:00Z', someId, 'extra']),
    ]) {
      await expectCursorRefused(user.auth, cursor);
    }
    const tooLong = await history(user.auth, `?cursor=${'a'.repeat(201)}`);
    expectProblem(tooLong, 400, 'VALIDATION_ERROR');
    expect(tooLong.body.errors).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
  });

  // cursor.ts promises "anything we did not issue is a 400, never a query error": these decode,
  // so they must be refused by decodeCursor itself, not by the database rejecting the query.
  it('when a decodable cursor holds a non-UUID id or a date PostgreSQL cannot store, then 400 at query.cursor', async () => {
    const user = await buildSignedInUser(t);
    for (const cursor of [
      encodeCursor(['2026-01-01T00:00:00Z', '-'.repeat(36)]),
      encodeCursor(['2026-01-01T00:00:00Z', 'ffffffffffffffffffffffffffffffffffff']),
      encodeCursor(['0000-01-01T00:00:00Z', someId]),
      encodeCursor(['-000001-01-01T00:00:00Z', someId]),
    ]) {
      await expectCursorRefused(user.auth, cursor);
    }
  });

  it('when a cursor the API issued is followed, then the next page comes back (control)', async () => {
    const user = await buildSignedInUser(t);
    for (const minutes of [-30, -20]) {
      await t.http
        .post('/api/users/me/body-composition')
        .set('Authorization', user.auth)
        .send({ measuredAt: minutesFromNow(minutes), weightKg: 80 })
        .expect(201);
    }
    const first = await history(user.auth, '?limit=1').expect(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await history(
      user.auth,
      `?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    ).expect(200);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    expect(second.body.nextCursor).toBeNull();
  });
});

describe('path parameters and unknown routes', () => {
  it('when the :id is not a UUID, then 400 at params.id', async () => {
    for (const id of ['not-a-uuid', '123', 'a'.repeat(36), "1' OR '1'='1"]) {
      const res = await t.http
        .patch(`/api/users/${encodeURIComponent(id)}/role`)
        .set('Authorization', admin.auth)
        .send({ role: 'staff' });
      expectProblem(res, 400, 'VALIDATION_ERROR');
      expect(res.body.errors).toEqual([{ path: 'params.id', message: 'must be a UUID' }]);
    }
  });

  it('when the :id is a UUID of nobody, then 404 NOT_FOUND', async () => {
    const res = await t.http
      .patch('/api/users/3f1c4f0e-8d5a-4c1e-9a3b-2b7d6e5f4a10/role')
      .set('Authorization', admin.auth)
      .send({ role: 'staff' });
    expectProblem(res, 404, 'NOT_FOUND');
    expect(res.body.detail).toBe('User not found.');
  });

  it('when the role body is invalid, then 400 and the role is unchanged', async () => {
    const user = await buildSignedInUser(t);
    for (const body of [{ role: 'owner' }, {}, { role: 'admin', extra: 1 }]) {
      const res = await t.http
        .patch(`/api/users/${user.row.id}/role`)
        .set('Authorization', admin.auth)
        .send(body);
      expectProblem(res, 400, 'VALIDATION_ERROR');
    }
    expect((await t.http.get('/api/users/me').set('Authorization', user.auth)).body.role).toBe(
      'member',
    );
  });

  it('when the route does not exist, then 404 problem+json', async () => {
    for (const res of [
      await t.http.get('/api/nope'),
      await t.http.post('/api/users/me/nothing-here').send({}),
      await t.http.delete('/api/users').set('Authorization', admin.auth),
      await t.http.get('/nope'),
    ]) {
      expectProblem(res, 404, 'NOT_FOUND');
    }
  });
});

describe('correlation ids', () => {
  it('when the client sends X-Request-Id, then the problem echoes it as correlationId', async () => {
    const res = await t.http
      .post('/api/auth/register')
      .set('X-Request-Id', 'client-req-42')
      .send({});
    expectProblem(res, 400, 'VALIDATION_ERROR');
    expect(res.body.correlationId).toBe('client-req-42');
  });

  it('when the client sends an unsafe X-Request-Id, then a fresh one is minted instead', async () => {
    const res = await t.http.get('/api/nope').set('X-Request-Id', 'bad id\twith spaces');
    expectProblem(res, 404, 'NOT_FOUND');
    expect(res.body.correlationId).not.toBe('bad id\twith spaces');
    expect(res.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('after all the requests above', () => {
  it('when the log is read, then no validation failure surfaced as an unhandled error', () => {
    expect(t.logs.text).not.toContain('unhandled error');
  });
});
