import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import { achievementCatalogue } from './achievements.js';
import { pointRulesDescription } from './point-rules.js';
import { achievementsSchema, pointsPageSchema, pointsQuery } from './rewards.schemas.js';
import type { RewardsService } from './rewards.service.js';

const achievementList = achievementCatalogue
  .map(
    (achievement) =>
      `| \`${achievement.key}\` | ${achievement.title} | ${achievement.description} | ` +
      `${achievement.category} | ${String(achievement.points)} |`,
  )
  .join('\n');

/** `/api/users/me/points` and `/api/users/me/achievements`: the caller's points and badges. */
export function rewardsRoutes(rewards: RewardsService): RouteGroup {
  return {
    basePath: '/api/users/me',
    tag: 'Points and achievements',
    routes: [
      defineRoute({
        method: 'get',
        path: '/points',
        summary: 'The caller’s points ledger, newest first',
        description:
          `Every award and reversal of the caller's points as a row, newest first, with ` +
          '`totalPoints` (the same as on `GET /api/users/me`: always the sum of the ledger).\n\n' +
          pointRulesDescription,
        access: 'user',
        query: pointsQuery,
        responses: { 200: { description: 'A page of the ledger', schema: pointsPageSchema } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await rewards.pointsOf(user.userId, query),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/achievements',
        summary: 'The caller’s achievements and progress toward the rest',
        description:
          'Each achievement unlocks once, in the transaction that records the activity reaching ' +
          'it, and stays unlocked when that activity is later deleted (its points are taken ' +
          'back, the unlock and its bonus are not). An unlock sends a `notification` ' +
          '(`type: "achievement-unlocked"`, `key`, `title`, `points`) to the member’s sockets on ' +
          '`/workouts`. Progress is computed from the logs: lifetime counts, and for streaks the ' +
          'current run of consecutive member-local days (ending today, or yesterday when today ' +
          'has nothing yet). Days are the member’s local days (the branch they are checked in ' +
          'at, else their profile’s time zone, else UTC). A gym visit is a day with a check-in. ' +
          'A day is on its calorie target when its meals add up to within ±10% of the day’s ' +
          'target, judged when its meals change.\n\n' +
          '| key | title | description | category | bonus |\n|---|---|---|---|---|\n' +
          achievementList,
        access: 'user',
        responses: { 200: { description: 'Unlocked and in progress', schema: achievementsSchema } },
        handler: async ({ user }) => ({
          status: 200,
          body: await rewards.achievementsOf(user.userId),
        }),
      }),
    ],
  };
}
