import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBranch,
  buildBranchStaff,
  buildCheckedInMember,
  buildMachine,
  buildSignedInUser,
} from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';

let t: TestApp;
let admin: Awaited<ReturnType<typeof buildSignedInUser>>;
let member: Awaited<ReturnType<typeof buildSignedInUser>>;
beforeAll(async () => {
  t = await createTestApp();
  admin = await buildSignedInUser(t, { role: 'admin' });
  member = await buildSignedInUser(t);
});
afterAll(async () => {
  await t.close();
});

const problem = (body: { code?: string }) => body.code;

describe('branch administration', () => {
  it('when an admin creates, reads, renames and deletes a branch, then each step answers as documented', async () => {
    const created = await t.http
      .post('/api/branches')
      .set('Authorization', admin.auth)
      .send({ name: '  Downtown  ', address: '5 Main St', timezone: 'America/New_York' })
      .expect(201);
    expect(created.body).toMatchObject({
      name: 'Downtown',
      address: '5 Main St',
      timezone: 'America/New_York',
    });
    const id = created.body.id as string;

    const read = await t.http.get(`/api/branches/${id}`).set('Authorization', member.auth);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    const renamed = await t.http
      .patch(`/api/branches/${id}`)
      .set('Authorization', admin.auth)
      .send({ name: 'Downtown East' })
      .expect(200);
    expect(renamed.body.name).toBe('Downtown East');

    await t.http.delete(`/api/branches/${id}`).set('Authorization', admin.auth).expect(204);
    await t.http.get(`/api/branches/${id}`).set('Authorization', admin.auth).expect(404);
  });

  it('when a member tries to create or change a branch, then 403', async () => {
    const branch = await buildBranch(t);
    const create = await t.http
      .post('/api/branches')
      .set('Authorization', member.auth)
      .send({ name: 'Mine', address: 'x', timezone: 'UTC' });
    expect(create.status).toBe(403);
    const patch = await t.http
      .patch(`/api/branches/${branch.id}`)
      .set('Authorization', member.auth)
      .send({ name: 'Mine' });
    expect(patch.status).toBe(403);
    await t.http.get('/api/branches').expect(401);
  });

  it('when two branches get the same name in another case, then the second is 409', async () => {
    const branch = await buildBranch(t);
    const res = await t.http
      .post('/api/branches')
      .set('Authorization', admin.auth)
      .send({ name: branch.name.toUpperCase(), address: 'x', timezone: 'UTC' });
    expect(res.status).toBe(409);
    expect(problem(res.body)).toBe('CONFLICT');
  });

  it('when the body is wrong, then 400 names every bad field and nothing is stored', async () => {
    const res = await t.http
      .post('/api/branches')
      .set('Authorization', admin.auth)
      .send({ name: '', address: 'x'.repeat(301), timezone: 'Mars/Olympus', extra: 1 });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const paths = (res.body.errors as { path: string }[]).map((error) => error.path);
    expect(paths).toEqual(
      expect.arrayContaining(['body.name', 'body.address', 'body.timezone', 'body.extra']),
    );
    const list = await t.http
      .get('/api/branches?q=Olympus')
      .set('Authorization', admin.auth)
      .expect(200);
    expect(list.body.items).toEqual([]);
  });

  it('when branches are listed, then they come by name in pages and q filters them', async () => {
    const tag = `zz${Date.now().toString(36)}`;
    for (const name of ['b', 'a', 'c']) {
      await t.container.gymFloor.branches.create({
        name: `${tag} ${name}`,
        address: 'x',
        timezone: 'UTC',
      });
    }
    const first = await t.http
      .get(`/api/branches?q=${tag}&limit=2`)
      .set('Authorization', member.auth)
      .expect(200);
    expect(first.body.items.map((b: { name: string }) => b.name)).toEqual([`${tag} a`, `${tag} b`]);
    const second = await t.http
      .get(`/api/branches?q=${tag}&limit=2&cursor=${first.body.nextCursor as string}`)
      .set('Authorization', member.auth)
      .expect(200);
    expect(second.body.items.map((b: { name: string }) => b.name)).toEqual([`${tag} c`]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('when a branch still has machines, then it cannot be deleted (409) and stays', async () => {
    const branch = await buildBranch(t);
    await t.http
      .post('/api/machines')
      .set('Authorization', admin.auth)
      .send({ branchId: branch.id, name: 'Bike', type: 'cardio', location: 'A' })
      .expect(201);
    const res = await t.http.delete(`/api/branches/${branch.id}`).set('Authorization', admin.auth);
    expect(res.status).toBe(409);
    await t.http.get(`/api/branches/${branch.id}`).set('Authorization', admin.auth).expect(200);
  });
});

describe('membership', () => {
  it('when a member joins twice and leaves, then branches[] on /me follows', async () => {
    const user = await buildSignedInUser(t);
    const branch = await buildBranch(t);
    const joined = await t.http
      .post(`/api/branches/${branch.id}/join`)
      .set('Authorization', user.auth)
      .expect(200);
    expect(joined.body.branches).toEqual([
      { branchId: branch.id, branchName: branch.name, joinedAt: expect.any(String) },
    ]);
    await t.http
      .post(`/api/branches/${branch.id}/join`)
      .set('Authorization', user.auth)
      .expect(200);
    const me = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    expect(me.body.branches).toEqual(joined.body.branches);

    const left = await t.http
      .post(`/api/branches/${branch.id}/leave`)
      .set('Authorization', user.auth)
      .expect(200);
    expect(left.body.branches).toEqual([]);
    await t.http
      .post(`/api/branches/${branch.id}/leave`)
      .set('Authorization', user.auth)
      .expect(404);
  });

  it('when a member leaves the branch they are checked in at, then the visit ends as completed and their machine is freed', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id);
    const visitor = await buildCheckedInMember(t, branch.id);
    await t.http
      .post('/api/machines/link')
      .set('Authorization', visitor.auth)
      .send({ qrCode: machine.qrCode })
      .expect(200);

    await t.http
      .post(`/api/branches/${branch.id}/leave`)
      .set('Authorization', visitor.auth)
      .expect(200);

    await t.http.get('/api/sessions/active').set('Authorization', visitor.auth).expect(404);
    const [visit] = (
      await t.http.get('/api/sessions').set('Authorization', visitor.auth).expect(200)
    ).body.items;
    expect(visit).toMatchObject({ status: 'completed', machinesUsed: [machine.id] });
    const freed = await t.http
      .get(`/api/machines/${machine.id}`)
      .set('Authorization', admin.auth)
      .expect(200);
    expect(freed.body).toMatchObject({ status: 'available', currentUserId: null });
    // Rejoining does not bring the visit back; linking needs a new check-in.
    await t.container.gymFloor.branches.join(visitor.row.id, branch.id);
    await t.http
      .post('/api/machines/link')
      .set('Authorization', visitor.auth)
      .send({ qrCode: machine.qrCode })
      .expect(409);
  });

  it('when a member leaves another branch than the one they are at, then their visit and machine stay', async () => {
    const [here, elsewhere] = [await buildBranch(t), await buildBranch(t)];
    const { machine } = await buildMachine(t, here.id);
    const visitor = await buildCheckedInMember(t, here.id);
    await t.container.gymFloor.branches.join(visitor.row.id, elsewhere.id);
    await t.http
      .post('/api/machines/link')
      .set('Authorization', visitor.auth)
      .send({ qrCode: machine.qrCode })
      .expect(200);

    await t.http
      .post(`/api/branches/${elsewhere.id}/leave`)
      .set('Authorization', visitor.auth)
      .expect(200);

    const active = await t.http
      .get('/api/sessions/active')
      .set('Authorization', visitor.auth)
      .expect(200);
    expect(active.body).toMatchObject({ branchId: here.id, status: 'active' });
    const held = await t.http
      .get(`/api/machines/${machine.id}`)
      .set('Authorization', admin.auth)
      .expect(200);
    expect(held.body).toMatchObject({ status: 'occupied', currentUserId: visitor.row.id });
  });

  it('when a member joins a branch that does not exist, then 404', async () => {
    const res = await t.http
      .post('/api/branches/00000000-0000-4000-8000-000000000001/join')
      .set('Authorization', member.auth);
    expect(res.status).toBe(404);
    const bad = await t.http
      .post('/api/branches/not-a-uuid/join')
      .set('Authorization', member.auth);
    expect(bad.status).toBe(400);
  });

  it('when a user signs in after joining, then the login answer carries the branches too', async () => {
    const user = await buildSignedInUser(t);
    const branch = await buildBranch(t);
    await t.container.gymFloor.branches.join(user.row.id, branch.id);
    const login = await t.http
      .post('/api/auth/login')
      .send({ login: user.row.username, password: user.password })
      .expect(200);
    expect(login.body.user.branches).toEqual([
      expect.objectContaining({ branchId: branch.id, branchName: branch.name }),
    ]);
  });
});

describe('staff assignment', () => {
  it('when an admin assigns a staff user, then they are listed; a member cannot be assigned', async () => {
    const branch = await buildBranch(t);
    const staff = await buildSignedInUser(t, { role: 'staff' });
    const assigned = await t.http
      .post(`/api/branches/${branch.id}/staff`)
      .set('Authorization', admin.auth)
      .send({ userId: staff.row.id })
      .expect(200);
    expect(assigned.body.items).toEqual([
      { userId: staff.row.id, username: staff.row.username, assignedAt: expect.any(String) },
    ]);
    const listed = await t.http
      .get(`/api/branches/${branch.id}/staff`)
      .set('Authorization', staff.auth)
      .expect(200);
    expect(listed.body.items).toHaveLength(1);

    const notStaff = await t.http
      .post(`/api/branches/${branch.id}/staff`)
      .set('Authorization', admin.auth)
      .send({ userId: member.row.id });
    expect(notStaff.status).toBe(409);

    await t.http
      .delete(`/api/branches/${branch.id}/staff/${staff.row.id}`)
      .set('Authorization', admin.auth)
      .expect(204);
    await t.http
      .get(`/api/branches/${branch.id}/staff`)
      .set('Authorization', staff.auth)
      .expect(403);
  });

  it('when staff are demoted to member and promoted again, then their branch assignments are gone, not restored', async () => {
    const [first, second] = [await buildBranch(t), await buildBranch(t)];
    const staff = await buildBranchStaff(t, first.id);
    await t.container.gymFloor.branches.assignStaff(second.id, staff.row.id);
    const setRole = (role: string) =>
      t.http
        .patch(`/api/users/${staff.row.id}/role`)
        .set('Authorization', admin.auth)
        .send({ role })
        .expect(200);

    await setRole('member');
    for (const branch of [first, second]) {
      const listed = await t.http
        .get(`/api/branches/${branch.id}/staff`)
        .set('Authorization', admin.auth)
        .expect(200);
      expect(listed.body.items).toEqual([]);
    }
    await setRole('staff');
    // Staff again, but of no branch until an admin assigns them.
    const { machine } = await buildMachine(t, first.id);
    await t.http
      .patch(`/api/machines/${machine.id}`)
      .set('Authorization', staff.auth)
      .send({ status: 'maintenance' })
      .expect(403);
    await t.http
      .get(`/api/branches/${first.id}/staff`)
      .set('Authorization', staff.auth)
      .expect(403);
  });

  it('when staff become admin, then their assignments go too; staff staying staff keep theirs', async () => {
    const branch = await buildBranch(t);
    const [promoted, kept] = [
      await buildBranchStaff(t, branch.id),
      await buildBranchStaff(t, branch.id),
    ];
    await t.http
      .patch(`/api/users/${promoted.row.id}/role`)
      .set('Authorization', admin.auth)
      .send({ role: 'admin' })
      .expect(200);
    await t.http
      .patch(`/api/users/${kept.row.id}/role`)
      .set('Authorization', admin.auth)
      .send({ role: 'staff' })
      .expect(200);
    const listed = await t.http
      .get(`/api/branches/${branch.id}/staff`)
      .set('Authorization', admin.auth)
      .expect(200);
    expect(listed.body.items.map((item: { userId: string }) => item.userId)).toEqual([kept.row.id]);
  });

  it('when staff of one branch read another branch’s staff, then 403', async () => {
    const [mine, other] = [await buildBranch(t), await buildBranch(t)];
    const staff = await buildBranchStaff(t, mine.id);
    await t.http.get(`/api/branches/${mine.id}/staff`).set('Authorization', staff.auth).expect(200);
    await t.http
      .get(`/api/branches/${other.id}/staff`)
      .set('Authorization', staff.auth)
      .expect(403);
  });
});
