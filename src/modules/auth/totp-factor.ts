import { createHash, randomInt } from 'node:crypto';
import { authenticator } from 'otplib';
import type { Database } from '../../db/database.js';
import type { DataEncryption } from '../../lib/crypto/data-encryption.js';
import { conflict, serviceUnavailable } from '../../lib/errors.js';
import { recoveryRepository } from './recovery.repository.js';

/** RFC 6238 as every authenticator app does it: SHA-1, six digits, 30-second steps. */
const STEP_SECONDS = 30;
/** One step either side is accepted, for clocks of phones that drift. */
const WINDOW_STEPS = 1;
const RECOVERY_CODE_COUNT = 10;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

const TOTP_CODE = /^\d{6}$/;
// 16 base32 characters (80 random bits), shown in groups of four; dashes and case are ignored.
const RECOVERY_CODE = /^[A-Z2-7]{16}$/;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const normaliseRecoveryCode = (code: string) => code.replace(/[\s-]/g, '').toUpperCase();

function newRecoveryCode(): string {
  const chars = Array.from({ length: 16 }, () => BASE32[randomInt(32)]).join('');
  return chars.match(/.{4}/g)?.join('-') ?? chars;
}

export interface TotpFactorDeps {
  db: Database;
  /** Undefined when no key is configured (PostgreSQL without DATA_ENCRYPTION_KEY). */
  encryption: DataEncryption | undefined;
  /** The name authenticator apps show above the account. */
  issuer: string;
  /** The clock codes are judged by (tests fix it). */
  now?: () => number;
}

/** What a code proved, if anything. */
export type CodeCheck = 'totp' | 'recovery-code' | 'wrong';

/**
 * TOTP second factor: enrolment (seed sealed with AES-256-GCM, `otpauth://` URI), confirmation
 * by a first code, ten single-use recovery codes stored as SHA-256 hashes, and verification in
 * which each time step is accepted at most once per account (no replay within the window).
 */
export class TotpFactor {
  private readonly now: () => number;

  constructor(private readonly deps: TotpFactorDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Whether the account has a confirmed authenticator (`db`: the caller's transaction). */
  async isEnabled(userId: string, db: Database = this.deps.db): Promise<boolean> {
    const row = await recoveryRepository.findTotp(db, userId);
    return row?.confirmedAt != null;
  }

  async status(userId: string): Promise<{ totpEnabled: boolean; recoveryCodesLeft: number }> {
    const enabled = await this.isEnabled(userId);
    return {
      totpEnabled: enabled,
      recoveryCodesLeft: enabled
        ? await recoveryRepository.countUnusedRecoveryCodes(this.deps.db, userId)
        : 0,
    };
  }

  /** A new seed waiting for its first code; any earlier unconfirmed seed is replaced. */
  async startEnrolment(
    userId: string,
    accountName: string,
  ): Promise<{ secret: string; otpauthUri: string }> {
    const encryption = this.requireEncryption();
    const secret = authenticator.generateSecret(20);
    const stored = await recoveryRepository.startTotpEnrolment(
      this.deps.db,
      userId,
      encryption.seal(secret, userId),
    );
    if (!stored) {
      throw conflict('Two-factor sign-in is already on.', 'TWO_FACTOR_ALREADY_ENABLED');
    }
    return { secret, otpauthUri: authenticator.keyuri(accountName, this.deps.issuer, secret) };
  }

  /**
   * Confirms an enrolment with a first code and returns the ten recovery codes (shown once).
   * Undefined when the code is wrong.
   */
  async confirmEnrolment(userId: string, code: string): Promise<string[] | undefined> {
    const row = await recoveryRepository.findTotp(this.deps.db, userId);
    if (!row) throw conflict('Start an enrolment first.', 'NO_ENROLMENT_STARTED');
    if (row.confirmedAt) {
      throw conflict('Two-factor sign-in is already on.', 'TWO_FACTOR_ALREADY_ENABLED');
    }
    const step = this.matchingStep(this.secretOf(row.secretSealed, userId), code);
    if (step === undefined) return undefined;
    return this.deps.db.transaction(async (tx) => {
      if (!(await recoveryRepository.acceptTotpStep(tx, userId, step, { confirm: true }))) {
        return undefined;
      }
      return this.replaceRecoveryCodes(tx, userId);
    });
  }

  /**
   * Checks a code of an enabled factor: a TOTP code whose step is later than any accepted
   * before, or (when allowed) an unused recovery code, which is spent.
   */
  async check(
    userId: string,
    code: string,
    options: { allowRecoveryCode: boolean },
  ): Promise<CodeCheck> {
    const row = await recoveryRepository.findTotp(this.deps.db, userId);
    if (!row?.confirmedAt) return 'wrong';
    if (TOTP_CODE.test(code)) {
      const secret = this.secretOf(row.secretSealed, userId);
      const step = this.matchingStep(secret, code);
      if (step === undefined) return 'wrong';
      if (
        !(await recoveryRepository.acceptTotpStep(this.deps.db, userId, step, { confirm: false }))
      ) {
        return 'wrong';
      }
      await this.resealIfRotated(userId, row.secretSealed, secret);
      return 'totp';
    }
    const recovery = normaliseRecoveryCode(code);
    if (!options.allowRecoveryCode || !RECOVERY_CODE.test(recovery)) return 'wrong';
    const spent = await recoveryRepository.spendRecoveryCode(
      this.deps.db,
      userId,
      sha256(recovery),
    );
    return spent ? 'recovery-code' : 'wrong';
  }

  /** New recovery codes; the old set stops working. */
  regenerateRecoveryCodes(userId: string): Promise<string[]> {
    return this.deps.db.transaction((tx) => this.replaceRecoveryCodes(tx, userId));
  }

  async disable(userId: string): Promise<void> {
    await this.deps.db.transaction((tx) => recoveryRepository.deleteTotp(tx, userId));
  }

  /** The time step a code belongs to, within the window around now; undefined if none. */
  private matchingStep(secret: string, code: string): number | undefined {
    if (!TOTP_CODE.test(code)) return undefined;
    const now = this.now();
    const checker = authenticator.clone({ epoch: now, step: STEP_SECONDS, window: WINDOW_STEPS });
    const delta = checker.checkDelta(code, secret);
    if (delta === null) return undefined;
    return Math.floor(now / 1000 / STEP_SECONDS) + delta;
  }

  private async replaceRecoveryCodes(tx: Database, userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await recoveryRepository.replaceRecoveryCodes(
      tx,
      userId,
      codes.map((code) => sha256(normaliseRecoveryCode(code))),
    );
    return codes;
  }

  private secretOf(sealed: string, userId: string): string {
    return this.requireEncryption().open(sealed, userId);
  }

  /** A seed sealed under a retired key is sealed again under the current one when used. */
  private async resealIfRotated(userId: string, sealed: string, secret: string): Promise<void> {
    const encryption = this.requireEncryption();
    if (!encryption.needsRotation(sealed)) return;
    await recoveryRepository.resealTotp(this.deps.db, userId, encryption.seal(secret, userId));
  }

  private requireEncryption(): DataEncryption {
    if (!this.deps.encryption) {
      throw serviceUnavailable(
        'Two-factor sign-in is not available: the server has no DATA_ENCRYPTION_KEY.',
      );
    }
    return this.deps.encryption;
  }
}
