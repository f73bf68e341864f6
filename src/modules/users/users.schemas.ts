import { measurement, pageOf, pageQuery, text } from '../../lib/http/common.schemas.js';
import { isBeyondClockSkew } from '../../lib/time/clock-skew.js';
import { timeZoneSchema } from '../../lib/time/local-day.js';
import { z } from '../../lib/zod.js';

import { activityLevels, fitnessGoals, fitnessLevels, genders } from '../../lib/fitness-profile.js';

export const usernameSchema = z
  .string()
  .regex(/^[a-zA-Z0-9_.-]{3,30}$/, 'must be 3-30 letters, digits, _ . or -')
  .openapi({ example: 'sam.lifts' });

const tagList = (maxItems: number) =>
  z.array(text(60, 1)).max(maxItems, `at most ${maxItems} entries`);

const demographicsSchema = z.strictObject({
  age: z.number().int().min(13).max(120).nullable(),
  heightCm: measurement(50, 272).nullable(),
  weightKg: measurement(20, 400).nullable(),
  gender: z.enum(genders).nullable(),
  activityLevel: z.enum(activityLevels).nullable(),
});

const fitnessProfileSchema = z.strictObject({
  level: z.enum(fitnessLevels).nullable(),
  goal: z.enum(fitnessGoals).nullable(),
  healthConditions: tagList(20),
});

const dietPreferencesSchema = z.strictObject({
  cuisinePreferences: tagList(20),
  allergies: tagList(30),
});

/** The demographics the profile examples show (the profile and PATCH /me alike). */
const exampleDemographics = {
  age: 29,
  heightCm: 178,
  weightKg: 76.5,
  gender: 'male',
  activityLevel: 'moderate',
} satisfies z.input<typeof demographicsSchema>;

export const profileSchema = z
  .strictObject({
    name: text(100, 1),
    demographics: demographicsSchema,
    fitnessProfile: fitnessProfileSchema,
    dietPreferences: dietPreferencesSchema,
    /**
     * The member's home time zone: their local day (streaks, daily totals) when they are not
     * checked in at a branch, whose zone applies then. Null means UTC.
     */
    timezone: timeZoneSchema.nullable().openapi({ example: 'Europe/London' }),
  })
  .openapi('Profile', {
    example: {
      name: 'Sam Carter',
      demographics: exampleDemographics,
      fitnessProfile: { level: 'intermediate', goal: 'build_muscle', healthConditions: [] },
      dietPreferences: { cuisinePreferences: ['mediterranean'], allergies: ['peanuts'] },
      timezone: 'Europe/London',
    },
  });
export type UserProfile = z.infer<typeof profileSchema>;

/** A new account's profile: only the name is known. */
export function emptyProfile(name: string): UserProfile {
  return {
    name,
    demographics: { age: null, heightCm: null, weightKg: null, gender: null, activityLevel: null },
    fitnessProfile: { level: null, goal: null, healthConditions: [] },
    dietPreferences: { cuisinePreferences: [], allergies: [] },
    timezone: null,
  };
}

/** PATCH /me: every part optional; nested objects merge into the stored profile, null clears. */
export const updateMeBody = z
  .strictObject({
    username: usernameSchema.optional(),
    profile: z
      .strictObject({
        name: text(100, 1).optional(),
        demographics: demographicsSchema.partial().optional(),
        fitnessProfile: fitnessProfileSchema.partial().optional(),
        dietPreferences: dietPreferencesSchema.partial().optional(),
        timezone: timeZoneSchema.nullable().optional(),
      })
      .optional(),
  })
  .openapi('UpdateMe', {
    example: {
      profile: {
        demographics: exampleDemographics,
        fitnessProfile: { level: 'intermediate', goal: 'build_muscle' },
        timezone: 'Europe/London',
      },
    },
  });
export type UpdateMeBody = z.infer<typeof updateMeBody>;

const bodyMetrics = {
  weightKg: measurement(20, 400),
  bodyFatPercentage: measurement(1, 75),
  bodyFatMassKg: measurement(0, 300),
  skeletalMuscleMassKg: measurement(5, 150),
  leanBodyMassKg: measurement(10, 300),
  totalBodyWaterKg: measurement(5, 200),
  visceralFatLevel: measurement(1, 59),
  basalMetabolicRateKcal: measurement(500, 5000),
  bmi: measurement(8, 100),
};
export const bodyMetricNames = Object.keys(bodyMetrics) as (keyof typeof bodyMetrics)[];

export const createBodyCompositionBody = z
  .strictObject({
    measuredAt: z.iso
      .datetime({ offset: true })
      .transform((value) => new Date(value))
      .refine((date) => !isBeyondClockSkew(date), 'must not be in the future')
      .refine((date) => date.getUTCFullYear() >= 1900, 'must be after 1900'),
    ...(Object.fromEntries(
      Object.entries(bodyMetrics).map(([name, schema]) => [name, schema.optional()]),
    ) as { [K in keyof typeof bodyMetrics]: z.ZodOptional<(typeof bodyMetrics)[K]> }),
    notes: text(500).optional(),
  })
  .refine((body) => bodyMetricNames.some((name) => body[name] !== undefined), {
    message: 'give at least one measurement',
    path: ['weightKg'],
  })
  .openapi('NewBodyComposition', {
    example: {
      measuredAt: '2026-03-02T07:45:00+00:00',
      weightKg: 76.4,
      bodyFatPercentage: 16.8,
      skeletalMuscleMassKg: 35.9,
      notes: 'Morning, before breakfast',
    },
  });
export type CreateBodyCompositionBody = z.infer<typeof createBodyCompositionBody>;

export const bodyCompositionEntrySchema = z
  .object({
    id: z.uuid(),
    measuredAt: z.iso.datetime(),
    ...(Object.fromEntries(
      Object.entries(bodyMetrics).map(([name]) => [name, z.number().nullable()]),
    ) as { [K in keyof typeof bodyMetrics]: z.ZodNullable<z.ZodNumber> }),
    source: z.enum(['manual', 'inbody', 'scan']),
    notes: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi('BodyCompositionEntry');
export type BodyCompositionEntry = z.infer<typeof bodyCompositionEntrySchema>;
/** The latest entry as kept on the user row. */
export type BodyCompositionSnapshot = BodyCompositionEntry;

/** The profile picture as kept on the user row: the URLs the files feature gave out. */
export interface UserAvatar {
  fileId: string;
  url: string;
  thumbnailFileId: string;
  thumbnailUrl: string;
}

/** A branch the user joined, as `branches[]` shows it. */
const branchMembershipSchema = z.object({
  branchId: z.uuid(),
  branchName: z.string().openapi({ example: 'NXG Shoreditch' }),
  joinedAt: z.iso.datetime(),
});

export const userSchema = z
  .object({
    id: z.uuid(),
    username: z.string().openapi({ example: 'sam.lifts' }),
    email: z.string().openapi({ example: 'sam@example.com' }),
    emailVerified: z.boolean().openapi({
      description: 'Whether `email` was proved by a link sent to it',
    }),
    pendingEmail: z
      .string()
      .nullable()
      .openapi({
        description:
          'An address asked for by `POST /api/users/me/email`; it replaces `email` once its ' +
          'link is followed',
      }),
    role: z.enum(['member', 'staff', 'admin']),
    profile: profileSchema,
    bodyComposition: bodyCompositionEntrySchema.nullable(),
    activePlans: z.object({
      workoutPlanId: z.uuid().nullable(),
      dietPlanId: z.uuid().nullable(),
    }),
    branches: z.array(branchMembershipSchema),
    totalPoints: z.number().int().openapi({ example: 240 }),
    avatarUrl: z
      .string()
      .nullable()
      .openapi({
        description:
          'The profile picture (512 px square), set by `POST /api/upload/avatar`: ' +
          '`/api/files/{id}` (any signed-in user may fetch it), or a CDN URL when one is ' +
          'configured; null without one',
        example: '/api/files/7c1f9a52-3f0e-4a4e-9a43-0b6c0f0f4c11',
      }),
    avatarThumbnailUrl: z
      .string()
      .nullable()
      .openapi({ description: 'The same picture at 128 px square' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('User');
export type UserView = z.infer<typeof userSchema>;
export type BranchMembership = z.infer<typeof branchMembershipSchema>;

export const adminUserSchema = userSchema.extend({ isActive: z.boolean() }).openapi('AdminUser');

export const bodyCompositionPage = pageOf(bodyCompositionEntrySchema, 'BodyComposition');
export const adminUserPage = pageOf(adminUserSchema, 'AdminUser');

export const listUsersQuery = pageQuery.extend({
  q: text(100, 1).optional(),
  role: z.enum(['member', 'staff', 'admin']).optional(),
});

export const changeRoleBody = z
  .strictObject({ role: z.enum(['member', 'staff', 'admin']) })
  .openapi('ChangeRole');

export const userExportSchema = z
  .object({
    exportedAt: z.iso.datetime(),
    user: userSchema,
    bodyComposition: z.array(bodyCompositionEntrySchema),
    sessions: z.array(
      z.object({
        id: z.uuid(),
        userAgent: z.string().nullable(),
        createdAt: z.iso.datetime(),
        lastUsedAt: z.iso.datetime(),
        expiresAt: z.iso.datetime(),
        revokedAt: z.iso.datetime().nullable(),
      }),
    ),
  })
  // Each feature that keeps the user's data adds its own section (gymSessions, workoutLogs…).
  .catchall(z.unknown())
  .openapi('UserExport', {
    description:
      'Also `gymSessions` (every visit), `machineLinks` (every time a machine was held), ' +
      '`workoutLogs` (every workout log entry with its sets), `mealLogs` (every logged meal), ' +
      '`workoutPlans` and `dietPlans` (every generated plan with its customizations), `points` ' +
      '(the ledger) and `achievements`, `notifications` (the inbox, also those kept out of it), ' +
      'oldest first; `pushDevices` (tokens shortened) and `notificationPreferences`; `social` ' +
      '(privacy settings, follows both ways with their state, and the members blocked).',
  });

/** DELETE /me: the caller's password confirms that the account really goes. */
const confirmationCode = z
  .string()
  .min(6)
  .max(24)
  .optional()
  .openapi({ description: 'A TOTP or recovery code, while two-factor sign-in is on' });

export const deleteMeBody = z
  .strictObject({ password: z.string().min(1).max(1024), code: confirmationCode })
  .openapi('DeleteAccount', { example: { password: 'correct horse battery' } });

/** POST /me/email: the new address, confirmed with the password (and a code under 2FA). */
export const changeEmailBody = z
  .strictObject({
    email: z
      .string()
      .max(254, 'must be at most 254 characters')
      .pipe(z.email('must be an email address')),
    password: z.string().min(1).max(1024),
    code: confirmationCode,
  })
  .openapi('ChangeEmail', {
    example: { email: 'sam.new@example.com', password: 'correct horse battery' },
  });

declare module '../../lib/http/request-context.js' {
  /** The guard hands handlers the caller's memberships as `branches[]` shows them. */
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the view type is the body
  interface AuthenticatedMembership extends BranchMembership {}
}
