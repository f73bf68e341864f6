import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSignedInUser } from '../../test-support/factories.js';
import { jobDatabaseOf } from '../../jobs/index.js';
import { queryRows, waitUntil } from '../../test-support/job-test-support.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { rebuildMemberAnalytics, verifyChangedMembers } from './analytics.jobs.js';
import { exerciseDayRollups } from './analytics.table.js';
import { addLibraryExercise, logHistory, type LogHistory } from './log-history-test-support.js';

let t: TestApp;
let history: LogHistory;
let bench: string;

/** A fresh app whose jobs run, the verification sweep every `sweepSeconds`. */
async function startApp(sweepSeconds: number) {
  t = await createTestApp({ ANALYTICS_VERIFY_INTERVAL_SECONDS: String(sweepSeconds) });
  history = logHistory(t.container);
  bench = await addLibraryExercise(t.container.database.db, ['chest']);
  await t.container.jobs.start();
}

afterEach(async () => {
  await t.close();
});

async function volumeOn(auth: string, day: string): Promise<number> {
  const response = await t.http
    .get(`/api/analytics/workout/summary?from=${day}&to=${day}`)
    .set('Authorization', auth);
  expect(response.status).toBe(200);
  return response.body.totals.volumeKg as number;
}

const driftWarnings = (userId: string) =>
  t.logs
    .entries()
    .filter((entry) => entry.userId === userId && String(entry.msg).includes('drifted'));

describe('the rebuild job', () => {
  it('when a rollup row is corrupted, then the job rewrites it from the logs and reports the drift', async () => {
    // The sweep runs once at start and then not for half an hour: once that first run is over,
    // only the job can repair this.
    await startApp(3600);
    await waitUntil(async () => {
      const runs = await queryRows<{ state: string }>(
        jobDatabaseOf(t.container.database),
        `select state from pgboss.job where name = $1`,
        [verifyChangedMembers.name],
      );
      return runs.some((run) => run.state === 'completed');
    }, 60_000);
    const member = await buildSignedInUser(t);
    await history.createLog(member.row.id, {
      exerciseId: bench,
      day: '2026-05-04',
      sets: [{ reps: 10, weightKg: 50 }],
    });
    await t.container.database.db
      .update(exerciseDayRollups)
      .set({ volumeKg: 9999 })
      .where(eq(exerciseDayRollups.userId, member.row.id));
    // The answer comes from the rollups, so the corruption shows…
    expect(await volumeOn(member.auth, '2026-05-04')).toBe(9999);

    await t.container.jobs.send(rebuildMemberAnalytics, { userId: member.row.id });
    // …until the job has rebuilt them from the raw rows.
    await waitUntil(async () => (await volumeOn(member.auth, '2026-05-04')) === 500, 60_000);
    expect(driftWarnings(member.row.id)).toEqual([
      expect.objectContaining({
        level: 40,
        exerciseDays: { checked: 1, drifted: 1 },
        nutritionDays: { checked: 0, drifted: 0 },
      }),
    ]);
  });
});

describe('the verification sweep', () => {
  it('when a log moves to another day without its previous day, then the sweep corrects the stale day', async () => {
    await startApp(1);
    const member = await buildSignedInUser(t);
    const log = await history.createLog(member.row.id, {
      exerciseId: bench,
      day: '2026-05-11',
      sets: [{ reps: 5, weightKg: 40 }],
    });
    // A writer that forgets to say which day the entry left: that day keeps its old rollup.
    await history.updateLog(member.row.id, log.id, { day: '2026-05-12', forgetPreviousDay: true });
    expect(await volumeOn(member.auth, '2026-05-12')).toBe(200);

    await waitUntil(async () => (await volumeOn(member.auth, '2026-05-11')) === 0, 60_000);
    expect(await volumeOn(member.auth, '2026-05-12')).toBe(200);
    expect(driftWarnings(member.row.id)).toHaveLength(1);
  });
});
