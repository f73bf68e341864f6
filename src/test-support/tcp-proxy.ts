// A loopback TCP proxy a test can cut, black-hole and restore, to play a network outage (or a
// frozen server) to a real server.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  /** The loopback port clients connect to. */
  port: number;
  /** Drops every connection and refuses new ones, as an unreachable server would. */
  cut(): Promise<void>;
  /**
   * Keeps every connection open but forwards nothing, and accepts new connections that hear
   * nothing either: a frozen server, or a network that drops packets without closing anything.
   */
  blackHole(): Promise<void>;
  /**
   * Forwards again: accepts connections on the same port after a cut; after a black hole, the
   * data held meanwhile flows on, as it would once a frozen server resumes.
   */
  restore(): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream?: Socket;
}

/** Forwards a loopback port to `target` until cut or black-holed. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let server: Server | undefined;
  let port = 0;
  let forwarding = true;

  const end = (pair: Pair) => {
    pair.client.destroy();
    pair.upstream?.destroy();
    pairs.delete(pair);
  };
  const forward = (pair: Pair) => {
    let upstream = pair.upstream;
    if (!upstream) {
      upstream = connect(target.port, target.host);
      upstream.on('error', () => end(pair));
      upstream.on('close', () => end(pair));
      pair.upstream = upstream;
    }
    pair.client.pipe(upstream);
    upstream.pipe(pair.client);
  };
  const hold = (pair: Pair) => {
    // Unread data stays in the socket buffers (and the kernel's) until forwarding resumes.
    pair.client.unpipe();
    pair.upstream?.unpipe();
    pair.client.pause();
    pair.upstream?.pause();
  };

  const listen = async () => {
    if (server) return;
    const listening = createServer((client) => {
      const pair: Pair = { client };
      pairs.add(pair);
      client.on('error', () => end(pair));
      client.on('close', () => end(pair));
      if (forwarding) forward(pair);
      else hold(pair);
    });
    await new Promise<void>((resolve) => listening.listen(port, '127.0.0.1', resolve));
    port = (listening.address() as AddressInfo).port;
    server = listening;
  };
  const stop = async () => {
    const closing = server;
    server = undefined;
    for (const pair of pairs) end(pair);
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };

  await listen();
  return {
    port,
    cut: stop,
    blackHole: () => {
      forwarding = false;
      for (const pair of pairs) hold(pair);
      return Promise.resolve();
    },
    restore: async () => {
      forwarding = true;
      await listen();
      for (const pair of pairs) {
        hold(pair);
        forward(pair);
      }
    },
    close: async () => {
      forwarding = true;
      await stop();
    },
  };
}
