import type { OutgoingRequest } from './http-transport.js';

/** How a client proves who it is to its service. */
export interface RequestAuth {
  /** Headers authenticating one request; computed per request so timestamps and tokens are fresh. */
  headersFor(request: OutgoingRequest): Promise<Record<string, string>>;
  /**
   * Told that the service answered 401 to a request sent with `headersUsed`. Returns true when
   * the credentials can be renewed, so the request is worth sending once more.
   */
  forgetRejectedCredentials?(headersUsed: Record<string, string>): boolean;
}

/** A static API key in `X-API-Key` (Workout Planning). */
export function apiKeyAuth(apiKey: string): RequestAuth {
  return { headersFor: () => Promise.resolve({ 'X-API-Key': apiKey }) };
}

/** A static bearer token (Meal Detection). */
export function bearerTokenAuth(token: string): RequestAuth {
  return { headersFor: () => Promise.resolve({ Authorization: `Bearer ${token}` }) };
}

/**
 * No credentials, only a descriptive User-Agent (Open Food Facts' public API asks every client
 * to name itself and give a contact, and blocks anonymous scrapers).
 */
export function userAgentOnly(userAgent: string): RequestAuth {
  return { headersFor: () => Promise.resolve({ 'User-Agent': userAgent }) };
}
