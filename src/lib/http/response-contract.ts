import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, RequestHandler, Response } from 'express';
import { ZodType } from 'zod';
import { z } from '../zod.js';
import { sendProblem } from '../../middleware/error-handler.js';
import { AppError } from '../errors.js';
import { problemSchema } from './common.schemas.js';

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

const isJsonMediaType = (mediaType: string) =>
  mediaType === 'application/json' ||
  (mediaType.startsWith('application/') && mediaType.endsWith('+json'));

// 304 is Express answering a conditional GET for any route; it carries no body to check.
const EXEMPT_STATUSES = new Set([304]);

/**
 * Statuses any route may answer without declaring them: 500 (an unplanned failure, logged and
 * reported as such) and 503 (a dependency unreachable, mapped by the error handler wherever it
 * happens). Undeclared, their body must still be a problem document.
 */
const ANY_ROUTE_STATUSES = new Set([500, 503]);
const anyRouteResponse: DeclaredResponses[number] = {
  description: 'Problem',
  content: { 'application/problem+json': { schema: problemSchema } },
};

const pathText = (path: readonly PropertyKey[]) => path.map(String).join('.') || '(body)';

/** Issues as lines; of a union that nothing matched, those of the closest option. */
function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): string[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${pathText([...path, key])}: not declared in the schema`);
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const closest = issue.errors.reduce((best, next) =>
        next.length < best.length ? next : best,
      );
      return describeIssues(closest, path);
    }
    return [`${pathText(path)}: ${issue.message}`];
  });
}

const strictCopies = new WeakMap<ZodType, ZodType>();

/**
 * The schema with every plain object strict. Zod objects strip unknown keys when parsing, so a
 * body with fields the document does not show would pass: those are contract drift too. Loose
 * objects (`z.looseObject`, a catchall) stay loose; other schemas are kept as they are.
 */
function strictCopy(schema: ZodType): ZodType {
  const known = strictCopies.get(schema);
  if (known) return known;
  const copy = buildStrictCopy(schema);
  strictCopies.set(schema, copy);
  return copy;
}

function buildStrictCopy(schema: ZodType): ZodType {
  if (schema instanceof z.ZodObject) {
    const shape = Object.fromEntries(
      Object.entries(schema.shape as Record<string, ZodType>).map(([key, value]) => [
        key,
        strictCopy(value),
      ]),
    );
    const { catchall } = schema._zod.def;
    return catchall ? z.object(shape).catchall(catchall) : z.strictObject(shape);
  }
  if (schema instanceof z.ZodArray) return z.array(strictCopy(schema.element as ZodType));
  if (schema instanceof z.ZodUnion) {
    return z.union((schema.options as ZodType[]).map((option) => strictCopy(option)));
  }
  if (schema instanceof z.ZodOptional) return strictCopy(schema.unwrap() as ZodType).optional();
  if (schema instanceof z.ZodNullable) return strictCopy(schema.unwrap() as ZodType).nullable();
  if (schema instanceof z.ZodDefault) return strictCopy(schema.unwrap() as ZodType).optional();
  if (schema instanceof z.ZodRecord) {
    return z.record(schema.keyType, strictCopy(schema.valueType as ZodType));
  }
  return schema;
}

/** What is wrong with a body: its schema's issues, else fields it does not declare. */
function bodyProblems(schema: ZodType, body: unknown): string[] {
  const result = schema.safeParse(body);
  if (!result.success) return describeIssues(result.error.issues);
  const strict = strictCopy(schema).safeParse(body);
  return strict.success ? [] : describeIssues(strict.error.issues);
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
  const response =
    declared[status] ?? (ANY_ROUTE_STATUSES.has(status) ? anyRouteResponse : undefined);
  if (!response) {
    return [`status ${status} is not declared (declared: ${Object.keys(declared).join(', ')})`];
  }
  const content = 'content' in response ? response.content : undefined;
  if (body === undefined || !isJsonMediaType(mediaType)) return [];
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
    const end = res.end.bind(res);
    let checked = false;
    res.end = function checkedEnd(...args: unknown[]) {
      const finish = () => end.apply(res, args as Parameters<typeof end>);
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
