import type { DevicePlatform } from './notifications.table.js';

/** A device as a gateway needs it. */
export interface PushTarget {
  platform: DevicePlatform;
  /** FCM registration token, or the Web Push endpoint URL. */
  token: string;
  /** Web Push only: the subscription's keys (base64url). */
  keys?: { p256dh: string; auth: string };
}

/** What a push shows and carries. */
export interface PushMessage {
  notificationId: string;
  kind: string;
  title: string;
  body: string;
  /** Scalar details, as strings (FCM data values must be strings). */
  data: Record<string, string>;
}

/**
 * How one attempt ended: delivered; the device is gone for good (token unregistered, endpoint
 * 404/410: remove it); worth retrying (service down, throttled); or failed for good (the
 * message itself is refused: retrying cannot help). `reason` is a status or error code only.
 */
export type PushOutcome =
  | { status: 'sent' }
  | { status: 'gone'; reason: string }
  | { status: 'retry'; reason: string }
  | { status: 'failed'; reason: string };

/** One platform's push service. */
export interface PushGateway {
  send(target: PushTarget, message: PushMessage): Promise<PushOutcome>;
  /** Releases connections (the Firebase app). */
  close?(): Promise<void>;
}

/** The gateway of each platform that is configured; a platform without one is not pushed to. */
export type PushGateways = Partial<Record<DevicePlatform, PushGateway>>;
