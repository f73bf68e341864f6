import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';

/** The request's id as a string (pino-http types it loosely; `requestId` always sets a string). */
export const requestIdOf = (req: Request): string => (typeof req.id === 'string' ? req.id : '');

const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Echoes a client's X-Request-Id when it is a sane token, otherwise mints one; the same id is
 * the log correlation id and the problem documents' `correlationId`.
 */
export const requestId: RequestHandler = (req, res, next) => {
  const incoming = req.headers['x-request-id'];
  const id =
    typeof incoming === 'string' && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  req.id = id;
  res.setHeader('X-Request-Id', id);
  next();
};
