import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBranch,
  buildBranchMember,
  buildMachine,
  type BuiltUser,
} from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { branchMembers, gymSessions, machineLinks, machines } from './gym-floor.table.js';

// On real PostgreSQL (TEST_DATABASE_URL) the requests run on separate pool connections and truly
// interleave; on PGlite they are serialised, and the invariant must hold all the same.
const ROUNDS = 32;
// A generous limit for the rounds on a busy machine; nothing asserts how long they take.
const RACE_TIMEOUT_MS = 180_000;
const admin = { userId: '00000000-0000-4000-8000-000000000000', role: 'admin' as const };

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

type Member = BuiltUser & { auth: string };

/**
 * The floor's invariant: a machine is held only by a member who has an active gym session at the
 * machine's branch and still belongs to it, and its link history has an open row exactly while
 * it is held, for that member. Returns what is wrong, or undefined.
 */
async function invariantBroken(machineId: string): Promise<string | undefined> {
  const db = t.container.database.db;
  const [machine] = await db.select().from(machines).where(eq(machines.id, machineId));
  const open = await db
    .select()
    .from(machineLinks)
    .where(and(eq(machineLinks.machineId, machineId), isNull(machineLinks.endedAt)));
  const holder = machine?.currentUserId ?? null;
  if (open.length !== (holder ? 1 : 0) || (holder && open[0]?.userId !== holder)) {
    return `machine held by ${String(holder)} with ${String(open.length)} open history rows`;
  }
  if (!machine?.currentUserId) return undefined;
  const active = await db
    .select()
    .from(gymSessions)
    .where(
      and(
        eq(gymSessions.userId, machine.currentUserId),
        eq(gymSessions.branchId, machine.branchId),
        eq(gymSessions.status, 'active'),
      ),
    );
  if (active.length === 0) return `machine ${machine.status} by a member without an active session`;
  const membership = await db
    .select()
    .from(branchMembers)
    .where(
      and(
        eq(branchMembers.userId, machine.currentUserId),
        eq(branchMembers.branchId, machine.branchId),
      ),
    );
  if (membership.length === 0) return `machine ${machine.status} by a member who left the branch`;
  return undefined;
}

/** Frees the machine and ends the member's visit, so the next round starts the same way. */
async function resetRound(member: Member, branchId: string, machineId: string) {
  const floor = t.container.gymFloor;
  const [machine] = await t.container.database.db
    .select()
    .from(machines)
    .where(eq(machines.id, machineId));
  if (machine?.currentUserId) await floor.machines.unlink(admin, machineId);
  await floor.gymSessions.checkOut(member.row.id).catch(() => undefined);
  await floor.branches.join(member.row.id, branchId);
}

/** Runs `rounds` of: check in, then link and `other` at the same moment; counts broken rounds. */
async function race(other: (member: Member, branchId: string) => Promise<unknown>) {
  const branch = await buildBranch(t);
  const { machine } = await buildMachine(t, branch.id);
  const member = await buildBranchMember(t, branch.id);
  const broken: string[] = [];
  const linkStatuses = new Set<number>();
  for (let round = 0; round < ROUNDS; round++) {
    await t.container.gymFloor.gymSessions.checkIn(member.row.id, branch.id);
    const [link] = await Promise.all([
      t.http
        .post('/api/machines/link')
        .set('Authorization', member.auth)
        .send({ qrCode: machine.qrCode }),
      other(member, branch.id),
    ]);
    linkStatuses.add(link.status);
    const problem = await invariantBroken(machine.id);
    if (problem) broken.push(`round ${round}: ${problem}`);
    await resetRound(member, branch.id, machine.id);
  }
  // A link either won (200) or found the visit over (409); nothing else, no 500.
  expect([...linkStatuses].every((status) => status === 200 || status === 409)).toBe(true);
  return broken;
}

describe('the floor invariant: a held machine always has an active gym session at its branch', () => {
  it(
    `when link and check-out run at the same moment ${ROUNDS} times, then no round leaves the machine held without a session`,
    async () => {
      const checkOutStatuses = new Set<number>();
      const broken = await race(async (member) => {
        const res = await t.http.post('/api/sessions/check-out').set('Authorization', member.auth);
        checkOutStatuses.add(res.status);
      });
      expect(broken).toEqual([]);
      expect([...checkOutStatuses]).toEqual([200]);
    },
    RACE_TIMEOUT_MS,
  );

  it(
    `when link and the expiry sweep run at the same moment ${ROUNDS} times, then no round leaves the machine held without a session`,
    async () => {
      // Threshold 0: every active session counts as abandoned, this member's included.
      const broken = await race(() => t.container.gymFloor.gymSessions.expireAbandoned(0));
      expect(broken).toEqual([]);
    },
    RACE_TIMEOUT_MS,
  );

  it(
    `when link and leaving the branch run at the same moment ${ROUNDS} times, then no round leaves the machine held by a non-member or without a session`,
    async () => {
      const leaveStatuses = new Set<number>();
      const broken = await race(async (member, branchId) => {
        const res = await t.http
          .post(`/api/branches/${branchId}/leave`)
          .set('Authorization', member.auth);
        leaveStatuses.add(res.status);
      });
      expect(broken).toEqual([]);
      expect([...leaveStatuses]).toEqual([200]);
    },
    RACE_TIMEOUT_MS,
  );
});
