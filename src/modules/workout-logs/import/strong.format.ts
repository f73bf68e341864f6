import {
  SkippedRow,
  cleanNotes,
  defaultDistanceUnit,
  defaultWeightUnit,
  readAmount,
  readCount,
  readExerciseName,
  readWorkoutStart,
  setOf,
  toKilograms,
  toMetres,
  type SourceFormat,
} from './source-rows.js';

/**
 * Strong's "Export Data" CSV, one row per set. Two layouts are in circulation:
 * - current: `Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,
 *   Notes,Workout Notes,RPE`: weights and distances in the app's unit setting, unnamed;
 * - older: `Date;Workout Name;Exercise Name;Set Order;Weight;Weight Unit;Reps;RPE;Distance;
 *   Distance Unit;Seconds;Notes;Workout Notes;Workout Duration`, with units on every row,
 *   semicolon-separated with decimal commas in some locales.
 * `Date` is the workout's start (wall clock) on every row of the workout. `Set Order` is the
 * set's number, `W` for a warm-up, `D`/`F` for drop and failure sets, or `Rest Timer` for the
 * rest between sets (its `Seconds` is the rest, not a set). `Seconds` of a set is its time
 * (planks, cardio). RPE and the workout's duration are not kept.
 */
export const strongFormat: SourceFormat = {
  app: 'strong',
  label: 'Strong',
  requiredColumns: [['date'], ['exercise name'], ['set order'], ['weight'], ['reps']],
  readRow(cell, header, context) {
    const order = cell('set order').trim();
    if (/^rest\s*timer$/i.test(order)) throw new SkippedRow('rest timer, not a set');
    if (/^w\d*$/i.test(order)) throw new SkippedRow('warm-up set (warm-ups are not imported)');
    if (order === '') throw new SkippedRow('missing set order');
    // Set numbers (`1`, or `1.0` from spreadsheets), drop sets `D`, failure sets `F`.
    if (!/^\d+$/.test(order) && !/^\d+[.,]0+$/.test(order) && !/^[df]\d*$/i.test(order)) {
      throw new SkippedRow(`set order "${order.slice(0, 20)}" is not a set number`);
    }
    const start = readWorkoutStart(cell('date'), context);
    const exerciseName = readExerciseName(cell('exercise name'));
    // The older layout names the unit on each row; the current one uses the app's setting.
    const weightUnit =
      (header.has('weight unit') && cell('weight unit').trim()) || defaultWeightUnit(context.units);
    const distanceUnit =
      (header.has('distance unit') && cell('distance unit').trim()) ||
      defaultDistanceUnit(context.units);
    const weight = readAmount(cell('weight'), 'weight');
    const distance = readAmount(cell('distance'), 'distance');
    return {
      ...start,
      exerciseName,
      set: setOf({
        reps: readCount(cell('reps'), 'reps'),
        weightKg: weight === null ? null : toKilograms(weight, weightUnit),
        durationSec: readAmount(cell('seconds'), 'seconds'),
        distanceM: distance === null ? null : toMetres(distance, distanceUnit),
      }),
      exerciseNotes: cleanNotes(cell('notes')),
      workoutNotes: cleanNotes(cell('workout notes')),
    };
  },
};
