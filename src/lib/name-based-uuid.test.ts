import { describe, expect, it } from 'vitest';
import { nameBasedUuid } from './name-based-uuid.js';

describe('nameBasedUuid', () => {
  it('when the RFC example name is hashed in the DNS namespace, then the published UUID comes out', () => {
    expect(nameBasedUuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('when the namespace is not a UUID, then it throws', () => {
    expect(() => nameBasedUuid('not-a-uuid', 'x')).toThrow(TypeError);
  });
});
