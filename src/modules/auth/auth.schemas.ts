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
  .openapi('Register');

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
  .openapi('Login');

export const refreshBody = z.strictObject({ refreshToken: refreshTokenSchema }).openapi('Refresh');

export const logoutBody = z
  .strictObject({ refreshToken: refreshTokenSchema.optional() })
  .openapi('Logout');

export const changePasswordBody = z
  .strictObject({ currentPassword: z.string().min(1).max(1024), newPassword: passwordSchema })
  .openapi('ChangePassword');

export const authSessionSchema = z
  .object({
    user: userSchema,
    accessToken: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().openapi({ description: 'Access token lifetime in seconds' }),
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
    }),
  })
  .openapi('SignIn');
export type SignIn = z.infer<typeof signInSchema>;
