import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBranch,
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
  type AckReply,
} from '../../test-support/socket-test-support.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { localDay } from '../../lib/time/local-day.js';

interface ProgressRecord {
  id: string;
  logId: string;
  userId: string;
  day: string;
  exerciseId: string;
  exerciseName: string;
  setNumber: number;
  reps: number;
  weightKg: number | null;
  durationSec: number | null;
  distanceM: number | null;
  machineId: string | null;
  source: string;
  recordedAt: string;
}

interface ExportedLog {
  id: string;
  day: string;
  exerciseId: string;
  exerciseName: string;
  machineId: string | null;
  source: string;
  sets: {
    id: string;
    setNumber: number;
    reps: number;
    weightKg: number | null;
    durationSec: number | null;
    distanceM: number | null;
    recordedAt: string;
  }[];
}

type SignedInUser = Awaited<ReturnType<typeof buildSignedInUser>>;

let t: TestApp;
let baseUrl: string;
beforeAll(async () => {
  t = await createTestApp();
  baseUrl = await t.listen();
});
afterAll(async () => {
  await t.close();
});

const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

/** A connected /workouts socket of the user, closed after the test. */
async function openWorkouts(user: SignedInUser): Promise<Socket> {
  const socket = connectSocket(baseUrl, '/workouts', { token: user.session.accessToken });
  sockets.push(socket);
  return connected(socket);
}

const set = (setNumber: number, extra: Record<string, unknown> = {}) => ({
  exerciseId: 'bench-press',
  exerciseName: 'Bench press',
  setNumber,
  reps: 8,
  ...extra,
});

async function progress(socket: Socket, payload: unknown): Promise<ProgressRecord> {
  const ack = await emitWithAck(socket, 'workout:progress', payload);
  expect(ack.ok, JSON.stringify(ack)).toBe(true);
  return ack.record as ProgressRecord;
}

/** The sets of the user's exported workout log, each as the socket acks a set. */
async function exportedActivity(user: SignedInUser): Promise<ProgressRecord[]> {
  const res = await t.http.get('/api/users/me/export').set('Authorization', user.auth).expect(200);
  return (res.body.workoutLogs as ExportedLog[]).flatMap((log) =>
    log.sets.map((set) => ({
      id: set.id,
      logId: log.id,
      userId: user.row.id,
      day: log.day,
      exerciseId: log.exerciseId,
      exerciseName: log.exerciseName,
      setNumber: set.setNumber,
      reps: set.reps,
      weightKg: set.weightKg,
      durationSec: set.durationSec,
      distanceM: set.distanceM,
      machineId: log.machineId,
      source: log.source,
      recordedAt: set.recordedAt,
    })),
  );
}

const utcDay = () => new Date().toISOString().slice(0, 10);

describe('workout:progress on /workouts', () => {
  it('when a member reports a set from one device, then it is stored, acked and sent to their other devices only', async () => {
    const member = await buildSignedInUser(t);
    const [phone, watch] = [await openWorkouts(member), await openWorkouts(member)];
    const phoneHeard = recordEvents<ProgressRecord>(phone, 'workout:progress');
    const stranger = await buildSignedInUser(t);
    const [strangerPhone, strangerWatch] = [
      await openWorkouts(stranger),
      await openWorkouts(stranger),
    ];
    const strangerHeard = recordEvents<ProgressRecord>(strangerPhone, 'workout:progress');

    const onWatch = nextEvent<ProgressRecord>(watch, 'workout:progress');
    const dayBefore = utcDay();
    const record = await progress(phone, set(1, { weightKg: 62.5 }));
    expect(record).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      logId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      userId: member.row.id,
      day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      exerciseId: 'bench-press',
      exerciseName: 'Bench press',
      setNumber: 1,
      reps: 8,
      weightKg: 62.5,
      durationSec: null,
      distanceM: null,
      machineId: null,
      source: 'app',
      recordedAt: expect.any(String),
    });
    // Not checked in anywhere: the day is the UTC one.
    expect([dayBefore, utcDay()]).toContain(record.day);
    expect(await onWatch).toEqual(record);

    // Barriers: a set from the watch reaches the phone, so the phone's own set would be there by now.
    const fromWatch = await progress(watch, set(2));
    // Today's entry of the exercise holds both sets.
    expect(fromWatch.logId).toBe(record.logId);
    await expect.poll(() => phoneHeard.map((heard) => heard.id)).toContain(fromWatch.id);
    expect(phoneHeard).toEqual([fromWatch]);
    const strangersOwn = await progress(strangerWatch, set(1));
    await expect.poll(() => strangerHeard.map((heard) => heard.id)).toContain(strangersOwn.id);
    expect(strangerHeard).toEqual([strangersOwn]);

    expect(await exportedActivity(member)).toEqual([record, fromWatch]);
    expect(await exportedActivity(stranger)).toEqual([strangersOwn]);
  });

  it('when the payload is malformed, then VALIDATION_ERROR names the field and nothing is stored or sent', async () => {
    const member = await buildSignedInUser(t);
    const [phone, watch] = [await openWorkouts(member), await openWorkouts(member)];
    const watchHeard = recordEvents<ProgressRecord>(watch, 'workout:progress');

    const malformed: [unknown, string][] = [
      [{}, 'payload.exerciseId'],
      [{ ...set(1), reps: undefined }, 'payload.reps'],
      [set(0), 'payload.setNumber'],
      [set(101), 'payload.setNumber'],
      [set(1.5), 'payload.setNumber'],
      [set(1, { reps: -1 }), 'payload.reps'],
      [set(1, { reps: '8' }), 'payload.reps'],
      [set(1, { weightKg: -5 }), 'payload.weightKg'],
      [set(1, { weightKg: 1e9 }), 'payload.weightKg'],
      [set(1, { durationSec: 12.5 }), 'payload.durationSec'],
      [set(1, { exerciseName: '' }), 'payload.exerciseName'],
      [set(1, { exerciseId: 'x'.repeat(101) }), 'payload.exerciseId'],
      [set(1, { machineId: 'treadmill-3' }), 'payload.machineId'],
      [set(1, { source: 'machine' }), 'payload.source'],
      [set(1, { userId: member.row.id }), 'payload.userId'],
      ['bench-press', 'payload'],
      [[set(1)], 'payload'],
      [null, 'payload.exerciseId'],
    ];
    for (const [payload, path] of malformed) {
      const ack = await emitWithAck(phone, 'workout:progress', payload);
      expect(ack, JSON.stringify(payload)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_ERROR', message: 'The workout:progress payload is invalid.' },
      });
      expect(ack.error?.errors?.map((error) => error.path)).toContain(path);
    }
    const bare = (await phone.timeout(5_000).emitWithAck('workout:progress')) as AckReply;
    expect(bare).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });

    // Barrier: a valid set from the phone reaches the watch after anything sent before it.
    const valid = await progress(phone, set(1));
    await expect.poll(() => watchHeard.map((heard) => heard.id)).toContain(valid.id);
    expect(watchHeard).toEqual([valid]);
    expect(await exportedActivity(member)).toEqual([valid]);
  });

  it('when the member is checked in at a branch, then the day is the branch’s local date', async () => {
    // UTC+14 and UTC-12 are 26 hours apart: their dates always differ, so at least one of them
    // differs from the UTC date whatever the time of the run.
    const zones = ['Pacific/Kiritimati', 'Etc/GMT+12'];
    const days: string[] = [];
    for (const timezone of zones) {
      const branch = await buildBranch(t, { timezone });
      const member = await buildCheckedInMember(t, branch.id);
      const socket = await openWorkouts(member);
      const before = localDay(new Date(), timezone);
      const record = await progress(socket, set(1));
      expect([before, localDay(new Date(), timezone)], timezone).toContain(record.day);
      expect(await exportedActivity(member)).toEqual([record]);
      days.push(record.day);

      // Once checked out, the member's day is the UTC one again.
      await t.http.post('/api/sessions/check-out').set('Authorization', member.auth).expect(200);
      const dayBefore = utcDay();
      const after = await progress(socket, set(2));
      expect([dayBefore, utcDay()]).toContain(after.day);
    }
    expect(days[0]).not.toBe(days[1]);
  });

  it('when a message exceeds the 16 KB limit, then the connection is dropped and nothing is stored', async () => {
    const member = await buildSignedInUser(t);
    const phone = await openWorkouts(member);
    const closed = disconnection(phone);
    phone.emit('workout:progress', set(1, { exerciseName: 'x'.repeat(20_000) }));
    expect(await closed).toMatch(/transport (close|error)/);
    expect(await exportedActivity(member)).toEqual([]);
  });

  it('when a staff user reports a set, then it is theirs like anyone’s', async () => {
    const staff = await buildSignedInUser(t, { role: 'staff' });
    const socket = await openWorkouts(staff);
    const record = await progress(socket, set(3, { durationSec: 45 }));
    expect(record).toMatchObject({ userId: staff.row.id, setNumber: 3, durationSec: 45 });
    expect(await exportedActivity(staff)).toEqual([record]);
  });

  it('when the app credits a set to a machine the member does not hold, then CONFLICT and nothing is stored', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id);
    const { machine: other } = await buildMachine(t, branch.id);
    const member = await buildCheckedInMember(t, branch.id);
    const socket = await openWorkouts(member);
    const refused = await emitWithAck(
      socket,
      'workout:progress',
      set(1, { machineId: machine.id }),
    );
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', reason: 'MACHINE_NOT_LINKED' },
    });

    await t.container.gymFloor.machines.link(member.row.id, machine.qrCode);
    const stillRefused = await emitWithAck(
      socket,
      'workout:progress',
      set(1, { machineId: other.id }),
    );
    expect(stillRefused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const record = await progress(socket, set(1, { machineId: machine.id }));
    expect(record.machineId).toBe(machine.id);
    expect(await exportedActivity(member)).toEqual([record]);
  });
});

/**
 * A member whose local time is around noon now, so a test that crosses from one request to the
 * next never straddles their midnight (which would make two days of one moment).
 */
async function memberAtNoon(): Promise<SignedInUser> {
  const member = await buildSignedInUser(t);
  const offset = 12 - new Date().getUTCHours();
  // Etc/GMT zones count the other way round: Etc/GMT-5 is UTC+5.
  const timezone = offset >= 0 ? `Etc/GMT-${String(offset)}` : `Etc/GMT+${String(-offset)}`;
  await t.http
    .patch('/api/users/me')
    .set('Authorization', member.auth)
    .send({ profile: { timezone } })
    .expect(200);
  return member;
}

interface LoggedEntry {
  id: string;
  day: string;
  sets: { id: string; setNumber: number; reps: number; weightKg: number | null }[];
  totals: { completedSets: number; completedReps: number; volumeKg: number };
  bestEstimatedOneRepMaxKg: number | null;
  personalRecords: string[];
}

async function loggedEntry(user: SignedInUser, id: string): Promise<LoggedEntry> {
  const res = await t.http
    .get(`/api/workouts/logs/${id}`)
    .set('Authorization', user.auth)
    .expect(200);
  return res.body as LoggedEntry;
}

describe('socket sets and REST entries are one history', () => {
  it('when a member logs an exercise over REST and then sends a set for it, then the set joins that entry and its totals', async () => {
    const member = await memberAtNoon();
    const phone = await openWorkouts(member);
    const posted = await t.http
      .post('/api/workouts/logs')
      .set('Authorization', member.auth)
      .send({
        exerciseId: 'bench-press',
        exerciseName: 'Bench press',
        completedSets: 2,
        completedReps: 8,
        weightKg: 60,
        completedAt: new Date().toISOString(),
      })
      .expect(201);
    const record = await progress(phone, set(3, { weightKg: 60 }));
    expect(record).toMatchObject({ logId: posted.body.id, day: posted.body.day, setNumber: 3 });

    const entry = await loggedEntry(member, posted.body.id as string);
    expect(entry.sets.map((s) => [s.setNumber, s.reps, s.weightKg])).toEqual([
      [1, 8, 60],
      [2, 8, 60],
      [3, 8, 60],
    ]);
    expect(entry.sets[2]?.id).toBe(record.id);
    expect(entry.totals).toMatchObject({ completedSets: 3, completedReps: 24, volumeKg: 1440 });
    const listed = await t.http
      .get('/api/workouts/logs')
      .set('Authorization', member.auth)
      .expect(200);
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([posted.body.id]);
    const exported = await exportedActivity(member);
    expect(exported.map((s) => s.id)).toEqual(entry.sets.map((s) => s.id));
  });

  it('when the same set number is sent again, then it corrects that set, and the entry’s records follow', async () => {
    const member = await memberAtNoon();
    const [phone, watch] = [await openWorkouts(member), await openWorkouts(member)];
    const changes: string[] = [];
    t.container.events.on('workout-logs.changed', ({ userId, change }) => {
      if (userId === member.row.id) changes.push(change);
    });
    const first = await progress(phone, set(1, { weightKg: 50 }));
    const second = await progress(phone, set(2, { weightKg: 50 }));
    expect(second.logId).toBe(first.logId);
    expect((await loggedEntry(member, first.logId)).bestEstimatedOneRepMaxKg).toBe(63.33);

    const onWatch = nextEvent<ProgressRecord>(watch, 'workout:progress', (r) => r.reps === 10);
    const corrected = await progress(phone, set(1, { reps: 10, weightKg: 55 }));
    expect(corrected).toMatchObject({
      id: first.id,
      logId: first.logId,
      setNumber: 1,
      reps: 10,
      weightKg: 55,
    });
    expect(await onWatch).toEqual(corrected);

    const entry = await loggedEntry(member, first.logId);
    expect(entry.sets.map((s) => [s.setNumber, s.reps, s.weightKg])).toEqual([
      [1, 10, 55],
      [2, 8, 50],
    ]);
    expect(entry.totals).toMatchObject({ completedSets: 2, completedReps: 18, volumeKg: 950 });
    // 55 × (1 + 10/30): the corrected set is the entry's best.
    expect(entry.bestEstimatedOneRepMaxKg).toBe(73.33);
    expect(entry.personalRecords).toEqual(['e1rm', 'weight', 'reps', 'volume']);
    // The first set created the entry; the others changed it.
    expect(changes).toEqual(['created', 'updated', 'updated']);
  });
});
