import { uuidParam } from '../../lib/http/common.schemas.js';
import { z } from '../../lib/zod.js';

/** The periods a leaderboard covers: this ISO week, this month (branch calendar), lifetime. */
export const leaderboardPeriods = ['week', 'month', 'all'] as const;
export type LeaderboardPeriod = (typeof leaderboardPeriods)[number];

export const LEADERBOARD_DEFAULT_LIMIT = 50;
export const LEADERBOARD_MAX_LIMIT = 100;

/** `GET /api/social/leaderboard?branchId=&period=&limit=`. */
export const leaderboardQuery = z.strictObject({
  branchId: uuidParam.openapi({ description: 'The branch whose members are ranked' }),
  period: z
    .enum(leaderboardPeriods)
    .default('week')
    .openapi({
      description:
        '`week`: the current ISO week (Monday–Sunday), `month`: the current calendar month, both ' +
        'in the branch’s time zone; `all`: lifetime points.',
    }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(LEADERBOARD_MAX_LIMIT)
    .default(LEADERBOARD_DEFAULT_LIMIT)
    .openapi({ description: 'How many of the top entries to list' }),
});
export type LeaderboardQuery = z.infer<typeof leaderboardQuery>;

const entrySchema = z
  .object({
    rank: z.number().int().min(1).openapi({
      description: 'Standard competition rank (1, 2, 2, 4) over every eligible member',
    }),
    userId: z.uuid(),
    username: z.string(),
    name: z.string(),
    points: z.number().int().openapi({ description: 'Sum of the ledger rows of the period' }),
  })
  .openapi('LeaderboardEntry');
export type LeaderboardEntry = z.infer<typeof entrySchema>;

const day = z.iso.date();

const example = {
  branchId: '3b0f6a52-8d7c-4e1a-9f2b-6c5d4e3f2a1b',
  period: 'week',
  timezone: 'Europe/London',
  from: '2026-11-23',
  to: '2026-11-29',
  rankedMembers: 3120,
  entries: [
    {
      rank: 1,
      userId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      username: 'ironmaria',
      name: 'Maria Santos',
      points: 412,
    },
    {
      rank: 2,
      userId: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
      username: 'dee_lifts',
      name: 'Dee Okafor',
      points: 380,
    },
    {
      rank: 2,
      userId: '7c6b5a49-3827-4615-a4f3-e2d1c0b9a897',
      username: 'sam.runs',
      name: 'Sam Lee',
      points: 380,
    },
  ],
  me: {
    rank: 214,
    userId: '5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716',
    username: 'newbie_noah',
    name: 'Noah Brandt',
    points: 96,
  },
};

export const leaderboardSchema = z
  .object({
    branchId: z.uuid(),
    period: z.enum(leaderboardPeriods),
    timezone: z.string().openapi({ description: 'The branch’s time zone the period is read in' }),
    from: day.nullable().openapi({
      description: 'First day of the period (branch-local date); null for `all`',
    }),
    to: day.nullable().openapi({
      description: 'Last day of the period, included; null for `all`',
    }),
    rankedMembers: z.number().int().openapi({
      description: 'How many members are ranked (eligible), including any hidden from the caller',
    }),
    entries: z.array(entrySchema).openapi({
      description: 'The top entries in rank order (ties by username), up to `limit`',
    }),
    me: entrySchema.nullable().openapi({
      description:
        'The caller’s own entry wherever it ranks; null when the caller is not ranked (not a ' +
        'member of the branch, private, or opted out of leaderboards)',
    }),
  })
  .openapi('Leaderboard', { example });
export type LeaderboardView = z.infer<typeof leaderboardSchema>;
