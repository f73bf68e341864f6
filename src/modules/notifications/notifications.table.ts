import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.js';
import type { NotificationData, NotificationKind } from './notification-kinds.js';

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * A member's notifications: the inbox, and the record push delivery works from. A kind whose
 * inbox channel the member turned off is still stored (so a repeat is still recognised by its
 * dedupe key and a push still has something to deliver), with `in_inbox` false.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<NotificationKind>().notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    data: jsonb('data').$type<NotificationData>().notNull().default({}),
    /** The sender's key for "the same notification": one row per user and key. */
    dedupeKey: text('dedupe_key'),
    inInbox: boolean('in_inbox').notNull().default(true),
    readAt: at('read_at'),
    createdAt: at('created_at').notNull().defaultNow(),
    /** When its push may go out (after quiet hours); null when it is not pushed. */
    pushDueAt: at('push_due_at'),
    /** When its delivery job was queued; null while the dispatcher still has to queue it. */
    pushQueuedAt: at('push_queued_at'),
  },
  (t) => [
    uniqueIndex('notifications_user_dedupe_key_idx').on(t.userId, t.dedupeKey),
    index('notifications_user_inbox_idx').on(t.userId, t.createdAt, t.id),
    index('notifications_user_unread_idx')
      .on(t.userId)
      .where(sql`${t.readAt} is null and ${t.inInbox}`),
    index('notifications_push_unqueued_idx')
      .on(t.pushDueAt)
      .where(sql`${t.pushDueAt} is not null and ${t.pushQueuedAt} is null`),
  ],
);

export type NotificationRow = typeof notifications.$inferSelect;

export const devicePlatforms = ['ios', 'android', 'web'] as const;
export type DevicePlatform = (typeof devicePlatforms)[number];

/**
 * A device that receives pushes. `token` is the FCM registration token (ios, android) or the
 * Web Push subscription's endpoint URL (web), whose encryption keys sit beside it. A token
 * belongs to one member at a time: registering it again moves it.
 */
export const pushDevices = pgTable(
  'push_devices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    platform: text('platform', { enum: devicePlatforms }).notNull(),
    token: text('token').notNull(),
    /** Web Push: the subscription's P-256 public key and auth secret (base64url). */
    webP256dh: text('web_p256dh'),
    webAuth: text('web_auth'),
    createdAt: at('created_at').notNull().defaultNow(),
    lastSeenAt: at('last_seen_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('push_devices_token_idx').on(t.token),
    index('push_devices_user_idx').on(t.userId),
    check('push_devices_platform_check', sql`${t.platform} in ('ios', 'android', 'web')`),
    check(
      'push_devices_web_keys_check',
      sql`(${t.platform} = 'web') = (${t.webP256dh} is not null and ${t.webAuth} is not null)`,
    ),
  ],
);

export type PushDeviceRow = typeof pushDevices.$inferSelect;

export const notificationChannels = ['inbox', 'socket', 'push'] as const;
export type NotificationChannel = (typeof notificationChannels)[number];

/** A member's choice for one kind on one channel; no row means enabled. */
export const notificationPreferences = pgTable(
  'notification_preferences',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<NotificationKind>().notNull(),
    channel: text('channel', { enum: notificationChannels }).notNull(),
    enabled: boolean('enabled').notNull(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.kind, t.channel] }),
    check(
      'notification_preferences_channel_check',
      sql`${t.channel} in ('inbox', 'socket', 'push')`,
    ),
  ],
);

/** Local wall-clock times (`HH:MM`) between which pushes wait; no row means none. */
export const notificationQuietHours = pgTable(
  'notification_quiet_hours',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    start: text('start').notNull(),
    end: text('end').notNull(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check(
      'notification_quiet_hours_format_check',
      sql`${t.start} ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' and ${t.end} ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' and ${t.start} <> ${t.end}`,
    ),
  ],
);

export const pushDeliveryStatuses = ['pending', 'sending', 'sent', 'failed'] as const;
export type PushDeliveryStatus = (typeof pushDeliveryStatuses)[number];

/**
 * One notification's push to one device. The row is claimed (`pending` → `sending`) by one
 * worker at a time, so retries and other instances never push to a device twice.
 */
export const pushDeliveries = pgTable(
  'push_deliveries',
  {
    notificationId: uuid('notification_id')
      .notNull()
      .references(() => notifications.id, { onDelete: 'cascade' }),
    deviceId: uuid('device_id')
      .notNull()
      .references(() => pushDevices.id, { onDelete: 'cascade' }),
    status: text('status', { enum: pushDeliveryStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** When the current claim was taken; a `sending` row older than the lease is taken over. */
    claimedAt: at('claimed_at'),
    /** Why the last attempt did not deliver (no personal data: a status or error code). */
    lastError: text('last_error'),
    createdAt: at('created_at').notNull().defaultNow(),
    sentAt: at('sent_at'),
  },
  (t) => [
    primaryKey({ columns: [t.notificationId, t.deviceId] }),
    index('push_deliveries_device_idx').on(t.deviceId),
    check(
      'push_deliveries_status_check',
      sql`${t.status} in ('pending', 'sending', 'sent', 'failed')`,
    ),
  ],
);

export type PushDeliveryRow = typeof pushDeliveries.$inferSelect;
