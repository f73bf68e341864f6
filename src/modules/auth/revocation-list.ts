import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.js';
import { KeyValueUnavailableError, kvKeys, type KeyValueStore } from '../../lib/kv/kv.js';
import type { Logger } from '../../lib/logger.js';
import { authRepository } from './auth.repository.js';

/** Set in the markers' hash once it holds every revocation PostgreSQL knows of. */
const COMPLETE_FIELD = 'complete';
const jtiField = (jti: string) => `jti:${jti}`;
const familyField = (familyId: string) => `family:${familyId}`;

// How often (across all instances together) expired markers are swept and the markers are
// reconciled with the database, which also repairs a marker a crashed instance never wrote.
const MAINTENANCE_INTERVAL_SECONDS = 60;
// Longer than any rebuild takes; a crashed rebuilder's lock lapses after it.
const REBUILD_LOCK_SECONDS = 30;

export interface RevocationListDeps {
  db: Database;
  kv: KeyValueStore;
  logger: Logger;
  accessTokenTtlSeconds: number;
}

/**
 * Which access tokens are revoked before they expire: logged-out tokens and tokens of revoked
 * login sessions (families). PostgreSQL is the record (`revoked_access_tokens`,
 * `refresh_token_families.revoked_at`); the cache holds markers so that checking a token costs
 * one cache command per request and no database query.
 *
 * The markers live in one hash together with a `complete` field, so the cache is trusted only
 * while it provably still holds them: a restart without persistence or an eviction loses the
 * hash as a whole, `complete` with it. When `complete` is missing, or this instance could not
 * reach the cache since it last rebuilt (it may have missed writing a marker), the token is
 * checked in PostgreSQL instead, and the markers are rebuilt from PostgreSQL in the background
 * (one instance at a time, under a lock). While the cache is unreachable, every check goes to
 * PostgreSQL. So no revoked token ever works again, and no request waits for a rebuild.
 */
export class RevocationList {
  private rebuilding: Promise<void> | undefined;
  /** Counts failures to reach the cache; a rebuild started after the last one settles them. */
  private cacheFailures = 0;
  private settledFailures = 0;
  private nextMaintenanceAt = 0;
  private readonly instanceId = randomUUID();

  constructor(private readonly deps: RevocationListDeps) {}

  /** Whether the token, or the login session it belongs to, has been revoked. */
  async isRevoked(token: { jti: string; familyId: string }): Promise<boolean> {
    let fields: (string | null)[];
    try {
      fields = await this.deps.kv.getFields(kvKeys.revocations, this.markerFields(token));
    } catch (error) {
      if (!(error instanceof KeyValueUnavailableError)) throw error;
      return this.isRevokedWithoutCache(token);
    }
    return this.judge(token, fields);
  }

  /**
   * The fields of the markers' hash (`kvKeys.revocations`) that decide about the token, for a
   * caller that reads them together with other keys in one round trip; `judge` reads the answer.
   */
  markerFields(token: { jti: string; familyId: string }): string[] {
    return [COMPLETE_FIELD, jtiField(token.jti), familyField(token.familyId)];
  }

  /** Decides from the fields `markerFields` named, asking PostgreSQL when they cannot vouch. */
  async judge(
    token: { jti: string; familyId: string },
    fields: (string | null)[],
  ): Promise<boolean> {
    const [complete, tokenMarker, familyMarker] = fields;
    if (this.live(tokenMarker) || this.live(familyMarker)) return true;
    this.maintainWhenDue();
    const missedWrites = this.cacheFailures !== this.settledFailures;
    if (complete === null || complete === undefined || missedWrites) {
      this.rebuildInBackground(missedWrites ? 'cache was unreachable' : 'markers missing');
      return authRepository.isRevoked(this.deps.db, token);
    }
    return false;
  }

  /** The check while the cache is unreachable: PostgreSQL, and a rebuild once it is back. */
  isRevokedWithoutCache(token: { jti: string; familyId: string }): Promise<boolean> {
    this.cacheFailures++;
    return authRepository.isRevoked(this.deps.db, token);
  }

  /** Marks a logged-out access token (already recorded in the database) until it expires. */
  async markAccessTokenRevoked(jti: string, expiresAtSeconds: number): Promise<void> {
    await this.write({ [jtiField(jti)]: String(expiresAtSeconds) });
  }

  /** Marks revoked families (already recorded): their access tokens fail until they expire. */
  async markFamiliesRevoked(familyIds: string[]): Promise<void> {
    if (familyIds.length === 0) return;
    const until = String(this.nowSeconds() + this.deps.accessTokenTtlSeconds);
    await this.write(Object.fromEntries(familyIds.map((id) => [familyField(id), until])));
  }

  /**
   * Rewrites every marker from PostgreSQL (merging: a marker written meanwhile stays) and then
   * `complete`, in one command, so a reader never sees `complete` without the markers.
   */
  async rebuild(reason: string, options: { lock: boolean } = { lock: true }): Promise<void> {
    const failuresBefore = this.cacheFailures;
    if (options.lock) {
      const locked = await this.deps.kv.setIfAbsent(
        kvKeys.revocationsRebuildLock,
        this.instanceId,
        REBUILD_LOCK_SECONDS,
      );
      // Another instance is rebuilding; until it is done, checks here ask the database.
      if (!locked) return;
    }
    try {
      const ttl = this.deps.accessTokenTtlSeconds;
      const { accessTokens, families } = await authRepository.recentRevocations(this.deps.db, ttl);
      const fields: Record<string, string> = {};
      for (const token of accessTokens) {
        fields[jtiField(token.jti)] = String(Math.ceil(token.expiresAt.getTime() / 1000));
      }
      for (const family of families) {
        fields[familyField(family.id)] = String(Math.ceil(family.revokedAt.getTime() / 1000) + ttl);
      }
      fields[COMPLETE_FIELD] = new Date().toISOString();
      await this.deps.kv.setFields(kvKeys.revocations, fields);
      this.deps.logger.info(
        { reason, markers: Object.keys(fields).length - 1 },
        'revocation markers rebuilt from the database',
      );
    } finally {
      if (options.lock)
        await this.deps.kv.delete(kvKeys.revocationsRebuildLock).catch(() => undefined);
    }
    // Failures during the rebuild may have lost writes it did not read: leave those unsettled.
    if (this.cacheFailures === failuresBefore) this.settledFailures = failuresBefore;
  }

  private rebuildInBackground(reason: string): void {
    // After this instance's own outage only it knows it may have missed writes: no lock then.
    const lock = this.cacheFailures === this.settledFailures;
    this.rebuilding ??= this.rebuild(reason, { lock })
      .catch((error: unknown) => {
        this.deps.logger.warn(
          { err: error },
          'revocation markers not rebuilt; checks use the database',
        );
      })
      .finally(() => {
        this.rebuilding = undefined;
      });
  }

  /** Once per interval across all instances: sweep expired markers and rows, reconcile. */
  private maintainWhenDue(): void {
    const now = Date.now();
    if (now < this.nextMaintenanceAt) return;
    this.nextMaintenanceAt = now + MAINTENANCE_INTERVAL_SECONDS * 1000;
    void this.maintain().catch((error: unknown) => {
      this.deps.logger.warn({ err: error }, 'revocation maintenance failed');
    });
  }

  private async maintain(): Promise<void> {
    const { kv, db } = this.deps;
    const due = await kv.setIfAbsent(
      kvKeys.revocationsMaintenanceLock,
      this.instanceId,
      MAINTENANCE_INTERVAL_SECONDS,
    );
    if (!due) return;
    const markers = await kv.getAllFields(kvKeys.revocations);
    const expired = Object.entries(markers)
      .filter(([field, value]) => field !== COMPLETE_FIELD && !this.live(value))
      .map(([field]) => field);
    await kv.deleteFields(kvKeys.revocations, expired);
    await authRepository.deleteExpiredRevokedAccessTokens(db);
    await this.rebuild('periodic reconciliation', { lock: false });
  }

  private async write(fields: Record<string, string>): Promise<void> {
    try {
      await this.deps.kv.setFields(kvKeys.revocations, fields);
    } catch (error) {
      if (!(error instanceof KeyValueUnavailableError)) throw error;
      // The revocation is recorded in the database, which every check here asks until the
      // markers are rebuilt; the caller's request succeeds.
      this.cacheFailures++;
      this.deps.logger.warn('cache unreachable: revocation recorded in the database only for now');
    }
  }

  /** A marker's value is the epoch second its token (or the family's last token) expires. */
  private live(marker: string | null | undefined): boolean {
    return marker !== null && marker !== undefined && Number(marker) > this.nowSeconds();
  }

  private nowSeconds(): number {
    return Math.floor(Date.now() / 1000);
  }
}
