import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBranch,
  buildBranchMember,
  buildCheckedInMember,
  buildMachine,
  buildSignedInUser,
} from '../test-support/factories.js';
import {
  connectSocket,
  connected,
  disconnection,
  emitWithAck,
  nextEvent,
  recordEvents,
} from '../test-support/socket-test-support.js';
import { createTestApp, type TestApp } from '../test-support/test-app.js';

interface MachineStatusEvent {
  machineId: string;
  branchId: string;
  status: string;
  currentUserId?: string;
  at: string;
}

interface ProgressRecord {
  id: string;
  userId: string;
  source: string;
}

type SignedInUser = Awaited<ReturnType<typeof buildSignedInUser>>;

/**
 * Two instances of the server on one database and one Redis, as behind a load balancer: what is
 * emitted on one reaches sockets connected to the other through the Redis Streams adapter.
 */
describe.runIf(Boolean(process.env.TEST_REDIS_URL))('two instances behind one Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let urlA: string;
  let urlB: string;
  beforeAll(async () => {
    a = await createTestApp();
    b = await a.startAnotherInstance();
    urlA = await a.listen();
    urlB = await b.listen();
  });
  afterAll(async () => {
    // Closes the second instance too.
    await a.close();
  });

  const sockets: Socket[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  function open(url: string, namespace: string, auth: Record<string, unknown>) {
    const socket = connectSocket(url, namespace, auth);
    sockets.push(socket);
    return connected(socket);
  }
  const openUser = (url: string, user: SignedInUser, namespace = '/machines') =>
    open(url, namespace, { token: user.session.accessToken });

  async function link(via: TestApp, member: SignedInUser, qrCode: string) {
    return via.http
      .post('/api/machines/link')
      .set('Authorization', member.auth)
      .send({ qrCode })
      .expect(200);
  }

  it('when a member links through A, then a subscriber connected to B hears machine:status', async () => {
    const branch = await buildBranch(a);
    const { machine } = await buildMachine(a, branch.id);
    const watcher = await buildBranchMember(a, branch.id);
    const socket = await openUser(urlB, watcher);
    expect(await emitWithAck(socket, 'branch:subscribe', { branchId: branch.id })).toMatchObject({
      ok: true,
    });
    const linker = await buildCheckedInMember(a, branch.id);
    const heard = nextEvent<MachineStatusEvent>(
      socket,
      'machine:status',
      (event) => event.machineId === machine.id,
    );
    const res = await link(a, linker, machine.qrCode);
    expect(await heard).toEqual({
      machineId: machine.id,
      branchId: branch.id,
      status: 'occupied',
      // A member watching does not hear who holds the machine; staff and the holder do.
      at: res.body.updatedAt as string,
    });
  });

  it('when a member links through B, then the device connected to A hears machine:linked', async () => {
    const branch = await buildBranch(a);
    const { machine, deviceKey } = await buildMachine(a, branch.id);
    const device = await open(urlA, '/machines', { machineKey: deviceKey });
    const linker = await buildCheckedInMember(a, branch.id);
    const linked = nextEvent(device, 'machine:linked');
    await link(b, linker, machine.qrCode);
    expect(await linked).toMatchObject({ userId: linker.row.id });

    const unlinked = nextEvent(device, 'machine:unlinked');
    await b.http
      .post(`/api/machines/${machine.id}/unlink`)
      .set('Authorization', linker.auth)
      .expect(200);
    expect(await unlinked).toMatchObject({ userId: linker.row.id });
  });

  it('when a member reports a set on A, then their socket on B receives it and the sender does not', async () => {
    const member = await buildSignedInUser(a);
    const onA = await openUser(urlA, member, '/workouts');
    const onB = await openUser(urlB, member, '/workouts');
    const heardOnA = recordEvents<ProgressRecord>(onA, 'workout:progress');
    const heardOnB = nextEvent<ProgressRecord>(onB, 'workout:progress');
    const payload = { exerciseId: 'squat', exerciseName: 'Squat', setNumber: 1, reps: 5 };
    const ack = await emitWithAck(onA, 'workout:progress', payload);
    expect(ack.ok).toBe(true);
    expect(await heardOnB).toEqual(ack.record);

    // Barrier: B's set crosses to A; A's own set, had it been echoed, would have arrived first.
    const fromB = await emitWithAck(onB, 'workout:progress', { ...payload, setNumber: 2 });
    const fromBRecord = fromB.record as ProgressRecord;
    await expect.poll(() => heardOnA.map((heard) => heard.id)).toContain(fromBRecord.id);
    expect(heardOnA).toEqual([fromBRecord]);
  });

  it('when a device on A reports progress, then the linked member’s socket on B receives it', async () => {
    const branch = await buildBranch(a);
    const { machine, deviceKey } = await buildMachine(a, branch.id);
    const device = await open(urlA, '/machines', { machineKey: deviceKey });
    const linker = await buildCheckedInMember(a, branch.id);
    const phone = await openUser(urlB, linker, '/workouts');
    await link(b, linker, machine.qrCode);
    const pushed = nextEvent<ProgressRecord>(phone, 'workout:progress');
    const ack = await emitWithAck(device, 'workout:progress', {
      exerciseId: 'bike',
      exerciseName: 'Bike',
      setNumber: 1,
      reps: 0,
      durationSec: 300,
    });
    expect(ack).toMatchObject({ ok: true, record: { source: 'machine', machineId: machine.id } });
    expect(await pushed).toEqual(ack.record);
  });

  it('when a session logs out through A, then its sockets connected to B are closed', async () => {
    const member = await buildSignedInUser(a);
    const refreshed = await a.http
      .post('/api/auth/refresh')
      .send({ refreshToken: member.session.refreshToken })
      .expect(200);
    const onMachines = await openUser(urlB, member);
    const onWorkouts = await openUser(urlB, member, '/workouts');
    const sameSession = await open(urlB, '/workouts', {
      token: refreshed.body.accessToken as string,
    });
    const closed = [onMachines, onWorkouts, sameSession].map((socket) => disconnection(socket));
    await a.http.post('/api/auth/logout').set('Authorization', member.auth).send({}).expect(204);
    expect(await Promise.all(closed)).toEqual([
      'io server disconnect',
      'io server disconnect',
      'io server disconnect',
    ]);
  });

  it('when a machine is deleted through B, then its device on A is closed and A’s subscribers hear machine:removed', async () => {
    const admin = await buildSignedInUser(a, { role: 'admin' });
    const branch = await buildBranch(a);
    const { machine, deviceKey } = await buildMachine(a, branch.id);
    const device = await open(urlA, '/machines', { machineKey: deviceKey });
    const watcher = await openUser(urlA, admin);
    expect((await emitWithAck(watcher, 'branch:subscribe', { branchId: branch.id })).ok).toBe(true);
    const removed = nextEvent(watcher, 'machine:removed');
    const closed = disconnection(device);
    await b.http.delete(`/api/machines/${machine.id}`).set('Authorization', admin.auth).expect(204);
    expect(await removed).toMatchObject({ machineId: machine.id, branchId: branch.id });
    expect(await closed).toBe('io server disconnect');
  });
});
