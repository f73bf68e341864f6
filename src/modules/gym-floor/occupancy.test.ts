import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBranch,
  buildBranchMember,
  buildBranchStaff,
  buildCheckedInMember,
  buildMachine,
  buildSignedInUser,
  linkMachine,
} from '../../test-support/factories.js';
import { sleep } from '../../test-support/job-test-support.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { machineLinks, machines, type MachineType } from './gym-floor.table.js';
import { occupancyRepository } from './occupancy.repository.js';

let t: TestApp;
let admin: Awaited<ReturnType<typeof buildSignedInUser>>;
beforeAll(async () => {
  t = await createTestApp();
  admin = await buildSignedInUser(t, { role: 'admin' });
});
afterAll(async () => {
  await t.close();
});

const db = () => t.container.database.db;
const HOUR = 3_600_000;

/** A machine that has stood in the branch since `since`, so the history below can use it. */
async function machineSince(branchId: string, type: MachineType, since: string, name?: string) {
  const { machine } = await buildMachine(t, branchId, { type, name });
  await db()
    .update(machines)
    .set({ createdAt: new Date(since) })
    .where(eq(machines.id, machine.id));
  return machine;
}

/** Past links written straight into the history, as years of use would have left them. */
async function pastLinks(
  rows: {
    machineId: string | null;
    branchId: string;
    type: MachineType;
    from: string;
    to: string;
  }[],
) {
  await db()
    .insert(machineLinks)
    .values(
      rows.map((row) => ({
        machineId: row.machineId,
        branchId: row.branchId,
        machineType: row.type,
        startedAt: new Date(row.from),
        endedAt: new Date(row.to),
        endReason: 'unlinked' as const,
      })),
    );
}

interface MachineTime {
  occupancy: number | null;
  occupiedMinutes: number;
  capacityMinutes: number;
}
interface Occupancy {
  from: string;
  to: string;
  rangeStart: string;
  rangeEnd: string;
  overall: MachineTime;
  byType: Record<MachineType, MachineTime>;
  hours: (MachineTime & { hour: number; byType: Record<MachineType, MachineTime> })[];
  busiestHours: { hour: number; occupancy: number }[];
  machines: {
    machineId: string;
    name: string;
    type: string;
    minutesInUse: number;
    links: number;
  }[];
  removedMachines: { minutesInUse: number; links: number };
}

async function occupancyOf(branchId: string, query: string, auth = admin.auth) {
  const res = await t.http
    .get(`/api/analytics/branches/${branchId}/occupancy${query}`)
    .set('Authorization', auth)
    .expect(200);
  return res.body as Occupancy;
}

const time = (occupiedMinutes: number, capacityMinutes: number): MachineTime => ({
  occupancy:
    capacityMinutes > 0 ? Math.round((occupiedMinutes / capacityMinutes) * 10_000) / 10_000 : null,
  occupiedMinutes,
  capacityMinutes,
});

describe('GET /api/analytics/branches/:id/occupancy', () => {
  it('when the history crosses hour boundaries and the spring DST change, then every hour, type and machine is exact', async () => {
    // Europe/London springs forward at 2026-03-29 01:00 UTC: local 01:00 never happens that day.
    const branch = await buildBranch(t, { timezone: 'Europe/London' });
    const other = await buildBranch(t, { timezone: 'Europe/London' });
    const c1 = await machineSince(branch.id, 'cardio', '2026-01-01T00:00:00Z', 'c1 treadmill');
    const s1 = await machineSince(branch.id, 'strength', '2026-01-01T00:00:00Z', 's1 rack');
    // Arrives mid-range, 10:30 local on the 29th: capacity only from then.
    const c2 = await machineSince(branch.id, 'cardio', '2026-03-29T09:30:00Z', 'c2 bike');
    const elsewhere = await machineSince(other.id, 'cardio', '2026-01-01T00:00:00Z');
    const at = (machine: { id: string; type: MachineType }, from: string, to: string) => ({
      machineId: machine.id,
      branchId: branch.id,
      type: machine.type,
      from,
      to,
    });
    await pastLinks([
      // Before the range: left out.
      at(c1, '2026-03-27T22:00:00Z', '2026-03-27T23:30:00Z'),
      // Across the range's start: 20 minutes in hour 0 of the 28th.
      at(c1, '2026-03-27T23:40:00Z', '2026-03-28T00:20:00Z'),
      // 23:30 GMT on the 28th to 02:30 BST on the 29th: 30 min in hour 23, 60 in hour 0,
      // and 30 in hour 2 (hour 1 is skipped by the clocks).
      at(c1, '2026-03-28T23:30:00Z', '2026-03-29T01:30:00Z'),
      // 11:15–12:45 BST: 45 minutes in hours 11 and 12.
      at(s1, '2026-03-29T10:15:00Z', '2026-03-29T11:45:00Z'),
      // 10:30–11:00 BST, on the machine that arrived at 10:30.
      at(c2, '2026-03-29T09:30:00Z', '2026-03-29T10:00:00Z'),
      // 23:30 BST on the 29th to 01:30 on the 30th: cut at the range's end, 30 min in hour 23.
      at(s1, '2026-03-29T22:30:00Z', '2026-03-30T00:30:00Z'),
      // A machine removed since: its use is reported apart, not in the fractions.
      { ...at(c1, '2026-03-28T12:00:00Z', '2026-03-28T12:30:00Z'), machineId: null },
      // Another branch's machine: never counted here.
      { ...at(elsewhere, '2026-03-28T12:00:00Z', '2026-03-28T13:00:00Z'), branchId: other.id },
    ]);

    const body = await occupancyOf(branch.id, '?from=2026-03-28&to=2026-03-29');
    expect(body).toMatchObject({
      from: '2026-03-28',
      to: '2026-03-29',
      rangeStart: '2026-03-28T00:00:00.000Z',
      // The midnight after the 29th, in BST.
      rangeEnd: '2026-03-29T23:00:00.000Z',
    });
    expect(body.hours).toHaveLength(24);
    // Hour 1 happened once in the range (the 28th), every other hour twice; c2 adds 30
    // minutes to hour 10 and an hour to each of 11–23 on the 29th.
    const cardioCapacity = (hour: number) =>
      hour === 1 ? 60 : 120 + (hour === 10 ? 30 : hour > 10 ? 60 : 0);
    const strengthCapacity = (hour: number) => (hour === 1 ? 60 : 120);
    const cardioUse: Record<number, number> = { 0: 80, 2: 30, 10: 30, 23: 30 };
    const strengthUse: Record<number, number> = { 11: 45, 12: 45, 23: 30 };
    for (const entry of body.hours) {
      const h = entry.hour;
      const cardio = time(cardioUse[h] ?? 0, cardioCapacity(h));
      const strength = time(strengthUse[h] ?? 0, strengthCapacity(h));
      expect(entry, `hour ${String(h)}`).toEqual({
        hour: h,
        ...time(
          cardio.occupiedMinutes + strength.occupiedMinutes,
          cardio.capacityMinutes + strength.capacityMinutes,
        ),
        byType: { cardio, strength, functional: time(0, 0) },
      });
    }
    expect(body.hours.find((entry) => entry.hour === 0)?.byType.cardio.occupancy).toBe(0.6667);
    expect(body.hours.find((entry) => entry.hour === 10)?.byType.cardio.occupancy).toBe(0.2);
    // 47 hours: c1 and s1 throughout, c2 for 13.5 of them.
    expect(body.byType).toEqual({
      cardio: time(170, 47 * 60 + 810),
      strength: time(120, 47 * 60),
      functional: time(0, 0),
    });
    expect(body.overall).toEqual(time(290, 47 * 60 * 2 + 810));
    expect(body.overall.occupancy).toBe(0.045);
    expect(body.busiestHours).toEqual([
      { hour: 0, occupancy: 0.3333 },
      { hour: 23, occupancy: 0.2 },
      // 11 and 12 tie at 45 / 300: the earlier hour first.
      { hour: 11, occupancy: 0.15 },
    ]);
    expect(body.machines).toEqual([
      { machineId: c1.id, name: 'c1 treadmill', type: 'cardio', minutesInUse: 140, links: 2 },
      { machineId: s1.id, name: 's1 rack', type: 'strength', minutesInUse: 120, links: 2 },
      { machineId: c2.id, name: 'c2 bike', type: 'cardio', minutesInUse: 30, links: 1 },
    ]);
    expect(body.removedMachines).toEqual({ minutesInUse: 30, links: 1 });
  });

  it('when the clocks fall back, then the repeated local hour counts twice', async () => {
    // Europe/London falls back at 2026-10-25 01:00 UTC: local 01:00–02:00 happens twice.
    const branch = await buildBranch(t, { timezone: 'Europe/London' });
    const rig = await machineSince(branch.id, 'functional', '2026-01-01T00:00:00Z');
    await pastLinks([
      // 01:30 BST to 01:30 GMT: both halves in hour 1.
      {
        machineId: rig.id,
        branchId: branch.id,
        type: 'functional',
        from: '2026-10-25T00:30:00Z',
        to: '2026-10-25T01:30:00Z',
      },
    ]);
    const body = await occupancyOf(branch.id, '?from=2026-10-25&to=2026-10-25');
    expect(body.rangeEnd).toBe('2026-10-26T00:00:00.000Z');
    expect(body.hours[1]).toMatchObject(time(60, 120));
    expect(body.hours[2]).toMatchObject(time(0, 60));
    expect(body.overall).toEqual(time(60, 25 * 60));
  });

  it('when a link is still open and no range is given, then the last 7 days up to now count it to now', async () => {
    const branch = await buildBranch(t, { timezone: 'UTC' });
    const { machine } = await buildMachine(t, branch.id, { type: 'cardio' });
    await db()
      .update(machines)
      .set({ createdAt: new Date(Date.now() - 30 * 24 * HOUR) })
      .where(eq(machines.id, machine.id));
    const member = await buildCheckedInMember(t, branch.id);
    await linkMachine(t, member, machine.qrCode);
    // The link began 90 minutes ago.
    await db()
      .update(machineLinks)
      .set({ startedAt: new Date(Date.now() - 1.5 * HOUR) })
      .where(eq(machineLinks.machineId, machine.id));
    const before = Date.now();
    const body = await occupancyOf(branch.id, '');
    const today = new Date().toISOString().slice(0, 10);
    expect(body.to).toBe(today);
    expect(body.from).toBe(new Date(Date.parse(today) - 6 * 24 * HOUR).toISOString().slice(0, 10));
    expect(Date.parse(body.rangeEnd)).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(body.rangeEnd)).toBeLessThanOrEqual(Date.now());
    const [use] = body.machines;
    expect(use?.links).toBe(1);
    // 90 minutes and the moments the test took since, never beyond now.
    expect(use?.minutesInUse).toBeGreaterThanOrEqual(90);
    expect(use?.minutesInUse).toBeLessThan(90 + (Date.now() - before) / 60_000 + 1);
    // Capacity runs to now, not to the end of today.
    expect(body.overall.capacityMinutes).toBeLessThanOrEqual(
      (Date.now() - Date.parse(body.rangeStart)) / 60_000 + 0.01,
    );
  });

  it('when a member, another branch’s staff or an unknown branch asks, then 403 or 404; the branch’s staff and admins are served', async () => {
    const branch = await buildBranch(t);
    const member = await buildBranchMember(t, branch.id);
    const staff = await buildBranchStaff(t, branch.id);
    const foreignStaff = await buildBranchStaff(t, (await buildBranch(t)).id);
    const ask = (auth: string, id = branch.id) =>
      t.http.get(`/api/analytics/branches/${id}/occupancy`).set('Authorization', auth);
    expect((await ask(member.auth)).status).toBe(403);
    expect((await ask(foreignStaff.auth)).status).toBe(403);
    expect((await ask(admin.auth, '00000000-0000-4000-8000-00000000abcd')).status).toBe(404);
    expect((await ask(staff.auth)).status).toBe(200);
    expect((await ask(admin.auth)).status).toBe(200);
    await t.http.get(`/api/analytics/branches/${branch.id}/occupancy`).expect(401);
  });

  it('when the range is inverted, too long, malformed or has unknown fields, then 400 names the field', async () => {
    const branch = await buildBranch(t);
    const cases: [string, string][] = [
      ['?from=2026-03-02&to=2026-03-01', 'query.from'],
      // 93 days.
      ['?from=2026-01-01&to=2026-04-03', 'query.from'],
      ['?from=2026-01-01', 'query.from'],
      ['?to=2026-02-30', 'query.to'],
      ['?from=yesterday', 'query.from'],
      ['?from=2026-03-01&hour=3', 'query.hour'],
      [`?id=${branch.id}`, 'query.id'],
    ];
    for (const [query, path] of cases) {
      const res = await t.http
        .get(`/api/analytics/branches/${branch.id}/occupancy${query}`)
        .set('Authorization', admin.auth);
      expect(res.status, query).toBe(400);
      expect(
        (res.body.errors as { path: string }[]).map((error) => error.path),
        query,
      ).toContain(path);
    }
    const bad = await t.http
      .get('/api/analytics/branches/not-a-uuid/occupancy')
      .set('Authorization', admin.auth);
    expect(bad.status).toBe(400);
    // 92 days exactly are fine.
    await t.http
      .get(`/api/analytics/branches/${branch.id}/occupancy?from=2026-01-01&to=2026-04-02`)
      .set('Authorization', admin.auth)
      .expect(200);
  });
});

describe('GET /api/branches/:id/busyness', () => {
  /**
   * Waits out the last seconds of a local hour (starting `offsetMs` past the UTC hour), so the
   * hour the test computes is the server's too.
   */
  async function awayFromTheHoursEnd(offsetMs = 0) {
    const left = HOUR - ((Date.now() - offsetMs) % HOUR);
    if (left < 20_000) await sleep(left + 1_000);
  }

  it('when members are in and machines busy, then the counts are live and typical comes from this hour on this weekday of the last 4 weeks', async () => {
    await awayFromTheHoursEnd();
    const branch = await buildBranch(t, { timezone: 'UTC' });
    const fiveWeeksAgo = new Date(Date.now() - 35 * 24 * HOUR).toISOString();
    const a = await machineSince(branch.id, 'cardio', fiveWeeksAgo);
    const b = await machineSince(branch.id, 'cardio', fiveWeeksAgo);
    const rack = await machineSince(branch.id, 'strength', fiveWeeksAgo);
    const { machine: broken } = await buildMachine(t, branch.id, { type: 'cardio' });
    const hourStart = Math.floor(Date.now() / HOUR) * HOUR;
    const weeksAgo = (weeks: number, minutes = 0) =>
      new Date(hourStart - weeks * 7 * 24 * HOUR + minutes * 60_000).toISOString();
    const link = (machine: { id: string; type: MachineType }, from: string, to: string) => ({
      machineId: machine.id,
      branchId: branch.id,
      type: machine.type,
      from,
      to,
    });
    await pastLinks([
      // Week 1: a for the whole hour and from 10 minutes before; week 2: b for half of it.
      link(a, weeksAgo(1, -10), weeksAgo(1, 60)),
      link(b, weeksAgo(2, 15), weeksAgo(2, 45)),
      // The rack 20 minutes into the hour, four weeks ago.
      link(rack, weeksAgo(4, 40), weeksAgo(4, 80)),
      // Not this hour or not this weekday, or five weeks back: left out.
      link(a, weeksAgo(1, 60), weeksAgo(1, 120)),
      link(b, weeksAgo(1, -24 * 60), weeksAgo(1, -23 * 60)),
      link(a, weeksAgo(5), weeksAgo(5, 60)),
    ]);

    const holder = await buildCheckedInMember(t, branch.id);
    await buildCheckedInMember(t, branch.id);
    const watcher = await buildBranchMember(t, branch.id);
    await linkMachine(t, holder, a.qrCode);
    await t.container.gymFloor.machines.update({ userId: admin.row.id, role: 'admin' }, broken.id, {
      status: 'maintenance',
    });
    await db().update(machines).set({ status: 'offline' }).where(eq(machines.id, rack.id));

    const res = await t.http
      .get(`/api/branches/${branch.id}/busyness`)
      .set('Authorization', watcher.auth)
      .expect(200);
    const now = new Date();
    expect(res.body).toEqual({
      branchId: branch.id,
      timezone: 'UTC',
      at: expect.any(String),
      checkedIn: 2,
      machines: {
        cardio: { total: 3, inUse: 1, available: 1, maintenance: 1, offline: 0 },
        strength: { total: 1, inUse: 0, available: 0, maintenance: 0, offline: 1 },
        functional: { total: 0, inUse: 0, available: 0, maintenance: 0, offline: 0 },
      },
      occupancyNow: 0.25,
      typical: {
        weekday: now
          .toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' })
          .toLowerCase(),
        hour: now.getUTCHours(),
        weeks: 4,
        // Cardio: 60 + 30 of 2 machines × 4 hours; the strength rack: 20 of 4 hours; the
        // machine made today offered no time then.
        occupancy: 0.1528,
        byType: { cardio: 0.1875, strength: 0.0833, functional: null },
      },
    });
    expect(res.body.typical.occupancy).toBe(Math.round((110 / 720) * 10_000) / 10_000);
  });

  it('when history is added within the hour, then typical stays as cached while the live counts move at once', async () => {
    await awayFromTheHoursEnd(1_800_000);
    const branch = await buildBranch(t, { timezone: 'Asia/Kolkata' });
    const bike = await machineSince(
      branch.id,
      'cardio',
      new Date(Date.now() - 35 * 24 * HOUR).toISOString(),
    );
    const member = await buildCheckedInMember(t, branch.id);
    const busyness = async () =>
      (
        await t.http
          .get(`/api/branches/${branch.id}/busyness`)
          .set('Authorization', member.auth)
          .expect(200)
      ).body as { checkedIn: number; typical: { occupancy: number }; occupancyNow: number };
    const first = await busyness();
    expect(first.typical.occupancy).toBe(0);
    // Half past a UTC hour is the start of a local hour in Kolkata (UTC+05:30).
    const localHourStart = Math.floor((Date.now() - 1_800_000) / HOUR) * HOUR + 1_800_000;
    await pastLinks([
      {
        machineId: bike.id,
        branchId: branch.id,
        type: 'cardio',
        from: new Date(localHourStart - 7 * 24 * HOUR).toISOString(),
        to: new Date(localHourStart - 7 * 24 * HOUR + HOUR).toISOString(),
      },
    ]);
    await linkMachine(t, member, bike.qrCode);
    const second = await busyness();
    expect(second.occupancyNow).toBe(1);
    expect(second.typical.occupancy).toBe(0);
    // Computed afresh, the new history shows: one hour of four.
    const fresh = await occupancyRepository.typicalUseNow(
      db(),
      branch.id,
      'Asia/Kolkata',
      4,
      new Date(),
    );
    expect(fresh).toEqual([
      { machineType: 'cardio', capacitySeconds: 4 * 3600, occupiedSeconds: 3600 },
    ]);
  });

  it('when someone outside the branch asks, then 403; an unknown branch is 404; its staff and admins are served', async () => {
    const branch = await buildBranch(t);
    const stranger = await buildSignedInUser(t);
    const foreignStaff = await buildBranchStaff(t, (await buildBranch(t)).id);
    const staff = await buildBranchStaff(t, branch.id);
    const ask = (auth: string, id = branch.id) =>
      t.http.get(`/api/branches/${id}/busyness`).set('Authorization', auth);
    expect((await ask(stranger.auth)).status).toBe(403);
    expect((await ask(foreignStaff.auth)).status).toBe(403);
    expect((await ask(stranger.auth, '00000000-0000-4000-8000-00000000abce')).status).toBe(404);
    expect((await ask(staff.auth)).status).toBe(200);
    expect((await ask(admin.auth)).status).toBe(200);
    expect((await ask(stranger.auth, 'nope')).status).toBe(400);
  });
});
