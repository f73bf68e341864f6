import { AppError } from '../../../lib/errors.js';
import type { ActivityLevel, FitnessGoal, Gender } from '../../../lib/fitness-profile.js';

/*
 * Daily energy and macro targets from a member's profile, by published formulas only, so every
 * number can be explained back to the member (`explanation`) and checked by hand.
 */

// The profile's own vocabulary, so a profile's fields can be passed in as they are.
export type { ActivityLevel, FitnessGoal, Gender };

export interface BodyMeasures {
  weightKg: number;
  heightCm: number;
  age: number;
  gender: Gender;
}

/** The profile fields the targets need; null or missing ones are reported, not guessed. */
export interface NutritionProfile {
  weightKg?: number | null;
  heightCm?: number | null;
  age?: number | null;
  gender?: Gender | null;
  /** Defaults to sedentary, the conservative choice for energy. */
  activityLevel?: ActivityLevel | null;
  /** Defaults to maintain. */
  goal?: FitnessGoal | null;
}

/** Daily targets: energy in kcal, macros in grams, all whole numbers. */
export interface MacroTargets {
  calories: number;
  protein: number;
  carbs: number;
  fat: number;
}

export interface MacroTargetsResult {
  bmr: number;
  tdee: number;
  targets: MacroTargets;
  explanation: string[];
}

export const requiredProfileFields = ['weightKg', 'heightCm', 'age', 'gender'] as const;
export type RequiredProfileField = (typeof requiredProfileFields)[number];

/**
 * The profile lacks what the formulas need. An AppError (400) so a route can let it through:
 * the problem document names each missing field under `errors`.
 */
export class ProfileIncompleteError extends AppError {
  constructor(readonly missingFields: readonly RequiredProfileField[]) {
    super(
      400,
      'PROFILE_INCOMPLETE',
      'Profile incomplete',
      `Add ${missingFields.join(', ')} to your profile to calculate nutrition targets.`,
      {
        errors: missingFields.map((field) => ({
          path: `profile.demographics.${field}`,
          message: 'is required to calculate nutrition targets',
        })),
      },
    );
    this.name = 'ProfileIncompleteError';
  }
}

// Mifflin–St Jeor's sex constant. The equation was fitted on men and women only; for anyone
// else we take the midpoint of the two, (5 + -161) / 2 = -78, rather than assume either.
const SEX_CONSTANT: Record<Gender, number> = {
  male: 5,
  female: -161,
  non_binary: -78,
  prefer_not_to_say: -78,
};

// The classic multipliers for Mifflin–St Jeor BMR (McArdle / Katch).
const ACTIVITY_FACTORS: Record<ActivityLevel, number> = {
  sedentary: 1.2,
  light: 1.375,
  moderate: 1.55,
  active: 1.725,
  very_active: 1.9,
};

// A 20% deficit loses roughly 0.5–1% of body weight a week without a crash diet; +10% supports
// muscle gain with little fat; endurance training gets a little extra to fuel the work.
const GOAL_ADJUSTMENTS: Record<FitnessGoal, number> = {
  lose_weight: -0.2,
  build_muscle: 0.1,
  maintain: 0,
  improve_endurance: 0.05,
  general_fitness: 0,
};

// Common clinical floors below which intake should be supervised: 1200 kcal for women, 1500 for
// men, and the midpoint for anyone else. They apply to every goal, not only weight loss.
const CALORIE_FLOORS: Record<Gender, number> = {
  female: 1200,
  male: 1500,
  non_binary: 1350,
  prefer_not_to_say: 1350,
};

// Protein in g per kg of body weight: the upper range (1.6–2.2) where muscle is built or kept in
// a deficit, the lower (1.2–1.4) otherwise.
const PROTEIN_G_PER_KG: Record<FitnessGoal, number> = {
  lose_weight: 1.8,
  build_muscle: 2.0,
  maintain: 1.2,
  improve_endurance: 1.4,
  general_fitness: 1.4,
};

// Fat as a share of calories: 25% where training needs the carbohydrate, 30% otherwise.
const FAT_SHARE: Record<FitnessGoal, number> = {
  lose_weight: 0.3,
  build_muscle: 0.25,
  maintain: 0.3,
  improve_endurance: 0.25,
  general_fitness: 0.3,
};

// Fat below ~0.6 g/kg risks hormonal and vitamin absorption problems.
const MIN_FAT_G_PER_KG = 0.6;
// Protein stays within the acceptable range of 10–35% of calories (IOM AMDR): g/kg targets would
// pass the top on heavy bodies and fall under the bottom for light, very active ones.
const PROTEIN_SHARE_RANGE = [0.1, 0.35] as const;

const KCAL_PER_G = { protein: 4, carbs: 4, fat: 9 } as const;

/** Resting energy in kcal/day by Mifflin–St Jeor: 10·kg + 6.25·cm − 5·age + sex constant. */
export function basalMetabolicRate({ weightKg, heightCm, age, gender }: BodyMeasures): number {
  return 10 * weightKg + 6.25 * heightCm - 5 * age + SEX_CONSTANT[gender];
}

/** The multiplier from resting energy to total daily energy for an activity level. */
export function activityFactor(level: ActivityLevel): number {
  return ACTIVITY_FACTORS[level];
}

/** The fraction of TDEE added (or, when negative, removed) for a goal. */
export function goalAdjustment(goal: FitnessGoal): number {
  return GOAL_ADJUSTMENTS[goal];
}

/** The lowest daily energy target we ever suggest for this gender. */
export function calorieFloor(gender: Gender): number {
  return CALORIE_FLOORS[gender];
}

/** Protein in g per kg of body weight for a goal. */
export function proteinPerKg(goal: FitnessGoal): number {
  return PROTEIN_G_PER_KG[goal];
}

function requireMeasures(profile: NutritionProfile): BodyMeasures {
  const { weightKg, heightCm, age, gender } = profile;
  if (weightKg == null || heightCm == null || age == null || gender == null) {
    const missing = requiredProfileFields.filter((field) => profile[field] == null);
    throw new ProfileIncompleteError(missing);
  }
  return { weightKg, heightCm, age, gender };
}

function formatConstant(constant: number): string {
  return constant >= 0 ? `+ ${String(constant)}` : `− ${String(-constant)}`;
}

const formatSigned = (fraction: number) =>
  `${fraction >= 0 ? '+' : '−'}${String(Math.round(Math.abs(fraction) * 100))}%`;

function dailyCalories(tdee: number, goal: FitnessGoal, gender: Gender, explanation: string[]) {
  const adjustment = goalAdjustment(goal);
  const adjusted = Math.round(tdee * (1 + adjustment));
  explanation.push(
    `Goal ${goal}: ${formatSigned(adjustment)} of TDEE gives ${String(adjusted)} kcal/day.`,
  );
  const floor = calorieFloor(gender);
  if (adjusted >= floor) return adjusted;
  explanation.push(
    `Raised to ${String(floor)} kcal/day, the lowest target we suggest without supervision.`,
  );
  return floor;
}

function proteinTarget(
  calories: number,
  weightKg: number,
  goal: FitnessGoal,
  explanation: string[],
): number {
  const perKg = proteinPerKg(goal);
  const byWeight = Math.round(perKg * weightKg);
  const floor = Math.ceil((calories * PROTEIN_SHARE_RANGE[0]) / KCAL_PER_G.protein);
  const cap = Math.floor((calories * PROTEIN_SHARE_RANGE[1]) / KCAL_PER_G.protein);
  const protein = Math.min(Math.max(byWeight, floor), cap);
  const basis = `${String(perKg)} g/kg × ${String(weightKg)} kg = ${String(byWeight)} g`;
  explanation.push(
    protein === byWeight
      ? `Protein: ${basis}.`
      : `Protein: ${basis} is outside 10–35% of calories, so ${String(protein)} g.`,
  );
  return protein;
}

function fatTarget(
  calories: number,
  protein: number,
  weightKg: number,
  goal: FitnessGoal,
  explanation: string[],
): number {
  const share = FAT_SHARE[goal];
  const byShare = Math.round((calories * share) / KCAL_PER_G.fat);
  const floor = Math.round(MIN_FAT_G_PER_KG * weightKg);
  // Protein comes first: only extreme weights on low calories ever reach this limit.
  const room = Math.floor((calories - protein * KCAL_PER_G.protein) / KCAL_PER_G.fat);
  const fat = Math.min(Math.max(byShare, floor), room);
  const basis = `${String(share * 100)}% of calories = ${String(byShare)} g`;
  if (fat === byShare) explanation.push(`Fat: ${basis}.`);
  else if (fat === floor) {
    explanation.push(`Fat: ${basis}, under ${String(MIN_FAT_G_PER_KG)} g/kg, so ${String(fat)} g.`);
  } else explanation.push(`Fat: ${basis}, limited to ${String(fat)} g to leave room for protein.`);
  return fat;
}

function macroSplit(
  calories: number,
  weightKg: number,
  goal: FitnessGoal,
  explanation: string[],
): MacroTargets {
  const protein = proteinTarget(calories, weightKg, goal, explanation);
  const fat = fatTarget(calories, protein, weightKg, goal, explanation);
  const remaining = calories - protein * KCAL_PER_G.protein - fat * KCAL_PER_G.fat;
  const carbs = Math.max(0, Math.round(remaining / KCAL_PER_G.carbs));
  explanation.push(
    `Carbohydrate: the remaining ${String(Math.round(remaining))} kcal = ${String(carbs)} g.`,
  );
  return { calories, protein, carbs, fat };
}

/**
 * Daily energy and macro targets for a profile: Mifflin–St Jeor BMR × activity factor, adjusted
 * for the goal and kept above the floor, then protein by body weight, fat by share of calories
 * and carbohydrate from what is left. Throws ProfileIncompleteError naming missing fields.
 */
export function macroTargets(profile: NutritionProfile): MacroTargetsResult {
  const measures = requireMeasures(profile);
  const explanation: string[] = [];
  const bmr = basalMetabolicRate(measures);
  explanation.push(
    `BMR ${String(Math.round(bmr))} kcal/day by Mifflin–St Jeor: 10 × ${String(measures.weightKg)} kg + 6.25 × ${String(measures.heightCm)} cm − 5 × ${String(measures.age)} y ${formatConstant(SEX_CONSTANT[measures.gender])} (${measures.gender}).`,
  );

  const level = profile.activityLevel ?? 'sedentary';
  if (profile.activityLevel == null) explanation.push('No activity level set: assumed sedentary.');
  const tdee = bmr * activityFactor(level);
  explanation.push(
    `TDEE ${String(Math.round(tdee))} kcal/day: BMR × ${String(activityFactor(level))} (${level}).`,
  );

  const goal = profile.goal ?? 'maintain';
  if (profile.goal == null) explanation.push('No goal set: assumed maintain.');
  const calories = dailyCalories(tdee, goal, measures.gender, explanation);
  const targets = macroSplit(calories, measures.weightKg, goal, explanation);
  return { bmr: Math.round(bmr), tdee: Math.round(tdee), targets, explanation };
}
