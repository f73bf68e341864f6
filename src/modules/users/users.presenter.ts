import type { BodyCompositionRow } from './body-composition.table.js';
import type { BodyCompositionEntry, BranchMembership, UserView } from './users.schemas.js';
import type { UserRow } from './users.table.js';

/** A user as the API shows it, with the branches they joined; never the password hash. */
export function presentUser(row: UserRow, branches: BranchMembership[]): UserView {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    emailVerified: row.emailVerifiedAt !== null,
    pendingEmail: row.pendingEmail,
    role: row.role,
    // Profiles stored before time zones existed have none.
    profile: { ...row.profile, timezone: row.profile.timezone ?? null },
    bodyComposition: row.bodyComposition ?? null,
    activePlans: {
      workoutPlanId: row.activeWorkoutPlanId,
      dietPlanId: row.activeDietPlanId,
    },
    branches,
    totalPoints: row.totalPoints,
    avatarUrl: row.avatar?.url ?? null,
    avatarThumbnailUrl: row.avatar?.thumbnailUrl ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function presentAdminUser(
  row: UserRow,
  branches: BranchMembership[],
): UserView & { isActive: boolean } {
  return { ...presentUser(row, branches), isActive: row.isActive };
}

export function presentBodyComposition(row: BodyCompositionRow): BodyCompositionEntry {
  return {
    id: row.id,
    measuredAt: row.measuredAt.toISOString(),
    weightKg: row.weightKg,
    bodyFatPercentage: row.bodyFatPercentage,
    bodyFatMassKg: row.bodyFatMassKg,
    skeletalMuscleMassKg: row.skeletalMuscleMassKg,
    leanBodyMassKg: row.leanBodyMassKg,
    totalBodyWaterKg: row.totalBodyWaterKg,
    visceralFatLevel: row.visceralFatLevel,
    basalMetabolicRateKcal: row.basalMetabolicRateKcal,
    bmi: row.bmi,
    source: row.source,
    notes: row.notes,
    createdAt: row.createdAt.toISOString(),
  };
}
