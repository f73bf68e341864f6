import type { RequestHandler } from 'express';
import { invalidSecondFactor } from '../../lib/errors.js';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import { clientInfo } from './auth.routes.js';
import {
  acceptedSchema,
  confirmEnrolmentBody,
  confirmTotpBody,
  disableTotpBody,
  enrolledSignInSchema,
  enrolmentTokenBody,
  forgotPasswordBody,
  mfaStatusSchema,
  mfaVerifyBody,
  newRecoveryCodesBody,
  reauthenticateBody,
  reauthenticatedSchema,
  recoveryCodesSchema,
  resetPasswordBody,
  signInSchema,
  totpEnrolmentSchema,
  verifiedEmailSchema,
  verifyEmailBody,
} from './auth.schemas.js';
import type { AuthService } from './auth.service.js';
import type { EmailVerification } from './email-verification.service.js';
import type { TwoFactorService } from './two-factor.service.js';

export interface RecoveryRouteServices {
  auth: AuthService;
  emailVerification: EmailVerification;
  twoFactor: TwoFactorService;
}

const sensitive =
  'A sensitive action: it needs the session to have signed in or re-authenticated ' +
  '(`POST /api/auth/reauthenticate`) within `REAUTH_WINDOW_SECONDS` (5 min), else 403 ' +
  '`REAUTHENTICATION_REQUIRED`.';

/**
 * `/api/auth`: getting back into an account (password reset, email verification), two-factor
 * sign-in, and re-authentication for sensitive actions. Every route has the strict auth limit.
 */
export function recoveryRoutes(
  services: RecoveryRouteServices,
  strictLimit: RequestHandler,
): RouteGroup {
  const { auth, emailVerification, twoFactor } = services;
  return {
    basePath: '/api/auth',
    tag: 'Auth',
    routes: [
      defineRoute({
        method: 'post',
        path: '/password/forgot',
        summary: 'Ask for a password reset link',
        description:
          'Always 202 with the same body, whether or not an account has the address, and with ' +
          'the same work done (one message queued; the delivery job finds the account or sends ' +
          'nothing), so the answer tells nothing about who is registered. The link works once, ' +
          'for `PASSWORD_RESET_TTL_SECONDS` (30 min); a newer link, a password change or a ' +
          'change of address makes it stop working. Asking again within ' +
          '`EMAIL_RESEND_COOLDOWN_SECONDS` (60 s) sends nothing more.',
        access: 'public',
        rateLimit: strictLimit,
        body: forgotPasswordBody,
        errors: [503],
        responses: {
          202: {
            description: 'Accepted; a link is on its way if the account exists',
            schema: acceptedSchema,
          },
        },
        handler: async ({ body }) => {
          await auth.forgotPassword(body.email);
          return {
            status: 202,
            body: {
              status: 'accepted',
              detail: 'If an account uses this address, a link is on its way.',
            },
          };
        },
      }),
      defineRoute({
        method: 'post',
        path: '/password/reset',
        summary: 'Set a new password with a reset link’s token',
        description:
          'The token comes from the emailed link (`/account/reset-password?token=…`). It works ' +
          'once. Every session of the account is revoked and its open sockets closed; the ' +
          'member is told by email. The address counts as verified (the link proved it). An ' +
          'unknown, expired, superseded or used token is 400 `INVALID_TOKEN`. Two-factor ' +
          'sign-in, if on, stays on.',
        access: 'public',
        rateLimit: strictLimit,
        body: resetPasswordBody,
        errors: [503],
        responses: { 204: { description: 'Password set; sign in with it' } },
        handler: async ({ body }) => {
          await auth.resetPassword(body.token, body.password);
          return { status: 204 };
        },
      }),
      defineRoute({
        method: 'post',
        path: '/email/verify',
        summary: 'Verify an email address with a link’s token',
        description:
          'The token comes from the emailed link (`/account/verify-email?token=…`); no sign-in ' +
          'is needed. For a change of address, the new address takes over now and the old ' +
          'one is told; 409 `EMAIL_TAKEN` if another account took it meanwhile. An unknown, ' +
          'expired, superseded or used token is 400 `INVALID_TOKEN`.',
        access: 'public',
        rateLimit: strictLimit,
        body: verifyEmailBody,
        errors: [503],
        reasons: { 409: ['EMAIL_TAKEN'] },
        responses: { 200: { description: 'Verified', schema: verifiedEmailSchema } },
        handler: async ({ body }) => ({
          status: 200,
          body: await emailVerification.verify(body.token),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/email/verification',
        summary: 'Send the verification link again',
        description:
          'To the pending new address if a change waits, else to the unverified address. At ' +
          'most one per `EMAIL_RESEND_COOLDOWN_SECONDS` (60 s): 429 `EMAIL_RESEND_COOLDOWN` ' +
          'with `Retry-After`. Verified with nothing pending: 409 `EMAIL_ALREADY_VERIFIED`. ' +
          'Links sent earlier keep working until the new one is sent.',
        access: 'user',
        rateLimit: strictLimit,
        reasons: {
          409: ['EMAIL_ALREADY_VERIFIED'],
          429: ['TOO_MANY_REQUESTS', 'EMAIL_RESEND_COOLDOWN'],
        },
        responses: { 202: { description: 'A new link is on its way', schema: acceptedSchema } },
        handler: async ({ user }) => {
          await emailVerification.resend(user.userId);
          return { status: 202, body: { status: 'accepted', detail: 'A new link is on its way.' } };
        },
      }),
      defineRoute({
        method: 'post',
        path: '/mfa/verify',
        summary: 'Complete a sign-in with a two-factor code',
        description:
          'With the `mfaToken` a password sign-in answered and a code: six digits from the ' +
          'authenticator app (each accepted once; one 30-second step of clock drift either ' +
          'way is allowed) or an unused recovery code (spent). A wrong code is 401 ' +
          '`INVALID_CODE` and counts toward the same lockouts as wrong passwords (429 as for ' +
          '`POST /login`); an expired or invalid `mfaToken` is 401 `INVALID_CODE` too: sign in ' +
          'again.',
        access: 'public',
        rateLimit: strictLimit,
        body: mfaVerifyBody,
        errors: [401, 503],
        reasons: { 429: ['TOO_MANY_REQUESTS', 'ACCOUNT_LOCKED', 'IP_LOCKED', 'DEVICE_LOCKED'] },
        problemExamples: { 401: invalidSecondFactor() },
        responses: { 200: { description: 'Signed in', schema: signInSchema } },
        handler: async ({ body, req, res }) => ({
          status: 200,
          body: await auth.verifyMfa(body, clientInfo(req, res)),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/reauthenticate',
        summary: 'Prove the account’s factors again for sensitive actions',
        description:
          'The password, plus `code` while two-factor sign-in is on (400 without it). Sensitive ' +
          'actions of this session (password change, account deletion, email change, ' +
          'disabling two-factor sign-in, new recovery codes, enrolling an authenticator, role ' +
          'changes by an admin) are then allowed for `REAUTH_WINDOW_SECONDS` (5 min). A sign-in ' +
          'counts as a re-authentication of its own session. Wrong factors are 403 ' +
          '`WRONG_PASSWORD` / `WRONG_CODE`, counted per account (429 `PASSWORD_CHECKS_LOCKED`).',
        access: 'user',
        rateLimit: strictLimit,
        body: reauthenticateBody,
        errors: [403],
        reasons: { 429: ['TOO_MANY_REQUESTS', 'PASSWORD_CHECKS_LOCKED'] },
        responses: { 200: { description: 'Re-authenticated', schema: reauthenticatedSchema } },
        handler: async ({ user, body }) => ({
          status: 200,
          body: await auth.reauthenticate(user, body),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/mfa',
        summary: 'Two-factor sign-in status',
        description: 'Whether an authenticator is enrolled, and how many recovery codes are left.',
        access: 'user',
        rateLimit: strictLimit,
        responses: { 200: { description: 'Status', schema: mfaStatusSchema } },
        handler: async ({ user }) => ({ status: 200, body: await twoFactor.status(user.userId) }),
      }),
      defineRoute({
        method: 'post',
        path: '/mfa/totp',
        summary: 'Start enrolling an authenticator app',
        description:
          'Answers a new seed (and its `otpauth://` URI for a QR code); confirm it with a first ' +
          'code at `POST /mfa/totp/confirm`. Starting again replaces an unconfirmed seed. The ' +
          'seed is stored encrypted (AES-256-GCM, `DATA_ENCRYPTION_KEY`); 503 when the server ' +
          `has no key. ${sensitive}`,
        access: 'user',
        rateLimit: strictLimit,
        errors: [403, 503],
        reasons: { 409: ['TWO_FACTOR_ALREADY_ENABLED'] },
        responses: { 200: { description: 'The seed', schema: totpEnrolmentSchema } },
        handler: async ({ user }) => ({ status: 200, body: await twoFactor.start(user) }),
      }),
      defineRoute({
        method: 'post',
        path: '/mfa/totp/confirm',
        summary: 'Confirm the authenticator with its first code',
        description:
          'Turns two-factor sign-in on and answers ten single-use recovery codes, shown this ' +
          'once. A wrong code is 403 `WRONG_CODE`, counted per account (429 ' +
          '`PASSWORD_CHECKS_LOCKED`). The member is told by email.',
        access: 'user',
        rateLimit: strictLimit,
        body: confirmTotpBody,
        errors: [403],
        reasons: {
          409: ['NO_ENROLMENT_STARTED', 'TWO_FACTOR_ALREADY_ENABLED'],
          429: ['TOO_MANY_REQUESTS', 'PASSWORD_CHECKS_LOCKED'],
        },
        responses: { 200: { description: 'On; the recovery codes', schema: recoveryCodesSchema } },
        handler: async ({ user, body }) => ({
          status: 200,
          body: await twoFactor.confirm(user, body.code),
        }),
      }),
      defineRoute({
        method: 'delete',
        path: '/mfa/totp',
        summary: 'Turn two-factor sign-in off',
        description:
          'A DELETE with a JSON body: the password and a code (TOTP or recovery code) are ' +
          'needed every time, however recent the sign-in. Wrong ones are 403 `WRONG_PASSWORD` ' +
          '/ `WRONG_CODE`, counted per account. The seed and recovery codes are deleted; the ' +
          'member is told by email.',
        access: 'user',
        rateLimit: strictLimit,
        body: disableTotpBody,
        errors: [403],
        reasons: {
          409: ['TWO_FACTOR_NOT_ENABLED'],
          429: ['TOO_MANY_REQUESTS', 'PASSWORD_CHECKS_LOCKED'],
        },
        responses: { 204: { description: 'Off' } },
        handler: async ({ user, body }) => {
          await twoFactor.disable(user, body);
          return { status: 204 };
        },
      }),
      defineRoute({
        method: 'post',
        path: '/mfa/recovery-codes',
        summary: 'Replace the recovery codes',
        description:
          'Ten new codes; the old set stops working. Needs the password, plus `code` unless ' +
          'the session signed in or re-authenticated within `REAUTH_WINDOW_SECONDS`.',
        access: 'user',
        rateLimit: strictLimit,
        body: newRecoveryCodesBody,
        errors: [403],
        reasons: {
          409: ['TWO_FACTOR_NOT_ENABLED'],
          429: ['TOO_MANY_REQUESTS', 'PASSWORD_CHECKS_LOCKED'],
        },
        responses: { 200: { description: 'The new codes', schema: recoveryCodesSchema } },
        handler: async ({ user, body }) => ({
          status: 200,
          body: await twoFactor.newRecoveryCodes(user, body),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/mfa/enrolment',
        summary: 'Start the mandatory enrolment (staff and admin)',
        description:
          'With `MFA_REQUIRED_FOR_STAFF` on, a staff or admin sign-in without an authenticator ' +
          'answers an `enrolmentToken` instead of a session. This answers a seed for it; ' +
          '`POST /mfa/enrolment/confirm` completes the enrolment and the sign-in. An expired ' +
          'or invalid token is 401 `INVALID_CODE`: sign in again.',
        access: 'public',
        rateLimit: strictLimit,
        body: enrolmentTokenBody,
        errors: [401, 503],
        reasons: { 409: ['TWO_FACTOR_ALREADY_ENABLED'] },
        responses: { 200: { description: 'The seed', schema: totpEnrolmentSchema } },
        handler: async ({ body }) => ({
          status: 200,
          body: await twoFactor.startWithEnrolmentToken(body.enrolmentToken),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/mfa/enrolment/confirm',
        summary: 'Confirm the mandatory enrolment and sign in',
        description:
          'The first code of the new authenticator: two-factor sign-in turns on and the answer ' +
          'is the session plus ten recovery codes (shown this once). A wrong code is 401 ' +
          '`INVALID_CODE`, counted like a wrong password of a sign-in.',
        access: 'public',
        rateLimit: strictLimit,
        body: confirmEnrolmentBody,
        errors: [401, 503],
        reasons: {
          409: ['NO_ENROLMENT_STARTED', 'TWO_FACTOR_ALREADY_ENABLED'],
          429: ['TOO_MANY_REQUESTS', 'ACCOUNT_LOCKED', 'IP_LOCKED', 'DEVICE_LOCKED'],
        },
        responses: { 200: { description: 'Enrolled and signed in', schema: enrolledSignInSchema } },
        handler: async ({ body, req, res }) => ({
          status: 200,
          body: await twoFactor.confirmWithEnrolmentToken(body, clientInfo(req, res)),
        }),
      }),
    ],
  };
}
