import type { ExerciseType, Mechanics, MuscleGroup } from './exercise-library.data.js';

/**
 * How the week is divided and what each kind of day trains.
 *
 * Split by days per week, unless `focus` names one:
 * - 1–3 days: full body every day.
 * - 4 days: upper / lower / upper / lower.
 * - 5 days: push / pull / legs / upper / lower, so every muscle is trained twice.
 * - 6 days: push / pull / legs twice.
 * - 7 days: the 6-day week with an active-recovery and mobility day in the middle (day 4);
 *   any focus also keeps that recovery day, because training hard seven days running is not.
 *
 * `focus` is either a split (`full_body`, `upper_lower`, `push_pull_legs`) used on every
 * strength day, or an emphasis (`chest`, `back`, `shoulders`, `arms`, `legs`, `glutes`, `core`)
 * that keeps the default split and adds one exercise for that area to every strength day, as
 * its second priority so it survives short sessions. Upper/lower needs 2 strength days and
 * push/pull/legs needs 3; with fewer, the next simpler split is used and the plan says so.
 *
 * Each day is a list of exercise slots in priority order: the main compound lifts first, then
 * accessories. A short session keeps only the first few slots, so the Nth repeat of a day type
 * in a week starts its main lifts further along the list (full body by two lifts, the others by
 * one), which spreads the main lifts across the week when only a few fit in a session.
 */

export const splitFocuses = ['full_body', 'upper_lower', 'push_pull_legs'] as const;
export type SplitFocus = (typeof splitFocuses)[number];
export const emphasisFocuses = [
  'chest',
  'back',
  'shoulders',
  'arms',
  'legs',
  'glutes',
  'core',
] as const;
export type EmphasisFocus = (typeof emphasisFocuses)[number];
export const planFocuses = [...splitFocuses, ...emphasisFocuses] as const;
export type PlanFocus = (typeof planFocuses)[number];

/** A place in a day for one exercise, described by what it must train. */
export interface ExerciseSlot {
  /** Slots sharing a key share one rotation through their candidates across the week. */
  key: string;
  /** Used in the explanation when no safe exercise fills the slot. */
  label: string;
  /** A candidate's main (first primary) muscle must be one of these; empty means any. */
  muscles: readonly MuscleGroup[];
  types: readonly ExerciseType[];
  /** Preferred mechanics; relaxed before giving up on the muscles. */
  mechanics: Mechanics | null;
}

function slot(
  key: string,
  label: string,
  muscles: readonly MuscleGroup[],
  mechanics: Mechanics | null,
  types: readonly ExerciseType[] = ['strength'],
): ExerciseSlot {
  return { key, label, muscles, types, mechanics };
}

const slots = {
  squat: slot('squat', 'squat or lunge', ['quadriceps'], 'compound'),
  hinge: slot('hinge', 'hip hinge', ['hamstrings', 'glutes'], 'compound'),
  horizontalPush: slot('horizontal-push', 'chest press', ['chest'], 'compound'),
  verticalPush: slot('vertical-push', 'shoulder press', ['shoulders'], 'compound'),
  horizontalPull: slot('horizontal-pull', 'row', ['upper_back'], 'compound'),
  verticalPull: slot('vertical-pull', 'pull-up or pulldown', ['lats'], 'compound'),
  chestIsolation: slot('chest-isolation', 'chest fly', ['chest'], 'isolation'),
  shoulderIsolation: slot('shoulder-isolation', 'shoulder raise', ['shoulders'], 'isolation'),
  upperBackIsolation: slot('upper-back-isolation', 'upper-back raise', ['upper_back'], 'isolation'),
  biceps: slot('biceps', 'biceps curl', ['biceps'], 'isolation'),
  triceps: slot('triceps', 'triceps extension', ['triceps'], 'isolation'),
  forearms: slot('forearms', 'grip work', ['forearms'], null),
  quadriceps: slot('quadriceps', 'quadriceps accessory', ['quadriceps'], null),
  hamstringCurl: slot('hamstring-curl', 'hamstring curl', ['hamstrings'], 'isolation'),
  glutes: slot('glutes', 'glute accessory', ['glutes', 'abductors'], 'isolation'),
  calves: slot('calves', 'calf raise', ['calves'], null),
  core: slot('core', 'core', ['core', 'lower_back'], null, ['core']),
  mobility: slot('mobility', 'mobility', [], null, ['mobility']),
} satisfies Record<string, ExerciseSlot>;

const emphasisSlots: Record<EmphasisFocus, ExerciseSlot> = {
  chest: slot('emphasis-chest', 'extra chest', ['chest'], null),
  back: slot('emphasis-back', 'extra back', ['lats', 'upper_back'], null),
  shoulders: slot('emphasis-shoulders', 'extra shoulders', ['shoulders'], null),
  arms: slot('emphasis-arms', 'extra arms', ['biceps', 'triceps'], 'isolation'),
  legs: slot('emphasis-legs', 'extra legs', ['quadriceps', 'hamstrings', 'glutes'], null),
  glutes: slot('emphasis-glutes', 'extra glutes', ['glutes'], null),
  core: slot('emphasis-core', 'extra core', ['core', 'lower_back'], null, ['core']),
};

/** A kind of training day. */
export interface DayTemplate {
  kind: 'strength' | 'recovery';
  label: string;
  /** Main compound lifts, rotated on repeats of the day within a week. */
  mainLifts: readonly ExerciseSlot[];
  /** How far the main lifts rotate on each repeat. */
  rotationStep: number;
  accessories: readonly ExerciseSlot[];
}

const fullBody: DayTemplate = {
  kind: 'strength',
  label: 'Full body',
  mainLifts: [
    slots.squat,
    slots.horizontalPush,
    slots.hinge,
    slots.horizontalPull,
    slots.verticalPush,
    slots.verticalPull,
  ],
  rotationStep: 2,
  accessories: [slots.core, slots.glutes, slots.biceps, slots.triceps, slots.calves],
};

const upperBody: DayTemplate = {
  kind: 'strength',
  label: 'Upper body',
  mainLifts: [slots.horizontalPush, slots.horizontalPull, slots.verticalPush, slots.verticalPull],
  rotationStep: 2,
  accessories: [
    slots.shoulderIsolation,
    slots.chestIsolation,
    slots.biceps,
    slots.triceps,
    slots.upperBackIsolation,
    slots.core,
  ],
};

const lowerBody: DayTemplate = {
  kind: 'strength',
  label: 'Lower body',
  mainLifts: [slots.squat, slots.hinge],
  rotationStep: 1,
  accessories: [slots.quadriceps, slots.hamstringCurl, slots.glutes, slots.calves, slots.core],
};

const push: DayTemplate = {
  kind: 'strength',
  label: 'Push: chest, shoulders, triceps',
  mainLifts: [slots.horizontalPush, slots.verticalPush],
  rotationStep: 1,
  accessories: [
    slots.horizontalPush,
    slots.shoulderIsolation,
    slots.chestIsolation,
    slots.triceps,
    slots.triceps,
    slots.core,
  ],
};

const pull: DayTemplate = {
  kind: 'strength',
  label: 'Pull: back, biceps',
  mainLifts: [slots.verticalPull, slots.horizontalPull],
  rotationStep: 1,
  accessories: [
    slots.horizontalPull,
    slots.upperBackIsolation,
    slots.biceps,
    slots.biceps,
    slots.forearms,
    slots.core,
  ],
};

const legs: DayTemplate = {
  kind: 'strength',
  label: 'Legs: quadriceps, hamstrings, glutes, calves',
  mainLifts: [slots.squat, slots.hinge],
  rotationStep: 1,
  accessories: [
    slots.quadriceps,
    slots.hamstringCurl,
    slots.glutes,
    slots.calves,
    slots.core,
    slots.core,
  ],
};

/** Mobility slots only; the planner adds an easy cardio block. */
export const recoveryDay: DayTemplate = {
  kind: 'recovery',
  label: 'Active recovery & mobility',
  mainLifts: [],
  rotationStep: 0,
  accessories: Array.from({ length: 8 }, () => slots.mobility),
};

/** The days of the week, in order, and the sentence explaining why. */
export interface WeekSplit {
  name: string;
  rule: string;
  days: DayTemplate[];
}

const RECOVERY_DAY_INDEX = 3;

const isSplitFocus = (focus: PlanFocus): focus is SplitFocus =>
  (splitFocuses as readonly string[]).includes(focus);

function defaultSplit(strengthDays: number): SplitFocus {
  if (strengthDays <= 3) return 'full_body';
  if (strengthDays === 4) return 'upper_lower';
  return 'push_pull_legs';
}

/** The wanted split, or the next simpler one when there are too few strength days for it. */
function feasibleSplit(wanted: SplitFocus, strengthDays: number): SplitFocus {
  if (wanted === 'push_pull_legs' && strengthDays < 3) {
    return strengthDays === 2 ? 'upper_lower' : 'full_body';
  }
  if (wanted === 'upper_lower' && strengthDays < 2) return 'full_body';
  return wanted;
}

function strengthDayTemplates(split: SplitFocus, count: number): DayTemplate[] {
  const cycle: Record<SplitFocus, DayTemplate[]> = {
    full_body: [fullBody],
    upper_lower: [upperBody, lowerBody],
    // Five days cannot hold two full push/pull/legs rounds; upper and lower fill the gap evenly.
    push_pull_legs: count === 5 ? [push, pull, legs, upperBody, lowerBody] : [push, pull, legs],
  };
  const days = cycle[split];
  return Array.from({ length: count }, (_, index) => days[index % days.length] ?? fullBody);
}

const splitNames: Record<SplitFocus, string> = {
  full_body: 'full-body',
  upper_lower: 'upper/lower',
  push_pull_legs: 'push/pull/legs',
};

function splitRule(daysPerWeek: number, split: SplitFocus, wanted: SplitFocus | undefined): string {
  const recovery =
    daysPerWeek === 7
      ? ' Day 4 is active recovery and mobility, so no muscle trains 7 days running.'
      : '';
  if (wanted && wanted !== split) {
    return `Split: ${splitNames[wanted]} needs more training days than ${daysPerWeek}, so this plan uses ${splitNames[split]}.${recovery}`;
  }
  if (wanted) return `Split: ${splitNames[split]} on every training day, as asked.${recovery}`;
  const reasons: Record<SplitFocus, string> = {
    full_body: `with ${daysPerWeek} day${daysPerWeek === 1 ? '' : 's'} a week, every session trains every major muscle`,
    upper_lower: 'with 4 days a week, upper and lower body alternate so each is trained twice',
    push_pull_legs:
      daysPerWeek === 5
        ? 'with 5 days a week, push, pull and legs are followed by upper and lower, so each muscle is trained twice'
        : `with ${daysPerWeek} days a week, push, pull and legs each come twice`,
  };
  return `Split: ${splitNames[split]}, because ${reasons[split]}.${recovery}`;
}

/** The week's days for this many days and this focus; see the rules at the top of the file. */
export function chooseSplit(daysPerWeek: number, focus: PlanFocus | undefined): WeekSplit {
  const strengthDays = daysPerWeek === 7 ? 6 : daysPerWeek;
  const wanted = focus && isSplitFocus(focus) ? focus : undefined;
  const split = feasibleSplit(wanted ?? defaultSplit(strengthDays), strengthDays);
  const days = strengthDayTemplates(split, strengthDays);
  if (daysPerWeek === 7) days.splice(RECOVERY_DAY_INDEX, 0, recoveryDay);
  return { name: splitNames[split], rule: splitRule(daysPerWeek, split, wanted), days };
}

/** The emphasis slot for an emphasis focus, or null for a split focus or none. */
export function emphasisSlot(focus: PlanFocus | undefined): ExerciseSlot | null {
  if (!focus || isSplitFocus(focus)) return null;
  return emphasisSlots[focus];
}

/**
 * A day's slots in priority order: main lifts rotated for the `occurrence`-th repeat of this
 * day type in the week, the emphasis right after the first lift, then the accessories.
 */
export function daySlots(
  template: DayTemplate,
  occurrence: number,
  emphasis: ExerciseSlot | null,
): ExerciseSlot[] {
  const main = template.mainLifts;
  const shift = main.length === 0 ? 0 : (occurrence * template.rotationStep) % main.length;
  const rotated = [...main.slice(shift), ...main.slice(0, shift)];
  const ordered = [...rotated, ...template.accessories];
  if (emphasis && template.kind === 'strength') ordered.splice(1, 0, emphasis);
  return ordered;
}
