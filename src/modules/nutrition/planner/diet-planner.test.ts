import { describe, expect, it } from 'vitest';
import { AppError } from '../../../lib/errors.js';
import {
  CALORIE_TOLERANCE,
  planDietDays,
  PROTEIN_TOLERANCE,
  type DietPlan,
  type DietPlanRequest,
  type PlannedDay,
} from './diet-planner.js';
import {
  allergenTags,
  diets,
  foodTable,
  type CuisineTag,
  type FoodEntry,
} from './food-table.data.js';
import {
  macroTargets,
  type ActivityLevel,
  type FitnessGoal,
  type Gender,
  type MacroTargets,
} from './nutrition-calculator.js';

const foodsById = new Map(foodTable.map((food) => [food.id, food]));

const everyday: MacroTargets = { calories: 2200, protein: 130, carbs: 250, fat: 75 };

function request(overrides: Partial<DietPlanRequest> = {}): DietPlanRequest {
  return {
    targets: everyday,
    days: 3,
    mealsPerDay: 4,
    allergies: [],
    cuisinePreferences: [],
    ...overrides,
  };
}

function plannedFoods(plan: DietPlan): FoodEntry[] {
  return plan.days.flatMap((day) =>
    day.meals.flatMap((meal) =>
      meal.items.map((item) => {
        const food = foodsById.get(item.foodId);
        if (!food) throw new Error(`unknown food id ${item.foodId}`);
        return food;
      }),
    ),
  );
}

function misses(day: PlannedDay, targets: MacroTargets) {
  return {
    calories: Math.abs(day.totals.calories / targets.calories - 1),
    protein: Math.abs(day.totals.protein / targets.protein - 1),
  };
}

function expectWithinTolerance(plan: DietPlan, targets: MacroTargets, label: string): void {
  for (const day of plan.days) {
    const miss = misses(day, targets);
    expect(miss.calories, `${label} day ${String(day.dayOrder)} calories`).toBeLessThanOrEqual(
      CALORIE_TOLERANCE,
    );
    expect(miss.protein, `${label} day ${String(day.dayOrder)} protein`).toBeLessThanOrEqual(
      PROTEIN_TOLERANCE,
    );
  }
}

/** A small seeded generator (mulberry32), so "random" inputs are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('diet planner: shape', () => {
  it.each([
    [3, ['breakfast', 'lunch', 'dinner']],
    [4, ['breakfast', 'lunch', 'snack', 'dinner']],
    [5, ['breakfast', 'snack', 'lunch', 'snack', 'dinner']],
    [6, ['breakfast', 'snack', 'lunch', 'snack', 'dinner', 'snack']],
  ])('when %i meals a day are asked for, then each day has meals %j', (mealsPerDay, layout) => {
    const plan = planDietDays(request({ days: 7, mealsPerDay }));

    expect(plan.days.map((day) => day.dayOrder)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const day of plan.days) {
      expect(day.meals.map((meal) => meal.mealType)).toEqual(layout);
    }
  });

  it('when a plan is made, then portions are 5 g steps and macros add up', () => {
    const plan = planDietDays(request({ mealsPerDay: 5 }));

    for (const day of plan.days) {
      let dayCalories = 0;
      for (const meal of day.meals) {
        expect(meal.items.length).toBeGreaterThan(0);
        let mealCalories = 0;
        for (const item of meal.items) {
          const food = foodsById.get(item.foodId);
          expect(food?.name).toBe(item.foodName);
          expect(item.grams % 5).toBe(0);
          expect(item.grams).toBeGreaterThan(0);
          const expected = ((food?.per100g.calories ?? 0) * item.grams) / 100;
          expect(Math.abs(item.macros.calories - expected)).toBeLessThanOrEqual(0.5);
          mealCalories += expected;
        }
        expect(Math.abs(meal.macros.calories - mealCalories)).toBeLessThanOrEqual(0.5);
        dayCalories += mealCalories;
      }
      expect(Math.abs(day.totals.calories - dayCalories)).toBeLessThanOrEqual(0.5);
    }
  });

  it('when the same request is planned twice, then the plans are identical', () => {
    const input = request({
      days: 7,
      mealsPerDay: 6,
      allergies: ['peanuts'],
      cuisinePreferences: ['Italian', 'Thai'],
    });

    expect(planDietDays(input)).toEqual(planDietDays(input));
  });

  it('when a week is planned, then no two consecutive days are the same and foods vary', () => {
    const plan = planDietDays(request({ days: 7 }));
    const dayFoods = plan.days.map((day) =>
      day.meals.flatMap((meal) => meal.items.map((item) => item.foodId)).join(','),
    );

    for (let index = 1; index < dayFoods.length; index += 1) {
      expect(dayFoods[index]).not.toBe(dayFoods[index - 1]);
    }
    expect(new Set(plannedFoods(plan).map((food) => food.slug)).size).toBeGreaterThan(40);
  });

  it('when meals are split, then each meal stays near its documented share', () => {
    const shares = [0.25, 0.35, 0.1, 0.3];
    const plan = planDietDays(request({ days: 3, mealsPerDay: 4 }));

    for (const day of plan.days) {
      day.meals.forEach((meal, index) => {
        const share = meal.macros.calories / everyday.calories;
        expect(Math.abs(share - (shares[index] ?? 0))).toBeLessThan(0.05);
      });
    }
    expect(plan.explanation.join(' ')).toContain('breakfast 25%, lunch 35%, snack 10%, dinner 30%');
  });
});

describe('diet planner: targets', () => {
  const genders: Gender[] = ['female', 'male', 'non_binary'];
  const goals: FitnessGoal[] = [
    'lose_weight',
    'build_muscle',
    'maintain',
    'improve_endurance',
    'general_fitness',
  ];
  const levels: ActivityLevel[] = ['sedentary', 'moderate', 'very_active'];
  const bodies = [
    [52, 158, 24],
    [78, 178, 38],
    [115, 185, 52],
  ] as const;

  it('when profiles across genders, goals, activity, sizes and diets are planned, then every day is within tolerance', () => {
    let planIndex = 0;
    for (const gender of genders) {
      for (const goal of goals) {
        for (const activityLevel of levels) {
          for (const [weightKg, heightCm, age] of bodies) {
            const { targets } = macroTargets({
              weightKg,
              heightCm,
              age,
              gender,
              goal,
              activityLevel,
            });
            const diet = diets[planIndex % diets.length];
            const mealsPerDay = 3 + (planIndex % 4);
            planIndex += 1;

            const plan = planDietDays(request({ targets, days: 2, mealsPerDay, diet }));

            expectWithinTolerance(
              plan,
              targets,
              `${gender}/${goal}/${activityLevel}/${String(weightKg)}kg/${String(diet)}/${String(mealsPerDay)} meals`,
            );
          }
        }
      }
    }
  });

  it('when random targets with 15–35% protein meet random diets, allergies and cuisines, then every day is within tolerance', () => {
    const random = seededRandom(20240611);
    const pick = <T>(options: readonly T[]): T =>
      options[Math.floor(random() * options.length)] as T;
    const cuisines = ['Italian', 'Indian', 'Mexican', 'Japanese', 'Middle Eastern', 'American'];

    for (let run = 0; run < 120; run += 1) {
      const calories = Math.round(1300 + random() * 3000);
      const protein = Math.round((calories * (0.15 + random() * 0.2)) / 4);
      const fat = Math.round((calories * (0.2 + random() * 0.15)) / 9);
      const carbs = Math.round((calories - 4 * protein - 9 * fat) / 4);
      const targets = { calories, protein, carbs, fat };
      const input = request({
        targets,
        days: 2,
        mealsPerDay: 3 + Math.floor(random() * 4),
        diet: pick(diets),
        allergies: random() < 0.5 ? [] : [pick(allergenTags)],
        cuisinePreferences: random() < 0.5 ? [] : [pick(cuisines)],
      });

      expectWithinTolerance(planDietDays(input), targets, JSON.stringify(input));
    }
  });
});

describe('diet planner: allergies and diets', () => {
  it('when any single allergen is listed, under any diet, then no planned food contains it', () => {
    for (const allergen of allergenTags) {
      for (const diet of diets) {
        const plan = planDietDays(
          request({ days: 3, mealsPerDay: 6, allergies: [allergen.replace('_', ' ')], diet }),
        );
        const offending = plannedFoods(plan).filter((food) => food.allergens.includes(allergen));

        expect(
          offending.map((food) => food.slug),
          `${allergen}/${diet}`,
        ).toEqual([]);
      }
    }
  });

  it('when several allergens are listed in free text, then none of them is planned', () => {
    const plan = planDietDays(
      request({
        days: 7,
        allergies: ['Peanuts', 'Tree nuts', 'lactose intolerant', 'gluten/coeliac', 'shellfish'],
      }),
    );
    const avoided = new Set(['peanut', 'tree_nut', 'dairy', 'gluten', 'shellfish']);

    expect(
      plannedFoods(plan).filter((food) => food.allergens.some((tag) => avoided.has(tag))),
    ).toEqual([]);
    expect(plan.explanation.join(' ')).toContain('Left out every food containing');
  });

  it('when an allergy is no known allergen, then foods named like it are left out and it is said', () => {
    const plan = planDietDays(request({ days: 7, mealsPerDay: 6, allergies: ['kiwi'] }));

    expect(plannedFoods(plan).map((food) => food.slug)).not.toContain('kiwi');
    expect(plan.explanation.join(' ')).toContain('"kiwi" is not an allergen we know');
  });

  it.each(diets)('when the diet is %s, then every planned food fits it', (diet) => {
    const foods = plannedFoods(planDietDays(request({ days: 7, mealsPerDay: 6, diet })));

    for (const food of foods) {
      if (diet === 'vegan') expect(food.diets.vegan, food.slug).toBe(true);
      if (diet === 'vegetarian') expect(food.diets.vegetarian, food.slug).toBe(true);
    }
    if (diet === 'omnivore') expect(foods.some((food) => !food.diets.vegetarian)).toBe(true);
  });

  it('when "vegan" is written among the preferences, then the plan is vegan and says why', () => {
    const plan = planDietDays(request({ days: 3, cuisinePreferences: ['vegan', 'Italian'] }));

    expect(plannedFoods(plan).every((food) => food.diets.vegan)).toBe(true);
    expect(plan.explanation).toContain('Diet: vegan, as written in your preferences.');
  });
});

describe('diet planner: cuisines', () => {
  function shareOf(plan: DietPlan, cuisine: CuisineTag): number {
    const foods = plannedFoods(plan);
    return foods.filter((food) => food.cuisines.includes(cuisine)).length / foods.length;
  }

  it.each([
    ['Indian', 'indian'],
    ['Mexican', 'mexican'],
    ['Japanese food', 'japanese'],
    ['Italian', 'italian'],
  ] as const)('when "%s" is preferred, then far more %s foods are planned', (text, tag) => {
    const preferred = planDietDays(request({ days: 7, cuisinePreferences: [text] }));
    const neutral = planDietDays(request({ days: 7 }));

    expect(shareOf(preferred, tag)).toBeGreaterThan(2 * shareOf(neutral, tag));
    expect(preferred.explanation.join(' ')).toContain(`Preferring ${tag}`);
  });

  it('when Indian food is preferred, then its dishes appear in the plan', () => {
    const plan = planDietDays(request({ days: 7, cuisinePreferences: ['Indian'] }));

    expect(plannedFoods(plan).some((food) => food.group === 'dishes')).toBe(true);
  });

  it('when a cuisine has too few foods for a slot, then staples fill in and the plan says so', () => {
    const plan = planDietDays(
      request({ days: 3, mealsPerDay: 6, cuisinePreferences: ['Japanese'], diet: 'vegetarian' }),
    );

    expect(plan.explanation.join(' ')).toMatch(/Too few .* choices in your cuisines/);
  });

  it('when preferences spell object property names, then they are just unknown text', () => {
    const plan = planDietDays(
      request({ cuisinePreferences: ['constructor', '__proto__'], allergies: ['toString', 'a'] }),
    );

    expect(plan.explanation).toContain(
      'Cuisines we do not know were ignored: "constructor", "__proto__".',
    );
    expect(plan.explanation.join(' ')).toContain('"a" is not an allergen we know and no food');
    expect(plan.days).toHaveLength(3);
  });

  it('when a cuisine is unknown, then it is ignored and reported', () => {
    const plan = planDietDays(request({ cuisinePreferences: ['Klingon'] }));

    expect(plan.explanation).toContain('Cuisines we do not know were ignored: "Klingon".');
  });
});

describe('diet planner: input checks', () => {
  it.each([
    [{ days: 0 }, 'days'],
    [{ days: 8 }, 'days'],
    [{ days: 2.5 }, 'days'],
    [{ mealsPerDay: 2 }, 'mealsPerDay'],
    [{ mealsPerDay: 7 }, 'mealsPerDay'],
    [{ targets: { ...everyday, calories: 300 } }, 'targets.calories'],
    [{ targets: { ...everyday, protein: 0 } }, 'targets.protein'],
    [{ targets: { ...everyday, fat: Number.NaN } }, 'targets.fat'],
  ])('when the request has %j, then a 400 error names %s', (overrides, path) => {
    const error = thrownBy(() => planDietDays(request(overrides)));

    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(400);
    expect((error as AppError).extras.errors?.map((fieldError) => fieldError.path)).toEqual([path]);
  });
});
