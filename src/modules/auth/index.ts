// The auth feature as other modules see it.
export { AccessTokens, generateRsaKeyPair, resolveSigningKeys } from './access-tokens.js';
export { createAuthGuard, type AuthGuard } from './auth.guard.js';
export { registerAuthJobs } from './auth.jobs.js';
export { authRoutes } from './auth.routes.js';
export { AuthService } from './auth.service.js';
export { LoginThrottle } from './login-throttle.js';
export { PasswordHasher } from './password-hasher.js';
export { RevocationList } from './revocation-list.js';
