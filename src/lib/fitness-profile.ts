/**
 * The words a member's profile is described in. Users store them; the workout and nutrition
 * planners reason with them, so they live below every feature module.
 */
export const genders = ['female', 'male', 'non_binary', 'prefer_not_to_say'] as const;
export const activityLevels = ['sedentary', 'light', 'moderate', 'active', 'very_active'] as const;
export const fitnessLevels = ['beginner', 'intermediate', 'advanced'] as const;
export const fitnessGoals = [
  'lose_weight',
  'build_muscle',
  'maintain',
  'improve_endurance',
  'general_fitness',
] as const;

export type Gender = (typeof genders)[number];
export type ActivityLevel = (typeof activityLevels)[number];
export type FitnessLevel = (typeof fitnessLevels)[number];
export type FitnessGoal = (typeof fitnessGoals)[number];
