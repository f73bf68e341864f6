import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBranch, buildSignedInUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';

/**
 * Two instances on one database and cache, as two processes behind a load balancer: each
 * keeps its own copy of the accounts it served. A change made through A must show on the very
 * next request to B, whose copy was warm.
 */
describe('cached accounts across two instances', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await createTestApp();
    b = await a.startAnotherInstance();
  });

  afterAll(async () => {
    await a.close();
  });

  /** Serves /me from B twice, so B's copy is warm before the change. */
  async function warm(auth: string) {
    await b.http.get('/api/users/me').set('Authorization', auth).expect(200);
    return (await b.http.get('/api/users/me').set('Authorization', auth).expect(200)).body as {
      username: string;
      role: string;
      branches: { branchId: string; branchName: string }[];
    };
  }

  it('when the user logs out on A, then B rejects the token at once', async () => {
    const user = await buildSignedInUser(a);
    await warm(user.auth);
    await a.http.post('/api/auth/logout').set('Authorization', user.auth).send({}).expect(204);
    await b.http.get('/api/users/me').set('Authorization', user.auth).expect(401);
  });

  it('when every session ends on A, then B rejects each of them at once', async () => {
    const user = await buildSignedInUser(a);
    const second = await a.container.auth.login(
      { login: user.row.username, password: user.password },
      { ip: '127.0.0.1', userAgent: 'vitest' },
    );
    const secondAuth = `Bearer ${second.accessToken}`;
    await warm(user.auth);
    await warm(secondAuth);
    await a.http.post('/api/auth/logout-all').set('Authorization', user.auth).expect(204);
    await b.http.get('/api/users/me').set('Authorization', user.auth).expect(401);
    await b.http.get('/api/users/me').set('Authorization', secondAuth).expect(401);
  });

  it('when an admin demotes another admin on A, then B serves the new role at once', async () => {
    const admin = await buildSignedInUser(a, { role: 'admin' });
    const demoted = await buildSignedInUser(a, { role: 'admin' });
    expect((await warm(demoted.auth)).role).toBe('admin');
    await b.http.get('/api/users').set('Authorization', demoted.auth).expect(200);
    await a.http
      .patch(`/api/users/${demoted.row.id}/role`)
      .set('Authorization', admin.auth)
      .send({ role: 'member' })
      .expect(200);
    await b.http.get('/api/users').set('Authorization', demoted.auth).expect(403);
    const me = await b.http.get('/api/users/me').set('Authorization', demoted.auth).expect(200);
    expect(me.body.role).toBe('member');
  });

  it('when the account is deleted on A, then B rejects its token at once', async () => {
    const user = await buildSignedInUser(a);
    await warm(user.auth);
    await a.http
      .delete('/api/users/me')
      .set('Authorization', user.auth)
      .send({ password: user.password })
      .expect(204);
    await b.http.get('/api/users/me').set('Authorization', user.auth).expect(401);
  });

  it('when the profile changes on A, then B shows it at once', async () => {
    const user = await buildSignedInUser(a);
    await warm(user.auth);
    const username = `renamed_${user.row.id.slice(0, 8)}`;
    await a.http
      .patch('/api/users/me')
      .set('Authorization', user.auth)
      .send({ username })
      .expect(200);
    const me = await b.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    expect(me.body.username).toBe(username);
  });

  it('when the member joins, the branch is renamed and the member leaves on A, then B shows each at once', async () => {
    const admin = await buildSignedInUser(a, { role: 'admin' });
    const member = await buildSignedInUser(a);
    const branch = await buildBranch(a);
    expect((await warm(member.auth)).branches).toEqual([]);

    await a.http
      .post(`/api/branches/${branch.id}/join`)
      .set('Authorization', member.auth)
      .expect(200);
    let me = await b.http.get('/api/users/me').set('Authorization', member.auth).expect(200);
    expect(me.body.branches).toMatchObject([{ branchId: branch.id, branchName: branch.name }]);

    const name = `${branch.name} (renamed)`;
    await a.http
      .patch(`/api/branches/${branch.id}`)
      .set('Authorization', admin.auth)
      .send({ name })
      .expect(200);
    me = await b.http.get('/api/users/me').set('Authorization', member.auth).expect(200);
    expect(me.body.branches).toMatchObject([{ branchId: branch.id, branchName: name }]);

    await a.http
      .post(`/api/branches/${branch.id}/leave`)
      .set('Authorization', member.auth)
      .expect(200);
    me = await b.http.get('/api/users/me').set('Authorization', member.auth).expect(200);
    expect(me.body.branches).toEqual([]);
  });

  it('when a staff member is removed from a branch on A, then B refuses them its staff list at once', async () => {
    const admin = await buildSignedInUser(a, { role: 'admin' });
    const staff = await buildSignedInUser(a, { role: 'staff' });
    const branch = await buildBranch(a);
    await a.http
      .post(`/api/branches/${branch.id}/staff`)
      .set('Authorization', admin.auth)
      .send({ userId: staff.row.id })
      .expect(200);
    await warm(staff.auth);
    await b.http
      .get(`/api/branches/${branch.id}/staff`)
      .set('Authorization', staff.auth)
      .expect(200);
    await a.http
      .delete(`/api/branches/${branch.id}/staff/${staff.row.id}`)
      .set('Authorization', admin.auth)
      .expect(204);
    await b.http
      .get(`/api/branches/${branch.id}/staff`)
      .set('Authorization', staff.auth)
      .expect(403);
  });
});
