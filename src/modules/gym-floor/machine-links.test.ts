import { and, asc, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBranch,
  buildBranchStaff,
  buildCheckedInMember,
  buildMachine,
  buildSignedInUser,
  linkMachine,
} from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { gymSessions, machineLinks, machines } from './gym-floor.table.js';

// Sweeps are called directly with this threshold; rows are aged past it by rewriting times.
const THRESHOLD_SECONDS = 60;
const LONG_AGO = () => new Date(Date.now() - 2 * THRESHOLD_SECONDS * 1000);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const db = () => t.container.database.db;

async function machineRow(id: string) {
  const [row] = await db().select().from(machines).where(eq(machines.id, id));
  return row;
}

async function linksOfMachine(machineId: string) {
  return db()
    .select()
    .from(machineLinks)
    .where(eq(machineLinks.machineId, machineId))
    .orderBy(asc(machineLinks.startedAt), asc(machineLinks.id));
}

async function linkById(id: string) {
  const [row] = await db().select().from(machineLinks).where(eq(machineLinks.id, id));
  return row;
}

/** A branch, a machine, and a checked-in member holding it (linked over HTTP). */
async function heldMachine(overrides: { type?: 'cardio' | 'strength' } = {}) {
  const branch = await buildBranch(t);
  const { machine, deviceKey } = await buildMachine(t, branch.id, overrides);
  const member = await buildCheckedInMember(t, branch.id);
  const linked = await linkMachine(t, member, machine.qrCode);
  const [open] = await linksOfMachine(machine.id);
  if (!open) throw new Error('no link row was opened');
  return { branch, machine, deviceKey, member, linked, open };
}

/** The link ended for `reason`, at the moment the machine was freed (one transaction). */
async function expectEnded(linkId: string, machineId: string | null, reason: string) {
  const row = await linkById(linkId);
  expect(row?.endReason).toBe(reason);
  expect(row?.endedAt).toBeInstanceOf(Date);
  expect(row?.endedAt?.getTime()).toBeGreaterThanOrEqual(row?.startedAt.getTime() ?? Infinity);
  if (machineId) {
    const machine = await machineRow(machineId);
    expect(machine?.currentUserId).toBeNull();
    // Freed by the same transaction: both carry its now().
    expect(row?.endedAt?.getTime()).toBe(machine?.updatedAt.getTime());
  }
  return row;
}

describe('the link history: opening', () => {
  it('when a member links a machine, then one open row copies machine, branch, member and type, starting at linkedAt', async () => {
    const { branch, machine, member, linked, open } = await heldMachine({ type: 'strength' });
    expect(open).toMatchObject({
      machineId: machine.id,
      branchId: branch.id,
      userId: member.row.id,
      machineType: 'strength',
      endedAt: null,
      endReason: null,
    });
    expect(open.startedAt.toISOString()).toBe(linked.linkedAt);
  });

  it('when the link is refused or replayed, then no row is added', async () => {
    const { branch, machine, member } = await heldMachine();
    const other = await buildCheckedInMember(t, branch.id);
    const refused = await t.http
      .post('/api/machines/link')
      .set('Authorization', other.auth)
      .send({ qrCode: machine.qrCode });
    expect(refused.status).toBe(409);
    // The holder scanning again, and a retry under one Idempotency-Key, add nothing either.
    await linkMachine(t, member, machine.qrCode);
    const { machine: second } = await buildMachine(t, branch.id);
    await linkMachine(t, other, second.qrCode, { idempotencyKey: 'scan-1' });
    await linkMachine(t, other, second.qrCode, { idempotencyKey: 'scan-1' });
    expect(await linksOfMachine(machine.id)).toHaveLength(1);
    expect(await linksOfMachine(second.id)).toHaveLength(1);
  });
});

describe('the link history in the member’s export', () => {
  it('when a member exports their data, then their links are in it, oldest first, and no one else’s', async () => {
    const { branch, machine, member, open } = await heldMachine();
    const { machine: next } = await buildMachine(t, branch.id);
    await linkMachine(t, member, next.qrCode);
    const other = await buildCheckedInMember(t, branch.id);
    await linkMachine(t, other, machine.qrCode);
    const res = await t.http
      .get('/api/users/me/export')
      .set('Authorization', member.auth)
      .expect(200);
    expect(res.body.machineLinks).toEqual([
      {
        id: open.id,
        machineId: machine.id,
        branchId: branch.id,
        machineType: 'cardio',
        startedAt: open.startedAt.toISOString(),
        endedAt: expect.any(String),
        endReason: 'relinked',
      },
      expect.objectContaining({ machineId: next.id, endedAt: null, endReason: null }),
    ]);
  });
});

describe('the link history: every release path closes the row', () => {
  it('when the member unlinks, then the row ends as unlinked', async () => {
    const { machine, member, open } = await heldMachine();
    await t.http
      .post(`/api/machines/${machine.id}/unlink`)
      .set('Authorization', member.auth)
      .expect(200);
    await expectEnded(open.id, machine.id, 'unlinked');
  });

  it('when staff of the branch unlink the member, then the row ends as released-by-staff', async () => {
    const { branch, machine, open } = await heldMachine();
    const staff = await buildBranchStaff(t, branch.id);
    await t.http
      .post(`/api/machines/${machine.id}/unlink`)
      .set('Authorization', staff.auth)
      .expect(200);
    await expectEnded(open.id, machine.id, 'released-by-staff');
  });

  it('when the member links another machine, then the first row ends as relinked and the second opens at that instant', async () => {
    const { branch, machine, member, open } = await heldMachine();
    const { machine: next } = await buildMachine(t, branch.id);
    await linkMachine(t, member, next.qrCode);
    const ended = await expectEnded(open.id, machine.id, 'relinked');
    const [opened] = await linksOfMachine(next.id);
    expect(opened).toMatchObject({ userId: member.row.id, endedAt: null });
    expect(opened?.startedAt.getTime()).toBe(ended?.endedAt?.getTime());
  });

  it('when the member checks out, then the row ends as checked-out with the session', async () => {
    const { machine, member, open } = await heldMachine();
    const res = await t.http
      .post('/api/sessions/check-out')
      .set('Authorization', member.auth)
      .expect(200);
    const ended = await expectEnded(open.id, machine.id, 'checked-out');
    expect(ended?.endedAt?.toISOString()).toBe(res.body.endTime);
  });

  it('when the member leaves the branch, then the row ends as left-branch', async () => {
    const { branch, machine, member, open } = await heldMachine();
    await t.http
      .post(`/api/branches/${branch.id}/leave`)
      .set('Authorization', member.auth)
      .expect(200);
    await expectEnded(open.id, machine.id, 'left-branch');
  });

  it('when the session expiry sweep ends the visit, then the row ends as expired', async () => {
    const { machine, member, open } = await heldMachine();
    await db()
      .update(gymSessions)
      .set({ startTime: LONG_AGO() })
      .where(eq(gymSessions.id, member.gymSession.id));
    expect(await t.container.gymFloor.gymSessions.expireAbandoned(THRESHOLD_SECONDS)).toBe(1);
    await expectEnded(open.id, machine.id, 'expired');
  });

  it('when the idle-link sweep releases the machine, then the row ends as idle', async () => {
    const { machine, open } = await heldMachine();
    await db()
      .update(machines)
      .set({ lastActivityAt: LONG_AGO() })
      .where(eq(machines.id, machine.id));
    expect(await t.container.gymFloor.machines.releaseIdleLinks(THRESHOLD_SECONDS)).toBe(1);
    await expectEnded(open.id, machine.id, 'idle');
  });

  it('when staff put the machine into maintenance, then the row ends as maintenance', async () => {
    const { branch, machine, open } = await heldMachine();
    const staff = await buildBranchStaff(t, branch.id);
    await t.http
      .patch(`/api/machines/${machine.id}`)
      .set('Authorization', staff.auth)
      .send({ status: 'maintenance' })
      .expect(200);
    await expectEnded(open.id, machine.id, 'maintenance');
  });

  it('when the offline sweep finds the machine silent, then the row ends as offline', async () => {
    const { machine, open } = await heldMachine();
    // Every other machine of this file heartbeats now, so the sweep takes this one alone.
    await db().update(machines).set({ lastHeartbeat: new Date() });
    await db()
      .update(machines)
      .set({ lastHeartbeat: LONG_AGO() })
      .where(eq(machines.id, machine.id));
    expect(await t.container.gymFloor.machines.markSilentMachinesOffline(THRESHOLD_SECONDS)).toBe(
      1,
    );
    await expectEnded(open.id, machine.id, 'offline');
    expect((await machineRow(machine.id))?.status).toBe('offline');
  });

  it('when the machine is deleted, then the row ends as machine-removed and outlives it with its type', async () => {
    const { branch, machine, open } = await heldMachine({ type: 'strength' });
    const staff = await buildBranchStaff(t, branch.id);
    await t.http.delete(`/api/machines/${machine.id}`).set('Authorization', staff.auth).expect(204);
    const ended = await expectEnded(open.id, null, 'machine-removed');
    expect(ended).toMatchObject({ machineId: null, branchId: branch.id, machineType: 'strength' });
  });

  it('when the member deletes their account, then the row ends as account-deleted and stays, anonymous', async () => {
    const { branch, machine, member, open } = await heldMachine();
    await t.http
      .delete('/api/users/me')
      .set('Authorization', member.auth)
      .send({ password: member.password })
      .expect(204);
    const ended = await expectEnded(open.id, machine.id, 'account-deleted');
    expect(ended).toMatchObject({ userId: null, machineId: machine.id, branchId: branch.id });
  });
});

describe('the link history: one open link per machine and per member', () => {
  /** Open rows and held machines agree: an open row exactly while the machine is held. */
  async function expectHistoryMatchesMachines(machineIds: string[]) {
    for (const id of machineIds) {
      const machine = await machineRow(id);
      const open = await db()
        .select()
        .from(machineLinks)
        .where(and(eq(machineLinks.machineId, id), isNull(machineLinks.endedAt)));
      if (machine?.currentUserId) {
        expect(open).toEqual([expect.objectContaining({ userId: machine.currentUserId })]);
      } else {
        expect(open).toEqual([]);
      }
    }
  }

  it('when one member relinks among five machines at once, then they hold one, with one open row, and the others ended as relinked', async () => {
    const branch = await buildBranch(t);
    const built = await Promise.all(Array.from({ length: 5 }, () => buildMachine(t, branch.id)));
    const member = await buildCheckedInMember(t, branch.id);
    const responses = await Promise.all(
      built.map(({ machine }) =>
        t.http
          .post('/api/machines/link')
          .set('Authorization', member.auth)
          .send({ qrCode: machine.qrCode }),
      ),
    );
    expect(responses.every((res) => res.status === 200 || res.status === 409)).toBe(true);
    const mine = await db()
      .select()
      .from(machineLinks)
      .where(eq(machineLinks.userId, member.row.id));
    expect(mine.filter((row) => row.endedAt === null)).toHaveLength(1);
    expect(mine.filter((row) => row.endedAt !== null).map((row) => row.endReason)).toEqual(
      Array(mine.length - 1).fill('relinked'),
    );
    expect(mine).toHaveLength(responses.filter((res) => res.status === 200).length);
    await expectHistoryMatchesMachines(built.map(({ machine }) => machine.id));
  });

  it('when 10 members race for one machine, then one open row, the winner’s', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id);
    const members = await Promise.all(
      Array.from({ length: 10 }, () => buildCheckedInMember(t, branch.id)),
    );
    const responses = await Promise.all(
      members.map((member) =>
        t.http
          .post('/api/machines/link')
          .set('Authorization', member.auth)
          .send({ qrCode: machine.qrCode }),
      ),
    );
    const winner = members[responses.findIndex((res) => res.status === 200)];
    expect(await linksOfMachine(machine.id)).toEqual([
      expect.objectContaining({ userId: winner?.row.id, endedAt: null }),
    ]);
    await expectHistoryMatchesMachines([machine.id]);
  });

  it('when a second open row is written for a machine or a member directly, then the partial unique indexes refuse it', async () => {
    const { branch, machine, member } = await heldMachine();
    const { machine: other } = await buildMachine(t, branch.id);
    const stranger = await buildSignedInUser(t);
    const open = (machineId: string, userId: string) =>
      db()
        .insert(machineLinks)
        .values({ machineId, userId, branchId: branch.id, machineType: 'cardio' });
    await expect(open(machine.id, stranger.row.id)).rejects.toThrow();
    await expect(open(other.id, member.row.id)).rejects.toThrow();
    // Closed rows are history: any number of them.
    const closed = {
      startedAt: new Date(Date.now() - 3_600_000),
      endedAt: new Date(Date.now() - 1_800_000),
      endReason: 'unlinked' as const,
    };
    await db()
      .insert(machineLinks)
      .values([
        {
          machineId: machine.id,
          userId: member.row.id,
          branchId: branch.id,
          machineType: 'cardio',
          ...closed,
        },
        {
          machineId: machine.id,
          userId: member.row.id,
          branchId: branch.id,
          machineType: 'cardio',
          ...closed,
        },
      ]);
  });
});
