import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import {
  AppError,
  payloadTooLarge,
  unsupportedMediaType,
  validationError,
} from '../../lib/errors.js';

export interface SingleFileUploadOptions {
  /** The multipart field the file must come in (`image`, `file`). */
  field: string;
  /** Largest file in bytes; larger is 413. */
  maxBytes: number;
  /**
   * `memory` (default): the file as `req.file.buffer`, for small files read whole anyway (CSV,
   * JSON). `disk`: streamed to a temporary file, `req.file.path`, removed when the response
   * ends, so large uploads do not sit in memory while they arrive.
   */
  storage?: 'memory' | 'disk';
}

// A form of one file: a few small text fields at most, nothing a client could inflate.
const FIELD_LIMITS = {
  files: 1,
  fields: 5,
  fieldNameSize: 100,
  fieldSize: 1_024,
  parts: 6,
  headerPairs: 50,
};

/** multer's and busboy's complaints as problems; unknown (disk) errors go on as they are. */
function problemOf(error: unknown, options: SingleFileUploadOptions): unknown {
  if (error instanceof multer.MulterError) {
    const at = `body.${error.field ?? options.field}`;
    switch (error.code) {
      case 'LIMIT_FILE_SIZE':
        return payloadTooLarge(options.maxBytes);
      case 'LIMIT_UNEXPECTED_FILE':
        return validationError(`Send one file, in the multipart field "${options.field}".`, [
          { path: at, message: `unexpected file; send exactly one, as "${options.field}"` },
        ]);
      default:
        return validationError(`The multipart form breaks a limit: ${error.message}.`, [
          { path: at, message: error.message },
        ]);
    }
  }
  // busboy's parse errors ("Unexpected end of form", a missing boundary) carry no code.
  const code = (error as { code?: unknown }).code;
  if (error instanceof Error && typeof code !== 'string') {
    return validationError(`The multipart body is malformed: ${error.message}.`);
  }
  return error;
}

/**
 * Reads a multipart/form-data body holding exactly one file in `field`, bounded: the file by
 * `maxBytes` (413), one file and a handful of small fields (400), any other media type 415.
 * Mount it after authentication so nobody anonymous makes the server read megabytes.
 */
export function singleFileUpload(options: SingleFileUploadOptions): RequestHandler {
  const upload = multer({
    storage: options.storage === 'disk' ? multer.diskStorage({}) : multer.memoryStorage(),
    limits: { ...FIELD_LIMITS, fileSize: options.maxBytes },
  }).single(options.field);
  const temporaryDir = tmpdir();
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) {
      next(unsupportedMediaType(`multipart/form-data with the file as "${options.field}"`));
      return;
    }
    // Whatever happens to the request, its temporary file does not outlive the response.
    res.once('close', () => {
      const path = req.file?.path;
      if (path?.startsWith(temporaryDir)) void rm(path, { force: true }).catch(() => undefined);
    });
    upload(req, res, (error: unknown) => {
      if (error) {
        next(problemOf(error, options));
        return;
      }
      if (!req.file) {
        next(
          validationError(`Send the file in the multipart field "${options.field}".`, [
            { path: `body.${options.field}`, message: 'is required' },
          ]),
        );
        return;
      }
      next();
    });
  };
}

/** The upload `singleFileUpload` read into the request; its route always has one. */
export function uploadedFile(req: Request): Express.Multer.File {
  if (!req.file) throw new AppError(400, 'VALIDATION_ERROR', 'Invalid request', 'No file sent.');
  return req.file;
}
