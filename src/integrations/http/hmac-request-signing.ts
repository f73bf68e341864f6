import { createHash, createHmac } from 'node:crypto';
import type { OutgoingRequest } from './http-transport.js';
import type { RequestAuth } from './request-auth.js';

/**
 * The string the Nutrition Planning signature covers, one field per line:
 * method, path with query (as on the wire, base path included), unix timestamp in seconds,
 * lowercase hex SHA-256 of the body bytes (of the empty string for GET).
 */
export function canonicalRequest(request: OutgoingRequest, timestampSeconds: number): string {
  const bodyHash = createHash('sha256')
    .update(request.body ?? '', 'utf8')
    .digest('hex');
  return [
    request.method,
    `${request.url.pathname}${request.url.search}`,
    String(timestampSeconds),
    bodyHash,
  ].join('\n');
}

/**
 * API key plus an HMAC-SHA256 signature over the canonical request (Nutrition Planning):
 * `X-API-Key`, `X-Timestamp` (unix seconds) and `X-Signature` (lowercase hex). The timestamp lets
 * the service refuse replays older than its tolerance (5 minutes).
 */
export function hmacSignedAuth(options: {
  apiKey: string;
  secret: string;
  now: () => number;
}): RequestAuth {
  return {
    headersFor(request) {
      const timestamp = Math.floor(options.now() / 1000);
      const signature = createHmac('sha256', options.secret)
        .update(canonicalRequest(request, timestamp), 'utf8')
        .digest('hex');
      return Promise.resolve({
        'X-API-Key': options.apiKey,
        'X-Timestamp': String(timestamp),
        'X-Signature': signature,
      });
    },
  };
}
