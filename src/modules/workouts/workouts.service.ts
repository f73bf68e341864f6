import { createHash } from 'node:crypto';
import type { Database } from '../../db/database.js';
import { mapPage, type PageRequest } from '../../db/keyset-page.js';
import { AppError, notFound, validationError, type FieldError } from '../../lib/errors.js';
import { KeyValueUnavailableError, type KeyValueStore } from '../../lib/kv/kv.js';
import type { Logger } from '../../lib/logger.js';
import {
  copyPagedCatalogue,
  type ExerciseLibraryPage,
  type WorkoutPlan,
  type WorkoutPlanningClient,
} from '../../integrations/index.js';
import { PlansService, type ActivePlanSlots, type PlanSource } from '../plans/index.js';
import type { UserRow } from '../users/index.js';
import { exerciseId, exerciseLibrary } from './planner/exercise-library.data.js';
import { planWorkout } from './planner/workout-planner.js';
import type { PlannerInput } from './planner/workout-planner.schemas.js';
import { workoutPlansRepository, workoutsRepository } from './workouts.repository.js';
import { presentExercise, presentWorkoutPlan } from './workouts.presenter.js';
import type {
  GenerateWorkoutBody,
  PlanCustomizations,
  StoredCustomizations,
  StoredWorkoutPlanData,
  WorkoutPlanView,
} from './workouts.schemas.js';
import type { NewExerciseRow, WorkoutPlanRow, workoutPlans } from './workouts.table.js';

const PLAN_CACHE_TTL_SECONDS = 24 * 3600;

export interface WorkoutsServiceDeps {
  db: Database;
  /** Where the active plan is recorded on the user (the users module's repository). */
  accounts: ActivePlanSlots;
  kv: KeyValueStore;
  logger: Logger;
  planningService: WorkoutPlanningClient;
}

export interface GeneratedPlan {
  plan: WorkoutPlanView;
  source: PlanSource;
}

// The service takes at most this many injuries; a member with more is planned for locally so
// that no condition is silently dropped.
const SERVICE_MAX_CONDITIONS = 10;

/** The 24 h cache entry of a generation: per user and per normalised inputs. */
export const planCacheKey = (userId: string, input: PlannerInput) =>
  `cache:workout-plan:${userId}:${requestHashOf(input)}`;

const requestHashOf = (input: PlannerInput) =>
  createHash('sha256').update(JSON.stringify(input)).digest('hex');

/** Service exercise ids become stable UUIDs of our own, distinct from built-in slugs. */
export const serviceExerciseId = (externalId: string) => exerciseId(`service:${externalId}`);

/** What the planners need: the request, completed from the member's profile. */
export function plannerInputFor(account: UserRow, body: GenerateWorkoutBody): PlannerInput {
  const fitness = account.profile.fitnessProfile;
  return {
    daysPerWeek: body.daysPerWeek ?? 3,
    sessionMinutes: body.sessionMinutes ?? 45,
    equipment: [...new Set(body.equipment ?? (['bodyweight'] as const))].sort(),
    level: fitness.level ?? 'beginner',
    goal: fitness.goal ?? 'general_fitness',
    focus: body.focus,
    healthConditions: [...fitness.healthConditions].sort(),
  };
}

const serviceGoal = {
  lose_weight: 'weight_loss',
  build_muscle: 'muscle_gain',
  improve_endurance: 'endurance',
  maintain: 'general_fitness',
  general_fitness: 'general_fitness',
} as const;

function toStoredPlanData(plan: WorkoutPlan): StoredWorkoutPlanData {
  return {
    workoutDays: plan.planData.workoutDays.map((day) => ({
      muscleGroup: day.muscleGroup,
      dayOrder: day.dayOrder,
      exercises: day.exercises.map((exercise) => ({
        exerciseId: serviceExerciseId(exercise.exerciseId),
        sourceExerciseId: exercise.exerciseId,
        exerciseName: exercise.exerciseName,
        sets: exercise.sets,
        // The service marks the unused measure with 0; we use null.
        reps: exercise.reps > 0 ? exercise.reps : null,
        seconds: exercise.seconds > 0 ? exercise.seconds : null,
      })),
    })),
  };
}

/** A catalogue entry of the service as a row of our library. */
function exerciseRowFromService(
  exercise: ExerciseLibraryPage['exercises'][number],
): NewExerciseRow {
  return {
    id: serviceExerciseId(exercise.exerciseId),
    source: 'service',
    externalId: exercise.exerciseId,
    name: exercise.name,
    primaryMuscles: exercise.muscleGroups,
    secondaryMuscles: [],
    equipment: exercise.equipment,
    level: exercise.difficulty,
    // The catalogue says nothing of type or contraindications; nothing is guessed.
    type: 'unspecified',
    contraindications: [],
    instructions: exercise.instructions,
  };
}

/** Every (day, exercise) reference in the customizations must exist in the plan. */
function checkReferences(row: WorkoutPlanRow, customizations: PlanCustomizations): FieldError[] {
  const known = new Set(
    row.planData.workoutDays.flatMap((day) =>
      day.exercises.map((exercise) => `${String(day.dayOrder)}:${exercise.exerciseId}`),
    ),
  );
  const errors: FieldError[] = [];
  for (const kind of ['swaps', 'adjustments', 'removals'] as const) {
    customizations[kind]?.forEach((ref, index) => {
      if (!known.has(`${String(ref.dayOrder)}:${ref.exerciseId}`)) {
        errors.push({
          path: `body.customizations.${kind}.${String(index)}`,
          message: 'no such exercise on that day of the plan',
        });
      }
    });
  }
  return errors;
}

/**
 * Workout plans: from the Workout Planning service when it answers, else from the user's
 * stored plans, else from the built-in planner; plus customizations, activation and the
 * exercise library.
 */
export class WorkoutsService {
  private readonly plans: PlansService<WorkoutPlanRow, typeof workoutPlans.$inferInsert>;

  constructor(private readonly deps: WorkoutsServiceDeps) {
    this.plans = new PlansService({
      db: deps.db,
      accounts: deps.accounts,
      logger: deps.logger,
      plans: workoutPlansRepository,
      kind: { label: 'Workout plan', activeSlot: 'workoutPlanId', serviceName: 'workout planning' },
    });
  }

  async generate(account: UserRow, body: GenerateWorkoutBody): Promise<GeneratedPlan> {
    const input = plannerInputFor(account, body);
    const requestHash = requestHashOf(input);
    const cacheKey = planCacheKey(account.id, input);

    const cachedId = await this.cached(() => this.deps.kv.get(cacheKey), null);
    const cached =
      cachedId && (await workoutPlansRepository.find(this.deps.db, account.id, cachedId));
    if (cached) return { plan: presentWorkoutPlan(cached), source: 'cache' };

    const { row, source } = await this.plans.generateWithFallback({
      userId: account.id,
      requestHash,
      askService:
        this.deps.planningService.status().configured &&
        input.healthConditions.length <= SERVICE_MAX_CONDITIONS,
      fromService: async () => {
        const generated = await this.deps.planningService.generatePlan(
          this.serviceRequest(account, input),
        );
        const stored = await workoutPlansRepository.insert(this.deps.db, {
          userId: account.id,
          planName: generated.name,
          origin: 'ai',
          externalId: generated.externalId,
          requestHash,
          planData: toStoredPlanData(generated),
        });
        await this.cached(
          () => this.deps.kv.set(cacheKey, stored.id, PLAN_CACHE_TTL_SECONDS),
          undefined,
        );
        return stored;
      },
      fromBuiltInPlanner: () => {
        const planned = planWorkout(input);
        return workoutPlansRepository.insert(this.deps.db, {
          userId: account.id,
          planName: planned.planName,
          origin: 'fallback',
          requestHash,
          planData: { workoutDays: planned.workoutDays },
          explanation: planned.explanation,
        });
      },
    });
    return { plan: presentWorkoutPlan(row), source };
  }

  /** The plan cache is an optimisation: while the cache is unreachable, it is a miss. */
  private async cached<T>(operation: () => Promise<T>, onUnavailable: T): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof KeyValueUnavailableError)) throw error;
      return onUnavailable;
    }
  }

  private serviceRequest(account: UserRow, input: PlannerInput) {
    const { demographics } = account.profile;
    const sex =
      demographics.gender === 'female' || demographics.gender === 'male'
        ? demographics.gender
        : undefined;
    return {
      // An opaque reference, not the member's id or name.
      clientReference: createHash('sha256').update(account.id).digest('hex').slice(0, 32),
      profile: {
        fitnessLevel: input.level,
        goals: [serviceGoal[input.goal]],
        age: demographics.age ?? undefined,
        sex,
        heightCm: demographics.heightCm ?? undefined,
        weightKg: demographics.weightKg ?? undefined,
        injuries: input.healthConditions,
      },
      preferences: {
        daysPerWeek: input.daysPerWeek,
        sessionMinutes: input.sessionMinutes,
        equipment: input.equipment,
      },
    };
  }

  async listPlans(userId: string, page: PageRequest) {
    return mapPage(await this.plans.list(userId, page), presentWorkoutPlan);
  }

  /** Every workout plan of the member, oldest first, for their data export. */
  async exportOf(userId: string): Promise<WorkoutPlanView[]> {
    return (await this.plans.allOf(userId)).map(presentWorkoutPlan);
  }

  async getPlan(userId: string, id: string): Promise<WorkoutPlanView> {
    return presentWorkoutPlan(await this.plans.get(userId, id));
  }

  async getActivePlan(userId: string): Promise<WorkoutPlanView> {
    return presentWorkoutPlan(await this.plans.getActive(userId));
  }

  /** The active plan, or undefined without one (a lookup for other modules). */
  async findActivePlan(userId: string): Promise<WorkoutPlanView | undefined> {
    const row = await workoutPlansRepository.findActive(this.deps.db, userId);
    return row && presentWorkoutPlan(row);
  }

  /** How many days a week the member's active plan trains (its workout days); null: no plan. */
  async activePlanDaysPerWeek(userId: string): Promise<number | null> {
    const row = await workoutPlansRepository.findActive(this.deps.db, userId);
    return row ? Math.min(7, Math.max(1, row.planData.workoutDays.length)) : null;
  }

  /**
   * Stores local edits after checking every reference; plans from the service also have them
   * forwarded to its customize endpoint, best effort (the local edit stands either way).
   */
  async customize(
    userId: string,
    id: string,
    customizations: PlanCustomizations,
  ): Promise<WorkoutPlanView> {
    const row = await this.plans.get(userId, id);
    const errors = checkReferences(row, customizations);
    const replacementIds = (customizations.swaps ?? []).map((swap) => swap.replacementExerciseId);
    const replacements = new Map(
      (await workoutsRepository.findExercises(this.deps.db, replacementIds)).map((e) => [
        e.id,
        e.name,
      ]),
    );
    customizations.swaps?.forEach((swap, index) => {
      if (!replacements.has(swap.replacementExerciseId)) {
        errors.push({
          path: `body.customizations.swaps.${String(index)}.replacementExerciseId`,
          message: 'not an exercise of the library',
        });
      }
    });
    if (errors.length > 0)
      throw validationError('The customizations do not fit this plan.', errors);

    const stored: StoredCustomizations = {
      ...customizations,
      swaps: customizations.swaps?.map((swap) => ({
        ...swap,
        replacementExerciseName: replacements.get(swap.replacementExerciseId) ?? '',
      })),
    };
    const updated = await workoutsRepository.updateCustomizations(this.deps.db, userId, id, stored);
    if (!updated) throw notFound('Workout plan');
    await this.forwardCustomizations(updated);
    return presentWorkoutPlan(updated);
  }

  private async forwardCustomizations(row: WorkoutPlanRow): Promise<void> {
    if (row.origin !== 'ai' || !row.externalId || !this.deps.planningService.status().configured)
      return;
    const changed = [...(row.customizations.swaps ?? []), ...(row.customizations.removals ?? [])];
    const excludeExerciseIds = row.planData.workoutDays
      .flatMap((day) => day.exercises.map((exercise) => ({ day, exercise })))
      .filter(({ day, exercise }) =>
        changed.some(
          (ref) => ref.dayOrder === day.dayOrder && ref.exerciseId === exercise.exerciseId,
        ),
      )
      .flatMap(({ exercise }) => (exercise.sourceExerciseId ? [exercise.sourceExerciseId] : []));
    if (excludeExerciseIds.length === 0) return;
    try {
      await this.deps.planningService.customizePlan({
        externalId: row.externalId,
        customizations: { excludeExerciseIds },
      });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      this.deps.logger.warn(
        { code: error.code },
        'customization not forwarded to workout planning',
      );
    }
  }

  /** Makes the plan active and points the user's `activePlans` at it, in one transaction. */
  async activate(userId: string, id: string): Promise<WorkoutPlanView> {
    return presentWorkoutPlan(await this.plans.activate(userId, id));
  }

  async searchExercises(
    query: PageRequest<string> & { q?: string; muscleGroup?: string; equipment?: string },
  ) {
    return mapPage(await workoutsRepository.searchExercises(this.deps.db, query), presentExercise);
  }

  /** Library exercise ids by lower-cased name, for the lower-cased names the library has. */
  exerciseIdsByName(names: string[]): Promise<Map<string, string>> {
    const distinct = [...new Set(names.map((name) => name.toLowerCase()))];
    return workoutsRepository.exerciseIdsByLowerName(this.deps.db, distinct);
  }

  /** Writes the built-in library into the exercises table (idempotent; run at startup). */
  async installBuiltInLibrary(): Promise<void> {
    await workoutsRepository.upsertExercises(
      this.deps.db,
      exerciseLibrary.map((exercise): NewExerciseRow => ({
        id: exercise.id,
        source: 'builtin',
        externalId: exercise.slug,
        name: exercise.name,
        primaryMuscles: [...exercise.primaryMuscles],
        secondaryMuscles: [...exercise.secondaryMuscles],
        equipment: [...exercise.equipment],
        level: exercise.level,
        type: exercise.type,
        contraindications: [...exercise.contraindications],
        instructions: null,
      })),
    );
  }

  /** Copies the service's exercise catalogue into our table (the scheduled refresh job). */
  async refreshServiceLibrary(): Promise<number> {
    const service = this.deps.planningService;
    if (!service.status().configured) return 0;
    return copyPagedCatalogue({
      fetchPage: async (page) => {
        const { exercises, nextCursor } = await service.listExercises(page);
        return { items: exercises, nextCursor };
      },
      store: (items) =>
        workoutsRepository.upsertExercises(this.deps.db, items.map(exerciseRowFromService)),
    });
  }
}
