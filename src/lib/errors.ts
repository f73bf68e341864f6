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
      /** Which of the code's cases this is, for clients to branch on (`MACHINE_OCCUPIED`). */
      reason?: ProblemReason;
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

/**
 * Every case of 409, with what it means. The problem document carries the key as `reason`, and
 * each route lists the ones it can answer, so the OpenAPI document shows them per route.
 */
export const conflictReasons = {
  USERNAME_TAKEN: 'The username is already taken (case-insensitively).',
  EMAIL_TAKEN: 'The email is already registered (case-insensitively).',
  LAST_ADMIN: 'The last admin cannot be demoted.',
  BRANCH_NAME_TAKEN: 'A branch with this name already exists.',
  BRANCH_IN_USE: 'The branch still has machines or gym-session history.',
  NOT_STAFF_ROLE: 'Only users with the staff role can staff a branch.',
  NOT_CHECKED_IN: 'No active gym session at the machine’s branch: check in first.',
  NOT_A_MEMBER: 'The caller no longer belongs to the machine’s branch.',
  MACHINE_OCCUPIED: 'The machine is in use by another member.',
  MACHINE_IN_MAINTENANCE: 'The machine is under maintenance.',
  MACHINE_OFFLINE: 'The machine is offline.',
  MACHINE_NOT_IN_MAINTENANCE: 'Only a machine in maintenance can be put back into service.',
  MACHINE_NOT_LINKED: 'The machine is not linked to anyone (or not to the caller).',
  MACHINE_CHANGED_HANDS: 'The machine was released or taken meanwhile; reload it.',
  CONCURRENT_LINK: 'The member is linking to another machine at the same moment; retry.',
  SESSION_ALREADY_ACTIVE: 'A gym session is already active: check out first.',
  NO_ACTIVE_SESSION: 'No gym session is active.',
  IDEMPOTENCY_KEY_REUSED: 'The Idempotency-Key was already used with a different request.',
  IDEMPOTENCY_REQUEST_IN_PROGRESS:
    'A request with this Idempotency-Key is still running, or was just released; retry it.',
  DUPLICATE_RECORD: 'A record with these values already exists.',
  RECORD_IN_USE: 'The record is still referenced by others.',
  CONCURRENT_CHANGE: 'The request met a concurrent change; retry it.',
  EMAIL_ALREADY_VERIFIED: 'The address is verified already and no change of it is pending.',
  TWO_FACTOR_ALREADY_ENABLED: 'Two-factor sign-in is on already; disable it first.',
  TWO_FACTOR_NOT_ENABLED: 'Two-factor sign-in is not on for this account.',
  NO_ENROLMENT_STARTED: 'No authenticator enrolment is waiting for its first code; start one.',
  PRIVATE_PROFILE: 'The member is private and takes no followers.',
  BLOCKED_BY_YOU: 'You blocked this member; unblock them first.',
  REMINDER_LIMIT_REACHED: 'The member has as many reminders as allowed; delete one first.',
  ANALYSIS_ALREADY_CONFIRMED: 'The meal analysis was confirmed into a meal already.',
  FEEDBACK_ALREADY_SENT: 'Corrections of this meal analysis were recorded already.',
} as const;
export type ConflictReason = keyof typeof conflictReasons;

/** The cases of 429, with what each means. */
export const rateLimitReasons = {
  TOO_MANY_REQUESTS: 'The request rate limit of the caller (user or IP) is spent.',
  ACCOUNT_LOCKED:
    'Too many failed sign-ins for this account from unrecognised devices (from this network, ' +
    'or from all of them): sign in from a device that signed in before, or wait.',
  IP_LOCKED: 'Too many failed sign-ins from this network without a device token: wait.',
  DEVICE_LOCKED: 'Too many failed sign-ins with this device token: wait.',
  PASSWORD_CHECKS_LOCKED: 'Too many wrong passwords on this signed-in account: wait.',
  EMAIL_RESEND_COOLDOWN: 'A message of this kind was sent moments ago: wait before asking again.',
} as const;
export type RateLimitReason = keyof typeof rateLimitReasons;

/** Reasons by the status they come with; a route declares the ones it can answer. */
export interface ReasonsByStatus {
  409: ConflictReason;
  429: RateLimitReason;
}
export type ProblemReason = ReasonsByStatus[keyof ReasonsByStatus];

/** What each reason means, for the OpenAPI document. */
export const reasonDescriptions: Record<ProblemReason, string> = {
  ...conflictReasons,
  ...rateLimitReasons,
};

export const conflict = (detail: string, reason: ConflictReason) =>
  new AppError(409, 'CONFLICT', 'Conflict', detail, { reason });

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

/** 416: a `Range` wholly outside the file; `Content-Range` tells the client its length. */
export const rangeNotSatisfiable = (size: number) =>
  new AppError(
    416,
    'RANGE_NOT_SATISFIABLE',
    'Range not satisfiable',
    `The requested range is outside the file's ${size} bytes.`,
    { headers: { 'Content-Range': `bytes */${size}` } },
  );

/** 422: an upload of an accepted type whose content is unusable (truncated, corrupt, too big). */
export const invalidImage = (detail: string) =>
  new AppError(422, 'INVALID_IMAGE', 'Invalid image', detail);

/**
 * 422: a well-formed id in the body that points at nothing the caller may use there (another
 * member's file, one of another kind, one that was never uploaded or was cleaned up).
 */
export const unknownReference = (field: string, detail: string) =>
  new AppError(422, 'UNKNOWN_REFERENCE', 'Unknown reference', detail, {
    errors: [{ path: field, message: detail }],
  });

export const rateLimited = (
  retryAfterSeconds: number,
  detail = 'Too many requests.',
  reason: RateLimitReason = 'TOO_MANY_REQUESTS',
) =>
  new AppError(429, 'RATE_LIMITED', 'Too many requests', `${detail} Retry later.`, {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    reason,
  });

/**
 * A password given to confirm a sensitive action (re-authentication) is wrong. 403, not 401:
 * the caller's token is fine, and clients treat 401 as "refresh the token".
 */
export const wrongPassword = (field: string) =>
  new AppError(403, 'WRONG_PASSWORD', 'Wrong password', 'The password is wrong.', {
    errors: [{ path: field, message: 'is wrong' }],
  });

/** A code given to confirm a sensitive action is wrong (403, as `wrongPassword`). */
export const wrongCode = (field: string) =>
  new AppError(403, 'WRONG_CODE', 'Wrong code', 'The authentication code is wrong.', {
    errors: [{ path: field, message: 'is wrong' }],
  });

/**
 * A sensitive action needs the account's factors proved recently: the session's sign-in or
 * `POST /api/auth/reauthenticate` within the re-authentication window (or the factors inline).
 */
export const reauthenticationRequired = (detail: string) =>
  new AppError(403, 'REAUTHENTICATION_REQUIRED', 'Re-authentication required', detail);

/** An emailed token (link) that is unknown, expired, superseded or used. */
export const invalidLinkToken = (field: string) =>
  new AppError(
    400,
    'INVALID_TOKEN',
    'Invalid or expired link',
    'The link is invalid, has expired, or was already used; ask for a new one.',
    { errors: [{ path: field, message: 'is invalid, expired or used' }] },
  );

/** The second step of a sign-in failed: wrong code (counted), or the step token is spent. */
export const invalidSecondFactor = (detail = 'The authentication code is wrong.') =>
  new AppError(401, 'INVALID_CODE', 'Invalid code', detail);

/** 503; with `retryAfterSeconds`, a Retry-After header tells clients when to try again. */
export const serviceUnavailable = (detail: string, retryAfterSeconds?: number) =>
  new AppError(503, 'SERVICE_UNAVAILABLE', 'Service unavailable', detail, {
    ...(retryAfterSeconds !== undefined && {
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    }),
  });

export const internal = () =>
  new AppError(500, 'INTERNAL', 'Internal server error', 'Something went wrong on our side.', {
    report: true,
  });
