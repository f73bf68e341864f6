import { contraindicationTags, type ContraindicationTag } from './exercise-library.data.js';

/**
 * Turns what users type into their profile's health conditions ("bad knee", "herniated disc",
 * "high blood pressure", "pregnant") into the library's closed contraindication tags.
 *
 * Rules, in the order they are applied:
 * 1. The text is lower-cased and every run of characters other than letters and digits becomes
 *    one space, so "Runner's-Knee", "KNEE_INJURY" and "knee injury" all read the same.
 * 2. Words that mean "nothing to report" ("none", "n/a", "healthy", …) are ignored.
 * 3. Each tag has keyword patterns (below); a text gets every tag whose pattern it contains, so
 *    "knee and lower back pain" restricts both. Matching is whole-word at the start (`\bknee`),
 *    so "heartburn" is not a heart condition and "hipster" is not a hip.
 * 4. Text no pattern matches is reported back as not understood and restricts nothing: the
 *    plan says so, rather than pretending it accounted for it.
 *
 * The rules lean conservative; every back problem restricts like lower back pain, an unspecified
 * labral tear restricts both hip and shoulder, postpartum restricts like pregnancy, and a
 * negation ("no knee problems") still matches. Over-restricting costs a few exercises;
 * under-restricting can hurt someone.
 */

interface ConditionRule {
  tag: ContraindicationTag;
  patterns: readonly RegExp[];
}

const conditionRules: readonly ConditionRule[] = [
  {
    tag: 'knee_injury',
    patterns: [/\bknees?\b/, /\b(acl|mcl|pcl|lcl)\b/, /\bmenisc/, /\bpatell/],
  },
  {
    tag: 'ankle_injury',
    patterns: [/\bankles?\b/, /\bachilles\b/, /\bplantar\b/, /\b(foot|feet)\b/],
  },
  {
    tag: 'hip_injury',
    patterns: [/\bhips?\b/, /\bgroin\b/, /\blabr(um|al)\b/],
  },
  {
    tag: 'lower_back_pain',
    patterns: [
      /\bback(ache|pain)?\b/,
      /\blumbar\b/,
      /\b(disc|disk)s?\b/,
      /\bherniat/,
      /\bsciatic/,
      /\bspin(e|al)\b/,
      /\bscoliosis\b/,
    ],
  },
  {
    tag: 'shoulder_injury',
    patterns: [/\bshoulders?\b/, /\brotator\b/, /\bimpingement\b/, /\blabr(um|al)\b/],
  },
  {
    tag: 'elbow_pain',
    patterns: [/\belbows?\b/, /\bepicondyl/],
  },
  {
    tag: 'wrist_pain',
    patterns: [/\bwrists?\b/, /\bcarpal\b/],
  },
  {
    tag: 'neck_pain',
    patterns: [/\bneck\b/, /\bcervical\b/, /\bwhiplash\b/],
  },
  {
    tag: 'hypertension',
    patterns: [/\bhypertensi/, /\b(high|elevated|raised) (blood pressure|bp)\b/, /\bhbp\b/],
  },
  {
    tag: 'heart_condition',
    patterns: [
      /\bheart\b/,
      /\bcardiac\b/,
      /\bcardiomyopath/,
      /\barrhythmi/,
      /\ba ?fib\b/,
      /\batrial\b/,
      /\bangina\b/,
      /\bcoronary\b/,
      /\bstents?\b/,
      /\bpacemaker\b/,
      /\btachycardia\b/,
    ],
  },
  {
    tag: 'pregnancy',
    patterns: [/\bpregnan/, /\bexpecting\b/, /\btrimester\b/, /\bpost ?partum\b/],
  },
  {
    tag: 'osteoporosis',
    patterns: [/\bosteopor/, /\bosteopenia\b/, /\bbone density\b/, /\bbrittle bones?\b/],
  },
  {
    tag: 'asthma',
    patterns: [/\basthma/, /\bcopd\b/, /\bbronch/, /\bbreathing\b/, /\bbreathless/],
  },
];

const NOTHING_TO_REPORT = new Set(['', 'none', 'no', 'nil', 'n a', 'na', 'nothing', 'healthy']);

/** One condition as typed and the tags it was read as. */
export interface RecognisedCondition {
  text: string;
  tags: ContraindicationTag[];
}

/** What the planner knows about the user's health after reading their free text. */
export interface InterpretedConditions {
  /** Every tag any text matched, once each, in the library's tag order. */
  tags: ContraindicationTag[];
  recognised: RecognisedCondition[];
  /** Texts that matched no rule, as the user typed them (trimmed). */
  notUnderstood: string[];
}

function normalise(text: string): string {
  // Letters of any script survive, so text in another language is "not understood", not "nothing".
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The contraindication tags one free-text condition maps to; empty when nothing matches. */
export function tagsForCondition(text: string): ContraindicationTag[] {
  const normalised = normalise(text);
  return conditionRules
    .filter((rule) => rule.patterns.some((pattern) => pattern.test(normalised)))
    .map((rule) => rule.tag);
}

/** Reads the user's free-text health conditions into tags, keeping what it could not read. */
export function interpretHealthConditions(texts: readonly string[]): InterpretedConditions {
  const recognised: RecognisedCondition[] = [];
  const notUnderstood: string[] = [];
  for (const text of texts) {
    if (NOTHING_TO_REPORT.has(normalise(text))) continue;
    const tags = tagsForCondition(text);
    if (tags.length > 0) recognised.push({ text: text.trim(), tags });
    else notUnderstood.push(text.trim());
  }
  const matched = new Set(recognised.flatMap((condition) => condition.tags));
  return {
    tags: contraindicationTags.filter((tag) => matched.has(tag)),
    recognised,
    notUnderstood,
  };
}

/** What the planner leaves out for each tag, in words a member understands. */
export const contraindicationDescriptions: Record<ContraindicationTag, string> = {
  knee_injury: 'deep loaded knee bends, lunges, kneeling, jumping and running',
  ankle_injury: 'jumping, running, lunges, step-ups and calf raises',
  hip_injury: 'deep squats, lunges, wide stances, jumping and deep hip stretches',
  lower_back_pain: 'heavy spinal loading, bent-over lifts, crunches, twists and back arching',
  shoulder_injury: 'overhead pressing and hanging, dips, flyes and raises',
  elbow_pain: 'dips, skull crushers, overhead triceps work and straight-bar curls',
  wrist_pain: 'exercises with body weight on the hands and bent-back wrists',
  neck_pain: 'crunches and sit-ups, shrugs, bars on the neck and head-down positions',
  hypertension:
    'heavy straining lifts, long strained holds, head-down positions and all-out sprints',
  heart_condition: 'heavy straining lifts, long strained holds and all-out efforts',
  pregnancy: 'lying on the back or front, crunches and twists, jumping and heavy straining lifts',
  osteoporosis: 'jumping and running, spinal flexion and twisting, and heavy spinal loading',
  asthma: 'all-out sprints and sustained high-intensity intervals',
};
