import { describe, expect, it } from 'vitest';
import {
  contraindicationTags,
  equipmentTags,
  exerciseId,
  exerciseLevels,
  exerciseLibrary,
  exerciseTypes,
  measures,
  mechanicsTypes,
  muscleGroups,
  type ContraindicationTag,
} from './exercise-library.data.js';

const V5_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const bySlug = (slug: string) => {
  const exercise = exerciseLibrary.find((candidate) => candidate.slug === slug);
  if (!exercise) throw new Error(`no exercise ${slug}`);
  return exercise;
};

describe('exercise library', () => {
  it('when loaded, then it has at least 150 exercises with unique slugs, names and ids', () => {
    expect(exerciseLibrary.length).toBeGreaterThanOrEqual(150);
    const unique = (values: string[]) => new Set(values).size;
    expect(unique(exerciseLibrary.map((exercise) => exercise.slug))).toBe(exerciseLibrary.length);
    expect(unique(exerciseLibrary.map((exercise) => exercise.name))).toBe(exerciseLibrary.length);
    expect(unique(exerciseLibrary.map((exercise) => exercise.id))).toBe(exerciseLibrary.length);
  });

  it('when any exercise is read, then every tag comes from its closed list', () => {
    for (const exercise of exerciseLibrary) {
      const words = exercise.slug.split('-');
      expect(
        words.every((word) => /^[a-z0-9]+$/.test(word)),
        exercise.slug,
      ).toBe(true);
      expect(exercise.name.trim()).not.toBe('');
      expect(exerciseTypes).toContain(exercise.type);
      expect(mechanicsTypes).toContain(exercise.mechanics);
      expect(exerciseLevels).toContain(exercise.level);
      expect(measures).toContain(exercise.measuredBy);
      expect(exercise.primaryMuscles.length).toBeGreaterThan(0);
      for (const muscle of [...exercise.primaryMuscles, ...exercise.secondaryMuscles]) {
        expect(muscleGroups).toContain(muscle);
      }
      expect(exercise.equipment.length).toBeGreaterThan(0);
      for (const item of exercise.equipment) expect(equipmentTags).toContain(item);
      for (const tag of exercise.contraindications) expect(contraindicationTags).toContain(tag);
    }
  });

  it('when any exercise is read, then no tag list repeats itself or the primary muscles', () => {
    for (const exercise of exerciseLibrary) {
      const muscles = [...exercise.primaryMuscles, ...exercise.secondaryMuscles];
      expect(new Set(muscles).size, exercise.slug).toBe(muscles.length);
      expect(new Set(exercise.equipment).size, exercise.slug).toBe(exercise.equipment.length);
      expect(new Set(exercise.contraindications).size, exercise.slug).toBe(
        exercise.contraindications.length,
      );
    }
  });

  it('when an exercise needs no equipment, then bodyweight is its only equipment tag', () => {
    for (const exercise of exerciseLibrary.filter((candidate) =>
      candidate.equipment.includes('bodyweight'),
    )) {
      expect(exercise.equipment, exercise.slug).toEqual(['bodyweight']);
    }
  });

  it('when the closed lists are read, then every muscle, equipment and type is used somewhere', () => {
    const used = (values: string[]) => new Set(values);
    const muscles = used(exerciseLibrary.flatMap((exercise) => exercise.primaryMuscles));
    const equipment = used(exerciseLibrary.flatMap((exercise) => exercise.equipment));
    const types = used(exerciseLibrary.map((exercise) => exercise.type));
    for (const muscle of muscleGroups) expect(muscles, muscle).toContain(muscle);
    for (const item of equipmentTags) expect(equipment, item).toContain(item);
    for (const type of exerciseTypes) expect(types, type).toContain(type);
  });

  it('when every condition applies at once, then safe bodyweight cardio, core and mobility remain', () => {
    const safeForEveryone = exerciseLibrary.filter(
      (exercise) =>
        exercise.contraindications.length === 0 &&
        exercise.level === 'beginner' &&
        exercise.equipment.every((item) => item === 'bodyweight'),
    );
    const types = new Set(safeForEveryone.map((exercise) => exercise.type));
    expect(types).toContain('cardio');
    expect(types).toContain('core');
    expect(types).toContain('mobility');
    expect(
      safeForEveryone.some(
        (exercise) => exercise.type === 'cardio' && exercise.measuredBy === 'continuous',
      ),
    ).toBe(true);
  });
});

describe('exercise contraindications', () => {
  const expectations: [string, ContraindicationTag[]][] = [
    ['barbell-back-squat', ['lower_back_pain', 'knee_injury', 'hypertension', 'osteoporosis']],
    ['barbell-deadlift', ['lower_back_pain', 'hypertension', 'heart_condition', 'pregnancy']],
    ['good-morning', ['lower_back_pain', 'osteoporosis']],
    ['box-jump', ['knee_injury', 'ankle_injury', 'pregnancy', 'osteoporosis']],
    ['burpee', ['knee_injury', 'ankle_injury', 'pregnancy', 'heart_condition', 'asthma']],
    ['jump-rope', ['ankle_injury', 'knee_injury', 'osteoporosis']],
    ['treadmill-run', ['knee_injury', 'ankle_injury', 'hip_injury']],
    ['barbell-overhead-press', ['shoulder_injury', 'hypertension']],
    ['seated-dumbbell-shoulder-press', ['shoulder_injury']],
    ['pull-up', ['shoulder_injury']],
    ['dumbbell-bench-press', ['pregnancy']],
    ['crunch', ['pregnancy', 'osteoporosis', 'lower_back_pain', 'neck_pain']],
    ['russian-twist', ['osteoporosis', 'lower_back_pain']],
    ['push-up', ['wrist_pain']],
    ['wall-sit', ['hypertension', 'knee_injury']],
    ['leg-press', ['knee_injury', 'lower_back_pain', 'hypertension']],
    ['treadmill-sprint-intervals', ['heart_condition', 'asthma', 'hypertension']],
    ['barbell-shrug', ['neck_pain']],
    ['skull-crusher', ['elbow_pain', 'pregnancy']],
  ];

  it.each(expectations)('when the exercise is %s, then it is unsafe for %j', (slug, tags) => {
    expect(bySlug(slug).contraindications).toEqual(expect.arrayContaining(tags));
  });

  it('when an exercise is a jump or a run, then it is unsafe with knee, ankle and pregnancy', () => {
    const impact = [
      'box-jump',
      'jump-squat',
      'jumping-lunge',
      'broad-jump',
      'tuck-jump',
      'skater-jump',
      'burpee',
      'jumping-jack',
      'high-knees',
      'butt-kicks',
      'jump-rope',
      'treadmill-run',
      'treadmill-sprint-intervals',
    ].map(bySlug);
    for (const exercise of impact) {
      expect(exercise.contraindications, exercise.slug).toEqual(
        expect.arrayContaining(['knee_injury', 'ankle_injury', 'pregnancy']),
      );
    }
  });
});

describe('exerciseId', () => {
  it('when given a slug, then it returns the same version 5 UUID every time', () => {
    expect(exerciseId('barbell-bench-press')).toBe('417c171b-3561-5fda-ac73-8f8dc4a640a4');
    expect(exerciseId('push-up')).toBe('78410271-0fbe-5cb0-bc63-10a556b416fd');
    expect(exerciseId('push-up')).toBe(exerciseId('push-up'));
  });

  it('when the library is built, then each id is the v5 UUID of its slug', () => {
    for (const exercise of exerciseLibrary) {
      expect(exercise.id).toMatch(V5_UUID);
      expect(exercise.id).toBe(exerciseId(exercise.slug));
    }
  });
});
