import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import {
  AppError,
  payloadTooLarge,
  unsupportedMediaType,
  validationError,
} from '../../lib/errors.js';
import type { DocumentedMiddleware } from '../../lib/http/route.js';
import { fieldErrorsOf, z } from '../../lib/zod.js';
import { massUnits, type MassUnit } from './scan-file.errors.js';
import { scanUploadFormSchema } from './scans.schemas.js';

/** The upload as the handler gets it (on `res.locals.scanUpload`). */
export interface ScanUploadInput {
  bytes: Buffer;
  unit: MassUnit;
}

const formFields = z.strictObject({ unit: z.enum(massUnits).default('kg') });

/**
 * Reads `multipart/form-data` with exactly one file part named `file` (at most `limitBytes`,
 * kept in memory) and an optional `unit` field; anything else in the form is a 400. Small on
 * purpose: the files module's shared upload middleware replaces it.
 */
export function scanUpload(limitBytes: number): DocumentedMiddleware {
  const parse = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: limitBytes, files: 1, fields: 1, parts: 2, fieldSize: 64, headerPairs: 20 },
  }).single('file');
  const middleware: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) {
      next(unsupportedMediaType('multipart/form-data with the file in a `file` part'));
      return;
    }
    parse(req, res, (error: unknown) => {
      if (error) {
        next(uploadProblem(error, limitBytes));
        return;
      }
      if (!req.file) {
        next(validationError('The form has no file.', [{ path: 'file', message: 'is required' }]));
        return;
      }
      const fields = formFields.safeParse({ ...(req.body as object) });
      if (!fields.success) {
        next(validationError('The form is invalid.', fieldErrorsOf(fields.error, 'form')));
        return;
      }
      const input: ScanUploadInput = { bytes: req.file.buffer, unit: fields.data.unit };
      res.locals.scanUpload = input;
      next();
    });
  };
  return Object.assign(middleware, {
    openApi: {
      errors: [400, 413, 415],
      body: {
        mediaType: 'multipart/form-data',
        schema: scanUploadFormSchema,
        description: `One part \`file\` of at most ${String(limitBytes)} bytes, and optionally \`unit\`.`,
        example: { file: '(inbody-export.csv)', unit: 'kg' },
      },
    },
  });
}

/** Multer's and busboy's refusals as problems: too big 413, everything else about the form 400. */
function uploadProblem(error: unknown, limitBytes: number): AppError {
  if (error instanceof multer.MulterError) {
    if (error.code === 'LIMIT_FILE_SIZE') return payloadTooLarge(limitBytes);
    const field = error.field ?? 'form';
    const messages: Partial<Record<multer.ErrorCode, string>> = {
      LIMIT_UNEXPECTED_FILE: 'is not expected: send one file, in the part named `file`',
      LIMIT_FILE_COUNT: 'holds more than one file',
      LIMIT_PART_COUNT: 'has too many parts',
      LIMIT_FIELD_COUNT: 'has too many fields',
      LIMIT_FIELD_KEY: 'has a field name that is too long',
      LIMIT_FIELD_VALUE: 'has a field value that is too long',
    };
    return validationError('The upload form is invalid.', [
      { path: field, message: messages[error.code] ?? 'is invalid' },
    ]);
  }
  if (error instanceof AppError) return error;
  // busboy: a missing boundary, a truncated body, a malformed part header.
  return validationError('The body is not a readable multipart form.', [
    { path: 'body', message: 'is not valid multipart/form-data' },
  ]);
}
