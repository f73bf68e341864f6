import { describe, expect, it } from 'vitest';
import { validationError } from './errors.js';
import { fieldErrorsOf, z } from './zod.js';

describe('fieldErrorsOf', () => {
  it('when a value fails in thousands of places, then only the first 20 are built and the rest counted', () => {
    const schema = z.array(z.number());
    const parsed = schema.safeParse(Array.from({ length: 5_000 }, () => 'x'));
    if (parsed.success) throw new Error('expected a failure');
    const list = fieldErrorsOf(parsed.error, 'body');
    expect(list.errors).toHaveLength(20);
    expect(list.errors[0]).toEqual({ path: 'body.0', message: expect.any(String) });
    expect(list.omitted).toBe(4_980);
  });

  it('when unknown keys and other issues mix, then each key is its own entry, in order', () => {
    const schema = z.strictObject({ a: z.string() });
    const parsed = schema.safeParse({ a: 1, b: 1, c: 1 });
    if (parsed.success) throw new Error('expected a failure');
    expect(fieldErrorsOf(parsed.error, 'payload')).toEqual({
      errors: [
        { path: 'payload.a', message: expect.any(String) },
        { path: 'payload.b', message: 'unknown field' },
        { path: 'payload.c', message: 'unknown field' },
      ],
      omitted: 0,
    });
  });

  it('when the value itself is wrong and no location is given, then the path is (root)', () => {
    const parsed = z.string().safeParse(1);
    if (parsed.success) throw new Error('expected a failure');
    expect(fieldErrorsOf(parsed.error).errors).toEqual([
      { path: '(root)', message: expect.any(String) },
    ]);
  });
});

describe('validationError', () => {
  it('when given more than 20 field errors, then it keeps 20 and counts the rest', () => {
    const errors = Array.from({ length: 25 }, (_, i) => ({ path: `f${String(i)}`, message: 'm' }));
    const error = validationError('bad', { errors, omitted: 3 });
    expect(error.extras.errors).toHaveLength(20);
    expect(error.extras.errorsOmitted).toBe(8);
  });
});
