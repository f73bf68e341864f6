import { pageQuery } from '../../lib/http/common.schemas.js';
import { z } from '../../lib/zod.js';
import { achievementCategories } from './achievements.js';
import { pointRuleNames, pointSourceKinds } from './rewards.table.js';

/** `GET /me/points`: `?limit=&cursor=`, newest first. */
export const pointsQuery = pageQuery;

const day = z.iso.date().openapi({ example: '2026-11-25' });

export const pointsLedgerEntrySchema = z
  .object({
    id: z.uuid(),
    rule: z.enum(pointRuleNames),
    amount: z
      .number()
      .int()
      .openapi({ description: 'Positive for an award, negative for a reversal' }),
    sourceKind: z.enum(pointSourceKinds),
    sourceId: z
      .uuid()
      .nullable()
      .openapi({
        description:
          'The workout log entry, meal, gym session or unlocked achievement; null when the source ' +
          'is the day (`daily-goal`)',
      }),
    day: day.openapi({ description: 'The member-local day the points are for' }),
    reversesId: z.uuid().nullable().openapi({
      description:
        'On a negative row: the award of the same rule, day and source it takes back from',
    }),
    createdAt: z.iso.datetime(),
  })
  .openapi('PointsLedgerEntry', {
    example: {
      id: '6f1c2a4e-3b5d-4c7e-9f80-1a2b3c4d5e6f',
      rule: 'completed-set',
      amount: 8,
      sourceKind: 'workout-log',
      sourceId: '0b7e9d62-4a1f-4c3b-8e2d-5f6a7b8c9d0e',
      day: '2026-11-25',
      reversesId: null,
      createdAt: '2026-11-25T18:04:11.512Z',
    },
  });
export type PointsLedgerEntry = z.infer<typeof pointsLedgerEntrySchema>;

export const pointsPageSchema = z
  .object({
    items: z.array(pointsLedgerEntrySchema),
    nextCursor: z.string().nullable(),
    totalPoints: z
      .number()
      .int()
      .openapi({ description: 'The sum of the whole ledger', example: 240 }),
  })
  .openapi('PointsLedgerPage');

const achievementFields = {
  key: z.string().openapi({ example: 'streak-7' }),
  title: z.string().openapi({ example: 'Week warrior' }),
  description: z.string().openapi({ example: 'Train 7 days in a row.' }),
  category: z.enum(achievementCategories),
  points: z.number().int().openapi({ description: 'Bonus points the unlock awards' }),
};

export const unlockedAchievementSchema = z
  .object({ ...achievementFields, unlockedAt: z.iso.datetime() })
  .openapi('UnlockedAchievement');
export type UnlockedAchievementView = z.infer<typeof unlockedAchievementSchema>;

export const achievementProgressSchema = z
  .object({
    ...achievementFields,
    progress: z.object({
      current: z.number().int().min(0),
      target: z.number().int().min(1),
      percent: z.number().int().min(0).max(100),
    }),
  })
  .openapi('AchievementProgress');
export type AchievementProgressView = z.infer<typeof achievementProgressSchema>;

export const achievementsSchema = z
  .object({
    unlocked: z.array(unlockedAchievementSchema).openapi({ description: 'Newest unlock first' }),
    inProgress: z.array(achievementProgressSchema).openapi({
      description: 'Every achievement not yet unlocked, in catalogue order',
    }),
    totalPoints: z.number().int(),
  })
  .openapi('Achievements', {
    example: {
      unlocked: [
        {
          key: 'first-workout',
          title: 'First workout',
          description: 'Log your first completed set.',
          category: 'workouts',
          points: 10,
          unlockedAt: '2026-11-20T07:12:45.031Z',
        },
      ],
      inProgress: [
        {
          key: 'streak-7',
          title: 'Week warrior',
          description: 'Train 7 days in a row.',
          category: 'consistency',
          points: 50,
          progress: { current: 4, target: 7, percent: 57 },
        },
      ],
      totalPoints: 214,
    },
  });
export type AchievementsView = z.infer<typeof achievementsSchema>;
