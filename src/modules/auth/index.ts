// The auth feature as other modules see it.
export { AccessTokens, generateRsaKeyPair, resolveSigningKeys } from './access-tokens.js';
export { AccountMail } from './account-mail.js';
export { accountPagesRoutes } from './account-pages.routes.js';
export { createAuthGuard, type AuthGuard } from './auth.guard.js';
export { registerAuthJobs } from './auth.jobs.js';
export { authRoutes } from './auth.routes.js';
export { AuthService, type ActingSession, type SensitiveActionProof } from './auth.service.js';
export { EmailVerification } from './email-verification.service.js';
export { LoginThrottle } from './login-throttle.js';
export { PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES, PasswordHasher } from './password-hasher.js';
export { recoveryRoutes } from './recovery.routes.js';
export { RevocationList } from './revocation-list.js';
export { TotpFactor } from './totp-factor.js';
export { TwoFactorService } from './two-factor.service.js';
