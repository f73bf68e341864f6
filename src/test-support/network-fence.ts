// Loaded by Vitest (setupFiles) before every test file: tests talk to loopback only. A
// connection to anything else fails at once, before a packet leaves, with a message that says
// why, and the file fails in afterAll even if the code under test swallowed the error.
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { afterAll } from 'vitest';

/** Destinations refused so far in this file; a test that provokes one on purpose takes it. */
export const fenceViolations: string[] = [];

const FENCE = 'network fence';

/** Loopback addresses and the name `localhost`; names are refused before any DNS lookup. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  if (net.isIPv6(bare)) return bare === '::1' || /^::ffff:127\./.test(bare);
  return false;
}

function refuse(destination: string): Error {
  fenceViolations.push(destination);
  const error = new Error(
    `${FENCE}: tests may only connect to loopback; refused ${destination}`,
  ) as Error & { code: string };
  error.code = 'ENETUNREACH';
  process.stderr.write(`\n*** ${error.message} ***\n`);
  return error;
}

/** Where a `socket.connect(...)` call is headed; undefined for a Unix socket path. */
function destinationOf(args: unknown[]): { host: string; port: unknown } | undefined {
  // net.connect() passes its already-normalized arguments as one array.
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const options = first as { path?: unknown; host?: unknown; port?: unknown };
    if (typeof options.path === 'string') return undefined;
    return {
      host: typeof options.host === 'string' ? options.host : 'localhost',
      port: options.port,
    };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined; // a pipe path
  return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: first };
}

// Called with the socket as `this` below, as Node itself calls it.
const originalConnect = Object.getOwnPropertyDescriptor(net.Socket.prototype, 'connect')?.value as (
  this: net.Socket,
  ...args: unknown[]
) => net.Socket;
net.Socket.prototype.connect = function fencedConnect(this: net.Socket, ...args: unknown[]) {
  const destination = destinationOf(args);
  if (destination && !isLoopback(destination.host)) {
    const error = refuse(`${destination.host}:${String(destination.port)}`);
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return originalConnect.apply(this, args);
};

type LookupCallback = (error: Error | null, address?: unknown, family?: number) => void;
const originalLookup = dns.lookup;
dns.lookup = function fencedLookup(hostname: string, ...rest: unknown[]) {
  if (!isLoopback(hostname)) {
    const callback = rest.at(-1) as LookupCallback;
    const error = refuse(`DNS lookup of ${hostname}`);
    process.nextTick(() => callback(error));
    return;
  }
  return (originalLookup as (...a: unknown[]) => void)(hostname, ...rest);
} as typeof dns.lookup;
const originalPromiseLookup = dns.promises.lookup;
dns.promises.lookup = function fencedPromiseLookup(hostname: string, ...rest: unknown[]) {
  if (!isLoopback(hostname)) return Promise.reject(refuse(`DNS lookup of ${hostname}`));
  return (originalPromiseLookup as (...a: unknown[]) => Promise<unknown>)(hostname, ...rest);
} as typeof dns.promises.lookup;
syncBuiltinESMExports();

afterAll(() => {
  if (fenceViolations.length > 0) {
    throw new Error(`${FENCE}: this file tried to reach ${fenceViolations.join(', ')}`);
  }
});
