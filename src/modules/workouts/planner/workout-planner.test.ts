import { describe, expect, it } from 'vitest';
import {
  contraindicationTags,
  equipmentTags,
  exerciseLevels,
  exerciseLibrary,
  type Equipment,
  type LibraryExercise,
  type MuscleGroup,
} from './exercise-library.data.js';
import { planFocuses } from './training-splits.js';
import { estimateDayMinutes, planWorkout } from './workout-planner.js';
import {
  fitnessGoals,
  type FitnessGoal,
  type PlannedWorkout,
  type PlannerInput,
} from './workout-planner.schemas.js';

const libraryById = new Map(exerciseLibrary.map((exercise) => [exercise.id, exercise]));
const exerciseOf = (exerciseId: string): LibraryExercise => libraryById.get(exerciseId)!;
const plannedExercises = (plan: PlannedWorkout) =>
  plan.workoutDays.flatMap((day) => day.exercises.map((planned) => exerciseOf(planned.exerciseId)));

const fullGym: Equipment[] = equipmentTags.filter((item) => item !== 'bodyweight');

const baseInput: PlannerInput = {
  daysPerWeek: 3,
  sessionMinutes: 60,
  equipment: fullGym,
  level: 'intermediate',
  goal: 'general_fitness',
  healthConditions: [],
};

/** mulberry32: a tiny seeded generator, so "random" inputs are the same on every run. */
function seededRandom(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomInput(seed: number, healthConditions: string[] = []): PlannerInput {
  const random = seededRandom(seed);
  const integer = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const oneOf = <T>(values: readonly T[]): T => values[integer(0, values.length - 1)]!;
  const focus = random() < 0.4 ? oneOf(planFocuses) : undefined;
  return {
    daysPerWeek: integer(1, 7),
    sessionMinutes: integer(15, 180),
    equipment: fullGym.filter(() => random() < 0.4),
    level: oneOf(exerciseLevels),
    goal: oneOf(fitnessGoals),
    ...(focus ? { focus } : {}),
    healthConditions,
  };
}

const SEEDS = Array.from({ length: 40 }, (_, index) => index + 1);

describe('planWorkout: days and splits', () => {
  it.each([1, 2, 3, 4, 5, 6, 7])(
    'when daysPerWeek is %i, then the plan has that many days numbered from 1',
    (daysPerWeek) => {
      const plan = planWorkout({ ...baseInput, daysPerWeek });
      expect(plan.workoutDays.map((day) => day.dayOrder)).toEqual(
        Array.from({ length: daysPerWeek }, (_, index) => index + 1),
      );
      for (const day of plan.workoutDays) expect(day.exercises.length).toBeGreaterThan(0);
    },
  );

  it('when training 1 to 3 days, then every day is full body', () => {
    for (const daysPerWeek of [1, 2, 3]) {
      const plan = planWorkout({ ...baseInput, daysPerWeek });
      expect(plan.workoutDays.map((day) => day.muscleGroup)).toEqual(
        Array.from({ length: daysPerWeek }, () => 'Full body'),
      );
    }
  });

  it('when training 4, 5 or 6 days, then the split is upper/lower, a hybrid or push/pull/legs', () => {
    const labels = (daysPerWeek: number) =>
      planWorkout({ ...baseInput, daysPerWeek }).workoutDays.map(
        (day) => day.muscleGroup.split(':')[0],
      );
    expect(labels(4)).toEqual(['Upper body', 'Lower body', 'Upper body', 'Lower body']);
    expect(labels(5)).toEqual(['Push', 'Pull', 'Legs', 'Upper body', 'Lower body']);
    expect(labels(6)).toEqual(['Push', 'Pull', 'Legs', 'Push', 'Pull', 'Legs']);
  });

  it('when training 7 days, then day 4 is active recovery with only mobility and easy cardio', () => {
    const plan = planWorkout({ ...baseInput, daysPerWeek: 7, goal: 'build_muscle' });
    const recovery = plan.workoutDays[3]!;
    expect(recovery.muscleGroup).toBe('Active recovery & mobility');
    const exercises = recovery.exercises.map((planned) => exerciseOf(planned.exerciseId));
    expect(exercises.filter((exercise) => exercise.type === 'mobility').length).toBeGreaterThan(3);
    for (const exercise of exercises) {
      expect(['mobility', 'cardio']).toContain(exercise.type);
      if (exercise.type === 'cardio') expect(exercise.level).toBe('beginner');
    }
    expect(plan.explanation.join(' ')).toContain('Day 4 is active recovery');
  });

  it('when the focus is a split the days cannot hold, then a simpler split is used and explained', () => {
    const plan = planWorkout({ ...baseInput, daysPerWeek: 2, focus: 'push_pull_legs' });
    expect(plan.workoutDays.map((day) => day.muscleGroup)).toEqual(['Upper body', 'Lower body']);
    expect(plan.explanation[0]).toMatch(/push\/pull\/legs needs more training days/);
  });

  it('when the focus is upper_lower on 3 days, then upper and lower alternate', () => {
    const plan = planWorkout({ ...baseInput, daysPerWeek: 3, focus: 'upper_lower' });
    expect(plan.workoutDays.map((day) => day.muscleGroup)).toEqual([
      'Upper body',
      'Lower body',
      'Upper body',
    ]);
  });

  it('when the focus is an emphasis, then every strength day trains that area', () => {
    const plan = planWorkout({ ...baseInput, daysPerWeek: 6, focus: 'arms' });
    for (const day of plan.workoutDays) {
      expect(day.muscleGroup).toMatch(/with extra arms$/);
      const mainMuscles = day.exercises.map(
        (planned) => exerciseOf(planned.exerciseId).primaryMuscles[0],
      );
      expect(mainMuscles.some((muscle) => muscle === 'biceps' || muscle === 'triceps')).toBe(true);
    }
    expect(plan.explanation.join(' ')).toContain('Emphasis');
  });

  it('when the plan is named, then the name says the days, split and goal', () => {
    expect(planWorkout({ ...baseInput, goal: 'build_muscle' }).planName).toBe(
      '3-day full-body plan to build muscle',
    );
  });
});

describe('planWorkout: session length', () => {
  it.each(fitnessGoals.map((goal) => [goal]))(
    'when the goal is %s and the session grows, then no day gets fewer exercises and each fits',
    (goal) => {
      for (const equipment of [fullGym, [] as Equipment[]]) {
        let previous: number[] | null = null;
        for (let sessionMinutes = 15; sessionMinutes <= 180; sessionMinutes += 1) {
          const input = { ...baseInput, daysPerWeek: 7, goal, equipment, sessionMinutes };
          const plan = planWorkout(input);
          const counts = plan.workoutDays.map((day) => day.exercises.length);
          if (previous) {
            counts.forEach((count, index) =>
              expect(count).toBeGreaterThanOrEqual(previous![index]!),
            );
          }
          previous = counts;
          for (const day of plan.workoutDays) {
            expect(estimateDayMinutes(day, input)).toBeLessThanOrEqual(sessionMinutes);
          }
        }
      }
    },
  );

  it('when inputs vary at random, then every day fits its session by the time model', () => {
    for (const seed of SEEDS) {
      const input = randomInput(seed);
      for (const day of planWorkout(input).workoutDays) {
        expect(estimateDayMinutes(day, input)).toBeLessThanOrEqual(input.sessionMinutes);
      }
    }
  });

  it('when a session is long, then it holds more exercises than a short one', () => {
    const short = planWorkout({ ...baseInput, sessionMinutes: 20 });
    const long = planWorkout({ ...baseInput, sessionMinutes: 90 });
    expect(long.workoutDays[0]!.exercises.length).toBeGreaterThan(
      short.workoutDays[0]!.exercises.length,
    );
  });

  it('when the session is only 15 minutes, then each day still has at least two exercises', () => {
    for (const goal of fitnessGoals) {
      const plan = planWorkout({ ...baseInput, goal, sessionMinutes: 15, daysPerWeek: 6 });
      for (const day of plan.workoutDays) expect(day.exercises.length).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('planWorkout: equipment and level', () => {
  it('when equipment varies, then no exercise needs anything the member lacks', () => {
    for (const seed of SEEDS) {
      const input = randomInput(seed);
      const available = new Set<Equipment>(['bodyweight', ...input.equipment]);
      for (const exercise of plannedExercises(planWorkout(input))) {
        for (const item of exercise.equipment) expect(available, exercise.slug).toContain(item);
      }
    }
  });

  it('when the member has no equipment, then every exercise is bodyweight only', () => {
    const plan = planWorkout({ ...baseInput, equipment: [], daysPerWeek: 6 });
    for (const exercise of plannedExercises(plan))
      expect(exercise.equipment).toEqual(['bodyweight']);
  });

  it('when the member is a beginner, then only beginner exercises appear', () => {
    for (const seed of SEEDS) {
      const plan = planWorkout({ ...randomInput(seed), level: 'beginner' });
      for (const exercise of plannedExercises(plan))
        expect(exercise.level, exercise.slug).toBe('beginner');
    }
  });

  it('when the member is intermediate, then no advanced exercise appears', () => {
    for (const seed of SEEDS) {
      const plan = planWorkout({ ...randomInput(seed), level: 'intermediate' });
      for (const exercise of plannedExercises(plan)) {
        expect(exercise.level, exercise.slug).not.toBe('advanced');
      }
    }
  });

  it('when the member is advanced with a full gym, then advanced exercises are used', () => {
    const plan = planWorkout({ ...baseInput, level: 'advanced', daysPerWeek: 6 });
    expect(plannedExercises(plan).some((exercise) => exercise.level === 'advanced')).toBe(true);
  });
});

describe('planWorkout: goals', () => {
  const ranges: Record<FitnessGoal, { sets: [number, number]; reps: [number, number] }> = {
    build_muscle: { sets: [3, 4], reps: [8, 12] },
    maintain: { sets: [3, 3], reps: [8, 12] },
    general_fitness: { sets: [3, 3], reps: [10, 12] },
    lose_weight: { sets: [3, 3], reps: [12, 15] },
    improve_endurance: { sets: [2, 3], reps: [15, 20] },
  };

  it.each(fitnessGoals.map((goal) => [goal]))(
    'when the goal is %s, then counted strength and core work stays in its sets and reps range',
    (goal) => {
      const { sets, reps } = ranges[goal];
      for (const daysPerWeek of [3, 4, 6]) {
        const plan = planWorkout({ ...baseInput, goal, daysPerWeek });
        for (const planned of plan.workoutDays.flatMap((day) => day.exercises)) {
          const exercise = exerciseOf(planned.exerciseId);
          if (!['strength', 'core'].includes(exercise.type) || planned.reps === null) continue;
          expect(planned.sets).toBeGreaterThanOrEqual(sets[0]);
          expect(planned.sets).toBeLessThanOrEqual(sets[1]);
          expect(planned.reps).toBeGreaterThanOrEqual(reps[0]);
          expect(planned.reps).toBeLessThanOrEqual(reps[1]);
        }
      }
    },
  );

  it('when an exercise is planned, then it has reps or seconds, never both and never neither', () => {
    for (const seed of SEEDS) {
      for (const planned of planWorkout(randomInput(seed)).workoutDays.flatMap(
        (day) => day.exercises,
      )) {
        const exercise = exerciseOf(planned.exerciseId);
        expect((planned.reps === null) !== (planned.seconds === null)).toBe(true);
        expect(planned.reps === null).toBe(exercise.measuredBy !== 'reps');
        expect(planned.sets).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('when the goal is build_muscle, then there is no cardio on strength days', () => {
    const plan = planWorkout({ ...baseInput, goal: 'build_muscle', daysPerWeek: 6 });
    for (const exercise of plannedExercises(plan)) expect(exercise.type).not.toBe('cardio');
  });

  it.each([['lose_weight'], ['improve_endurance'], ['general_fitness'], ['maintain']] as const)(
    'when the goal is %s, then every day ends with a cardio block',
    (goal) => {
      const plan = planWorkout({ ...baseInput, goal, daysPerWeek: 5 });
      for (const day of plan.workoutDays) {
        const last = exerciseOf(day.exercises.at(-1)!.exerciseId);
        expect(['cardio', 'plyometric']).toContain(last.type);
      }
    },
  );

  it('when the goal is improve_endurance, then its cardio block is longer than lose_weight', () => {
    const cardioSeconds = (goal: FitnessGoal) => {
      const day = planWorkout({ ...baseInput, goal, sessionMinutes: 60 }).workoutDays[0]!;
      const block = day.exercises.at(-1)!;
      return block.sets * (block.seconds ?? 0);
    };
    expect(cardioSeconds('improve_endurance')).toBeGreaterThan(cardioSeconds('lose_weight'));
  });
});

describe('planWorkout: health conditions', () => {
  it.each(contraindicationTags.map((tag) => [tag]))(
    'when the member has %s, then no planned exercise is unsafe for it, whatever the input',
    (tag) => {
      const text = tag.replaceAll('_', ' ');
      for (const seed of SEEDS) {
        const plan = planWorkout(randomInput(seed, [text]));
        for (const exercise of plannedExercises(plan)) {
          expect(exercise.contraindications, `${exercise.slug} (seed ${seed})`).not.toContain(tag);
        }
      }
    },
  );

  it('when the member lists several conditions at random, then none of them is ever broken', () => {
    for (const seed of SEEDS) {
      const random = seededRandom(seed * 7919);
      const tags = contraindicationTags.filter(() => random() < 0.3);
      const plan = planWorkout(
        randomInput(
          seed,
          tags.map((tag) => tag.replaceAll('_', ' ')),
        ),
      );
      for (const exercise of plannedExercises(plan)) {
        for (const tag of tags)
          expect(exercise.contraindications, exercise.slug).not.toContain(tag);
      }
    }
  });

  it('when every condition applies and there is no equipment, then safe stand-ins fill the week', () => {
    const conditions = contraindicationTags.map((tag) => tag.replaceAll('_', ' '));
    const plan = planWorkout({
      ...baseInput,
      equipment: [],
      level: 'beginner',
      daysPerWeek: 6,
      healthConditions: conditions,
    });
    for (const day of plan.workoutDays) expect(day.exercises.length).toBeGreaterThan(0);
    for (const exercise of plannedExercises(plan)) expect(exercise.contraindications).toEqual([]);
    expect(plan.explanation.join(' ')).toMatch(/Stand-ins: nothing safe .* trains/);
  });

  it('when conditions are given as free text, then the explanation names the exclusions', () => {
    const plan = planWorkout({ ...baseInput, healthConditions: ['bad knee', 'diabetes'] });
    const explanation = plan.explanation.join('\n');
    expect(explanation).toContain('read "bad knee" as knee injury');
    expect(explanation).toMatch(/For knee injury: left out \d+ exercises/);
    expect(explanation).toMatch(/In all, \d+ exercises were left out for your health/);
    expect(explanation).toContain('Not understood: "diabetes"');
    expect(plannedExercises(plan).some((exercise) => exercise.slug === 'barbell-back-squat')).toBe(
      false,
    );
  });

  it('when no conditions are given, then the explanation says nothing was left out', () => {
    expect(planWorkout(baseInput).explanation).toContain(
      'Health: no conditions given, so nothing was left out for safety.',
    );
  });
});

describe('planWorkout: shape of each day', () => {
  it('when a day is planned, then no exercise repeats within it', () => {
    for (const seed of SEEDS) {
      for (const day of planWorkout(randomInput(seed)).workoutDays) {
        const ids = day.exercises.map((planned) => planned.exerciseId);
        expect(new Set(ids).size).toBe(ids.length);
      }
    }
  });

  it('when a day is planned, then compound lifts come before isolation, core and cardio', () => {
    const rank = (exercise: LibraryExercise) => {
      if (exercise.type === 'strength') return exercise.mechanics === 'compound' ? 0 : 1;
      return { core: 2, mobility: 3, plyometric: 4, cardio: 4 }[exercise.type];
    };
    for (const seed of SEEDS) {
      for (const day of planWorkout(randomInput(seed)).workoutDays) {
        const ranks = day.exercises.map((planned) => rank(exerciseOf(planned.exerciseId)));
        expect(ranks).toEqual(ranks.toSorted((a, b) => a - b));
      }
    }
  });

  it('when a day type repeats in a week, then its exercises differ', () => {
    const plan = planWorkout({ ...baseInput, daysPerWeek: 6, goal: 'build_muscle' });
    const names = (index: number) => plan.workoutDays[index]!.exercises.map((e) => e.exerciseName);
    expect(names(0)).not.toEqual(names(3));
    expect(names(1)).not.toEqual(names(4));
    expect(names(2)).not.toEqual(names(5));
  });

  it('when sessions are short, then the week still covers every major muscle group', () => {
    const plan = planWorkout({ ...baseInput, goal: 'build_muscle', sessionMinutes: 15 });
    const covered = new Set(plannedExercises(plan).flatMap((exercise) => exercise.primaryMuscles));
    const major: MuscleGroup[] = [
      'quadriceps',
      'hamstrings',
      'chest',
      'upper_back',
      'lats',
      'shoulders',
    ];
    for (const muscle of major) expect(covered, muscle).toContain(muscle);
  });

  it('when the full week of a 3-day gym plan is read, then legs, push, pull and core all appear', () => {
    const plan = planWorkout(baseInput);
    const covered = new Set(plannedExercises(plan).flatMap((exercise) => exercise.primaryMuscles));
    for (const muscle of [
      'quadriceps',
      'hamstrings',
      'glutes',
      'chest',
      'upper_back',
      'lats',
      'shoulders',
      'core',
    ] as const) {
      expect(covered, muscle).toContain(muscle);
    }
  });
});

describe('planWorkout: determinism and validation', () => {
  it('when the same input is planned twice, then the plans are deeply equal', () => {
    for (const seed of SEEDS) {
      const input = randomInput(seed, ['bad knee', 'asthma']);
      expect(planWorkout(structuredClone(input))).toEqual(planWorkout(input));
    }
  });

  it('when the input is out of range, then it is rejected', () => {
    expect(() => planWorkout({ ...baseInput, daysPerWeek: 0 })).toThrow();
    expect(() => planWorkout({ ...baseInput, daysPerWeek: 8 })).toThrow();
    expect(() => planWorkout({ ...baseInput, sessionMinutes: 14 })).toThrow();
    expect(() => planWorkout({ ...baseInput, sessionMinutes: 181 })).toThrow();
    expect(() => planWorkout({ ...baseInput, daysPerWeek: 2.5 })).toThrow();
  });

  it('when the input is planned, then the input object is left unchanged', () => {
    const input = { ...baseInput, healthConditions: ['bad knee'] };
    const copy = structuredClone(input);
    planWorkout(input);
    expect(input).toEqual(copy);
  });
});
