import { deploymentEnvironment, release } from './release.js';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Paths pino blanks out before a line is written. Credentials and tokens can appear in request
 * headers, in bodies that a handler chooses to log, and in error objects; all of them are covered.
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-machine-key"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.passwordHash',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.machineKey',
  '*.deviceKey',
  '*.email',
];

/** Builds the process logger; tests pass their own destination to read what was written. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
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
    destination,
  );
}
