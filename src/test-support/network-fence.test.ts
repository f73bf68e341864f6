import { once } from 'node:events';
import { connect as tlsConnect } from 'node:tls';
import net from 'node:net';
import { promises as dnsPromises } from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import { fenceViolations } from './network-fence.js';

// Each test provokes the fence on purpose; what it refused is taken back so afterAll passes.
afterEach(() => {
  fenceViolations.splice(0);
});

const FENCED = /network fence: tests may only connect to loopback; refused/;

describe('network fence', () => {
  it('when a test connects to a private address, then the socket fails at once with the fence message', async () => {
    // 10.255.255.1 black-holes packets: without the fence this would hang, not fail.
    const socket = net.connect({ host: '10.255.255.1', port: 80 });
    const [error] = (await once(socket, 'error')) as [Error];
    expect(error.message).toMatch(FENCED);
    expect(error.message).toContain('10.255.255.1:80');
    expect(socket.destroyed).toBe(true);
    expect(fenceViolations).toEqual(['10.255.255.1:80']);
  });

  it('when a test connects to a public name, over TCP, TLS or fetch, then it is refused without a DNS lookup', async () => {
    const plain = net.connect(443, 'example.com');
    expect(((await once(plain, 'error')) as [Error])[0].message).toMatch(FENCED);
    const secure = tlsConnect({ host: 'example.com', port: 443, servername: 'example.com' });
    expect(((await once(secure, 'error')) as [Error])[0].message).toMatch(FENCED);
    const fetched = await fetch('https://example.com/').catch((error: unknown) => error);
    expect(String((fetched as Error & { cause?: unknown }).cause)).toMatch(FENCED);
    await expect(dnsPromises.lookup('example.com')).rejects.toThrow(FENCED);
    expect(fenceViolations.length).toBeGreaterThanOrEqual(4);
  });

  it('when a test connects to loopback, then the connection goes through (control)', async () => {
    const server = net.createServer((socket) => socket.end('hello'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    try {
      for (const host of ['127.0.0.1', 'localhost']) {
        const socket = net.connect(port, host);
        const [data] = (await once(socket, 'data')) as [Buffer];
        expect(data.toString()).toBe('hello');
        socket.destroy();
      }
      expect(fenceViolations).toEqual([]);
    } finally {
      server.close();
    }
  });
});
