import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { OpenAPIRegistry, ResponseConfig, RouteConfig } from '@asteasolutions/zod-to-openapi';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import type { ZodType } from 'zod';
import type { Role } from '../roles.js';
import {
  type AppError,
  describeErrorForLog,
  reasonDescriptions,
  unsupportedMediaType,
  validationError,
  type ProblemReason,
  type ReasonsByStatus,
} from '../errors.js';
import { fieldErrorsOf, z } from '../zod.js';
import { problemSchema } from './common.schemas.js';
import {
  checkedExampleOf,
  exampleOf,
  problemExample,
  sharedHeaders,
  type ProblemExampleHints,
} from './openapi-contract.js';
import type { AuthUser } from './request-context.js';
import { responseContractCheck, type ResponseContract } from './response-contract.js';

/** Who may call a route: anyone, any signed-in user, or only the listed roles. */
export type Access = 'public' | 'user' | readonly Role[];

/**
 * What a handler answers: sent as JSON, as text when `contentType` is given, streamed from
 * `stream` (with `contentType`), or empty.
 */
export interface Reply {
  status: number;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /**
   * A body written piece by piece as it is produced (a large export), never whole in memory.
   * A failure before the first piece is an ordinary problem answer; after it, the connection
   * is cut so the client sees an incomplete download rather than a complete-looking file.
   */
  stream?: AsyncIterable<string | Uint8Array>;
}

/** A request body that is not JSON (a CSV upload), read as text. */
export interface TextBody {
  /** The media types accepted; any other is 415. */
  mediaTypes: readonly [string, ...string[]];
  /** Largest body in bytes (after decompression); larger is 413. */
  limitBytes: number;
  /** Shown in the OpenAPI document. */
  example: string;
}

/**
 * A multipart/form-data body (a file upload), read by `reader` (e.g. the files module's
 * `singleFileUpload`) once the caller is authenticated; the handler takes the parts from `req`.
 */
export interface MultipartBody {
  reader: RequestHandler;
  /** The form's fields for the OpenAPI document; a file is `z.string()` with format binary. */
  schema: z.ZodObject;
  /** Content types the file part may have, shown as the part's encoding. */
  fileField?: { name: string; contentTypes: readonly string[] };
}

export interface HandlerInput<B, Q, P, A extends Access> {
  body: B;
  query: Q;
  params: P;
  user: A extends 'public' ? undefined : AuthUser;
  req: Request;
  res: Response;
}

export interface RouteDefinition<B = unknown, Q = unknown, P = unknown, A extends Access = Access> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path relative to the module's base path, e.g. `/:id/role`. */
  path: string;
  summary: string;
  description?: string;
  access: A;
  body?: ZodType<B>;
  /** The body is text of these media types (validated by `body`, a string schema), not JSON. */
  textBody?: TextBody;
  /** The body is a multipart form (an upload), not JSON; 413 and 415 are documented. */
  multipartBody?: MultipartBody;
  query?: ZodType<Q>;
  params?: ZodType<P>;
  /** Request headers the handler reads itself (`Range`, `If-None-Match`), for the document. */
  headers?: z.ZodObject;
  /**
   * A public route that authenticates its caller by other means than a user token: a machine
   * by its `X-Machine-Key`. Documented as that security scheme, with its 401.
   */
  authenticatedBy?: 'machineKey';
  /** Success responses; error responses are documented from `errors`. */
  responses: Record<
    number,
    {
      description: string;
      schema?: z.ZodType;
      /** The response's media type when it is not JSON (e.g. `text/csv`). */
      contentType?: string;
      /** Headers this response carries besides `X-Request-Id`, by name, with what they say. */
      headers?: Record<string, string>;
      /** This status's example, when the schema's own (shared with other statuses) won't do. */
      example?: unknown;
    }
  >;
  /** Error statuses this route can answer besides the validation and auth ones. */
  errors?: number[];
  /**
   * What the route's problem of a status usually is, built with the factory the route throws
   * (`invalidCredentials()`), for the document's example; others get their status's usual one.
   */
  problemExamples?: Record<number, AppError>;
  /**
   * The `reason`s this route's problems can carry, by status; a status listed here needs no
   * entry in `errors`. Every route that can answer 409 must list its conflict reasons.
   */
  reasons?: RouteReasons;
  /** A route-specific rate limit, applied before anything else is checked. */
  rateLimit?: RequestHandler;
  /** Runs after authentication and validation, right before the handler (e.g. idempotency). */
  before?: (RequestHandler | DocumentedMiddleware)[];
  handler(input: HandlerInput<B, Q, P, A>): Promise<Reply>;
}

/**
 * Middleware that reads request headers of its own (e.g. `Idempotency-Key`) and says so, so
 * every route that uses it documents those headers and the errors it can answer.
 */
export type DocumentedMiddleware = RequestHandler & {
  openApi: {
    headers?: z.ZodObject;
    errors?: number[];
    reasons?: RouteReasons;
    /** Headers the middleware may add to a success response (e.g. `Idempotent-Replayed`). */
    responseHeaders?: Record<string, { $ref: string }>;
    /** A body the middleware reads itself (multipart, raw bytes), for routes without `body`. */
    body?: { mediaType: string; schema: z.ZodType; description?: string; example?: unknown };
  };
};

const documentationOf = (middleware: RequestHandler | DocumentedMiddleware) =>
  'openApi' in middleware ? middleware.openApi : undefined;

/** A route with its input types erased, as groups hold them side by side. */
export type Route = Omit<RouteDefinition, 'handler'> & {
  handler(input: HandlerInput<unknown, unknown, unknown, Access>): Promise<Reply>;
};

/**
 * Checks one route's handler against its own schemas, then erases the types so routes of
 * different shapes fit in one list. Sound because `mountRoutes` only calls the handler with
 * input those same schemas produced.
 */
export function defineRoute<
  B = undefined,
  Q = undefined,
  P = undefined,
  const A extends Access = Access,
>(definition: RouteDefinition<B, Q, P, A>): Route {
  return definition;
}

/** What mounting needs from the rest of the app. */
export interface RouteMountContext {
  registry: OpenAPIRegistry;
  /** Builds the guard that enforces a route's access policy. */
  guard(access: Exclude<Access, 'public'>): RequestHandler;
  /** The general rate limit for every route of the group, if it has one. */
  rateLimit?: RequestHandler;
  /**
   * When given, every reply is checked against the responses its operation declares (status,
   * media type, body schema, no undeclared fields); test apps always set it.
   */
  responseContract?: ResponseContract;
}

export interface RouteGroup {
  /** Mount point, e.g. `/api/users`. */
  basePath: string;
  tag: string;
  routes: Route[];
  /**
   * False for groups whose routes carry their own limit instead of the general per-user/per-IP
   * one (device endpoints, called far more often than people call the API).
   */
  generalRateLimit?: false;
}

/** A route's declared problem reasons, by status. */
export type RouteReasons = { [S in keyof ReasonsByStatus]?: readonly ReasonsByStatus[S][] };

/** The problem reasons a route declares for one status (empty when none). */
export function declaredReasons(
  route: Pick<Route, 'reasons'>,
  status: number,
): readonly ProblemReason[] {
  const reasons: Partial<Record<number, readonly ProblemReason[]>> = route.reasons ?? {};
  return reasons[status] ?? [];
}

const errorDescriptions: Record<number, string> = {
  400: 'Invalid request (problem+json with `errors`)',
  401: 'Missing, invalid, expired or revoked access token',
  403: 'Authenticated but not allowed',
  404: 'Not found (or not visible to the caller)',
  409: 'Conflict with the current state',
  413: 'Body too large',
  415: 'Body is not of a media type the route takes',
  416: 'The requested byte range is outside the file (see Content-Range)',
  422: 'The request is well-formed but its content cannot be used',
  429: 'Rate limited; see Retry-After',
  503: 'A dependency is unavailable; retry, after Retry-After when given',
};

function parseOrThrow<T>(schema: ZodType<T>, value: unknown, location: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw validationError(
    `The request ${location} is invalid.`,
    fieldErrorsOf(result.error, location),
  );
}

const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Express path `/:id/role` as OpenAPI `/{id}/role`. */
const toOpenApiPath = (expressPath: string) => expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** The problem schema of one status of a route: `reason` limited to what the route declares. */
function problemResponse(
  status: number,
  reasons: readonly ProblemReason[],
  hints: ProblemExampleHints = {},
): ResponseConfig {
  const base = errorDescriptions[status] ?? 'Error';
  const headers = {
    'X-Request-Id': sharedHeaders.requestId,
    ...((status === 429 || status === 503) && { 'Retry-After': sharedHeaders.retryAfter }),
    ...(status === 401 && hints.bearer && { 'WWW-Authenticate': sharedHeaders.wwwAuthenticate }),
  };
  const example = problemExample(status, reasons, hints);
  const [first, ...rest] = reasons;
  if (first === undefined) {
    return {
      description: base,
      headers,
      content: { 'application/problem+json': { schema: problemSchema, example } },
    };
  }
  const listed = reasons
    .map((reason) => `- \`${reason}\`: ${reasonDescriptions[reason]}`)
    .join('\n');
  const schema = problemSchema.extend({
    reason: z
      .enum([first, ...rest])
      .openapi({ description: 'Which case this is; stable, for clients to branch on' }),
  });
  return {
    description: `${base}. \`reason\` is one of:\n\n${listed}`,
    headers,
    content: { 'application/problem+json': { schema, example } },
  };
}

/** The route's path as the document shows it, e.g. `/api/machines/:id`. */
const fullPathOf = (group: RouteGroup, route: Route) =>
  group.basePath + (route.path === '/' && group.basePath ? '' : route.path);

/**
 * The error statuses a route can answer: what it and its documented middleware declare, plus
 * what follows from its shape. Derived here so that no route can forget them:
 * - 400 for any validated input, 413/415 for any body, 404 for an `/:id` path;
 * - 401 for a signed-in or machine-key route, 403 for a route limited to roles;
 * - 429 under any rate limit;
 * - 503 for every signed-in route: the guard reads the account from PostgreSQL whenever the
 *   cache cannot vouch for it, and an unreachable database (or busy one) is a 503. Public
 *   routes that touch the database list 503 themselves.
 */
function errorStatuses(
  context: RouteMountContext,
  route: Route,
  documented: DocumentedMiddleware['openApi'][],
): Set<number> {
  const statuses = new Set<number>([
    ...(route.errors ?? []),
    ...documented.flatMap((doc) => doc.errors ?? []),
    ...Object.keys(route.reasons ?? {}).map(Number),
    ...documented.flatMap((doc) => Object.keys(doc.reasons ?? {}).map(Number)),
  ]);
  if (route.body || route.query || route.params || route.multipartBody) statuses.add(400);
  if (route.body || route.multipartBody) [413, 415].forEach((status) => statuses.add(status));
  if (/\/:id(\/|$)/.test(route.path)) statuses.add(404);
  if (route.access !== 'public' || route.authenticatedBy) statuses.add(401);
  if (typeof route.access !== 'string') statuses.add(403);
  if (route.rateLimit || context.rateLimit) statuses.add(429);
  if (route.access !== 'public') statuses.add(503);
  // A status the route answers with a body of its own (readiness's 503) is not a problem.
  for (const status of Object.keys(route.responses)) statuses.delete(Number(status));
  return statuses;
}

/** The field a 400 example names: the first of the route's inputs that is validated. */
function invalidFieldOf(route: Route): string | undefined {
  const firstKey = (schema: ZodType | undefined) =>
    schema instanceof z.ZodObject ? Object.keys(schema.shape)[0] : undefined;
  const bodyKey = firstKey(route.body) ?? firstKey(route.multipartBody?.schema);
  if (bodyKey) return `body.${bodyKey}`;
  const queryKey = firstKey(route.query);
  if (queryKey) return `query.${queryKey}`;
  const paramKey = firstKey(route.params);
  return paramKey ? `params.${paramKey}` : undefined;
}

/** The media-type entry of a JSON body, with its example checked against the schema. */
function jsonContent(schema: z.ZodType, where: string, own?: unknown) {
  const example = checkedExampleOf(schema, where, own);
  return { schema, ...(example !== undefined && { example }) };
}

function register(context: RouteMountContext, group: RouteGroup, route: Route): void {
  const documented = (route.before ?? []).flatMap((middleware) => {
    const doc = documentationOf(middleware);
    return doc ? [doc] : [];
  });
  // The route's own reasons and those of its documented middleware (idempotency's 409s).
  const reasonsFor = (status: number): readonly ProblemReason[] => [
    ...new Set([
      ...declaredReasons(route, status),
      ...documented.flatMap((doc) => declaredReasons(doc, status)),
    ]),
  ];
  const fullPath = fullPathOf(group, route);
  const operation = `${route.method.toUpperCase()} ${fullPath}`;
  const statuses = errorStatuses(context, route, documented);
  const middlewareBody = documented.find((doc) => doc.body)?.body;
  if (statuses.has(409) && reasonsFor(409).length === 0) {
    // A 409 without reasons leaves clients guessing from prose: refuse at startup.
    throw new Error(`${operation}: list its 409 reasons in \`reasons\``);
  }

  const successHeaders = Object.assign(
    { 'X-Request-Id': sharedHeaders.requestId },
    ...documented.map((doc) => doc.responseHeaders ?? {}),
  ) as Record<string, { $ref: string }>;
  const responses: RouteConfig['responses'] = {};
  for (const [status, response] of Object.entries(route.responses)) {
    const headers = {
      ...successHeaders,
      ...Object.fromEntries(
        Object.entries(response.headers ?? {}).map(([name, description]) => [
          name,
          { description, schema: { type: 'string' as const } },
        ]),
      ),
    };
    const mediaType = response.contentType ?? 'application/json';
    responses[status] = response.schema
      ? {
          description: response.description,
          headers,
          content: {
            [mediaType]:
              mediaType === 'application/json'
                ? jsonContent(response.schema, `${operation} ${status}`, response.example)
                : { schema: response.schema },
          },
        }
      : { description: response.description, headers };
  }
  const hints = {
    invalidField: invalidFieldOf(route),
    bearer: route.access !== 'public',
    cases: Object.fromEntries(
      Object.entries(route.problemExamples ?? {}).map(([status, error]) => [
        status,
        { code: error.code, title: error.title, detail: error.detail },
      ]),
    ),
  };
  for (const status of [...statuses].sort()) {
    responses[status] = problemResponse(status, reasonsFor(status), hints);
  }
  const requestHeaders = [
    ...documented.flatMap((doc) => (doc.headers ? [doc.headers] : [])),
    ...(route.headers ? [route.headers] : []),
  ].reduce<z.ZodObject | undefined>(
    (all, next) => (all ? all.extend(next.shape) : next),
    undefined,
  );
  context.registry.registerPath({
    method: route.method,
    path: toOpenApiPath(fullPath),
    summary: route.summary,
    description:
      [
        route.description,
        typeof route.access === 'string' ? undefined : `Roles: ${route.access.join(', ')}.`,
      ]
        .filter(Boolean)
        .join('\n\n') || undefined,
    tags: [group.tag],
    security:
      route.access !== 'public'
        ? [{ bearerAuth: [] }]
        : route.authenticatedBy
          ? [{ [route.authenticatedBy]: [] }]
          : [],
    // The registry wants ZodObject types where the route holds general ZodTypes of objects.
    request: {
      params: route.params,
      query: route.query,
      headers: requestHeaders,
      body: route.multipartBody
        ? {
            required: true,
            content: {
              'multipart/form-data': {
                schema: route.multipartBody.schema,
                ...(route.multipartBody.fileField && {
                  encoding: {
                    [route.multipartBody.fileField.name]: {
                      contentType: route.multipartBody.fileField.contentTypes.join(', '),
                    },
                  },
                }),
              },
            },
          }
        : route.body
          ? {
              required: true,
              content: Object.fromEntries(
                (route.textBody?.mediaTypes ?? ['application/json']).map((mediaType) => [
                  mediaType,
                  route.textBody
                    ? { schema: route.body, example: route.textBody.example }
                    : jsonContent(route.body as z.ZodType, `${operation} body`),
                ]),
              ),
            }
          : middlewareBody && {
              required: true,
              description: middlewareBody.description,
              content: {
                [middlewareBody.mediaType]: {
                  schema: middlewareBody.schema,
                  example: middlewareBody.example ?? exampleOf(middlewareBody.schema),
                },
              },
            },
    } as RouteConfig['request'],
    responses,
  });
}

/** Reads a text body of the route's media types, bounded; other bodies are left alone (415). */
function textBodyReader(textBody: TextBody): RequestHandler {
  return express.text({
    type: [...textBody.mediaTypes],
    limit: textBody.limitBytes,
    defaultCharset: 'utf-8',
  });
}

/**
 * Streams a reply body with backpressure. The first piece is produced before anything is sent,
 * so a failure there is an ordinary problem answer. A client that goes away stops the source
 * (it is no longer read); a failure once bytes are out cuts the connection, as no problem
 * document can follow a partly sent body.
 */
async function sendStream(
  req: Request,
  res: Response,
  stream: AsyncIterable<string | Uint8Array>,
  contentType = 'application/octet-stream',
): Promise<void> {
  const pieces = stream[Symbol.asyncIterator]();
  const first = await pieces.next();
  async function* all() {
    if (first.done) return;
    yield first.value;
    // Ending the loop early (client gone) returns the source iterator, so it stops reading.
    yield* { [Symbol.asyncIterator]: () => pieces };
  }
  res.type(contentType);
  try {
    await pipeline(Readable.from(all()), res);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE') {
      req.log.info('client went away during a streamed response');
      return;
    }
    req.log.error({ error: describeErrorForLog(error) }, 'streamed response failed midway');
    res.destroy();
  }
}

/** The responses an operation's document shows, as `register` wrote them into the registry. */
function declaredResponses(
  registry: OpenAPIRegistry,
  operation: { method: string; path: string },
): RouteConfig['responses'] {
  for (const definition of registry.definitions) {
    if (
      definition.type === 'route' &&
      definition.route.method === operation.method &&
      definition.route.path === operation.path
    ) {
      return definition.route.responses;
    }
  }
  throw new Error(`${operation.method} ${operation.path} is not in the OpenAPI registry`);
}

/**
 * Mounts a group's routes on the router and documents each in the OpenAPI registry, so the
 * schema that validates a request is the one the document shows. Each route reads top to
 * bottom: guard → content type → validation → `before` middleware → handler → JSON reply.
 */
export function mountRoutes(router: Router, group: RouteGroup, context: RouteMountContext): void {
  for (const route of group.routes) {
    register(context, group, route);
    const template = group.basePath + (route.path === '/' && group.basePath ? '' : route.path);
    const chain: RequestHandler[] = [
      (req: Request, _res: Response, next: NextFunction) => {
        req.routeTemplate = template;
        next();
      },
    ];
    if (context.responseContract) {
      const operation = { method: route.method, path: toOpenApiPath(template) };
      chain.push(
        responseContractCheck(
          `${operation.method.toUpperCase()} ${operation.path}`,
          declaredResponses(context.registry, operation),
          context.responseContract,
        ),
      );
    }
    if (context.rateLimit) chain.push(context.rateLimit);
    if (route.rateLimit) chain.push(route.rateLimit);
    if (route.access !== 'public') chain.push(context.guard(route.access));
    // Read only once the caller is known: nobody gets to make us buffer megabytes anonymously.
    const { textBody } = route;
    if (textBody) chain.push(textBodyReader(textBody));
    if (route.multipartBody) chain.push(route.multipartBody.reader);
    const mediaTypes = textBody?.mediaTypes ?? JSON_MEDIA_TYPES;
    chain.push(
      (req: Request, res: Response, next: NextFunction) => {
        if (route.body && hasBody(req) && !req.is([...mediaTypes])) {
          throw unsupportedMediaType(textBody ? mediaTypes.join(' or ') : undefined);
        }
        const noBody = textBody ? '' : {};
        res.locals.input = {
          body: route.body ? parseOrThrow(route.body, req.body ?? noBody, 'body') : undefined,
          query: route.query ? parseOrThrow(route.query, req.query, 'query') : undefined,
          params: route.params ? parseOrThrow(route.params, req.params, 'params') : undefined,
        };
        next();
      },
      ...(route.before ?? []),
      async (req: Request, res: Response) => {
        const input = { ...(res.locals.input as object), user: req.user, req, res } as never;
        const reply = await route.handler(input);
        if (reply.headers) res.set(reply.headers);
        res.status(reply.status);
        if (reply.stream) await sendStream(req, res, reply.stream, reply.contentType);
        else if (reply.body === undefined) res.end();
        else if (reply.contentType) res.type(reply.contentType).send(reply.body);
        else {
          // What `res.json` ends up sending, without its detour through `res.send` (charset
          // parsing, freshness check, a second byte count): Node sets Content-Length itself.
          res.setHeader('Content-Type', 'application/json; charset=utf-8');
          res.end(JSON.stringify(reply.body));
        }
      },
    );
    router[route.method](route.path, ...chain);
  }
}
