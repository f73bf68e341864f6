import axios from 'axios';
import { TaskCancelledError } from 'cockatiel';
import { UpstreamMalformedError, UpstreamNetworkError } from './integration-errors.js';

/** One request as it goes on the wire: what request signing and the transport both see. */
export interface OutgoingRequest {
  method: 'GET' | 'POST';
  /** Absolute URL, query included, exactly as sent. */
  url: URL;
  /** Serialized body exactly as sent (signatures cover these bytes); absent for GET. */
  body?: string;
  contentType?: string;
}

/** The parts of an answer the caller needs; the body stays text until it is validated. */
export interface HttpResponse {
  status: number;
  header(name: string): string | undefined;
  text: string;
}

/** Sends one request; no retries, no time limit of its own (the policies own both). */
export interface HttpTransport {
  send(
    request: OutgoingRequest,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<HttpResponse>;
}

// Meal photos travel base64-encoded in the body; answers are small JSON documents.
const MAX_REQUEST_BYTES = 12 * 1024 * 1024;
const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

/** The axios-backed transport every client uses. */
export function createAxiosTransport(): HttpTransport {
  const client = axios.create({
    timeout: 0, // the timeout policy owns time limits, per attempt and per budget
    maxRedirects: 0, // a followed redirect would carry our credentials wherever it points
    maxBodyLength: MAX_REQUEST_BYTES,
    maxContentLength: MAX_RESPONSE_BYTES,
    responseType: 'text',
    // Bodies are serialized before signing and parsed after: axios must not touch either.
    transformRequest: [(data: unknown) => data],
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
  });

  return {
    async send(request, headers, signal) {
      try {
        const response = await client.request<unknown>({
          method: request.method,
          url: request.url.href,
          data: request.body,
          headers: {
            Accept: 'application/json',
            ...(request.contentType ? { 'Content-Type': request.contentType } : {}),
            ...headers,
          },
          signal,
        });
        return {
          status: response.status,
          header: (name) => {
            const value: unknown = response.headers[name.toLowerCase()];
            return typeof value === 'string' ? value : undefined;
          },
          text: typeof response.data === 'string' ? response.data : '',
        };
      } catch (error) {
        throw describeTransportFailure(error, signal);
      }
    },
  };
}

/**
 * Replaces an axios error (which carries the request config, credentials included) with one
 * that holds only what the policies need to decide.
 */
function describeTransportFailure(error: unknown, signal: AbortSignal): Error {
  if (signal.aborted) return new TaskCancelledError('request aborted');
  if (axios.isAxiosError(error)) {
    if (error.code === 'ERR_BAD_RESPONSE') {
      return new UpstreamMalformedError('the response was too large or unreadable');
    }
    return new UpstreamNetworkError(error.code ?? 'ERR_NETWORK');
  }
  return error instanceof Error ? error : new Error(String(error));
}
