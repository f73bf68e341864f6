import type { Database } from '../../db/database.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import type { Cursor } from '../../lib/http/cursor.js';
import { describeErrorForLog, notFound, validationError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { JobRunner } from '../../jobs/index.js';
import type { Realtime } from '../../realtime/realtime.js';
import type { NotificationKind, NotificationRequest, Notifier } from './notifier.js';
import { notificationKinds } from './notifier.js';
import { deliverPush } from './notifications.jobs.js';
import {
  notificationsRepository as repository,
  type ClaimedDelivery,
} from './notifications.repository.js';
import {
  devicePlatforms,
  notificationChannels,
  type DevicePlatform,
  type NotificationChannel,
  type NotificationRow,
  type PushDeviceRow,
} from './notifications.table.js';
import type {
  DeviceRegistration,
  DeviceView,
  InboxView,
  NotificationView,
  PreferencesView,
  UpdatePreferencesBody,
} from './notifications.schemas.js';
import { webPushSubscriptionSchema } from './notifications.schemas.js';
import type { PushGateways, PushMessage, PushOutcome } from './push-gateway.js';
import { quietHoursEnd } from './quiet-hours.js';

/** The member's local time zone (quiet hours are read in it); the container provides it. */
export interface NotificationTimeZones {
  timezoneOf(userId: string): Promise<string>;
}

export interface NotificationSettings {
  /** Hosts a Web Push endpoint may name (`.example.com` matches sub-domains). */
  webPushEndpointHosts: string[];
  /** VAPID public key for browsers, when Web Push is configured. */
  vapidPublicKey?: string;
}

export interface NotificationServiceDeps {
  db: Database;
  logger: Logger;
  realtime: Pick<Realtime, 'emitToUser'>;
  jobs: Pick<JobRunner, 'send' | 'isRunning'>;
  timeZones: NotificationTimeZones;
  gateways: PushGateways;
  settings: NotificationSettings;
}

/**
 * A `sending` claim older than this belongs to a worker that died; it is taken over. Longer
 * than a delivery job may run (120 s, with each push's own 10 s limit inside it).
 */
export const DELIVERY_LEASE_SECONDS = 180;

type Preferences = Map<string, boolean>;
const preferenceKey = (kind: string, channel: NotificationChannel) => `${kind}:${channel}`;
const allows = (preferences: Preferences, kind: string, channel: NotificationChannel) =>
  preferences.get(preferenceKey(kind, channel)) ?? true;

function present(row: NotificationRow): NotificationView {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    data: row.data,
    readAt: row.readAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

function presentDevice(row: PushDeviceRow): DeviceView {
  return {
    id: row.id,
    platform: row.platform,
    token: row.token,
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
  };
}

/** The device identifier in `DELETE /devices/:token`: a token, an endpoint, or a subscription. */
function tokenOf(raw: string): string {
  if (!raw.startsWith('{')) return raw;
  try {
    const parsed = webPushSubscriptionSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data.endpoint : raw;
  } catch {
    return raw;
  }
}

const hostAllowed = (host: string, allowed: string[]) =>
  allowed.some((entry) =>
    entry.startsWith('.') ? host.endsWith(entry) && host.length > entry.length : host === entry,
  );

/**
 * Notifications: stored in the member's inbox (in the caller's transaction when given one),
 * sent over their sockets after the commit, and pushed to their devices by a job. Each channel
 * follows the member's preference for the kind; pushes wait out the member's quiet hours.
 */
export class NotificationService implements Notifier {
  constructor(private readonly deps: NotificationServiceDeps) {}

  /** Platforms with a configured gateway: pushes go only there. */
  private get pushPlatforms(): DevicePlatform[] {
    return devicePlatforms.filter((platform) => this.deps.gateways[platform]);
  }

  /**
   * Stores the notification (a second one with the same dedupe key is ignored), then after the
   * commit emits it on the member's sockets and queues its push. All reads and writes before
   * the commit go through the caller's transaction: the embedded database has one connection.
   */
  async notify(request: NotificationRequest, uow?: UnitOfWork): Promise<void> {
    const db = uow?.tx ?? this.deps.db;
    const preferences = new Map(
      (await repository.preferencesOf(db, request.userId, request.kind)).map((row) => [
        preferenceKey(row.kind, row.channel),
        row.enabled,
      ]),
    );
    const push =
      allows(preferences, request.kind, 'push') &&
      (await repository.hasDeviceOn(db, request.userId, this.pushPlatforms));
    const row = await repository.insert(db, {
      userId: request.userId,
      kind: request.kind,
      title: request.title,
      body: request.body,
      data: request.data ?? {},
      dedupeKey: request.dedupeKey ?? null,
      inInbox: allows(preferences, request.kind, 'inbox'),
      // Provisional: the quiet hours are read once the transaction has let go of the connection.
      pushDueAt: push ? new Date() : null,
    });
    if (!row) return;
    const deliver = async () => {
      if (allows(preferences, request.kind, 'socket')) this.emit(row);
      if (push) await this.queuePush(row);
    };
    if (uow) uow.afterCommit(deliver);
    else await deliver();
  }

  private emit(row: NotificationRow): void {
    this.deps.realtime.emitToUser(row.userId, 'notification', {
      type: row.kind,
      message: row.body,
      at: row.createdAt.toISOString(),
      title: row.title,
      ...row.data,
      notificationId: row.id,
    });
  }

  /** When the member's push may go out: now, or when their quiet hours end. */
  private async pushDueAt(userId: string, now = new Date()): Promise<Date> {
    const quiet = await repository.quietHoursOf(this.deps.db, userId);
    if (!quiet) return now;
    const timeZone = await this.deps.timeZones.timezoneOf(userId);
    return quietHoursEnd(now, quiet, timeZone) ?? now;
  }

  /**
   * Queues the delivery job (its id is the notification's, so it is queued once), due at the
   * end of the member's quiet hours. A process that does not run the job queue leaves it to the
   * dispatcher of one that does.
   */
  private async queuePush(row: Pick<NotificationRow, 'id' | 'userId'>): Promise<boolean> {
    if (!this.deps.jobs.isRunning()) return false;
    const now = new Date();
    const dueAt = await this.pushDueAt(row.userId, now);
    if (!(await repository.claimQueueing(this.deps.db, row.id, dueAt))) return false;
    try {
      const delaySeconds = Math.ceil((dueAt.getTime() - now.getTime()) / 1000);
      await this.deps.jobs.send(
        deliverPush,
        { notificationId: row.id },
        { id: row.id, startAfterSeconds: delaySeconds > 0 ? delaySeconds : undefined },
      );
      return true;
    } catch (error) {
      await repository.releaseQueueing(this.deps.db, row.id);
      this.deps.logger.warn(
        { notificationId: row.id, error: describeErrorForLog(error) },
        'push job not queued; the dispatcher retries',
      );
      return false;
    }
  }

  /** Job: queues the delivery of pushes whose job was never queued (crash, RUN_JOBS=false). */
  async dispatchUnqueued(limit: number): Promise<number> {
    let queued = 0;
    for (const row of await repository.unqueuedPushes(this.deps.db, limit)) {
      if (await this.queuePush(row)) queued += 1;
    }
    return queued;
  }

  /**
   * Job: pushes one notification to each of the member's devices, once each. Delivery rows are
   * claimed atomically, so a retry or another instance only sends to devices not yet done. A
   * device the service reports gone is removed. Throws while some are worth retrying.
   */
  async deliverPush(
    notificationId: string,
    run: { attempt: number; retryLimit: number },
  ): Promise<{ sent: number; gone: number; retry: number; failed: number }> {
    const tally = { sent: 0, gone: 0, retry: 0, failed: 0 };
    const notification = await repository.findById(this.deps.db, notificationId);
    if (!notification) return tally;
    // The member may have turned pushes of this kind off while it waited out quiet hours.
    const choices = await repository.preferencesOf(
      this.deps.db,
      notification.userId,
      notification.kind,
    );
    if (choices.some((choice) => choice.channel === 'push' && !choice.enabled)) return tally;
    await repository.addDeliveries(this.deps.db, notification, this.pushPlatforms);
    const claimed = await repository.claimDeliveries(
      this.deps.db,
      notification,
      DELIVERY_LEASE_SECONDS,
    );
    const message: PushMessage = {
      notificationId: notification.id,
      kind: notification.kind,
      title: notification.title,
      body: notification.body,
      data: Object.fromEntries(
        Object.entries(notification.data).map(([key, value]) => [key, String(value)]),
      ),
    };
    const final = run.attempt > run.retryLimit;
    await Promise.all(
      claimed.map(async (delivery) => {
        const outcome = await this.sendOne(delivery, message);
        tally[outcome.status] += 1;
        await this.record(notification.id, delivery, outcome, final);
      }),
    );
    // Done only when no device is left: ones to retry, and ones another run is sending now
    // (whose worker may die: after the lease, a retry takes them over).
    const unfinished = await repository.unfinishedDeliveries(this.deps.db, notification.id);
    if (unfinished > 0) {
      if (final) await repository.failPending(this.deps.db, notification.id);
      else throw new Error(`${String(unfinished)} pushes not delivered yet; retried`);
    }
    return tally;
  }

  private async sendOne(delivery: ClaimedDelivery, message: PushMessage): Promise<PushOutcome> {
    const gateway = this.deps.gateways[delivery.platform];
    if (!gateway) return { status: 'failed', reason: 'platform-not-configured' };
    const keys =
      delivery.webP256dh && delivery.webAuth
        ? { p256dh: delivery.webP256dh, auth: delivery.webAuth }
        : undefined;
    try {
      return await gateway.send(
        { platform: delivery.platform, token: delivery.token, keys },
        message,
      );
    } catch (error) {
      this.deps.logger.warn({ error: describeErrorForLog(error) }, 'push gateway threw');
      return { status: 'retry', reason: 'gateway-error' };
    }
  }

  private async record(
    notificationId: string,
    delivery: ClaimedDelivery,
    outcome: PushOutcome,
    final: boolean,
  ): Promise<void> {
    const { db, logger } = this.deps;
    switch (outcome.status) {
      case 'sent':
        await repository.finishDelivery(db, notificationId, delivery.deviceId, { status: 'sent' });
        return;
      case 'gone':
        // The device's delivery rows go with it.
        await repository.deleteDevice(db, delivery.deviceId);
        logger.info(
          { deviceId: delivery.deviceId, platform: delivery.platform, reason: outcome.reason },
          'push device removed: its service reports it gone',
        );
        return;
      case 'retry':
        await repository.finishDelivery(db, notificationId, delivery.deviceId, {
          status: final ? 'failed' : 'pending',
          error: outcome.reason,
        });
        return;
      case 'failed':
        logger.warn(
          { deviceId: delivery.deviceId, platform: delivery.platform, reason: outcome.reason },
          'push refused; not retried',
        );
        await repository.finishDelivery(db, notificationId, delivery.deviceId, {
          status: 'failed',
          error: outcome.reason,
        });
        return;
    }
  }

  /** The member's inbox, newest first, with how many are unread. */
  async inbox(userId: string, page: { limit: number; cursor?: Cursor }): Promise<InboxView> {
    const [items, unreadCount] = await Promise.all([
      repository.inboxPage(this.deps.db, userId, page),
      repository.unreadCount(this.deps.db, userId),
    ]);
    return { items: items.items.map(present), nextCursor: items.nextCursor, unreadCount };
  }

  /** Marks one of the member's notifications read; another member's is a 404. */
  async markRead(userId: string, id: string): Promise<NotificationView> {
    const row = await repository.markRead(this.deps.db, userId, id);
    if (!row) throw notFound('Notification');
    return present(row);
  }

  async markAllRead(userId: string): Promise<{ updated: number; unreadCount: 0 }> {
    return { updated: await repository.markAllRead(this.deps.db, userId), unreadCount: 0 };
  }

  /**
   * Registers a device for pushes. Idempotent: the same token again refreshes it (and its Web
   * Push keys); a token registered by another member moves to the caller, as a new device, so
   * nothing queued for the previous member reaches it.
   */
  async registerDevice(
    userId: string,
    registration: DeviceRegistration,
  ): Promise<{ device: DeviceView; created: boolean }> {
    if (registration.platform === 'web') this.assertPushServiceHost(registration.token);
    const keys = {
      platform: registration.platform,
      webP256dh: registration.platform === 'web' ? registration.keys.p256dh : null,
      webAuth: registration.platform === 'web' ? registration.keys.auth : null,
    };
    return this.deps.db.transaction(async (tx) => {
      const existing = await repository.findDeviceByToken(tx, registration.token);
      if (existing?.userId === userId) {
        const touched = await repository.touchDevice(tx, existing.id, keys);
        return { device: presentDevice(touched ?? existing), created: false };
      }
      if (existing) await repository.deleteDevice(tx, existing.id);
      const inserted = await repository.insertDevice(tx, {
        userId,
        token: registration.token,
        ...keys,
      });
      // Another registration of the same new token won the race: it is the caller's or moved.
      if (!inserted) {
        const winner = await repository.findDeviceByToken(tx, registration.token);
        if (winner?.userId !== userId) throw notFound('Device');
        return { device: presentDevice(winner), created: false };
      }
      return { device: presentDevice(inserted), created: true };
    });
  }

  private assertPushServiceHost(endpoint: string): void {
    const host = new URL(endpoint).hostname.toLowerCase();
    if (!hostAllowed(host, this.deps.settings.webPushEndpointHosts)) {
      throw validationError('The request body is invalid.', [
        { path: 'body.token.endpoint', message: 'is not on a known Web Push service' },
      ]);
    }
  }

  /** Removes one of the caller's devices; another member's (or an unknown one) is a 404. */
  async removeDevice(userId: string, rawToken: string): Promise<void> {
    if (!(await repository.deleteDeviceOf(this.deps.db, userId, tokenOf(rawToken)))) {
      throw notFound('Device');
    }
  }

  async preferences(userId: string): Promise<PreferencesView> {
    const [rows, quiet, timezone] = await Promise.all([
      repository.preferencesOf(this.deps.db, userId),
      repository.quietHoursOf(this.deps.db, userId),
      this.deps.timeZones.timezoneOf(userId),
    ]);
    const chosen: Preferences = new Map(
      rows.map((row) => [preferenceKey(row.kind, row.channel), row.enabled]),
    );
    const kinds = Object.fromEntries(
      notificationKinds.map((kind) => [
        kind,
        Object.fromEntries(
          notificationChannels.map((channel) => [channel, allows(chosen, kind, channel)]),
        ) as Record<NotificationChannel, boolean>,
      ]),
    ) as PreferencesView['kinds'];
    const available = (platform: DevicePlatform) => Boolean(this.deps.gateways[platform]);
    return {
      kinds,
      quietHours: quiet ?? null,
      timezone,
      pushAvailable: {
        ios: available('ios'),
        android: available('android'),
        web: available('web'),
      },
    };
  }

  /** Changes the given kinds' channels and the quiet hours, together. */
  async updatePreferences(userId: string, patch: UpdatePreferencesBody): Promise<PreferencesView> {
    const choices: { kind: NotificationKind; channel: NotificationChannel; enabled: boolean }[] =
      [];
    for (const kind of notificationKinds) {
      const channels = patch.kinds?.[kind];
      if (!channels) continue;
      for (const channel of notificationChannels) {
        const enabled = channels[channel];
        if (enabled !== undefined) choices.push({ kind, channel, enabled });
      }
    }
    await this.deps.db.transaction(async (tx) => {
      await repository.setPreferences(tx, userId, choices);
      if (patch.quietHours !== undefined) {
        await repository.setQuietHours(tx, userId, patch.quietHours);
      }
    });
    return this.preferences(userId);
  }

  /** The public key browsers subscribe with; null when Web Push is not configured. */
  vapidPublicKey(): { publicKey: string | null } {
    return { publicKey: this.deps.settings.vapidPublicKey ?? null };
  }

  /** Every notification of the member, oldest first, for their data export. */
  async exportNotifications(userId: string): Promise<NotificationView[]> {
    return (await repository.allOf(this.deps.db, userId)).map(present);
  }

  /**
   * The member's devices for their data export, tokens shortened: a full token lets anyone
   * holding it push to the device, and the export should not hand that power around.
   */
  async exportDevices(
    userId: string,
  ): Promise<{ platform: DevicePlatform; token: string; createdAt: string; lastSeenAt: string }[]> {
    return (await repository.devicesOf(this.deps.db, userId)).map((device) => ({
      platform: device.platform,
      token:
        device.platform === 'web'
          ? `${new URL(device.token).origin}/…`
          : `…${device.token.slice(-6)}`,
      createdAt: device.createdAt.toISOString(),
      lastSeenAt: device.lastSeenAt.toISOString(),
    }));
  }

  /** Closes the gateways' connections. */
  async close(): Promise<void> {
    // One FCM gateway serves two platforms: close each gateway once.
    const gateways = new Set(Object.values(this.deps.gateways));
    await Promise.all(
      [...gateways].map(async (gateway) => {
        await gateway.close?.();
      }),
    );
  }
}
