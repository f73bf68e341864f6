import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabaseName } from '../../test-support/test-database.js';
import { estimatedOneRepMaxKg } from './personal-records.js';

// The migration that brought socket sets into the logs, run the way a deployed database meets
// it: migrated up to the one before, holding workout_activity rows, then migrated to the end.
const MIGRATION = '0010_workout_activity_into_logs';

const scratch = mkdtempSync(path.join(tmpdir(), 'nxg-activity-migration-'));
const before = path.join(scratch, 'before');
const journalFile = 'meta/_journal.json';

interface Journal {
  entries: { tag: string }[];
}

/** A database of this test's own, migrated with the folder given. */
interface ScratchDatabase {
  migrate(folder: string): Promise<void>;
  rows<T>(query: SQL): Promise<T[]>;
  close(): Promise<void>;
}

async function openScratchDatabase(): Promise<ScratchDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const client = await PGlite.create();
    const db = drizzlePglite(client);
    return {
      migrate: (folder) => migratePglite(db, { migrationsFolder: folder }),
      rows: async <T>(query: SQL) => (await db.execute(query)).rows as T[],
      close: () => client.close(),
    };
  }
  const name = `nxg_mig_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const client = new pg.Client({ connectionString: withDatabaseName(adminUrl, name) });
  await client.connect();
  const db = drizzlePg(client);
  return {
    migrate: (folder) => migratePg(db, { migrationsFolder: folder }),
    rows: async <T>(query: SQL) => (await db.execute(query)).rows as T[],
    async close() {
      await client.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    },
  };
}

let database: ScratchDatabase;
beforeAll(async () => {
  // drizzle/ as it was before the migration: its journal cut off before it.
  cpSync('drizzle', before, { recursive: true });
  const journal = JSON.parse(readFileSync(path.join(before, journalFile), 'utf8')) as Journal;
  const at = journal.entries.findIndex((entry) => entry.tag === MIGRATION);
  expect(at).toBeGreaterThan(0);
  writeFileSync(
    path.join(before, journalFile),
    JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }),
  );
  database = await openScratchDatabase();
});
afterAll(async () => {
  await database.close();
  rmSync(scratch, { recursive: true, force: true });
});

interface ActivityRow {
  id: string;
  userId: string;
  day: string;
  exerciseId: string;
  exerciseName: string;
  setNumber: number;
  reps: number;
  weightKg: number | null;
  durationSec: number | null;
  machineId: string | null;
  source: 'app' | 'machine';
  recordedAt: string;
}

describe('migrating workout_activity into workout logs', () => {
  it('when sets were stored per message, then each member, day and exercise becomes one log with its sets, source and records', async () => {
    await database.migrate(before);
    const [anna, ben] = [randomUUID(), randomUUID()];
    for (const id of [anna, ben]) {
      await database.rows(
        sql`insert into users (id, username, email, password_hash, profile)
            values (${id}, ${`u_${id}`}, ${`${id}@example.test`}, 'x', '{}'::jsonb)`,
      );
    }
    const machine = randomUUID();
    const row = (
      userId: string,
      day: string,
      exerciseId: string,
      setNumber: number,
      reps: number,
      weightKg: number | null,
      recordedAt: string,
      extra: Partial<ActivityRow> = {},
    ): ActivityRow => ({
      id: randomUUID(),
      userId,
      day,
      exerciseId,
      exerciseName: exerciseId === 'bench' ? 'Bench press' : 'Rowing',
      setNumber,
      reps,
      weightKg,
      durationSec: null,
      machineId: null,
      source: 'app',
      recordedAt,
      ...extra,
    });
    const rows = [
      row(anna, '2026-11-02', 'bench', 1, 8, 60, '2026-11-02T18:00:00Z'),
      row(anna, '2026-11-02', 'bench', 2, 8, 60, '2026-11-02T18:03:00Z'),
      // The machine sent set 2 again: a correction, as the socket treats it now.
      row(anna, '2026-11-02', 'bench', 2, 8, 62.5, '2026-11-02T18:04:00Z', {
        source: 'machine',
        machineId: machine,
      }),
      row(anna, '2026-11-02', 'bench', 3, 6, 65, '2026-11-02T18:07:00Z', {
        source: 'machine',
        machineId: machine,
      }),
      row(anna, '2026-11-03', 'bench', 1, 1, 50, '2026-11-03T18:00:00Z'),
      row(anna, '2026-11-03', 'row', 1, 0, null, '2026-11-03T18:20:00Z', { durationSec: 600 }),
      row(ben, '2026-11-02', 'bench', 1, 10, 40, '2026-11-02T07:00:00Z'),
    ];
    for (const r of rows) {
      await database.rows(
        sql`insert into workout_activity
              (id, user_id, day, exercise_id, exercise_name, set_number, reps, weight_kg,
               duration_sec, machine_id, source, recorded_at)
            values (${r.id}, ${r.userId}, ${r.day}, ${r.exerciseId}, ${r.exerciseName},
                    ${r.setNumber}, ${r.reps}, ${r.weightKg}, ${r.durationSec}, ${r.machineId},
                    ${r.source}, ${r.recordedAt})`,
      );
    }

    await database.migrate('drizzle');

    const logs = await database.rows<{
      id: string;
      user_id: string;
      day: string;
      exercise_id: string;
      exercise_name: string;
      completed_at: string;
      created_at: string;
      machine_id: string | null;
      source: string;
      personal_records: string[] | string;
    }>(
      sql`select id, user_id, to_char(day, 'YYYY-MM-DD') as day, exercise_id, exercise_name,
                 to_char(completed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as completed_at,
                 to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as created_at,
                 machine_id, source, personal_records
          from workout_logs order by user_id = ${anna} desc, day, exercise_id`,
    );
    const flags = (value: string[] | string) =>
      Array.isArray(value) ? value : value.replace(/[{}]/g, '').split(',').filter(Boolean);
    expect(
      logs.map((log) => ({ ...log, id: undefined, personal_records: flags(log.personal_records) })),
    ).toEqual([
      {
        id: undefined,
        user_id: anna,
        day: '2026-11-02',
        exercise_id: 'bench',
        exercise_name: 'Bench press',
        completed_at: '2026-11-02T18:07:00Z',
        created_at: '2026-11-02T18:00:00Z',
        // The first row's source, the first machine named.
        machine_id: machine,
        source: 'app',
        personal_records: ['e1rm', 'weight', 'reps', 'volume'],
      },
      {
        id: undefined,
        user_id: anna,
        day: '2026-11-03',
        exercise_id: 'bench',
        exercise_name: 'Bench press',
        completed_at: '2026-11-03T18:00:00Z',
        created_at: '2026-11-03T18:00:00Z',
        machine_id: null,
        source: 'app',
        // 50 kg × 1 beats none of the first day's records.
        personal_records: [],
      },
      {
        id: undefined,
        user_id: anna,
        day: '2026-11-03',
        exercise_id: 'row',
        exercise_name: 'Rowing',
        completed_at: '2026-11-03T18:20:00Z',
        created_at: '2026-11-03T18:20:00Z',
        machine_id: null,
        source: 'app',
        // No weight, no reps: nothing to hold a record with.
        personal_records: [],
      },
      {
        id: undefined,
        user_id: ben,
        day: '2026-11-02',
        exercise_id: 'bench',
        exercise_name: 'Bench press',
        completed_at: '2026-11-02T07:00:00Z',
        created_at: '2026-11-02T07:00:00Z',
        machine_id: null,
        source: 'app',
        personal_records: ['e1rm', 'weight', 'reps', 'volume'],
      },
    ]);

    const sets = await database.rows<{
      id: string;
      log_id: string;
      user_id: string;
      day: string;
      set_number: number;
      reps: number;
      weight_kg: number | null;
      duration_sec: number | null;
      estimated_one_rep_max_kg: number | null;
    }>(
      sql`select s.id, s.log_id, s.user_id, to_char(s.day, 'YYYY-MM-DD') as day, s.set_number,
                 s.reps, s.weight_kg, s.duration_sec, s.estimated_one_rep_max_kg
          from workout_sets s join workout_logs l on l.id = s.log_id
          order by s.user_id = ${anna} desc, s.day, l.exercise_id, s.set_number`,
    );
    const logIdOf = (index: number) => logs[index]?.id;
    const kept = [rows[0], rows[2], rows[3], rows[4], rows[5], rows[6]].map((r) => r?.id);
    expect(sets.map((set) => set.id)).toEqual(kept);
    expect(
      sets.map(
        ({ log_id, set_number, reps, weight_kg, duration_sec, estimated_one_rep_max_kg }) => ({
          log_id,
          set_number,
          reps,
          weight_kg,
          duration_sec,
          e1rm: estimated_one_rep_max_kg,
        }),
      ),
    ).toEqual([
      { log_id: logIdOf(0), set_number: 1, reps: 8, weight_kg: 60, duration_sec: null, e1rm: 76 },
      {
        log_id: logIdOf(0),
        set_number: 2,
        reps: 8,
        weight_kg: 62.5,
        duration_sec: null,
        // Exactly what the service stores for the same set.
        e1rm: estimatedOneRepMaxKg(8, 62.5),
      },
      {
        log_id: logIdOf(0),
        set_number: 3,
        reps: 6,
        weight_kg: 65,
        duration_sec: null,
        e1rm: estimatedOneRepMaxKg(6, 65),
      },
      { log_id: logIdOf(1), set_number: 1, reps: 1, weight_kg: 50, duration_sec: null, e1rm: 50 },
      {
        log_id: logIdOf(2),
        set_number: 1,
        reps: 0,
        weight_kg: null,
        duration_sec: 600,
        e1rm: null,
      },
      {
        log_id: logIdOf(3),
        set_number: 1,
        reps: 10,
        weight_kg: 40,
        duration_sec: null,
        e1rm: estimatedOneRepMaxKg(10, 40),
      },
    ]);
    expect(sets.every((set) => set.day === logs.find((log) => log.id === set.log_id)?.day)).toBe(
      true,
    );

    const [table] = await database.rows<{ exists: boolean }>(
      sql`select to_regclass('workout_activity') is not null as exists`,
    );
    expect(table?.exists).toBe(false);
  });
});
