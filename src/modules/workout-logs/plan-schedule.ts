/** An exercise a plan day prescribes, as the member trains it (customizations applied). */
export interface PlannedExercise {
  exerciseId: string;
  exerciseName: string;
  sets: number;
  reps: number | null;
  seconds: number | null;
}

export interface PlannedDay {
  dayOrder: number;
  muscleGroup: string;
  exercises: PlannedExercise[];
}

/** The member's active workout plan, as far as the day's activity needs it. */
export interface ScheduledPlan {
  id: string;
  planName: string;
  workoutDays: PlannedDay[];
}

/**
 * The weekdays (ISO: Monday 1 … Sunday 7) a plan of N training days a week falls on, spread so
 * that rest days separate training days where the week allows: 1 → Mon; 2 → Mon, Thu;
 * 3 → Mon, Wed, Fri; 4 → Mon, Tue, Thu, Fri; 5 → Mon–Fri; 6 → Mon–Sat; 7 → every day.
 */
export const trainingWeekdays: Readonly<Record<number, readonly number[]>> = {
  1: [1],
  2: [1, 4],
  3: [1, 3, 5],
  4: [1, 2, 4, 5],
  5: [1, 2, 3, 4, 5],
  6: [1, 2, 3, 4, 5, 6],
  7: [1, 2, 3, 4, 5, 6, 7],
};

/** ISO weekday of a `YYYY-MM-DD` day (Monday 1 … Sunday 7). */
export function isoWeekday(day: string): number {
  const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

/**
 * The plan day that falls on `day`: the plan's days in `dayOrder` are placed, in order, on the
 * weekdays of `trainingWeekdays` for their number. A plan of more than seven days (a service
 * may send a longer cycle) places its first seven. Undefined on a rest day.
 */
export function planDayOn(plan: ScheduledPlan, day: string): PlannedDay | undefined {
  const days = [...plan.workoutDays].sort((a, b) => a.dayOrder - b.dayOrder).slice(0, 7);
  const weekdays = trainingWeekdays[days.length] ?? [];
  const position = weekdays.indexOf(isoWeekday(day));
  return position === -1 ? undefined : days[position];
}
