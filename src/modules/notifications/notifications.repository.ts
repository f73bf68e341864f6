import { and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { rowsOf } from '../../db/raw-rows.js';
import { keysetPage, type Page, type PageRequest } from '../../db/keyset-page.js';
import type { NotificationData, NotificationKind } from './notifier.js';
import {
  notificationPreferences,
  notificationQuietHours,
  notifications,
  pushDeliveries,
  pushDevices,
  type DevicePlatform,
  type NotificationChannel,
  type NotificationRow,
  type PushDeviceRow,
} from './notifications.table.js';

/** A device claimed for one push: what the gateway needs. */
export interface ClaimedDelivery {
  deviceId: string;
  platform: DevicePlatform;
  token: string;
  webP256dh: string | null;
  webAuth: string | null;
}

export interface NewNotification {
  userId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  data: NotificationData;
  dedupeKey: string | null;
  inInbox: boolean;
  pushDueAt: Date | null;
}

const mine = (userId: string, id: string) =>
  and(eq(notifications.userId, userId), eq(notifications.id, id));

/** The only place notifications, devices, preferences and deliveries are queried. */
export const notificationsRepository = {
  /** Stores a notification; undefined when the user already has one with its dedupe key. */
  async insert(db: Database, row: NewNotification): Promise<NotificationRow | undefined> {
    const [inserted] = await db
      .insert(notifications)
      .values(row)
      .onConflictDoNothing({ target: [notifications.userId, notifications.dedupeKey] })
      .returning();
    return inserted;
  },

  findById(db: Database, id: string): Promise<NotificationRow | undefined> {
    return db
      .select()
      .from(notifications)
      .where(eq(notifications.id, id))
      .then((rows) => rows[0]);
  },

  /** The member's inbox, newest first. */
  inboxPage(db: Database, userId: string, page: PageRequest): Promise<Page<NotificationRow>> {
    const keyset = keysetPage(notifications, { by: 'createdAt', direction: 'desc' }, page);
    return keyset.fetch(
      db
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, userId), eq(notifications.inInbox, true), keyset.where))
        .$dynamic(),
    );
  },

  async unreadCount(db: Database, userId: string): Promise<number> {
    const [row] = await db
      .select({ unread: count() })
      .from(notifications)
      .where(
        and(
          eq(notifications.userId, userId),
          eq(notifications.inInbox, true),
          isNull(notifications.readAt),
        ),
      );
    return row?.unread ?? 0;
  },

  /** Marks one of the member's notifications read (keeping the first read time). */
  async markRead(db: Database, userId: string, id: string): Promise<NotificationRow | undefined> {
    const [row] = await db
      .update(notifications)
      .set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
      .where(and(mine(userId, id), eq(notifications.inInbox, true)))
      .returning();
    return row;
  },

  async markAllRead(db: Database, userId: string): Promise<number> {
    const rows = await db
      .update(notifications)
      .set({ readAt: sql`now()` })
      .where(
        and(
          eq(notifications.userId, userId),
          eq(notifications.inInbox, true),
          isNull(notifications.readAt),
        ),
      )
      .returning({ id: notifications.id });
    return rows.length;
  },

  /** Every notification of the member, oldest first, for their data export. */
  allOf(db: Database, userId: string): Promise<NotificationRow[]> {
    return db
      .select()
      .from(notifications)
      .where(eq(notifications.userId, userId))
      .orderBy(asc(notifications.createdAt), asc(notifications.id));
  },

  /** The member's choices for one kind, or for every kind. */
  preferencesOf(
    db: Database,
    userId: string,
    kind?: NotificationKind,
  ): Promise<{ kind: NotificationKind; channel: NotificationChannel; enabled: boolean }[]> {
    return db
      .select({
        kind: notificationPreferences.kind,
        channel: notificationPreferences.channel,
        enabled: notificationPreferences.enabled,
      })
      .from(notificationPreferences)
      .where(
        and(
          eq(notificationPreferences.userId, userId),
          kind ? eq(notificationPreferences.kind, kind) : undefined,
        ),
      );
  },

  async setPreferences(
    db: Database,
    userId: string,
    choices: { kind: NotificationKind; channel: NotificationChannel; enabled: boolean }[],
  ): Promise<void> {
    if (choices.length === 0) return;
    await db
      .insert(notificationPreferences)
      .values(choices.map((choice) => ({ userId, ...choice })))
      .onConflictDoUpdate({
        target: [
          notificationPreferences.userId,
          notificationPreferences.kind,
          notificationPreferences.channel,
        ],
        set: { enabled: sql`excluded.enabled`, updatedAt: sql`now()` },
      });
  },

  quietHoursOf(db: Database, userId: string): Promise<{ start: string; end: string } | undefined> {
    return db
      .select({ start: notificationQuietHours.start, end: notificationQuietHours.end })
      .from(notificationQuietHours)
      .where(eq(notificationQuietHours.userId, userId))
      .then((rows) => rows[0]);
  },

  async setQuietHours(
    db: Database,
    userId: string,
    quiet: { start: string; end: string } | null,
  ): Promise<void> {
    if (!quiet) {
      await db.delete(notificationQuietHours).where(eq(notificationQuietHours.userId, userId));
      return;
    }
    await db
      .insert(notificationQuietHours)
      .values({ userId, ...quiet })
      .onConflictDoUpdate({
        target: notificationQuietHours.userId,
        set: { start: quiet.start, end: quiet.end, updatedAt: sql`now()` },
      });
  },

  /** Whether the member has a device on one of the platforms. */
  async hasDeviceOn(db: Database, userId: string, platforms: DevicePlatform[]): Promise<boolean> {
    if (platforms.length === 0) return false;
    const rows = await db
      .select({ id: pushDevices.id })
      .from(pushDevices)
      .where(and(eq(pushDevices.userId, userId), inArray(pushDevices.platform, platforms)))
      .limit(1);
    return rows.length > 0;
  },

  findDeviceByToken(db: Database, token: string): Promise<PushDeviceRow | undefined> {
    return db
      .select()
      .from(pushDevices)
      .where(eq(pushDevices.token, token))
      .for('update')
      .then((rows) => rows[0]);
  },

  async insertDevice(
    db: Database,
    device: Pick<PushDeviceRow, 'userId' | 'platform' | 'token' | 'webP256dh' | 'webAuth'>,
  ): Promise<PushDeviceRow | undefined> {
    const [row] = await db
      .insert(pushDevices)
      .values(device)
      .onConflictDoNothing({ target: pushDevices.token })
      .returning();
    return row;
  },

  async touchDevice(
    db: Database,
    id: string,
    keys: Pick<PushDeviceRow, 'platform' | 'webP256dh' | 'webAuth'>,
  ): Promise<PushDeviceRow | undefined> {
    const [row] = await db
      .update(pushDevices)
      .set({ ...keys, lastSeenAt: sql`now()` })
      .where(eq(pushDevices.id, id))
      .returning();
    return row;
  },

  async deleteDevice(db: Database, id: string): Promise<void> {
    await db.delete(pushDevices).where(eq(pushDevices.id, id));
  },

  async deleteDeviceOf(db: Database, userId: string, token: string): Promise<boolean> {
    const rows = await db
      .delete(pushDevices)
      .where(and(eq(pushDevices.userId, userId), eq(pushDevices.token, token)))
      .returning({ id: pushDevices.id });
    return rows.length > 0;
  },

  devicesOf(db: Database, userId: string): Promise<PushDeviceRow[]> {
    return db
      .select()
      .from(pushDevices)
      .where(eq(pushDevices.userId, userId))
      .orderBy(asc(pushDevices.createdAt), asc(pushDevices.id));
  },

  /**
   * Takes the right to queue a notification's delivery job; false when someone else has it
   * (the dispatcher, or another instance's after-commit step).
   */
  async claimQueueing(db: Database, id: string, dueAt: Date): Promise<boolean> {
    const rows = await db
      .update(notifications)
      .set({ pushQueuedAt: sql`now()`, pushDueAt: dueAt })
      .where(and(eq(notifications.id, id), isNull(notifications.pushQueuedAt)))
      .returning({ id: notifications.id });
    return rows.length > 0;
  },

  /** Gives a claim back when its job could not be queued; the dispatcher tries again. */
  async releaseQueueing(db: Database, id: string): Promise<void> {
    await db.update(notifications).set({ pushQueuedAt: null }).where(eq(notifications.id, id));
  },

  /** Notifications to push whose job was never queued, oldest first. */
  unqueuedPushes(
    db: Database,
    limit: number,
  ): Promise<Pick<NotificationRow, 'id' | 'userId' | 'createdAt'>[]> {
    return db
      .select({
        id: notifications.id,
        userId: notifications.userId,
        createdAt: notifications.createdAt,
      })
      .from(notifications)
      .where(and(sql`${notifications.pushDueAt} is not null`, isNull(notifications.pushQueuedAt)))
      .orderBy(asc(notifications.pushDueAt))
      .limit(limit);
  },

  /** One delivery row per device of the member on the platforms (existing rows are kept). */
  async addDeliveries(
    db: Database,
    notification: Pick<NotificationRow, 'id' | 'userId'>,
    platforms: DevicePlatform[],
  ): Promise<void> {
    if (platforms.length === 0) return;
    await db.execute(sql`
      insert into ${pushDeliveries} (notification_id, device_id)
      select ${notification.id}::uuid, ${pushDevices.id} from ${pushDevices}
      where ${pushDevices.userId} = ${notification.userId}
        and ${inArray(pushDevices.platform, platforms)}
      on conflict do nothing`);
  },

  /**
   * Claims the notification's deliveries not yet sent: pending ones, and ones a crashed worker
   * left `sending` longer than the lease. One UPDATE decides, so two workers never claim the
   * same row (the second re-reads it as `sending` and skips it).
   */
  async claimDeliveries(
    db: Database,
    notification: Pick<NotificationRow, 'id' | 'userId'>,
    leaseSeconds: number,
  ): Promise<ClaimedDelivery[]> {
    const rows = await rowsOf<{
      device_id: string;
      platform: DevicePlatform;
      token: string;
      web_p256dh: string | null;
      web_auth: string | null;
    }>(
      db,
      sql`
      update ${pushDeliveries} d
      set status = 'sending', attempts = d.attempts + 1, claimed_at = now()
      from ${pushDevices} v
      where d.notification_id = ${notification.id}
        and v.id = d.device_id
        and v.user_id = ${notification.userId}
        and (d.status = 'pending'
          or (d.status = 'sending' and d.claimed_at < now() - make_interval(secs => ${leaseSeconds})))
      returning d.device_id, v.platform, v.token, v.web_p256dh, v.web_auth`,
    );
    return rows.map((row) => ({
      deviceId: row.device_id,
      platform: row.platform,
      token: row.token,
      webP256dh: row.web_p256dh,
      webAuth: row.web_auth,
    }));
  },

  async finishDelivery(
    db: Database,
    notificationId: string,
    deviceId: string,
    outcome: { status: 'sent' | 'pending' | 'failed'; error?: string },
  ): Promise<void> {
    await db
      .update(pushDeliveries)
      .set({
        status: outcome.status,
        lastError: outcome.error ?? null,
        sentAt: outcome.status === 'sent' ? sql`now()` : null,
      })
      .where(
        and(
          eq(pushDeliveries.notificationId, notificationId),
          eq(pushDeliveries.deviceId, deviceId),
          eq(pushDeliveries.status, 'sending'),
        ),
      );
  },

  /** How many of the notification's deliveries are not done (waiting, or being sent). */
  async unfinishedDeliveries(db: Database, notificationId: string): Promise<number> {
    const [row] = await db
      .select({ unfinished: count() })
      .from(pushDeliveries)
      .where(
        and(
          eq(pushDeliveries.notificationId, notificationId),
          inArray(pushDeliveries.status, ['pending', 'sending']),
        ),
      );
    return row?.unfinished ?? 0;
  },

  /** Deliveries still waiting after the last retry: given up. */
  async failPending(db: Database, notificationId: string): Promise<void> {
    await db
      .update(pushDeliveries)
      .set({ status: 'failed' })
      .where(
        and(
          eq(pushDeliveries.notificationId, notificationId),
          eq(pushDeliveries.status, 'pending'),
        ),
      );
  },
};
