import type { Role } from '../roles.js';

/**
 * The account row the auth guard read for the caller. Its full shape belongs to the users
 * module, which completes this interface by declaration merging (users.table.ts), so lib/
 * imports nothing from a feature module.
 */
export interface AuthenticatedAccount {
  id: string;
  role: Role;
}

/**
 * A branch the caller belongs to, as the guard read it with the account (for `branches[]`).
 * The users module completes it by declaration merging, as with the account.
 */
export interface AuthenticatedMembership {
  branchId: string;
}

/** Claims of a verified access token. */
export interface AccessClaims {
  userId: string;
  role: Role;
  jti: string;
  /** Refresh family (login session) the token was issued for. */
  familyId: string;
  expiresAt: number;
}

/**
 * The caller as the auth guard established it: live token claims, `role` as stored now, and
 * the account row the guard read (so handlers need not read it again).
 */
export interface AuthUser extends AccessClaims {
  account: AuthenticatedAccount;
  /** The account's branch memberships, read (or validated) together with the account. */
  branches: readonly AuthenticatedMembership[];
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set when the request carries a validly signed access token (not yet checked for revocation). */
    claims?: AccessClaims;
    /** Set by the auth guard once the token is known to be live and its user to exist. */
    user?: AuthUser;
    /** Route template for metrics and logs, e.g. `/api/users/:id/role`. */
    routeTemplate?: string;
  }
}
