import type { RequestHandler } from 'express';
import { SYNC_OVERLAP_SECONDS } from '../../lib/http/cursor.js';
import { CLOCK_SKEW_ALLOWANCE_SECONDS } from '../../lib/time/clock-skew.js';
import { idParams } from '../../lib/http/common.schemas.js';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import {
  MAX_MEALS_PER_DAY,
  copiedMealDaySchema,
  copyMealDayBody,
  copyMealLogBody,
  createMealLogBody,
  mealListQuery,
  mealListResponseSchema,
  mealLogSchema,
  updateMealLogBody,
} from './meal-logs.schemas.js';
import type { MealLogsService } from './meal-logs.service.js';

const idempotencyConflicts = ['IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_REQUEST_IN_PROGRESS'] as const;

const theDay =
  'A meal’s `day` is the member’s local day of `consumedAt`: in the zone of the branch they ' +
  'are checked in at, else their profile’s `timezone`, else UTC.';

/** `/api/nutrition/meals`: the member's meal diary. */
export function mealLogsRoutes(
  mealLogs: MealLogsService,
  deps: { idempotent: RequestHandler },
): RouteGroup {
  return {
    basePath: '/api/nutrition',
    tag: 'Nutrition',
    routes: [
      defineRoute({
        method: 'post',
        path: '/meals',
        summary: 'Log a meal',
        description:
          'With `macros` as eaten (source `manual`), or with `items` of the food database and ' +
          'grams (source `foods`): each item’s macros are its food’s per-100 g values × grams ' +
          '/ 100, rounded to 0.1, and the meal’s the sum of its items. Exactly one of the two. ' +
          'An unknown `foodId` is a 400 at `body.items.<n>.foodId`. `imageId` must be the ' +
          'caller’s own upload of `POST /api/upload/meal-images` (else 422 at `body.imageId`). ' +
          '`consumedAt` may lie in the past (meals logged offline and synced ' +
          `later) but not more than ${String(CLOCK_SKEW_ALLOWANCE_SECONDS / 60)} minutes in the ` +
          `future (clock skew). ${theDay} Honours \`Idempotency-Key\`.`,
        access: 'user',
        body: createMealLogBody,
        before: [deps.idempotent],
        reasons: { 409: [...idempotencyConflicts] },
        errors: [422],
        responses: { 201: { description: 'The logged meal', schema: mealLogSchema } },
        handler: async ({ user, body }) => ({
          status: 201,
          body: await mealLogs.create(user.userId, body),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/meals',
        summary: 'A day’s meals against its targets; a range of days; or changes to sync',
        description:
          'Three uses, one at a time:\n\n' +
          '- `?date=` (default today in the member’s zone): `{ date, meals, totals, targets, ' +
          'targetsSource, remaining }`. Targets are the active diet plan’s, else Mifflin–St ' +
          'Jeor macros from the profile (built in, no service call), else null when the ' +
          'profile lacks weight, height, age or gender. Targets are today’s plan or profile, ' +
          `also for past days. At most ${String(MAX_MEALS_PER_DAY)} meals are listed; totals ` +
          'count them all.\n' +
          '- `?from=&to=` (days, inclusive, either may be left out): `{ items, nextCursor }`, ' +
          'newest first, paged with `limit` and `cursor`.\n' +
          '- `?updatedSince=` (two-way sync): `{ items, deleted, nextCursor, syncCursor }` — ' +
          'meals created or changed and ids of meals deleted, oldest change first, paged. ' +
          'Follow `nextCursor` (with the same `updatedSince`) until it is null, then keep ' +
          '`syncCursor` as the next sync’s `updatedSince`. Changes from ' +
          `${String(SYNC_OVERLAP_SECONDS / 60)} minutes before \`updatedSince\` are returned ` +
          'again, so that a write that committed late with an earlier time is never missed; ' +
          'apply changes by id (upsert; delete if present) and replays are harmless.',
        access: 'user',
        query: mealListQuery,
        responses: {
          200: {
            description: 'The day view, a page of meals, or a page of changes',
            schema: mealListResponseSchema,
          },
        },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await mealLogs.list(user.userId, query),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/meals/copy-day',
        summary: 'Copy a whole day’s meals to another day',
        description:
          'Copies every meal of `fromDate` (or of `mealTypes` only) to `toDate`, at the same ' +
          'local times, in one transaction: all are copied or none. Copies keep the original’s ' +
          'description, macros, items and image, and have source `copy`. `toDate` may not be ' +
          'after today (a time of today still ahead becomes now). A day with nothing to copy ' +
          `is a 404; one with more than ${String(MAX_MEALS_PER_DAY)} meals a 400. Honours ` +
          '`Idempotency-Key`.',
        access: 'user',
        body: copyMealDayBody,
        before: [deps.idempotent],
        errors: [404],
        reasons: { 409: [...idempotencyConflicts] },
        responses: { 201: { description: 'The copies', schema: copiedMealDaySchema } },
        handler: async ({ user, body }) => ({
          status: 201,
          body: await mealLogs.copyDay(user.userId, body),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/meals/:id',
        summary: 'One meal',
        description: `The caller’s meal; another member’s is a 404. ${theDay}`,
        access: 'user',
        params: idParams,
        errors: [404],
        responses: { 200: { description: 'The meal', schema: mealLogSchema } },
        handler: async ({ user, params }) => ({
          status: 200,
          body: await mealLogs.get(user.userId, params.id),
        }),
      }),
      defineRoute({
        method: 'patch',
        path: '/meals/:id',
        summary: 'Correct a meal',
        description:
          'Changes `mealType`, `mealDescription`, `consumedAt` (the meal moves to that time’s ' +
          'local day), `imageId`, and either `macros` (source becomes `manual`, items dropped) ' +
          'or `items` (macros recomputed, source `foods`). Another member’s meal is a 404; an ' +
          '`imageId` that is not the caller’s meal-image upload is a 422.',
        access: 'user',
        params: idParams,
        body: updateMealLogBody,
        errors: [404, 422],
        responses: { 200: { description: 'The meal as changed', schema: mealLogSchema } },
        handler: async ({ user, params, body }) => ({
          status: 200,
          body: await mealLogs.update(user.userId, params.id, body),
        }),
      }),
      defineRoute({
        method: 'delete',
        path: '/meals/:id',
        summary: 'Remove a meal',
        description:
          'Leaves a tombstone, in the same transaction, so phones learn of the deletion through ' +
          '`?updatedSince=`. Another member’s meal is a 404.',
        access: 'user',
        params: idParams,
        errors: [404],
        responses: { 204: { description: 'Removed' } },
        handler: async ({ user, params }) => {
          await mealLogs.delete(user.userId, params.id);
          return { status: 204 };
        },
      }),
      defineRoute({
        method: 'post',
        path: '/meals/:id/copy',
        summary: 'Copy a meal to another day',
        description:
          'A new meal on `date` (default today; not after today) at the original’s local time ' +
          '(now, when that is still ahead today), with the original’s description, macros, ' +
          'items and image, source `copy`, and `mealType` if given. Another member’s meal is a ' +
          '404. Honours `Idempotency-Key`.',
        access: 'user',
        params: idParams,
        body: copyMealLogBody,
        before: [deps.idempotent],
        errors: [404],
        reasons: { 409: [...idempotencyConflicts] },
        responses: { 201: { description: 'The copy', schema: mealLogSchema } },
        handler: async ({ user, params, body }) => ({
          status: 201,
          body: await mealLogs.copy(user.userId, params.id, body),
        }),
      }),
    ],
  };
}
