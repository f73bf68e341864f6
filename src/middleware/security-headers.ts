import cors, { type CorsOptions } from 'cors';
import type { Request, RequestHandler, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's headers, worked out once. With static options (no per-request nonce or function
 * directive) helmet answers every response with the same dozen headers, through a dozen nested
 * middleware calls that rebuild them each time. Here helmet runs once at startup against a
 * recording response, and each request gets the recorded list: the same headers, from helmet's
 * own defaults and validation, at the cost of the `setHeader` calls alone.
 */
export function securityHeaders(options: HelmetOptions): RequestHandler {
  const csp = options.contentSecurityPolicy;
  const directives = typeof csp === 'object' ? Object.values(csp.directives ?? {}) : [];
  // A function directive (a per-request nonce) would run once here and its answer be reused.
  if (directives.flat().some((value) => typeof value === 'function')) {
    throw new Error('securityHeaders takes static helmet options only; use helmet itself');
  }
  const headers: [name: string, value: string][] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.push([name, String(value)]);
    },
    // Helmet removes X-Powered-By; the app never sets it (`app.disable('x-powered-by')`).
    removeHeader: () => undefined,
  };
  let called = false as boolean;
  helmet(options)({} as unknown as Request, recorder as unknown as Response, () => {
    called = true;
  });
  // Helmet is synchronous; were it ever not, `next` would not have been called yet.
  if (!called) throw new Error('helmet did not finish synchronously: its headers are not static');
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/**
 * CORS for browsers only. Browsers send `Origin` on every cross-origin request; a request
 * without one (the mobile app, a gym machine, a same-origin page) gets no CORS headers, only
 * `Vary: Origin` so a shared cache keeps the two kinds of answer apart.
 */
export function browserCors(options: CorsOptions): RequestHandler {
  const forBrowsers = cors(options);
  return (req, res, next) => {
    if (req.headers.origin === undefined) {
      res.vary('Origin');
      next();
      return;
    }
    forBrowsers(req, res, next);
  };
}
