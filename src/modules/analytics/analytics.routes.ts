import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import {
  COMPLIANCE_BAND_PERCENT,
  MAX_COMPLIANCE_RANGE_DAYS,
  MAX_RANGE_DAYS,
  MOVING_AVERAGE_WINDOW_DAYS,
  bodyTrendsQuery,
  bodyTrendsSchema,
  nutritionComplianceQuery,
  nutritionComplianceSchema,
  workoutProgressQuery,
  workoutProgressSchema,
  workoutSummaryQuery,
  workoutSummarySchema,
} from './analytics.schemas.js';
import type { AnalyticsService } from './analytics.service.js';

const rangeRules = (defaultDays: number, maxDays: number) =>
  `\`from\` and \`to\` are days in the member’s time zone (the branch they are checked in at, ` +
  `else their profile’s, else UTC), both included. Default: the ${defaultDays} days up to ` +
  `today there. \`from\` after \`to\`, or a range of more than ${maxDays} days, is a 400 ` +
  'naming the field.';

const freshness =
  'Computed from daily rollups of the member’s own logs, rewritten in the same transaction as ' +
  'every log change, so the answer always matches the logs; a job re-checks recently changed ' +
  'members against the raw rows.';

/** `/api/analytics`: the caller’s own training, nutrition and body-composition analytics. */
export function analyticsRoutes(analytics: AnalyticsService): RouteGroup {
  return {
    basePath: '/api/analytics',
    tag: 'Analytics',
    routes: [
      defineRoute({
        method: 'get',
        path: '/workout/summary',
        summary: 'Training summary over a range of days',
        description: [
          rangeRules(30, MAX_RANGE_DAYS),
          '**Workouts**: `trainingDays` are distinct days with at least one log entry, ' +
            '`logEntries` the entries (one per exercise done). **Volume** is Σ reps × weightKg ' +
            'over sets with a weight (bodyweight sets add reps and sets, not volume); **time** ' +
            'is Σ of the sets’ `durationSec`.',
          '**Muscle groups**: each set counts fully (sets and volume) for every primary muscle ' +
            'of its exercise in the exercise library; exercises the library does not know count ' +
            'as `other`. `weeklyMuscleVolume` lists every ISO week (Monday to Sunday) that ' +
            'overlaps the range, counting only days inside it.',
          '**Completion** compares training days with the active workout plan: `plannedDays` ' +
            '= max(1, round(days per week of the plan × days in range ÷ 7)), `percentage` = ' +
            'training days ÷ planned days, capped at 100. The plan active now is applied to ' +
            'the whole range; null without an active plan.',
          freshness,
        ].join('\n\n'),
        access: 'user',
        query: workoutSummaryQuery,
        responses: { 200: { description: 'The summary', schema: workoutSummarySchema } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await analytics.workoutSummary(user.userId, query),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/workout/progress',
        summary: 'Progress of one exercise',
        description: [
          rangeRules(365, MAX_RANGE_DAYS),
          'Per day the exercise was logged: `bestE1rmKg`, the highest estimated one-repetition ' +
            'maximum of its sets (**Epley**: weight × (1 + reps ÷ 30), stored with each set), ' +
            '`bestSet`, the heaviest set (most reps on equal weight), `mostReps` in one set and ' +
            'the day’s volume (Σ reps × weightKg).',
          '`personalRecords` lists the entries in the range that set a record when logged ' +
            '(`e1rm`, `weight`, `reps`, `volume`, as flagged on the entry). `currentBests` are ' +
            'the bests over all history, whatever the range, each with the first day it was ' +
            'reached. An exercise never logged answers empty lists and null bests.',
          freshness,
        ].join('\n\n'),
        access: 'user',
        query: workoutProgressQuery,
        responses: { 200: { description: 'The progress', schema: workoutProgressSchema } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await analytics.workoutProgress(user.userId, query),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/nutrition/compliance',
        summary: 'Calories and macros eaten against the targets',
        description: [
          rangeRules(30, MAX_COMPLIANCE_RANGE_DAYS),
          'One entry per day with at least one logged meal (days without meals are not ' +
            'counted, as the member may simply not have logged them). `targets` are the day’s ' +
            'targets (the active diet plan’s), null when the member has none. ' +
            '`percentOfTarget` = eaten ÷ target × 100; a macro is **within target** when it ' +
            `is within ±${COMPLIANCE_BAND_PERCENT}% of its target, and the day is \`onTarget\` ` +
            'when its calories are.',
          '`overall`: `averageEaten` per logged day; `percentOfTarget` is Σ eaten ÷ Σ targets ' +
            'over the days with targets; `daysOnTarget` counts days on target.',
          freshness,
        ].join('\n\n'),
        access: 'user',
        query: nutritionComplianceQuery,
        responses: {
          200: { description: 'The compliance', schema: nutritionComplianceSchema },
        },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await analytics.nutritionCompliance(user.userId, query),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/body/trends',
        summary: 'A body-composition metric over time',
        description: [
          rangeRules(365, MAX_RANGE_DAYS),
          'Points are the body-composition entries measured in the range that have the ' +
            'metric, oldest first. **Moving average**: for each point, the mean of every value ' +
            `measured in the ${MOVING_AVERAGE_WINDOW_DAYS} × 24 h up to and including it, ` +
            'entries just before the range included, so day-to-day water swings flatten out. ' +
            '`change` runs from the first to the last point of the range (`percent` of the ' +
            'first value); null without points.',
        ].join('\n\n'),
        access: 'user',
        query: bodyTrendsQuery,
        responses: { 200: { description: 'The trend', schema: bodyTrendsSchema } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await analytics.bodyTrends(user.userId, query),
        }),
      }),
    ],
  };
}
