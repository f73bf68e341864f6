import type { RequestHandler } from 'express';
import type { Database } from '../../db/database.js';
import { forbidden, unauthenticated } from '../../lib/errors.js';
import type { AccessClaims, AuthUser } from '../../lib/http/request-context.js';
import type { Access } from '../../lib/http/route.js';
import type { UsersRepository } from '../users/index.js';
import { TokenRejectedError, type AccessTokens, type TokenRejection } from './access-tokens.js';
import type { RevocationList } from './revocation-list.js';

// RFC 7235: the scheme name is case-insensitive.
const BEARER = /^bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

const rejectionDetail: Record<TokenRejection | 'missing', string> = {
  missing: 'A valid access token is required.',
  expired: 'The access token has expired; refresh it.',
  invalid: 'The access token is invalid.',
};

/**
 * Authentication for HTTP and sockets alike: cheap signature identification, then the checks
 * that need the cache and the database before anything is served.
 */
/** The one account lookup the guard makes; the users module's repository provides it. */
export type GuardAccounts = Pick<UsersRepository, 'findById'>;

export function createAuthGuard(deps: {
  db: Database;
  revocations: RevocationList;
  tokens: AccessTokens;
  accounts: GuardAccounts;
}) {
  const rejections = new WeakMap<object, TokenRejection>();

  /**
   * Admits claims only while the token is live (not logged out, family not revoked) and its
   * user still exists; the role is read from the database so role changes apply at once.
   */
  const authenticate = async (claims: AccessClaims): Promise<AuthUser> => {
    // One cache command; PostgreSQL only while the cache cannot vouch for its markers.
    if (await deps.revocations.isRevoked(claims)) {
      throw unauthenticated('The access token has been revoked.');
    }
    const user = await deps.accounts.findById(deps.db, claims.userId);
    if (!user?.isActive) throw unauthenticated('The account no longer exists.');
    return { ...claims, role: user.role, account: user };
  };

  /** Verifies and authenticates a raw token (the Socket.IO handshake's `auth.token`). */
  const authenticateToken = async (token: string): Promise<AuthUser> => {
    try {
      return await authenticate(deps.tokens.verify(token));
    } catch (error) {
      if (error instanceof TokenRejectedError) throw unauthenticated(rejectionDetail[error.reason]);
      throw error;
    }
  };

  /**
   * Verifies the signature of a bearer token if there is one and records its claims, so rate
   * limiting can key on the user. It never rejects: routes decide whether they need a user.
   */
  const identify: RequestHandler = (req, _res, next) => {
    const header = req.headers.authorization;
    if (header) {
      const match = BEARER.exec(header);
      try {
        if (!match?.[1]) throw new TokenRejectedError('invalid');
        req.claims = deps.tokens.verify(match[1]);
      } catch (error) {
        rejections.set(req, error instanceof TokenRejectedError ? error.reason : 'invalid');
      }
    }
    next();
  };

  /** Admits a request with live claims whose user's role the access policy allows. */
  const guard =
    (access: Exclude<Access, 'public'>): RequestHandler =>
    async (req, _res, next) => {
      if (!req.claims) throw unauthenticated(rejectionDetail[rejections.get(req) ?? 'missing']);
      req.user = await authenticate(req.claims);
      if (typeof access !== 'string' && !access.includes(req.user.role)) throw forbidden();
      next();
    };

  return { identify, guard, authenticateToken };
}

export type AuthGuard = ReturnType<typeof createAuthGuard>;
