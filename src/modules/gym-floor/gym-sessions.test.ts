import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEventMap } from '../../lib/events/domain-events.js';
import { localDay } from '../../lib/time/local-day.js';
import {
  buildBranch,
  buildBranchMember,
  buildCheckedInMember,
  buildMachine,
  buildSignedInUser,
} from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { branches, gymSessions, machines } from './gym-floor.table.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('POST /api/sessions/check-in', () => {
  it('when a member of the branch checks in, then 201 with an active session', async () => {
    const branch = await buildBranch(t);
    const member = await buildBranchMember(t, branch.id);
    const res = await t.http
      .post('/api/sessions/check-in')
      .set('Authorization', member.auth)
      .send({ branchId: branch.id })
      .expect(201);
    expect(res.body).toMatchObject({
      userId: member.row.id,
      branchId: branch.id,
      status: 'active',
      endTime: null,
      duration: null,
      machinesUsed: [],
    });
    const active = await t.http
      .get('/api/sessions/active')
      .set('Authorization', member.auth)
      .expect(200);
    expect(active.body).toEqual(res.body);
  });

  it('when a session is already active, then 409 and still one session', async () => {
    const branch = await buildBranch(t);
    const member = await buildCheckedInMember(t, branch.id);
    const res = await t.http
      .post('/api/sessions/check-in')
      .set('Authorization', member.auth)
      .send({ branchId: branch.id });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/already active/);
  });

  it('when one member checks in 10 times at once, then exactly one 201 and the database holds one active session', async () => {
    const branch = await buildBranch(t);
    const member = await buildBranchMember(t, branch.id);
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.http
          .post('/api/sessions/check-in')
          .set('Authorization', member.auth)
          .send({ branchId: branch.id }),
      ),
    );
    expect(responses.map((res) => res.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    const rows = await t.container.database.db
      .select()
      .from(gymSessions)
      .where(eq(gymSessions.userId, member.row.id));
    expect(rows).toHaveLength(1);
  });

  it('when the database is asked for a second active session directly, then the partial unique index refuses it', async () => {
    const branch = await buildBranch(t);
    const member = await buildCheckedInMember(t, branch.id);
    await expect(
      t.container.database.db
        .insert(gymSessions)
        .values({ userId: member.row.id, branchId: branch.id }),
    ).rejects.toThrow();
  });

  it('when the member has not joined the branch, then 403; an unknown branch is 404', async () => {
    const branch = await buildBranch(t);
    const stranger = await buildSignedInUser(t);
    const res = await t.http
      .post('/api/sessions/check-in')
      .set('Authorization', stranger.auth)
      .send({ branchId: branch.id });
    expect(res.status).toBe(403);
    const unknown = await t.http
      .post('/api/sessions/check-in')
      .set('Authorization', stranger.auth)
      .send({ branchId: '00000000-0000-4000-8000-0000000000aa' });
    expect(unknown.status).toBe(404);
  });

  it('when the body is malformed, then 400 or 415 and no session', async () => {
    const member = await buildSignedInUser(t);
    const cases = [
      t.http.post('/api/sessions/check-in').set('Authorization', member.auth).send({}),
      t.http
        .post('/api/sessions/check-in')
        .set('Authorization', member.auth)
        .send({ branchId: 'x', at: 'now' }),
      t.http
        .post('/api/sessions/check-in')
        .set('Authorization', member.auth)
        .set('Content-Type', 'application/json')
        .send('{"branchId": '),
      t.http
        .post('/api/sessions/check-in')
        .set('Authorization', member.auth)
        .set('Content-Type', 'text/plain')
        .send('branchId=1'),
    ];
    const statuses = (await Promise.all(cases)).map((res) => res.status);
    expect(statuses).toEqual([400, 400, 400, 415]);
    await t.http.get('/api/sessions/active').set('Authorization', member.auth).expect(404);
  });

  it('when a check-in is retried with the same Idempotency-Key, then the first 201 is replayed, not a 409', async () => {
    const branch = await buildBranch(t);
    const member = await buildBranchMember(t, branch.id);
    const send = () =>
      t.http
        .post('/api/sessions/check-in')
        .set('Authorization', member.auth)
        .set('Idempotency-Key', 'visit-1')
        .send({ branchId: branch.id });
    const first = await send().expect(201);
    const again = await send().expect(201);
    expect(again.body.id).toBe(first.body.id);
  });
});

describe('POST /api/sessions/check-out', () => {
  it('when a member checks out, then the session is completed with duration and machines, and the machine is released', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id);
    const member = await buildCheckedInMember(t, branch.id);
    await t.container.gymFloor.machines.link(member.row.id, machine.qrCode);
    // Pretend the visit started 42.4 minutes ago.
    await t.container.database.db
      .update(gymSessions)
      .set({ startTime: new Date(Date.now() - 42.4 * 60_000) })
      .where(eq(gymSessions.id, member.gymSession.id));

    const res = await t.http
      .post('/api/sessions/check-out')
      .set('Authorization', member.auth)
      .expect(200);
    expect(res.body).toMatchObject({
      id: member.gymSession.id,
      status: 'completed',
      duration: 42,
      machinesUsed: [machine.id],
    });
    expect(Date.parse(res.body.endTime as string)).toBeGreaterThan(
      Date.parse(res.body.startTime as string),
    );
    const [row] = await t.container.database.db
      .select()
      .from(machines)
      .where(eq(machines.id, machine.id));
    expect(row).toMatchObject({ status: 'available', currentUserId: null });

    const again = await t.http.post('/api/sessions/check-out').set('Authorization', member.auth);
    expect(again.status).toBe(409);
    await t.http.get('/api/sessions/active').set('Authorization', member.auth).expect(404);
  });

  it('when a member checks out, then they can check in again and history lists both, newest first', async () => {
    const branch = await buildBranch(t);
    const member = await buildCheckedInMember(t, branch.id);
    await t.container.gymFloor.gymSessions.checkOut(member.row.id);
    const second = await t.http
      .post('/api/sessions/check-in')
      .set('Authorization', member.auth)
      .send({ branchId: branch.id })
      .expect(201);
    const history = await t.http.get('/api/sessions').set('Authorization', member.auth).expect(200);
    expect(history.body.items.map((s: { id: string }) => s.id)).toEqual([
      second.body.id,
      member.gymSession.id,
    ]);
    expect(history.body.items.map((s: { status: string }) => s.status)).toEqual([
      'active',
      'completed',
    ]);
  });
});

describe('GET /api/sessions', () => {
  it('when filtered by from/to and paged, then only those visits come and no one else’s', async () => {
    const branch = await buildBranch(t);
    const member = await buildBranchMember(t, branch.id);
    const other = await buildCheckedInMember(t, branch.id);
    const days = [
      '2026-01-05T10:00:00.000Z',
      '2026-01-10T10:00:00.000Z',
      '2026-01-15T10:00:00.000Z',
    ];
    for (const startTime of days) {
      await t.container.database.db.insert(gymSessions).values({
        userId: member.row.id,
        branchId: branch.id,
        startTime: new Date(startTime),
        status: 'completed',
        endTime: new Date(Date.parse(startTime) + 3_600_000),
        duration: 60,
      });
    }
    const page = await t.http
      .get('/api/sessions?from=2026-01-06T00:00:00Z&to=2026-01-31T00:00:00Z&limit=1')
      .set('Authorization', member.auth)
      .expect(200);
    expect(page.body.items.map((s: { startTime: string }) => s.startTime)).toEqual([days[2]]);
    const next = await t.http
      .get(
        `/api/sessions?from=2026-01-06T00:00:00Z&to=2026-01-31T00:00:00Z&limit=1&cursor=${page.body.nextCursor as string}`,
      )
      .set('Authorization', member.auth)
      .expect(200);
    expect(next.body.items.map((s: { startTime: string }) => s.startTime)).toEqual([days[1]]);
    expect(next.body.nextCursor).toBeNull();
    const all = await t.http.get('/api/sessions').set('Authorization', member.auth).expect(200);
    expect(all.body.items.every((s: { userId: string }) => s.userId === member.row.id)).toBe(true);
    expect(all.body.items.map((s: { id: string }) => s.id)).not.toContain(other.gymSession.id);
  });

  it('when from is after to or a date is malformed, then 400', async () => {
    const member = await buildSignedInUser(t);
    for (const query of ['from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from=yesterday']) {
      const res = await t.http.get(`/api/sessions?${query}`).set('Authorization', member.auth);
      expect(res.status, query).toBe(400);
    }
  });
});

describe('the data export', () => {
  it('when a member exports their data, then gym sessions are in it', async () => {
    const branch = await buildBranch(t);
    const member = await buildCheckedInMember(t, branch.id);
    const res = await t.http
      .get('/api/users/me/export')
      .set('Authorization', member.auth)
      .expect(200);
    expect(res.body.gymSessions).toEqual([expect.objectContaining({ id: member.gymSession.id })]);
    expect(res.body.user.branches).toEqual([expect.objectContaining({ branchId: branch.id })]);
    expect(res.body.workoutLogs).toEqual([]);
  });
});

describe('the gym-floor.checked-in event', () => {
  type CheckedIn = DomainEventMap['gym-floor.checked-in'];

  /** What the event delivered for one member (listeners stay for the app's life: filter). */
  function heardFor(userId: string) {
    const heard: (Omit<CheckedIn, 'uow'> & { sessionVisible: boolean })[] = [];
    t.container.events.on('gym-floor.checked-in', async ({ uow, ...event }) => {
      if (event.userId !== userId) return;
      // The listener works inside the check-in: the session it announces is visible to it.
      const rows = await uow.tx
        .select()
        .from(gymSessions)
        .where(eq(gymSessions.id, event.sessionId));
      heard.push({ ...event, sessionVisible: rows.length === 1 });
    });
    return heard;
  }

  it('when a member checks in and the request is replayed, then the event ran once, with the day in the branch’s zone', async () => {
    // A zone whose day differs from UTC's right now, whatever the hour.
    const timezone = new Date().getUTCHours() >= 10 ? 'Pacific/Kiritimati' : 'Pacific/Pago_Pago';
    const branch = await buildBranch(t, { timezone });
    const member = await buildBranchMember(t, branch.id);
    const heard = heardFor(member.row.id);
    const send = () =>
      t.http
        .post('/api/sessions/check-in')
        .set('Authorization', member.auth)
        .set('Idempotency-Key', 'visit-event')
        .send({ branchId: branch.id });
    const first = await send().expect(201);
    await send().expect(201);
    const startTime = new Date(first.body.startTime as string);
    expect(heard).toEqual([
      {
        userId: member.row.id,
        sessionId: first.body.id,
        branchId: branch.id,
        day: localDay(startTime, timezone),
        sessionVisible: true,
      },
    ]);
    expect(heard[0]?.day).not.toBe(startTime.toISOString().slice(0, 10));
  });

  it('when a member checks in 10 times at once, then the event ran once, for the session that was created', async () => {
    const branch = await buildBranch(t);
    const member = await buildBranchMember(t, branch.id);
    const heard = heardFor(member.row.id);
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.http
          .post('/api/sessions/check-in')
          .set('Authorization', member.auth)
          .send({ branchId: branch.id }),
      ),
    );
    const created = responses.find((res) => res.status === 201);
    expect(heard.map((event) => event.sessionId)).toEqual([created?.body.id]);
    // Another check-in while one is active is refused before anything is announced.
    await t.http
      .post('/api/sessions/check-in')
      .set('Authorization', member.auth)
      .send({ branchId: branch.id })
      .expect(409);
    expect(heard).toHaveLength(1);
  });

  it('when a listener fails, then the check-in is rolled back with what other listeners wrote, and their after-commit effects never run', async () => {
    const branch = await buildBranch(t);
    const member = await buildBranchMember(t, branch.id);
    let effectsRun = 0;
    t.container.events.on('gym-floor.checked-in', async ({ uow, userId, branchId }) => {
      if (userId !== member.row.id) return;
      await uow.tx
        .update(branches)
        .set({ address: 'Written by a listener' })
        .where(eq(branches.id, branchId));
      uow.afterCommit(() => {
        effectsRun += 1;
      });
    });
    t.container.events.on('gym-floor.checked-in', ({ userId }) => {
      if (userId === member.row.id) throw new Error('the points ledger is unavailable');
    });
    const res = await t.http
      .post('/api/sessions/check-in')
      .set('Authorization', member.auth)
      .send({ branchId: branch.id });
    expect(res.status).toBe(500);
    expect(
      await t.container.database.db
        .select()
        .from(gymSessions)
        .where(eq(gymSessions.userId, member.row.id)),
    ).toEqual([]);
    const [row] = await t.container.database.db
      .select()
      .from(branches)
      .where(eq(branches.id, branch.id));
    expect(row?.address).toBe('1 Test Street');
    expect(effectsRun).toBe(0);
  });
});
