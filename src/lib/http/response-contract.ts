import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, RequestHandler, Response } from 'express';
import { ZodType } from 'zod';
import { sendProblem } from '../../middleware/error-handler.js';
import { AppError } from '../errors.js';

/** A reply that differs from what the route's OpenAPI operation declares. */
export interface ContractViolation {
  /** The operation as the document names it, e.g. `GET /api/workouts/logs/{id}`. */
  operation: string;
  status: number;
  /** What differs, one line each, e.g. `items.0.extra: not declared in the schema`. */
  problems: string[];
}

/**
 * Checks every reply of every mounted route against its declared responses (on in tests, see
 * CHECK_RESPONSE_CONTRACT). A violation is reported and the reply becomes a 500 that names it.
 */
export interface ResponseContract {
  onViolation(violation: ContractViolation, req: Request): void;
}

type DeclaredResponses = RouteConfig['responses'];

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/;

// 500 is never declared: it is an unplanned failure, already logged and reported as such.
// 304 is Express answering a conditional GET for any route; it carries no body to check.
const EXEMPT_STATUSES = new Set([304, 500]);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const at = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));

/**
 * Fields of `sent` that parsing dropped: Zod objects strip unknown keys, so a body can parse
 * and still carry fields the document does not show. Those are contract drift too.
 */
function undeclaredFields(sent: unknown, parsed: unknown, path = ''): string[] {
  if (Array.isArray(sent) && Array.isArray(parsed)) {
    return sent.flatMap((item, index) => undeclaredFields(item, parsed[index], at(path, index)));
  }
  if (!isPlainObject(sent) || !isPlainObject(parsed)) return [];
  return Object.entries(sent).flatMap(([key, value]) =>
    key in parsed
      ? undeclaredFields(value, parsed[key], at(path, key))
      : [`${at(path, key)}: not declared in the schema`],
  );
}

function bodyProblems(schema: ZodType, body: unknown): string[] {
  const result = schema.safeParse(body);
  if (!result.success) {
    return result.error.issues.map(
      (issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`,
    );
  }
  return undeclaredFields(body, result.data);
}

function bodyOf(chunk: unknown): string | undefined {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk).toString('utf8');
  return undefined;
}

/** What is wrong with a finished reply, given its status, media type and body (if whole). */
function replyProblems(
  declared: DeclaredResponses,
  status: number,
  mediaType: string,
  body: string | undefined,
): string[] {
  const response = declared[status];
  if (!response) {
    return [`status ${status} is not declared (declared: ${Object.keys(declared).join(', ')})`];
  }
  const content = 'content' in response ? response.content : undefined;
  if (body === undefined || !JSON_MEDIA_TYPE.test(mediaType)) return [];
  if (!content) return [`answered a ${mediaType} body where none is declared`];
  const entry = content[mediaType];
  if (!entry) {
    return [`answered ${mediaType}, declared ${Object.keys(content).join(', ')}`];
  }
  const schema = 'schema' in entry ? entry.schema : undefined;
  if (!(schema instanceof ZodType)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return ['the body is not valid JSON'];
  }
  return bodyProblems(schema, parsed);
}

/**
 * First in a route's chain: wraps `res.end`, where every reply (JSON, problem, text, stream)
 * finishes, and compares it with `declared`. A whole body not yet sent is replaced by a 500
 * problem naming the violation; a streamed one can only be reported.
 */
export function responseContractCheck(
  operation: string,
  declared: DeclaredResponses,
  contract: ResponseContract,
): RequestHandler {
  return (req, res, next) => {
    const end = res.end;
    let checked = false;
    res.end = function checkedEnd(this: Response, ...args: unknown[]) {
      const finish = () => end.apply(this, args as Parameters<typeof end>);
      if (checked || EXEMPT_STATUSES.has(res.statusCode)) return finish();
      checked = true;
      const streamed = res.headersSent;
      const mediaType = (res.get('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      const body = streamed || req.method === 'HEAD' ? undefined : bodyOf(args[0]);
      const problems = replyProblems(declared, res.statusCode, mediaType, body);
      if (problems.length === 0) return finish();
      const violation = { operation, status: res.statusCode, problems };
      contract.onViolation(violation, req);
      if (streamed) return finish();
      sendProblem(
        req,
        res,
        new AppError(
          500,
          'CONTRACT_VIOLATION',
          'Reply breaks the declared contract',
          `${operation} answered ${violation.status}, which its OpenAPI operation does not allow: ${problems.join('; ')}`,
        ),
      );
      return res;
    } as Response['end'];
    next();
  };
}
