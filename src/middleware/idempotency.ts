import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Database } from '../db/database.js';
import { conflict, validationError } from '../lib/errors.js';
import { sharedHeaders } from '../lib/http/openapi-contract.js';
import type { DocumentedMiddleware } from '../lib/http/route.js';
import type { Logger } from '../lib/logger.js';
import { z } from '../lib/zod.js';
import { idempotencyRepository as records } from '../modules/idempotency/index.js';

const KEY_FORMAT = /^[\x21-\x7E]{1,255}$/;
// A claim this old means the first request died mid-way; the key may then be tried again.
const PENDING_LEASE_SECONDS = 120;

const idempotencyKeyHeader = z.object({
  'idempotency-key': z
    .string()
    .regex(KEY_FORMAT)
    .optional()
    .openapi({
      description:
        'Makes the request safe to retry: 1–255 visible ASCII characters, unique per operation ' +
        'and scoped to the caller. A repeat with the same key, path and body answers the first ' +
        'response again (`Idempotent-Replayed: true`) without running twice; the same key with ' +
        'another body, or while the first request is still running, is 409. Responses below 500 ' +
        'are kept for `IDEMPOTENCY_TTL_SECONDS`.',
      example: '4f1c2a9e-6a53-4c1d-9b1e-2d7f0c6c1e10',
    }),
});

/**
 * Honours `Idempotency-Key` on a POST: the first request with a key runs and its response is
 * kept in PostgreSQL (Redis is only a cache: an empty one must not let the request run twice);
 * a repeat with the same key and body gets that response again (`Idempotent-Replayed: true`)
 * without running; the same key with another body, or while the first is still running, is a
 * 409. Keys are scoped to the caller. Server errors are not kept, so they can be retried with
 * the same key. The outcome is stored before the response is sent, whether or not the client
 * is still connected, so a client that hung up and retries gets the replay.
 */
export function idempotency(deps: {
  db: Database;
  ttlSeconds: number;
  logger: Logger;
}): DocumentedMiddleware {
  const { db, ttlSeconds, logger } = deps;
  const handler: RequestHandler = async (req, res, next) => {
    const key = req.headers['idempotency-key'];
    if (key === undefined) {
      next();
      return;
    }
    if (typeof key !== 'string' || !KEY_FORMAT.test(key)) {
      throw validationError('Idempotency-Key must be 1-255 visible ASCII characters.', [
        { path: 'headers.idempotency-key', message: 'invalid format' },
      ]);
    }
    const userId = req.user?.userId;
    const scope = userId ?? `ip-${req.ip ?? 'unknown'}`;
    const fingerprint = createHash('sha256')
      .update(
        `${req.method} ${req.originalUrl.split('?')[0] ?? ''}\n${JSON.stringify(req.body ?? null)}`,
      )
      .digest('hex');
    const claim = {
      scope,
      key,
      userId,
      fingerprint,
      ttlSeconds,
      leaseSeconds: PENDING_LEASE_SECONDS,
    };

    // A record deleted between the claim and the read (released, purged) is claimed again.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const claimId = await records.claim(db, claim);
      if (claimId) {
        storeOutcomeBeforeSending(res, async (outcome) => {
          try {
            if (outcome.status >= 500) await records.release(db, scope, key, claimId);
            else await records.complete(db, scope, key, claimId, outcome, ttlSeconds);
          } catch (error) {
            // The key stays pending until its lease ends, then the request may run again.
            logger.warn({ err: error, requestId: req.id }, 'idempotency outcome not stored');
          }
        });
        next();
        return;
      }
      const stored = await records.find(db, scope, key);
      if (!stored) continue;
      if (stored.fingerprint !== fingerprint) {
        throw conflict(
          'This Idempotency-Key was already used with a different request.',
          'IDEMPOTENCY_KEY_REUSED',
        );
      }
      if (stored.state === 'pending' || stored.status === null) {
        throw conflict(
          'A request with this Idempotency-Key is still being processed.',
          'IDEMPOTENCY_REQUEST_IN_PROGRESS',
        );
      }
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(stored.status);
      if (stored.contentType) res.setHeader('Content-Type', stored.contentType);
      res.end(stored.body ?? undefined);
      return;
    }
    throw conflict(
      'This Idempotency-Key was just released; retry the request.',
      'IDEMPOTENCY_REQUEST_IN_PROGRESS',
    );
  };
  const openApi: DocumentedMiddleware['openApi'] = {
    headers: idempotencyKeyHeader,
    errors: [409],
    reasons: { 409: ['IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_REQUEST_IN_PROGRESS'] },
    responseHeaders: { 'Idempotent-Replayed': sharedHeaders.idempotentReplayed },
  };
  return Object.assign(handler, { openApi });
}

/**
 * Holds back the end of the response until `persist` has stored it. Hooked on `res.end`, which
 * the handler calls whether or not the client is still there ('finish' never comes for a client
 * that hung up), and before the bytes go out, so a client that saw the answer can replay it and
 * a shutdown that waits for responses also waits for their records.
 */
function storeOutcomeBeforeSending(
  res: Response,
  persist: (outcome: { status: number; contentType?: string; body?: string }) => Promise<void>,
): void {
  const chunks: Buffer[] = [];
  const collect = (chunk: unknown, encoding: unknown) => {
    if (typeof chunk === 'string') {
      chunks.push(
        Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'),
      );
    } else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  res.write = ((...args: unknown[]) => {
    collect(args[0], args[1]);
    return write(...args);
  }) as Response['write'];
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  let ended = false;
  res.end = ((...args: unknown[]) => {
    if (ended) return res;
    ended = true;
    if (typeof args[0] !== 'function') collect(args[0], args[1]);
    const contentType = res.getHeader('Content-Type');
    const body = chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : undefined;
    void persist({
      status: res.statusCode,
      contentType: typeof contentType === 'string' ? contentType : undefined,
      body,
    }).finally(() => end(...args));
    return res;
  }) as Response['end'];
}
