import { createServer as createNetServer, type Server } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { causeChain } from './errors.js';
import { StartupError } from './startup-error.js';

// How long one probe of PostgreSQL or Redis may take before the host counts as unreachable.
const PROBE_TIMEOUT_MS = 10_000;

/**
 * Fails with a StartupError naming PORT (or HOST) when `port` cannot be listened on, e.g. when
 * another server has it. Run before anything opens or writes data: a second server started on
 * the same port would otherwise migrate and start jobs before `listen` failed. The real
 * `listen` comes minutes later at most, so a port taken in between fails there, as clearly
 * (`listenOrExplain`). Port 0 (any free port) always works.
 */
export async function assertPortAvailable(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createNetServer();
  await listenOrExplain(probe, host, port);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/** `server.listen(port, host)`, failing with a StartupError that says why. */
export function listenOrExplain(
  server: Server,
  host: string,
  port: number,
  options: { backlog?: number; reusePort?: boolean } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(explainListenError(error, host, port));
    server.once('error', onError);
    server.listen({ port, host, ...options }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function explainListenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const address = `${host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new StartupError(
        `PORT: ${address} is already in use by another process (another NXG Connect server?); ` +
          'stop it or choose another PORT.',
      );
    case 'EACCES':
      return new StartupError(
        `PORT: no permission to listen on ${address}; use a port above 1023.`,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new StartupError(`HOST: ${host} is not an address of this machine.`);
    default:
      return error;
  }
}

/**
 * Connects once to the configured PostgreSQL and Redis and fails with a StartupError naming
 * the variable when one cannot be reached: one line at startup instead of a stack per failed
 * statement or reconnect. Runs before the server opens its own pools.
 */
export async function assertDependenciesReachable(config: {
  databaseUrl?: string;
  redisUrl?: string;
}): Promise<void> {
  const failures = await Promise.all([
    config.databaseUrl ? probePostgres(config.databaseUrl) : undefined,
    config.redisUrl ? probeRedis(config.redisUrl) : undefined,
  ]);
  const messages = failures.filter((failure) => failure !== undefined);
  if (messages.length > 0) throw new StartupError(messages.join(' '));
}

async function probePostgres(url: string): Promise<string | undefined> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: PROBE_TIMEOUT_MS,
  });
  // Errors after connect() (the server ending the session) arrive as events.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return `DATABASE_URL: cannot use PostgreSQL at ${describeTarget(url)}: ${reasonOf(error)}.`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probeRedis(url: string): Promise<string | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The connection's own error (refused, host not found, bad database index) comes as an
  // event; the promise only says the connection closed.
  let connectionError: unknown;
  client.on('error', (error: unknown) => (connectionError ??= error));
  const failure = (error: unknown) =>
    `REDIS_URL: cannot use Redis at ${describeTarget(url)}: ${reasonOf(error)}.`;
  try {
    await client.connect();
    await client.ping();
    return connectionError === undefined ? undefined : failure(connectionError);
  } catch (error) {
    return failure(connectionError ?? error);
  } finally {
    client.disconnect();
  }
}

/** host:port/path of a URL, without its credentials (they must not reach the logs). */
function describeTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

const REASONS = new Map(
  Object.entries({
    ECONNREFUSED: 'connection refused (is it running on that port?)',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ETIMEDOUT: 'no answer (timed out)',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ECONNRESET: 'connection reset',
    '3D000': 'the database does not exist',
    '57P03': 'the server is not accepting connections yet (starting up or shutting down)',
    '53300': 'too many connections',
  }),
);

function reasonOf(error: unknown): string {
  for (const { code, message } of causeChain(error)) {
    const known = typeof code === 'string' ? REASONS.get(code) : undefined;
    if (known) return known;
    // Class 28, e.g. 'password authentication failed for user "app"': no secret in it.
    if (typeof code === 'string' && code.startsWith('28') && typeof message === 'string') {
      return message;
    }
    if (typeof message === 'string' && /timeout/i.test(message)) {
      return `no answer within ${PROBE_TIMEOUT_MS / 1000} s`;
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? 'unknown error';
}
