import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import {
  LEADERBOARD_DEFAULT_LIMIT,
  LEADERBOARD_MAX_LIMIT,
  leaderboardQuery,
  leaderboardSchema,
} from './leaderboard.schemas.js';
import type { LeaderboardService } from './leaderboard.service.js';

/** `GET /api/social/leaderboard`: a branch's members ranked by points. */
export function leaderboardRoutes(leaderboard: LeaderboardService): RouteGroup {
  return {
    basePath: '/api/social',
    tag: 'Social',
    routes: [
      defineRoute({
        method: 'get',
        path: '/leaderboard',
        summary: 'A branch’s members ranked by points this week, this month or ever',
        description: [
          'For the branch’s members, its staff and admins (anyone else 403; an unknown branch 404).',
          '**Points** are the sum of the member’s points-ledger rows in the period, reversals ' +
            '(negative rows) included; `all` is the lifetime total (`totalPoints` of the member). ' +
            'A ledger row carries the member-local `day` it is for, and counts in the period ' +
            'whose dates contain that day: `week` is the ISO week (Monday to Sunday) and `month` ' +
            'the calendar month that contain *today in the branch’s time zone*, given back as ' +
            '`from`–`to` (branch-local dates, both included). Days are compared as dates: a row ' +
            'for Sunday counts in the week ending that Sunday, whatever zone the member was in.',
          '**Who is ranked**: every member of the branch with an active account, 0 points ' +
            'included, except members whose privacy is `private` or who turned ' +
            '`showOnLeaderboards` off (a member without settings is shown). The ranking is ' +
            'standard competition ranking (1, 2, 2, 4); equal points are listed by username ' +
            '(case-insensitive). Members who blocked the caller, or whom the caller blocked, are ' +
            'left out of what the caller sees but keep their place: ranks are computed over ' +
            'everyone ranked, so the caller may see a rank skipped.',
          `\`entries\`: the first \`limit\` entries the caller may see (default ` +
            `${String(LEADERBOARD_DEFAULT_LIMIT)}, at most ${String(LEADERBOARD_MAX_LIMIT)}). ` +
            '`me`: the caller’s own entry wherever it ranks (also when it is in `entries`), or ' +
            'null when the caller is not ranked (staff, admins, private or opted-out members).',
          'Always current: read from per-branch sums kept in the transaction that writes each ' +
            'ledger row (and in those that change a membership, a username or social settings), ' +
            'not from a cache.',
        ].join('\n\n'),
        access: 'user',
        query: leaderboardQuery,
        errors: [403, 404],
        responses: { 200: { description: 'The ranking', schema: leaderboardSchema } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await leaderboard.leaderboard(user, query),
        }),
      }),
    ],
  };
}
