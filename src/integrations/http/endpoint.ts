import { validationError } from '../../lib/errors.js';
import { fieldErrorsOf, type z } from '../../lib/zod.js';
import type { HttpResponse, OutgoingRequest } from './http-transport.js';
import { UpstreamHttpError, UpstreamMalformedError } from './integration-errors.js';
import { parseRetryAfter } from './retry-after.js';

/** One endpoint of a service: where it is, how long it may take, and its contract both ways. */
export interface Endpoint<Request extends z.ZodType, Response extends z.ZodType> {
  /** Name in logs, e.g. `generatePlan`. */
  operation: string;
  method: 'GET' | 'POST';
  /** Path below the service's base URL, e.g. `/plans/generate`. */
  path: string;
  /** `ai` calls get the long timeout. */
  kind: 'ai' | 'standard';
  /** Body of a POST; query parameters (flat strings, numbers, booleans) of a GET. */
  request: Request;
  response: Response;
}

/** Declares an endpoint with its types inferred from the schemas. */
export const defineEndpoint = <Request extends z.ZodType, Response extends z.ZodType>(
  endpoint: Endpoint<Request, Response>,
) => endpoint;

/** Validates the input against the contract and lays it out as it will go on the wire. */
export function buildRequest(
  baseUrl: URL,
  endpoint: Endpoint<z.ZodType, z.ZodType>,
  input: unknown,
): OutgoingRequest {
  const parsed = endpoint.request.safeParse(input);
  if (!parsed.success) {
    throw validationError(
      `The ${endpoint.operation} request does not match the service contract.`,
      fieldErrorsOf(parsed.error),
    );
  }
  const url = new URL(baseUrl.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${endpoint.path}`;
  if (endpoint.method === 'GET') {
    url.search = queryString(parsed.data);
    return { method: 'GET', url };
  }
  // Serialized here, once: the HMAC signature covers exactly these bytes.
  return {
    method: 'POST',
    url,
    body: JSON.stringify(parsed.data),
    contentType: 'application/json',
  };
}

function queryString(parameters: unknown): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      search.append(name, String(value));
    }
  }
  return search.toString();
}

/** The validated body of a 2xx; throws the failure any other answer stands for. */
export function readAnswer<Response extends z.ZodType>(
  endpoint: Endpoint<z.ZodType, Response>,
  response: HttpResponse,
  nowMs: number,
): z.output<Response> {
  if (response.status < 200 || response.status >= 300) {
    throw new UpstreamHttpError(
      response.status,
      parseRetryAfter(response.header('retry-after'), nowMs),
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(response.text);
  } catch {
    throw new UpstreamMalformedError(`the ${endpoint.operation} answer is not JSON`);
  }
  const parsed = endpoint.response.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(fieldErrorsOf(parsed.error).errors.map(({ path }) => path))];
    throw new UpstreamMalformedError(
      `the ${endpoint.operation} answer does not match the contract (${fields.slice(0, 5).join(', ')})`,
    );
  }
  return parsed.data;
}
