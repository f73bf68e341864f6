import { createHash, randomBytes } from 'node:crypto';
import { uniqueViolation } from '../../db/constraint-violations.js';
import type { Database } from '../../db/database.js';
import {
  AppError,
  conflict,
  invalidCredentials,
  invalidLinkToken,
  invalidSecondFactor,
  reauthenticationRequired,
  unauthenticated,
  validationError,
  wrongCode,
  wrongPassword,
} from '../../lib/errors.js';
import type { DomainEvents } from '../../lib/events/domain-events.js';
import type { Logger } from '../../lib/logger.js';
import type { AuthUser } from '../../lib/http/request-context.js';
import {
  emptyProfile,
  type SessionSummary,
  type UserRow,
  type UserView,
  type UsersRepository,
} from '../users/index.js';
import type { AccessTokens, SignInChallenge } from './access-tokens.js';
import { hashLinkToken, type AccountMail } from './account-mail.js';
import { authRepository, type RevocationReason } from './auth.repository.js';
import type { AuthSession, LoginResult, SignIn } from './auth.schemas.js';
import type { CountedAttempt, LoginThrottle, PasswordAttempt } from './login-throttle.js';
import { recoveryRepository } from './recovery.repository.js';
import type { TotpFactor } from './totp-factor.js';
import type { RevocationList } from './revocation-list.js';
import { PASSWORD_MAX_BYTES, type PasswordHasher } from './password-hasher.js';

export interface AuthServiceDeps {
  db: Database;
  /** Revocation markers in the cache, written after each revocation is recorded. */
  revocations: RevocationList;
  logger: Logger;
  tokens: AccessTokens;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  refreshTokenTtlSeconds: number;
  refreshFamilyLifetimeSeconds: number;
  /** The accounts auth signs in, creates and changes passwords of (the users module's). */
  accounts: AuthAccounts;
  /** Shows the user as the API does (with branch memberships, which another module owns). */
  users: AccountPresenter;
  events: DomainEvents;
  /** The account's second factor, when it has one. */
  totp: TotpFactor;
  /** Account email, queued in the transaction of the change it is about. */
  mail: AccountMail;
  mfa: {
    /** Staff and admin must enrol before they get a session. */
    requiredForStaff: boolean;
    /** Lifetime of `mfaToken`; an enrolment token lives three times as long. */
    challengeTtlSeconds: number;
  };
  /** How long a sign-in or re-authentication lets the session take sensitive actions. */
  reauthWindowSeconds: number;
}

/** How a caller proves the account's factors for a sensitive action, with the fields named. */
export interface SensitiveActionProof {
  password?: { value: string; field: string };
  code?: { value: string; field: string };
}

/** The caller of a sensitive action: the account and the session (refresh family) it uses. */
export interface ActingSession {
  userId: string;
  familyId: string;
}

/** What auth reads and writes of accounts; the users module's repository provides it. */
export type AuthAccounts = Pick<
  UsersRepository,
  'findById' | 'findByLogin' | 'insert' | 'update' | 'countByRole'
>;

/** Which factor of a proof was wrong. */
type FactorVerdict = 'right' | 'wrong-password' | 'wrong-code';

/** What sign-in answers need to show the user; the users module provides it. */
export interface AccountPresenter {
  present(row: UserRow): Promise<UserView>;
}

declare module '../../lib/events/domain-events.js' {
  interface DomainEventMap {
    /**
     * Access tokens or whole login sessions stopped being valid (logout, reuse, password
     * change): long-lived connections made with them (sockets) end too, instead of living until
     * the token expires.
     */
    'auth.sessions-revoked': { accessTokenIds?: string[]; familyIds?: string[] };
  }
}

/** A login session just recorded, before it is presented. */
interface StartedSession {
  user: UserRow;
  familyId: string;
  refreshToken: string;
}

/** Where a session starts from, kept on the family for the user's session list. */
export interface ClientInfo {
  ip: string;
  userAgent: string | null;
  /** Aborts when the client hangs up, so queued password work for it is skipped. */
  signal?: AbortSignal;
}

/** Runs the password check of a counted attempt; if it never reaches a verdict, takes it back. */
async function judged(attempt: CountedAttempt, check: () => Promise<boolean>): Promise<boolean> {
  try {
    return await check();
  } catch (error) {
    await attempt.abandoned();
    throw error;
  }
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const newRefreshToken = () => randomBytes(32).toString('base64url');

/** Registration, sign-in, refresh-token rotation and revocation. */
export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  async register(
    input: { username: string; email: string; password: string; name: string },
    client: ClientInfo,
  ): Promise<SignIn> {
    const passwordHash = await this.deps.hasher.hash(input.password, client.signal);
    try {
      const started = await this.deps.db.transaction(async (tx) => {
        const user = await this.deps.accounts.insert(tx, {
          username: input.username,
          email: input.email,
          passwordHash,
          profile: emptyProfile(input.name),
        });
        await this.deps.mail.queue(tx, 'verify-email', {
          userId: user.id,
          recipient: user.email,
        });
        return this.startSession(tx, user, client);
      });
      return {
        ...(await this.sessionResponse(started)),
        deviceToken: this.deps.tokens.signDevice(started.user.id),
      };
    } catch (error) {
      const constraint = uniqueViolation(error);
      if (constraint === undefined) throw error;
      throw constraint.includes('email')
        ? conflict('That email is already registered.', 'EMAIL_TAKEN')
        : conflict('That username is already taken.', 'USERNAME_TAKEN');
    }
  }

  /**
   * A sign-in that must complete with the password alone (internal callers: tools and tests).
   * An account that needs a second step (two-factor sign-in, mandatory enrolment) is refused
   * with 401; clients use `signIn`, which answers the second step instead.
   */
  async login(
    input: { login: string; password: string; deviceToken?: string },
    client: ClientInfo,
  ): Promise<SignIn> {
    const result = await this.signIn(input, client);
    if ('accessToken' in result) return result;
    throw unauthenticated('This account needs a second sign-in step (POST /api/auth/login).');
  }

  /**
   * Checks credentials with the same work and the same answer whether or not the account
   * exists. A valid device token of the account makes the attempt count against that device
   * only; any other attempt counts against the account, the account from this IP, and the IP.
   */
  async signIn(
    input: { login: string; password: string; deviceToken?: string },
    client: ClientInfo,
  ): Promise<LoginResult> {
    const user = await this.deps.accounts.findByLogin(this.deps.db, input.login);
    const device = input.deviceToken ? this.deps.tokens.verifyDevice(input.deviceToken) : undefined;
    const trusted = user !== undefined && device?.userId === user.id ? device : undefined;
    const attempt = await this.deps.throttle.begin(
      trusted
        ? { kind: 'trusted-sign-in', deviceId: trusted.deviceId }
        : {
            kind: 'sign-in',
            account: user ? { userId: user.id } : { login: input.login },
            ip: client.ip,
          },
    );
    // bcrypt would compare only the first 72 bytes; a longer password can never be right.
    const tooLong = Buffer.byteLength(input.password, 'utf8') > PASSWORD_MAX_BYTES;
    const valid = await judged(attempt, () =>
      user && user.isActive && !tooLong
        ? this.deps.hasher.verify(input.password, user.passwordHash, client.signal)
        : this.deps.hasher.verifyDecoy(input.password, client.signal),
    );
    if (!user || !valid) {
      throw invalidCredentials();
    }
    const challenge = { userId: user.id, deviceId: trusted?.deviceId };
    const { mfa, tokens } = this.deps;
    if (await this.deps.totp.isEnabled(user.id)) {
      // Only all factors together make a successful sign-in: until the code is right, the
      // attempt neither counts as failed nor resets the counters its code failures will use.
      await attempt.abandoned();
      return {
        mfaRequired: true,
        mfaToken: tokens.signChallenge('mfa', challenge, mfa.challengeTtlSeconds),
        expiresIn: mfa.challengeTtlSeconds,
      };
    }
    await attempt.succeeded();
    if (mfa.requiredForStaff && user.role !== 'member') {
      const ttl = mfa.challengeTtlSeconds * 3;
      return {
        mfaEnrolmentRequired: true,
        enrolmentToken: tokens.signChallenge('mfa-enrolment', challenge, ttl),
        expiresIn: ttl,
      };
    }
    return this.signInAs(user, client, trusted?.deviceId);
  }

  /**
   * Completes a sign-in of an account with two-factor sign-in: the `mfaToken` of the password
   * step plus a TOTP code (each time step accepted once) or an unused recovery code. Wrong
   * codes count against the same lockouts as wrong passwords of that sign-in.
   */
  async verifyMfa(input: { mfaToken: string; code: string }, client: ClientInfo): Promise<SignIn> {
    const challenge = this.deps.tokens.verifyChallenge('mfa', input.mfaToken);
    const expired = 'The sign-in step has expired or is invalid; sign in with the password again.';
    if (!challenge) throw invalidSecondFactor(expired);
    const user = await this.deps.accounts.findById(this.deps.db, challenge.userId);
    if (!user?.isActive) throw invalidSecondFactor(expired);
    const attempt = await this.deps.throttle.begin(this.signInAttemptOf(challenge, client));
    const verdict = await judged(attempt, async () => {
      const checked = await this.deps.totp.check(user.id, input.code, { allowRecoveryCode: true });
      return checked !== 'wrong';
    });
    if (!verdict) throw invalidSecondFactor();
    await attempt.succeeded();
    return this.signInAs(user, client, challenge.deviceId);
  }

  /** Checks an enrolment token (mandatory two-factor sign-in) and answers its account. */
  async accountOfEnrolment(enrolmentToken: string): Promise<UserRow> {
    const challenge = this.deps.tokens.verifyChallenge('mfa-enrolment', enrolmentToken);
    const user = challenge && (await this.deps.accounts.findById(this.deps.db, challenge.userId));
    if (!user?.isActive) {
      throw invalidSecondFactor('The enrolment token has expired or is invalid; sign in again.');
    }
    return user;
  }

  /** Counts a code of a sign-in's second step as its password was counted. */
  signInAttemptOf(challenge: SignInChallenge, client: ClientInfo): PasswordAttempt {
    return challenge.deviceId
      ? { kind: 'trusted-sign-in', deviceId: challenge.deviceId }
      : { kind: 'sign-in', account: { userId: challenge.userId }, ip: client.ip };
  }

  /** Starts a session for an account whose every factor was just proved. */
  async signInAs(user: UserRow, client: ClientInfo, deviceId?: string): Promise<SignIn> {
    const started = await this.deps.db.transaction((tx) => this.startSession(tx, user, client));
    return {
      ...(await this.sessionResponse(started)),
      // The same device keeps its identity (and its counter); the token's lifetime starts anew.
      deviceToken: this.deps.tokens.signDevice(user.id, deviceId),
    };
  }

  /**
   * Re-authentication for sensitive actions (password change, account deletion): a wrong
   * password is a 403 `WRONG_PASSWORD` and counts against the account's own counter, which
   * only holders of the account's tokens can touch; over the limit the answer is 429.
   */
  async confirmPassword(userId: string, password: string, field: string): Promise<void> {
    await this.verifyFactors(userId, { password: { value: password, field } });
  }

  /**
   * The gate of sensitive actions (password change, account deletion, email change, disabling
   * two-factor sign-in, new recovery codes, role changes). It passes when the request proves
   * the account's factors now — the password, plus a code when two-factor sign-in is on — or
   * when the session proved them within REAUTH_WINDOW_SECONDS (its sign-in, or
   * `POST /api/auth/reauthenticate`). A password given is always checked. Otherwise 403
   * `REAUTHENTICATION_REQUIRED`; wrong factors are 403 `WRONG_PASSWORD` / `WRONG_CODE`, counted.
   */
  async confirmSensitiveAction(
    session: ActingSession,
    proof: SensitiveActionProof = {},
  ): Promise<void> {
    const twoFactor = await this.deps.totp.isEnabled(session.userId);
    if (proof.password && (!twoFactor || proof.code)) {
      await this.verifyFactors(session.userId, {
        password: proof.password,
        code: twoFactor ? proof.code : undefined,
      });
      return;
    }
    const recent = await recoveryRepository.reauthenticatedWithin(
      this.deps.db,
      session.familyId,
      this.deps.reauthWindowSeconds,
    );
    if (!recent) {
      throw reauthenticationRequired(
        twoFactor && proof.password
          ? 'Two-factor sign-in is on: give `code` as well, or re-authenticate first ' +
              '(POST /api/auth/reauthenticate).'
          : 'This action needs a recent sign-in: re-authenticate first ' +
              '(POST /api/auth/reauthenticate), then retry.',
      );
    }
    if (proof.password) await this.verifyFactors(session.userId, { password: proof.password });
  }

  /**
   * Proves the account's factors again for this session (password, and a code when two-factor
   * sign-in is on): sensitive actions are allowed until the returned time.
   */
  async reauthenticate(
    session: ActingSession,
    input: { password: string; code?: string },
  ): Promise<{ reauthenticatedUntil: string }> {
    const twoFactor = await this.deps.totp.isEnabled(session.userId);
    if (twoFactor && input.code === undefined) {
      throw validationError('Two-factor sign-in is on: give `code` too.', [
        { path: 'body.code', message: 'is required while two-factor sign-in is on' },
      ]);
    }
    await this.verifyFactors(session.userId, {
      password: { value: input.password, field: 'body.password' },
      code: twoFactor && input.code ? { value: input.code, field: 'body.code' } : undefined,
    });
    const at = await recoveryRepository.markReauthenticated(this.deps.db, session.familyId);
    if (!at) throw unauthenticated('The session has ended; sign in again.');
    return {
      reauthenticatedUntil: new Date(
        at.getTime() + this.deps.reauthWindowSeconds * 1000,
      ).toISOString(),
    };
  }

  /**
   * Checks a password and optionally a code as ONE attempt on the account's re-authentication
   * counter: it resets only when every factor given was right, so a right password cannot
   * wipe the count of wrong codes.
   */
  private async verifyFactors(userId: string, factors: SensitiveActionProof): Promise<void> {
    const attempt = await this.deps.throttle.begin({ kind: 'reauth', userId });
    const verdict = await this.judgeFactors(attempt, userId, factors);
    if (verdict === 'wrong-password' && factors.password) {
      throw wrongPassword(factors.password.field);
    }
    if (verdict === 'wrong-code' && factors.code) throw wrongCode(factors.code.field);
    await attempt.succeeded();
  }

  private async judgeFactors(
    attempt: CountedAttempt,
    userId: string,
    factors: SensitiveActionProof,
  ): Promise<FactorVerdict> {
    const verdict = await judged(attempt, async () => {
      if (factors.password) {
        const password = factors.password.value;
        const row = await this.deps.accounts.findById(this.deps.db, userId);
        const tooLong = Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES;
        const valid =
          row && !tooLong
            ? await this.deps.hasher.verify(password, row.passwordHash)
            : await this.deps.hasher.verifyDecoy(password);
        if (!valid) return false;
      }
      return true;
    });
    if (!verdict) return 'wrong-password';
    if (!factors.code) return 'right';
    const code = factors.code.value;
    const codeRight = await judged(attempt, async () => {
      const checked = await this.deps.totp.check(userId, code, { allowRecoveryCode: true });
      return checked !== 'wrong';
    });
    return codeRight ? 'right' : 'wrong-code';
  }

  /**
   * Queues a reset link for the address, whether or not an account has it: the request does
   * the same work (one queued message) and gets the same answer either way; the delivery job
   * finds the account, or sends nothing.
   */
  async forgotPassword(email: string): Promise<void> {
    await this.deps.mail.queue(this.deps.db, 'password-reset', { userId: null, recipient: email });
  }

  /**
   * Sets a new password with a reset link's token. The token is spent (it works once); every
   * other reset token of the account dies; every session is revoked (sockets close); the
   * member is told by email. A link followed also proves the address, so it counts as verified.
   */
  async resetPassword(token: string, password: string): Promise<void> {
    const passwordHash = await this.deps.hasher.hash(password);
    const revoked = await this.deps.db.transaction(async (tx) => {
      const used = await recoveryRepository.consumeToken(
        tx,
        'password-reset',
        hashLinkToken(token),
      );
      if (!used) return undefined;
      const user = await this.deps.accounts.findById(tx, used.userId);
      // A link sent to an address the account no longer has is worthless.
      if (!user?.isActive || user.email.toLowerCase() !== used.email.toLowerCase()) {
        return undefined;
      }
      await this.deps.accounts.update(tx, user.id, {
        passwordHash,
        ...(user.emailVerifiedAt === null && { emailVerifiedAt: new Date() }),
      });
      await recoveryRepository.deleteTokens(tx, user.id, 'password-reset');
      await this.deps.mail.queue(
        tx,
        'password-changed',
        { userId: user.id, recipient: user.email },
        { how: 'reset' },
      );
      return authRepository.revokeFamilies(tx, { userId: user.id }, 'password-reset');
    });
    if (!revoked) throw invalidLinkToken('body.token');
    await this.markFamiliesRevoked(revoked);
  }

  /**
   * Rotates a refresh token. A token that was already spent is reuse: the whole family is
   * revoked (its access tokens too) and the caller must sign in again.
   */
  async refresh(refreshToken: string): Promise<AuthSession> {
    const tokenHash = hashToken(refreshToken);
    const outcome = await this.deps.db.transaction(async (tx) => {
      const family = await authRepository.spendLiveToken(tx, tokenHash);
      if (!family) {
        const token = await authRepository.findToken(tx, tokenHash);
        if (!token) return { kind: 'unknown' } as const;
        // Unspent but refused: the token or its session expired or was revoked.
        if (!token.spentAt) return { kind: 'expired' } as const;
        await authRepository.revokeFamilies(
          tx,
          { userId: token.userId, familyId: token.familyId },
          'reuse-detected',
        );
        return { kind: 'reused', familyId: token.familyId, userId: token.userId } as const;
      }
      const user = await this.deps.accounts.findById(tx, family.userId);
      if (!user || !user.isActive) return { kind: 'expired' } as const;
      // Mandatory two-factor sign-in reaches sessions started before it applied to the account.
      if (await this.mustEnrolFirst(tx, user)) return { kind: 'expired' } as const;
      const next = newRefreshToken();
      await authRepository.insertToken(tx, {
        familyId: family.id,
        tokenHash: hashToken(next),
        expiresAt: this.refreshExpiry(family.expiresAt),
      });
      await authRepository.touchFamily(tx, family.id);
      return { kind: 'rotated', user, familyId: family.id, refreshToken: next } as const;
    });

    switch (outcome.kind) {
      case 'rotated':
        return this.sessionResponse(outcome);
      case 'reused':
        await this.markFamiliesRevoked([outcome.familyId]);
        this.deps.logger.warn(
          { userId: outcome.userId, familyId: outcome.familyId },
          'refresh token reuse detected; family revoked',
        );
        throw unauthenticated('This refresh token was already used; sign in again.');
      case 'expired':
        throw unauthenticated('The session has ended; sign in again.');
      case 'unknown':
        throw unauthenticated('Unknown refresh token.');
    }
  }

  /** Ends the caller's session: the access token is blacklisted and its family revoked. */
  async logout(user: AuthUser, refreshToken?: string): Promise<void> {
    const familyIds = [user.familyId];
    if (refreshToken) {
      const token = await authRepository.findToken(this.deps.db, hashToken(refreshToken));
      if (token && token.familyId !== user.familyId) familyIds.push(token.familyId);
    }
    const revoked: string[] = [];
    for (const familyId of familyIds) {
      // Scoped to the caller: a refresh token of another user's family revokes nothing.
      revoked.push(
        ...(await authRepository.revokeFamilies(
          this.deps.db,
          { userId: user.userId, familyId },
          'logout',
        )),
      );
    }
    await this.blacklistAccessToken(user);
    await this.markFamiliesRevoked(revoked);
  }

  async logoutAll(user: AuthUser): Promise<void> {
    await this.revokeAllSessions(user.userId, 'logout-all');
    await this.blacklistAccessToken(user);
  }

  /**
   * Changes the password (a sensitive action: `currentPassword`, plus `code` when two-factor
   * sign-in is on unless the session re-authenticated recently) and signs out every other
   * session; the current one stays. Reset links of the account stop working; the member is told.
   */
  async changePassword(
    user: AuthUser,
    input: { currentPassword: string; newPassword: string; code?: string },
  ): Promise<void> {
    await this.confirmSensitiveAction(user, {
      password: { value: input.currentPassword, field: 'body.currentPassword' },
      code: input.code === undefined ? undefined : { value: input.code, field: 'body.code' },
    });
    const passwordHash = await this.deps.hasher.hash(input.newPassword);
    const revoked = await this.deps.db.transaction(async (tx) => {
      const row = await this.deps.accounts.update(tx, user.userId, { passwordHash });
      await recoveryRepository.deleteTokens(tx, user.userId, 'password-reset');
      if (row) {
        await this.deps.mail.queue(
          tx,
          'password-changed',
          { userId: row.id, recipient: row.email },
          { how: 'change' },
        );
      }
      return authRepository.revokeFamilies(
        tx,
        { userId: user.userId, exceptFamilyId: user.familyId },
        'password-change',
      );
    });
    await this.markFamiliesRevoked(revoked);
  }

  /** Deletes throttle counters that mean nothing any more; answers how many. */
  pruneLoginThrottle(): Promise<number> {
    return this.deps.throttle.prune();
  }

  async revokeAllSessions(userId: string, reason: RevocationReason): Promise<void> {
    const revoked = await authRepository.revokeFamilies(this.deps.db, { userId }, reason);
    await this.markFamiliesRevoked(revoked);
  }

  /** The user's login sessions, as their data export lists them. */
  exportOf(userId: string): Promise<SessionSummary[]> {
    return this.listSessions(userId);
  }

  async listSessions(userId: string): Promise<SessionSummary[]> {
    const families = await authRepository.listFamilies(this.deps.db, userId);
    return families.map((family) => ({
      id: family.id,
      userAgent: family.userAgent,
      createdAt: family.createdAt.toISOString(),
      lastUsedAt: family.lastUsedAt.toISOString(),
      expiresAt: family.expiresAt.toISOString(),
      revokedAt: family.revokedAt?.toISOString() ?? null,
    }));
  }

  /**
   * Creates the configured first admin when no admin exists yet. An existing non-admin account
   * with that email is left alone: promoting it would hand admin to whoever registered first.
   */
  async ensureBootstrapAdmin(admin: {
    email: string;
    password: string;
    username: string;
  }): Promise<void> {
    const db = this.deps.db;
    if ((await this.deps.accounts.countByRole(db, 'admin')) > 0) return;
    const taken =
      (await this.deps.accounts.findByLogin(db, admin.email)) ??
      (await this.deps.accounts.findByLogin(db, admin.username));
    if (taken) {
      this.deps.logger.error(
        'ADMIN_EMAIL or ADMIN_USERNAME belongs to an existing non-admin account; no admin created',
      );
      return;
    }
    try {
      await this.createAdmin(admin);
      this.deps.logger.info({ username: admin.username }, 'bootstrap admin created');
    } catch (error) {
      if (!(error instanceof AppError && error.status === 409)) throw error;
      // Usually another instance starting at the same moment created it first.
      if ((await this.deps.accounts.countByRole(db, 'admin')) === 0) {
        this.deps.logger.error('bootstrap admin not created: its username or email was just taken');
      }
    }
  }

  /**
   * Creates an admin account: the operator's command (`npm run admin -- create`) and the
   * bootstrap admin alike. A taken username or email is a 409, as on registration.
   */
  async createAdmin(admin: { email: string; password: string; username: string }) {
    const passwordHash = await this.deps.hasher.hash(admin.password);
    try {
      return await this.deps.accounts.insert(this.deps.db, {
        username: admin.username,
        email: admin.email,
        passwordHash,
        role: 'admin',
        profile: emptyProfile('Administrator'),
      });
    } catch (error) {
      const constraint = uniqueViolation(error);
      if (constraint === undefined) throw error;
      throw constraint.includes('email')
        ? conflict('That email is already registered.', 'EMAIL_TAKEN')
        : conflict('That username is already taken.', 'USERNAME_TAKEN');
    }
  }

  /** Whether mandatory two-factor sign-in keeps this account from having sessions yet. */
  private async mustEnrolFirst(tx: Database, user: UserRow): Promise<boolean> {
    if (!this.deps.mfa.requiredForStaff || user.role === 'member') return false;
    return !(await this.deps.totp.isEnabled(user.id, tx));
  }

  private refreshExpiry(familyExpiresAt: Date): Date {
    return new Date(
      Math.min(Date.now() + this.deps.refreshTokenTtlSeconds * 1000, familyExpiresAt.getTime()),
    );
  }

  private async startSession(
    tx: Database,
    user: UserRow,
    client: ClientInfo,
  ): Promise<StartedSession> {
    const family = await authRepository.createFamily(tx, {
      userId: user.id,
      userAgent: client.userAgent?.slice(0, 200) ?? null,
      expiresAt: new Date(Date.now() + this.deps.refreshFamilyLifetimeSeconds * 1000),
    });
    const refreshToken = newRefreshToken();
    await authRepository.insertToken(tx, {
      familyId: family.id,
      tokenHash: hashToken(refreshToken),
      expiresAt: this.refreshExpiry(family.expiresAt),
    });
    return { user, familyId: family.id, refreshToken };
  }

  /** Built after the transaction, since presenting the user reads more than its row. */
  private async sessionResponse({
    user,
    familyId,
    refreshToken,
  }: StartedSession): Promise<AuthSession> {
    return {
      user: await this.deps.users.present(user),
      accessToken: this.deps.tokens.sign(user, familyId),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.deps.tokens.ttlSeconds,
    };
  }

  /**
   * Recorded in PostgreSQL until the token expires, so the revocation outlives the cache's
   * marker (the cache may restart empty or be unreachable).
   */
  private async blacklistAccessToken(user: AuthUser): Promise<void> {
    if (user.expiresAt > Math.floor(Date.now() / 1000)) {
      await authRepository.recordRevokedAccessToken(this.deps.db, {
        jti: user.jti,
        userId: user.userId,
        expiresAt: new Date(user.expiresAt * 1000),
      });
      await this.deps.revocations.markAccessTokenRevoked(user.jti, user.expiresAt);
    }
    await this.deps.events.publish('auth.sessions-revoked', { accessTokenIds: [user.jti] });
  }

  /** Access tokens of revoked families (recorded already) stop working at once. */
  private async markFamiliesRevoked(familyIds: string[]): Promise<void> {
    await this.deps.revocations.markFamiliesRevoked(familyIds);
    if (familyIds.length > 0) {
      await this.deps.events.publish('auth.sessions-revoked', { familyIds });
    }
  }
}
