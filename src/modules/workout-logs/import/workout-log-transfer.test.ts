import { readFileSync } from 'node:fs';
import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { parse } from 'csv-parse/sync';
import { and, eq, sql } from 'drizzle-orm';
import express from 'express';
import { pinoHttp } from 'pino-http';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/database.js';
import { mountRoutes } from '../../../lib/http/route.js';
import { errorHandler, routeNotFound } from '../../../middleware/error-handler.js';
import { idempotency } from '../../../middleware/idempotency.js';
import { apiRateLimit } from '../../../middleware/rate-limit.js';
import { requestId } from '../../../middleware/request-id.js';
import { buildSignedInUser } from '../../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../../test-support/test-app.js';
import { buildOpenApiDocument } from '../../docs/index.js';
import { usersRepository } from '../../users/index.js';
import { exercises } from '../../workouts/workouts.table.js';
import { workoutLogs, workoutSets } from '../workout-logs.table.js';
import {
  EXPORT_PAGE_SIZE,
  WorkoutLogTransferService,
  workoutLogTransferRoutes,
  type WorkoutLogTransferSettings,
} from './index.js';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

let t: TestApp;
let db: Database;

/**
 * The route group with other limits or page sizes than the app's, mounted as app.ts mounts
 * groups (request id, logging, identification, the general rate limit, the error handler) over
 * the test app's container and the real log writer.
 */
function transferHttp(
  settings: Partial<WorkoutLogTransferSettings> = {},
  registry = new OpenAPIRegistry(),
) {
  const { container } = t;
  const { config, logger } = container;
  const transfer = new WorkoutLogTransferService({
    db,
    importer: container.workoutLogs,
    exercises: container.workouts,
    timeZones: {
      timezoneOf: async (userId) =>
        (await usersRepository.findById(db, userId))?.profile.timezone ?? 'UTC',
    },
    settings: {
      importMaxBytes: config.workoutImport.maxBytes,
      importMaxRows: config.workoutImport.maxRows,
      exportPageSize: EXPORT_PAGE_SIZE,
      ...settings,
    },
  });
  const app = express();
  app.use(requestId);
  app.use(pinoHttp({ logger, genReqId: (req) => req.id, quietReqLogger: true }));
  app.use(express.json({ limit: config.bodyLimitBytes, type: ['application/json'] }));
  app.use(container.authGuard.identify);
  const group = workoutLogTransferRoutes(transfer, {
    idempotent: idempotency({ db, ttlSeconds: config.idempotencyTtlSeconds, logger }),
  });
  const router = express.Router();
  mountRoutes(router, group, {
    registry,
    guard: container.authGuard.guard,
    rateLimit: apiRateLimit(config.rateLimit, { kv: container.kv }),
  });
  app.use(group.basePath, router);
  app.use(routeNotFound);
  app.use(errorHandler({ logger, bodyLimitBytes: config.bodyLimitBytes }));
  return supertest(app);
}

let http: TestApp['http'];
beforeAll(async () => {
  t = await createTestApp();
  db = t.container.database.db;
  // As the server does at startup: the library imported names are matched against.
  await t.container.workouts.installBuiltInLibrary();
  http = t.http;
});
afterAll(async () => {
  await t.close();
});

const importCsv = (auth: string, csv: string, query = '') =>
  http
    .post(`/api/workouts/logs/import${query}`)
    .set('Authorization', auth)
    .set('Content-Type', 'text/csv')
    .send(csv);

const exportCsv = (auth: string, query = '') =>
  http.get(`/api/workouts/logs/export${query}`).set('Authorization', auth).buffer(true);

/** The export's records as objects by column, byte-order mark and header checked. */
function exportedRows(text: string): Record<string, string>[] {
  expect(text.startsWith('\uFEFF"completed_at","day","exercise_id"')).toBe(true);
  return parse(text, { bom: true, columns: true, record_delimiter: '\r\n' });
}

async function countsOf(userId: string) {
  const [logs] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(workoutLogs)
    .where(eq(workoutLogs.userId, userId));
  const [sets] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(workoutSets)
    .where(eq(workoutSets.userId, userId));
  return { logs: logs?.count, sets: sets?.count };
}

describe('POST /api/workouts/logs/import', () => {
  it('when a Strong export is sent, then its sets are logged and the rest reported by line', async () => {
    const member = await buildSignedInUser(t);
    const res = await importCsv(member.auth, fixture('strong-export.csv')).expect(200);
    expect(res.body).toEqual({
      format: 'strong',
      created: 8,
      alreadyImported: 0,
      skipped: [
        { row: 2, reason: 'warm-up set (warm-ups are not imported)' },
        { row: 4, reason: 'rest timer, not a set' },
        { row: 10, reason: 'warm-up set (warm-ups are not imported)' },
        { row: 16, reason: 'reps "abc" is not a number' },
        { row: 19, reason: 'weight is negative' },
        { row: 21, reason: 'missing date' },
        { row: 22, reason: 'date is in the future' },
      ],
    });
    expect(await countsOf(member.row.id)).toEqual({ logs: 8, sets: 13 });
    const [bench] = await db
      .select()
      .from(workoutLogs)
      .where(
        and(
          eq(workoutLogs.userId, member.row.id),
          eq(workoutLogs.exerciseName, 'Bench Press (Barbell)'),
        ),
      );
    // Matched to the library's "Barbell Bench Press"; the member has no zone: UTC.
    const [library] = await db
      .select({ id: exercises.id })
      .from(exercises)
      .where(and(eq(exercises.name, 'Barbell Bench Press'), eq(exercises.source, 'builtin')));
    expect(library).toBeDefined();
    expect(bench).toMatchObject({
      exerciseId: library?.id,
      source: 'import',
      importKey: 'strong:2024-03-05T18:01:12:bench press (barbell)',
      completedAt: new Date('2024-03-05T18:01:12Z'),
    });
  });

  it('when the same file is imported again, then nothing is added and all is already imported', async () => {
    const member = await buildSignedInUser(t);
    await importCsv(member.auth, fixture('hevy-export.csv')).expect(200);
    const again = await importCsv(member.auth, fixture('hevy-export.csv')).expect(200);
    expect(again.body).toMatchObject({ format: 'hevy', created: 0, alreadyImported: 8 });
    expect(again.body.skipped).toHaveLength(5);
    expect(await countsOf(member.row.id)).toEqual({ logs: 8, sets: 12 });
    // Another member importing the same file gets their own entries.
    const other = await buildSignedInUser(t);
    const theirs = await importCsv(other.auth, fixture('hevy-export.csv')).expect(200);
    expect(theirs.body).toMatchObject({ created: 8, alreadyImported: 0 });
  });

  it('when the member has a home zone, then wall-clock times are read in it unless one is given', async () => {
    const member = await buildSignedInUser(t);
    await t.http
      .patch('/api/users/me')
      .set('Authorization', member.auth)
      .send({ profile: { timezone: 'America/New_York' } })
      .expect(200);
    await importCsv(member.auth, fixture('hevy-export-lbs.csv')).expect(200);
    const other = await buildSignedInUser(t);
    await importCsv(other.auth, fixture('hevy-export-lbs.csv'), '?timeZone=Asia/Tokyo').expect(200);
    const times = async (userId: string) =>
      (
        await db
          .select({ at: workoutLogs.completedAt })
          .from(workoutLogs)
          .where(eq(workoutLogs.userId, userId))
      ).map((row) => row.at.toISOString());
    // 2 Apr 2024, 06:45 on the wall clock.
    expect(await times(member.row.id)).toEqual([
      '2024-04-02T10:45:00.000Z',
      '2024-04-02T10:45:00.000Z',
    ]);
    expect(await times(other.row.id)).toEqual([
      '2024-04-01T21:45:00.000Z',
      '2024-04-01T21:45:00.000Z',
    ]);
  });

  it('when replayed with the same Idempotency-Key, then the first answer comes back', async () => {
    const member = await buildSignedInUser(t);
    const first = await importCsv(member.auth, fixture('hevy-export-lbs.csv'))
      .set('Idempotency-Key', 'import-1')
      .expect(200);
    const replay = await importCsv(member.auth, fixture('hevy-export-lbs.csv'))
      .set('Idempotency-Key', 'import-1')
      .expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(first.body.created).toBe(2);
  });

  it('when the body is not text/csv, then 415', async () => {
    const member = await buildSignedInUser(t);
    const json = await http
      .post('/api/workouts/logs/import')
      .set('Authorization', member.auth)
      .send({ csv: fixture('strong-export.csv') })
      .expect(415);
    expect(json.body).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      detail: 'Send the body as text/csv.',
    });
    await http
      .post('/api/workouts/logs/import')
      .set('Authorization', member.auth)
      .set('Content-Type', 'text/plain')
      .send(fixture('strong-export.csv'))
      .expect(415);
    expect(await countsOf(member.row.id)).toEqual({ logs: 0, sets: 0 });
  });

  it('when the header is unknown, the body empty or the query wrong, then 400 with the field', async () => {
    const member = await buildSignedInUser(t);
    const unknown = await importCsv(member.auth, 'Date,Exercise,Reps\n2024-01-01,Squat,5\n').expect(
      400,
    );
    expect(unknown.body.code).toBe('VALIDATION_ERROR');
    expect(unknown.body.detail).toMatch(/not a Strong or Hevy workout export/);
    expect(unknown.body.errors).toEqual([{ path: 'body', message: 'unknown header' }]);
    const empty = await importCsv(member.auth, '').expect(400);
    expect(empty.body.errors).toEqual([{ path: 'body', message: 'must not be empty' }]);
    const query = await importCsv(
      member.auth,
      fixture('strong-export.csv'),
      '?format=fitbod&units=stone&timeZone=Mars/Base',
    ).expect(400);
    expect(query.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'query.format',
      'query.timeZone',
      'query.units',
    ]);
  });

  it('when the file is larger than the limit or has too many rows, then 413', async () => {
    const member = await buildSignedInUser(t);
    const small = transferHttp({ importMaxBytes: 1024, importMaxRows: 10 });
    const big = await small
      .post('/api/workouts/logs/import')
      .set('Authorization', member.auth)
      .set('Content-Type', 'text/csv')
      .send(fixture('strong-export.csv'))
      .expect(413);
    expect(big.body).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      detail: 'The request body exceeds the 1024-byte limit.',
    });
    const rows = await small
      .post('/api/workouts/logs/import')
      .set('Authorization', member.auth)
      .set('Content-Type', 'text/csv')
      .send(
        [
          'Date,Exercise Name,Set Order,Weight,Reps',
          ...Array.from({ length: 11 }, (_, i) => `2024-01-0${1 + (i % 9)} 10:00:00,Squat,1,100,5`),
        ].join('\n'),
      )
      .expect(413);
    expect(rows.body.detail).toMatch(/more than 10 rows/);
    expect(await countsOf(member.row.id)).toEqual({ logs: 0, sets: 0 });
  });

  it('when not signed in, then 401 before the body is read', async () => {
    await http
      .post('/api/workouts/logs/import')
      .set('Content-Type', 'text/csv')
      .send(fixture('strong-export.csv'))
      .expect(401);
  });
});

describe('GET /api/workouts/logs/export', () => {
  it('when exported, then one row per set comes as a CSV attachment', async () => {
    const member = await buildSignedInUser(t);
    await importCsv(member.auth, fixture('strong-export.csv')).expect(200);
    const res = await exportCsv(member.auth).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="workout-logs.csv"');
    const rows = exportedRows(res.text);
    expect(rows).toHaveLength(13);
    const bench = rows.filter((row) => row.exercise_name === 'Bench Press (Barbell)');
    expect(bench.map((row) => [row.set_number, row.reps, row.weight_kg])).toEqual([
      ['1', '8', '80'],
      ['2', '6', '82.5'],
      ['3', '5', '82.5'],
    ]);
    expect(bench[0]).toMatchObject({
      completed_at: '2024-03-05T18:01:12.000Z',
      day: '2024-03-05',
      estimated_1rm_kg: '101.33',
      duration_sec: '',
      notes: 'Grip slipped, re-racked "carefully"\nFelt strong 💪 — new PR on bench',
      source: 'import',
    });
    const running = rows.find((row) => row.exercise_name === 'Running (Treadmill)');
    expect(running).toMatchObject({
      reps: '0',
      weight_kg: '',
      duration_sec: '1200',
      distance_m: '3200',
    });
    // Oldest first.
    const times = rows.map((row) => row.completed_at);
    expect([...times].sort()).toEqual(times);
  });

  it('when from/to are given, then only those local days come, and a bad range is 400', async () => {
    const member = await buildSignedInUser(t);
    await importCsv(member.auth, fixture('strong-export.csv')).expect(200);
    const res = await exportCsv(member.auth, '?from=2024-03-06&to=2024-03-07').expect(200);
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="workout-logs-2024-03-06_to_2024-03-07.csv"',
    );
    expect(new Set(exportedRows(res.text).map((row) => row.day))).toEqual(new Set(['2024-03-07']));
    const bad = await exportCsv(member.auth, '?from=2024-03-08&to=2024-03-07').expect(400);
    expect(bad.body.errors).toEqual([{ path: 'query.from', message: 'must not be after `to`' }]);
  });

  it('when another member exports, then nothing of the first member is in it', async () => {
    const member = await buildSignedInUser(t);
    const other = await buildSignedInUser(t);
    await importCsv(member.auth, fixture('strong-export.csv')).expect(200);
    const res = await exportCsv(other.auth).expect(200);
    expect(exportedRows(res.text)).toEqual([]);
    expect(res.text).not.toMatch(/Bench Press/);
  });

  it('when text starts like a formula, then the cell is escaped with an apostrophe and quoted', async () => {
    const member = await buildSignedInUser(t);
    const header = fixture('hevy-export.csv').split('\n')[0] ?? '';
    const row = (hour: number, exercise: string, notes: string) =>
      `"Evil","1 May 2024, ${hour}:00","1 May 2024, 23:00","","${exercise}",,"${notes}",0,"normal",50,5,,,`;
    await importCsv(
      member.auth,
      [
        header,
        row(10, '=HYPERLINK(""http://evil.example"",""x"")', '+SUM(A1:A9)'),
        row(11, '@cmd', '-2+3'),
        row(12, 'Curl', 'ok, fine'),
      ].join('\n'),
    ).expect(200);
    const res = await exportCsv(member.auth).expect(200);
    expect(res.text).toContain('"\'=HYPERLINK(""http://evil.example"",""x"")"');
    const rows = exportedRows(res.text);
    expect(rows.map((r) => [r.exercise_name, r.notes])).toEqual([
      ['\'=HYPERLINK("http://evil.example","x")', "'+SUM(A1:A9)"],
      ["'@cmd", "'-2+3"],
      ['Curl', 'ok, fine'],
    ]);
    // No cell of the file starts with a formula character.
    const cells = parse(res.text, { bom: true, record_delimiter: '\r\n' }).flat();
    expect(cells.filter((cell: string) => /^[=+@]/.test(cell) || /^-\D/.test(cell))).toEqual([]);
  });

  it('when a member has thousands of sets, then the export streams them all in order, page by page', async () => {
    const member = await buildSignedInUser(t);
    const logCount = 1_250;
    const start = Date.parse('2023-01-01T06:00:00Z');
    const logs = Array.from({ length: logCount }, (_, i) => {
      // Every tenth entry shares its time with the previous one: the id breaks the tie.
      const at = new Date(start + Math.floor(i - (i % 10 === 9 ? 1 : 0)) * 3_600_000);
      return {
        userId: member.row.id,
        day: at.toISOString().slice(0, 10),
        exerciseId: 'e0c1a5a6-0000-5000-8000-000000000001',
        exerciseName: `Exercise ${i % 7}`,
        completedAt: at,
        source: 'app' as const,
      };
    });
    for (let i = 0; i < logs.length; i += 500) {
      const inserted = await db
        .insert(workoutLogs)
        .values(logs.slice(i, i + 500))
        .returning({ id: workoutLogs.id, day: workoutLogs.day });
      await db.insert(workoutSets).values(
        inserted.flatMap(({ id, day }) =>
          [1, 2, 3].map((setNumber) => ({
            logId: id,
            userId: member.row.id,
            day,
            setNumber,
            reps: 10 - setNumber,
            weightKg: 50,
          })),
        ),
      );
    }
    const paged = transferHttp({ exportPageSize: 100 });
    const res = await paged
      .get('/api/workouts/logs/export')
      .set('Authorization', member.auth)
      .buffer(true)
      .expect(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    const rows = exportedRows(res.text);
    expect(rows).toHaveLength(logCount * 3);
    expect(new Set(rows.map((row) => `${row.log_id}:${row.set_number}`)).size).toBe(logCount * 3);
    const order = rows.map((row) => `${row.completed_at}|${row.log_id}|${row.set_number}`);
    expect(order).toEqual([...order].sort());
  });

  it('when not signed in, then 401', async () => {
    await exportCsv('Bearer nope').expect(401);
  });
});

describe('OpenAPI document', () => {
  it('when the routes are mounted, then the CSV body and answer are documented as text/csv', () => {
    const registry = new OpenAPIRegistry();
    transferHttp({}, registry);
    const document = buildOpenApiDocument(registry);
    const importRoute = document.paths?.['/api/workouts/logs/import']?.post;
    const body = importRoute?.requestBody;
    expect(body && 'content' in body ? Object.keys(body.content) : []).toEqual(['text/csv']);
    expect(Object.keys(importRoute?.responses ?? {}).sort()).toEqual(
      ['200', '400', '401', '409', '413', '415', '429', '503'].sort(),
    );
    const exportRoute = document.paths?.['/api/workouts/logs/export']?.get;
    const ok = exportRoute?.responses?.['200'];
    expect(ok && 'content' in ok ? Object.keys(ok.content ?? {}) : []).toEqual(['text/csv']);
    expect(exportRoute?.description).toMatch(/apostrophe/);
  });
});
