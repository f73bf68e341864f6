import { idParams } from '../../lib/http/common.schemas.js';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import {
  deviceSchema,
  deviceTokenParams,
  inboxQuery,
  inboxSchema,
  notificationSchema,
  preferencesSchema,
  readAllSchema,
  registerDeviceBody,
  updatePreferencesBody,
  vapidKeySchema,
} from './notifications.schemas.js';
import type { NotificationService } from './notifications.service.js';

const channels =
  'Every notification goes to three channels, each of which the member can turn off per kind ' +
  '(`GET|PATCH /preferences`): the inbox (this list), their open sockets (`notification` on ' +
  '`/workouts`), and push to their registered devices (FCM for ios/android, Web Push for ' +
  'web), which only happens when the server has that platform configured.';

/** `/api/notifications`: the member's inbox, devices and preferences. */
export function notificationsRoutes(notifications: NotificationService): RouteGroup {
  return {
    basePath: '/api/notifications',
    tag: 'Notifications',
    routes: [
      defineRoute({
        method: 'get',
        path: '/',
        summary: 'The inbox',
        description:
          `Newest first, paged with \`limit\` and \`cursor\`; \`unreadCount\` counts the whole ` +
          `inbox. ${channels}`,
        access: 'user',
        query: inboxQuery,
        responses: { 200: { description: 'A page of notifications', schema: inboxSchema } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await notifications.inbox(user.userId, query),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/read-all',
        summary: 'Mark every notification read',
        access: 'user',
        responses: { 200: { description: 'How many were unread', schema: readAllSchema } },
        handler: async ({ user }) => ({
          status: 200,
          body: await notifications.markAllRead(user.userId),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/register',
        summary: 'Register a device for pushes',
        description:
          'Idempotent: registering the same token again refreshes it (`200`); a token another ' +
          'member registered moves to the caller. For `web`, `token` is the browser’s ' +
          'PushSubscription, made with the key of `GET /vapid-public-key`; its endpoint must be ' +
          'https on a known push service (FCM, Mozilla, Apple, Windows). A device its push ' +
          'service reports unregistered (FCM) or gone (Web Push 404/410) is removed.',
        access: 'user',
        body: registerDeviceBody,
        responses: {
          200: { description: 'Already registered to the caller; refreshed', schema: deviceSchema },
          201: { description: 'Registered', schema: deviceSchema },
        },
        handler: async ({ user, body }) => {
          const { device, created } = await notifications.registerDevice(user.userId, body);
          return { status: created ? 201 : 200, body: device };
        },
      }),
      defineRoute({
        method: 'delete',
        path: '/devices/:token',
        summary: 'Stop pushes to a device',
        description:
          'The caller’s device only; another member’s token, or an unknown one, is a 404. For ' +
          'web, give the subscription’s endpoint (URL-encoded).',
        access: 'user',
        params: deviceTokenParams,
        errors: [404],
        responses: { 204: { description: 'Removed' } },
        handler: async ({ user, params }) => {
          await notifications.removeDevice(user.userId, params.token);
          return { status: 204 };
        },
      }),
      defineRoute({
        method: 'get',
        path: '/vapid-public-key',
        summary: 'The Web Push application server key',
        description:
          'Pass it as `applicationServerKey` to `pushManager.subscribe`; null when this server ' +
          'has no Web Push configured (then web devices can be registered but get no pushes).',
        access: 'user',
        responses: { 200: { description: 'The key', schema: vapidKeySchema } },
        handler: () => Promise.resolve({ status: 200, body: notifications.vapidPublicKey() }),
      }),
      defineRoute({
        method: 'get',
        path: '/preferences',
        summary: 'Channels per kind, and quiet hours',
        description:
          'Every kind with its three channels (on unless turned off). During quiet hours pushes ' +
          'wait until they end, in the member’s zone as it is when the notification is sent ' +
          '(`timezone` shows it now); the inbox and sockets get notifications at once.',
        access: 'user',
        responses: { 200: { description: 'The preferences', schema: preferencesSchema } },
        handler: async ({ user }) => ({
          status: 200,
          body: await notifications.preferences(user.userId),
        }),
      }),
      defineRoute({
        method: 'patch',
        path: '/preferences',
        summary: 'Change channels and quiet hours',
        description:
          'Only the kinds and channels given change. `quietHours: null` removes them. Turning ' +
          'the inbox off for a kind keeps such notifications out of the list (they are still ' +
          'recorded, so a repeat is recognised).',
        access: 'user',
        body: updatePreferencesBody,
        responses: { 200: { description: 'The preferences now', schema: preferencesSchema } },
        handler: async ({ user, body }) => ({
          status: 200,
          body: await notifications.updatePreferences(user.userId, body),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/:id/read',
        summary: 'Mark a notification read',
        description: 'Another member’s notification is a 404. Reading it again keeps `readAt`.',
        access: 'user',
        params: idParams,
        errors: [404],
        responses: { 200: { description: 'The notification', schema: notificationSchema } },
        handler: async ({ user, params }) => ({
          status: 200,
          body: await notifications.markRead(user.userId, params.id),
        }),
      }),
    ],
  };
}
