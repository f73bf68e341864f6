import { text } from '../../lib/http/common.schemas.js';
import { z } from '../../lib/zod.js';
import { userSchema, usernameSchema } from '../users/index.js';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES } from './password-hasher.js';

/** 8-72 bytes of UTF-8: longer passwords are refused, never silently truncated by bcrypt. */
export const passwordSchema = z
  .string()
  .refine(
    (value) => Buffer.byteLength(value, 'utf8') >= PASSWORD_MIN_BYTES,
    `must be at least ${PASSWORD_MIN_BYTES} bytes`,
  )
  .refine(
    (value) => Buffer.byteLength(value, 'utf8') <= PASSWORD_MAX_BYTES,
    `must be at most ${PASSWORD_MAX_BYTES} bytes (UTF-8)`,
  )
  .openapi({ format: 'password', example: 'correct horse battery' });

// Opaque refresh tokens are 32 random bytes in base64url: exactly 43 characters.
const refreshTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a refresh token');

export const registerBody = z
  .strictObject({
    username: usernameSchema,
    email: z
      .string()
      .max(254, 'must be at most 254 characters')
      .pipe(z.email('must be an email address')),
    password: passwordSchema,
    name: text(100, 1),
  })
  .openapi('Register', {
    example: {
      username: 'sam.lifts',
      email: 'sam@example.com',
      password: 'correct horse battery',
      name: 'Sam Carter',
    },
  });

const deviceTokenSchema = z.string().max(4096);

export const loginBody = z
  .strictObject({
    login: z.string().min(1).max(254).openapi({ description: 'Email or username' }),
    password: z.string().min(1).max(1024),
    deviceToken: deviceTokenSchema.optional().openapi({
      description:
        'The `deviceToken` an earlier sign-in of this account returned on this device. Such a ' +
        'sign-in is judged on its own: failures of strangers (other devices, other networks) ' +
        'never lock it out. A token that is invalid, expired or of another account is ignored.',
    }),
  })
  .openapi('Login', { example: { login: 'sam@example.com', password: 'correct horse battery' } });

const refreshTokenExample = 'Yk3n8Q0vR2tX5wZ7aC9eG1iK3mO5qS7uW9yA1cE3gI4';

export const refreshBody = z
  .strictObject({ refreshToken: refreshTokenSchema })
  .openapi('Refresh', { example: { refreshToken: refreshTokenExample } });

export const logoutBody = z
  .strictObject({ refreshToken: refreshTokenSchema.optional() })
  .openapi('Logout');

export const changePasswordBody = z
  .strictObject({
    currentPassword: z.string().min(1).max(1024),
    newPassword: passwordSchema,
    code: z
      .string()
      .min(6)
      .max(24)
      .optional()
      .openapi({ description: 'A TOTP or recovery code, while two-factor sign-in is on' }),
  })
  .openapi('ChangePassword', {
    example: { currentPassword: 'correct horse battery', newPassword: 'a new sound one' },
  });

export const authSessionSchema = z
  .object({
    user: userSchema,
    accessToken: z.string().openapi({
      example:
        'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3YzFmOWE1MiIsInJvbGUiOiJtZW1iZXIifQ.' +
        'c2lnbmF0dXJl',
    }),
    refreshToken: z.string().openapi({ example: refreshTokenExample }),
    tokenType: z.literal('Bearer'),
    expiresIn: z
      .number()
      .int()
      .openapi({ description: 'Access token lifetime in seconds', example: 900 }),
  })
  .openapi('AuthSession');
export type AuthSession = z.infer<typeof authSessionSchema>;

/** What registration and sign-in answer: a session plus this device's token. */
export const signInSchema = authSessionSchema
  .extend({
    deviceToken: z.string().openapi({
      description:
        'Keep it on this device and send it with later sign-ins (`POST /login`): it exempts ' +
        'them from lockouts that others’ failures cause. Renewed at every sign-in; not a ' +
        'credential by itself.',
      example: 'dvt_4Jm9QxZ2bR7kT1wP8nE5cV3yH6sA0fL',
    }),
  })
  .openapi('SignIn');
export type SignIn = z.infer<typeof signInSchema>;

/** The password was right and two-factor sign-in is on: the code completes the sign-in. */
export const mfaChallengeSchema = z
  .object({
    mfaRequired: z.literal(true),
    mfaToken: z.string().openapi({
      description:
        'Send it with a code to `POST /api/auth/mfa/verify`. Good for that one purpose only, ' +
        'for `expiresIn` seconds (`MFA_TOKEN_TTL_SECONDS`).',
    }),
    expiresIn: z.number().int(),
  })
  .openapi('MfaChallenge', {
    example: { mfaRequired: true, mfaToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIi…', expiresIn: 300 },
  });
export type MfaChallenge = z.infer<typeof mfaChallengeSchema>;

/** Staff or admin under mandatory two-factor sign-in, not enrolled yet: enrol first. */
export const mfaEnrolmentRequiredSchema = z
  .object({
    mfaEnrolmentRequired: z.literal(true),
    enrolmentToken: z.string().openapi({
      description:
        'Good only for `POST /api/auth/mfa/enrolment` and `/mfa/enrolment/confirm`, which ' +
        'answers the session once an authenticator is enrolled.',
    }),
    expiresIn: z.number().int(),
  })
  .openapi('MfaEnrolmentRequired', {
    example: {
      mfaEnrolmentRequired: true,
      enrolmentToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIi…',
      expiresIn: 900,
    },
  });
export type MfaEnrolmentRequired = z.infer<typeof mfaEnrolmentRequiredSchema>;

export const loginResultSchema = z
  .union([signInSchema, mfaChallengeSchema, mfaEnrolmentRequiredSchema])
  .openapi('LoginResult');
export type LoginResult = z.infer<typeof loginResultSchema>;

const emailSchema = z
  .string()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be an email address'));

// Emailed tokens are 32 random bytes in base64url: exactly 43 characters.
const linkTokenSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, 'not a link token')
  .openapi({ example: 'q3X9yPz0tA6b8mE1sV4kR7uW2nC5dF8gH1jK4lM7oQ0' });

/** A TOTP code (6 digits) or a recovery code (`ABCD-EFGH-IJKL-MNOP`). */
export const codeSchema = z.string().min(6).max(24).openapi({
  description: 'Six digits from the authenticator app, or an unused recovery code',
  example: '492039',
});

export const forgotPasswordBody = z
  .strictObject({ email: emailSchema })
  .openapi('ForgotPassword', { example: { email: 'sam@example.com' } });

export const resetPasswordBody = z
  .strictObject({ token: linkTokenSchema, password: passwordSchema })
  .openapi('ResetPassword', {
    example: { token: 'q3X9yPz0tA6b8mE1sV4kR7uW2nC5dF8gH1jK4lM7oQ0', password: 'a new sound one' },
  });

export const verifyEmailBody = z
  .strictObject({ token: linkTokenSchema })
  .openapi('VerifyEmail', { example: { token: 'q3X9yPz0tA6b8mE1sV4kR7uW2nC5dF8gH1jK4lM7oQ0' } });

export const verifiedEmailSchema = z
  .object({ email: z.string(), emailVerified: z.literal(true) })
  .openapi('VerifiedEmail', { example: { email: 'sam@example.com', emailVerified: true } });

export const mfaVerifyBody = z
  .strictObject({ mfaToken: z.string().min(1).max(4096), code: codeSchema })
  .openapi('MfaVerify', {
    example: { mfaToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIi…', code: '492039' },
  });

export const reauthenticateBody = z
  .strictObject({
    password: z.string().min(1).max(1024),
    code: codeSchema.optional().openapi({ description: 'Required while two-factor sign-in is on' }),
  })
  .openapi('Reauthenticate', { example: { password: 'correct horse battery', code: '492039' } });

export const reauthenticatedSchema = z
  .object({
    reauthenticatedUntil: z.iso.datetime().openapi({
      description: 'Sensitive actions of this session need no further proof until then',
    }),
  })
  .openapi('Reauthenticated', { example: { reauthenticatedUntil: '2026-01-05T10:35:00.000Z' } });

export const totpEnrolmentSchema = z
  .object({
    secret: z.string().openapi({ description: 'Base32 seed, for typing into the app by hand' }),
    otpauthUri: z.string().openapi({ description: 'Show it as a QR code for the app to scan' }),
  })
  .openapi('TotpEnrolment', {
    example: {
      secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
      otpauthUri:
        'otpauth://totp/NXG%20Connect:sam%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&period=30&digits=6&algorithm=SHA1&issuer=NXG%20Connect',
    },
  });

export const confirmTotpBody = z
  .strictObject({ code: z.string().regex(/^\d{6}$/, 'must be six digits') })
  .openapi('ConfirmTotp', { example: { code: '492039' } });

const recoveryCodesExample = [
  'K7QX-M2PA-4RZT-W9BN',
  'C3VD-88LE-QJ2M-T6XA',
  'P4HN-R7WK-2ZCS-B5QE',
  'X2MT-J6PA-9LDR-V3KC',
  'E8BW-T4QN-5HZM-R2JP',
  'L6CV-N3XE-8PKT-W4DA',
  'Q9RM-B2ZH-7TCX-J5NL',
  'V5KP-E3WD-6MQA-Z8RT',
  'H2TN-X7BJ-4CVL-P9EM',
  'Z3WQ-K5RA-2NHD-M6TX',
];

export const recoveryCodesSchema = z
  .object({
    recoveryCodes: z.array(z.string()).openapi({
      description: 'Ten single-use codes, shown this once: each can replace a code one time',
      example: recoveryCodesExample,
    }),
  })
  .openapi('RecoveryCodes', { example: { recoveryCodes: recoveryCodesExample } });

export const enrolmentTokenBody = z
  .strictObject({ enrolmentToken: z.string().min(1).max(4096) })
  .openapi('MfaEnrolmentStart', { example: { enrolmentToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIi…' } });

export const confirmEnrolmentBody = z
  .strictObject({
    enrolmentToken: z.string().min(1).max(4096),
    code: z.string().regex(/^\d{6}$/, 'must be six digits'),
  })
  .openapi('MfaEnrolmentConfirm', {
    example: { enrolmentToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIi…', code: '492039' },
  });

export const enrolledSignInSchema = signInSchema
  .extend({ recoveryCodes: recoveryCodesSchema.shape.recoveryCodes })
  .openapi('EnrolledSignIn');

export const disableTotpBody = z
  .strictObject({ password: z.string().min(1).max(1024), code: codeSchema })
  .openapi('DisableTotp', { example: { password: 'correct horse battery', code: '492039' } });

export const newRecoveryCodesBody = z
  .strictObject({ password: z.string().min(1).max(1024), code: codeSchema.optional() })
  .openapi('NewRecoveryCodes', { example: { password: 'correct horse battery', code: '492039' } });

export const mfaStatusSchema = z
  .object({ totpEnabled: z.boolean(), recoveryCodesLeft: z.number().int() })
  .openapi('MfaStatus', { example: { totpEnabled: true, recoveryCodesLeft: 9 } });

/** The answer of requests whose work continues in the background (email on its way). */
export const acceptedSchema = z
  .object({ status: z.literal('accepted'), detail: z.string() })
  .openapi('Accepted', {
    example: {
      status: 'accepted',
      detail: 'If an account uses this address, a link is on its way.',
    },
  });
