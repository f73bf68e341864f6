import {
  SkippedRow,
  cleanNotes,
  readAmount,
  readCount,
  readExerciseName,
  readWorkoutStart,
  setOf,
  toKilograms,
  toMetres,
  type SourceFormat,
} from './source-rows.js';

/** The set types Hevy writes; `warmup` sets are not imported, the others are working sets. */
const WORKING_SET_TYPES = new Set(['normal', 'dropset', 'failure']);

/**
 * Hevy's workout export (Settings → Export & Import Data), one row per set:
 * `title,start_time,end_time,description,exercise_title,superset_id,exercise_notes,set_index,
 * set_type,weight_kg,reps,distance_km,duration_seconds,rpe`. Accounts on imperial units get
 * `weight_lbs` and `distance_miles` instead; the header says which. `start_time` is the wall
 * clock, `14 Mar 2024, 08:15` (or `Mar 14, 2024, 8:15 AM`). `description` is the workout's
 * notes. Supersets, RPE and the end time are not kept.
 */
export const hevyFormat: SourceFormat = {
  app: 'hevy',
  label: 'Hevy',
  requiredColumns: [
    ['start_time'],
    ['exercise_title'],
    ['set_index'],
    ['weight_kg', 'weight_lbs'],
    ['reps'],
  ],
  readRow(cell, header, context) {
    const setType = cell('set_type').trim().toLowerCase() || 'normal';
    if (setType === 'warmup') throw new SkippedRow('warm-up set (warm-ups are not imported)');
    if (!WORKING_SET_TYPES.has(setType)) {
      throw new SkippedRow(`set type "${setType.slice(0, 20)}" is not a Hevy set type`);
    }
    const start = readWorkoutStart(cell('start_time'), context);
    const exerciseName = readExerciseName(cell('exercise_title'));
    const [weightColumn, weightUnit] = header.has('weight_kg')
      ? ['weight_kg', 'kg']
      : ['weight_lbs', 'lbs'];
    const [distanceColumn, distanceUnit] = header.has('distance_miles')
      ? ['distance_miles', 'mi']
      : ['distance_km', 'km'];
    const weight = readAmount(cell(weightColumn), 'weight');
    const distance = readAmount(cell(distanceColumn), 'distance');
    return {
      ...start,
      exerciseName,
      set: setOf({
        reps: readCount(cell('reps'), 'reps'),
        weightKg: weight === null ? null : toKilograms(weight, weightUnit),
        durationSec: readAmount(cell('duration_seconds'), 'duration'),
        distanceM: distance === null ? null : toMetres(distance, distanceUnit),
      }),
      exerciseNotes: cleanNotes(cell('exercise_notes')),
      workoutNotes: cleanNotes(cell('description')),
    };
  },
};
