import { pageQuery } from '../../lib/http/common.schemas.js';
import { z } from '../../lib/zod.js';
import { notificationKinds } from './notifier.js';
import { devicePlatforms, notificationChannels } from './notifications.table.js';

const base64UrlBytes = (value: string) =>
  /^[A-Za-z0-9_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64url') : undefined;

/** A browser's PushSubscription as `subscription.toJSON()` gives it. */
export const webPushSubscriptionSchema = z
  .object({
    endpoint: z
      .url({ protocol: /^https$/, message: 'must be an https:// URL' })
      .max(2048)
      .openapi({ example: 'https://fcm.googleapis.com/fcm/send/dp9Hc4s0rB8:APA91bH' }),
    expirationTime: z.number().nullable().optional(),
    keys: z.strictObject({
      p256dh: z
        .string()
        .max(200)
        .refine((value) => {
          const bytes = base64UrlBytes(value);
          return bytes?.length === 65 && bytes[0] === 4;
        }, 'must be an uncompressed P-256 public key, base64url (65 bytes)'),
      auth: z
        .string()
        .max(100)
        .refine(
          (value) => base64UrlBytes(value)?.length === 16,
          'must be a 16-byte auth secret, base64url',
        ),
    }),
  })
  .strict()
  .openapi('WebPushSubscription');

export type WebPushSubscription = z.infer<typeof webPushSubscriptionSchema>;

/** A device token as it is stored: the FCM token, or the subscription's endpoint with its keys. */
export type DeviceRegistration =
  | { platform: 'ios' | 'android'; token: string }
  | { platform: 'web'; token: string; keys: { p256dh: string; auth: string } };

const fcmToken = z
  .string()
  .min(1, 'must not be empty')
  .max(4096)
  .regex(/^[\x21-\x7e]+$/, 'must be a printable token without spaces');

/** `token` of a web device: the subscription object, or the same as a JSON string. */
function parseSubscription(token: unknown, context: z.RefinementCtx) {
  let value = token;
  if (typeof token === 'string') {
    try {
      value = JSON.parse(token);
    } catch {
      context.addIssue({
        code: 'custom',
        path: ['token'],
        message: 'must be a Web Push subscription {endpoint, keys: {p256dh, auth}} or its JSON',
      });
      return undefined;
    }
  }
  const parsed = webPushSubscriptionSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      context.addIssue({
        code: 'custom',
        path: ['token', ...issue.path.map(String)],
        message: issue.message,
      });
    }
    return undefined;
  }
  return parsed.data;
}

export const registerDeviceBody = z
  .strictObject({
    token: z.union([z.string().max(8192), z.record(z.string(), z.unknown())]).openapi({
      description:
        'ios/android: the FCM registration token. web: the browser’s PushSubscription ' +
        '(`subscription.toJSON()`: `{ endpoint, keys: { p256dh, auth } }`), as an object or ' +
        'its JSON string; its endpoint must be https on a known push service.',
      example: 'fYz9bM3kQ0e2…:APA91bGk',
    }),
    platform: z.enum(devicePlatforms),
  })
  .transform((body, context): DeviceRegistration => {
    if (body.platform === 'web') {
      const subscription = parseSubscription(body.token, context);
      if (!subscription) return z.NEVER;
      return { platform: 'web', token: subscription.endpoint, keys: subscription.keys };
    }
    const token = fcmToken.safeParse(body.token);
    if (!token.success) {
      context.addIssue({
        code: 'custom',
        path: ['token'],
        message: token.error.issues[0]?.message ?? 'invalid token',
      });
      return z.NEVER;
    }
    return { platform: body.platform, token: token.data };
  })
  .openapi('RegisterDevice', {
    example: { token: 'fYz9bM3kQ0e2:APA91bGk', platform: 'android' },
  });

export const deviceSchema = z
  .object({
    id: z.uuid(),
    platform: z.enum(devicePlatforms),
    token: z.string().openapi({ description: 'The FCM token, or the Web Push endpoint' }),
    createdAt: z.iso.datetime(),
    lastSeenAt: z.iso.datetime(),
  })
  .openapi('PushDevice', {
    example: {
      id: '6f1c7c9e-2b7a-4a53-9d1e-1f0a4c3b2a10',
      platform: 'android',
      token: 'fYz9bM3kQ0e2:APA91bGk',
      createdAt: '2026-11-25T08:00:00.000Z',
      lastSeenAt: '2026-11-25T08:00:00.000Z',
    },
  });
export type DeviceView = z.infer<typeof deviceSchema>;

export const deviceTokenParams = z.strictObject({
  token: z
    .string()
    .min(1)
    .max(8192)
    .openapi({
      description:
        'The FCM token, or for web the subscription’s endpoint URL (URL-encoded) or the ' +
        'subscription JSON',
    }),
});

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const notificationSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(notificationKinds),
    title: z.string(),
    body: z.string(),
    data: z.record(z.string(), scalar),
    readAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi('Notification', {
    example: {
      id: '0b8f5a52-8e3e-4a8e-9b7c-3f8d1c2e4a11',
      kind: 'achievement-unlocked',
      title: 'Achievement unlocked',
      body: 'Achievement unlocked: First workout',
      data: { key: 'first-workout', title: 'First workout', points: 50 },
      readAt: null,
      createdAt: '2026-11-25T08:00:00.000Z',
    },
  });
export type NotificationView = z.infer<typeof notificationSchema>;

/**
 * `notification` on the member's `/workouts` sockets: the stored notification flattened for
 * live display, its `data` details spread alongside the fixed fields.
 */
export const notificationEventSchema = z
  .object({
    type: z.enum(notificationKinds).openapi({ description: 'The notification’s kind' }),
    message: z.string().openapi({ description: 'The sentence the member reads (its body)' }),
    at: z.iso.datetime(),
    title: z.string(),
    notificationId: z.uuid().openapi({ description: 'The notification in the inbox' }),
  })
  .catchall(scalar)
  .openapi('NotificationEvent');
export type NotificationEvent = z.infer<typeof notificationEventSchema>;

export const inboxQuery = pageQuery;

export const inboxSchema = z
  .object({
    items: z.array(notificationSchema),
    nextCursor: z.string().nullable(),
    unreadCount: z.number().int().min(0).openapi({ example: 2 }),
  })
  .openapi('NotificationInbox');
export type InboxView = z.infer<typeof inboxSchema>;

export const readAllSchema = z
  .object({ updated: z.number().int().min(0), unreadCount: z.literal(0) })
  .openapi('NotificationsReadAll', { example: { updated: 3, unreadCount: 0 } });

const wallClock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM (00:00 to 23:59)');

const quietHoursSchema = z
  .strictObject({ start: wallClock, end: wallClock })
  .refine((quiet) => quiet.start !== quiet.end, {
    message: 'start and end must differ',
    path: ['end'],
  })
  .openapi('QuietHours', {
    description:
      'Local times in the member’s zone (the branch they are checked in at, else their ' +
      'profile’s `timezone`, else UTC); `start` after `end` spans midnight.',
    example: { start: '22:00', end: '07:00' },
  });

const channelsSchema = z.object(
  Object.fromEntries(notificationChannels.map((channel) => [channel, z.boolean()])) as Record<
    (typeof notificationChannels)[number],
    z.ZodBoolean
  >,
);
const channelsPatch = z
  .strictObject(
    Object.fromEntries(
      notificationChannels.map((channel) => [channel, z.boolean().optional()]),
    ) as Record<(typeof notificationChannels)[number], z.ZodOptional<z.ZodBoolean>>,
  )
  .openapi('NotificationChannelsPatch');

type Kind = (typeof notificationKinds)[number];

export const preferencesSchema = z
  .object({
    kinds: z.object(
      Object.fromEntries(notificationKinds.map((kind) => [kind, channelsSchema])) as Record<
        Kind,
        typeof channelsSchema
      >,
    ),
    quietHours: quietHoursSchema.nullable(),
    timezone: z.string().openapi({ description: 'The zone quiet hours are read in, now' }),
    pushAvailable: z
      .object({ ios: z.boolean(), android: z.boolean(), web: z.boolean() })
      .openapi({ description: 'Which platforms this server can push to (configured gateways)' }),
  })
  .openapi('NotificationPreferences', {
    example: {
      kinds: Object.fromEntries(
        notificationKinds.map((kind) => [
          kind,
          { inbox: true, socket: true, push: kind !== 'meal-reminder' },
        ]),
      ) as Record<Kind, { inbox: boolean; socket: boolean; push: boolean }>,
      quietHours: { start: '22:00', end: '07:00' },
      timezone: 'Europe/London',
      pushAvailable: { ios: true, android: true, web: true },
    },
  });
export type PreferencesView = z.infer<typeof preferencesSchema>;

export const updatePreferencesBody = z
  .strictObject({
    kinds: z
      .strictObject(
        Object.fromEntries(
          notificationKinds.map((kind) => [kind, channelsPatch.optional()]),
        ) as Record<Kind, z.ZodOptional<typeof channelsPatch>>,
      )
      .optional(),
    quietHours: quietHoursSchema.nullable().optional().openapi({
      description: 'null removes the quiet hours',
    }),
  })
  .openapi('UpdateNotificationPreferences', {
    example: {
      kinds: { 'meal-reminder': { push: false }, 'new-follower': { inbox: true, push: true } },
      quietHours: { start: '22:00', end: '07:00' },
    },
  });
export type UpdatePreferencesBody = z.infer<typeof updatePreferencesBody>;

export const vapidKeySchema = z
  .object({
    publicKey: z.string().nullable().openapi({
      description: 'The VAPID public key (base64url) for `pushManager.subscribe`; null when off',
    }),
  })
  .openapi('VapidPublicKey', {
    example: {
      publicKey:
        'BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U',
    },
  });
