import { deploymentEnvironment, release } from './release.js';
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * Paths pino blanks out before a line is written. Credentials and tokens can appear in request
 * headers, in bodies that a handler chooses to log, and in error objects; all of them are covered.
 */
const secretFields = [
  'password',
  'newPassword',
  'currentPassword',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'machineKey',
  'deviceKey',
  'email',
];

export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-machine-key"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  // On the line itself and one object down (`{ user: { email } }`): pino's `*` is one level.
  ...secretFields,
  ...secretFields.map((field) => `*.${field}`),
];

/**
 * `json` is one JSON object a line, for log collectors; `pretty` is coloured text for a person;
 * `auto` is pretty on a terminal outside production and JSON everywhere else.
 */
export type LogFormat = 'auto' | 'json' | 'pretty';

function prettyWanted(format: LogFormat, destination: DestinationStream | undefined): boolean {
  if (format !== 'auto') return format === 'pretty';
  return !destination && process.stdout.isTTY && process.env.NODE_ENV !== 'production';
}

/**
 * Builds the process logger, writing to stdout unless given a destination (tests read theirs).
 * Pretty text is formatted in this thread: fine for development, never chosen by `auto` in
 * production or for a given destination.
 */
export function createLogger(
  level: string,
  destination?: DestinationStream,
  format: LogFormat = 'auto',
): Logger {
  return pino(
    {
      level,
      // Every line says what wrote it: service, version and environment (APP_ENV names the
      // deployment, dev/staging/prod; NODE_ENV otherwise).
      base: {
        service: release.service,
        version: release.version,
        environment: deploymentEnvironment(),
      },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    prettyWanted(format, destination)
      ? pretty({
          destination: destination ?? 1,
          colorize: !destination && process.stdout.isTTY,
          // Said once at startup; on every line they only push the message off screen.
          ignore: 'pid,hostname,service,version,environment',
        })
      : destination,
  );
}
