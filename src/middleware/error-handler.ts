import { TaskCancelledError } from 'cockatiel';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import {
  AppError,
  causeChain,
  describeErrorForLog,
  conflict,
  internal,
  malformedJson,
  notFound,
  payloadTooLarge,
  serviceUnavailable,
  unsupportedMediaType,
  validationError,
} from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { requestIdOf } from './request-id.js';

/** Where unknown errors are reported (Sentry when configured). */
export type ErrorReporter = (error: unknown, req: Request) => void;

const kebab = (code: string) => code.toLowerCase().replace(/_/g, '-');

/** Writes an AppError as an RFC 9457 problem document. */
export function sendProblem(req: Request, res: Response, error: AppError): void {
  if (error.extras.headers) res.set(error.extras.headers);
  res
    .status(error.status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: `tag:nxg-connect,2026:problem:${kebab(error.code)}`,
        title: error.title,
        status: error.status,
        detail: error.detail,
        code: error.code,
        ...(error.extras.reason ? { reason: error.extras.reason } : {}),
        correlationId: requestIdOf(req),
        ...(error.extras.errors ? { errors: error.extras.errors } : {}),
        ...(error.extras.errorsOmitted ? { errorsOmitted: error.extras.errorsOmitted } : {}),
      }),
    );
}

interface BodyParserError {
  type: string;
  status?: number;
  /** The limit a too-large body broke (a route may read its body with a limit of its own). */
  limit?: unknown;
}
const isBodyParserError = (error: unknown): error is BodyParserError =>
  typeof error === 'object' &&
  error !== null &&
  typeof (error as { type?: unknown }).type === 'string' &&
  typeof (error as { status?: unknown }).status === 'number';

/**
 * A body that does not decompress as its Content-Encoding says: body-parser passes zlib's error
 * on (`Z_DATA_ERROR`, `Z_BUF_ERROR`, brotli's `ERR__ERROR_FORMAT_…`) with status 400 and no
 * `type`. The client sent bad bytes; that is a 400, not a 500 to alert on.
 */
const isUndecodableBody = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { status?: unknown }).status === 400 &&
  typeof (error as { errno?: unknown }).errno === 'number' &&
  /^(Z_|ERR__ERROR_)/.test(String((error as { code?: unknown }).code));

/** PostgreSQL's SQLSTATE, from the driver error or from the one Drizzle wraps it in. */
function sqlState(error: unknown): string | undefined {
  for (const { code } of causeChain(error)) {
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

// Node socket errors, PostgreSQL's connection exceptions (class 08) and shutdown or restart
// (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now), ioredis giving up:
// the dependency is unreachable, which is a 503 the client may retry, not a bug.
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
]);

// What pg and pg-pool say, without a code, about a connection that broke or never came.
const UNREACHABLE_MESSAGE =
  /Connection terminated|Connection is closed|not queryable|timeout exceeded when trying to connect/;

function isUnreachable(error: unknown): boolean {
  for (const { code, name, message } of causeChain(error)) {
    if (typeof code === 'string' && (UNREACHABLE.has(code) || /^08[0-9A-Z]{3}$/.test(code))) {
      return true;
    }
    if (name === 'MaxRetriesPerRequestError') return true;
    if (typeof message === 'string' && UNREACHABLE_MESSAGE.test(message)) return true;
  }
  return false;
}

// PostgreSQL restarts in seconds and the pool reconnects on the next request.
const UNREACHABLE_RETRY_AFTER_SECONDS = 2;

/** Maps library and driver errors to our own; undefined when the error is truly unexpected. */
export function translateError(error: unknown, bodyLimitBytes: number): AppError | undefined {
  if (error instanceof AppError) return error;
  if (isUnreachable(error)) {
    return serviceUnavailable(
      'A backing service is unreachable; retry shortly.',
      UNREACHABLE_RETRY_AFTER_SECONDS,
    );
  }
  if (isUndecodableBody(error)) {
    return validationError(
      'The request body could not be decompressed as its Content-Encoding header says.',
    );
  }
  if (isBodyParserError(error)) {
    switch (error.type) {
      case 'entity.parse.failed':
        return malformedJson();
      case 'entity.too.large':
        return payloadTooLarge(typeof error.limit === 'number' ? error.limit : bodyLimitBytes);
      case 'encoding.unsupported':
        return unsupportedMediaType(
          'application/json, uncompressed or with Content-Encoding gzip, deflate or br',
        );
      case 'charset.unsupported':
        return unsupportedMediaType('UTF-8 encoded application/json');
      case 'request.aborted':
      case 'request.size.invalid':
        return validationError('The request body was incomplete.');
      default:
        return undefined;
    }
  }
  switch (sqlState(error)) {
    case '23505':
      return conflict('A record with these values already exists.', 'DUPLICATE_RECORD');
    case '23503':
      return notFound('Referenced resource');
    case '23001':
      return conflict('The record is still in use by others.', 'RECORD_IN_USE');
    case '22001':
    case '22003':
    case '22007':
    case '22008':
    case '22P02':
    case '22021':
      return validationError('A value is out of range or malformed.');
    case '40001':
    case '40P01':
      return conflict(
        'The request conflicted with a concurrent change; retry it.',
        'CONCURRENT_CHANGE',
      );
    case '57014':
    case '53300':
      return serviceUnavailable('The database is busy; retry shortly.');
    default:
      return undefined;
  }
}

/**
 * Work a request abandoned when its client hung up (a queued password check is cancelled
 * through the request's abort signal): nobody is left to answer, and it is no incident.
 */
function stoppedForAGoneClient(req: Request, error: unknown): boolean {
  if (!req.socket.destroyed) return false;
  return error instanceof TaskCancelledError || (error as { name?: unknown }).name === 'AbortError';
}

/** The single error handler: every failure leaves as problem+json, unknown ones as a bare 500. */
export function errorHandler(deps: {
  logger: Logger;
  bodyLimitBytes: number;
  report?: ErrorReporter;
}): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (stoppedForAGoneClient(req, error)) {
      deps.logger.info({ requestId: req.id }, 'client went away; its work was stopped');
      return;
    }
    const known = translateError(error, deps.bodyLimitBytes);
    // Our own 503s (e.g. the password-hashing gate) are expected load shedding, not incidents.
    if (known?.status === 503 && !(error instanceof AppError)) {
      deps.logger.warn(
        { error: describeErrorForLog(error), requestId: req.id },
        'dependency unavailable',
      );
    }
    if (known && !known.extras.report) {
      sendProblem(req, res, known);
      return;
    }
    const described = describeErrorForLog(error);
    deps.logger.error({ error: described, requestId: req.id }, 'unhandled error');
    deps.report?.(Object.assign(new Error(String(described.message)), described), req);
    sendProblem(req, res, known ?? internal());
  };
}

/** 404 for any path no route matched. */
export const routeNotFound: RequestHandler = (req, res) => {
  sendProblem(req, res, notFound(`Route ${req.method} ${req.path}`));
};
