import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import supertest from 'supertest';
import { inject } from 'vitest';
import { createApp } from '../app.js';
import { loadConfig } from '../config/config.js';
import { createContainer, type Container } from '../container.js';
import type { KeyValueStore } from '../lib/kv/kv.js';
import { MemoryKeyValueStore } from '../lib/kv/memory-kv.js';
import { RedisKeyValueStore } from '../lib/kv/redis-kv.js';
import { createLogger } from '../lib/logger.js';
import type { ResilienceSettings } from '../integrations/index.js';
import { LogCapture } from './log-capture.js';
import { openTestDatabase } from './test-database.js';

/** Settings every test app starts from: fast bcrypt, limits out of the way unless a test lowers them. */
const testEnvironment: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'info',
  BCRYPT_COST: '4',
  RATE_LIMIT_ANONYMOUS_MAX: '100000',
  RATE_LIMIT_USER_MAX: '100000',
  RATE_LIMIT_AUTH_MAX: '100000',
  LOGIN_MAX_FAILURES_PER_IP: '100000',
  CORS_ORIGINS: 'https://app.nxg.test',
};

export interface TestApp {
  app: Express;
  http: ReturnType<typeof supertest>;
  container: Container;
  logs: LogCapture;
  /** Drops the app's database and cache keys. */
  close(): Promise<void>;
}

/** A key-value store of the test's own: a uniquely prefixed Redis namespace, or memory. */
export function openTestKeyValueStore(): {
  kv: KeyValueStore;
  prefix: string;
  drop(): Promise<void>;
} {
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  const url = process.env.TEST_REDIS_URL;
  if (!url) {
    const kv = new MemoryKeyValueStore();
    return { kv, prefix, drop: () => kv.close() };
  }
  const kv = RedisKeyValueStore.connect(url, prefix);
  return {
    kv,
    prefix,
    async drop() {
      const keys = await kv.client.keys(`${prefix}*`);
      if (keys.length > 0) await kv.client.del(...keys);
      await kv.close();
    },
  };
}

/**
 * Builds the real app over its own database and cache (real PostgreSQL and Redis when
 * TEST_DATABASE_URL / TEST_REDIS_URL are set), with a log capture. `env` overrides settings.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: { resilience?: Partial<ResilienceSettings> } = {},
): Promise<TestApp> {
  const keys = inject('signingKeys');
  const store = openTestKeyValueStore();
  const testDatabase = await openTestDatabase();
  const config = loadConfig({
    ...testEnvironment,
    JWT_PRIVATE_KEY: keys.privateKeyPem,
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    REDIS_KEY_PREFIX: store.prefix,
    DATA_DIR: `/tmp/nxg-test-data-${process.pid}`,
    ...env,
  });
  const logs = new LogCapture();
  const container = await createContainer(config, {
    logger: createLogger(config.logLevel, logs),
    database: testDatabase.database,
    kv: store.kv,
    resilience: options.resilience,
  });
  const app = createApp(container);
  return {
    app,
    http: supertest(app),
    container,
    logs,
    async close() {
      await store.drop();
      await testDatabase.drop();
    },
  };
}
