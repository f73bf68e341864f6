import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBranch,
  buildBranchStaff,
  buildCheckedInMember,
  buildMachine,
  buildSignedInUser,
} from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { branchMembers, machines } from './gym-floor.table.js';

let t: TestApp;
let admin: Awaited<ReturnType<typeof buildSignedInUser>>;
beforeAll(async () => {
  t = await createTestApp();
  admin = await buildSignedInUser(t, { role: 'admin' });
});
afterAll(async () => {
  await t.close();
});

async function machineRow(id: string) {
  const [row] = await t.container.database.db.select().from(machines).where(eq(machines.id, id));
  return row;
}

describe('POST /api/machines', () => {
  it('when staff of the branch add a machine, then the device key is shown once and only its hash is kept', async () => {
    const branch = await buildBranch(t);
    const staff = await buildBranchStaff(t, branch.id);
    const res = await t.http
      .post('/api/machines')
      .set('Authorization', staff.auth)
      .send({ branchId: branch.id, name: 'Treadmill 1', type: 'cardio', location: 'Row A' })
      .expect(201);
    const { machine, deviceKey } = res.body as {
      machine: { id: string; qrCode: string; status: string };
      deviceKey: string;
    };
    expect(machine).toMatchObject({
      name: 'Treadmill 1',
      status: 'available',
      currentUserId: null,
    });
    expect(deviceKey).toMatch(/^nxgdk_[A-Za-z0-9_-]{43}$/);
    expect(machine.qrCode).toMatch(/^NXG-/);
    const row = await machineRow(machine.id);
    expect(row?.deviceKeyHash).not.toContain(deviceKey);
    expect(JSON.stringify(row)).not.toContain(deviceKey);

    const details = await t.http
      .get(`/api/machines/${machine.id}`)
      .set('Authorization', staff.auth)
      .expect(200);
    expect(JSON.stringify(details.body)).not.toContain(deviceKey);
    expect(details.body).not.toHaveProperty('deviceKeyHash');
  });

  it('when staff of another branch or a member add a machine, then 403 and nothing is stored', async () => {
    const [branch, other] = [await buildBranch(t), await buildBranch(t)];
    const foreignStaff = await buildBranchStaff(t, other.id);
    const member = await buildSignedInUser(t);
    for (const auth of [foreignStaff.auth, member.auth]) {
      const res = await t.http
        .post('/api/machines')
        .set('Authorization', auth)
        .send({ branchId: branch.id, name: 'Rower', type: 'cardio', location: '' });
      expect(res.status).toBe(403);
    }
    const list = await t.http
      .get(`/api/branches/${branch.id}/machines`)
      .set('Authorization', admin.auth)
      .expect(200);
    expect(list.body.items).toEqual([]);
  });

  it('when the body is invalid, then 400 names the fields', async () => {
    const res = await t.http
      .post('/api/machines')
      .set('Authorization', admin.auth)
      .send({ branchId: 'x', name: '', type: 'rowing', location: 7, qrCode: 'mine' });
    expect(res.status).toBe(400);
    const paths = (res.body.errors as { path: string }[]).map((error) => error.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'body.branchId',
        'body.name',
        'body.type',
        'body.location',
        'body.qrCode',
      ]),
    );
  });

  it('when the branch does not exist, then 404', async () => {
    const res = await t.http
      .post('/api/machines')
      .set('Authorization', admin.auth)
      .send({ branchId: '00000000-0000-4000-8000-00000000000f', name: 'X', type: 'cardio' });
    expect(res.status).toBe(404);
  });
});

describe('machine lists, details and upkeep', () => {
  it('when a branch’s machines are listed with filters, then only matching machines come, by name', async () => {
    const branch = await buildBranch(t);
    await buildMachine(t, branch.id, { name: 'b bike', type: 'cardio' });
    await buildMachine(t, branch.id, { name: 'a rack', type: 'strength' });
    const { machine: c } = await buildMachine(t, branch.id, { name: 'c sled', type: 'functional' });
    await t.container.gymFloor.machines.update({ userId: admin.row.id, role: 'admin' }, c.id, {
      status: 'maintenance',
    });
    const member = await buildSignedInUser(t);
    const names = async (query: string) => {
      const res = await t.http
        .get(`/api/branches/${branch.id}/machines${query}`)
        .set('Authorization', member.auth)
        .expect(200);
      return (res.body.items as { name: string }[]).map((m) => m.name);
    };
    expect(await names('')).toEqual(['a rack', 'b bike', 'c sled']);
    expect(await names('?type=strength')).toEqual(['a rack']);
    expect(await names('?status=maintenance')).toEqual(['c sled']);
    expect(await names('?status=available&type=cardio')).toEqual(['b bike']);
    const bad = await t.http
      .get(`/api/branches/${branch.id}/machines?status=broken`)
      .set('Authorization', member.auth);
    expect(bad.status).toBe(400);
  });

  it('when staff put a machine into maintenance and log work, then status and log follow; back to available works only from maintenance', async () => {
    const branch = await buildBranch(t);
    const staff = await buildBranchStaff(t, branch.id);
    const { machine } = await buildMachine(t, branch.id);
    const maintenance = await t.http
      .patch(`/api/machines/${machine.id}`)
      .set('Authorization', staff.auth)
      .send({ status: 'maintenance', location: 'Back room' })
      .expect(200);
    expect(maintenance.body).toMatchObject({ status: 'maintenance', location: 'Back room' });

    await t.http
      .post(`/api/machines/${machine.id}/maintenance`)
      .set('Authorization', staff.auth)
      .send({ type: 'repair', notes: 'Replaced belt 🛠️' })
      .expect(201);
    await t.http
      .post(`/api/machines/${machine.id}/maintenance`)
      .set('Authorization', staff.auth)
      .send({ type: 'inspection' })
      .expect(201);
    const details = await t.http
      .get(`/api/machines/${machine.id}`)
      .set('Authorization', staff.auth)
      .expect(200);
    expect(details.body.maintenanceLog).toEqual([
      expect.objectContaining({ type: 'inspection', notes: '', performedBy: staff.row.id }),
      expect.objectContaining({ type: 'repair', notes: 'Replaced belt 🛠️' }),
    ]);
    const page = await t.http
      .get(`/api/machines/${machine.id}/maintenance?limit=1`)
      .set('Authorization', staff.auth)
      .expect(200);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.nextCursor).toEqual(expect.any(String));

    await t.http
      .patch(`/api/machines/${machine.id}`)
      .set('Authorization', staff.auth)
      .send({ status: 'available' })
      .expect(200);
    // Available → available is a no-op, but an offline machine cannot be declared available.
    await t.container.database.db
      .update(machines)
      .set({ status: 'offline' })
      .where(eq(machines.id, machine.id));
    const refused = await t.http
      .patch(`/api/machines/${machine.id}`)
      .set('Authorization', staff.auth)
      .send({ status: 'available' });
    expect(refused.status).toBe(409);
  });

  it('when a rename comes with a status change that is refused, then neither is applied', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id, { name: 'Old name' });
    await t.container.database.db
      .update(machines)
      .set({ status: 'offline' })
      .where(eq(machines.id, machine.id));
    const res = await t.http
      .patch(`/api/machines/${machine.id}`)
      .set('Authorization', admin.auth)
      .send({ name: 'New name', status: 'available' });
    expect(res.status).toBe(409);
    expect(await machineRow(machine.id)).toMatchObject({ name: 'Old name', status: 'offline' });
  });

  it('when staff of another branch try upkeep, then 403 and nothing changes', async () => {
    const [branch, other] = [await buildBranch(t), await buildBranch(t)];
    const foreignStaff = await buildBranchStaff(t, other.id);
    const { machine } = await buildMachine(t, branch.id);
    const patch = await t.http
      .patch(`/api/machines/${machine.id}`)
      .set('Authorization', foreignStaff.auth)
      .send({ status: 'maintenance' });
    expect(patch.status).toBe(403);
    const log = await t.http
      .post(`/api/machines/${machine.id}/maintenance`)
      .set('Authorization', foreignStaff.auth)
      .send({ type: 'repair', notes: 'x' });
    expect(log.status).toBe(403);
    const remove = await t.http
      .delete(`/api/machines/${machine.id}`)
      .set('Authorization', foreignStaff.auth);
    expect(remove.status).toBe(403);
    expect((await machineRow(machine.id))?.status).toBe('available');
  });

  it('when a member lists or reads machines, then QR codes are hidden so linking needs the machine in front of them', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id);
    const staff = await buildBranchStaff(t, branch.id);
    const member = await buildCheckedInMember(t, branch.id);
    const listed = await t.http
      .get(`/api/branches/${branch.id}/machines`)
      .set('Authorization', member.auth)
      .expect(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: machine.id, qrCode: null })]);
    const read = await t.http
      .get(`/api/machines/${machine.id}`)
      .set('Authorization', member.auth)
      .expect(200);
    expect(read.body.qrCode).toBeNull();
    const byStaff = await t.http
      .get(`/api/machines/${machine.id}`)
      .set('Authorization', staff.auth)
      .expect(200);
    expect(byStaff.body.qrCode).toBe(machine.qrCode);
    // Once the member has scanned it, it is theirs to see.
    const linked = await t.http
      .post('/api/machines/link')
      .set('Authorization', member.auth)
      .send({ qrCode: machine.qrCode })
      .expect(200);
    expect(linked.body.qrCode).toBe(machine.qrCode);
  });

  it('when someone other than staff or the holder lists or reads an occupied machine, then who holds it is hidden', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id);
    const holder = await buildCheckedInMember(t, branch.id);
    await t.container.gymFloor.machines.link(holder.row.id, machine.qrCode);
    const [member, stranger, staff, foreignStaff] = [
      await buildCheckedInMember(t, branch.id),
      await buildSignedInUser(t),
      await buildBranchStaff(t, branch.id),
      await buildBranchStaff(t, (await buildBranch(t)).id),
    ];
    const holderSeenBy = async (viewer: { auth: string }) => {
      const listed = await t.http
        .get(`/api/branches/${branch.id}/machines`)
        .set('Authorization', viewer.auth)
        .expect(200);
      const read = await t.http
        .get(`/api/machines/${machine.id}`)
        .set('Authorization', viewer.auth)
        .expect(200);
      expect(listed.body.items[0].status).toBe('occupied');
      expect(read.body.status).toBe('occupied');
      expect(listed.body.items[0].currentUserId).toBe(read.body.currentUserId);
      return read.body.currentUserId as string | null;
    };
    for (const viewer of [member, stranger, foreignStaff]) {
      expect(await holderSeenBy(viewer)).toBeNull();
    }
    for (const viewer of [holder, staff, admin]) {
      expect(await holderSeenBy(viewer)).toBe(holder.row.id);
    }
  });

  it('when anyone but the branch’s staff or an admin reads a machine, then its maintenance log is left out', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id);
    const staff = await buildBranchStaff(t, branch.id);
    await t.http
      .post(`/api/machines/${machine.id}/maintenance`)
      .set('Authorization', staff.auth)
      .send({ type: 'repair', notes: 'Belt frayed; member complained' })
      .expect(201);
    const holder = await buildCheckedInMember(t, branch.id);
    await t.container.gymFloor.machines.link(holder.row.id, machine.qrCode);
    const outsiders = [
      holder,
      await buildCheckedInMember(t, branch.id),
      await buildBranchStaff(t, (await buildBranch(t)).id),
    ];
    for (const viewer of outsiders) {
      const read = await t.http
        .get(`/api/machines/${machine.id}`)
        .set('Authorization', viewer.auth)
        .expect(200);
      expect(read.body).not.toHaveProperty('maintenanceLog');
    }
    for (const viewer of [staff, admin]) {
      const read = await t.http
        .get(`/api/machines/${machine.id}`)
        .set('Authorization', viewer.auth)
        .expect(200);
      expect(read.body.maintenanceLog).toEqual([
        expect.objectContaining({ type: 'repair', performedBy: staff.row.id }),
      ]);
    }
  });

  it('when a member reads a machine someone else is using, then its telemetry is hidden', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id);
    const user = await buildCheckedInMember(t, branch.id);
    await t.container.gymFloor.machines.link(user.row.id, machine.qrCode);
    await t.container.gymFloor.machines.heartbeat(machine.id, { speedKmh: 9.5, heartRateBpm: 150 });
    const other = await buildSignedInUser(t);
    const seen = await t.http
      .get(`/api/machines/${machine.id}`)
      .set('Authorization', other.auth)
      .expect(200);
    expect(seen.body.telemetry).toBeNull();
    const own = await t.http
      .get(`/api/machines/${machine.id}`)
      .set('Authorization', user.auth)
      .expect(200);
    expect(own.body.telemetry).toEqual({ speedKmh: 9.5, heartRateBpm: 150 });
  });

  it('when a device key is replaced, then the old one stops working and the new one works', async () => {
    const branch = await buildBranch(t);
    const { machine, deviceKey } = await buildMachine(t, branch.id);
    const replaced = await t.http
      .post(`/api/machines/${machine.id}/device-key`)
      .set('Authorization', admin.auth)
      .expect(200);
    const fresh = replaced.body.deviceKey as string;
    expect(fresh).not.toBe(deviceKey);
    await t.http
      .post(`/api/machines/${machine.id}/heartbeat`)
      .set('X-Machine-Key', deviceKey)
      .send({})
      .expect(401);
    await t.http
      .post(`/api/machines/${machine.id}/heartbeat`)
      .set('X-Machine-Key', fresh)
      .send({})
      .expect(200);
  });
});

describe('POST /api/machines/:id/heartbeat', () => {
  it('when an offline machine sends two heartbeats at once, then both answers say available', async () => {
    const branch = await buildBranch(t);
    const { machine, deviceKey } = await buildMachine(t, branch.id);
    const answers = new Set<string>();
    for (let round = 0; round < 20; round++) {
      await t.container.database.db
        .update(machines)
        .set({ status: 'offline' })
        .where(eq(machines.id, machine.id));
      const responses = await Promise.all(
        [1, 2].map(() =>
          t.http
            .post(`/api/machines/${machine.id}/heartbeat`)
            .set('X-Machine-Key', deviceKey)
            .send({})
            .expect(200),
        ),
      );
      for (const res of responses) answers.add(res.body.status as string);
    }
    expect([...answers]).toEqual(['available']);
  });

  it('when a machine heartbeats with its key, then the time and telemetry are stored and an offline machine comes back', async () => {
    const branch = await buildBranch(t);
    const { machine, deviceKey } = await buildMachine(t, branch.id);
    await t.container.database.db
      .update(machines)
      .set({ status: 'offline' })
      .where(eq(machines.id, machine.id));
    const res = await t.http
      .post(`/api/machines/${machine.id}/heartbeat`)
      .set('X-Machine-Key', deviceKey)
      .send({ telemetry: { speedKmh: 0, inclinePercent: 2, elapsedSec: 30 } })
      .expect(200);
    expect(res.body).toMatchObject({ machineId: machine.id, status: 'available' });
    const row = await machineRow(machine.id);
    expect(row?.lastHeartbeat).toBeInstanceOf(Date);
    expect(row?.telemetry).toEqual({ speedKmh: 0, inclinePercent: 2, elapsedSec: 30 });
  });

  it('when the key is missing, wrong or another machine’s, then 401 and nothing is recorded', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id);
    const { deviceKey: otherKey } = await buildMachine(t, branch.id);
    for (const key of [undefined, 'nxgdk_wrong', otherKey, 'x'.repeat(5000)]) {
      const req = t.http.post(`/api/machines/${machine.id}/heartbeat`).send({});
      const res = await (key === undefined ? req : req.set('X-Machine-Key', key));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    }
    expect((await machineRow(machine.id))?.lastHeartbeat).toBeNull();
  });

  it('when telemetry is out of range or unknown, then 400 and the stored telemetry is unchanged', async () => {
    const branch = await buildBranch(t);
    const { machine, deviceKey } = await buildMachine(t, branch.id);
    for (const telemetry of [
      { speedKmh: -1 },
      { heartRateBpm: 1e9 },
      { cadenceRpm: 'fast' },
      { speedKmh: 5, oil: 'low' },
    ]) {
      const res = await t.http
        .post(`/api/machines/${machine.id}/heartbeat`)
        .set('X-Machine-Key', deviceKey)
        .send({ telemetry });
      expect(res.status, JSON.stringify(telemetry)).toBe(400);
    }
    expect((await machineRow(machine.id))?.telemetry).toBeNull();
  });

  it('when machines of one gym heartbeat often from one address, then the general anonymous limit does not apply', async () => {
    const limited = await createTestApp({
      RATE_LIMIT_ANONYMOUS_MAX: '3',
      RATE_LIMIT_MACHINE_MAX: '8',
    });
    try {
      const branch = await buildBranch(limited);
      const { machine, deviceKey } = await buildMachine(limited, branch.id);
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await limited.http
          .post(`/api/machines/${machine.id}/heartbeat`)
          .set('X-Machine-Key', deviceKey)
          .send({});
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 8)).toEqual(Array(8).fill(200));
      expect(statuses.slice(8)).toEqual([429, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('POST /api/machines/link', () => {
  it('when a checked-in member scans an available machine, then it is theirs and the session lists it', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id);
    const member = await buildCheckedInMember(t, branch.id);
    const res = await t.http
      .post('/api/machines/link')
      .set('Authorization', member.auth)
      .send({ qrCode: machine.qrCode })
      .expect(200);
    expect(res.body).toMatchObject({
      id: machine.id,
      status: 'occupied',
      currentUserId: member.row.id,
    });
    const session = await t.http
      .get('/api/sessions/active')
      .set('Authorization', member.auth)
      .expect(200);
    expect(session.body.machinesUsed).toEqual([machine.id]);
    // Scanning the machine one already holds changes nothing.
    await t.http
      .post('/api/machines/link')
      .set('Authorization', member.auth)
      .send({ qrCode: machine.qrCode })
      .expect(200);
  });

  it('when 20 members race for one machine, then exactly one gets 200, the rest 409, and the row is consistent', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id);
    const members = await Promise.all(
      Array.from({ length: 20 }, () => buildCheckedInMember(t, branch.id)),
    );
    const responses = await Promise.all(
      members.map((member) =>
        t.http
          .post('/api/machines/link')
          .set('Authorization', member.auth)
          .send({ qrCode: machine.qrCode }),
      ),
    );
    const statuses = responses.map((res) => res.status).sort();
    expect(statuses).toEqual([200, ...Array(19).fill(409)]);
    const winner = members[responses.findIndex((res) => res.status === 200)];
    const row = await machineRow(machine.id);
    expect(row).toMatchObject({ status: 'occupied', currentUserId: winner?.row.id });
    for (const res of responses.filter((r) => r.status === 409)) {
      expect(res.body.detail).toBe('The machine is in use by another member.');
    }
  });

  it('when a member links a second machine, then the first is released: one machine per member', async () => {
    const branch = await buildBranch(t);
    const [{ machine: first }, { machine: second }] = [
      await buildMachine(t, branch.id),
      await buildMachine(t, branch.id),
    ];
    const member = await buildCheckedInMember(t, branch.id);
    for (const machine of [first, second]) {
      await t.http
        .post('/api/machines/link')
        .set('Authorization', member.auth)
        .send({ qrCode: machine.qrCode })
        .expect(200);
    }
    expect(await machineRow(first.id)).toMatchObject({ status: 'available', currentUserId: null });
    expect(await machineRow(second.id)).toMatchObject({
      status: 'occupied',
      currentUserId: member.row.id,
    });
    const session = await t.http
      .get('/api/sessions/active')
      .set('Authorization', member.auth)
      .expect(200);
    expect(session.body.machinesUsed).toEqual([first.id, second.id]);
  });

  it('when one member races to link several machines at once, then they end up holding exactly one', async () => {
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
    const held = await t.container.database.db
      .select()
      .from(machines)
      .where(eq(machines.currentUserId, member.row.id));
    expect(held).toHaveLength(1);
    expect(held[0]?.status).toBe('occupied');
  });

  it('when the member is not checked in, or checked in elsewhere, then 409', async () => {
    const [branch, other] = [await buildBranch(t), await buildBranch(t)];
    const { machine } = await buildMachine(t, branch.id);
    const notCheckedIn = await buildSignedInUser(t);
    const elsewhere = await buildCheckedInMember(t, other.id);
    for (const member of [notCheckedIn, elsewhere]) {
      const res = await t.http
        .post('/api/machines/link')
        .set('Authorization', member.auth)
        .send({ qrCode: machine.qrCode });
      expect(res.status).toBe(409);
      expect(res.body.detail).toMatch(/check in/i);
    }
    expect((await machineRow(machine.id))?.status).toBe('available');
  });

  it('when the member’s session is at a branch they no longer belong to, then 409 and the machine stays free', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id);
    const member = await buildCheckedInMember(t, branch.id);
    // What a check-in racing the member's leave can leave behind: a session, no membership.
    await t.container.database.db
      .delete(branchMembers)
      .where(and(eq(branchMembers.userId, member.row.id), eq(branchMembers.branchId, branch.id)));
    const res = await t.http
      .post('/api/machines/link')
      .set('Authorization', member.auth)
      .send({ qrCode: machine.qrCode });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/no longer belong/);
    expect(await machineRow(machine.id)).toMatchObject({
      status: 'available',
      currentUserId: null,
    });
  });

  it('when the machine is in maintenance or offline, then 409 says so', async () => {
    const branch = await buildBranch(t);
    const member = await buildCheckedInMember(t, branch.id);
    for (const status of ['maintenance', 'offline'] as const) {
      const { machine } = await buildMachine(t, branch.id);
      await t.container.database.db
        .update(machines)
        .set({ status })
        .where(eq(machines.id, machine.id));
      const res = await t.http
        .post('/api/machines/link')
        .set('Authorization', member.auth)
        .send({ qrCode: machine.qrCode });
      expect(res.status).toBe(409);
      expect(res.body.detail).toMatch(status === 'offline' ? /offline/ : /maintenance/);
    }
  });

  it('when the QR code is unknown or malformed, then 404 or 400', async () => {
    const member = await buildSignedInUser(t);
    const unknown = await t.http
      .post('/api/machines/link')
      .set('Authorization', member.auth)
      .send({ qrCode: 'NXG-nope' });
    expect(unknown.status).toBe(404);
    for (const body of [{}, { qrCode: '' }, { qrCode: 5 }, { qrCode: 'a\u0000b' }]) {
      const res = await t.http
        .post('/api/machines/link')
        .set('Authorization', member.auth)
        .send(body);
      expect(res.status).toBe(400);
    }
  });

  it('when a link is retried with the same Idempotency-Key, then the first answer is replayed', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id);
    const member = await buildCheckedInMember(t, branch.id);
    const send = () =>
      t.http
        .post('/api/machines/link')
        .set('Authorization', member.auth)
        .set('Idempotency-Key', `link-${machine.id}`)
        .send({ qrCode: machine.qrCode });
    const first = await send().expect(200);
    const again = await send().expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
  });
});

describe('POST /api/machines/:id/unlink', () => {
  it('when the linked member releases it, then it is available; someone else gets 403', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id);
    const member = await buildCheckedInMember(t, branch.id);
    await t.container.gymFloor.machines.link(member.row.id, machine.qrCode);
    const stranger = await buildSignedInUser(t);
    const refused = await t.http
      .post(`/api/machines/${machine.id}/unlink`)
      .set('Authorization', stranger.auth);
    expect(refused.status).toBe(403);
    const res = await t.http
      .post(`/api/machines/${machine.id}/unlink`)
      .set('Authorization', member.auth)
      .expect(200);
    expect(res.body).toMatchObject({ status: 'available', currentUserId: null, telemetry: null });
    const again = await t.http
      .post(`/api/machines/${machine.id}/unlink`)
      .set('Authorization', member.auth);
    expect(again.status).toBe(409);
  });

  it('when staff of the branch release a member’s machine, then it is available', async () => {
    const branch = await buildBranch(t);
    const staff = await buildBranchStaff(t, branch.id);
    const { machine } = await buildMachine(t, branch.id);
    const member = await buildCheckedInMember(t, branch.id);
    await t.container.gymFloor.machines.link(member.row.id, machine.qrCode);
    await t.http
      .post(`/api/machines/${machine.id}/unlink`)
      .set('Authorization', staff.auth)
      .expect(200);
    expect(await machineRow(machine.id)).toMatchObject({
      status: 'available',
      currentUserId: null,
    });
  });

  it('when staff put an occupied machine into maintenance, then the member is released', async () => {
    const branch = await buildBranch(t);
    const staff = await buildBranchStaff(t, branch.id);
    const { machine } = await buildMachine(t, branch.id);
    const member = await buildCheckedInMember(t, branch.id);
    await t.container.gymFloor.machines.link(member.row.id, machine.qrCode);
    await t.http
      .patch(`/api/machines/${machine.id}`)
      .set('Authorization', staff.auth)
      .send({ status: 'maintenance' })
      .expect(200);
    expect(await machineRow(machine.id)).toMatchObject({
      status: 'maintenance',
      currentUserId: null,
    });
  });
});

describe('account deletion', () => {
  it('when a member holding a machine deletes their account, then the machine is released, not left occupied', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id);
    const member = await buildCheckedInMember(t, branch.id);
    await t.container.gymFloor.machines.link(member.row.id, machine.qrCode);
    await t.http
      .delete('/api/users/me')
      .set('Authorization', member.auth)
      .send({ password: member.password })
      .expect(204);
    expect(await machineRow(machine.id)).toMatchObject({
      status: 'available',
      currentUserId: null,
    });
  });
});
