import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { dietPlans } from '../nutrition/nutrition.table.js';
import type { DailyTargets } from './analytics.service.js';

/**
 * Daily targets read straight from the member's active diet plan (the same every day; null
 * without an active plan). The nutrition module's own `dailyTargetsOf`, which also falls back to
 * the profile's macro targets, replaces this in the container once it exists.
 */
export function activeDietPlanTargets(db: Database): DailyTargets {
  return {
    async dailyTargetsOf(userId) {
      const [plan] = await db
        .select({ targets: dietPlans.targets })
        .from(dietPlans)
        .where(and(eq(dietPlans.userId, userId), eq(dietPlans.isActive, true)))
        .limit(1);
      return plan?.targets ?? null;
    },
  };
}
