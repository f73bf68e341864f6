import { AppError, type FieldError } from '../../lib/errors.js';

/** The unit of mass an upload is in when its columns do not say. */
export const massUnits = ['kg', 'lb'] as const;
export type MassUnit = (typeof massUnits)[number];

/** 400: the upload cannot be read at all (broken CSV quoting, JSON syntax). */
export const unreadableScanFile = (detail: string, errors: FieldError[]) =>
  new AppError(400, 'VALIDATION_ERROR', 'Invalid request', detail, { errors });

/** 415: the upload is neither CSV nor JSON text (a PDF, an image, an Excel workbook). */
export const unsupportedScanFile = (detail: string) =>
  new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', detail, {
    errors: [{ path: 'file', message: 'must be an InBody CSV export or a JSON document' }],
  });

/**
 * 422: the file is CSV or JSON, but not a measurement we can use (a column missing, a value
 * unreadable or out of range); `errors` name the line and column, or the JSON field.
 */
export const unusableScan = (detail: string, errors: FieldError[]) =>
  new AppError(422, 'UNPROCESSABLE_SCAN', 'Unprocessable scan file', detail, { errors });
