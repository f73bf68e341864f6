import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { StubRequest, StubService } from './stub-service.js';

// Written from docs/external-services.md, not from the client's signing code, so a mistake in
// either shows up as a failed verification instead of being mirrored.

/** Constant-time comparison of two strings of any length. */
const sameSecret = (given: string, wanted: string) =>
  timingSafeEqual(
    createHash('sha256').update(given).digest(),
    createHash('sha256').update(wanted).digest(),
  );

/** Why a signed request is refused, or null when it verifies. */
export function hmacRejection(
  request: StubRequest,
  expected: { apiKey: string; secret: string; nowSeconds: number; toleranceSeconds?: number },
): string | null {
  const apiKey = request.headers['x-api-key'];
  const timestamp = request.headers['x-timestamp'];
  const signature = request.headers['x-signature'];
  if (typeof apiKey !== 'string' || !sameSecret(apiKey, expected.apiKey)) return 'unknown API key';
  if (typeof timestamp !== 'string' || !/^\d+$/.test(timestamp)) return 'no timestamp';
  if (Math.abs(expected.nowSeconds - Number(timestamp)) > (expected.toleranceSeconds ?? 300)) {
    return 'stale timestamp';
  }
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/.test(signature)) return 'no signature';
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  const canonical = `${request.method}\n${request.target}\n${timestamp}\n${bodyHash}`;
  const wanted = createHmac('sha256', expected.secret).update(canonical).digest();
  return timingSafeEqual(wanted, Buffer.from(signature, 'hex')) ? null : 'bad signature';
}

/** The path the OAuth token endpoint lives at on a stub. */
export const TOKEN_PATH = '/oauth/token';

/**
 * An OAuth 2.0 token endpoint (client credentials, HTTP Basic client authentication) on a stub,
 * and the bearer check of the API routes: only tokens it issued and did not revoke pass.
 */
export class OAuthTokenStub {
  private readonly issued = new Set<string>();
  tokenRequests = 0;
  expiresInSeconds = 3_600;

  constructor(
    private readonly client: { id: string; secret: string },
    stub: StubService,
  ) {
    stub.on('POST', TOKEN_PATH, (request) => this.issue(request));
    stub.requireAuth((request) => this.acceptsBearer(request), `POST ${TOKEN_PATH}`);
  }

  /** Forgets every token, as when the provider revokes or expires them early. */
  revokeAll(): void {
    this.issued.clear();
  }

  private acceptsBearer(request: StubRequest): boolean {
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    return match?.[1] !== undefined && this.issued.has(match[1]);
  }

  private issue(request: StubRequest) {
    this.tokenRequests += 1;
    const form = new URLSearchParams(request.body);
    if (!request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
      return { status: 400, json: { error: 'invalid_request' } };
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return { status: 400, json: { error: 'unsupported_grant_type' } };
    }
    if (!this.basicCredentialsMatch(request.headers.authorization)) {
      return { status: 401, json: { error: 'invalid_client' } };
    }
    const token = randomBytes(16).toString('hex');
    this.issued.add(token);
    return {
      json: { access_token: token, token_type: 'Bearer', expires_in: this.expiresInSeconds },
    };
  }

  private basicCredentialsMatch(header: string | undefined): boolean {
    const match = /^Basic (.+)$/.exec(header ?? '');
    if (!match?.[1]) return false;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    return colon > 0 && id === this.client.id && secret === this.client.secret;
  }
}
