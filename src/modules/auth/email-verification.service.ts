import { uniqueViolation } from '../../db/constraint-violations.js';
import type { Database } from '../../db/database.js';
import { conflict, invalidLinkToken, notFound, rateLimited } from '../../lib/errors.js';
import type { UserRow, UsersRepository } from '../users/index.js';
import { hashLinkToken, type AccountMail } from './account-mail.js';
import { recoveryRepository } from './recovery.repository.js';

/** What verification reads and writes of accounts; the users module's repository provides it. */
export type VerificationAccounts = Pick<
  UsersRepository,
  'findById' | 'findByIdForUpdate' | 'findByEmail' | 'update'
>;

/**
 * Email addresses proved by links: verification after registration (resend rate-limited), and
 * changes of address, which take over only once the new address is verified. The old address
 * is told when a change is asked for and when it takes effect.
 */
export class EmailVerification {
  constructor(
    private readonly deps: { db: Database; accounts: VerificationAccounts; mail: AccountMail },
  ) {}

  /**
   * Follows a verification link: the address it was sent to is verified, and if it was a
   * pending change, it becomes the account's address (409 `EMAIL_TAKEN` if another account
   * took it meanwhile). Reset links sent to the old address stop working.
   */
  async verify(token: string): Promise<{ email: string; emailVerified: true }> {
    const outcome = await this.deps.db
      .transaction(async (tx) => {
        const used = await recoveryRepository.consumeToken(
          tx,
          'verify-email',
          hashLinkToken(token),
        );
        if (!used) return undefined;
        const user = await this.deps.accounts.findByIdForUpdate(tx, used.userId);
        if (!user?.isActive) return undefined;
        const address = used.email.toLowerCase();
        if (user.email.toLowerCase() === address) {
          await this.deps.accounts.update(tx, user.id, {
            emailVerifiedAt: user.emailVerifiedAt ?? new Date(),
          });
          return user.email;
        }
        // A link to an address since replaced by another change is worthless.
        if (user.pendingEmail?.toLowerCase() !== address) return undefined;
        await this.deps.accounts.update(tx, user.id, {
          email: used.email,
          emailVerifiedAt: new Date(),
          pendingEmail: null,
        });
        await recoveryRepository.deleteTokens(tx, user.id, 'password-reset');
        await this.deps.mail.queue(
          tx,
          'email-changed',
          { userId: user.id, recipient: user.email },
          { newEmail: used.email },
        );
        return used.email;
      })
      .catch((error: unknown) => {
        if (uniqueViolation(error) === undefined) throw error;
        throw conflict('That email is already registered.', 'EMAIL_TAKEN');
      });
    if (outcome === undefined) throw invalidLinkToken('body.token');
    return { email: outcome, emailVerified: true };
  }

  /**
   * Sends the verification link again: to the pending new address if a change waits, else to
   * the unverified address. At most one per EMAIL_RESEND_COOLDOWN_SECONDS (429).
   */
  async resend(userId: string): Promise<void> {
    const user = await this.deps.accounts.findById(this.deps.db, userId);
    if (!user) throw notFound('User');
    const recipient = user.pendingEmail ?? (user.emailVerifiedAt ? undefined : user.email);
    if (!recipient) {
      throw conflict('The email address is verified already.', 'EMAIL_ALREADY_VERIFIED');
    }
    const cooldown = this.deps.mail.settings.resendCooldownSeconds;
    const issuedAt = await recoveryRepository.latestTokenIssuedAt(
      this.deps.db,
      userId,
      'verify-email',
    );
    const waiting = await recoveryRepository.queuedMailWithin(
      this.deps.db,
      userId,
      'verify-email',
      cooldown,
    );
    const sinceIssued = issuedAt ? (Date.now() - issuedAt.getTime()) / 1000 : Infinity;
    if (waiting || sinceIssued < cooldown) {
      throw rateLimited(
        waiting ? cooldown : cooldown - sinceIssued,
        'A verification email was sent moments ago.',
        'EMAIL_RESEND_COOLDOWN',
      );
    }
    await this.deps.mail.queue(this.deps.db, 'verify-email', { userId, recipient });
  }

  /**
   * Records a new address as pending and sends it a link; the old address is told. The
   * current address stays in use (sign-in, reset links) until the link is followed.
   */
  async requestChange(userId: string, newEmail: string): Promise<UserRow> {
    return this.deps.db.transaction(async (tx) => {
      const user = await this.deps.accounts.findByIdForUpdate(tx, userId);
      if (!user) throw notFound('User');
      if (user.email.toLowerCase() === newEmail.toLowerCase()) {
        // Asking for the current address back cancels a pending change.
        const row = await this.deps.accounts.update(tx, userId, { pendingEmail: null });
        if (!row) throw notFound('User');
        return row;
      }
      const holder = await this.deps.accounts.findByEmail(tx, newEmail);
      if (holder) throw conflict('That email is already registered.', 'EMAIL_TAKEN');
      const row = await this.deps.accounts.update(tx, userId, { pendingEmail: newEmail });
      if (!row) throw notFound('User');
      // A link to an earlier pending address must not work any more.
      await recoveryRepository.deleteTokens(tx, userId, 'verify-email');
      await this.deps.mail.queue(tx, 'verify-email', { userId, recipient: newEmail });
      await this.deps.mail.queue(
        tx,
        'email-change-requested',
        { userId, recipient: user.email },
        { newEmail },
      );
      return row;
    });
  }
}
