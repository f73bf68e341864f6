import type { RequestHandler } from 'express';
import type { Database } from '../../db/database.js';
import { forbidden, unauthenticated } from '../../lib/errors.js';
import type { Access } from '../../lib/http/route.js';
import { kvKeys, type KeyValueStore } from '../../lib/kv/kv.js';
import { usersRepository } from '../users/index.js';
import { TokenRejectedError, type AccessTokens, type TokenRejection } from './access-tokens.js';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;

const rejectionDetail: Record<TokenRejection | 'missing', string> = {
  missing: 'A valid access token is required.',
  expired: 'The access token has expired; refresh it.',
  invalid: 'The access token is invalid.',
};

/** Authentication as two steps: cheap identification for every request, full checks per route. */
export function createAuthGuard(deps: { db: Database; kv: KeyValueStore; tokens: AccessTokens }) {
  const rejections = new WeakMap<object, TokenRejection>();

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

  /**
   * Admits a request only with a live token (not logged out, family not revoked) of a user who
   * still exists; the role is read from the database so role changes apply at once.
   */
  const guard =
    (access: Exclude<Access, 'public'>): RequestHandler =>
    async (req, _res, next) => {
      const claims = req.claims;
      if (!claims) throw unauthenticated(rejectionDetail[rejections.get(req) ?? 'missing']);
      const [revokedToken, revokedFamily] = await deps.kv.getMany([
        kvKeys.revokedAccessToken(claims.jti),
        kvKeys.revokedFamily(claims.familyId),
      ]);
      if (revokedToken !== null || revokedFamily !== null) {
        throw unauthenticated('The access token has been revoked.');
      }
      const user = await usersRepository.findById(deps.db, claims.userId);
      if (!user?.isActive) throw unauthenticated('The account no longer exists.');
      req.user = { ...claims, role: user.role };
      if (typeof access !== 'string' && !access.includes(user.role)) throw forbidden();
      next();
    };

  return { identify, guard };
}

export type AuthGuard = ReturnType<typeof createAuthGuard>;
