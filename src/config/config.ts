/* eslint-disable security/detect-non-literal-fs-filename -- key file paths come from the operator's configuration */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readIntegrationsConfig } from '../integrations/integrations.config.js';
import { parseDataKey, type DataKey } from '../lib/crypto/data-encryption.js';
import { readPushConfig } from './push.config.js';

/** Thrown when the environment does not describe a runnable server; names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const optionalString = z.string().optional();
// The drivers parse connection strings with WHATWG URL; what it rejects would fail later, with
// a stack, on the first connection.
const isParsableUrl = (value: string) => URL.canParse(value);
const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(3000, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  HTTP_ACCEPT_SOCKETS: int(16, 1, 64),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .refine(isParsableUrl, 'is not a valid URL (check the port and percent-encode the password)')
    .optional(),
  /** Put into DATABASE_URL at startup, so a secret store can hold the password alone. */
  DATABASE_PASSWORD: optionalString,
  DATABASE_POOL_SIZE: int(10, 1, 200),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .refine(isParsableUrl, 'is not a valid URL (check the port and percent-encode the password)')
    .optional(),
  /** Put into REDIS_URL at startup (the AUTH token of a managed Redis). */
  REDIS_PASSWORD: optionalString,
  REDIS_KEY_PREFIX: z.string().default('nxg:'),
  REDIS_COMMAND_TIMEOUT_MS: int(500, 50, 60_000),
  REDIS_CONNECT_TIMEOUT_MS: int(2_000, 100, 60_000),
  REDIS_RECONNECT_MAX_DELAY_MS: int(500, 50, 60_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  CORS_ORIGINS: z.string().default(''),
  TRUST_PROXY: int(0, 0, 10),
  BODY_LIMIT_KB: int(100, 1, 10_240),
  JWT_PRIVATE_KEY: optionalString,
  JWT_PRIVATE_KEY_FILE: optionalString,
  JWT_PUBLIC_KEY: optionalString,
  JWT_PUBLIC_KEY_FILE: optionalString,
  JWT_ISSUER: z.string().min(1).default('nxg-connect'),
  JWT_AUDIENCE: z.string().min(1).default('nxg-connect-api'),
  ACCESS_TOKEN_TTL_SECONDS: int(900, 60, 3600),
  REFRESH_TOKEN_TTL_SECONDS: int(14 * 24 * 3600, 60),
  REFRESH_FAMILY_LIFETIME_SECONDS: int(30 * 24 * 3600, 60),
  BCRYPT_COST: int(12, 4, 15),
  LOGIN_MAX_FAILURES_PER_SOURCE: int(5, 1),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: int(20, 1),
  LOGIN_MAX_FAILURES_PER_IP: int(100, 1),
  LOGIN_LOCKOUT_SECONDS: int(900, 1),
  LOGIN_LOCKOUT_MAX_SECONDS: int(24 * 3600, 1),
  LOGIN_DEVICE_TOKEN_TTL_SECONDS: int(180 * 24 * 3600, 60),
  RATE_LIMIT_WINDOW_SECONDS: int(60, 1),
  RATE_LIMIT_ANONYMOUS_MAX: int(120, 1),
  RATE_LIMIT_USER_MAX: int(600, 1),
  RATE_LIMIT_AUTH_MAX: int(20, 1),
  RATE_LIMIT_MACHINE_MAX: int(6_000, 1),
  SOCKET_EVENTS_PER_SECOND: int(20, 1, 10_000),
  SOCKETS_PER_USER: int(10, 1, 1_000),
  SOCKETS_PER_MACHINE: int(2, 1, 1_000),
  SOCKET_USER_EVENTS_PER_MINUTE: int(300, 1, 1_000_000),
  GYM_SESSION_EXPIRE_AFTER_SECONDS: int(4 * 3600, 1),
  MACHINE_OFFLINE_AFTER_SECONDS: int(120, 1),
  MACHINE_LINK_IDLE_SECONDS: int(15 * 60, 1),
  GYM_FLOOR_SWEEP_SECONDS: int(30, 1, 3600),
  REMINDER_TICK_SECONDS: int(60, 1, 3600),
  IDEMPOTENCY_TTL_SECONDS: int(24 * 3600, 60),
  ANALYTICS_VERIFY_INTERVAL_SECONDS: int(900, 1, 12 * 3600),
  ANALYTICS_VERIFY_BATCH: int(100, 1, 10_000),
  WORKOUT_IMPORT_MAX_KB: int(5 * 1024, 1, 50 * 1024),
  WORKOUT_IMPORT_MAX_ROWS: int(50_000, 1, 1_000_000),
  MEAL_ANALYSIS_CONFIRM_BELOW: z.coerce.number().min(0).max(1).default(0.7),
  MEAL_IMAGE_MAX_SIDE: int(1024, 256, 4096),
  MEAL_FEEDBACK_RETRY_DELAY_SECONDS: int(60, 1, 3600),
  SCAN_UPLOAD_MAX_KB: int(1024, 1, 10 * 1024),
  SCAN_MODEL_MAX_MB: int(50, 1, 500),
  SCAN_MODEL_DOWNLOAD_TIMEOUT_SECONDS: int(60, 1, 600),
  SCAN_DISPATCH_INTERVAL_SECONDS: int(10, 1, 3600),
  SCANNING_WEBHOOK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: optionalString,
  ADMIN_USERNAME: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{3,30}$/, '3-30 letters, digits, _ . or -')
    .default('admin'),
  SENTRY_DSN: z.url().optional(),
  SENTRY_TRACES_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0),
  METRICS_TOKEN: optionalString,
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100, 60_000),
  RUN_JOBS: z.stringbool().default(true),
  CHECK_RESPONSE_CONTRACT: z.stringbool().default(false),
  PUBLIC_BASE_URL: z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL')
    .refine(isParsableUrl, 'is not a valid URL')
    .optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .refine(isParsableUrl, 'is not a valid URL (percent-encode the password)')
    .optional(),
  MAIL_FROM: z.string().min(3).default('NXG Connect <no-reply@nxg-connect.local>'),
  MAIL_DISPATCH_INTERVAL_SECONDS: int(5, 1, 3600),
  DATA_ENCRYPTION_KEY: optionalString,
  DATA_ENCRYPTION_PREVIOUS_KEYS: optionalString,
  PASSWORD_RESET_TTL_SECONDS: int(30 * 60, 60, 24 * 3600),
  EMAIL_VERIFICATION_TTL_SECONDS: int(24 * 3600, 300, 30 * 24 * 3600),
  EMAIL_RESEND_COOLDOWN_SECONDS: int(60, 1, 24 * 3600),
  MFA_REQUIRED_FOR_STAFF: z.stringbool().default(false),
  MFA_TOKEN_TTL_SECONDS: int(300, 30, 3600),
  REAUTH_WINDOW_SECONDS: int(300, 30, 24 * 3600),
  S3_BUCKET: optionalString,
  S3_REGION: optionalString,
  S3_ENDPOINT: z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL')
    .refine(isParsableUrl, 'is not a valid URL')
    .optional(),
  S3_FORCE_PATH_STYLE: z.stringbool().optional(),
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  FILE_URL_TTL_SECONDS: int(300, 10, 7 * 24 * 3600),
  FILE_CACHE_MAX_AGE_SECONDS: int(3600, 0, 365 * 24 * 3600),
  CDN_BASE_URL: z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL')
    .refine(isParsableUrl, 'is not a valid URL')
    .optional(),
  UPLOAD_MAX_BYTES: int(10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
  IMAGE_MAX_INPUT_PIXELS: int(40_000_000, 10_000, 268_402_689),
  IMAGE_MAX_DIMENSION: int(2048, 64, 8192),
  IMAGE_PROCESSING_CONCURRENCY: int(2, 1, 64),
  IMAGE_QUEUE_MAX: int(64, 0, 10_000),
});

/**
 * The one typed configuration object every part of the server reads: what `loadConfig` builds
 * from the environment schema above, so its type follows the schema and cannot drift from it.
 */
export type Config = ReturnType<typeof loadConfig>;

function readKey(
  inline: string | undefined,
  file: string | undefined,
  name: string,
  issues: string[],
): string | undefined {
  if (inline && file) {
    issues.push(`${name}: set either ${name} or ${name}_FILE, not both`);
    return undefined;
  }
  // Env files cannot hold real newlines easily, so "\n" escapes are accepted too.
  if (inline) return inline.replace(/\\n/g, '\n');
  if (!file) return undefined;
  try {
    return readFileSync(path.resolve(file), 'utf8');
  } catch {
    issues.push(`${name}_FILE: cannot read ${file}`);
    return undefined;
  }
}

/**
 * Validates the environment and builds the config. Throws ConfigError naming each wrong
 * variable, so a bad deployment stops at startup instead of failing on the first request.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env) {
  // A variable set to nothing (`LOG_LEVEL=` in an env file) means "use the default".
  const given = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = environmentSchema.safeParse(given);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  const integrations = readIntegrationsConfig(given);
  const push = readPushConfig(given);
  const issues: string[] = [...integrations.issues, ...push.issues];

  const privateKey = readKey(e.JWT_PRIVATE_KEY, e.JWT_PRIVATE_KEY_FILE, 'JWT_PRIVATE_KEY', issues);
  const publicKey = readKey(e.JWT_PUBLIC_KEY, e.JWT_PUBLIC_KEY_FILE, 'JWT_PUBLIC_KEY', issues);
  if (Boolean(privateKey) !== Boolean(publicKey)) {
    issues.push('JWT_PRIVATE_KEY / JWT_PUBLIC_KEY: give both keys of the pair or neither');
  }
  // Keys are generated only for the embedded single-process default; instances sharing a
  // PostgreSQL database must share one configured key pair.
  if (e.DATABASE_URL && !privateKey) {
    issues.push('JWT_PRIVATE_KEY (or JWT_PRIVATE_KEY_FILE): required when DATABASE_URL is set');
  }
  if (Boolean(e.ADMIN_EMAIL) !== Boolean(e.ADMIN_PASSWORD)) {
    issues.push('ADMIN_EMAIL / ADMIN_PASSWORD: give both or neither');
  }
  if (e.ADMIN_PASSWORD) {
    const bytes = Buffer.byteLength(e.ADMIN_PASSWORD, 'utf8');
    if (bytes < 8 || bytes > 72) issues.push('ADMIN_PASSWORD: must be 8-72 bytes');
  }
  if (e.REFRESH_TOKEN_TTL_SECONDS > e.REFRESH_FAMILY_LIFETIME_SECONDS) {
    issues.push('REFRESH_TOKEN_TTL_SECONDS: must not exceed REFRESH_FAMILY_LIFETIME_SECONDS');
  }
  const corsOrigins = e.CORS_ORIGINS.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      issues.push(`CORS_ORIGINS: "${origin}" is not an origin like https://app.example.com`);
    }
  }
  const dataKey = e.DATA_ENCRYPTION_KEY ? parseDataKey(e.DATA_ENCRYPTION_KEY) : undefined;
  if (e.DATA_ENCRYPTION_KEY && !dataKey) {
    issues.push('DATA_ENCRYPTION_KEY: must be 32 bytes as 64 hex digits or base64');
  }
  const previousDataKeys: DataKey[] = [];
  for (const [index, text] of (e.DATA_ENCRYPTION_PREVIOUS_KEYS ?? '').split(',').entries()) {
    if (text.trim() === '') continue;
    const key = parseDataKey(text);
    if (key) previousDataKeys.push(key);
    else issues.push(`DATA_ENCRYPTION_PREVIOUS_KEYS: entry ${index + 1} is not a 32-byte key`);
  }
  // Generated keys exist only in the embedded default; instances sharing PostgreSQL would each
  // make their own, so mandatory 2FA (which needs the key) needs it configured there.
  if (e.DATABASE_URL && e.MFA_REQUIRED_FOR_STAFF && !e.DATA_ENCRYPTION_KEY) {
    issues.push(
      'DATA_ENCRYPTION_KEY: required when MFA_REQUIRED_FOR_STAFF is on with DATABASE_URL',
    );
  }
  if (e.S3_BUCKET && !e.S3_REGION) issues.push('S3_REGION: required when S3_BUCKET is set');
  if (Boolean(e.S3_ACCESS_KEY_ID) !== Boolean(e.S3_SECRET_ACCESS_KEY)) {
    issues.push('S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY: give both or neither');
  }
  if (issues.length > 0) throw new ConfigError(issues);

  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    /** Listening sockets sharing the port (SO_REUSEPORT): see src/lib/http/accept-sockets.ts. */
    httpAcceptSockets: e.HTTP_ACCEPT_SOCKETS,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: withPassword(e.DATABASE_URL, e.DATABASE_PASSWORD),
    databasePoolSize: e.DATABASE_POOL_SIZE,
    redisUrl: withPassword(e.REDIS_URL, e.REDIS_PASSWORD),
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    /** How long a request may wait on Redis, and how fast a lost connection is replaced. */
    redisConnection: {
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
      connectTimeoutMs: e.REDIS_CONNECT_TIMEOUT_MS,
      reconnectMaxDelayMs: e.REDIS_RECONNECT_MAX_DELAY_MS,
    },
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    corsOrigins,
    trustProxy: e.TRUST_PROXY,
    bodyLimitBytes: e.BODY_LIMIT_KB * 1024,
    jwt: {
      /** PEM; absent in the embedded default until generated into DATA_DIR at startup. */
      privateKey,
      publicKey,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
      refreshFamilyLifetimeSeconds: e.REFRESH_FAMILY_LIFETIME_SECONDS,
    },
    bcryptCost: e.BCRYPT_COST,
    loginThrottle: {
      /** Per account from one IP, per trusted device, and per account for re-authentication. */
      maxFailuresPerSource: e.LOGIN_MAX_FAILURES_PER_SOURCE,
      /** Per account from all devices without a device token together. */
      maxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      /** Per IP, sign-ins without a device token. */
      maxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
      lockoutSeconds: e.LOGIN_LOCKOUT_SECONDS,
      /** Each lockout in a row doubles, up to this. */
      maxLockoutSeconds: Math.max(e.LOGIN_LOCKOUT_SECONDS, e.LOGIN_LOCKOUT_MAX_SECONDS),
    },
    /** Lifetime of the device tokens a sign-in hands out (trusted-device lockout exemption). */
    deviceTokenTtlSeconds: e.LOGIN_DEVICE_TOKEN_TTL_SECONDS,
    rateLimit: {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      anonymousMax: e.RATE_LIMIT_ANONYMOUS_MAX,
      userMax: e.RATE_LIMIT_USER_MAX,
      authMax: e.RATE_LIMIT_AUTH_MAX,
      /** Device requests (machine heartbeats over HTTP) per IP and window. */
      machineMax: e.RATE_LIMIT_MACHINE_MAX,
    },
    /** Events one socket may send per second (bursts up to twice that). */
    socketEventsPerSecond: e.SOCKET_EVENTS_PER_SECOND,
    /** Caps over every instance: sockets open at once, and events per minute over all of them. */
    socketQuotas: {
      perUser: e.SOCKETS_PER_USER,
      /** Per device key (machine). */
      perMachine: e.SOCKETS_PER_MACHINE,
      /** Per user or machine, over all their sockets. */
      eventsPerMinute: e.SOCKET_USER_EVENTS_PER_MINUTE,
    },
    /** When the gym floor's sweeps step in, and how often they run. */
    gymFloor: {
      gymSessionExpireAfterSeconds: e.GYM_SESSION_EXPIRE_AFTER_SECONDS,
      machineOfflineAfterSeconds: e.MACHINE_OFFLINE_AFTER_SECONDS,
      linkIdleAfterSeconds: e.MACHINE_LINK_IDLE_SECONDS,
      sweepIntervalSeconds: e.GYM_FLOOR_SWEEP_SECONDS,
    },
    /** How often the reminder scheduler looks for due reminders. */
    reminderTickSeconds: e.REMINDER_TICK_SECONDS,
    idempotencyTtlSeconds: e.IDEMPOTENCY_TTL_SECONDS,
    /** How often, and for how many members at most, rollups are checked against the logs. */
    analytics: {
      verifyIntervalSeconds: e.ANALYTICS_VERIFY_INTERVAL_SECONDS,
      verifyBatchSize: e.ANALYTICS_VERIFY_BATCH,
    },
    /** Bounds of a Strong/Hevy CSV upload: bytes (after decompression) and data rows. */
    workoutImport: {
      maxBytes: e.WORKOUT_IMPORT_MAX_KB * 1024,
      maxRows: e.WORKOUT_IMPORT_MAX_ROWS,
    },
    /** Meal photo analysis: when to ask for confirmation, the size sent, feedback retries. */
    mealAnalysis: {
      confirmBelow: e.MEAL_ANALYSIS_CONFIRM_BELOW,
      maxImageSide: e.MEAL_IMAGE_MAX_SIDE,
      feedbackRetryDelaySeconds: e.MEAL_FEEDBACK_RETRY_DELAY_SECONDS,
    },
    /** Body scans: upload and model bounds, how often due scans move on, the webhook secret. */
    scans: {
      uploadMaxBytes: e.SCAN_UPLOAD_MAX_KB * 1024,
      modelMaxBytes: e.SCAN_MODEL_MAX_MB * 1024 * 1024,
      modelDownloadTimeoutMs: e.SCAN_MODEL_DOWNLOAD_TIMEOUT_SECONDS * 1000,
      dispatchIntervalSeconds: e.SCAN_DISPATCH_INTERVAL_SECONDS,
      /** Shared with the 3D Scanning service to sign its callbacks; unset, every callback is 401. */
      webhookSecret: e.SCANNING_WEBHOOK_SECRET,
    },
    admin:
      e.ADMIN_EMAIL && e.ADMIN_PASSWORD
        ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD, username: e.ADMIN_USERNAME }
        : undefined,
    /** Error reporting, and the share of requests traced (0: none), when a DSN is set. */
    sentry: { dsn: e.SENTRY_DSN, tracesSampleRate: e.SENTRY_TRACES_SAMPLE_RATE },
    metricsToken: e.METRICS_TOKEN,
    /** Where the worker serves /health/* and /metrics; unset, it serves nothing. */
    workerMetricsPort: e.WORKER_METRICS_PORT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    /** Whether the API process also works background jobs (PGlite always does). */
    runJobs: e.RUN_JOBS,
    /** Every reply is checked against its OpenAPI operation (tests; costs a parse per reply). */
    checkResponseContract: e.CHECK_RESPONSE_CONTRACT,
    /** The AI services; each is absent when not configured. */
    integrations: integrations.config,
    /** Where links in emails point: this server's public address (no trailing slash). */
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    mail: {
      /** SMTP when set; otherwise each message is written to DATA_DIR/outbox as an .eml file. */
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      /** How often queued messages are handed to delivery jobs (once across instances). */
      dispatchIntervalSeconds: e.MAIL_DISPATCH_INTERVAL_SECONDS,
    },
    /** AES-256-GCM keys for secrets at rest (TOTP seeds); generated in the embedded default. */
    dataEncryption: { key: dataKey, previousKeys: previousDataKeys },
    accountRecovery: {
      passwordResetTtlSeconds: e.PASSWORD_RESET_TTL_SECONDS,
      emailVerificationTtlSeconds: e.EMAIL_VERIFICATION_TTL_SECONDS,
      /** The least time between two verification or reset emails of one account. */
      resendCooldownSeconds: e.EMAIL_RESEND_COOLDOWN_SECONDS,
    },
    mfa: {
      /** Staff and admin accounts must enrol in TOTP before they get a session. */
      requiredForStaff: e.MFA_REQUIRED_FOR_STAFF,
      /** Lifetime of the one-purpose tokens between password and code (and of enrolment). */
      challengeTtlSeconds: e.MFA_TOKEN_TTL_SECONDS,
    },
    /** How long a sign-in or re-authentication lets the session take sensitive actions. */
    reauthWindowSeconds: e.REAUTH_WINDOW_SECONDS,
    files: {
      /** S3 when a bucket is set (else files live under DATA_DIR/files). */
      s3: e.S3_BUCKET
        ? {
            bucket: e.S3_BUCKET,
            region: e.S3_REGION ?? '',
            /** An S3-compatible server (MinIO, s3rver); path-style addressing by default there. */
            endpoint: e.S3_ENDPOINT,
            forcePathStyle: e.S3_FORCE_PATH_STYLE ?? Boolean(e.S3_ENDPOINT),
            /** Unset: the SDK's default chain (environment, profile, instance role). */
            credentials:
              e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
                ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
                : undefined,
          }
        : undefined,
      /** Lifetime of a presigned S3 download URL. */
      urlTtlSeconds: e.FILE_URL_TTL_SECONDS,
      /** `Cache-Control: private, max-age` of files streamed from local disk. */
      cacheMaxAgeSeconds: e.FILE_CACHE_MAX_AGE_SECONDS,
      /** CloudFront (or another CDN) in front of the bucket: avatars are linked through it. */
      cdnBaseUrl: e.CDN_BASE_URL?.replace(/\/+$/, ''),
    },
    uploads: {
      maxBytes: e.UPLOAD_MAX_BYTES,
      /** Decoded pixels an image may declare (width × height); more is refused unread. */
      maxInputPixels: e.IMAGE_MAX_INPUT_PIXELS,
      /** Longest side of a stored image; larger ones are scaled down. */
      maxDimension: e.IMAGE_MAX_DIMENSION,
      /** Uploads read and re-encoded at once per process; the next ones wait in line. */
      concurrency: e.IMAGE_PROCESSING_CONCURRENCY,
      /** Uploads that may wait in that line; beyond it, 503 with Retry-After. */
      queueMax: e.IMAGE_QUEUE_MAX,
    },
    /** Push: FCM and Web Push when configured (the inbox and sockets work without). */
    push: push.config,
  };
}

/** For process entry points: the config, or a message naming each bad variable and exit 78. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG: PM2 is told not to restart on it
    }
    throw error;
  }
}

/** The URL with its password replaced by one kept apart from it (a secret store's value). */
function withPassword(url: string | undefined, password: string | undefined): string | undefined {
  if (!url || password === undefined) return url;
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}
