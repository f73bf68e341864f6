import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../db/raw-rows.js';
import { localDay } from '../../lib/time/local-day.js';
import {
  buildBranch,
  buildCheckedInMember,
  buildMachine,
  buildSignedInUser,
} from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import type { ImportedWorkoutLog } from './imported-log.js';
import { workoutLogs, workoutSets } from './workout-logs.table.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.container.workouts.installBuiltInLibrary();
});
afterAll(async () => {
  await t.close();
});

type Member = Awaited<ReturnType<typeof buildSignedInUser>>;

interface LogView {
  id: string;
  day: string;
  exerciseId: string;
  exerciseName: string;
  completedAt: string;
  performanceNotes: string | null;
  machineId: string | null;
  source: string;
  sets: {
    id: string;
    setNumber: number;
    reps: number;
    weightKg: number | null;
    durationSec: number | null;
    distanceM: number | null;
    estimatedOneRepMaxKg: number | null;
  }[];
  totals: {
    completedSets: number;
    completedReps: number;
    volumeKg: number;
    durationSec: number;
    distanceM: number;
  };
  bestEstimatedOneRepMaxKg: number | null;
  personalRecords: string[];
  createdAt: string;
  updatedAt: string;
}

interface LogList {
  items: LogView[];
  nextCursor: string | null;
  deleted?: { id: string; deletedAt: string }[];
  syncCursor?: string | null;
}

const bench = (overrides: Record<string, unknown> = {}) => ({
  exerciseId: 'bench-press',
  exerciseName: 'Bench press',
  completedSets: 3,
  completedReps: 8,
  weightKg: 60,
  completedAt: '2026-11-02T18:00:00Z',
  ...overrides,
});

async function logEntry(member: Member, body: Record<string, unknown>): Promise<LogView> {
  const res = await t.http.post('/api/workouts/logs').set('Authorization', member.auth).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as LogView;
}

async function getLog(member: Member, id: string): Promise<LogView> {
  const res = await t.http.get(`/api/workouts/logs/${id}`).set('Authorization', member.auth);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as LogView;
}

async function list(member: Member, query: string): Promise<LogList> {
  const res = await t.http.get(`/api/workouts/logs?${query}`).set('Authorization', member.auth);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as LogList;
}

const pathsOf = (body: { errors?: { path: string }[] }) => body.errors?.map((e) => e.path) ?? [];

describe('POST /api/workouts/logs', () => {
  it('when a member logs sets × reps, then the entry has its sets, totals, e1RM and first records', async () => {
    const member = await buildSignedInUser(t);
    const res = await t.http
      .post('/api/workouts/logs')
      .set('Authorization', member.auth)
      .send(bench({ performanceNotes: '  Felt strong  ' }))
      .expect(201);
    const log = res.body as LogView;
    expect(log).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      // No branch, no home zone: the UTC day.
      day: '2026-11-02',
      exerciseId: 'bench-press',
      exerciseName: 'Bench press',
      completedAt: '2026-11-02T18:00:00.000Z',
      performanceNotes: 'Felt strong',
      machineId: null,
      source: 'app',
      totals: { completedSets: 3, completedReps: 24, volumeKg: 1440, durationSec: 0, distanceM: 0 },
      // Epley: 60 × (1 + 8/30) = 76.
      bestEstimatedOneRepMaxKg: 76,
      personalRecords: ['e1rm', 'weight', 'reps', 'volume'],
    });
    expect(
      log.sets.map(({ setNumber, reps, weightKg, estimatedOneRepMaxKg }) => ({
        setNumber,
        reps,
        weightKg,
        estimatedOneRepMaxKg,
      })),
    ).toEqual(
      [1, 2, 3].map((setNumber) => ({
        setNumber,
        reps: 8,
        weightKg: 60,
        estimatedOneRepMaxKg: 76,
      })),
    );
    expect(await getLog(member, log.id)).toEqual(log);
  });

  it('when sets differ, then they are stored in order and the top-level weight fills the ones without', async () => {
    const member = await buildSignedInUser(t);
    const log = await logEntry(
      member,
      bench({
        completedSets: undefined,
        completedReps: undefined,
        weightKg: 100,
        sets: [{ reps: 1 }, { reps: 5, weightKg: 80 }, { reps: 10, weightKg: 0 }],
      }),
    );
    expect(
      log.sets.map(({ reps, weightKg, estimatedOneRepMaxKg }) => [
        reps,
        weightKg,
        estimatedOneRepMaxKg,
      ]),
    ).toEqual([
      // One rep: the weight itself, not 100 × (1 + 1/30).
      [1, 100, 100],
      [5, 80, 93.33],
      [10, 0, null],
    ]);
    expect(log.totals).toMatchObject({ completedSets: 3, completedReps: 16, volumeKg: 500 });
    expect(log.bestEstimatedOneRepMaxKg).toBe(100);

    // Matching completedSets / completedReps are fine alongside sets.
    const matching = await logEntry(
      member,
      bench({ completedSets: 2, completedReps: 6, sets: [{ reps: 6 }, { reps: 6, weightKg: 65 }] }),
    );
    expect(matching.sets.map((set) => set.weightKg)).toEqual([60, 65]);

    const plank = await logEntry(member, {
      exerciseId: 'plank',
      exerciseName: 'Plank',
      completedSets: 3,
      completedReps: 0,
      durationSec: 60,
      completedAt: '2026-11-02T18:30:00Z',
    });
    expect(plank.totals).toMatchObject({ completedSets: 3, completedReps: 0, durationSec: 180 });
    expect(plank.personalRecords).toEqual([]);
  });

  it('when the input is bad, then 400 names each field and nothing is stored', async () => {
    const member = await buildSignedInUser(t);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const cases: [Record<string, unknown>, string[]][] = [
      [bench({ completedAt: future }), ['body.completedAt']],
      [bench({ completedAt: '1999-12-31T23:00:00Z' }), ['body.completedAt']],
      [bench({ completedAt: 'yesterday' }), ['body.completedAt']],
      [bench({ sets: [{ reps: 8 }, { reps: 8 }] }), ['body.completedSets']],
      [bench({ completedSets: 2, sets: [{ reps: 8 }, { reps: 6 }] }), ['body.completedReps']],
      [
        bench({ completedSets: undefined, completedReps: undefined }),
        ['body.completedSets', 'body.completedReps'],
      ],
      [bench({ userId: member.row.id }), ['body.userId']],
      [
        bench({ sets: [{ reps: 8, rpe: 9 }], completedSets: undefined, completedReps: undefined }),
        ['body.sets.0.rpe'],
      ],
      [bench({ weightKg: 1e9 }), ['body.weightKg']],
      [bench({ completedSets: 1e9 }), ['body.completedSets']],
      [bench({ completedReps: 8.5 }), ['body.completedReps']],
      [
        bench({ completedSets: undefined, completedReps: undefined, sets: [{ reps: 1e12 }] }),
        ['body.sets.0.reps'],
      ],
      [
        bench({
          completedSets: undefined,
          completedReps: undefined,
          sets: Array.from({ length: 101 }, () => ({ reps: 1 })),
        }),
        ['body.sets'],
      ],
      [bench({ durationSec: -1 }), ['body.durationSec']],
      [bench({ exerciseName: 'x'.repeat(201) }), ['body.exerciseName']],
      [bench({ exerciseId: '' }), ['body.exerciseId']],
      [bench({ machineId: 'treadmill-3' }), ['body.machineId']],
    ];
    for (const [body, paths] of cases) {
      const res = await t.http
        .post('/api/workouts/logs')
        .set('Authorization', member.auth)
        .send(body);
      expect(res.status, JSON.stringify(body).slice(0, 200)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      for (const path of paths) expect(pathsOf(res.body), path).toContain(path);
    }
    // 1e400 is Infinity once parsed: refused as well, not stored as a float.
    const infinite = await t.http
      .post('/api/workouts/logs')
      .set('Authorization', member.auth)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(bench()).replace('"weightKg":60', '"weightKg":1e400'));
    expect(infinite.status).toBe(400);
    expect((await list(member, '')).items).toEqual([]);
  });

  it('when completedAt is a little ahead (clock skew), then it is accepted; local days follow the member’s zone', async () => {
    const member = await buildSignedInUser(t);
    const ahead = new Date(Date.now() + 60_000);
    const log = await logEntry(member, bench({ completedAt: ahead.toISOString() }));
    expect(log.completedAt).toBe(ahead.toISOString());

    await t.http
      .patch('/api/users/me')
      .set('Authorization', member.auth)
      .send({ profile: { timezone: 'Pacific/Kiritimati' } })
      .expect(200);
    // 18:00 UTC is 08:00 the next day at UTC+14.
    expect((await logEntry(member, bench())).day).toBe('2026-11-03');
    const offset = await logEntry(member, bench({ completedAt: '2026-11-02T20:00:00-05:00' }));
    expect(offset).toMatchObject({ completedAt: '2026-11-03T01:00:00.000Z', day: '2026-11-03' });
  });

  it('when a machine is named, then the member must be linked to it now', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id, { type: 'strength' });
    const member = await buildCheckedInMember(t, branch.id);
    const refused = await t.http
      .post('/api/workouts/logs')
      .set('Authorization', member.auth)
      .send(bench({ machineId: machine.id }))
      .expect(409);
    expect(refused.body).toMatchObject({ code: 'CONFLICT', reason: 'MACHINE_NOT_LINKED' });
    expect((await list(member, '')).items).toEqual([]);

    await t.container.gymFloor.machines.link(member.row.id, machine.qrCode);
    const log = await logEntry(member, bench({ machineId: machine.id }));
    expect(log.machineId).toBe(machine.id);
  });

  it('when the same Idempotency-Key is sent twice, then one entry is stored and the first answer replayed', async () => {
    const member = await buildSignedInUser(t);
    const send = (body: Record<string, unknown>) =>
      t.http
        .post('/api/workouts/logs')
        .set('Authorization', member.auth)
        .set('Idempotency-Key', 'offline-entry-42')
        .send(body);
    const first = await send(bench()).expect(201);
    const replay = await send(bench()).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const reused = await send(bench({ completedReps: 10 })).expect(409);
    expect(reused.body.reason).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await list(member, '')).items.map((item) => item.id)).toEqual([first.body.id]);
  });
});

describe('GET /api/workouts/logs', () => {
  it('when days are asked for, then the entries of those local days come newest first, in pages', async () => {
    const member = await buildSignedInUser(t);
    const ids: Record<string, string> = {};
    for (const at of [
      '2026-11-01T10:00:00Z',
      '2026-11-02T07:00:00Z',
      '2026-11-02T19:00:00Z',
      '2026-11-03T23:59:00Z',
      '2026-11-04T00:01:00Z',
    ]) {
      ids[at] = (await logEntry(member, bench({ completedAt: at }))).id;
    }
    const stranger = await buildSignedInUser(t);
    await logEntry(stranger, bench({ completedAt: '2026-11-02T12:00:00Z' }));

    const days = await list(member, 'from=2026-11-02&to=2026-11-03');
    expect(days.items.map((item) => item.id)).toEqual([
      ids['2026-11-03T23:59:00Z'],
      ids['2026-11-02T19:00:00Z'],
      ids['2026-11-02T07:00:00Z'],
    ]);
    expect(days.nextCursor).toBeNull();

    const first = await list(member, 'from=2026-11-02&to=2026-11-03&limit=2');
    expect(first.items).toEqual(days.items.slice(0, 2));
    const second = await list(
      member,
      `from=2026-11-02&to=2026-11-03&limit=2&cursor=${String(first.nextCursor)}`,
    );
    expect(second).toEqual({ items: days.items.slice(2), nextCursor: null });

    expect((await list(member, 'from=2026-11-04')).items.map((item) => item.id)).toEqual([
      ids['2026-11-04T00:01:00Z'],
    ]);
    expect((await list(member, '')).items).toHaveLength(5);
  });

  it('when the member’s zone is far from UTC, then the days asked for are their local days', async () => {
    for (const [timezone, completedAt] of [
      // 00:30 on the 2nd at UTC+14, still the 1st in UTC.
      ['Pacific/Kiritimati', '2026-11-01T10:30:00Z'],
      // 23:30 on the 2nd at UTC−12, already the 3rd in UTC.
      ['Etc/GMT+12', '2026-11-03T11:30:00Z'],
    ] as const) {
      const member = await buildSignedInUser(t);
      await t.http
        .patch('/api/users/me')
        .set('Authorization', member.auth)
        .send({ profile: { timezone } })
        .expect(200);
      const log = await logEntry(member, bench({ completedAt }));
      expect(log.day, timezone).toBe('2026-11-02');
      const found = await list(member, 'from=2026-11-02&to=2026-11-02');
      expect(
        found.items.map((item) => item.id),
        timezone,
      ).toEqual([log.id]);
    }
  });

  it('when the query is bad, then 400 names the parameter', async () => {
    const member = await buildSignedInUser(t);
    const cases: [string, string][] = [
      ['from=2026-11-05&to=2026-11-01', 'query.to'],
      ['from=2026-13-01', 'query.from'],
      ['to=1850-01-01', 'query.to'],
      ['from=2026-11-01&updatedSince=2026-11-01T00:00:00Z', 'query.updatedSince'],
      ['updatedSince=last-week', 'query.updatedSince'],
      ['cursor=forged', 'query.cursor'],
      ['limit=101', 'query.limit'],
      ['day=2026-11-01', 'query.day'],
    ];
    for (const [query, path] of cases) {
      const res = await t.http
        .get(`/api/workouts/logs?${query}`)
        .set('Authorization', member.auth)
        .expect(400);
      expect(pathsOf(res.body), query).toContain(path);
    }
  });
});

describe('another member’s entry', () => {
  it('when read, corrected or deleted by someone else, then 404 and it is unchanged', async () => {
    const owner = await buildSignedInUser(t);
    const other = await buildSignedInUser(t);
    const log = await logEntry(owner, bench());
    const path = `/api/workouts/logs/${log.id}`;
    await t.http.get(path).set('Authorization', other.auth).expect(404);
    await t.http
      .patch(path)
      .set('Authorization', other.auth)
      .send({ performanceNotes: 'mine now' })
      .expect(404);
    await t.http.delete(path).set('Authorization', other.auth).expect(404);
    expect(await getLog(owner, log.id)).toEqual(log);
    expect((await list(other, '')).items).toEqual([]);

    const missing = '00000000-0000-4000-8000-000000000000';
    await t.http.get(`/api/workouts/logs/${missing}`).set('Authorization', owner.auth).expect(404);
    const malformed = await t.http
      .get('/api/workouts/logs/not-a-uuid')
      .set('Authorization', owner.auth)
      .expect(400);
    expect(pathsOf(malformed.body)).toContain('params.id');
  });
});

describe('PATCH and DELETE /api/workouts/logs/:id', () => {
  it('when an entry is corrected, then name, notes, time (and day) and sets change together', async () => {
    const member = await buildSignedInUser(t);
    const log = await logEntry(member, bench({ performanceNotes: 'typo' }));
    const res = await t.http
      .patch(`/api/workouts/logs/${log.id}`)
      .set('Authorization', member.auth)
      .send({
        exerciseName: 'Incline bench press',
        performanceNotes: null,
        completedAt: '2026-11-03T07:30:00Z',
        sets: [
          { reps: 10, weightKg: 50 },
          { reps: 8, weightKg: 55, durationSec: 40 },
        ],
      })
      .expect(200);
    const corrected = res.body as LogView;
    expect(corrected).toMatchObject({
      id: log.id,
      exerciseId: 'bench-press',
      exerciseName: 'Incline bench press',
      performanceNotes: null,
      completedAt: '2026-11-03T07:30:00.000Z',
      day: '2026-11-03',
      totals: { completedSets: 2, completedReps: 18, volumeKg: 940, durationSec: 40 },
      createdAt: log.createdAt,
    });
    expect(corrected.sets.map((set) => [set.setNumber, set.reps, set.weightKg])).toEqual([
      [1, 10, 50],
      [2, 8, 55],
    ]);
    expect(Date.parse(corrected.updatedAt)).toBeGreaterThanOrEqual(Date.parse(log.updatedAt));
    expect(await getLog(member, log.id)).toEqual(corrected);
    // The sets moved to the new day with their entry.
    const stored = await t.container.database.db
      .select({ day: workoutSets.day })
      .from(workoutSets)
      .where(eq(workoutSets.logId, log.id));
    expect(stored.map((set) => set.day)).toEqual(['2026-11-03', '2026-11-03']);

    // Only the notes: the sets stay.
    const notes = await t.http
      .patch(`/api/workouts/logs/${log.id}`)
      .set('Authorization', member.auth)
      .send({ performanceNotes: 'Shoulder OK' })
      .expect(200);
    expect(notes.body.sets).toEqual(corrected.sets);
  });

  it('when a correction is bad, then 400 names the field and the entry is unchanged', async () => {
    const member = await buildSignedInUser(t);
    const log = await logEntry(member, bench());
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const cases: [unknown, string][] = [
      [{}, 'body'],
      [{ completedAt: future }, 'body.completedAt'],
      [{ exerciseId: 'squat' }, 'body.exerciseId'],
      [{ sets: [] }, 'body.sets'],
      [{ sets: [{ reps: 5, weightKg: 5000 }] }, 'body.sets.0.weightKg'],
      [{ completedSets: 4 }, 'body.completedSets'],
    ];
    for (const [body, path] of cases) {
      const res = await t.http
        .patch(`/api/workouts/logs/${log.id}`)
        .set('Authorization', member.auth)
        .send(body as object)
        .expect(400);
      expect(
        pathsOf(res.body).some((p) => p.startsWith(path)),
        JSON.stringify(body),
      ).toBe(true);
    }
    expect(await getLog(member, log.id)).toEqual(log);
  });

  it('when an entry is deleted, then 204, it is gone and a second delete is 404', async () => {
    const member = await buildSignedInUser(t);
    const log = await logEntry(member, bench());
    await t.http
      .delete(`/api/workouts/logs/${log.id}`)
      .set('Authorization', member.auth)
      .expect(204);
    await t.http.get(`/api/workouts/logs/${log.id}`).set('Authorization', member.auth).expect(404);
    await t.http
      .delete(`/api/workouts/logs/${log.id}`)
      .set('Authorization', member.auth)
      .expect(404);
    const sets = await t.container.database.db
      .select()
      .from(workoutSets)
      .where(eq(workoutSets.logId, log.id));
    expect(sets).toEqual([]);
  });
});

/** The time a sync cursor starts from (before the overlap). */
const syncCursorTime = (cursor: string) => Date.parse(cursor);

/** Moves an entry's change stamp, as a change committed late (or long ago) would have it. */
async function stampChanged(id: string, at: Date): Promise<void> {
  await t.container.database.db
    .update(workoutLogs)
    .set({ updatedAt: at })
    .where(eq(workoutLogs.id, id));
}

describe('offline sync: GET /api/workouts/logs?updatedSince=', () => {
  it('when entries are created, edited and deleted, then a sync from the last cursor returns the edit and the deletion', async () => {
    const member = await buildSignedInUser(t);
    const [kept, edited, removed] = [
      await logEntry(member, bench({ completedAt: '2026-11-01T10:00:00Z' })),
      await logEntry(member, bench({ completedAt: '2026-11-02T10:00:00Z' })),
      await logEntry(member, bench({ completedAt: '2026-11-03T10:00:00Z' })),
    ];
    const initial = await list(
      member,
      `updatedSince=${encodeURIComponent('2026-01-01T00:00:00Z')}`,
    );
    expect(initial.items.map((item) => item.id)).toEqual([kept.id, edited.id, removed.id]);
    expect(initial).toMatchObject({ deleted: [], nextCursor: null });
    const cursor = initial.syncCursor;
    if (!cursor) throw new Error('no sync cursor');
    // `kept` was synced long before: outside the overlap of the next sync.
    await stampChanged(kept.id, new Date(Date.now() - 3_600_000));

    await t.http
      .patch(`/api/workouts/logs/${edited.id}`)
      .set('Authorization', member.auth)
      .send({ performanceNotes: 'edited on the phone' })
      .expect(200);
    await t.http
      .delete(`/api/workouts/logs/${removed.id}`)
      .set('Authorization', member.auth)
      .expect(204);

    const next = await list(member, `updatedSince=${cursor}`);
    expect(next.items.map((item) => [item.id, item.performanceNotes])).toEqual([
      [edited.id, 'edited on the phone'],
    ]);
    expect(next.deleted?.map((deletion) => deletion.id)).toEqual([removed.id]);
    expect(next.nextCursor).toBeNull();
    expect(syncCursorTime(String(next.syncCursor))).toBeGreaterThanOrEqual(syncCursorTime(cursor));

    // Replaying the same sync is harmless: the same state again.
    expect(await list(member, `updatedSince=${cursor}`)).toMatchObject({
      items: next.items,
      deleted: next.deleted,
    });
    // Someone else's changes never show.
    const stranger = await buildSignedInUser(t);
    expect(await list(stranger, `updatedSince=${cursor}`)).toMatchObject({
      items: [],
      deleted: [],
    });
  });

  it('when a change committed after the cursor was handed out carries an earlier time, then the overlap still returns it', async () => {
    const member = await buildSignedInUser(t);
    const synced = await list(member, `updatedSince=${encodeURIComponent('2026-01-01T00:00:00Z')}`);
    const cursor = String(synced.syncCursor);
    const cursorAt = syncCursorTime(cursor);
    const late = await logEntry(member, bench());
    const ancient = await logEntry(member, bench({ completedAt: '2026-10-01T10:00:00Z' }));
    // Stamped a minute before the cursor, committed after it: what a slow transaction does.
    await stampChanged(late.id, new Date(cursorAt - 60_000));
    // Stamped an hour before: beyond the documented overlap.
    await stampChanged(ancient.id, new Date(cursorAt - 3_600_000));

    const next = await list(member, `updatedSince=${cursor}`);
    expect(next.items.map((item) => item.id)).toEqual([late.id]);
  });

  it('when many things changed, then the sync pages through entries and deletions in one order', async () => {
    const member = await buildSignedInUser(t);
    const created: LogView[] = [];
    for (let day = 1; day <= 6; day++) {
      created.push(
        await logEntry(member, bench({ completedAt: `2026-11-0${String(day)}T10:00:00Z` })),
      );
    }
    for (const gone of [created[1], created[4]]) {
      await t.http
        .delete(`/api/workouts/logs/${String(gone?.id)}`)
        .set('Authorization', member.auth)
        .expect(204);
    }
    const since = encodeURIComponent('2026-01-01T00:00:00Z');
    const items: string[] = [];
    const deleted: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let syncCursor: string | null | undefined;
    do {
      const page: LogList = await list(
        member,
        `updatedSince=${since}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      pages++;
      expect(page.items.length + (page.deleted?.length ?? 0)).toBeLessThanOrEqual(2);
      items.push(...page.items.map((item) => item.id));
      deleted.push(...(page.deleted ?? []).map((deletion) => deletion.id));
      cursor = page.nextCursor;
      syncCursor = page.syncCursor;
      // The sync cursor comes with the last page only.
      if (cursor) expect(syncCursor).toBeNull();
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(syncCursor).toEqual(expect.any(String));
    expect(items).toEqual([0, 2, 3, 5].map((index) => created[index]?.id));
    expect(deleted).toEqual([1, 4].map((index) => created[index]?.id));
  });
});

describe('personal records', () => {
  const at = (day: number) => `2026-11-${String(day).padStart(2, '0')}T18:00:00Z`;
  const single = (day: number, reps: number, weightKg: number) =>
    bench({ completedAt: at(day), completedSets: 1, completedReps: reps, weightKg });

  it('when later entries beat earlier ones, then each is flagged with the records it set', async () => {
    const member = await buildSignedInUser(t);
    const first = await logEntry(member, single(1, 8, 60)); // e1RM 76, volume 480
    const heavier = await logEntry(member, single(2, 3, 80)); // e1RM 88, weight 80
    const same = await logEntry(member, single(3, 3, 80)); // equals: sets nothing
    const longer = await logEntry(member, single(4, 12, 50)); // reps 12, volume 600
    expect(first.personalRecords).toEqual(['e1rm', 'weight', 'reps', 'volume']);
    expect(heavier.personalRecords).toEqual(['e1rm', 'weight']);
    expect(same.personalRecords).toEqual([]);
    expect(longer.personalRecords).toEqual(['reps', 'volume']);
    // Another exercise and another member have their own records.
    expect(
      (await logEntry(member, { ...single(5, 1, 20), exerciseId: 'curl' })).personalRecords,
    ).toEqual(['e1rm', 'weight', 'reps', 'volume']);
    const stranger = await buildSignedInUser(t);
    expect((await logEntry(stranger, single(5, 1, 20))).personalRecords).toEqual([
      'e1rm',
      'weight',
      'reps',
      'volume',
    ]);
  });

  it('when the record-setting entry is deleted or a backdated one beats it, then later flags are recomputed', async () => {
    const member = await buildSignedInUser(t);
    const first = await logEntry(member, single(10, 8, 60)); // e1RM 76
    const record = await logEntry(member, single(11, 3, 80)); // e1RM 88, weight 80
    const later = await logEntry(member, single(12, 5, 70)); // e1RM 81.67, weight 70
    expect(later.personalRecords).toEqual([]);

    await t.http
      .delete(`/api/workouts/logs/${record.id}`)
      .set('Authorization', member.auth)
      .expect(204);
    const promoted = await getLog(member, later.id);
    expect(promoted.personalRecords).toEqual(['e1rm', 'weight']);
    // Its flags changed: syncing devices see it as changed.
    expect(Date.parse(promoted.updatedAt)).toBeGreaterThan(Date.parse(later.updatedAt));
    expect((await getLog(member, first.id)).personalRecords).toEqual([
      'e1rm',
      'weight',
      'reps',
      'volume',
    ]);

    // Logged offline and synced late, but done first: it takes the records from the others.
    const backdated = await logEntry(member, single(9, 10, 90));
    expect(backdated.personalRecords).toEqual(['e1rm', 'weight', 'reps', 'volume']);
    expect((await getLog(member, first.id)).personalRecords).toEqual([]);
    expect((await getLog(member, later.id)).personalRecords).toEqual([]);

    // Moving it after the others by a correction gives them their records back.
    await t.http
      .patch(`/api/workouts/logs/${backdated.id}`)
      .set('Authorization', member.auth)
      .send({ completedAt: at(13) })
      .expect(200);
    expect((await getLog(member, first.id)).personalRecords).toEqual([
      'e1rm',
      'weight',
      'reps',
      'volume',
    ]);
    expect((await getLog(member, later.id)).personalRecords).toEqual(['e1rm', 'weight']);
    expect((await getLog(member, backdated.id)).personalRecords).toEqual([
      'e1rm',
      'weight',
      'reps',
      'volume',
    ]);

    // Correcting its sets down takes the records away again.
    await t.http
      .patch(`/api/workouts/logs/${backdated.id}`)
      .set('Authorization', member.auth)
      .send({ sets: [{ reps: 2, weightKg: 40 }] })
      .expect(200);
    expect((await getLog(member, backdated.id)).personalRecords).toEqual([]);
  });

  it('when records are asked for, then each exercise shows its current bests and the entries holding them', async () => {
    const member = await buildSignedInUser(t);
    const first = await logEntry(member, single(1, 8, 60));
    const heavy = await logEntry(member, single(2, 2, 90));
    await logEntry(member, single(3, 2, 90)); // ties are not records
    const curl = await logEntry(member, {
      ...single(4, 12, 15),
      exerciseId: 'curl',
      exerciseName: 'Biceps curl',
    });
    const res = await t.http
      .get('/api/workouts/records')
      .set('Authorization', member.auth)
      .expect(200);
    const holder = (log: LogView, value: number) => ({
      value,
      logId: log.id,
      day: log.day,
      completedAt: log.completedAt,
    });
    expect(res.body).toEqual({
      items: [
        {
          exerciseId: 'bench-press',
          exerciseName: 'Bench press',
          estimatedOneRepMaxKg: holder(heavy, 96),
          heaviestWeightKg: holder(heavy, 90),
          mostReps: holder(first, 8),
          bestVolumeKg: holder(first, 480),
        },
        {
          exerciseId: 'curl',
          exerciseName: 'Biceps curl',
          estimatedOneRepMaxKg: holder(curl, 21),
          heaviestWeightKg: holder(curl, 15),
          mostReps: holder(curl, 12),
          bestVolumeKg: holder(curl, 180),
        },
      ],
      nextCursor: null,
    });

    const page = await t.http
      .get('/api/workouts/records?limit=1')
      .set('Authorization', member.auth)
      .expect(200);
    expect(page.body.items).toEqual([res.body.items[0]]);
    const rest = await t.http
      .get(`/api/workouts/records?limit=1&cursor=${String(page.body.nextCursor)}`)
      .set('Authorization', member.auth)
      .expect(200);
    expect(rest.body).toEqual({ items: [res.body.items[1]], nextCursor: null });
    const one = await t.http
      .get('/api/workouts/records?exerciseId=curl')
      .set('Authorization', member.auth)
      .expect(200);
    expect(one.body.items).toEqual([res.body.items[1]]);

    const stranger = await buildSignedInUser(t);
    const none = await t.http
      .get('/api/workouts/records')
      .set('Authorization', stranger.auth)
      .expect(200);
    expect(none.body).toEqual({ items: [], nextCursor: null });
    const bad = await t.http
      .get('/api/workouts/records?cursor=forged')
      .set('Authorization', member.auth)
      .expect(400);
    expect(pathsOf(bad.body)).toContain('query.cursor');
  });
});

describe('concurrent writes', () => {
  it('when sets of a new exercise arrive at once from several devices, then they make one entry', async () => {
    const member = await buildSignedInUser(t);
    const records = await Promise.all(
      [1, 2, 3, 4, 5].map((setNumber) =>
        t.container.workoutLogs.recordSet(
          member.row.id,
          { exerciseId: 'row', exerciseName: 'Row', setNumber, reps: 10, weightKg: 40 + setNumber },
          { kind: 'app' },
        ),
      ),
    );
    const logIds = new Set(records.map((record) => record.logId));
    expect(logIds.size).toBe(1);
    const entry = await getLog(member, [...logIds][0] ?? '');
    expect(entry.sets.map((set) => [set.setNumber, set.weightKg])).toEqual([
      [1, 41],
      [2, 42],
      [3, 43],
      [4, 44],
      [5, 45],
    ]);
    expect(entry.personalRecords).toEqual(['e1rm', 'weight', 'reps', 'volume']);
  });

  it('when entries of one exercise are posted at once, then their records are those of their time order', async () => {
    const member = await buildSignedInUser(t);
    const weights = [60, 70, 65, 80, 75, 90];
    const posted = await Promise.all(
      weights.map((weightKg, index) =>
        logEntry(
          member,
          bench({
            completedAt: `2026-11-0${String(index + 1)}T18:00:00Z`,
            completedSets: 1,
            completedReps: 5,
            weightKg,
          }),
        ),
      ),
    );
    const flags = await Promise.all(
      posted.map(async (log) => (await getLog(member, log.id)).personalRecords),
    );
    const heavier = ['e1rm', 'weight', 'volume'];
    expect(flags).toEqual([
      ['e1rm', 'weight', 'reps', 'volume'],
      heavier,
      [],
      heavier,
      [],
      heavier,
    ]);
  });
});

describe('one member writing many at once', () => {
  /** Sessions of this test's database waiting for a lock (advisory, row or transaction). */
  const lockWaiters = async (): Promise<number> => {
    const [row] = await rowsOf<{ waiting: number }>(
      t.container.database.db,
      sql`select count(*)::int as waiting from pg_locks
          where not granted
            and pid in (select pid from pg_stat_activity where datname = current_database())`,
    );
    return row?.waiting ?? 0;
  };

  it.skipIf(process.env.TEST_DATABASE_URL === undefined)(
    'when twenty entries arrive at once, then they queue in the process, not in database sessions',
    async () => {
      const member = await buildSignedInUser(t);
      const burst = { inFlight: true };
      const posting = Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          logEntry(
            member,
            bench({ completedAt: `2026-11-02T18:${String(index).padStart(2, '0')}:00Z` }),
          ),
        ),
      ).finally(() => {
        burst.inFlight = false;
      });
      const seen: number[] = [];
      while (burst.inFlight) seen.push(await lockWaiters());
      const posted = await posting;
      expect(new Set(posted.map((log) => log.id)).size).toBe(20);
      // Without the queue, the entries' transactions waited for each other's locks, each on a
      // connection of its own (held from the pool the whole time).
      expect(seen.length).toBeGreaterThan(0);
      expect(Math.max(...seen)).toBe(0);
    },
  );
});

describe('GET /api/workouts/activity', () => {
  interface Activity {
    date: string;
    timezone: string;
    plan: { id: string; dayOrder: number | null } | null;
    assignedExercises: { exerciseId: string; completed: boolean }[];
    completedExercises: { exerciseId: string; assigned: boolean }[];
    assignedWorkouts: number;
    completedWorkouts: number;
    completionPercentage: number | null;
    workoutHistory: LogView[];
  }
  const activity = async (member: Member, query = '') =>
    (
      await t.http
        .get(`/api/workouts/activity${query}`)
        .set('Authorization', member.auth)
        .expect(200)
    ).body as Activity;

  it('when the active plan trains three days a week, then Monday, Wednesday and Friday are its days and completion counts logged exercises', async () => {
    const member = await buildSignedInUser(t);
    const generated = await t.http
      .post('/api/workouts/generate')
      .set('Authorization', member.auth)
      .send({ daysPerWeek: 3 })
      .expect(201);
    const plan = generated.body.plan as {
      id: string;
      effectivePlanData: {
        workoutDays: {
          dayOrder: number;
          exercises: { exerciseId: string; exerciseName: string }[];
        }[];
      };
    };
    await t.http
      .post(`/api/workouts/plans/${plan.id}/activate`)
      .set('Authorization', member.auth)
      .expect(200);
    const days = [...plan.effectivePlanData.workoutDays].sort((a, b) => a.dayOrder - b.dayOrder);
    const monday = days[0]?.exercises ?? [];
    const friday = days[2]?.exercises ?? [];
    const done = monday[0];
    if (!done) throw new Error('the plan has no exercises on its first day');
    const log = await logEntry(member, {
      exerciseId: done.exerciseId,
      exerciseName: done.exerciseName,
      completedSets: 3,
      completedReps: 10,
      completedAt: '2026-11-23T10:00:00Z',
    });
    const unplanned = await logEntry(member, {
      exerciseId: 'stretching',
      exerciseName: 'Stretching',
      completedSets: 1,
      completedReps: 0,
      durationSec: 600,
      completedAt: '2026-11-23T11:00:00Z',
    });

    const mondayActivity = await activity(member, '?date=2026-11-23');
    expect(mondayActivity).toMatchObject({
      date: '2026-11-23',
      timezone: 'UTC',
      plan: { id: plan.id, dayOrder: days[0]?.dayOrder },
      assignedWorkouts: monday.length,
      completedWorkouts: 1,
      completionPercentage: Math.round(1000 / monday.length) / 10,
      completedExercises: [
        { exerciseId: done.exerciseId, assigned: true },
        { exerciseId: 'stretching', assigned: false },
      ],
    });
    expect(mondayActivity.assignedExercises.map((e) => [e.exerciseId, e.completed])).toEqual(
      monday.map((e) => [e.exerciseId, e.exerciseId === done.exerciseId]),
    );
    expect(mondayActivity.workoutHistory.map((entry) => entry.id)).toEqual([log.id, unplanned.id]);

    // Tuesday is a rest day of a three-day plan.
    expect(await activity(member, '?date=2026-11-24')).toMatchObject({
      plan: { id: plan.id, dayOrder: null },
      assignedExercises: [],
      completionPercentage: null,
      workoutHistory: [],
    });
    const fridayActivity = await activity(member, '?date=2026-11-27');
    expect(fridayActivity.plan?.dayOrder).toBe(days[2]?.dayOrder);
    expect(fridayActivity.assignedExercises.map((e) => e.exerciseId)).toEqual(
      friday.map((e) => e.exerciseId),
    );
    expect(fridayActivity.completionPercentage).toBe(0);
  });

  it('when the member has no active plan, then nothing is assigned, completion is null and the day defaults to today in their zone', async () => {
    const member = await buildSignedInUser(t);
    await t.http
      .patch('/api/users/me')
      .set('Authorization', member.auth)
      .send({ profile: { timezone: 'Pacific/Kiritimati' } })
      .expect(200);
    const before = localDay(new Date(), 'Pacific/Kiritimati');
    const today = await activity(member);
    expect([before, localDay(new Date(), 'Pacific/Kiritimati')]).toContain(today.date);
    expect(today).toMatchObject({
      timezone: 'Pacific/Kiritimati',
      plan: null,
      assignedExercises: [],
      assignedWorkouts: 0,
      completionPercentage: null,
    });

    const log = await logEntry(member, bench({ completedAt: '2026-11-02T18:00:00Z' }));
    const day = await activity(member, `?date=${log.day}`);
    expect(day.completedExercises).toEqual([
      { exerciseId: 'bench-press', exerciseName: 'Bench press', assigned: false },
    ]);
    expect(day.workoutHistory).toEqual([log]);
    const bad = await t.http
      .get('/api/workouts/activity?date=tomorrow')
      .set('Authorization', member.auth)
      .expect(400);
    expect(pathsOf(bad.body)).toContain('query.date');
  });
});

describe('workout-logs.changed', () => {
  it('when entries are written, then the event runs inside the write’s transaction with what changed', async () => {
    const member = await buildSignedInUser(t);
    const heard: { change: string; id: string; previousDay?: string; setsInTx: number }[] = [];
    t.container.events.on(
      'workout-logs.changed',
      async ({ uow, userId, change, log, previousDay }) => {
        if (userId !== member.row.id) return;
        // The listener reads through the writing transaction: it sees the sets just written.
        const sets = await uow.tx.select().from(workoutSets).where(eq(workoutSets.logId, log.id));
        heard.push({
          change,
          id: log.id,
          ...(previousDay && { previousDay }),
          setsInTx: sets.length,
        });
      },
    );
    const first = await logEntry(member, bench({ completedAt: '2026-11-01T10:00:00Z' }));
    const second = await logEntry(
      member,
      bench({ completedAt: '2026-11-02T10:00:00Z', weightKg: 50 }),
    );
    await t.http
      .patch(`/api/workouts/logs/${second.id}`)
      .set('Authorization', member.auth)
      .send({ completedAt: '2026-11-03T10:00:00Z' })
      .expect(200);
    await t.http
      .delete(`/api/workouts/logs/${first.id}`)
      .set('Authorization', member.auth)
      .expect(204);
    expect(heard).toEqual([
      { change: 'created', id: first.id, setsInTx: 3 },
      { change: 'created', id: second.id, setsInTx: 3 },
      { change: 'updated', id: second.id, previousDay: '2026-11-02', setsInTx: 3 },
      { change: 'deleted', id: first.id, setsInTx: 0 },
      // Without the first entry, the second holds the records: its flags changed.
      { change: 'updated', id: second.id, setsInTx: 3 },
    ]);
  });

  it('when a listener fails, then the whole write is rolled back', async () => {
    const member = await buildSignedInUser(t);
    const log = await logEntry(member, bench());
    t.container.events.on('workout-logs.changed', ({ userId }) => {
      if (userId === member.row.id) throw new Error('points ledger unavailable');
    });
    await t.http
      .post('/api/workouts/logs')
      .set('Authorization', member.auth)
      .send(bench({ completedAt: '2026-11-05T10:00:00Z' }))
      .expect(500);
    await t.http
      .delete(`/api/workouts/logs/${log.id}`)
      .set('Authorization', member.auth)
      .expect(500);
    expect((await list(member, '')).items.map((item) => item.id)).toEqual([log.id]);
    expect(
      (await list(member, `updatedSince=${encodeURIComponent(log.createdAt)}`)).deleted,
    ).toEqual([]);
  });
});

describe('importLogs', () => {
  const imported = (
    key: string,
    day: number,
    reps: number,
    weightKg: number,
  ): ImportedWorkoutLog => ({
    importKey: `strong:2026-11-${String(day).padStart(2, '0')}:bench:${key}`,
    exerciseId: 'bench-press',
    exerciseName: 'Bench Press (Barbell)',
    completedAt: new Date(`2026-11-${String(day).padStart(2, '0')}T07:00:00Z`),
    performanceNotes: null,
    sets: [
      { setNumber: 2, reps, weightKg, durationSec: null, distanceM: null },
      { setNumber: 1, reps: reps + 2, weightKg: weightKg - 10, durationSec: null, distanceM: null },
    ],
  });

  it('when the same entries are imported twice, then the second import creates nothing', async () => {
    const member = await buildSignedInUser(t);
    // Logged in the app on the 3rd, after what the file holds.
    const appEntry = await logEntry(member, bench({ completedAt: '2026-11-03T18:00:00Z' }));
    expect(appEntry.personalRecords).toEqual(['e1rm', 'weight', 'reps', 'volume']);
    const created: string[] = [];
    t.container.events.on('workout-logs.changed', ({ userId, change, log }) => {
      if (userId === member.row.id && change === 'created') created.push(log.id);
    });
    const entries = [
      imported('a', 1, 5, 100),
      imported('b', 2, 5, 50),
      { ...imported('c', 2, 5, 50), sets: [] },
      { ...imported('d', 2, 5, 50), completedAt: new Date(Date.now() + 86_400_000) },
      imported('a', 1, 5, 100),
    ];
    const first = await t.container.workoutLogs.importLogs(member.row.id, entries);
    expect(first).toEqual({
      created: 2,
      // The same key twice in one file.
      alreadyImported: 1,
      skipped: [
        { row: 3, reason: expect.stringContaining('sets') },
        { row: 4, reason: expect.stringContaining('completedAt') },
      ],
    });
    expect(created).toHaveLength(2);

    const all = (await list(member, '')).items;
    expect(all.map((log) => [log.day, log.source, log.personalRecords])).toEqual([
      // 100 kg × 5 on the 1st takes the e1RM and weight records from the app's 60 kg × 8 on
      // the 3rd, which keeps the reps (8 > 7) and volume (1440 > 1130) ones.
      ['2026-11-03', 'app', ['reps', 'volume']],
      ['2026-11-02', 'import', []],
      ['2026-11-01', 'import', ['e1rm', 'weight', 'reps', 'volume']],
    ]);
    const oldest = all[2];
    expect(oldest?.sets.map((set) => [set.setNumber, set.reps, set.weightKg])).toEqual([
      [1, 7, 90],
      [2, 5, 100],
    ]);
    expect(oldest?.exerciseName).toBe('Bench Press (Barbell)');

    const again = await t.container.workoutLogs.importLogs(member.row.id, entries);
    expect(again).toEqual({ created: 0, alreadyImported: 3, skipped: first.skipped });
    expect(created).toHaveLength(2);
    expect((await list(member, '')).items).toEqual(all);

    // Import keys are per member: another member importing the same file gets their own.
    const other = await buildSignedInUser(t);
    expect(
      await t.container.workoutLogs.importLogs(other.row.id, [imported('a', 1, 5, 100)]),
    ).toEqual({ created: 1, alreadyImported: 0, skipped: [] });
  });
});

describe('GET /api/users/me/export', () => {
  it('when exported, then workoutLogs holds every entry with its sets, oldest first', async () => {
    const member = await buildSignedInUser(t);
    const later = await logEntry(member, bench({ completedAt: '2026-11-05T10:00:00Z' }));
    const earlier = await logEntry(member, bench({ completedAt: '2026-11-01T10:00:00Z' }));
    const res = await t.http
      .get('/api/users/me/export')
      .set('Authorization', member.auth)
      .expect(200);
    expect(res.body.workoutLogs).toEqual([earlier, await getLog(member, later.id)]);
    expect(res.body).not.toHaveProperty('workoutActivity');
  });
});
