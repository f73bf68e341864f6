import { randomUUID } from 'node:crypto';
import { cert, deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getMessaging, type Message } from 'firebase-admin/messaging';
import type { FirebaseServiceAccount } from '../../config/push.config.js';
import type { PushGateway, PushMessage, PushOutcome, PushTarget } from './push-gateway.js';

/** The one call of firebase-admin's Messaging we make (a fake stands in for it in tests). */
export interface FcmSender {
  send(message: Message): Promise<string>;
}

// FCM's answers for a token that will never work again: the app was uninstalled, the token
// rotated, or it was never a token.
const GONE = new Set([
  'messaging/registration-token-not-registered',
  'messaging/invalid-registration-token',
]);
// Answers that a later attempt may not get: FCM or the platform's service is down or throttling.
const TRANSIENT = new Set([
  'messaging/internal-error',
  'messaging/server-unavailable',
  'messaging/unavailable',
  'messaging/message-rate-exceeded',
  'messaging/device-message-rate-exceeded',
  'messaging/too-many-topics',
  'app/network-error',
  'app/network-timeout',
]);

/** Maps what firebase-admin threw to an outcome; anything unrecognised is retried. */
export function fcmOutcomeOf(error: unknown): PushOutcome {
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : 'unknown';
  if (GONE.has(code)) return { status: 'gone', reason: code };
  if (TRANSIENT.has(code) || !code.startsWith('messaging/'))
    return { status: 'retry', reason: code };
  // invalid-argument, payload-size-limit-exceeded, mismatched-credential, third-party-auth-error:
  // the same message would be refused again.
  return { status: 'failed', reason: code };
}

/** The FCM message for a notification: shown by the OS, with its details as data. */
export function fcmMessageOf(target: PushTarget, message: PushMessage): Message {
  return {
    token: target.token,
    notification: { title: message.title, body: message.body },
    data: { ...message.data, kind: message.kind, notificationId: message.notificationId },
    android: { collapseKey: message.kind },
    apns: { headers: { 'apns-collapse-id': message.notificationId } },
  };
}

/** iOS and Android through Firebase Cloud Messaging (firebase-admin). */
export class FcmPushGateway implements PushGateway {
  constructor(
    private readonly sender: FcmSender,
    private readonly app?: App,
  ) {}

  /** A gateway with its own Firebase app for the service account. */
  static fromServiceAccount(account: FirebaseServiceAccount): FcmPushGateway {
    // A named app of its own: several containers in one process (tests) never share one.
    const app = initializeApp(
      {
        credential: cert({
          projectId: account.projectId,
          clientEmail: account.clientEmail,
          privateKey: account.privateKey,
        }),
        projectId: account.projectId,
      },
      `nxg-push-${randomUUID()}`,
    );
    return new FcmPushGateway(getMessaging(app), app);
  }

  async send(target: PushTarget, message: PushMessage): Promise<PushOutcome> {
    try {
      await this.sender.send(fcmMessageOf(target, message));
      return { status: 'sent' };
    } catch (error) {
      return fcmOutcomeOf(error);
    }
  }

  async close(): Promise<void> {
    if (this.app) await deleteApp(this.app);
  }
}
