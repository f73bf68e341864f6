import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { validationError } from '../../lib/errors.js';
import type { DocumentedMiddleware } from '../../lib/http/route.js';
import { fieldErrorsOf, z } from '../../lib/zod.js';
import { singleFileUpload } from '../files/index.js';
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
 * kept in memory, read by the files module's upload middleware) and an optional `unit` field;
 * anything else in the form is a 400.
 */
export function scanUpload(limitBytes: number): DocumentedMiddleware {
  const readFile = singleFileUpload({ field: 'file', maxBytes: limitBytes, storage: 'memory' });
  const middleware: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    readFile(req, res, (error: unknown) => {
      if (error || !req.file) {
        next(error);
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
