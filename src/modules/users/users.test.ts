import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedInUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { usersRepository } from './users.repository.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('GET /api/users/me', () => {
  it('when signed in, then it returns the contract’s user shape without the hash', async () => {
    const user = await buildSignedInUser(t, { name: 'Ada' });
    const res = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    expect(res.body).toEqual({
      id: user.row.id,
      username: user.row.username,
      email: user.row.email,
      emailVerified: false,
      pendingEmail: null,
      role: 'member',
      profile: {
        name: 'Ada',
        demographics: {
          age: null,
          heightCm: null,
          weightKg: null,
          gender: null,
          activityLevel: null,
        },
        fitnessProfile: { level: null, goal: null, healthConditions: [] },
        dietPreferences: { cuisinePreferences: [], allergies: [] },
        timezone: null,
      },
      bodyComposition: null,
      activePlans: { workoutPlanId: null, dietPlanId: null },
      branches: [],
      totalPoints: 0,
      avatarUrl: null,
      avatarThumbnailUrl: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it('when not signed in, then 401', async () => {
    const res = await t.http.get('/api/users/me').expect(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
  });
});

describe('PATCH /api/users/me', () => {
  it('when nested profile parts are sent, then they merge and null clears', async () => {
    const user = await buildSignedInUser(t);
    await t.http
      .patch('/api/users/me')
      .set('Authorization', user.auth)
      .send({
        profile: {
          demographics: { age: 34, heightCm: 172.5, weightKg: 70, activityLevel: 'moderate' },
          fitnessProfile: {
            level: 'intermediate',
            goal: 'build_muscle',
            healthConditions: ['asthma'],
          },
        },
      })
      .expect(200);
    const res = await t.http
      .patch('/api/users/me')
      .set('Authorization', user.auth)
      .send({
        username: 'renamed_user',
        profile: {
          name: 'New Name',
          demographics: { age: null },
          dietPreferences: { allergies: ['peanuts'] },
          timezone: 'Asia/Kolkata',
        },
      })
      .expect(200);
    expect(res.body.username).toBe('renamed_user');
    expect(res.body.profile).toEqual({
      name: 'New Name',
      demographics: {
        age: null,
        heightCm: 172.5,
        weightKg: 70,
        gender: null,
        activityLevel: 'moderate',
      },
      fitnessProfile: { level: 'intermediate', goal: 'build_muscle', healthConditions: ['asthma'] },
      dietPreferences: { cuisinePreferences: [], allergies: ['peanuts'] },
      timezone: 'Asia/Kolkata',
    });
    const again = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    expect(again.body.profile).toEqual(res.body.profile);
  });

  it('when the time zone is not an IANA zone, then 400 naming the field', async () => {
    const user = await buildSignedInUser(t);
    const res = await t.http
      .patch('/api/users/me')
      .set('Authorization', user.auth)
      .send({ profile: { timezone: 'Mars/Olympus_Mons' } })
      .expect(400);
    expect(res.body.errors).toEqual([
      { path: 'body.profile.timezone', message: expect.stringContaining('IANA') },
    ]);
  });

  it('when the new username belongs to someone else in another case, then 409', async () => {
    const user = await buildSignedInUser(t);
    const other = await buildSignedInUser(t);
    await t.http
      .patch('/api/users/me')
      .set('Authorization', user.auth)
      .send({ username: other.row.username.toUpperCase() })
      .expect(409);
  });

  it('when email is sent, then it is refused as an unknown field', async () => {
    const user = await buildSignedInUser(t);
    const res = await t.http
      .patch('/api/users/me')
      .set('Authorization', user.auth)
      .send({ email: 'new@example.test' })
      .expect(400);
    expect(res.body.errors).toEqual([{ path: 'body.email', message: 'unknown field' }]);
  });
});

describe('DELETE /api/users/me', () => {
  it('when deleted, then the account, its data and its sessions are gone', async () => {
    const user = await buildSignedInUser(t);
    await t.http
      .post('/api/users/me/body-composition')
      .set('Authorization', user.auth)
      .send({ measuredAt: new Date().toISOString(), weightKg: 80 })
      .expect(201);
    await t.http
      .delete('/api/users/me')
      .set('Authorization', user.auth)
      .send({ password: user.password })
      .expect(204);
    expect(await usersRepository.findById(t.container.database.db, user.row.id)).toBeUndefined();
    expect(await usersRepository.allBodyComposition(t.container.database.db, user.row.id)).toEqual(
      [],
    );
    await t.http.get('/api/users/me').set('Authorization', user.auth).expect(401);
    await t.http
      .post('/api/auth/refresh')
      .send({ refreshToken: user.session.refreshToken })
      .expect(401);
    await t.http
      .post('/api/auth/login')
      .send({ login: user.row.username, password: user.password })
      .expect(401);
  });
});

describe('body composition', () => {
  it('when entries arrive out of order, then the newest measurement becomes bodyComposition', async () => {
    const user = await buildSignedInUser(t);
    const newer = await t.http
      .post('/api/users/me/body-composition')
      .set('Authorization', user.auth)
      .send({
        measuredAt: '2026-03-01T08:00:00Z',
        weightKg: 81.2,
        bodyFatPercentage: 18.5,
        skeletalMuscleMassKg: 37.1,
        basalMetabolicRateKcal: 1780,
      })
      .expect(201);
    expect(newer.body).toMatchObject({ weightKg: 81.2, source: 'manual', visceralFatLevel: null });
    await t.http
      .post('/api/users/me/body-composition')
      .set('Authorization', user.auth)
      .send({ measuredAt: '2026-01-01T08:00:00+01:00', weightKg: 84 })
      .expect(201);
    const me = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    expect(me.body.bodyComposition).toEqual(newer.body);
  });

  it('when the history is paged, then it comes newest first with a working cursor', async () => {
    const user = await buildSignedInUser(t);
    for (const day of ['01', '02', '03', '04', '05']) {
      await t.http
        .post('/api/users/me/body-composition')
        .set('Authorization', user.auth)
        .send({ measuredAt: `2026-02-${day}T07:00:00Z`, weightKg: 70 + Number(day) })
        .expect(201);
    }
    const first = await t.http
      .get('/api/users/me/body-composition?limit=2')
      .set('Authorization', user.auth)
      .expect(200);
    expect(first.body.items.map((entry: { weightKg: number }) => entry.weightKg)).toEqual([75, 74]);
    const second = await t.http
      .get(`/api/users/me/body-composition?limit=2&cursor=${first.body.nextCursor}`)
      .set('Authorization', user.auth)
      .expect(200);
    expect(second.body.items.map((entry: { weightKg: number }) => entry.weightKg)).toEqual([
      73, 72,
    ]);
    const last = await t.http
      .get(`/api/users/me/body-composition?limit=2&cursor=${second.body.nextCursor}`)
      .set('Authorization', user.auth)
      .expect(200);
    expect(last.body.items).toHaveLength(1);
    expect(last.body.nextCursor).toBeNull();
  });

  it('when another user reads their history, then mine is not in it', async () => {
    const mine = await buildSignedInUser(t);
    const theirs = await buildSignedInUser(t);
    await t.http
      .post('/api/users/me/body-composition')
      .set('Authorization', mine.auth)
      .send({ measuredAt: '2026-02-01T07:00:00Z', weightKg: 99 })
      .expect(201);
    const res = await t.http
      .get('/api/users/me/body-composition')
      .set('Authorization', theirs.auth)
      .expect(200);
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });
});

describe('GET /api/users/me/export', () => {
  it('when exported, then profile, measurements and sessions are in one document', async () => {
    const user = await buildSignedInUser(t);
    await t.http
      .post('/api/users/me/body-composition')
      .set('Authorization', user.auth)
      .send({ measuredAt: '2026-02-01T07:00:00Z', weightKg: 66, notes: 'after holiday' })
      .expect(201);
    const res = await t.http
      .get('/api/users/me/export')
      .set('Authorization', user.auth)
      .expect(200);
    expect(res.headers['content-disposition']).toMatch(/attachment/);
    expect(res.body.user.id).toBe(user.row.id);
    expect(res.body.bodyComposition).toHaveLength(1);
    expect(res.body.bodyComposition[0].notes).toBe('after holiday');
    expect(res.body.sessions).toHaveLength(1);
    expect(res.body.sessions[0]).toMatchObject({ userAgent: 'vitest', revokedAt: null });
    expect(JSON.stringify(res.body)).not.toMatch(/passwordHash|tokenHash|\$2[aby]\$/);
  });

  it('when exported, then the member’s workout and diet plans are in it and nobody else’s', async () => {
    const member = await buildSignedInUser(t);
    const other = await buildSignedInUser(t);
    // Diet plans are planned from the profile's body measurements.
    const profile = {
      demographics: { age: 30, heightCm: 180, weightKg: 80, gender: 'male' },
      fitnessProfile: { goal: 'maintain' },
    };
    for (const { auth } of [member, other]) {
      await t.http.patch('/api/users/me').set('Authorization', auth).send({ profile }).expect(200);
    }
    const generated = (
      await t.http
        .post('/api/workouts/generate')
        .set('Authorization', member.auth)
        .send({ daysPerWeek: 3 })
        .expect(201)
    ).body.plan;
    const workoutPlan = (
      await t.http
        .post(`/api/workouts/plans/${generated.id}/activate`)
        .set('Authorization', member.auth)
        .expect(200)
    ).body;
    const dietPlan = (
      await t.http
        .post('/api/nutrition/plans/generate')
        .set('Authorization', member.auth)
        .send({ days: 1 })
        .expect(201)
    ).body.plan;
    await t.http
      .post('/api/nutrition/plans/generate')
      .set('Authorization', other.auth)
      .send({ days: 2 })
      .expect(201);

    const mine = (
      await t.http.get('/api/users/me/export').set('Authorization', member.auth).expect(200)
    ).body;
    expect(mine.workoutPlans).toEqual([workoutPlan]);
    expect(workoutPlan.isActive).toBe(true);
    expect(mine.dietPlans).toEqual([dietPlan]);
    const theirs = (
      await t.http.get('/api/users/me/export').set('Authorization', other.auth).expect(200)
    ).body;
    expect(theirs.workoutPlans).toEqual([]);
    expect(theirs.dietPlans).toHaveLength(1);
    expect(theirs.dietPlans[0].id).not.toBe(dietPlan.id);
  });
});

describe('user administration', () => {
  it('when an admin lists users, then pages, search and role filter work', async () => {
    const admin = await buildSignedInUser(t, { role: 'admin' });
    await buildSignedInUser(t, { username: 'findme_alpha' });
    await buildSignedInUser(t, { username: 'findme_beta', role: 'staff' });
    const search = await t.http
      .get('/api/users?q=FINDME_&limit=1')
      .set('Authorization', admin.auth)
      .expect(200);
    expect(search.body.items).toHaveLength(1);
    expect(search.body.items[0]).toHaveProperty('isActive', true);
    const next = await t.http
      .get(`/api/users?q=findme_&limit=1&cursor=${search.body.nextCursor}`)
      .set('Authorization', admin.auth)
      .expect(200);
    expect([search.body.items[0].username, next.body.items[0].username].sort()).toEqual([
      'findme_alpha',
      'findme_beta',
    ]);
    const staff = await t.http
      .get('/api/users?q=findme&role=staff')
      .set('Authorization', admin.auth)
      .expect(200);
    expect(staff.body.items.map((u: { username: string }) => u.username)).toEqual(['findme_beta']);
    // A search term with LIKE wildcards matches them literally.
    const literal = await t.http
      .get('/api/users?q=%25')
      .set('Authorization', admin.auth)
      .expect(200);
    expect(literal.body.items).toEqual([]);
  });

  it('when a member or staff calls admin routes, then 403', async () => {
    for (const role of ['member', 'staff'] as const) {
      const caller = await buildSignedInUser(t, { role });
      await t.http.get('/api/users').set('Authorization', caller.auth).expect(403);
      await t.http
        .patch(`/api/users/${caller.row.id}/role`)
        .set('Authorization', caller.auth)
        .send({ role: 'admin' })
        .expect(403);
    }
  });

  it('when an admin changes a role, then it applies to the user’s current token at once', async () => {
    const admin = await buildSignedInUser(t, { role: 'admin' });
    const member = await buildSignedInUser(t);
    await t.http.get('/api/users').set('Authorization', member.auth).expect(403);
    const res = await t.http
      .patch(`/api/users/${member.row.id}/role`)
      .set('Authorization', admin.auth)
      .send({ role: 'admin' })
      .expect(200);
    expect(res.body.role).toBe('admin');
    await t.http.get('/api/users').set('Authorization', member.auth).expect(200);
  });

  it('when the only admin would be demoted, then 409 and the role stays', async () => {
    const local = await createTestApp();
    try {
      const admin = await buildSignedInUser(local, { role: 'admin' });
      const res = await local.http
        .patch(`/api/users/${admin.row.id}/role`)
        .set('Authorization', admin.auth)
        .send({ role: 'member' })
        .expect(409);
      expect(res.body.detail).toMatch(/last admin/);
      await local.http.get('/api/users').set('Authorization', admin.auth).expect(200);
    } finally {
      await local.close();
    }
  });

  it('when the target does not exist, then 404', async () => {
    const admin = await buildSignedInUser(t, { role: 'admin' });
    await t.http
      .patch('/api/users/00000000-0000-4000-8000-000000000000/role')
      .set('Authorization', admin.auth)
      .send({ role: 'staff' })
      .expect(404);
  });
});

describe('bootstrap admin', () => {
  it('when no admin exists, then the configured one is created once, even if asked twice', async () => {
    const local = await createTestApp();
    try {
      const admin = { email: 'root@example.test', password: 'bootstrap secret', username: 'root' };
      await Promise.all([
        local.container.auth.ensureBootstrapAdmin(admin),
        local.container.auth.ensureBootstrapAdmin(admin),
      ]);
      await local.container.auth.ensureBootstrapAdmin(admin);
      const db = local.container.database.db;
      expect(await usersRepository.countByRole(db, 'admin')).toBe(1);
      const res = await local.http
        .post('/api/auth/login')
        .send({ login: 'root@example.test', password: 'bootstrap secret' })
        .expect(200);
      expect(res.body.user.role).toBe('admin');
    } finally {
      await local.close();
    }
  });

  it('when the admin email belongs to a member, then that member is not promoted', async () => {
    const local = await createTestApp();
    try {
      const member = await buildSignedInUser(local, { email: 'taken@example.test' });
      await local.container.auth.ensureBootstrapAdmin({
        email: 'taken@example.test',
        password: 'bootstrap secret',
        username: 'root',
      });
      const db = local.container.database.db;
      expect(await usersRepository.countByRole(db, 'admin')).toBe(0);
      expect((await usersRepository.findById(db, member.row.id))?.role).toBe('member');
    } finally {
      await local.close();
    }
  });
});
