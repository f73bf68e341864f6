import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. */
export const SIGNATURE_HEADER = 'X-Scanning-Signature';
/** Header carrying the signing time, Unix seconds. */
export const TIMESTAMP_HEADER = 'X-Scanning-Timestamp';
/** How far a callback's timestamp may lie from our clock, either way. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** Why a callback is refused, or null when it verifies. */
export function webhookSignatureProblem(input: {
  secret: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  nowMs: number;
}): string | null {
  if (!input.secret) return 'callbacks are not accepted: no webhook secret is configured';
  if (!input.timestamp || !/^\d{1,12}$/.test(input.timestamp)) {
    return `the ${TIMESTAMP_HEADER} header is missing or not Unix seconds`;
  }
  if (Math.abs(input.nowMs / 1000 - Number(input.timestamp)) > WEBHOOK_TOLERANCE_SECONDS) {
    return `the ${TIMESTAMP_HEADER} is more than ${String(WEBHOOK_TOLERANCE_SECONDS)} s from our clock`;
  }
  const given = /^sha256=([0-9a-f]{64})$/i.exec(input.signature ?? '')?.[1];
  if (!given) return `the ${SIGNATURE_HEADER} header is missing or not sha256=<64 hex digits>`;
  const wanted = createHmac('sha256', input.secret)
    .update(`${input.timestamp}.`)
    .update(input.rawBody)
    .digest();
  // Both are 32 bytes: the regex fixed the given one's length.
  return timingSafeEqual(wanted, Buffer.from(given, 'hex')) ? null : 'the signature does not match';
}
