import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
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
import type { ContractViolation } from '../lib/http/response-contract.js';
import { LogCapture } from './log-capture.js';
import { openTestDatabase } from './test-database.js';
import { openDatabase, type DatabaseHandle } from '../db/database.js';
import { attachSocketServer } from '../realtime/socket-server.js';

/** Settings every test app starts from: fast bcrypt, limits out of the way unless a test lowers them. */
const testEnvironment: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'info',
  BCRYPT_COST: '4',
  RATE_LIMIT_ANONYMOUS_MAX: '100000',
  RATE_LIMIT_USER_MAX: '100000',
  RATE_LIMIT_AUTH_MAX: '100000',
  LOGIN_MAX_FAILURES_PER_IP: '100000',
  SOCKETS_PER_USER: '1000',
  SOCKETS_PER_MACHINE: '1000',
  SOCKET_USER_EVENTS_PER_MINUTE: '1000000',
  CORS_ORIGINS: 'https://app.nxg.test',
  CHECK_RESPONSE_CONTRACT: 'true',
};

export interface TestApp {
  app: Express;
  http: ReturnType<typeof supertest>;
  container: Container;
  logs: LogCapture;
  /**
   * Replies that broke their OpenAPI operation (each also answered 500). `close()` fails while
   * any is left here; a test that provokes one on purpose takes it out.
   */
  contractViolations: ContractViolation[];
  /** Listens on a loopback port with Socket.IO attached; resolves with the base URL. */
  listen(): Promise<string>;
  /**
   * Another instance of the server on the same database and cache (its own pool, cache
   * connection and Socket.IO server), as a second process behind a load balancer would be.
   */
  startAnotherInstance(
    env?: Record<string, string>,
    options?: {
      redisUrl?: string;
      /** Without Redis: a cache of its own, as a restarted process has (default: shared). */
      ownMemoryCache?: boolean;
    },
  ): Promise<TestApp>;
  /** Stops listening and closes the app; for the first instance, drops its database and keys. */
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
  options: TestAppOptions = {},
): Promise<TestApp> {
  const store = openTestKeyValueStore();
  const testDatabase = await openTestDatabase();
  const instance = await buildInstance(env, options, {
    database: testDatabase.database,
    kv: store.kv,
    prefix: store.prefix,
    databaseUrl: testDatabase.url,
  });
  return {
    ...instance,
    async close() {
      try {
        await instance.close();
      } finally {
        await store.drop();
        await testDatabase.drop();
      }
    },
  };
}

export interface TestAppOptions {
  resilience?: Partial<ResilienceSettings>;
  /** The HTTPS agent Web Push uses: trusts the test's loopback push service. */
  webPushAgent?: Agent;
}

interface Backends {
  database: DatabaseHandle;
  kv: KeyValueStore;
  prefix: string;
  databaseUrl?: string;
}

async function buildInstance(
  env: Record<string, string>,
  options: TestAppOptions,
  backends: Backends,
): Promise<TestApp> {
  const keys = inject('signingKeys');
  const config = loadConfig({
    ...testEnvironment,
    JWT_PRIVATE_KEY: keys.privateKeyPem,
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    REDIS_KEY_PREFIX: backends.prefix,
    DATA_DIR: `/tmp/nxg-test-data-${process.pid}`,
    ...env,
  });
  const logs = new LogCapture();
  const container = await createContainer(config, {
    logger: createLogger(config.logLevel, logs),
    database: backends.database,
    kv: backends.kv,
    resilience: options.resilience,
    webPushAgent: options.webPushAgent,
  });
  const contractViolations: ContractViolation[] = [];
  const app = createApp(container, {
    onContractViolation: (violation) => contractViolations.push(violation),
  });
  let server: Server | undefined;
  const extraClosers: (() => Promise<void>)[] = [];
  return {
    app,
    http: supertest(app),
    container,
    logs,
    contractViolations,
    async listen() {
      server = createServer(app);
      attachSocketServer(server, container);
      const listening = server;
      await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    },
    async startAnotherInstance(extraEnv = {}, instanceOptions = {}) {
      // Real PostgreSQL: a second pool, as another process has. PGlite lives in this process,
      // so there the instances share it. Redis: a second connection under the same prefix.
      const database = backends.databaseUrl
        ? await openDatabase({ url: backends.databaseUrl, poolSize: 5 })
        : backends.database;
      const redisUrl = instanceOptions.redisUrl ?? process.env.TEST_REDIS_URL;
      const kv =
        backends.kv instanceof RedisKeyValueStore && redisUrl
          ? RedisKeyValueStore.connect(redisUrl, backends.prefix)
          : instanceOptions.ownMemoryCache
            ? new MemoryKeyValueStore()
            : backends.kv;
      const other = await buildInstance({ ...env, ...extraEnv }, options, {
        ...backends,
        database,
        kv,
      });
      const closeOther = async () => {
        await other.close();
        if (kv !== backends.kv) await kv.close();
        if (database !== backends.database) await database.close();
      };
      extraClosers.push(closeOther);
      return { ...other, close: closeOther };
    },
    async close() {
      await Promise.all(extraClosers.map((closeOther) => closeOther()));
      // Closing Socket.IO also closes the HTTP server it is attached to.
      await container.realtime.close();
      server?.closeAllConnections();
      await container.jobs.stop({ graceful: false });
      failOnContractViolations(contractViolations);
    },
  };
}

/** Throws, listing each, when replies broke their contract: the test file then fails. */
function failOnContractViolations(violations: readonly ContractViolation[]): void {
  if (violations.length === 0) return;
  const lines = violations.map(
    ({ operation, status, problems }) => `${operation} ${status}: ${problems.join('; ')}`,
  );
  throw new Error(`Replies broke their OpenAPI contract:\n${[...new Set(lines)].join('\n')}`);
}
