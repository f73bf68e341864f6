import type { Express, Request, RequestHandler } from 'express';
// Its declarations type `req.id` and `req.log`, which this middleware provides instead.
import type {} from 'pino-http';
import type { Logger } from '../lib/logger.js';
import { requestIdOf } from './request-id.js';

const childLoggers = new WeakMap<Request, Logger>();

/**
 * One flat line per request ("request completed", or "request aborted" when the client left
 * first) with the request id, user id, method, URL, status and time, written when the response
 * closes. It replaces pino-http, which built a child logger for every request even when nothing
 * was logged; here `req.log` (the request-id child) is built only when a handler uses it, and a
 * level that drops info lines costs a listener and a comparison.
 */
export function requestLog(
  app: Express,
  logger: Logger,
  options: { ignore: (url: string) => boolean },
): RequestHandler {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request): Logger {
      let child = childLoggers.get(this);
      if (!child) {
        child = logger.child({ requestId: requestIdOf(this) });
        childLoggers.set(this, child);
      }
      return child;
    },
  });
  // The line's own fields hold nothing secret, so it skips the logger's redaction, which parses
  // every redacted path again on every line: a tenth of the CPU of `GET /users/me`. Headers,
  // written only when debugging, still go through it.
  const unredacted = logger.child({}, { redact: { paths: [] } });
  return (req, res, next) => {
    if (options.ignore(req.url)) {
      next();
      return;
    }
    const started = performance.now();
    res.once('close', () => {
      const completed = res.writableFinished;
      const level = !completed ? 'warn' : res.statusCode >= 500 ? 'error' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const withHeaders = logger.isLevelEnabled('debug');
      (withHeaders ? logger : unredacted)[level](
        {
          requestId: requestIdOf(req),
          userId: req.user?.userId,
          req: {
            method: req.method,
            url: req.originalUrl,
            // Headers (credentials redacted by the logger) only when debugging.
            ...(withHeaders && { headers: req.headers }),
          },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(performance.now() - started),
        },
        completed ? 'request completed' : 'request aborted',
      );
    });
    next();
  };
}
