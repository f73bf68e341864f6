import { eq } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBranch,
  buildBranchMember,
  buildCheckedInMember,
  buildMachine,
} from '../../test-support/factories.js';
import { waitUntil } from '../../test-support/job-test-support.js';
import {
  connectSocket,
  connected,
  emitWithAck,
  nextEvent,
} from '../../test-support/socket-test-support.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { gymSessions, machines } from './gym-floor.table.js';

// Sweeps every second with a one-minute threshold: rows are aged by rewriting their times, so
// a fresh row is never swept by accident while the test runs.
const THRESHOLD_SECONDS = 60;
const LONG_AGO = () => new Date(Date.now() - 2 * THRESHOLD_SECONDS * 1000);

let t: TestApp;
let baseUrl: string;
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await createTestApp({
    GYM_FLOOR_SWEEP_SECONDS: '1',
    GYM_SESSION_EXPIRE_AFTER_SECONDS: String(THRESHOLD_SECONDS),
    MACHINE_OFFLINE_AFTER_SECONDS: String(THRESHOLD_SECONDS),
    MACHINE_LINK_IDLE_SECONDS: String(THRESHOLD_SECONDS),
  });
  baseUrl = await t.listen();
  // With Redis, the sweeps run in a second instance that serves no sockets, as a separate worker
  // process does in production: their events must reach the clients through Redis.
  const worker = process.env.TEST_REDIS_URL ? await t.startAnotherInstance() : t;
  await worker.container.jobs.start();
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});
afterAll(async () => {
  await t.close();
});

async function machineRow(id: string) {
  const [row] = await t.container.database.db.select().from(machines).where(eq(machines.id, id));
  return row;
}

async function sessionRow(id: string) {
  const [row] = await t.container.database.db
    .select()
    .from(gymSessions)
    .where(eq(gymSessions.id, id));
  return row;
}

async function open(namespace: string, auth: Record<string, unknown>) {
  const socket = connectSocket(baseUrl, namespace, auth);
  sockets.push(socket);
  return connected(socket);
}

/** A member socket on /machines following the branch. */
async function subscriber(branchId: string) {
  const watcher = await buildBranchMember(t, branchId);
  const socket = await open('/machines', { token: watcher.session.accessToken });
  expect((await emitWithAck(socket, 'branch:subscribe', { branchId })).ok).toBe(true);
  return socket;
}

describe('expiring abandoned gym sessions', () => {
  it('when a session stays open past the limit, then it expires, its machine is released and the member is told', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id);
    const member = await buildCheckedInMember(t, branch.id);
    await t.container.gymFloor.machines.link(member.row.id, machine.qrCode);
    await t.container.gymFloor.machines.heartbeat(machine.id);
    const memberSocket = await open('/workouts', { token: member.session.accessToken });
    const watcher = await subscriber(branch.id);
    const notified = nextEvent<{ type: string; sessionId: string }>(memberSocket, 'notification');
    const released = nextEvent<{ machineId: string; status: string }>(
      watcher,
      'machine:status',
      (event) => event.machineId === machine.id,
      30_000,
    );

    await t.container.database.db
      .update(gymSessions)
      .set({ startTime: LONG_AGO() })
      .where(eq(gymSessions.id, member.gymSession.id));

    expect(await notified).toMatchObject({
      type: 'gym-session-expired',
      sessionId: member.gymSession.id,
    });
    expect(await released).toMatchObject({ status: 'available' });
    const session = await sessionRow(member.gymSession.id);
    expect(session).toMatchObject({ status: 'expired', machinesUsed: [machine.id] });
    expect(session?.duration).toBeGreaterThanOrEqual(2);
    expect(await machineRow(machine.id)).toMatchObject({
      status: 'available',
      currentUserId: null,
    });
  });

  it('when a session is recent, then the sweep leaves it active', async () => {
    const branch = await buildBranch(t);
    const member = await buildCheckedInMember(t, branch.id);
    const aged = await buildCheckedInMember(t, branch.id);
    await t.container.database.db
      .update(gymSessions)
      .set({ startTime: LONG_AGO() })
      .where(eq(gymSessions.id, aged.gymSession.id));
    await waitUntil(async () => (await sessionRow(aged.gymSession.id))?.status === 'expired');
    expect((await sessionRow(member.gymSession.id))?.status).toBe('active');
  });
});

describe('marking silent machines offline', () => {
  it('when a machine stops heartbeating, then it goes offline, its member is released, and a heartbeat brings it back', async () => {
    const branch = await buildBranch(t);
    const { machine, deviceKey } = await buildMachine(t, branch.id);
    const member = await buildCheckedInMember(t, branch.id);
    await t.container.gymFloor.machines.link(member.row.id, machine.qrCode);
    const watcher = await subscriber(branch.id);
    const offline = nextEvent<{ status: string }>(
      watcher,
      'machine:status',
      (event) => event.status === 'offline',
      30_000,
    );
    await t.container.database.db
      .update(machines)
      .set({ lastHeartbeat: LONG_AGO() })
      .where(eq(machines.id, machine.id));

    await offline;
    expect(await machineRow(machine.id)).toMatchObject({ status: 'offline', currentUserId: null });

    const back = nextEvent<{ status: string }>(
      watcher,
      'machine:status',
      (event) => event.status === 'available',
    );
    const device = await open('/machines', { machineKey: deviceKey });
    const ack = await emitWithAck(device, 'machine:heartbeat', {});
    expect(ack).toMatchObject({ ok: true, status: 'available' });
    await back;
  });

  it('when machines keep heartbeating, then they stay in service; machines in maintenance are left alone', async () => {
    const branch = await buildBranch(t);
    const { machine: alive } = await buildMachine(t, branch.id);
    const { machine: resting } = await buildMachine(t, branch.id);
    const { machine: silent } = await buildMachine(t, branch.id);
    await t.container.database.db
      .update(machines)
      .set({ status: 'maintenance', lastHeartbeat: LONG_AGO() })
      .where(eq(machines.id, resting.id));
    await t.container.database.db
      .update(machines)
      .set({ lastHeartbeat: LONG_AGO() })
      .where(eq(machines.id, silent.id));
    await t.container.gymFloor.machines.heartbeat(alive.id);
    await waitUntil(async () => (await machineRow(silent.id))?.status === 'offline');
    expect((await machineRow(alive.id))?.status).toBe('available');
    expect((await machineRow(resting.id))?.status).toBe('maintenance');
  });
});

describe('releasing idle links', () => {
  it('when a linked member shows no activity, then the machine is released and they are told; activity keeps a link', async () => {
    const branch = await buildBranch(t);
    const { machine: idle } = await buildMachine(t, branch.id);
    const { machine: busy } = await buildMachine(t, branch.id);
    const idleMember = await buildCheckedInMember(t, branch.id);
    const busyMember = await buildCheckedInMember(t, branch.id);
    await t.container.gymFloor.machines.link(idleMember.row.id, idle.qrCode);
    await t.container.gymFloor.machines.link(busyMember.row.id, busy.qrCode);
    // Listening before the rows are aged: the sweep may run the moment they are.
    const memberSocket = await open('/workouts', { token: idleMember.session.accessToken });
    const notified = nextEvent<{ type: string; machineId: string }>(
      memberSocket,
      'notification',
      () => true,
      30_000,
    );
    for (const id of [idle.id, busy.id]) await t.container.gymFloor.machines.heartbeat(id);
    await t.container.database.db
      .update(machines)
      .set({ lastActivityAt: LONG_AGO() })
      .where(eq(machines.id, idle.id));
    // The busy link is close to idle (but not yet, so no sweep can take it first) when a set
    // reported by its member counts as activity on the machine they hold.
    const almostIdle = new Date(Date.now() - (THRESHOLD_SECONDS - 10) * 1000);
    await t.container.database.db
      .update(machines)
      .set({ lastActivityAt: almostIdle })
      .where(eq(machines.id, busy.id));
    const beforeProgress = Date.now();
    await t.container.workoutLogs.recordSet(
      busyMember.row.id,
      { exerciseId: 'row', exerciseName: 'Row', setNumber: 1, reps: 10 },
      { kind: 'app' },
    );

    expect(await notified).toMatchObject({ type: 'machine-released', machineId: idle.id });
    expect(await machineRow(idle.id)).toMatchObject({ status: 'available', currentUserId: null });
    const busyRow = await machineRow(busy.id);
    expect(busyRow).toMatchObject({ status: 'occupied', currentUserId: busyMember.row.id });
    expect(busyRow?.lastActivityAt?.getTime()).toBeGreaterThanOrEqual(beforeProgress - 1_000);
  });
});
