import type { Agent } from 'node:https';
import webpush from 'web-push';
import type { VapidSettings } from '../../config/push.config.js';
import type { PushGateway, PushMessage, PushOutcome, PushTarget } from './push-gateway.js';

/** How long a push service keeps an undelivered message for an offline browser. */
const TTL_SECONDS = 24 * 3600;
const TIMEOUT_MS = 10_000;

/** The JSON a service worker receives in its `push` event. */
export interface WebPushPayload {
  notificationId: string;
  kind: string;
  title: string;
  body: string;
  data: Record<string, string>;
}

/**
 * Browsers through Web Push: the payload encrypted for the subscription (RFC 8291, aes128gcm)
 * and the request signed with our VAPID key (RFC 8292), both done by `web-push`.
 */
export class WebPushGateway implements PushGateway {
  constructor(
    private readonly vapid: VapidSettings,
    /** An HTTPS agent of the caller's (tests trust their loopback push service with it). */
    private readonly agent?: Agent,
  ) {}

  async send(target: PushTarget, message: PushMessage): Promise<PushOutcome> {
    if (!target.keys) return { status: 'gone', reason: 'no-subscription-keys' };
    const payload: WebPushPayload = {
      notificationId: message.notificationId,
      kind: message.kind,
      title: message.title,
      body: message.body,
      data: message.data,
    };
    try {
      await webpush.sendNotification(
        { endpoint: target.token, keys: target.keys },
        JSON.stringify(payload),
        {
          vapidDetails: this.vapid,
          TTL: TTL_SECONDS,
          timeout: TIMEOUT_MS,
          contentEncoding: 'aes128gcm',
          agent: this.agent,
        },
      );
      return { status: 'sent' };
    } catch (error) {
      return webPushOutcomeOf(error);
    }
  }
}

/** 404 and 410 mean the subscription is gone; 429 and 5xx may pass; other 4xx will not. */
export function webPushOutcomeOf(error: unknown): PushOutcome {
  if (error instanceof webpush.WebPushError) {
    const reason = `http-${String(error.statusCode)}`;
    if (error.statusCode === 404 || error.statusCode === 410) return { status: 'gone', reason };
    if (error.statusCode === 429 || error.statusCode >= 500) return { status: 'retry', reason };
    return { status: 'failed', reason };
  }
  // Connection refused, reset or timed out: the service may be back on the next attempt.
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : 'network-error';
  return { status: 'retry', reason: code };
}
