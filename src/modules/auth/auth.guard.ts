import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { forbidden, unauthenticated } from '../../lib/errors.js';
import type { AccessClaims, AuthUser } from '../../lib/http/request-context.js';
import type { Access } from '../../lib/http/route.js';
import {
  KeyValueUnavailableError,
  kvKeys,
  type KeyValueStore,
  type RequestState,
} from '../../lib/kv/kv.js';
import type { Logger } from '../../lib/logger.js';
import { ACCOUNT_VERSION_TTL_SECONDS, AccountCache, type LoadedAccount } from './account-cache.js';
import { TokenRejectedError, type AccessTokens, type TokenRejection } from './access-tokens.js';
import type { RevocationList } from './revocation-list.js';

// RFC 7235: the scheme name is case-insensitive.
const BEARER = /^bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

const rejectionDetail: Record<TokenRejection | 'missing', string> = {
  missing: 'A valid access token is required.',
  expired: 'The access token has expired; refresh it.',
  invalid: 'The access token is invalid.',
};

/** How the guard reads an account and its memberships from the database. */
export interface GuardAccounts {
  load(userId: string): Promise<LoadedAccount | undefined>;
}

/** One hit for a rate limit counted in the guard's cache round trip. */
export interface FusedHit {
  key: string;
  windowMs: number;
}

/**
 * Authentication for HTTP and sockets alike: cheap signature identification, then the checks
 * that need the cache (and, only when something changed or the cache cannot vouch, the
 * database) before anything is served.
 *
 * Per request the guard makes one cache round trip (`KeyValueStore.readRequestState`): the
 * revocation markers, the account's version stamps and, when the general rate limit asks
 * through `countHit`, its counter. With the stamps unchanged, the account comes from this
 * process's copy (see AccountCache) and PostgreSQL is not asked at all.
 */
export function createAuthGuard(deps: {
  kv: KeyValueStore;
  revocations: RevocationList;
  tokens: AccessTokens;
  accounts: GuardAccounts;
  logger: Logger;
}) {
  const rejections = new WeakMap<object, TokenRejection>();
  /** Round trips started by the rate limiter for a request, which the guard then reads. */
  const started = new WeakMap<Request, Promise<RequestState>>();
  const cache = new AccountCache({ kv: deps.kv, logger: deps.logger });
  // The stamp Redis stores when it has none (it lost them): it must differ from every stamp made
  // before, which this process's random prefix and a counter ensure without drawing fresh
  // random bytes on every request.
  const stampPrefix = randomUUID();
  let stampsOffered = 0;

  const readState = (claims: AccessClaims, hit?: FusedHit): Promise<RequestState> =>
    deps.kv.readRequestState({
      hash: { key: kvKeys.revocations, fields: deps.revocations.markerFields(claims) },
      versions: {
        keys: [kvKeys.accountVersion(claims.userId), kvKeys.branchesVersion],
        freshVersion: `${stampPrefix}:${String((stampsOffered += 1))}`,
        ttlSeconds: ACCOUNT_VERSION_TTL_SECONDS,
      },
      counter: hit,
    });

  /**
   * Admits claims only while the token is live (not logged out, family not revoked) and its
   * user still exists; the role is the stored one, so role changes apply at once.
   */
  const authenticate = async (
    claims: AccessClaims,
    pending?: Promise<RequestState>,
  ): Promise<AuthUser> => {
    const readAt = Date.now();
    let state: RequestState | undefined;
    try {
      state = await (pending ?? readState(claims));
    } catch (error) {
      if (!(error instanceof KeyValueUnavailableError)) throw error;
    }
    const revoked = state
      ? await deps.revocations.judge(claims, state.fields)
      : await deps.revocations.isRevokedWithoutCache(claims);
    if (revoked) throw unauthenticated('The access token has been revoked.');

    let loaded: LoadedAccount | undefined;
    if (state) {
      // Changes this instance could not announce while the cache was away go out first.
      if (cache.hasUnsentStamps) await cache.sendStamps();
      const stamp = state.versions.join(' ');
      loaded = cache.get(claims.userId, stamp);
      if (!loaded) {
        loaded = await deps.accounts.load(claims.userId);
        if (loaded) cache.set(claims.userId, stamp, readAt, loaded);
      }
    } else {
      // Without the cache nothing can vouch for a copy: the database answers.
      loaded = await deps.accounts.load(claims.userId);
    }
    if (!loaded?.account.isActive) throw unauthenticated('The account no longer exists.');
    return {
      ...claims,
      role: loaded.account.role,
      account: loaded.account,
      branches: loaded.branches,
    };
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

  /**
   * Counts a rate-limit hit for an identified request in the same cache round trip the guard
   * will read, and hands the guard that round trip. Rejects as the cache does
   * (`KeyValueUnavailableError` while it is unreachable), and then the guard degrades too.
   */
  const countHit = (req: Request, hit: FusedHit): Promise<{ count: number; resetAt: number }> => {
    const claims = req.claims;
    if (!claims) throw new Error('countHit needs an identified request');
    const pending = readState(claims, hit);
    // A public route never reads it; its failure is the limiter's to handle.
    pending.catch(() => undefined);
    started.set(req, pending);
    return pending.then((state) => {
      if (!state.counter) throw new Error('the cache counted no hit');
      return state.counter;
    });
  };

  /** Admits a request with live claims whose user's role the access policy allows. */
  const guard =
    (access: Exclude<Access, 'public'>): RequestHandler =>
    async (req, _res, next) => {
      if (!req.claims) throw unauthenticated(rejectionDetail[rejections.get(req) ?? 'missing']);
      const pending = started.get(req);
      started.delete(req);
      req.user = await authenticate(req.claims, pending);
      if (typeof access !== 'string' && !access.includes(req.user.role)) throw forbidden();
      next();
    };

  return {
    identify,
    guard,
    authenticateToken,
    countHit,
    /** Listener for `listenForCommittedChanges`: keeps cached accounts current. */
    onCommittedChanges: cache.onCommittedChanges,
  };
}

export type AuthGuard = ReturnType<typeof createAuthGuard>;
