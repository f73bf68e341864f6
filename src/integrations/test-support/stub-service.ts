import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the stub saw it on the wire. */
export interface StubRequest {
  method: string;
  /** Request target exactly as sent (path and query), what a signature must cover. */
  target: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** Milliseconds since the stub started, to check how long the client waited between tries. */
  receivedAt: number;
}

/** What the stub answers; `text` is sent as is, `json` serialized. */
export interface StubReply {
  status?: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
  /** Answer only after this long (a slow service). */
  delayMs?: number;
}

export type StubHandler = (request: StubRequest) => StubReply | Promise<StubReply>;

/**
 * An external service played by a real HTTP server on 127.0.0.1 (port 0) that the test
 * controls: routes, answers, delays and the credential check are all the test's choice.
 */
export class StubService {
  readonly requests: StubRequest[] = [];
  private readonly routes = new Map<string, StubHandler>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly started = performance.now();
  /** Requests it refuses with 401 fail this check; routes in `openRoutes` skip it. */
  private authorize: (request: StubRequest) => boolean = () => true;
  private readonly openRoutes = new Set<string>();

  private constructor(private readonly server: Server) {}

  /** Starts a stub listening on an ephemeral loopback port. */
  static async start(): Promise<StubService> {
    const server = createServer();
    const stub = new StubService(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const target = req.url ?? '/';
        const url = new URL(target, 'http://stub.invalid');
        const request: StubRequest = {
          method: req.method ?? 'GET',
          target,
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: performance.now() - stub.started,
        };
        void stub.reply(request).then((reply) => {
          if (res.destroyed) return;
          const body = reply.text ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
          res.writeHead(reply.status ?? 200, {
            'Content-Type': 'application/json',
            ...reply.headers,
          });
          res.end(body);
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return stub;
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Answers `method path` with `handler` (replacing an earlier one). */
  on(method: string, path: string, handler: StubHandler): this {
    this.routes.set(`${method} ${path}`, handler);
    return this;
  }

  /** Refuses with 401 every request failing `check`, except on routes marked open. */
  requireAuth(check: (request: StubRequest) => boolean, ...openRoutes: string[]): this {
    this.authorize = check;
    for (const route of openRoutes) this.openRoutes.add(route);
    return this;
  }

  /** The requests that reached `method path`. */
  requestsTo(method: string, path: string): StubRequest[] {
    return this.requests.filter((request) => request.method === method && request.path === path);
  }

  /** Stops listening and drops connections still waiting for a slow answer. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async reply(request: StubRequest): Promise<StubReply> {
    this.requests.push(request);
    const route = `${request.method} ${request.path}`;
    if (!this.openRoutes.has(route) && !this.authorize(request)) {
      return { status: 401, json: { error: 'unauthorized' } };
    }
    const handler = this.routes.get(route);
    if (!handler) return { status: 404, json: { error: 'no such route' } };
    const reply = await handler(request);
    if (reply.delayMs) await this.sleep(reply.delayMs);
    return reply;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

/** A handler answering `replies` in turn, repeating the last one. */
export function inTurn(...replies: StubReply[]): StubHandler {
  let next = 0;
  return () => {
    const reply = replies[Math.min(next, replies.length - 1)] ?? { status: 500 };
    next += 1;
    return reply;
  };
}
