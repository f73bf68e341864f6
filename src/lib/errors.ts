/** The fields driver and library errors carry that decide how we answer. */
export interface ErrorFacts {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  constraint?: unknown;
}

/**
 * An error and the errors it wraps (`cause`), outermost first. Drivers' errors arrive wrapped
 * (Drizzle wraps pg's), so every check of a code or name looks down this chain.
 */
export function* causeChain(error: unknown, maxDepth = 4): Generator<ErrorFacts> {
  let current: unknown = error;
  for (let depth = 0; depth < maxDepth; depth++) {
    if (typeof current !== 'object' || current === null) return;
    const facts: ErrorFacts & { cause?: unknown } = current;
    yield facts;
    current = facts.cause;
  }
}

/**
 * What of an error may be logged or reported. Database errors carry the statement's parameters
 * (emails, hashes, job data): Drizzle writes them into its message, PGlite keeps them beside
 * it. Only the error's type, SQLSTATE, the driver's message, the SQL text and stack frames stay.
 */
export function describeErrorForLog(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: `thrown ${typeof error}` };
  const query = (error as { query?: unknown }).query;
  const cause = error.cause as ErrorFacts | undefined;
  const isQueryError = typeof query === 'string';
  return {
    type: error.name,
    code: (error as ErrorFacts).code ?? cause?.code,
    message:
      isQueryError && typeof cause?.message === 'string'
        ? cause.message
        : error.message.startsWith('Failed query')
          ? 'database query failed'
          : error.message,
    ...(isQueryError && { query }),
    // A stack starts with the message, parameters included: keep only the frames.
    stack: error.stack
      ?.split('\n')
      .filter((line) => line.trimStart().startsWith('at '))
      .join('\n'),
  };
}

/** A field-level validation failure as it appears in a problem document's `errors`. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * At most this many entries go into a problem's `errors`; the rest are only counted
 * (`errorsOmitted`). A body of 8,000 unknown keys must not become a 400 KB answer.
 */
export const MAX_FIELD_ERRORS = 20;

/** The first field errors of a failure, and how many more there were. */
export interface FieldErrorList {
  errors: FieldError[];
  omitted: number;
}

/**
 * The one error type the API answers with. Everything a handler throws is either an AppError
 * (its status, code and detail reach the client) or an unknown error (a bare 500).
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly extras: {
      errors?: FieldError[];
      /** How many field errors were left out of `errors` (see MAX_FIELD_ERRORS). */
      errorsOmitted?: number;
      headers?: Record<string, string>;
      /** Unexpected failures worth an alert (Sentry); client mistakes are not. */
      report?: boolean;
    } = {},
  ) {
    super(detail);
    this.name = 'AppError';
  }
}

/** 400 with field errors, of which at most MAX_FIELD_ERRORS are listed and the rest counted. */
export function validationError(
  detail: string,
  errors: FieldError[] | FieldErrorList = [],
): AppError {
  const list = Array.isArray(errors) ? { errors, omitted: 0 } : errors;
  const kept = list.errors.slice(0, MAX_FIELD_ERRORS);
  const omitted = list.omitted + list.errors.length - kept.length;
  return new AppError(400, 'VALIDATION_ERROR', 'Invalid request', detail, {
    errors: kept,
    ...(omitted > 0 && { errorsOmitted: omitted }),
  });
}

export const malformedJson = () =>
  new AppError(400, 'MALFORMED_JSON', 'Malformed JSON', 'The request body is not valid JSON.');

export const unauthenticated = (detail = 'A valid access token is required.') =>
  new AppError(401, 'UNAUTHENTICATED', 'Unauthenticated', detail, {
    headers: { 'WWW-Authenticate': 'Bearer' },
  });

export const invalidCredentials = () =>
  new AppError(401, 'INVALID_CREDENTIALS', 'Invalid credentials', 'Login or password is wrong.');

export const forbidden = (detail = 'You are not allowed to do this.') =>
  new AppError(403, 'FORBIDDEN', 'Forbidden', detail);

export const notFound = (what = 'Resource') =>
  new AppError(404, 'NOT_FOUND', 'Not found', `${what} not found.`);

export const conflict = (detail: string) => new AppError(409, 'CONFLICT', 'Conflict', detail);

export const payloadTooLarge = (limitBytes: number) =>
  new AppError(
    413,
    'PAYLOAD_TOO_LARGE',
    'Payload too large',
    `The request body exceeds the ${limitBytes}-byte limit.`,
  );

export const unsupportedMediaType = (expected = 'application/json') =>
  new AppError(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'Unsupported media type',
    `Send the body as ${expected}.`,
  );

export const rateLimited = (retryAfterSeconds: number, detail = 'Too many requests.') =>
  new AppError(429, 'RATE_LIMITED', 'Too many requests', `${detail} Retry later.`, {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });

export const serviceUnavailable = (detail: string) =>
  new AppError(503, 'SERVICE_UNAVAILABLE', 'Service unavailable', detail);

export const internal = () =>
  new AppError(500, 'INTERNAL', 'Internal server error', 'Something went wrong on our side.', {
    report: true,
  });
