import { z } from '../../lib/zod.js';
import type { HttpTransport } from './http-transport.js';
import { UpstreamHttpError, UpstreamMalformedError } from './integration-errors.js';
import type { RequestAuth } from './request-auth.js';
import { parseRetryAfter } from './retry-after.js';

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i, 'must be Bearer'),
  expires_in: z.number().int().positive().optional(),
});

// RFC 6749 lets a server omit expires_in; assume a short life rather than a long one.
const DEFAULT_TOKEN_LIFETIME_SECONDS = 300;
// Renew a little before expiry so a token never dies in flight: 10% of its life, at most 60 s.
const MAX_RENEWAL_MARGIN_MS = 60_000;

interface CachedToken {
  accessToken: string;
  renewAt: number;
}

export interface ClientCredentialsOptions {
  tokenUrl: URL;
  clientId: string;
  clientSecret: string;
  transport: HttpTransport;
  now: () => number;
  /** Time limit of one token request. */
  timeoutMs: number;
}

/** `application/x-www-form-urlencoded` encoding of one value (RFC 6749 §2.3.1 asks for it). */
const formEncode = (value: string) => new URLSearchParams([['', value]]).toString().slice(1);

/**
 * OAuth 2.0 client credentials grant (3D Scanning): a bearer token from the token URL, client
 * authenticated with HTTP Basic, cached until shortly before `expires_in` and shared by
 * concurrent calls (one token request at a time).
 */
export class ClientCredentialsAuth implements RequestAuth {
  private cached: CachedToken | undefined;
  private pending: Promise<CachedToken> | undefined;

  constructor(private readonly options: ClientCredentialsOptions) {}

  async headersFor(): Promise<Record<string, string>> {
    const token = await this.currentToken();
    return { Authorization: `Bearer ${token.accessToken}` };
  }

  forgetRejectedCredentials(headersUsed: Record<string, string>): boolean {
    // Only drop the token that was refused: a concurrent call may already hold a newer one.
    if (this.cached && headersUsed.Authorization === `Bearer ${this.cached.accessToken}`) {
      this.cached = undefined;
    }
    return true;
  }

  private currentToken(): Promise<CachedToken> {
    if (this.cached && this.options.now() < this.cached.renewAt) {
      return Promise.resolve(this.cached);
    }
    this.pending ??= this.requestToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async requestToken(): Promise<CachedToken> {
    const { clientId, clientSecret, transport, tokenUrl, now, timeoutMs } = this.options;
    const basic = Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString(
      'base64',
    );
    // Its own time limit, not the caller's signal: the token is shared, one caller giving up
    // must not fail the others waiting for it.
    const response = await transport.send(
      {
        method: 'POST',
        url: tokenUrl,
        body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
        contentType: 'application/x-www-form-urlencoded',
      },
      { Authorization: `Basic ${basic}` },
      AbortSignal.timeout(timeoutMs),
    );
    if (response.status < 200 || response.status >= 300) {
      throw new UpstreamHttpError(
        response.status,
        parseRetryAfter(response.header('retry-after'), now()),
        'token endpoint',
      );
    }
    const token = parseTokenResponse(response.text);
    const lifetimeMs = (token.expires_in ?? DEFAULT_TOKEN_LIFETIME_SECONDS) * 1000;
    const margin = Math.min(MAX_RENEWAL_MARGIN_MS, lifetimeMs / 10);
    this.cached = { accessToken: token.access_token, renewAt: now() + lifetimeMs - margin };
    return this.cached;
  }
}

function parseTokenResponse(text: string): z.infer<typeof tokenResponseSchema> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UpstreamMalformedError('the token endpoint did not answer JSON');
  }
  const parsed = tokenResponseSchema.safeParse(json);
  if (!parsed.success) {
    throw new UpstreamMalformedError('the token endpoint answer lacks a usable bearer token');
  }
  return parsed.data;
}
