import type { Database } from '../../db/database.js';
import { conflict, invalidSecondFactor, wrongCode, type AppError } from '../../lib/errors.js';
import type { UserRow } from '../users/index.js';
import type { AccountMail } from './account-mail.js';
import type { ActingSession, AuthService, ClientInfo } from './auth.service.js';
import type { LoginThrottle } from './login-throttle.js';
import type { TotpFactor } from './totp-factor.js';

/** What a new authenticator answers: the seed for the app. */
export interface TotpEnrolment {
  secret: string;
  otpauthUri: string;
}

/**
 * Managing the TOTP second factor: by a signed-in member (enrol, confirm, status, disable, new
 * recovery codes), and by staff or admin whom mandatory two-factor sign-in holds at an
 * enrolment token until they enrol (then they get their session).
 */
export class TwoFactorService {
  constructor(
    private readonly deps: {
      db: Database;
      auth: AuthService;
      totp: TotpFactor;
      throttle: LoginThrottle;
      mail: AccountMail;
      /** The account as the guard read it, for its address (the name shown in the app). */
      accountOf(userId: string): Promise<UserRow | undefined>;
    },
  ) {}

  status(userId: string) {
    return this.deps.totp.status(userId);
  }

  /**
   * Starts an enrolment. Turning on a factor that would lock the owner out in the wrong hands
   * is sensitive: it needs a recent sign-in or re-authentication of the session.
   */
  async start(session: ActingSession): Promise<TotpEnrolment> {
    await this.deps.auth.confirmSensitiveAction(session);
    const user = await this.deps.accountOf(session.userId);
    return this.deps.totp.startEnrolment(session.userId, user?.email ?? session.userId);
  }

  /** Confirms the enrolment with a first code; answers the recovery codes (shown once). */
  async confirm(session: ActingSession, code: string): Promise<{ recoveryCodes: string[] }> {
    const recoveryCodes = await this.confirmCounted(
      session.userId,
      code,
      () => this.deps.throttle.begin({ kind: 'reauth', userId: session.userId }),
      // Signed in: 403 like a wrong password, not 401 (which clients take as "refresh").
      () => wrongCode('body.code'),
    );
    await this.told(session.userId, 'two-factor-enabled');
    return { recoveryCodes };
  }

  /** Turns the factor off: needs the password and a code (TOTP or recovery) every time. */
  async disable(session: ActingSession, input: { password: string; code: string }): Promise<void> {
    if (!(await this.deps.totp.isEnabled(session.userId))) {
      throw conflict('Two-factor sign-in is not on.', 'TWO_FACTOR_NOT_ENABLED');
    }
    await this.deps.auth.confirmSensitiveAction(session, {
      password: { value: input.password, field: 'body.password' },
      code: { value: input.code, field: 'body.code' },
    });
    await this.deps.totp.disable(session.userId);
    await this.told(session.userId, 'two-factor-disabled');
  }

  /** Ten new recovery codes; the old ones stop working. A sensitive action. */
  async newRecoveryCodes(
    session: ActingSession,
    input: { password: string; code?: string },
  ): Promise<{ recoveryCodes: string[] }> {
    if (!(await this.deps.totp.isEnabled(session.userId))) {
      throw conflict('Two-factor sign-in is not on.', 'TWO_FACTOR_NOT_ENABLED');
    }
    await this.deps.auth.confirmSensitiveAction(session, {
      password: { value: input.password, field: 'body.password' },
      code: input.code === undefined ? undefined : { value: input.code, field: 'body.code' },
    });
    return { recoveryCodes: await this.deps.totp.regenerateRecoveryCodes(session.userId) };
  }

  /** Enrolment under mandatory two-factor sign-in: the seed for the enrolment token's account. */
  async startWithEnrolmentToken(enrolmentToken: string): Promise<TotpEnrolment> {
    const user = await this.deps.auth.accountOfEnrolment(enrolmentToken);
    return this.deps.totp.startEnrolment(user.id, user.email);
  }

  /** Confirms that enrolment with a first code and answers the session, with recovery codes. */
  async confirmWithEnrolmentToken(
    input: { enrolmentToken: string; code: string },
    client: ClientInfo,
  ) {
    const user = await this.deps.auth.accountOfEnrolment(input.enrolmentToken);
    const recoveryCodes = await this.confirmCounted(
      user.id,
      input.code,
      () => this.deps.throttle.begin(this.deps.auth.signInAttemptOf({ userId: user.id }, client)),
      () => invalidSecondFactor(),
    );
    await this.told(user.id, 'two-factor-enabled');
    return { ...(await this.deps.auth.signInAs(user, client)), recoveryCodes };
  }

  /** Wrong first codes count like wrong passwords, so enrolment cannot be brute-forced. */
  private async confirmCounted(
    userId: string,
    code: string,
    begin: () => ReturnType<LoginThrottle['begin']>,
    wrong: () => AppError,
  ): Promise<string[]> {
    const attempt = await begin();
    let codes: string[] | undefined;
    try {
      codes = await this.deps.totp.confirmEnrolment(userId, code);
    } catch (error) {
      await attempt.abandoned();
      throw error;
    }
    if (!codes) throw wrong();
    await attempt.succeeded();
    return codes;
  }

  private async told(userId: string, kind: 'two-factor-enabled' | 'two-factor-disabled') {
    const user = await this.deps.accountOf(userId);
    if (user) {
      await this.deps.mail.queue(this.deps.db, kind, { userId, recipient: user.email });
    }
  }
}
