import { describe, expect, it } from 'vitest';
import { contraindicationTags, type ContraindicationTag } from './exercise-library.data.js';
import {
  contraindicationDescriptions,
  interpretHealthConditions,
  tagsForCondition,
} from './health-conditions.js';

describe('tagsForCondition', () => {
  const examples: [string, ContraindicationTag[]][] = [
    ['bad knee', ['knee_injury']],
    ['Knee injury', ['knee_injury']],
    ['torn ACL (2021)', ['knee_injury']],
    ["runner's knee", ['knee_injury']],
    ['meniscus tear', ['knee_injury']],
    ['sprained ankle', ['ankle_injury']],
    ['Achilles tendinitis', ['ankle_injury']],
    ['hip replacement', ['hip_injury']],
    ['lower back pain', ['lower_back_pain']],
    ['bad back', ['lower_back_pain']],
    ['herniated disc', ['lower_back_pain']],
    ['Sciatica', ['lower_back_pain']],
    ['rotator cuff tear', ['shoulder_injury']],
    ['frozen shoulder', ['shoulder_injury']],
    ['tennis elbow', ['elbow_pain']],
    ['carpal tunnel syndrome', ['wrist_pain']],
    ['whiplash', ['neck_pain']],
    ['high blood pressure', ['hypertension']],
    ['HYPERTENSION', ['hypertension']],
    ['high BP', ['hypertension']],
    ['heart attack in 2019', ['heart_condition']],
    ['A-fib', ['heart_condition']],
    ['pregnant', ['pregnancy']],
    ['20 weeks pregnant', ['pregnancy']],
    ['postpartum', ['pregnancy']],
    ['osteopenia', ['osteoporosis']],
    ['Osteoporosis', ['osteoporosis']],
    ['asthma', ['asthma']],
    ['exercise-induced asthma', ['asthma']],
    ['knee and lower back pain', ['knee_injury', 'lower_back_pain']],
    ['labral tear', ['hip_injury', 'shoulder_injury']],
    ['heartburn', []],
    ['diabetes', []],
  ];

  it.each(examples)('when the text is %j, then the tags are %j', (text, tags) => {
    expect(tagsForCondition(text)).toEqual(tags);
  });

  it.each(contraindicationTags.map((tag) => [tag]))(
    'when the text is the tag %s itself, then it maps to that tag',
    (tag) => {
      expect(tagsForCondition(tag)).toContain(tag);
    },
  );
});

describe('interpretHealthConditions', () => {
  it('when some texts are unknown, then they are reported and restrict nothing', () => {
    const result = interpretHealthConditions(['diabetes', 'bad knee', '  something odd  ']);
    expect(result.tags).toEqual(['knee_injury']);
    expect(result.recognised).toEqual([{ text: 'bad knee', tags: ['knee_injury'] }]);
    expect(result.notUnderstood).toEqual(['diabetes', 'something odd']);
  });

  it('when a text says there is nothing, then it is neither a condition nor "not understood"', () => {
    const result = interpretHealthConditions(['none', 'N/A', '', '-', 'Healthy']);
    expect(result).toEqual({ tags: [], recognised: [], notUnderstood: [] });
  });

  it('when a text is in another script, then it is reported as not understood', () => {
    expect(interpretHealthConditions(['膝の痛み']).notUnderstood).toEqual(['膝の痛み']);
  });

  it('when texts repeat a tag, then each tag appears once, in the library order', () => {
    const result = interpretHealthConditions(['pregnant', 'sore knees', 'knee surgery', 'asthma']);
    expect(result.tags).toEqual(['knee_injury', 'pregnancy', 'asthma']);
  });

  it('when any tag is described, then it has words a member can read', () => {
    for (const tag of contraindicationTags) {
      expect(contraindicationDescriptions[tag].length).toBeGreaterThan(10);
    }
  });
});
