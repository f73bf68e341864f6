import { describe, expect, it } from 'vitest';
import { FcmPushGateway, fcmOutcomeOf, type FcmSender } from './fcm-push-gateway.js';

// FCM cannot be reached from here: the one allowed stand-in is firebase-admin's `send` itself,
// throwing what it throws (errors with a `code`), so the mapping at the edge is what is tested.
function senderFailingWith(code: string | undefined): FcmSender & { messages: unknown[] } {
  const messages: unknown[] = [];
  return {
    messages,
    send(message) {
      messages.push(message);
      if (code === undefined) return Promise.resolve('projects/p/messages/1');
      return Promise.reject(Object.assign(new Error(`fcm said ${code}`), { code }));
    },
  };
}

const target = { platform: 'android' as const, token: 'fcm-token-1' };
const message = {
  notificationId: '0b8f5a52-8e3e-4a8e-9b7c-3f8d1c2e4a11',
  kind: 'new-follower',
  title: 'New follower',
  body: 'Ada follows you now.',
  data: { followerId: '42' },
};

describe('FCM gateway', () => {
  it('when FCM accepts, then the push is sent with the notification and its data as strings', async () => {
    const sender = senderFailingWith(undefined);
    expect(await new FcmPushGateway(sender).send(target, message)).toEqual({ status: 'sent' });
    expect(sender.messages).toEqual([
      expect.objectContaining({
        token: 'fcm-token-1',
        notification: { title: 'New follower', body: 'Ada follows you now.' },
        data: { followerId: '42', kind: 'new-follower', notificationId: message.notificationId },
      }),
    ]);
  });

  it.each([
    ['messaging/registration-token-not-registered', 'gone'],
    ['messaging/invalid-registration-token', 'gone'],
    ['messaging/server-unavailable', 'retry'],
    ['messaging/internal-error', 'retry'],
    ['messaging/message-rate-exceeded', 'retry'],
    ['app/network-timeout', 'retry'],
    ['messaging/invalid-argument', 'failed'],
    ['messaging/payload-size-limit-exceeded', 'failed'],
    ['messaging/mismatched-credential', 'failed'],
  ])('when FCM fails with %s, then the outcome is %s', async (code, status) => {
    const outcome = await new FcmPushGateway(senderFailingWith(code)).send(target, message);
    expect(outcome).toEqual({ status, reason: code });
  });

  it('when something without a code is thrown, then it is retried', () => {
    expect(fcmOutcomeOf(new Error('socket hang up'))).toEqual({
      status: 'retry',
      reason: 'unknown',
    });
  });
});
