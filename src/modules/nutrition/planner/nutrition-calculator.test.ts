import { describe, expect, it } from 'vitest';
import { AppError } from '../../../lib/errors.js';
import {
  activityFactor,
  basalMetabolicRate,
  calorieFloor,
  goalAdjustment,
  macroTargets,
  ProfileIncompleteError,
  type ActivityLevel,
  type FitnessGoal,
  type Gender,
  type NutritionProfile,
} from './nutrition-calculator.js';

const man = { weightKg: 80, heightCm: 180, age: 30, gender: 'male' } as const;
const woman = { weightKg: 60, heightCm: 165, age: 25, gender: 'female' } as const;

const genders: Gender[] = ['female', 'male', 'non_binary', 'prefer_not_to_say'];
const levels: ActivityLevel[] = ['sedentary', 'light', 'moderate', 'active', 'very_active'];
const goals: FitnessGoal[] = [
  'lose_weight',
  'build_muscle',
  'maintain',
  'improve_endurance',
  'general_fitness',
];

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('basal metabolic rate (Mifflin–St Jeor)', () => {
  it('when a man is 80 kg, 180 cm and 30, then BMR is 10·80 + 6.25·180 − 5·30 + 5 = 1780', () => {
    expect(basalMetabolicRate(man)).toBe(1780);
  });

  it('when a woman is 60 kg, 165 cm and 25, then BMR is 600 + 1031.25 − 125 − 161 = 1345.25', () => {
    expect(basalMetabolicRate(woman)).toBe(1345.25);
  });

  it.each(['non_binary', 'prefer_not_to_say'] as const)(
    'when the gender is %s, then the midpoint constant −78 is used',
    (gender) => {
      expect(basalMetabolicRate({ ...man, gender })).toBe(1780 - 5 - 78);
    },
  );
});

describe('total daily energy', () => {
  it.each([
    ['sedentary', 1.2],
    ['light', 1.375],
    ['moderate', 1.55],
    ['active', 1.725],
    ['very_active', 1.9],
  ] as const)('when activity is %s, then TDEE is BMR × %d', (level, factor) => {
    expect(activityFactor(level)).toBe(factor);

    const result = macroTargets({ ...man, activityLevel: level, goal: 'maintain' });

    expect(result.bmr).toBe(1780);
    expect(result.tdee).toBe(Math.round(1780 * factor));
  });
});

describe('goal adjustment', () => {
  it.each([
    ['lose_weight', -0.2],
    ['build_muscle', 0.1],
    ['maintain', 0],
    ['improve_endurance', 0.05],
    ['general_fitness', 0],
  ] as const)('when the goal is %s, then TDEE changes by %d', (goal, adjustment) => {
    expect(goalAdjustment(goal)).toBe(adjustment);

    const { tdee, targets } = macroTargets({ ...man, activityLevel: 'moderate', goal });

    expect(targets.calories).toBe(Math.round(tdee * (1 + adjustment)));
  });

  it.each([
    ['female', 1200],
    ['male', 1500],
    ['non_binary', 1350],
    ['prefer_not_to_say', 1350],
  ] as const)(
    'when a small %s loses weight, then calories stop at the %d kcal floor',
    (gender, floor) => {
      const { targets, explanation } = macroTargets({
        weightKg: 45,
        heightCm: 150,
        age: 70,
        gender,
        activityLevel: 'sedentary',
        goal: 'lose_weight',
      });

      expect(calorieFloor(gender)).toBe(floor);
      expect(targets.calories).toBe(floor);
      expect(explanation.join(' ')).toContain(`Raised to ${String(floor)} kcal/day`);
    },
  );
});

describe('macro targets', () => {
  it('when a moderately active man builds muscle, then every number follows the rules', () => {
    const result = macroTargets({ ...man, activityLevel: 'moderate', goal: 'build_muscle' });

    // TDEE 1780 × 1.55 = 2759; +10% = 3034.9; protein 2.0 g/kg; fat 25%; carbs the rest.
    expect(result).toMatchObject({
      bmr: 1780,
      tdee: 2759,
      targets: { calories: 3035, protein: 160, fat: 84, carbs: 410 },
    });
    expect(result.explanation[0]).toContain('Mifflin–St Jeor');
  });

  it('when a woman loses weight, then protein is 1.8 g/kg and fat 30% of calories', () => {
    const { targets } = macroTargets({ ...woman, activityLevel: 'light', goal: 'lose_weight' });

    expect(targets.calories).toBe(Math.round(1345.25 * 1.375 * 0.8));
    expect(targets.protein).toBe(108);
    expect(targets.fat).toBe(Math.round((targets.calories * 0.3) / 9));
  });

  it('when any profile is planned, then the macros add up to the calories within rounding', () => {
    for (const gender of genders) {
      for (const level of levels) {
        for (const goal of goals) {
          for (const [weightKg, heightCm, age] of [
            [48, 155, 19],
            [75, 172, 40],
            [140, 185, 55],
          ] as const) {
            const profile = { weightKg, heightCm, age, gender, activityLevel: level, goal };
            const { targets } = macroTargets(profile);
            const fromMacros = 4 * targets.protein + 4 * targets.carbs + 9 * targets.fat;

            expect(Math.abs(fromMacros - targets.calories), JSON.stringify(profile)).toBeLessThan(
              3,
            );
            expect(targets.fat, JSON.stringify(profile)).toBeGreaterThanOrEqual(
              Math.floor(0.6 * weightKg),
            );
            expect(4 * targets.protein).toBeLessThanOrEqual(0.35 * targets.calories);
            expect(4 * targets.protein).toBeGreaterThanOrEqual(0.1 * targets.calories - 4);
            expect(Number.isInteger(targets.carbs)).toBe(true);
          }
        }
      }
    }
  });

  it('when g/kg protein would pass 35% of calories, then it is capped there', () => {
    const { targets, explanation } = macroTargets({
      weightKg: 150,
      heightCm: 170,
      age: 60,
      gender: 'female',
      activityLevel: 'sedentary',
      goal: 'lose_weight',
    });

    expect(targets.protein).toBe(Math.floor((targets.calories * 0.35) / 4));
    expect(explanation.join(' ')).toContain('outside 10–35% of calories');
  });

  it('when activity level and goal are missing, then sedentary and maintain are assumed', () => {
    const result = macroTargets({ ...woman, activityLevel: null, goal: null });

    expect(result.tdee).toBe(Math.round(1345.25 * 1.2));
    expect(result.targets.calories).toBe(result.tdee);
    expect(result.explanation).toContain('No activity level set: assumed sedentary.');
    expect(result.explanation).toContain('No goal set: assumed maintain.');
  });

  it('when weight and age are missing, then a 400 error names exactly those fields', () => {
    const profile: NutritionProfile = { heightCm: 170, gender: 'female', weightKg: null };

    const error = thrownBy(() => macroTargets(profile));

    expect(error).toBeInstanceOf(ProfileIncompleteError);
    expect(error).toBeInstanceOf(AppError);
    const incomplete = error as ProfileIncompleteError;
    expect(incomplete.missingFields).toEqual(['weightKg', 'age']);
    expect(incomplete.status).toBe(400);
    expect(incomplete.code).toBe('PROFILE_INCOMPLETE');
    expect(incomplete.extras.errors?.map((fieldError) => fieldError.path)).toEqual([
      'profile.demographics.weightKg',
      'profile.demographics.age',
    ]);
  });

  it('when the profile is empty, then all four required fields are named', () => {
    const error = thrownBy(() => macroTargets({}));

    expect((error as ProfileIncompleteError).missingFields).toEqual([
      'weightKg',
      'heightCm',
      'age',
      'gender',
    ]);
  });
});
