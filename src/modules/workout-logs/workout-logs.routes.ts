import type { RequestHandler } from 'express';
import { SYNC_OVERLAP_SECONDS } from '../../lib/http/cursor.js';
import { CLOCK_SKEW_ALLOWANCE_SECONDS } from '../../lib/time/clock-skew.js';
import { idParams } from '../../lib/http/common.schemas.js';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import {
  createWorkoutLogBody,
  dayActivityQuery,
  dayActivitySchema,
  exerciseRecordsPage,
  listWorkoutLogsQuery,
  recordsQuery,
  updateWorkoutLogBody,
  workoutLogListSchema,
  workoutLogSchema,
} from './workout-logs.schemas.js';
import type { WorkoutLogsService } from './workout-logs.service.js';

const epley =
  'Estimated one-rep max (e1RM) is Epley’s: weightKg × (1 + reps / 30) per set, and the ' +
  'weight itself for a single rep; sets without weight or reps have none.';

const oneHistory =
  'Sets sent live over the `/workouts` socket (`workout:progress`, from the app or a linked ' +
  'machine) are stored in the same entries: the latest entry of that exercise on the member’s ' +
  'day, created by its first set.';

/** `/api/workouts`: the member's workout log, records and day activity. */
export function workoutLogsRoutes(
  workoutLogs: WorkoutLogsService,
  deps: { idempotent: RequestHandler },
): RouteGroup {
  return {
    basePath: '/api/workouts',
    tag: 'Workout logs',
    routes: [
      defineRoute({
        method: 'post',
        path: '/logs',
        summary: 'Log an exercise',
        description:
          'One entry per exercise done, with its sets: either `completedSets` × ' +
          '`completedReps` at `weightKg` / `durationSec` each, or `sets` when they differ ' +
          '(then `completedSets`, if given, must equal their number and `completedReps`, if ' +
          'given, the reps of every set; top-level `weightKg` / `durationSec` fill sets that ' +
          'give none). The entry’s `day` is `completedAt` in the member’s zone (the branch ' +
          'they are checked in at, else their profile’s zone, else UTC). `completedAt` may be ' +
          `in the past (offline logging) but at most ${String(CLOCK_SKEW_ALLOWANCE_SECONDS)} s ` +
          'in the future. `machineId` needs a current link to that machine (409 otherwise, ' +
          `also for past entries). ${epley} \`personalRecords\` says which of the member’s ` +
          'records for the exercise the entry set. Honours `Idempotency-Key`. ' +
          oneHistory,
        access: 'user',
        body: createWorkoutLogBody,
        before: [deps.idempotent],
        reasons: {
          409: ['MACHINE_NOT_LINKED', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_REQUEST_IN_PROGRESS'],
        },
        responses: { 201: { description: 'The entry', schema: workoutLogSchema } },
        handler: async ({ user, body }) => ({
          status: 201,
          body: await workoutLogs.create(user.userId, body),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/logs',
        summary: 'The member’s workout log, or what changed since a sync',
        description:
          'Without `updatedSince`: entries newest first (by `completedAt`), of the days ' +
          '`from`–`to` when given (inclusive, compared with each entry’s `day`, the member’s ' +
          'local day).\n\n' +
          'With `updatedSince` (an ISO time: the `syncCursor` of the previous sync, as for ' +
          'meals; not ' +
          'with `from`/`to`): entries created or changed since, and `deleted` entries, oldest ' +
          'change first, in pages (keep `updatedSince` and pass `cursor` = `nextCursor`). The ' +
          'last page carries `syncCursor` for next time. Each sync re-reads the ' +
          `${String(SYNC_OVERLAP_SECONDS)} s before its start, so a change that committed ` +
          'late with an earlier time is not missed; apply items by `id` (an entry can come ' +
          'twice, and a deleted id may have been sent as an item before).',
        access: 'user',
        query: listWorkoutLogsQuery,
        responses: {
          200: { description: 'A page of entries (and deletions)', schema: workoutLogListSchema },
        },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await workoutLogs.list(user.userId, query),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/logs/:id',
        summary: 'One workout log entry',
        access: 'user',
        params: idParams,
        errors: [404],
        responses: { 200: { description: 'The entry', schema: workoutLogSchema } },
        handler: async ({ user, params }) => ({
          status: 200,
          body: await workoutLogs.get(user.userId, params.id),
        }),
      }),
      defineRoute({
        method: 'patch',
        path: '/logs/:id',
        summary: 'Correct a workout log entry',
        description:
          'Changes the exercise name, notes (null clears them), `completedAt` (which may move ' +
          'the entry to another day) or the sets (`sets` replaces all of them, numbered from ' +
          '1). The record flags of this exercise’s entries from the earlier of the old and new ' +
          'times on are recomputed. Another member’s entry is 404.',
        access: 'user',
        params: idParams,
        body: updateWorkoutLogBody,
        errors: [404],
        responses: { 200: { description: 'The corrected entry', schema: workoutLogSchema } },
        handler: async ({ user, params, body }) => ({
          status: 200,
          body: await workoutLogs.update(user.userId, params.id, body),
        }),
      }),
      defineRoute({
        method: 'delete',
        path: '/logs/:id',
        summary: 'Delete a workout log entry',
        description:
          'The entry and its sets go; syncing devices learn of it from `GET /logs?updatedSince=`. ' +
          'Records it held pass to the best remaining entries.',
        access: 'user',
        params: idParams,
        errors: [404],
        responses: { 204: { description: 'Deleted' } },
        handler: async ({ user, params }) => {
          await workoutLogs.remove(user.userId, params.id);
          return { status: 204 };
        },
      }),
      defineRoute({
        method: 'get',
        path: '/records',
        summary: 'Personal records per exercise',
        description:
          'For each exercise the member has logged (by `exerciseId`; `exerciseId=` for one), ' +
          'the current best estimated 1RM, heaviest weight (a set of at least one rep), most ' +
          'reps in a set and best volume of an entry (Σ reps × weight), each with the entry ' +
          `that set it (the earliest to reach it). ${epley}`,
        access: 'user',
        query: recordsQuery,
        responses: { 200: { description: 'Records by exercise', schema: exerciseRecordsPage } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await workoutLogs.records(user.userId, query),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/activity',
        summary: 'A day’s workout activity',
        description:
          'The exercises the active workout plan assigns to `date` (default: today in the ' +
          'member’s zone), which were completed (any entry of that exercise that day), ' +
          '`completionPercentage`, and the day’s entries. A plan of N days a week trains on ' +
          'fixed weekdays, its days taken in `dayOrder`: 1 Mon; 2 Mon, Thu; 3 Mon, Wed, Fri; ' +
          '4 Mon, Tue, Thu, Fri; 5 Mon–Fri; 6 Mon–Sat; 7 every day (a longer cycle places its ' +
          'first seven days). Other weekdays are rest days. Without an active plan, or on a ' +
          'rest day, nothing is assigned and `completionPercentage` is null.',
        access: 'user',
        query: dayActivityQuery,
        responses: { 200: { description: 'The day', schema: dayActivitySchema } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await workoutLogs.dayActivity(user.userId, query.date),
        }),
      }),
    ],
  };
}
