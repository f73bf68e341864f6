import { createRequire } from 'node:module';

/**
 * What is running: the service's name and the version from package.json (read once; the same
 * relative path holds from src/ and from the compiled dist/).
 */
const packageJson = createRequire(import.meta.url)('../../package.json') as { version: string };

export const release = {
  service: 'nxg-connect-api',
  version: packageJson.version,
} as const;

/**
 * The deployment this process belongs to (dev, staging, prod): APP_ENV, else NODE_ENV. Log lines
 * and error reports carry it.
 */
export function deploymentEnvironment(env: NodeJS.ProcessEnv = process.env): string {
  return env.APP_ENV ?? env.NODE_ENV ?? 'development';
}
