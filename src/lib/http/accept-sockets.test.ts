import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { drainHttpServer } from '../graceful-shutdown.js';
import { listenWithAcceptSockets } from './accept-sockets.js';

/** One request; without an agent on a connection of its own, so each one is accepted anew. */
function get(port: number, path: string, agent: Agent | false = false) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let server: Server | undefined;
let extra: NetServer[] = [];

afterEach(async () => {
  for (const listener of [server, ...extra]) {
    if (listener?.listening) await new Promise((resolve) => listener.close(resolve));
  }
  server?.closeAllConnections();
  server = undefined;
  extra = [];
});

async function listen(sockets: number, handler: Parameters<typeof createServer>[1]) {
  server = createServer(handler);
  const unsupported: unknown[] = [];
  extra = await listenWithAcceptSockets(server, {
    host: '127.0.0.1',
    port: 0,
    backlog: 511,
    sockets,
    onUnsupported: (error) => unsupported.push(error),
  });
  const { port } = server.address() as AddressInfo;
  let throughExtra = 0;
  for (const acceptor of extra) acceptor.on('connection', () => throughExtra++);
  return { port, unsupported, throughExtra: () => throughExtra };
}

describe('listenWithAcceptSockets', () => {
  it('when asked for 4 sockets, then all 4 share the port and every connection reaches the one HTTP server', async () => {
    const { port, unsupported, throughExtra } = await listen(4, (req, res) => {
      res.end(`hello ${req.url ?? ''}`);
    });
    expect(unsupported).toEqual([]);
    expect(extra).toHaveLength(3);
    for (const acceptor of extra) expect((acceptor.address() as AddressInfo).port).toBe(port);

    const answers = await Promise.all(
      Array.from({ length: 64 }, (_, index) => get(port, `/${index}`)),
    );
    expect(answers.map((answer) => answer.body)).toEqual(
      Array.from({ length: 64 }, (_, index) => `hello /${index}`),
    );
    // The kernel spread them: 64 connections all on one of 4 sockets is a 1 in 4^63 chance.
    expect(throughExtra()).toBeGreaterThan(0);
  });

  it('when asked for one socket, then the port is not shared', async () => {
    const { port } = await listen(1, (_req, res) => res.end('ok'));
    expect(extra).toEqual([]);
    // Without SO_REUSEPORT on the first socket, a second cannot join it.
    const intruder = createServer();
    await expect(
      listenWithAcceptSockets(intruder, {
        host: '127.0.0.1',
        port,
        backlog: 511,
        sockets: 2,
        onUnsupported: () => undefined,
      }),
    ).rejects.toThrow(/already in use/);
  });

  it('when the platform offers no SO_REUSEPORT, then the server listens on one socket and says why', async () => {
    const platform = Object.getOwnPropertyDescriptor(process, 'platform');
    Object.defineProperty(process, 'platform', { value: 'darwin' });
    try {
      const { port, unsupported } = await listen(4, (_req, res) => res.end('ok'));
      expect(extra).toEqual([]);
      expect(String(unsupported[0])).toMatch(/not offered on darwin/);
      await expect(get(port, '/')).resolves.toEqual({ status: 200, body: 'ok' });
    } finally {
      if (platform) Object.defineProperty(process, 'platform', platform);
    }
  });

  it('when draining, then closed waits for a request in flight on a connection an extra socket accepted', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const { port, throughExtra } = await listen(4, (req, res) => {
      if (req.url === '/slow') {
        started();
        void held.then(() => res.end('slow done'));
      } else res.end('fast');
    });
    // Open keep-alive connections until one lands on an extra socket, then hold a request on it.
    let slow: Promise<{ status: number; body: string }> | undefined;
    let agent: Agent | undefined;
    for (let attempt = 0; attempt < 200 && !slow; attempt++) {
      agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const before = throughExtra();
      await get(port, '/fast', agent);
      if (throughExtra() > before) slow = get(port, '/slow', agent);
      else agent.destroy();
    }
    expect(slow).toBeDefined();
    await inFlight;

    const drain = drainHttpServer(server as Server, { idleGraceMs: 50, acceptSockets: extra });
    let closed = false;
    void drain.closed.then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closed).toBe(false);

    release();
    await expect(slow).resolves.toEqual({ status: 200, body: 'slow done' });
    // The client hangs up (otherwise keep-alive holds it until the idle grace or the timeout).
    agent?.destroy();
    await drain.closed;
    for (const listener of [server as Server, ...extra]) expect(listener.listening).toBe(false);
  });
});
