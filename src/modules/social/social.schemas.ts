import { pageOf, pageQuery, uuidParam } from '../../lib/http/common.schemas.js';
import { z } from '../../lib/zod.js';
import { followStatuses, privacySettings } from './social.table.js';

const timestamp = z.iso.datetime();

/** `?limit=&cursor=` of every social list, newest first. */
export const socialPageQuery = pageQuery;

export const memberParams = z
  .strictObject({ userId: uuidParam.openapi({ description: 'The other member' }) })
  .openapi('SocialMemberParams');

const privacy = z.enum(privacySettings).openapi({
  description:
    '`public`: anyone may follow, accepted at once. `followers`: a follow is a request the ' +
    'member approves or declines. `private`: no followers, nothing shared, never on leaderboards.',
});

export const socialSettingsSchema = z
  .object({
    privacy,
    showOnLeaderboards: z.boolean().openapi({
      description: 'False to stay off leaderboards (a private member never appears anyway)',
    }),
    updatedAt: timestamp.nullable().openapi({ description: 'Null while the defaults apply' }),
  })
  .openapi('SocialSettings', {
    example: {
      privacy: 'followers',
      showOnLeaderboards: true,
      updatedAt: '2026-11-25T18:04:11.512Z',
    },
  });
export type SocialSettingsView = z.infer<typeof socialSettingsSchema>;

export const updateSocialSettingsBody = z
  .strictObject({ privacy: privacy.optional(), showOnLeaderboards: z.boolean().optional() })
  .refine((body) => body.privacy !== undefined || body.showOnLeaderboards !== undefined, {
    message: 'give privacy, showOnLeaderboards or both',
  })
  .openapi('UpdateSocialSettings', { example: { privacy: 'followers' } });
export type UpdateSocialSettings = z.infer<typeof updateSocialSettingsBody>;

const memberFields = {
  userId: z.uuid(),
  username: z.string(),
  name: z.string(),
};

export const socialMemberSchema = z
  .object({
    ...memberFields,
    since: timestamp.openapi({
      description:
        'When the relation began: the follow was accepted (followers, following), the request ' +
        'was sent (follow requests), the block was made (blocks)',
    }),
  })
  .openapi('SocialMember', {
    example: {
      userId: '4b0f7a8e-2c3d-4e5f-8a9b-0c1d2e3f4a5b',
      username: 'sam_lifts',
      name: 'Sam Carter',
      since: '2026-11-25T18:04:11.512Z',
    },
  });
export type SocialMemberView = z.infer<typeof socialMemberSchema>;
export const socialMemberPageSchema = pageOf(socialMemberSchema, 'SocialMember');

export const followSchema = z
  .object({
    ...memberFields,
    status: z.enum(followStatuses).openapi({
      description: '`accepted`: you follow them; `pending`: your request waits for their answer',
    }),
    requestedAt: timestamp,
    acceptedAt: timestamp.nullable(),
  })
  .openapi('Follow', {
    example: {
      userId: '4b0f7a8e-2c3d-4e5f-8a9b-0c1d2e3f4a5b',
      username: 'sam_lifts',
      name: 'Sam Carter',
      status: 'accepted',
      requestedAt: '2026-11-25T18:04:11.512Z',
      acceptedAt: '2026-11-25T18:04:11.512Z',
    },
  });
export type FollowView = z.infer<typeof followSchema>;

export const blockSchema = z.object({ ...memberFields, since: timestamp }).openapi('Block', {
  example: {
    userId: '4b0f7a8e-2c3d-4e5f-8a9b-0c1d2e3f4a5b',
    username: 'sam_lifts',
    name: 'Sam Carter',
    since: '2026-11-25T18:04:11.512Z',
  },
});

const authorSchema = z.object({ userId: z.uuid(), username: z.string(), name: z.string() });

const feedWorkoutSchema = z.object({
  day: z.iso.date().openapi({ description: 'The author’s local day of the workout' }),
  exercises: z.array(
    z.object({ exerciseId: z.string(), exerciseName: z.string(), completedSets: z.number().int() }),
  ),
  completedSets: z.number().int(),
  volumeKg: z.number().openapi({ description: 'Sum of weight × reps over the completed sets' }),
  durationSec: z
    .number()
    .int()
    .openapi({
      description:
        'From the first entry’s completion to the last one, or to the check-out when the member ' +
        'checked out after it (0 for a single entry without a check-out)',
    }),
  startedAt: timestamp,
  finishedAt: timestamp.openapi({
    description: 'The check-out after the last entry, else the last entry’s completion',
  }),
  personalRecords: z
    .array(
      z.object({
        exerciseId: z.string(),
        exerciseName: z.string(),
        kinds: z
          .array(z.string())
          .openapi({ description: '`e1rm`, `weight`, `reps` and/or `volume`', example: ['e1rm'] }),
      }),
    )
    .openapi({ description: 'Records the workout set, by exercise (as on the workout logs)' }),
});

const feedAchievementSchema = z.object({
  key: z.string(),
  title: z.string(),
  description: z.string(),
  points: z.number().int(),
  unlockedAt: timestamp,
});

export const feedItemSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(['workout', 'achievement']),
    at: timestamp.openapi({
      description:
        'The item’s place in the feed: when the workout was completed (check-out, or the end ' +
        'of the quiet period after its last entry) or when the achievement was unlocked',
    }),
    author: authorSchema,
    workout: feedWorkoutSchema.optional().openapi({ description: 'When `kind` is `workout`' }),
    achievement: feedAchievementSchema
      .optional()
      .openapi({ description: 'When `kind` is `achievement`' }),
  })
  .openapi('FeedItem', {
    example: {
      id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      kind: 'workout',
      at: '2026-11-25T19:02:00.000Z',
      author: {
        userId: '4b0f7a8e-2c3d-4e5f-8a9b-0c1d2e3f4a5b',
        username: 'sam_lifts',
        name: 'Sam Carter',
      },
      workout: {
        day: '2026-11-25',
        exercises: [
          { exerciseId: 'bench-press', exerciseName: 'Bench press', completedSets: 4 },
          { exerciseId: 'squat', exerciseName: 'Squat', completedSets: 3 },
        ],
        completedSets: 7,
        volumeKg: 3120,
        durationSec: 2820,
        startedAt: '2026-11-25T18:15:00.000Z',
        finishedAt: '2026-11-25T19:02:00.000Z',
        personalRecords: [
          { exerciseId: 'squat', exerciseName: 'Squat', kinds: ['e1rm', 'weight'] },
        ],
      },
    },
  });
export type FeedItemView = z.infer<typeof feedItemSchema>;
export const feedPageSchema = pageOf(feedItemSchema, 'FeedItem');
