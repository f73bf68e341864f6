import { createHash } from 'node:crypto';
import type { Database } from '../../db/database.js';
import { mapPage, type PageRequest } from '../../db/keyset-page.js';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import {
  copyPagedCatalogue,
  type FoodDatabasePage,
  type MealPlan,
  type NutritionPlanningClient,
} from '../../integrations/index.js';
import { PlansService, type ActivePlanSlots, type PlanSource } from '../plans/index.js';
import type { UserRow, UsersRepository } from '../users/index.js';
import { planDietDays } from './planner/diet-planner.js';
import { foodId, foodTable } from './planner/food-table.data.js';
import {
  macroTargets,
  ProfileIncompleteError,
  type MacroTargets,
  type NutritionProfile,
} from './planner/nutrition-calculator.js';
import { dietPlansRepository, nutritionRepository } from './nutrition.repository.js';
import { presentDietPlan, presentFood } from './nutrition.presenter.js';
import type {
  CalculateMacrosBody,
  DietPlanData,
  DietPlanView,
  GenerateDietPlanBody,
  MacrosResult,
} from './nutrition.schemas.js';
import type { DietPlanRow, NewFoodRow, dietPlans } from './nutrition.table.js';

// The service takes at most this many allergies; a member with more is planned for locally so
// that no allergy is silently dropped.
const SERVICE_MAX_ALLERGIES = 20;

export interface NutritionServiceDeps {
  db: Database;
  /**
   * Where the active plan is recorded on the user, and the profile daily targets are computed
   * from (the users module's repository).
   */
  accounts: ActivePlanSlots & Pick<UsersRepository, 'findById'>;
  logger: Logger;
  planningService: NutritionPlanningClient;
  /** One user request's time for the service, shared by all its calls (AI_REQUEST_BUDGET_MS). */
  requestBudgetMs: number;
}

/** Where a member's daily targets come from: the active diet plan, else the profile. */
export type DailyTargetsSource = 'diet-plan' | 'profile';

/** A member's daily macro targets, or null when neither a plan nor the profile gives them. */
export type DailyTargets =
  { targets: MacroTargets; source: DailyTargetsSource } | { targets: null; source: null };

export interface GeneratedDietPlan {
  plan: DietPlanView;
  source: PlanSource;
}

/** Service food ids become stable UUIDs of our own, distinct from built-in slugs. */
const serviceFoodId = (externalId: string) => foodId(`service:${externalId}`);

const serviceGoal = {
  lose_weight: 'lose',
  build_muscle: 'gain',
  improve_endurance: 'maintain',
  maintain: 'maintain',
  general_fitness: 'maintain',
} as const;

/** The profile's body facts, with whatever the request overrides. */
function nutritionProfile(account: UserRow, overrides: CalculateMacrosBody): NutritionProfile {
  const { demographics, fitnessProfile } = account.profile;
  return {
    weightKg: overrides.weightKg ?? demographics.weightKg,
    heightCm: overrides.heightCm ?? demographics.heightCm,
    age: overrides.age ?? demographics.age,
    gender: overrides.gender ?? demographics.gender,
    activityLevel: overrides.activityLevel ?? demographics.activityLevel,
    goal: overrides.goal ?? fitnessProfile.goal,
  };
}

function fromServicePlan(plan: MealPlan): DietPlanData {
  return {
    days: plan.days.map((day) => ({
      dayOrder: day.dayOrder,
      totals: day.macros,
      meals: day.meals.map((meal) => ({
        mealType: meal.mealType,
        macros: meal.macros,
        items: meal.foods.map((food) => ({
          foodId: serviceFoodId(food.foodId),
          foodName: food.name,
          grams: food.grams,
          macros: food.macros,
        })),
      })),
    })),
  };
}

/** A food of the service's database as a row of ours. */
function foodRowFromService(food: FoodDatabasePage['foods'][number]): NewFoodRow {
  return {
    id: serviceFoodId(food.foodId),
    source: 'service',
    externalId: food.foodId,
    name: food.brand ? `${food.name} (${food.brand})` : food.name,
    foodGroup: null,
    caloriesPer100g: food.macrosPer100g.calories,
    proteinPer100g: food.macrosPer100g.protein,
    carbsPer100g: food.macrosPer100g.carbs,
    fatPer100g: food.macrosPer100g.fat,
    fiberPer100g: null,
    // The service lists no allergens: unknown, which is not the same as none.
    allergens: null,
    servingGrams: food.servingGrams,
  };
}

/**
 * Macro targets and diet plans: from the Nutrition Planning service when it answers, else
 * the member's stored plan, else the built-in calculator and planner; plus the food database.
 */
export class NutritionService {
  private readonly plans: PlansService<DietPlanRow, typeof dietPlans.$inferInsert>;

  constructor(private readonly deps: NutritionServiceDeps) {
    this.plans = new PlansService({
      db: deps.db,
      accounts: deps.accounts,
      logger: deps.logger,
      plans: dietPlansRepository,
      kind: { label: 'Diet plan', activeSlot: 'dietPlanId', serviceName: 'nutrition planning' },
    });
  }

  /** BMR, TDEE and daily targets: the service's, or Mifflin–St Jeor when it cannot answer. */
  async calculateMacros(
    account: UserRow,
    overrides: CalculateMacrosBody,
    deadline = Date.now() + this.deps.requestBudgetMs,
  ): Promise<MacrosResult> {
    const profile = nutritionProfile(account, overrides);
    const { weightKg, heightCm, age, gender } = profile;
    const sex = gender === 'female' || gender === 'male' ? gender : undefined;
    if (this.deps.planningService.status().configured && weightKg && heightCm && age && sex) {
      try {
        const answer = await this.deps.planningService.calculateMacros(
          {
            sex,
            age,
            heightCm,
            weightKg,
            activityLevel: profile.activityLevel ?? 'sedentary',
            goal: serviceGoal[profile.goal ?? 'maintain'],
          },
          { deadline },
        );
        return {
          ...answer,
          source: 'ai',
          explanation: ['Calculated by the Nutrition Planning service.'],
        };
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        this.deps.logger.warn(
          { code: error.code },
          'macro calculation fell back to the built-in formula',
        );
      }
    }
    return { ...macroTargets(profile), source: 'fallback' };
  }

  async generate(account: UserRow, body: GenerateDietPlanBody): Promise<GeneratedDietPlan> {
    // Targets and plan share one budget, so a slow service cannot double the wait.
    const deadline = Date.now() + this.deps.requestBudgetMs;
    const macros = await this.calculateMacros(account, { goal: body.goal }, deadline);
    const preferences = account.profile.dietPreferences;
    const request = {
      targets: macros.targets,
      days: body.days ?? 7,
      mealsPerDay: body.mealsPerDay ?? 3,
      allergies: [...preferences.allergies].sort(),
      cuisinePreferences: [...preferences.cuisinePreferences].sort(),
      diet: body.diet,
    };
    const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');

    const { row, source } = await this.plans.generateWithFallback({
      userId: account.id,
      requestHash,
      askService:
        this.deps.planningService.status().configured &&
        request.allergies.length <= SERVICE_MAX_ALLERGIES,
      fromService: async () => {
        const generated = await this.deps.planningService.generateMealPlan(
          {
            clientReference: createHash('sha256').update(account.id).digest('hex').slice(0, 32),
            targets: request.targets,
            preferences: {
              dietType: request.diet ?? 'omnivore',
              allergies: request.allergies,
              mealsPerDay: request.mealsPerDay,
            },
            days: request.days,
          },
          { deadline },
        );
        return dietPlansRepository.insert(this.deps.db, {
          userId: account.id,
          planName: generated.name,
          origin: 'ai',
          externalId: generated.externalId,
          requestHash,
          targets: request.targets,
          planData: fromServicePlan(generated),
          explanation: macros.explanation,
        });
      },
      fromBuiltInPlanner: () => {
        const planned = planDietDays(request);
        return dietPlansRepository.insert(this.deps.db, {
          userId: account.id,
          planName: `${String(request.days)}-day ${request.diet ?? 'balanced'} plan`,
          origin: 'fallback',
          requestHash,
          targets: request.targets,
          planData: { days: planned.days },
          explanation: [...macros.explanation, ...planned.explanation],
        });
      },
    });
    return { plan: presentDietPlan(row), source };
  }

  async listPlans(userId: string, page: PageRequest) {
    return mapPage(await this.plans.list(userId, page), presentDietPlan);
  }

  /** Every diet plan of the member, oldest first, for their data export. */
  async exportOf(userId: string): Promise<DietPlanView[]> {
    return (await this.plans.allOf(userId)).map(presentDietPlan);
  }

  async getPlan(userId: string, id: string): Promise<DietPlanView> {
    return presentDietPlan(await this.plans.get(userId, id));
  }

  async getActivePlan(userId: string): Promise<DietPlanView> {
    return presentDietPlan(await this.plans.getActive(userId));
  }

  /** Makes the plan active and points the user's `activePlans` at it, in one transaction. */
  async activate(userId: string, id: string): Promise<DietPlanView> {
    return presentDietPlan(await this.plans.activate(userId, id));
  }

  /**
   * The member's daily targets (kcal and grams): the active diet plan's, else Mifflin–St Jeor
   * from the profile (the built-in formula, never the planning service: this runs on every
   * diary read), else null when the profile lacks weight, height, age or gender.
   */
  async dailyTargets(userId: string): Promise<DailyTargets> {
    const plan = await dietPlansRepository.findActive(this.deps.db, userId);
    if (plan) return { targets: plan.targets, source: 'diet-plan' };
    const account = await this.deps.accounts.findById(this.deps.db, userId);
    if (!account) return { targets: null, source: null };
    try {
      return { targets: macroTargets(nutritionProfile(account, {})).targets, source: 'profile' };
    } catch (error) {
      if (error instanceof ProfileIncompleteError) return { targets: null, source: null };
      throw error;
    }
  }

  /**
   * The member's macro targets for a day, for other features (nutrition compliance,
   * achievements). Targets are not versioned: every day, past ones included, gets today's
   * active plan or profile targets, not those in force on that day.
   */
  async dailyTargetsOf(userId: string, _day: string): Promise<MacroTargets | null> {
    return (await this.dailyTargets(userId)).targets;
  }

  /** The targets of each of the days, in order: one lookup, as targets are not versioned. */
  async dailyTargetsOn(userId: string, days: readonly string[]): Promise<(MacroTargets | null)[]> {
    if (days.length === 0) return [];
    const { targets } = await this.dailyTargets(userId);
    return days.map(() => targets);
  }

  async searchFoods(query: PageRequest<string> & { q?: string }) {
    return mapPage(await nutritionRepository.searchFoods(this.deps.db, query), presentFood);
  }

  /** Writes the built-in food table into the foods table (idempotent; run at startup). */
  async installBuiltInFoods(): Promise<void> {
    await nutritionRepository.upsertFoods(
      this.deps.db,
      foodTable.map((food): NewFoodRow => ({
        id: food.id,
        source: 'builtin',
        externalId: food.slug,
        name: food.name,
        foodGroup: food.group,
        caloriesPer100g: food.per100g.calories,
        proteinPer100g: food.per100g.protein,
        carbsPer100g: food.per100g.carbs,
        fatPer100g: food.per100g.fat,
        fiberPer100g: food.per100g.fiber,
        allergens: [...food.allergens],
        servingGrams: food.typicalServingG,
      })),
    );
  }

  /** Copies the service's food database into our table (the scheduled refresh job). */
  async refreshServiceFoods(): Promise<number> {
    const service = this.deps.planningService;
    if (!service.status().configured) return 0;
    return copyPagedCatalogue({
      fetchPage: async (page) => {
        const { foods, nextCursor } = await service.searchFoods(page);
        return { items: foods, nextCursor };
      },
      store: (items) =>
        nutritionRepository.upsertFoods(this.deps.db, items.map(foodRowFromService)),
    });
  }
}
