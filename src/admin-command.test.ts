import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminUsage, runAdminCommand } from './admin-command.js';
import { buildSignedInUser } from './test-support/factories.js';
import { createTestApp, type TestApp } from './test-support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const password = (value: string) => () => Promise.resolve(value);

describe('npm run admin', () => {
  it('when an admin is created, then they sign in as admin; the same name or email again is a conflict', async () => {
    const line = await runAdminCommand(
      ['create', '--email', 'ops@nxg.test', '--username', 'ops'],
      t.container,
      password('correct horse battery\n'),
    );
    expect(line).toMatch(/^admin ops created/);
    const login = await t.http
      .post('/api/auth/login')
      .send({ login: 'ops', password: 'correct horse battery' })
      .expect(200);
    expect(login.body.user.role).toBe('admin');
    await expect(
      runAdminCommand(
        ['create', '--email', 'other@nxg.test', '--username', 'OPS'],
        t.container,
        password('correct horse battery'),
      ),
    ).rejects.toMatchObject({ status: 409, extras: { reason: 'USERNAME_TAKEN' } });
  });

  it('when a member is promoted, then their very next request is an admin’s', async () => {
    const member = await buildSignedInUser(t);
    // Warm the account cache with the member's old role first.
    await t.http.get('/api/users').set('Authorization', member.auth).expect(403);
    await runAdminCommand(['promote', member.row.email], t.container, password(''));
    const me = await t.http.get('/api/users/me').set('Authorization', member.auth).expect(200);
    expect(me.body.role).toBe('admin');
    await t.http.get('/api/users').set('Authorization', member.auth).expect(200);
  });

  it('when the command or its input is wrong, then it says how to use it and changes nothing', async () => {
    await expect(runAdminCommand([], t.container, password(''))).rejects.toThrow(adminUsage);
    await expect(
      runAdminCommand(['create', '--email', 'x@nxg.test'], t.container, password('long enough')),
    ).rejects.toThrow(adminUsage);
    await expect(
      runAdminCommand(
        ['create', '--email', 'short@nxg.test', '--username', 'short'],
        t.container,
        password('short'),
      ),
    ).rejects.toThrow(/8-72 bytes/);
    await expect(
      runAdminCommand(['promote', 'nobody@nxg.test'], t.container, password('')),
    ).rejects.toMatchObject({ status: 404 });
    await t.http
      .post('/api/auth/login')
      .send({ login: 'short', password: 'short' })
      .expect((res) => expect(res.status).not.toBe(200));
  });
});
