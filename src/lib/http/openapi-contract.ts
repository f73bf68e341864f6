import { getOpenApiMetadata, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { reasonDescriptions, type ProblemReason } from '../errors.js';
import { nameBasedUuid } from '../name-based-uuid.js';
import { z } from '../zod.js';

/**
 * The parts of the OpenAPI document that make it usable as is: examples a "Try it out" can
 * send unchanged, problem examples whose `status` is the response's, and the headers every
 * response carries. `register()` in route.ts applies them to each route.
 */

const NO_EXAMPLE = Symbol('no example');
type Built = unknown;

// Values whose format says everything a reader needs: any instance reads as well as another.
const EXAMPLE_INSTANT = '2026-03-02T18:30:00.000Z';
const EXAMPLE_DATE = '2026-03-02';
const EXAMPLE_ID_NAMESPACE = '6f1d3c2e-8a47-4b0e-9d61-5c2f7e9a4b18';

/**
 * An example value of `schema`: its own `.openapi({ example })`, else one put together from its
 * parts (an object from its fields' examples, an array from its element's, the first option of
 * an enum, a literal, a default; a UUID, instant or date by its format, the UUID derived from
 * the field's name so that `branchId` is the same branch in every example). An optional field
 * without an example is left out; a required one without it leaves the whole example
 * undefined, so a new field without an example shows up as a missing example rather than as
 * `"string"`.
 */
export function exampleOf(schema: z.ZodType): unknown {
  const example = build(schema, 'id');
  return example === NO_EXAMPLE ? undefined : example;
}

function build(schema: z.ZodType, field: string): Built {
  const own: unknown = getOpenApiMetadata(schema).example;
  if (own !== undefined) return own;
  if (schema instanceof z.ZodObject) return buildObject(schema);
  if (schema instanceof z.ZodOptional) return build(schema.unwrap() as z.ZodType, field);
  if (schema instanceof z.ZodNullable) {
    const inner = build(schema.unwrap() as z.ZodType, field);
    return inner === NO_EXAMPLE ? null : inner;
  }
  if (schema instanceof z.ZodDefault) {
    const inner = build(schema.unwrap() as z.ZodType, field);
    return inner === NO_EXAMPLE ? schema.def.defaultValue : inner;
  }
  if (schema instanceof z.ZodPipe) return build(schema.in as z.ZodType, field);
  if (schema instanceof z.ZodArray) {
    const element = build(schema.element as z.ZodType, field);
    return element === NO_EXAMPLE ? NO_EXAMPLE : [element];
  }
  if (schema instanceof z.ZodUUID) return nameBasedUuid(EXAMPLE_ID_NAMESPACE, field);
  if (schema instanceof z.ZodISODateTime) return EXAMPLE_INSTANT;
  if (schema instanceof z.ZodISODate) return EXAMPLE_DATE;
  if (schema instanceof z.ZodEnum) return schema.options[0] ?? NO_EXAMPLE;
  if (schema instanceof z.ZodLiteral) return schema.values.values().next().value ?? NO_EXAMPLE;
  if (schema instanceof z.ZodUnion) {
    for (const option of schema.options as readonly z.ZodType[]) {
      const built = build(option, field);
      if (built !== NO_EXAMPLE) return built;
    }
    return NO_EXAMPLE;
  }
  if (schema instanceof z.ZodBoolean) return true;
  if (schema instanceof z.ZodNull) return null;
  return NO_EXAMPLE;
}

function buildObject(schema: z.ZodObject): Built {
  const result: Record<string, unknown> = {};
  const shape: Record<string, z.ZodType> = schema.shape;
  for (const [key, field] of Object.entries(shape)) {
    const value = build(field, key);
    if (value !== NO_EXAMPLE) result[key] = value;
    else if (!field.safeParse(undefined).success) return NO_EXAMPLE;
  }
  return result;
}

/**
 * The example of a body schema, checked against the schema: an example the route would refuse
 * (or a response it could not have sent) stops the start, as a 409 without reasons does.
 */
export function checkedExampleOf(schema: z.ZodType, where: string, own?: unknown): unknown {
  const example = own ?? exampleOf(schema);
  if (example === undefined) return undefined;
  const result = schema.safeParse(example);
  if (!result.success) {
    const issues = result.error.issues
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new Error(`${where}: the documented example does not match its schema (${issues})`);
  }
  return example;
}

interface ProblemCase {
  code: string;
  title: string;
  detail: string;
  errors?: { path: string; message: string }[];
}

/** What each status usually says, as the error factories in lib/errors.ts word it. */
const problemCases: Record<number, ProblemCase> = {
  400: {
    code: 'VALIDATION_ERROR',
    title: 'Invalid request',
    detail: 'The request body is invalid.',
    errors: [{ path: 'body.name', message: 'must not be empty' }],
  },
  401: {
    code: 'UNAUTHENTICATED',
    title: 'Unauthenticated',
    detail: 'The access token has expired; refresh it.',
  },
  403: { code: 'FORBIDDEN', title: 'Forbidden', detail: 'You are not allowed to do this.' },
  404: { code: 'NOT_FOUND', title: 'Not found', detail: 'Resource not found.' },
  409: { code: 'CONFLICT', title: 'Conflict', detail: 'The request conflicts with the state.' },
  413: {
    code: 'PAYLOAD_TOO_LARGE',
    title: 'Payload too large',
    detail: 'The request body exceeds the 1048576-byte limit.',
  },
  415: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    title: 'Unsupported media type',
    detail: 'Send the body as application/json.',
  },
  416: {
    code: 'RANGE_NOT_SATISFIABLE',
    title: 'Range not satisfiable',
    detail: "The requested range is outside the file's 48213 bytes.",
  },
  422: {
    code: 'UNKNOWN_REFERENCE',
    title: 'Unknown reference',
    detail: 'The image is not one of your uploaded meal images.',
  },
  429: {
    code: 'RATE_LIMITED',
    title: 'Too many requests',
    detail: 'Too many requests. Retry later.',
  },
  502: {
    code: 'UPSTREAM_BAD_RESPONSE',
    title: 'Bad response from upstream service',
    detail: 'Open Food Facts sent a response we cannot use: the product has no nutriments.',
  },
  503: {
    code: 'SERVICE_UNAVAILABLE',
    title: 'Service unavailable',
    detail: 'A backing service is unreachable; retry shortly.',
  },
};

/** Where the route's first validated input is, so a 400 example points at a real field. */
export interface ProblemExampleHints {
  /** `body.email`, `query.limit`, `params.id`: the field a 400 example names. */
  invalidField?: string;
  /** A bearer-token route: its 401 says `WWW-Authenticate: Bearer`. */
  bearer?: boolean;
  /** The case a route's 401, 403 or 422 usually is, when not the generic one. */
  cases?: Partial<Record<number, Omit<ProblemCase, 'errors'>>>;
}

/**
 * A problem document as the route would answer it with `status`: the same status in the body,
 * the code and wording of that status's error factory, and the first declared reason.
 */
export function problemExample(
  status: number,
  reasons: readonly ProblemReason[],
  hints: ProblemExampleHints = {},
): Record<string, unknown> {
  const base = { ...(problemCases[status] ?? problemCases[503]), ...hints.cases?.[status] };
  const [reason] = reasons;
  // A conflict's detail is its reason's wording; a rate limit's is the same for every reason.
  const detail = reason === undefined || status === 429 ? base.detail : reasonDescriptions[reason];
  const code = base.code ?? 'INTERNAL';
  return {
    type: `tag:nxg-connect,2026:problem:${code.toLowerCase().replace(/_/g, '-')}`,
    title: base.title,
    status,
    detail,
    code,
    ...(reason !== undefined && { reason }),
    correlationId: '0b6f4a52-3c1e-4d8f-9a7b-2e5c8d1f6a90',
    ...(status === 400 && {
      errors: [
        {
          path: hints.invalidField ?? 'body.name',
          message: hints.invalidField?.startsWith('params.') ? 'must be a UUID' : 'is invalid',
        },
      ],
    }),
  };
}

/** Response headers shared by many operations, as `#/components/headers/...`. */
export const sharedHeaders = {
  requestId: { $ref: '#/components/headers/X-Request-Id' },
  retryAfter: { $ref: '#/components/headers/Retry-After' },
  wwwAuthenticate: { $ref: '#/components/headers/WWW-Authenticate' },
  idempotentReplayed: { $ref: '#/components/headers/Idempotent-Replayed' },
} as const;

/** Registers the shared headers and the security schemes the operations refer to. */
export function registerContractComponents(registry: OpenAPIRegistry): void {
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  registry.registerComponent('securitySchemes', 'machineKey', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Machine-Key',
    description:
      'A machine’s device key (`deviceKey` from `POST /api/machines` or ' +
      '`POST /api/machines/{id}/device-key`), sent by the machine itself.',
  });
  registry.registerComponent('headers', 'X-Request-Id', {
    description:
      'The request’s id: the client’s `X-Request-Id` when it sent a sane one (1-128 of ' +
      '`A-Za-z0-9._:-`), else a new UUID; equals a problem’s `correlationId`.',
    schema: { type: 'string', example: '0b6f4a52-3c1e-4d8f-9a7b-2e5c8d1f6a90' },
  });
  registry.registerComponent('headers', 'Retry-After', {
    description: 'Seconds to wait before retrying (always on 429; on 503 when known).',
    schema: { type: 'integer', minimum: 1, example: 30 },
  });
  registry.registerComponent('headers', 'WWW-Authenticate', {
    description: 'The scheme to authenticate with.',
    schema: { type: 'string', example: 'Bearer' },
  });
  registry.registerComponent('headers', 'Idempotent-Replayed', {
    description: '`true` when this is the stored answer to an earlier request with the same key.',
    schema: { type: 'string', enum: ['true'] },
  });
}
