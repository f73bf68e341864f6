import type { RequestHandler } from 'express';
import { defineRoute, type RouteGroup } from '../../../lib/http/route.js';
import {
  csvBody,
  exportCsvSchema,
  exportQuery,
  importQuery,
  importResultSchema,
  strongExample,
} from './workout-log-transfer.schemas.js';
import type { WorkoutLogTransferService } from './workout-log-transfer.service.js';

/** `/api/workouts/logs/import` and `/export`: workout logs in and out as CSV. */
export function workoutLogTransferRoutes(
  transfer: WorkoutLogTransferService,
  deps: { idempotent: RequestHandler },
): RouteGroup {
  const { importMaxBytes, importMaxRows } = transfer.settings;
  return {
    basePath: '/api/workouts/logs',
    tag: 'Workout logs',
    routes: [
      defineRoute({
        method: 'post',
        path: '/import',
        summary: 'Import a Strong or Hevy CSV export',
        description:
          'The body is the file as exported by Strong or Hevy, `Content-Type: text/csv` (415 ' +
          `otherwise), at most ${importMaxBytes} bytes (\`WORKOUT_IMPORT_MAX_KB\`, 413 beyond) ` +
          `and ${importMaxRows} rows (\`WORKOUT_IMPORT_MAX_ROWS\`, 413 beyond). The app is ` +
          'recognised from the header (comma or semicolon separated), or named with `format`; ' +
          'another header is a 400. Each exercise of each workout becomes one log entry ' +
          '(`source: import`) with its sets numbered from 1, dated at the workout’s start; ' +
          'times are read as wall-clock times in the member’s zone (or `timeZone`); lb and ' +
          'miles become kg and metres. Exercises are matched to the library by name, ' +
          'case-insensitively (`Bench Press (Barbell)` also as `Barbell Bench Press`), else ' +
          'get an id derived from the name (the same name, the same id). Importing the same ' +
          'file again adds nothing (`alreadyImported`): an entry is known by app, the workout’s ' +
          'wall-clock start and the exercise. Rows that are not imported are listed with their ' +
          'line and reason: warm-up sets, rest timers, rows without a date or exercise, dates ' +
          'in the future, values that are not numbers or are negative or beyond a set’s ' +
          'limits. Honours `Idempotency-Key`.',
        access: 'user',
        body: csvBody,
        textBody: { mediaTypes: ['text/csv'], limitBytes: importMaxBytes, example: strongExample },
        query: importQuery,
        before: [deps.idempotent],
        reasons: { 409: ['IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_REQUEST_IN_PROGRESS'] },
        responses: {
          200: { description: 'What was imported and skipped', schema: importResultSchema },
        },
        handler: async ({ user, body, query }) => ({
          status: 200,
          body: await transfer.importCsv(user.userId, body, query),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/export',
        summary: 'Download the caller’s workout logs as CSV',
        description:
          'One row per set, oldest first, as an attachment: `completed_at` (ISO 8601 UTC), ' +
          '`day` (the member’s local day), `exercise_id`, `exercise_name`, `set_number`, ' +
          '`reps`, `weight_kg`, `duration_sec`, `distance_m`, `estimated_1rm_kg` (Epley), ' +
          '`notes`, `source`, `log_id`; an entry without sets is one row with the set columns ' +
          'empty. UTF-8 with a byte-order mark, CRLF, text quoted; text starting with = + - @ ' +
          'gets a leading apostrophe so spreadsheets do not run it. `from`/`to` bound the local ' +
          'day (inclusive). Streamed page by page, so any history size downloads in constant ' +
          'memory; a failure midway cuts the download rather than ending it cleanly.',
        access: 'user',
        query: exportQuery,
        responses: {
          200: {
            description: 'The CSV file',
            schema: exportCsvSchema,
            contentType: 'text/csv',
            headers: {
              'Content-Disposition':
                '`attachment; filename="workout-logs-<from>_to_<to>.csv"` (the range when given)',
              'Cache-Control': '`no-store`',
            },
          },
        },
        handler: ({ user, query }) => {
          const range = [query.from, query.to].filter(Boolean).join('_to_');
          const filename = `workout-logs${range ? `-${range}` : ''}.csv`;
          return Promise.resolve({
            status: 200,
            contentType: 'text/csv; charset=utf-8',
            headers: {
              'Content-Disposition': `attachment; filename="${filename}"`,
              'Cache-Control': 'no-store',
            },
            stream: transfer.exportCsv(user.userId, query),
          });
        },
      }),
    ],
  };
}
