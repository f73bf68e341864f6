import type { BodyCompositionRow } from './body-composition.table.js';
import type { BodyCompositionEntry, UserView } from './users.schemas.js';
import type { UserRow } from './users.table.js';

/** A user as the API shows it; never the password hash. */
export function presentUser(row: UserRow): UserView {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    role: row.role,
    profile: row.profile,
    bodyComposition: row.bodyComposition ?? null,
    activePlans: {
      workoutPlanId: row.activeWorkoutPlanId,
      dietPlanId: row.activeDietPlanId,
    },
    // Branch memberships arrive with the branches module; until then the list is empty.
    branches: [],
    totalPoints: row.totalPoints,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function presentAdminUser(row: UserRow): UserView & { isActive: boolean } {
  return { ...presentUser(row), isActive: row.isActive };
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
