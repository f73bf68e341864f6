// A Web Push service played on loopback: HTTPS with a throwaway certificate, checking our VAPID
// signature and decrypting what we send with the subscription's own keys, as a browser's push
// service and the browser together would. Nothing here may import vitest.
import { execFileSync } from 'node:child_process';
import { createECDH, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decrypt } from 'http_ece';

/** A push as the browser would see it, after the service checked our signature. */
export interface ReceivedPush {
  /** The subscription it was sent to (the path's last segment). */
  subscription: string;
  payload: Record<string, unknown>;
  /** The JWT claims of our VAPID signature. */
  claims: { aud: string; exp: number; sub: string };
}

/** A browser's subscription: what `pushManager.subscribe` gives, with its private half. */
export interface TestSubscription {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  ecdh: ECDH;
}

/** What the service answers for a subscription: a status, or a function of the attempt. */
export type PushAnswer = (attempt: number) => number;

function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'push-tls-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore', timeout: 30_000 },
    );
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const b64url = (value: string) => Buffer.from(value, 'base64url');

/** Checks `Authorization: vapid t=<jwt>, k=<key>` against the VAPID public key; the claims. */
function verifyVapid(
  header: string | undefined,
  vapidPublicKey: string,
): { aud: string; exp: number; sub: string } | string {
  const match = /^vapid t=([^,\s]+),\s*k=(\S+)$/.exec(header ?? '');
  if (!match?.[1] || !match[2]) return 'no vapid authorization';
  if (match[2] !== vapidPublicKey) return 'wrong k';
  const [head, body, signature] = match[1].split('.');
  if (!head || !body || !signature) return 'malformed jwt';
  const point = b64url(vapidPublicKey);
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  const signed = verify(
    'sha256',
    Buffer.from(`${head}.${body}`),
    { key, dsaEncoding: 'ieee-p1363' },
    b64url(signature),
  );
  if (!signed) return 'bad signature';
  const header_ = JSON.parse(b64url(head).toString('utf8')) as { alg?: string };
  if (header_.alg !== 'ES256') return 'not ES256';
  return JSON.parse(b64url(body).toString('utf8')) as { aud: string; exp: number; sub: string };
}

/** The loopback push service; `agent` trusts its certificate. */
export class WebPushService {
  readonly received: ReceivedPush[] = [];
  /** Requests refused before decryption (bad signature): must stay empty. */
  readonly refused: string[] = [];
  private readonly subscriptions = new Map<string, TestSubscription>();
  private readonly answers = new Map<string, PushAnswer>();
  private readonly attempts = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly agent: Agent,
    readonly origin: string,
    private readonly vapidPublicKey: string,
  ) {}

  static async start(vapidPublicKey: string): Promise<WebPushService> {
    const { key, cert } = selfSignedCertificate();
    const server = createServer({ key, cert });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `https://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    const service = new WebPushService(
      server,
      new Agent({ ca: cert, keepAlive: false }),
      origin,
      vapidPublicKey,
    );
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const id = (req.url ?? '').split('/').pop() ?? '';
        res.statusCode = service.handle(id, req.headers.authorization, Buffer.concat(chunks));
        res.end();
      });
    });
    return service;
  }

  /** A new subscription with its own key pair and auth secret. */
  subscribe(answer: PushAnswer = () => 201): TestSubscription {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const id = randomBytes(8).toString('hex');
    const subscription = {
      id,
      endpoint: `${this.origin}/push/${id}`,
      keys: {
        p256dh: ecdh.getPublicKey().toString('base64url'),
        auth: randomBytes(16).toString('base64url'),
      },
      ecdh,
    };
    this.subscriptions.set(id, subscription);
    this.answers.set(id, answer);
    return subscription;
  }

  /** Pushes accepted for a subscription. */
  pushesTo(subscription: TestSubscription): ReceivedPush[] {
    return this.received.filter((push) => push.subscription === subscription.id);
  }

  /** Requests that reached the subscription, accepted or not. */
  attemptsOn(subscription: TestSubscription): number {
    return this.attempts.get(subscription.id) ?? 0;
  }

  private handle(id: string, authorization: string | undefined, body: Buffer): number {
    const subscription = this.subscriptions.get(id);
    if (!subscription) return 404;
    const attempt = (this.attempts.get(id) ?? 0) + 1;
    this.attempts.set(id, attempt);
    const claims = verifyVapid(authorization, this.vapidPublicKey);
    if (typeof claims === 'string') {
      this.refused.push(claims);
      return 401;
    }
    const status = (this.answers.get(id) ?? (() => 201))(attempt);
    if (status !== 201) return status;
    let plain: Buffer;
    try {
      plain = decrypt(body, {
        version: 'aes128gcm',
        privateKey: subscription.ecdh,
        authSecret: subscription.keys.auth,
      });
    } catch {
      this.refused.push('undecryptable payload');
      return 400;
    }
    this.received.push({
      subscription: id,
      payload: JSON.parse(plain.toString('utf8')) as Record<string, unknown>,
      claims,
    });
    return 201;
  }

  async close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
