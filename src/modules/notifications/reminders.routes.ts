import { idParams } from '../../lib/http/common.schemas.js';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import {
  MAX_REMINDERS_PER_MEMBER,
  createReminderBody,
  reminderListSchema,
  reminderSchema,
  updateReminderBody,
} from './reminders.schemas.js';
import { MISSED_GRACE_MS, type RemindersService } from './reminders.service.js';

const howTheyFire =
  '`time` is wall-clock time in the member’s profile `timezone` (UTC without one); when the ' +
  'profile’s zone changes, every reminder follows it (07:00 stays 07:00 where the member is). ' +
  'On a day a daylight-saving change skips the time, it is sent later by the length of the ' +
  'change (02:30 on New York’s spring-forward day is sent at 03:30); on a day the change ' +
  'repeats it, it is sent once, at its first instant. Each occurrence is sent once, as a ' +
  '`workout-reminder` or `meal-reminder` notification; a workout reminder is not sent when ' +
  'the member already logged a workout on that local day. An occurrence the scheduler finds ' +
  `more than ${String(MISSED_GRACE_MS / 60_000)} minutes late (after an outage) is skipped.`;

/** `/api/notifications/reminders`: the member's workout and meal reminders. */
export function remindersRoutes(reminders: RemindersService): RouteGroup {
  return {
    basePath: '/api/notifications',
    tag: 'Notifications',
    routes: [
      defineRoute({
        method: 'get',
        path: '/reminders',
        summary: 'The member’s reminders',
        description: `Oldest first. ${howTheyFire}`,
        access: 'user',
        responses: { 200: { description: 'The reminders', schema: reminderListSchema } },
        handler: async ({ user }) => ({ status: 200, body: await reminders.list(user.userId) }),
      }),
      defineRoute({
        method: 'post',
        path: '/reminders',
        summary: 'Schedule a workout or meal reminder',
        description:
          'Repeats weekly on `days` at `time`. `mealType` is for meal reminders only. A member ' +
          `has at most ${String(MAX_REMINDERS_PER_MEMBER)} reminders; one more is a 409 ` +
          `\`REMINDER_LIMIT_REACHED\`. ${howTheyFire}`,
        access: 'user',
        body: createReminderBody,
        reasons: { 409: ['REMINDER_LIMIT_REACHED'] },
        responses: { 201: { description: 'The reminder', schema: reminderSchema } },
        handler: async ({ user, body }) => ({
          status: 201,
          body: await reminders.create(user.userId, body),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/reminders/:id',
        summary: 'One reminder',
        description: 'The caller’s reminder; another member’s is a 404.',
        access: 'user',
        params: idParams,
        errors: [404],
        responses: { 200: { description: 'The reminder', schema: reminderSchema } },
        handler: async ({ user, params }) => ({
          status: 200,
          body: await reminders.get(user.userId, params.id),
        }),
      }),
      defineRoute({
        method: 'patch',
        path: '/reminders/:id',
        summary: 'Change a reminder',
        description:
          'Changes `days`, `time`, `mealType` (meal reminders only; null removes it) or ' +
          '`enabled`; the kind stays. The next occurrence is computed afresh from now. ' +
          'Another member’s reminder is a 404.',
        access: 'user',
        params: idParams,
        body: updateReminderBody,
        errors: [404],
        responses: { 200: { description: 'The reminder as changed', schema: reminderSchema } },
        handler: async ({ user, params, body }) => ({
          status: 200,
          body: await reminders.update(user.userId, params.id, body),
        }),
      }),
      defineRoute({
        method: 'delete',
        path: '/reminders/:id',
        summary: 'Remove a reminder',
        description: 'Another member’s reminder is a 404.',
        access: 'user',
        params: idParams,
        errors: [404],
        responses: { 204: { description: 'Removed' } },
        handler: async ({ user, params }) => {
          await reminders.remove(user.userId, params.id);
          return { status: 204 };
        },
      }),
    ],
  };
}
