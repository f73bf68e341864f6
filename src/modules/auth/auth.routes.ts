import type { Request, RequestHandler, Response } from 'express';
import { invalidCredentials, unauthenticated, wrongPassword } from '../../lib/errors.js';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import {
  authSessionSchema,
  changePasswordBody,
  loginBody,
  loginResultSchema,
  logoutBody,
  refreshBody,
  registerBody,
  signInSchema,
} from './auth.schemas.js';
import type { AuthService, ClientInfo } from './auth.service.js';

/** Where a request comes from, and a signal that aborts when its client hangs up. */
export function clientInfo(req: Request, res: Response): ClientInfo {
  const hangUp = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) hangUp.abort();
  });
  return {
    ip: req.ip ?? 'unknown',
    userAgent: req.get('user-agent') ?? null,
    signal: hangUp.signal,
  };
}

/**
 * `/api/auth`: accounts and sessions. Every route has the strict limit on top of the general
 * one: these are the routes credential stuffing and token guessing aim at.
 */
export function authRoutes(auth: AuthService, strictLimit: RequestHandler): RouteGroup {
  return {
    basePath: '/api/auth',
    tag: 'Auth',
    routes: [
      defineRoute({
        method: 'post',
        path: '/register',
        summary: 'Create an account and sign in',
        access: 'public',
        rateLimit: strictLimit,
        body: registerBody,
        errors: [409, 503],
        reasons: { 409: ['USERNAME_TAKEN', 'EMAIL_TAKEN'] },
        responses: { 201: { description: 'Account created', schema: signInSchema } },
        handler: async ({ body, req, res }) => ({
          status: 201,
          body: await auth.register(body, clientInfo(req, res)),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/login',
        summary: 'Sign in with email or username',
        description: [
          'Answers 401 `INVALID_CREDENTIALS` the same way whether or not the account exists.',
          'Each answer carries a `deviceToken`; send it with later sign-ins from this device. ' +
            'Failed passwords count against lockouts, and the 429 `RATE_LIMITED` problem names ' +
            'which one in `reason` (the answer for an unknown account is the same as for an ' +
            'existing one):',
          '- With a valid `deviceToken` of the account, only that device’s own failures count: ' +
            '`DEVICE_LOCKED` after `LOGIN_MAX_FAILURES_PER_SOURCE` (5) failures. Nobody else’s ' +
            'failures lock it out.\n' +
            '- Without one: `ACCOUNT_LOCKED` after 5 failures for the account from this IP, or ' +
            '`LOGIN_MAX_FAILURES_PER_ACCOUNT` (20) for the account from all such sources; ' +
            '`IP_LOCKED` after `LOGIN_MAX_FAILURES_PER_IP` (100) failures from this IP across ' +
            'accounts. Successful sign-ins never count.\n' +
            '- Failures count within `LOGIN_LOCKOUT_SECONDS` (15 min); a lockout lasts as long, ' +
            'each further one in a row twice as long, up to `LOGIN_LOCKOUT_MAX_SECONDS` (24 h). ' +
            '`Retry-After` tells how long.\n' +
            '- `TOO_MANY_REQUESTS`: the request rate limit of every `/api/auth` route.',
          'With two-factor sign-in on, a right password answers `{ mfaRequired: true, mfaToken ' +
            '}` instead of tokens; `POST /api/auth/mfa/verify` completes the sign-in. With ' +
            '`MFA_REQUIRED_FOR_STAFF` on, staff and admin accounts without an authenticator get ' +
            '`{ mfaEnrolmentRequired: true, enrolmentToken }`, good only for enrolling one ' +
            '(`POST /api/auth/mfa/enrolment`, then `/mfa/enrolment/confirm`).',
        ].join('\n\n'),
        access: 'public',
        rateLimit: strictLimit,
        body: loginBody,
        errors: [401, 503],
        reasons: { 429: ['TOO_MANY_REQUESTS', 'ACCOUNT_LOCKED', 'IP_LOCKED', 'DEVICE_LOCKED'] },
        problemExamples: { 401: invalidCredentials() },
        responses: {
          200: {
            description: 'Signed in, or the second step of the sign-in',
            schema: loginResultSchema,
          },
        },
        handler: async ({ body, req, res }) => ({
          status: 200,
          body: await auth.signIn(body, clientInfo(req, res)),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/refresh',
        summary: 'Exchange a refresh token for a new pair',
        description:
          'The presented token is spent. Presenting a spent token again (including a second, ' +
          'concurrent refresh with the same token) revokes the whole session.',
        access: 'public',
        rateLimit: strictLimit,
        body: refreshBody,
        // 401: an unknown, expired, spent or revoked refresh token.
        errors: [401, 503],
        problemExamples: {
          401: unauthenticated('This refresh token was already used; sign in again.'),
        },
        responses: { 200: { description: 'New token pair', schema: authSessionSchema } },
        handler: async ({ body }) => ({ status: 200, body: await auth.refresh(body.refreshToken) }),
      }),
      defineRoute({
        method: 'post',
        path: '/logout',
        summary: 'End this session',
        access: 'user',
        rateLimit: strictLimit,
        body: logoutBody,
        responses: { 204: { description: 'Access token blacklisted, refresh family revoked' } },
        handler: async ({ user, body }) => {
          await auth.logout(user, body.refreshToken);
          return { status: 204 };
        },
      }),
      defineRoute({
        method: 'post',
        path: '/logout-all',
        summary: 'End every session of the account',
        access: 'user',
        rateLimit: strictLimit,
        responses: { 204: { description: 'All sessions revoked' } },
        handler: async ({ user }) => {
          await auth.logoutAll(user);
          return { status: 204 };
        },
      }),
      defineRoute({
        method: 'post',
        path: '/password',
        summary: 'Change the password',
        description:
          'Every other session is signed out; this one stays; reset links stop working and the ' +
          'member is told by email. A wrong `currentPassword` is 403 `WRONG_PASSWORD` (not 401, ' +
          'which clients take as "refresh the token"); wrong passwords and codes on this and ' +
          'other confirmed actions count together per account, and after ' +
          '`LOGIN_MAX_FAILURES_PER_SOURCE` (5) the answer is 429 with reason ' +
          '`PASSWORD_CHECKS_LOCKED` until `Retry-After`. While two-factor sign-in is on, give ' +
          '`code` too (403 `WRONG_CODE` when wrong), unless the session signed in or ' +
          're-authenticated within `REAUTH_WINDOW_SECONDS`; otherwise 403 ' +
          '`REAUTHENTICATION_REQUIRED`.',
        access: 'user',
        rateLimit: strictLimit,
        body: changePasswordBody,
        errors: [403],
        reasons: { 429: ['TOO_MANY_REQUESTS', 'PASSWORD_CHECKS_LOCKED'] },
        problemExamples: { 403: wrongPassword('body.currentPassword') },
        responses: { 204: { description: 'Password changed' } },
        handler: async ({ user, body }) => {
          await auth.changePassword(user, body);
          return { status: 204 };
        },
      }),
    ],
  };
}
