import type { RequestHandler } from 'express';
import { idParams, pageQuery } from '../../lib/http/common.schemas.js';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import {
  adminUserPage,
  adminUserSchema,
  bodyCompositionEntrySchema,
  bodyCompositionPage,
  changeEmailBody,
  changeRoleBody,
  createBodyCompositionBody,
  deleteMeBody,
  listUsersQuery,
  updateMeBody,
  userExportSchema,
  userSchema,
} from './users.schemas.js';
import { presentCaller, type UsersService } from './users.service.js';

/** `/api/users`: the caller's own account, and user administration for admins. */
export function usersRoutes(users: UsersService, deps: { idempotent: RequestHandler }): RouteGroup {
  return {
    basePath: '/api/users',
    tag: 'Users',
    routes: [
      defineRoute({
        method: 'get',
        path: '/me',
        summary: 'The signed-in user',
        access: 'user',
        responses: { 200: { description: 'The user', schema: userSchema } },
        // The guard has just read (or validated its copy of) the account and memberships.
        handler: ({ user }) => Promise.resolve({ status: 200, body: presentCaller(user) }),
      }),
      defineRoute({
        method: 'patch',
        path: '/me',
        summary: 'Edit username and profile',
        description:
          'Nested profile objects are merged into the stored profile; `null` clears a value. ' +
          'The email address changes through `POST /api/users/me/email` (it needs the ' +
          'password and the new address’s verification).',
        access: 'user',
        body: updateMeBody,
        errors: [409],
        reasons: { 409: ['USERNAME_TAKEN'] },
        responses: { 200: { description: 'The updated user', schema: userSchema } },
        handler: async ({ user, body }) => ({
          status: 200,
          body: await users.updateMe(user.userId, body),
        }),
      }),
      defineRoute({
        method: 'delete',
        path: '/me',
        summary: 'Delete the account and all personal data',
        description:
          'A DELETE with a JSON body: `{ "password": "<current password>" }` confirms it, so a ' +
          'stolen access token alone cannot delete the account. While two-factor sign-in is ' +
          'on, give `code` too, unless the session signed in or re-authenticated ' +
          '(`POST /api/auth/reauthenticate`) within `REAUTH_WINDOW_SECONDS`; otherwise 403 ' +
          '`REAUTHENTICATION_REQUIRED`. A wrong password or code is 403 `WRONG_PASSWORD` / ' +
          '`WRONG_CODE` (nothing is deleted); wrong ones here and on other confirmed actions ' +
          'count together per account, and after `LOGIN_MAX_FAILURES_PER_SOURCE` (5) the ' +
          'answer is 429 with reason `PASSWORD_CHECKS_LOCKED` until `Retry-After`.',
        access: 'user',
        body: deleteMeBody,
        errors: [403],
        reasons: { 429: ['TOO_MANY_REQUESTS', 'PASSWORD_CHECKS_LOCKED'] },
        responses: { 204: { description: 'Deleted; every token of the account stops working' } },
        handler: async ({ user, body }) => {
          await users.deleteMe(user, body);
          return { status: 204 };
        },
      }),
      defineRoute({
        method: 'post',
        path: '/me/email',
        summary: 'Change the email address',
        description:
          'The new address becomes `pendingEmail` and gets a verification link; it replaces ' +
          '`email` only once the link is followed (`POST /api/auth/email/verify`). Until then ' +
          'the current address stays in use (sign-in, reset links). The current address is ' +
          'told at once, and again when the change takes effect. Asking for the current ' +
          'address cancels a pending change. Confirmed like account deletion: `password`, plus ' +
          '`code` while two-factor sign-in is on unless the session re-authenticated within ' +
          '`REAUTH_WINDOW_SECONDS`. 409 `EMAIL_TAKEN` when another account has the address.',
        access: 'user',
        body: changeEmailBody,
        errors: [403],
        reasons: { 409: ['EMAIL_TAKEN'], 429: ['TOO_MANY_REQUESTS', 'PASSWORD_CHECKS_LOCKED'] },
        responses: {
          202: { description: 'The user, with the address pending', schema: userSchema },
        },
        handler: async ({ user, body }) => ({
          status: 202,
          body: await users.requestEmailChange(user, body),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/me/export',
        summary: 'All of the caller’s data as one JSON document',
        access: 'user',
        responses: { 200: { description: 'Export', schema: userExportSchema } },
        handler: async ({ user, res }) => {
          res.setHeader('Content-Disposition', 'attachment; filename="nxg-connect-export.json"');
          return { status: 200, body: await users.exportMe(user.userId) };
        },
      }),
      defineRoute({
        method: 'post',
        path: '/me/body-composition',
        summary: 'Record a body-composition measurement',
        description:
          'The entry with the latest `measuredAt` becomes the user’s `bodyComposition`. ' +
          'Honours `Idempotency-Key`.',
        access: 'user',
        body: createBodyCompositionBody,
        before: [deps.idempotent],
        responses: { 201: { description: 'Stored entry', schema: bodyCompositionEntrySchema } },
        handler: async ({ user, body }) => ({
          status: 201,
          body: await users.addBodyComposition(user.userId, body),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/me/body-composition',
        summary: 'Body-composition history, newest first',
        access: 'user',
        query: pageQuery,
        responses: { 200: { description: 'A page of entries', schema: bodyCompositionPage } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await users.listBodyComposition(user.userId, query),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/',
        summary: 'List users',
        description: '`q` matches username or email (case-insensitive substring).',
        access: ['admin'],
        query: listUsersQuery,
        responses: { 200: { description: 'A page of users', schema: adminUserPage } },
        handler: async ({ query }) => ({ status: 200, body: await users.listUsers(query) }),
      }),
      defineRoute({
        method: 'patch',
        path: '/:id/role',
        summary: 'Change a user’s role',
        description:
          'The last admin cannot be demoted (409). A user whose new role is not `staff` loses ' +
          'every branch staff assignment in the same change; promoted back to staff, they are ' +
          'assigned to no branch until an admin assigns them again. The user’s open sockets are ' +
          'closed so they reconnect under the new role. A sensitive action: the admin’s session ' +
          'must have signed in or re-authenticated (`POST /api/auth/reauthenticate`) within ' +
          '`REAUTH_WINDOW_SECONDS`, else 403 `REAUTHENTICATION_REQUIRED`.',
        access: ['admin'],
        params: idParams,
        body: changeRoleBody,
        errors: [404, 409],
        reasons: { 409: ['LAST_ADMIN'] },
        responses: { 200: { description: 'The updated user', schema: adminUserSchema } },
        handler: async ({ user, params, body }) => ({
          status: 200,
          body: await users.changeRole(user, params.id, body.role),
        }),
      }),
    ],
  };
}
