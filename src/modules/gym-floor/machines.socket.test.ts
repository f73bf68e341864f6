import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import jwt from 'jsonwebtoken';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  buildBranch,
  buildBranchMember,
  buildBranchStaff,
  buildCheckedInMember,
  buildMachine,
  buildSignedInUser,
} from '../../test-support/factories.js';
import {
  connectSocket,
  connected,
  disconnection,
  emitWithAck,
  nextEvent,
  recordEvents,
  refusal,
  type AckReply,
} from '../../test-support/socket-test-support.js';
import { waitUntil } from '../../test-support/job-test-support.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { machines } from './gym-floor.table.js';

interface MachineStatusEvent {
  machineId: string;
  branchId: string;
  status: string;
  currentUserId?: string;
  at: string;
}

type SignedInUser = Awaited<ReturnType<typeof buildSignedInUser>>;

let t: TestApp;
let baseUrl: string;
let admin: SignedInUser;
beforeAll(async () => {
  t = await createTestApp();
  baseUrl = await t.listen();
  admin = await buildSignedInUser(t, { role: 'admin' });
});
afterAll(async () => {
  await t.close();
});

const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

/** A socket to `namespace` that is closed after the test. */
function open(namespace: string, auth: Record<string, unknown>, options: { origin?: string } = {}) {
  const socket = connectSocket(baseUrl, namespace, auth, options);
  sockets.push(socket);
  return socket;
}
const openUser = (token: string, namespace = '/machines') => connected(open(namespace, { token }));
const openDevice = (deviceKey: string) => connected(open('/machines', { machineKey: deviceKey }));

/** Emits without any payload at all, only the ack callback. */
const emitBare = (socket: Socket, event: string) =>
  socket.timeout(5_000).emitWithAck(event) as Promise<AckReply>;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A branch with one machine whose device key is known. */
async function floor() {
  const branch = await buildBranch(t);
  const { machine, deviceKey } = await buildMachine(t, branch.id);
  return { branch, machine, deviceKey };
}

/** A member of the branch with a /machines socket subscribed to it. */
async function subscriber(branchId: string) {
  const member = await buildBranchMember(t, branchId);
  const socket = await openUser(member.session.accessToken);
  const ack = await emitWithAck(socket, 'branch:subscribe', { branchId });
  expect(ack).toMatchObject({ ok: true, branchId });
  return { member, socket };
}

/**
 * Resolves once `socket` has received every `machine:status` emitted before the call: the user
 * subscribes to a fresh branch and the creation of a machine there is the event waited for.
 * Events of one namespace reach a socket in the order they were emitted.
 */
async function flushStatus(socket: Socket, userId: string) {
  const barrier = await buildBranch(t);
  await t.container.gymFloor.branches.join(userId, barrier.id);
  const ack = await emitWithAck(socket, 'branch:subscribe', { branchId: barrier.id });
  expect(ack.ok).toBe(true);
  const heard = nextEvent<MachineStatusEvent>(
    socket,
    'machine:status',
    (event) => event.branchId === barrier.id,
  );
  await buildMachine(t, barrier.id);
  await heard;
}

/** A floor whose machine a checked-in member holds, with its device and a subscriber connected. */
async function occupiedFloor() {
  const { branch, machine, deviceKey } = await floor();
  const device = await openDevice(deviceKey);
  const { socket } = await subscriber(branch.id);
  const linker = await buildCheckedInMember(t, branch.id);
  await link(linker, machine.qrCode);
  return { branch, machine, device, socket, linker };
}

async function link(member: SignedInUser, qrCode: string) {
  return t.http
    .post('/api/machines/link')
    .set('Authorization', member.auth)
    .send({ qrCode })
    .expect(200);
}

/** An access token signed with the test keys, as the server would sign one, with chosen claims. */
function signAccessToken(user: SignedInUser, exp: number) {
  const { privateKeyPem } = inject('signingKeys');
  return jwt.sign({ role: user.row.role, sid: randomUUID(), exp }, privateKeyPem, {
    algorithm: 'RS256',
    issuer: t.container.config.jwt.issuer,
    audience: t.container.config.jwt.audience,
    subject: user.row.id,
    jwtid: randomUUID(),
  });
}

async function machineDetails(id: string) {
  const res = await t.http.get(`/api/machines/${id}`).set('Authorization', admin.auth).expect(200);
  return res.body as { status: string; telemetry: unknown; lastHeartbeat: string | null };
}

describe('the /machines handshake', () => {
  it('when no credentials are sent, then the connection is refused with UNAUTHENTICATED', async () => {
    const refused = await refusal(open('/machines', {}));
    expect(refused.message).toBe('UNAUTHENTICATED');
    expect(refused.data?.code).toBe('UNAUTHENTICATED');
  });

  it('when the token is garbage or not a string, then the connection is refused', async () => {
    const garbage = await refusal(open('/machines', { token: 'not.a.jwt' }));
    expect(garbage.data).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'The access token is invalid.',
    });
    const number = await refusal(open('/machines', { token: 12345 }));
    expect(number.data?.code).toBe('UNAUTHENTICATED');
  });

  it('when the token has expired, then the connection is refused and the client is told to refresh', async () => {
    const member = await buildSignedInUser(t);
    const expired = signAccessToken(member, Math.floor(Date.now() / 1000) - 30);
    const refused = await refusal(open('/machines', { token: expired }));
    expect(refused.data).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'The access token has expired; refresh it.',
    });
    // The same claims with a future expiry are accepted: only the expiry made the difference.
    const live = signAccessToken(member, Math.floor(Date.now() / 1000) + 300);
    await openUser(live);
  });

  it('when the token was logged out, then the connection is refused on both namespaces', async () => {
    const member = await buildSignedInUser(t);
    await openUser(member.session.accessToken);
    await t.http.post('/api/auth/logout').set('Authorization', member.auth).send({}).expect(204);
    for (const namespace of ['/machines', '/workouts']) {
      const refused = await refusal(open(namespace, { token: member.session.accessToken }));
      expect(refused.data).toMatchObject({
        code: 'UNAUTHENTICATED',
        message: 'The access token has been revoked.',
      });
    }
  });

  it('when a machine key is wrong, then it is refused; a right one is refused on /workouts', async () => {
    const { deviceKey } = await floor();
    const wrong = await refusal(open('/machines', { machineKey: `${deviceKey}x` }));
    expect(wrong.data).toMatchObject({ code: 'UNAUTHENTICATED', message: 'Unknown machine key.' });
    const tooLong = await refusal(open('/machines', { machineKey: 'k'.repeat(10_000) }));
    expect(tooLong.data?.code).toBe('UNAUTHENTICATED');

    const onWorkouts = await refusal(open('/workouts', { machineKey: deviceKey }));
    expect(onWorkouts.data).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Connect with auth: { token }.',
    });
    await openDevice(deviceKey);
  });

  it('when a browser Origin is not allowed, then the connection is refused; an allowed one connects', async () => {
    const member = await buildSignedInUser(t);
    const token = member.session.accessToken;
    const foreign = await refusal(open('/machines', { token }, { origin: 'https://evil.test' }));
    // Refused at the transport, before any namespace middleware: no code reaches the client.
    expect(foreign.data?.code).toBeUndefined();
    const lookalike = await refusal(
      open('/machines', { token }, { origin: 'https://app.nxg.test.evil.test' }),
    );
    expect(lookalike.data?.code).toBeUndefined();
    await connected(open('/machines', { token }, { origin: 'https://app.nxg.test' }));
    await connected(open('/workouts', { token }, { origin: 'https://app.nxg.test' }));
  });

  it('when the access token expires while connected, then the server closes the socket', async () => {
    const member = await buildSignedInUser(t);
    // Long enough to connect on a busy machine; the close comes from the server's timer.
    const shortLived = signAccessToken(member, Math.floor(Date.now() / 1000) + 6);
    const socket = await openUser(shortLived);
    expect(await disconnection(socket, 30_000)).toBe('io server disconnect');
  });
});

describe('branch:subscribe', () => {
  it('when a member of the branch subscribes, then the ack carries every machine’s state without who holds it', async () => {
    const { branch, machine } = await floor();
    const { machine: second } = await buildMachine(t, branch.id);
    const linker = await buildCheckedInMember(t, branch.id);
    await link(linker, second.qrCode);

    const member = await buildBranchMember(t, branch.id);
    const socket = await openUser(member.session.accessToken);
    const ack = await emitWithAck(socket, 'branch:subscribe', { branchId: branch.id });
    expect(ack.ok).toBe(true);
    expect(ack.branchId).toBe(branch.id);
    const states = ack.machines as MachineStatusEvent[];
    expect(states).toHaveLength(2);
    expect(states).toEqual(
      expect.arrayContaining([
        { machineId: machine.id, branchId: branch.id, status: 'available', at: expect.any(String) },
        { machineId: second.id, branchId: branch.id, status: 'occupied', at: expect.any(String) },
      ]),
    );
  });

  it('when staff or the holder subscribe, then the ack names who holds the machine', async () => {
    const { branch, machine } = await floor();
    const linker = await buildCheckedInMember(t, branch.id);
    await link(linker, machine.qrCode);
    const staff = await buildBranchStaff(t, branch.id);
    const held = {
      machineId: machine.id,
      branchId: branch.id,
      status: 'occupied',
      currentUserId: linker.row.id,
      at: expect.any(String),
    };
    for (const viewer of [staff, linker, admin]) {
      const socket = await openUser(viewer.session.accessToken);
      const ack = await emitWithAck(socket, 'branch:subscribe', { branchId: branch.id });
      expect(ack.machines, viewer.row.role).toEqual([held]);
    }
  });

  it('when staff of the branch or an admin subscribe, then they may; staff of another branch may not', async () => {
    const { branch } = await floor();
    const other = await buildBranch(t);
    const staff = await buildBranchStaff(t, branch.id);
    const staffSocket = await openUser(staff.session.accessToken);
    expect(
      await emitWithAck(staffSocket, 'branch:subscribe', { branchId: branch.id }),
    ).toMatchObject({ ok: true });
    const refused = await emitWithAck(staffSocket, 'branch:subscribe', { branchId: other.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const adminSocket = await openUser(admin.session.accessToken);
    expect(
      await emitWithAck(adminSocket, 'branch:subscribe', { branchId: other.id }),
    ).toMatchObject({ ok: true, branchId: other.id, machines: [] });
  });

  it('when a member subscribes to a branch they did not join, then FORBIDDEN and they hear nothing of it', async () => {
    const { branch, machine } = await floor();
    const outsider = await buildSignedInUser(t);
    const socket = await openUser(outsider.session.accessToken);
    const heard = recordEvents<MachineStatusEvent>(socket, 'machine:status');

    const ack = await emitWithAck(socket, 'branch:subscribe', { branchId: branch.id });
    expect(ack).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(ack).not.toHaveProperty('machines');

    const linker = await buildCheckedInMember(t, branch.id);
    await link(linker, machine.qrCode);
    await flushStatus(socket, outsider.row.id);
    expect(heard.filter((event) => event.branchId === branch.id)).toEqual([]);
  });

  // Fails today: branch:subscribe judges the role the socket had at its handshake.
  it('when an admin is demoted, then their open socket is closed and a new one cannot follow branches they do not belong to', async () => {
    const demoted = await buildSignedInUser(t, { role: 'admin' });
    const socket = await openUser(demoted.session.accessToken);
    await t.http
      .patch(`/api/users/${demoted.row.id}/role`)
      .set('Authorization', admin.auth)
      .send({ role: 'member' })
      .expect(200);
    // Over HTTP the new role applies at once.
    await t.http
      .post('/api/branches')
      .set('Authorization', demoted.auth)
      .send({ name: `Nope ${randomUUID()}`, address: 'x', timezone: 'UTC' })
      .expect(403);

    // The socket admitted as an admin is closed; reconnected, it is judged by the new role.
    await disconnection(socket);
    const again = await openUser(demoted.session.accessToken);
    const branch = await buildBranch(t);
    const ack = await emitWithAck(again, 'branch:subscribe', { branchId: branch.id });
    expect(ack).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('when the branch does not exist, then NOT_FOUND', async () => {
    const socket = await openUser(admin.session.accessToken);
    const ack = await emitWithAck(socket, 'branch:subscribe', { branchId: randomUUID() });
    expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('when the payload is malformed, then VALIDATION_ERROR and nothing is joined', async () => {
    const { branch, machine } = await floor();
    const member = await buildBranchMember(t, branch.id);
    const socket = await openUser(member.session.accessToken);
    const heard = recordEvents<MachineStatusEvent>(socket, 'machine:status');

    const malformed: [unknown, string | undefined][] = [
      [{}, 'payload.branchId'],
      [{ branchId: 'not-a-uuid' }, 'payload.branchId'],
      [{ branchId: branch.id, extra: true }, 'payload.extra'],
      [{ branchId: 42 }, 'payload.branchId'],
      [branch.id, 'payload'],
      [[branch.id], 'payload'],
      [null, 'payload.branchId'],
      [undefined, 'payload.branchId'],
    ];
    for (const [payload, path] of malformed) {
      const ack = await emitWithAck(socket, 'branch:subscribe', payload);
      expect(ack, JSON.stringify(payload)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_ERROR' },
      });
      expect(ack.error?.errors?.map((error) => error.path)).toContain(path);
    }
    const bare = await emitBare(socket, 'branch:subscribe');
    expect(bare).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });

    const linker = await buildCheckedInMember(t, branch.id);
    await link(linker, machine.qrCode);
    await flushStatus(socket, member.row.id);
    expect(heard.filter((event) => event.branchId === branch.id)).toEqual([]);
  });

  it('when a subscriber unsubscribes, then they stop hearing the branch', async () => {
    const { branch, machine } = await floor();
    const { member, socket } = await subscriber(branch.id);
    const heard = recordEvents<MachineStatusEvent>(socket, 'machine:status');
    expect(await emitWithAck(socket, 'branch:unsubscribe', { branchId: branch.id })).toEqual({
      ok: true,
      branchId: branch.id,
    });
    const linker = await buildCheckedInMember(t, branch.id);
    await link(linker, machine.qrCode);
    await flushStatus(socket, member.row.id);
    expect(heard.filter((event) => event.branchId === branch.id)).toEqual([]);
  });
});

describe('losing the right to watch', () => {
  it('when a member leaves the branch, then their open subscription ends with it', async () => {
    const { branch, machine } = await floor();
    const { member, socket } = await subscriber(branch.id);
    const heard = recordEvents<MachineStatusEvent>(socket, 'machine:status');
    await t.http
      .post(`/api/branches/${branch.id}/leave`)
      .set('Authorization', member.auth)
      .expect(200);
    const linker = await buildCheckedInMember(t, branch.id);
    await link(linker, machine.qrCode);
    await flushStatus(socket, member.row.id);
    expect(heard.filter((event) => event.branchId === branch.id)).toEqual([]);
  });

  it('when staff are unassigned from a branch they did not join, then their subscription ends', async () => {
    const { branch, machine } = await floor();
    const staff = await buildBranchStaff(t, branch.id);
    const socket = await openUser(staff.session.accessToken);
    expect((await emitWithAck(socket, 'branch:subscribe', { branchId: branch.id })).ok).toBe(true);
    const heard = recordEvents<MachineStatusEvent>(socket, 'machine:status');
    await t.http
      .delete(`/api/branches/${branch.id}/staff/${staff.row.id}`)
      .set('Authorization', admin.auth)
      .expect(204);
    const linker = await buildCheckedInMember(t, branch.id);
    await link(linker, machine.qrCode);
    await flushStatus(socket, staff.row.id);
    expect(heard.filter((event) => event.branchId === branch.id)).toEqual([]);
  });
});

describe('losing staff rights while still a member', () => {
  it('when staff who also joined the branch are unassigned, then their subscription stays but no longer names who holds a machine', async () => {
    const { branch, machine } = await floor();
    const staff = await buildBranchStaff(t, branch.id);
    await t.container.gymFloor.branches.join(staff.row.id, branch.id);
    const socket = await openUser(staff.session.accessToken);
    expect((await emitWithAck(socket, 'branch:subscribe', { branchId: branch.id })).ok).toBe(true);
    await t.http
      .delete(`/api/branches/${branch.id}/staff/${staff.row.id}`)
      .set('Authorization', admin.auth)
      .expect(204);

    const occupied = nextEvent<MachineStatusEvent>(
      socket,
      'machine:status',
      (event) => event.machineId === machine.id && event.status === 'occupied',
    );
    const linker = await buildCheckedInMember(t, branch.id);
    await link(linker, machine.qrCode);
    expect(await occupied).not.toHaveProperty('currentUserId');
  });
});

describe('machine:status broadcasts', () => {
  it('when a member links over HTTP, then every subscriber of the branch hears it once and no one else; only staff and the linker hear who', async () => {
    const { branch, machine, deviceKey } = await floor();
    const device = await openDevice(deviceKey);
    const first = await subscriber(branch.id);
    const second = await subscriber(branch.id);
    const staff = await buildBranchStaff(t, branch.id);
    const staffSocket = await openUser(staff.session.accessToken);
    expect((await emitWithAck(staffSocket, 'branch:subscribe', { branchId: branch.id })).ok).toBe(
      true,
    );
    const elsewhere = await subscriber((await buildBranch(t)).id);
    const elsewhereHeard = recordEvents<MachineStatusEvent>(elsewhere.socket, 'machine:status');
    const linker = await buildCheckedInMember(t, branch.id);
    const linkerSocket = await openUser(linker.session.accessToken);
    expect((await emitWithAck(linkerSocket, 'branch:subscribe', { branchId: branch.id })).ok).toBe(
      true,
    );
    const heardBy = [first.socket, second.socket, staffSocket, linkerSocket].map((socket) =>
      recordEvents<MachineStatusEvent>(socket, 'machine:status'),
    );

    const occupied = (event: MachineStatusEvent) =>
      event.machineId === machine.id && event.status === 'occupied';
    const heardFirst = nextEvent(first.socket, 'machine:status', occupied);
    const heardSecond = nextEvent(second.socket, 'machine:status', occupied);
    const heardStaff = nextEvent(staffSocket, 'machine:status', occupied);
    const heardLinker = nextEvent(linkerSocket, 'machine:status', occupied);
    const linkedNotice = nextEvent(device, 'machine:linked');
    const res = await link(linker, machine.qrCode);

    const expected = {
      machineId: machine.id,
      branchId: branch.id,
      status: 'occupied',
      at: res.body.updatedAt as string,
    };
    expect(await heardFirst).toEqual(expected);
    expect(await heardSecond).toEqual(expected);
    expect(await heardStaff).toEqual({ ...expected, currentUserId: linker.row.id });
    expect(await heardLinker).toEqual({ ...expected, currentUserId: linker.row.id });
    expect(await linkedNotice).toMatchObject({ userId: linker.row.id });
    // Each subscriber got the change once, in one form or the other.
    await flushStatus(first.socket, first.member.row.id);
    await flushStatus(second.socket, second.member.row.id);
    await flushStatus(staffSocket, staff.row.id);
    await flushStatus(linkerSocket, linker.row.id);
    for (const heard of heardBy) {
      expect(heard.filter(occupied)).toHaveLength(1);
    }

    await flushStatus(elsewhere.socket, elsewhere.member.row.id);
    expect(elsewhereHeard.filter((event) => event.branchId === branch.id)).toEqual([]);
  });

  it('when the member unlinks, then subscribers hear available and the device hears machine:unlinked', async () => {
    const { branch, machine, device, socket, linker } = await occupiedFloor();

    const available = nextEvent<MachineStatusEvent>(
      socket,
      'machine:status',
      (event) => event.machineId === machine.id && event.status === 'available',
    );
    const unlinked = nextEvent(device, 'machine:unlinked');
    await t.http
      .post(`/api/machines/${machine.id}/unlink`)
      .set('Authorization', linker.auth)
      .expect(200);
    const event = await available;
    expect(event).toEqual({
      machineId: machine.id,
      branchId: branch.id,
      status: 'available',
      at: expect.stringMatching(isoPattern),
    });
    expect(await unlinked).toMatchObject({ userId: linker.row.id, status: 'available' });
  });

  it('when the member checks out, then the device hears machine:unlinked and the branch hears available', async () => {
    const { machine, device, socket, linker } = await occupiedFloor();

    const available = nextEvent<MachineStatusEvent>(
      socket,
      'machine:status',
      (event) => event.machineId === machine.id && event.status === 'available',
    );
    const unlinked = nextEvent(device, 'machine:unlinked');
    await t.http.post('/api/sessions/check-out').set('Authorization', linker.auth).expect(200);
    expect(await unlinked).toMatchObject({ userId: linker.row.id });
    expect((await available).currentUserId).toBeUndefined();
  });

  it('when staff put a linked machine into maintenance and back, then the branch hears each status', async () => {
    const { branch, machine, device, socket, linker } = await occupiedFloor();
    const staff = await buildBranchStaff(t, branch.id);

    const maintenance = nextEvent<MachineStatusEvent>(
      socket,
      'machine:status',
      (event) => event.status === 'maintenance',
    );
    const unlinked = nextEvent(device, 'machine:unlinked');
    await t.http
      .patch(`/api/machines/${machine.id}`)
      .set('Authorization', staff.auth)
      .send({ status: 'maintenance' })
      .expect(200);
    expect(await maintenance).toEqual({
      machineId: machine.id,
      branchId: branch.id,
      status: 'maintenance',
      at: expect.stringMatching(isoPattern),
    });
    expect(await unlinked).toMatchObject({ userId: linker.row.id, status: 'maintenance' });

    const back = nextEvent<MachineStatusEvent>(
      socket,
      'machine:status',
      (event) => event.machineId === machine.id && event.status === 'available',
    );
    await t.http
      .patch(`/api/machines/${machine.id}`)
      .set('Authorization', staff.auth)
      .send({ status: 'available' })
      .expect(200);
    await back;
  });

  it('when an offline machine’s device connects, then the branch hears it is available again', async () => {
    const { branch, machine, deviceKey } = await floor();
    await t.container.database.db
      .update(machines)
      .set({ status: 'offline' })
      .where(eq(machines.id, machine.id));
    const { socket } = await subscriber(branch.id);
    const back = nextEvent<MachineStatusEvent>(
      socket,
      'machine:status',
      (event) => event.machineId === machine.id,
    );
    await openDevice(deviceKey);
    expect(await back).toMatchObject({ machineId: machine.id, status: 'available' });
    expect((await machineDetails(machine.id)).status).toBe('available');
  });
});

describe('devices on /machines', () => {
  it('when a device heartbeats with telemetry, then the ack has its state and the telemetry is stored', async () => {
    const { machine, deviceKey } = await floor();
    const device = await openDevice(deviceKey);
    // Connecting records a heartbeat of its own; let it land first, or it may land after the
    // one below and move lastHeartbeat past the ack's time.
    await waitUntil(async () => (await machineDetails(machine.id)).lastHeartbeat !== null);
    const ack = await emitWithAck(device, 'machine:heartbeat', {
      telemetry: { speedKmh: 8, inclinePercent: -2, heartRateBpm: 120 },
    });
    expect(ack).toEqual({
      ok: true,
      machineId: machine.id,
      status: 'available',
      currentUserId: null,
      at: expect.stringMatching(isoPattern),
    });
    const details = await machineDetails(machine.id);
    expect(details.telemetry).toEqual({ speedKmh: 8, inclinePercent: -2, heartRateBpm: 120 });
    expect(details.lastHeartbeat).toBe(ack.at);

    // A heartbeat without a payload is a plain sign of life and keeps the telemetry.
    const bare = await emitBare(device, 'machine:heartbeat');
    expect(bare).toMatchObject({ ok: true, machineId: machine.id });
    expect((await machineDetails(machine.id)).telemetry).toEqual(details.telemetry);
  });

  it('when the telemetry is invalid, then VALIDATION_ERROR and nothing is changed', async () => {
    const { machine, deviceKey } = await floor();
    const device = await openDevice(deviceKey);
    const good = await emitWithAck(device, 'machine:heartbeat', { telemetry: { speedKmh: 5 } });
    expect(good.ok).toBe(true);
    const before = await machineDetails(machine.id);

    const invalid: [unknown, string][] = [
      [{ telemetry: { speedKmh: -1 } }, 'payload.telemetry.speedKmh'],
      [{ telemetry: { speedKmh: 1e9 } }, 'payload.telemetry.speedKmh'],
      [{ telemetry: { powerW: 1e308 } }, 'payload.telemetry.powerW'],
      [{ telemetry: { heartRateBpm: 80.5 } }, 'payload.telemetry.heartRateBpm'],
      [{ telemetry: { speedKmh: '8' } }, 'payload.telemetry.speedKmh'],
      [{ telemetry: { warpFactor: 9 } }, 'payload.telemetry.warpFactor'],
      [{ telemetry: 'fast' }, 'payload.telemetry'],
      [{ telemetry: { speedKmh: 3 }, status: 'available' }, 'payload.status'],
      ['beat', 'payload'],
    ];
    for (const [payload, path] of invalid) {
      const ack = await emitWithAck(device, 'machine:heartbeat', payload);
      expect(ack, JSON.stringify(payload)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_ERROR' },
      });
      expect(ack.error?.errors?.map((error) => error.path)).toContain(path);
    }
    const after = await machineDetails(machine.id);
    expect(after.telemetry).toEqual({ speedKmh: 5 });
    expect(after.lastHeartbeat).toBe(before.lastHeartbeat);
  });

  it('when a device reports progress while a member is linked, then it is stored as theirs and sent to their devices', async () => {
    const { branch, machine, deviceKey } = await floor();
    const { machine: otherMachine } = await buildMachine(t, branch.id);
    const device = await openDevice(deviceKey);
    const linker = await buildCheckedInMember(t, branch.id);
    const phone = await openUser(linker.session.accessToken, '/workouts');
    await link(linker, machine.qrCode);

    const pushed = nextEvent(phone, 'workout:progress');
    const ack = await emitWithAck(device, 'workout:progress', {
      exerciseId: 'treadmill-run',
      exerciseName: 'Treadmill run',
      setNumber: 1,
      reps: 0,
      durationSec: 600,
      // A device speaks for itself only: another machine's id is not taken from it.
      machineId: otherMachine.id,
    });
    expect(ack.ok).toBe(true);
    const record = ack.record as Record<string, unknown>;
    expect(record).toMatchObject({
      id: expect.stringMatching(uuidPattern),
      userId: linker.row.id,
      exerciseId: 'treadmill-run',
      setNumber: 1,
      reps: 0,
      durationSec: 600,
      weightKg: null,
      machineId: machine.id,
      source: 'machine',
    });
    expect(await pushed).toEqual(record);

    const exported = await t.http
      .get('/api/users/me/export')
      .set('Authorization', linker.auth)
      .expect(200);
    // The set is today's entry of the exercise, credited to the machine.
    expect(exported.body.workoutLogs).toEqual([
      expect.objectContaining({
        id: record.logId,
        exerciseId: 'treadmill-run',
        machineId: machine.id,
        source: 'machine',
        sets: [
          expect.objectContaining({
            id: record.id,
            setNumber: 1,
            reps: 0,
            durationSec: 600,
            recordedAt: record.recordedAt,
          }),
        ],
        totals: expect.objectContaining({ completedSets: 1, durationSec: 600 }),
      }),
    ]);
  });

  it('when a device reports progress with nobody linked, then CONFLICT and nothing is stored', async () => {
    const { deviceKey } = await floor();
    const device = await openDevice(deviceKey);
    const ack = await emitWithAck(device, 'workout:progress', {
      exerciseId: 'row',
      exerciseName: 'Rowing',
      setNumber: 1,
      reps: 20,
    });
    expect(ack).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', reason: 'MACHINE_NOT_LINKED' },
    });
    const invalid = await emitWithAck(device, 'workout:progress', { exerciseId: 'row' });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
  });

  it('when a client emits `error`, which Socket.IO listens for itself, then NOT_FOUND rather than no answer', async () => {
    const { deviceKey } = await floor();
    const member = await openUser(admin.session.accessToken);
    const device = await openDevice(deviceKey);
    for (const socket of [member, device]) {
      expect(await emitWithAck(socket, 'error', {})).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND' },
      });
    }
  });

  it('when users emit device events or devices emit user events, then NOT_FOUND and nothing happens', async () => {
    const { branch, machine, deviceKey } = await floor();
    const device = await openDevice(deviceKey);
    const linker = await buildCheckedInMember(t, branch.id);
    await link(linker, machine.qrCode);
    const member = await openUser(linker.session.accessToken);
    const before = await machineDetails(machine.id);

    const asDevice = [
      await emitWithAck(member, 'machine:heartbeat', { telemetry: { speedKmh: 30 } }),
      await emitWithAck(member, 'workout:progress', {
        exerciseId: 'run',
        exerciseName: 'Run',
        setNumber: 1,
        reps: 1,
      }),
    ];
    const asUser = await emitWithAck(device, 'branch:subscribe', { branchId: branch.id });
    for (const ack of [...asDevice, asUser]) {
      expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    expect((await machineDetails(machine.id)).telemetry).toEqual(before.telemetry);
    const exported = await t.http
      .get('/api/users/me/export')
      .set('Authorization', linker.auth)
      .expect(200);
    expect(exported.body.workoutLogs).toEqual([]);
  });

  it('when the machine is deleted, then the device is disconnected, subscribers hear machine:removed and the key stops working', async () => {
    const { branch, machine, deviceKey } = await floor();
    const device = await openDevice(deviceKey);
    const { socket } = await subscriber(branch.id);
    const removed = nextEvent(socket, 'machine:removed');
    const closed = disconnection(device);
    await t.http.delete(`/api/machines/${machine.id}`).set('Authorization', admin.auth).expect(204);
    expect(await removed).toEqual({
      machineId: machine.id,
      branchId: branch.id,
      at: expect.stringMatching(isoPattern),
    });
    expect(await closed).toBe('io server disconnect');
    const refused = await refusal(open('/machines', { machineKey: deviceKey }));
    expect(refused.data?.code).toBe('UNAUTHENTICATED');
  });

  it('when the device key is replaced, then the device is cut off and only the new key connects', async () => {
    const { machine, deviceKey } = await floor();
    const device = await openDevice(deviceKey);
    const closed = disconnection(device);
    const res = await t.http
      .post(`/api/machines/${machine.id}/device-key`)
      .set('Authorization', admin.auth)
      .expect(200);
    expect(await closed).toBe('io server disconnect');
    expect((await refusal(open('/machines', { machineKey: deviceKey }))).data?.code).toBe(
      'UNAUTHENTICATED',
    );
    await openDevice(res.body.deviceKey as string);
  });
});

describe('revoked sessions', () => {
  it('when a session logs out, then its sockets on both namespaces are closed and other sessions stay', async () => {
    const member = await buildSignedInUser(t);
    // Another access token of the same login session, as a refresh hands out.
    const refreshed = await t.http
      .post('/api/auth/refresh')
      .send({ refreshToken: member.session.refreshToken })
      .expect(200);
    const otherSession = await t.container.auth.login(
      { login: member.row.username, password: member.password },
      { ip: '127.0.0.1', userAgent: 'vitest' },
    );

    const onMachines = await openUser(member.session.accessToken);
    const onWorkouts = await openUser(member.session.accessToken, '/workouts');
    const sameSession = await openUser(refreshed.body.accessToken as string, '/workouts');
    const survivor = await openUser(otherSession.accessToken);
    const closed = [onMachines, onWorkouts, sameSession].map((socket) => disconnection(socket));

    await t.http.post('/api/auth/logout').set('Authorization', member.auth).send({}).expect(204);
    expect(await Promise.all(closed)).toEqual([
      'io server disconnect',
      'io server disconnect',
      'io server disconnect',
    ]);
    expect(survivor.connected).toBe(true);
    const alive = await emitWithAck(survivor, 'branch:subscribe', { branchId: randomUUID() });
    expect(alive).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(survivor.connected).toBe(true);
  });

  it('when a member deletes their account, then their sockets close and the machine they held is released', async () => {
    const { branch, machine, deviceKey } = await floor();
    const device = await openDevice(deviceKey);
    const { socket: watcher } = await subscriber(branch.id);
    const leaver = await buildCheckedInMember(t, branch.id);
    await link(leaver, machine.qrCode);
    const own = [
      await openUser(leaver.session.accessToken),
      await openUser(leaver.session.accessToken, '/workouts'),
    ];
    const closed = own.map((socket) => disconnection(socket));
    const available = nextEvent<MachineStatusEvent>(
      watcher,
      'machine:status',
      (event) => event.machineId === machine.id && event.status === 'available',
    );
    const unlinked = nextEvent(device, 'machine:unlinked');

    await t.http
      .delete('/api/users/me')
      .set('Authorization', leaver.auth)
      .send({ password: leaver.password })
      .expect(204);
    expect(await Promise.all(closed)).toEqual(['io server disconnect', 'io server disconnect']);
    expect(await available).not.toHaveProperty('currentUserId');
    expect(await unlinked).toMatchObject({ userId: leaver.row.id });
  });
});

describe('event rate limit', () => {
  let limited: TestApp;
  let limitedUrl: string;
  beforeAll(async () => {
    limited = await createTestApp({ SOCKET_EVENTS_PER_SECOND: '5' });
    limitedUrl = await limited.listen();
  });
  afterAll(async () => {
    await limited.close();
  });

  it('when a device sends a burst of heartbeats, then those over the limit get RATE_LIMITED', async () => {
    const branch = await buildBranch(limited);
    const { deviceKey } = await buildMachine(limited, branch.id);
    const device = connectSocket(limitedUrl, '/machines', { machineKey: deviceKey });
    sockets.push(device);
    await connected(device);

    const burstStarted = performance.now();
    const acks = await Promise.all(
      Array.from({ length: 30 }, () =>
        emitWithAck(device, 'machine:heartbeat', { telemetry: { speedKmh: 6 } }),
      ),
    );
    // A bucket of twice the per-second rate: 10 at once, plus what refills (5 a second) while
    // the burst lasts; a slow machine stretches the burst, so the allowance follows its length.
    const refilled = Math.ceil(((performance.now() - burstStarted) / 1000) * 5);
    const accepted = acks.filter((ack) => ack.ok);
    const refused = acks.filter((ack) => !ack.ok);
    expect(accepted.length).toBeGreaterThanOrEqual(10);
    expect(accepted.length).toBeLessThanOrEqual(10 + refilled);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBe(30 - accepted.length);
    for (const ack of refused) {
      expect(ack.error).toEqual({
        code: 'RATE_LIMITED',
        message: 'At most 5 events per second.',
      });
    }
    // The socket stays usable: once tokens refill, events go through again.
    await vi.waitFor(
      async () => expect((await emitWithAck(device, 'machine:heartbeat', {})).ok).toBe(true),
      { timeout: 20_000, interval: 250 },
    );
    expect(device.connected).toBe(true);
  });
});
