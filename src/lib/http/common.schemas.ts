import { MAX_FIELD_ERRORS } from '../errors.js';
import { z } from '../zod.js';
import { nameCursor, timeCursor } from './cursor.js';

// C0/C1 control characters (tab, newline and carriage return aside) have no place in user text,
// and PostgreSQL rejects NUL outright; refusing them here keeps that a 400, not a 500.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
/** Characters as people count them: an emoji or a letter with its accents is one. */
const characterCount = (value: string) => Array.from(graphemes.segment(value)).length;

/**
 * Free text from a user: NFC-normalised, trimmed, without control characters, and bounded in
 * characters as people see them (an emoji counts once), with a cap on raw length too.
 */
export const text = (max: number, min = 0) =>
  z
    .string()
    .max(max * 2, `must be at most ${max} characters`)
    .transform((value) => value.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .refine(
          (value) => characterCount(value) >= min,
          min === 1 ? 'must not be empty' : `must be at least ${min} characters`,
        )
        .refine((value) => characterCount(value) <= max, `must be at most ${max} characters`)
        .refine((value) => !CONTROL_CHARACTERS.test(value), 'must not contain control characters'),
    );

/** A bounded, finite decimal; rejects 1e400, NaN and values no body can have. */
export const measurement = (min: number, max: number) => z.number().min(min).max(max);

export const uuidParam = z.uuid('must be a UUID');

export const idParams = z.strictObject({ id: uuidParam });

const pageLimit = z.coerce.number().int().min(1).max(100).default(20);

/** `?limit=&cursor=` of a list ordered by time; the cursor arrives decoded. */
export const pageQuery = z.strictObject({ limit: pageLimit, cursor: timeCursor.optional() });

/** `?limit=&cursor=` of a list ordered by name; the cursor arrives decoded. */
export const namePageQuery = z.strictObject({ limit: pageLimit, cursor: nameCursor.optional() });

/** `{ items, nextCursor }` around any item schema. */
export const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(`${name}Page`);

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ example: 'VALIDATION_ERROR' }),
    reason: z.string().optional().openapi({
      description: 'Which case of `code` this is (UPPER_SNAKE, stable), e.g. `MACHINE_OCCUPIED`',
    }),
    correlationId: z.string(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .max(MAX_FIELD_ERRORS)
      .optional()
      .openapi({
        description: `Field errors; at most the first ${String(MAX_FIELD_ERRORS)} are listed`,
      }),
    errorsOmitted: z.number().int().min(1).optional().openapi({
      description: 'How many further field errors were left out of `errors`; absent when none',
    }),
  })
  .openapi('Problem', { description: 'RFC 9457 problem document' });
