import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { conflict, validationError } from '../lib/errors.js';
import { kvKeys, type KeyValueStore } from '../lib/kv/kv.js';
import type { Logger } from '../lib/logger.js';

const KEY_FORMAT = /^[\x21-\x7E]{1,255}$/;
// A marker this old means the first request died mid-way; the key may then be tried again.
const PENDING_TTL_SECONDS = 120;

interface StoredOutcome {
  state: 'pending' | 'done';
  fingerprint: string;
  status?: number;
  contentType?: string;
  body?: unknown;
}

/**
 * Honours `Idempotency-Key` on a POST: the first request with a key runs and its response is
 * kept; a repeat with the same key and body gets that response again (`Idempotent-Replayed:
 * true`) without running twice; the same key with another body, or while the first is still
 * running, is a 409. Keys are scoped to the caller. Server errors are not kept, so they can be
 * retried with the same key.
 */
export function idempotency(deps: {
  kv: KeyValueStore;
  ttlSeconds: number;
  logger: Logger;
}): RequestHandler {
  const { kv, ttlSeconds, logger } = deps;
  return async (req, res, next) => {
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
    const scope = req.user?.userId ?? `ip-${req.ip ?? 'unknown'}`;
    const storeKey = kvKeys.idempotency(scope, key);
    const fingerprint = createHash('sha256')
      .update(
        `${req.method} ${req.originalUrl.split('?')[0] ?? ''}\n${JSON.stringify(req.body ?? null)}`,
      )
      .digest('hex');

    const pending: StoredOutcome = { state: 'pending', fingerprint };
    if (!(await kv.setIfAbsent(storeKey, JSON.stringify(pending), PENDING_TTL_SECONDS))) {
      const raw = await kv.get(storeKey);
      const stored = raw ? (JSON.parse(raw) as StoredOutcome) : undefined;
      if (!stored)
        throw conflict(
          'This Idempotency-Key was just released; retry the request.',
          'IDEMPOTENCY_REQUEST_IN_PROGRESS',
        );
      if (stored.fingerprint !== fingerprint) {
        throw conflict(
          'This Idempotency-Key was already used with a different request.',
          'IDEMPOTENCY_KEY_REUSED',
        );
      }
      if (stored.state === 'pending') {
        throw conflict(
          'A request with this Idempotency-Key is still being processed.',
          'IDEMPOTENCY_REQUEST_IN_PROGRESS',
        );
      }
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(stored.status ?? 200);
      if (stored.body === undefined) res.end();
      else res.type(stored.contentType ?? 'application/json').send(JSON.stringify(stored.body));
      return;
    }

    captureOutcome(res, async (status, body) => {
      try {
        if (status >= 500) await kv.delete(storeKey);
        else {
          const contentType = res.get('Content-Type');
          const done: StoredOutcome = { state: 'done', fingerprint, status, contentType, body };
          await kv.set(storeKey, JSON.stringify(done), ttlSeconds);
        }
      } catch (error) {
        // The response already left; the key expires by itself, so only note the failure.
        logger.warn({ err: error, requestId: req.id }, 'idempotency outcome not stored');
      }
    });
    next();
  };
}

function captureOutcome(
  res: Response,
  persist: (status: number, body: unknown) => Promise<void>,
): void {
  let body: unknown;
  const json = res.json.bind(res);
  res.json = (value: unknown) => {
    body = value;
    return json(value);
  };
  // Problem documents are sent as text; keep their parsed form so a replay is identical.
  const send = res.send.bind(res);
  res.send = (value?: unknown) => {
    if (
      body === undefined &&
      typeof value === 'string' &&
      res.get('Content-Type')?.includes('json')
    ) {
      try {
        body = JSON.parse(value);
      } catch {
        body = undefined;
      }
    }
    return send(value);
  };
  res.on('finish', () => void persist(res.statusCode, body));
  // A client that hung up before the answer left may retry with the same key.
  res.on('close', () => {
    if (!res.writableFinished) void persist(500, undefined);
  });
}
