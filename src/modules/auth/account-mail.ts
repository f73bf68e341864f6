import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../db/database.js';
import { renderMail, type Mailer } from '../../integrations/mail/index.js';
import type { UsersRepository } from '../users/index.js';
import { accountMailTemplates } from './account-mail.templates.js';
import { recoveryRepository } from './recovery.repository.js';
import type { AccountTokenPurpose, MailKind, MailOutboxRow } from './recovery.table.js';

/** How links are made and how often they may be asked for. */
export interface AccountMailSettings {
  /** This server's public address; links open its `/account/…` pages. */
  publicBaseUrl: string;
  passwordResetTtlSeconds: number;
  emailVerificationTtlSeconds: number;
  /** A reset asked for again within this time sends nothing (the first link still works). */
  resendCooldownSeconds: number;
}

/** What delivery reads of accounts; the users module's repository provides it. */
export type MailAccounts = Pick<UsersRepository, 'findById' | 'findByEmail'>;

/** Tokens are 32 random bytes (base64url, 43 characters); only their SHA-256 is stored. */
export const newLinkToken = () => randomBytes(32).toString('base64url');
export const hashLinkToken = (token: string) => createHash('sha256').update(token).digest('hex');

const linkPaths: Record<AccountTokenPurpose, string> = {
  'verify-email': '/account/verify-email',
  'password-reset': '/account/reset-password',
};

/** What to send for one outbox row, or nothing when the row no longer calls for a message. */
interface Delivery {
  to: string;
  name: string;
  token?: { purpose: AccountTokenPurpose; userId: string; email: string; ttlSeconds: number };
}

/**
 * Delivery of account email from the outbox. Links are made here, at sending time: the token is
 * drawn, its hash stored (replacing the account's older token of that purpose), and the token
 * itself goes only into the message, so no table or job payload ever holds a usable link.
 */
export class AccountMail {
  constructor(
    private readonly deps: {
      db: Database;
      mailer: Mailer;
      accounts: MailAccounts;
      settings: AccountMailSettings;
    },
  ) {}

  get settings(): AccountMailSettings {
    return this.deps.settings;
  }

  /** Queues a message in the caller's transaction; a dispatcher job hands it to delivery. */
  queue(
    tx: Database,
    kind: MailKind,
    to: { userId: string | null; recipient: string },
    data: Record<string, string> = {},
  ): Promise<void> {
    return recoveryRepository.queueMail(tx, { kind, ...to, data });
  }

  /** Marks up to `limit` queued messages dispatched; the caller sends one job per id. */
  takeUndispatched(limit: number): Promise<string[]> {
    return recoveryRepository.takeUndispatched(this.deps.db, limit);
  }

  /** Puts messages whose job could not be queued back in line. */
  undispatch(ids: string[]): Promise<void> {
    return recoveryRepository.undispatch(this.deps.db, ids);
  }

  /**
   * Sends one queued message, then deletes it. Idempotent: a message already delivered (row
   * gone) sends nothing. A failure throws, and the job's retry sends it again with a new link
   * (which makes the earlier one stop working).
   */
  async deliver(id: string): Promise<'sent' | 'skipped'> {
    const row = await recoveryRepository.findMail(this.deps.db, id);
    if (!row) return 'skipped';
    const delivery = await this.resolve(row);
    if (!delivery) {
      await recoveryRepository.deleteMail(this.deps.db, id);
      return 'skipped';
    }
    let link: string | undefined;
    if (delivery.token) {
      const token = newLinkToken();
      const { purpose, userId, email, ttlSeconds } = delivery.token;
      await recoveryRepository.replaceToken(this.deps.db, {
        userId,
        purpose,
        email,
        tokenHash: hashLinkToken(token),
        ttlSeconds,
      });
      link = `${this.deps.settings.publicBaseUrl}${linkPaths[purpose]}?token=${token}`;
    }
    const content = accountMailTemplates[row.kind]({
      name: delivery.name,
      link,
      validMinutes: delivery.token ? Math.round(delivery.token.ttlSeconds / 60) : undefined,
      data: row.data,
    });
    await this.deps.mailer.send({ to: delivery.to, ...renderMail(content), link });
    await recoveryRepository.deleteMail(this.deps.db, id);
    return 'sent';
  }

  /** Deletes expired tokens and messages that failed every retry a day ago. */
  async prune(): Promise<number> {
    const tokens = await recoveryRepository.deleteExpiredTokens(this.deps.db);
    const messages = await recoveryRepository.deleteStaleMail(this.deps.db, 24 * 3600);
    return tokens + messages;
  }

  private async resolve(row: MailOutboxRow): Promise<Delivery | undefined> {
    const { settings } = this.deps;
    if (row.kind === 'password-reset') {
      // Asked for by address: an unknown or disabled account gets nothing, silently.
      const user = await this.deps.accounts.findByEmail(this.deps.db, row.recipient);
      if (!user?.isActive) return undefined;
      const issuedAt = await recoveryRepository.latestTokenIssuedAt(
        this.deps.db,
        user.id,
        'password-reset',
      );
      // Repeated requests must not flood the inbox; the link sent moments ago still works.
      if (issuedAt && Date.now() - issuedAt.getTime() < settings.resendCooldownSeconds * 1000) {
        return undefined;
      }
      return {
        to: user.email,
        name: user.profile.name,
        token: {
          purpose: 'password-reset',
          userId: user.id,
          email: user.email,
          ttlSeconds: settings.passwordResetTtlSeconds,
        },
      };
    }
    const user = row.userId
      ? await this.deps.accounts.findById(this.deps.db, row.userId)
      : undefined;
    if (!user) return undefined;
    if (row.kind === 'verify-email') {
      const address = row.recipient.toLowerCase();
      // Stale: the address was verified meanwhile, or another change replaced it.
      const wanted =
        (user.email.toLowerCase() === address && user.emailVerifiedAt === null) ||
        user.pendingEmail?.toLowerCase() === address;
      if (!wanted) return undefined;
      return {
        to: row.recipient,
        name: user.profile.name,
        token: {
          purpose: 'verify-email',
          userId: user.id,
          email: row.recipient,
          ttlSeconds: settings.emailVerificationTtlSeconds,
        },
      };
    }
    return { to: row.recipient, name: user.profile.name };
  }
}
