import type { CommittedChange } from '../../db/committed-changes.js';
import { kvKeys, type KeyValueStore } from '../../lib/kv/kv.js';
import type {
  AuthenticatedAccount,
  AuthenticatedMembership,
} from '../../lib/http/request-context.js';
import type { Logger } from '../../lib/logger.js';

/** What the guard reads for a caller: the account row and its branch memberships. */
export interface LoadedAccount {
  account: AuthenticatedAccount;
  branches: readonly AuthenticatedMembership[];
}

// Bounds the staleness a change could cause if its stamp could not be written (the writer lost
// the cache just then): the same minute within which revocation markers are reconciled.
const MAX_AGE_MS = 60_000;
const MAX_ENTRIES = 50_000;
/** Stamps outlive any cache entry; a lapsed one is recreated with a fresh value. */
export const ACCOUNT_VERSION_TTL_SECONDS = 86_400;

/**
 * This process's copy of accounts and their memberships, each kept with the version stamps it
 * was read under (`kvKeys.accountVersion`, `kvKeys.branchesVersion`). Every request reads the
 * current stamps in the one cache round trip it makes anyway, and an entry serves only while
 * they are equal, so a change made on any instance is seen by the very next request everywhere.
 *
 * Correctness rests on the order: writers change the stamps after their transaction ends
 * (`listenForCommittedChanges`), readers read the stamps before the database. A reader that
 * raced a writer stored the old row under the old stamp, which the next request finds stale.
 * Stamps are random, never counters, so a stamp lost with the cache and recreated never
 * matches an old entry.
 */
export class AccountCache {
  private readonly entries = new Map<
    string,
    { stamp: string; readAt: number; value: LoadedAccount }
  >();
  /** Stamps this instance failed to change (cache unreachable); changed once it answers. */
  private readonly unsentStamps = new Set<string>();

  constructor(private readonly deps: { kv: KeyValueStore; logger: Logger }) {}

  /** The entry read under exactly these stamps, if it is not too old. */
  get(userId: string, stamp: string): LoadedAccount | undefined {
    const entry = this.entries.get(userId);
    if (!entry) return undefined;
    if (entry.stamp !== stamp || Date.now() - entry.readAt > MAX_AGE_MS) {
      this.entries.delete(userId);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps what was loaded after the stamps were read at `readAt`. */
  set(userId: string, stamp: string, readAt: number, value: LoadedAccount): void {
    if (this.entries.size >= MAX_ENTRIES && !this.entries.has(userId)) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(userId, { stamp, readAt, value });
  }

  /**
   * Hears committed changes: drops this process's copies and gives the stamps new values, so
   * every other instance drops theirs at its next request. Never throws: the change is
   * committed, and the writer's request must succeed.
   */
  readonly onCommittedChanges = async (changes: CommittedChange[]): Promise<void> => {
    for (const change of changes) {
      if (change.kind === 'branches') {
        this.entries.clear();
        this.unsentStamps.add(kvKeys.branchesVersion);
      } else {
        this.entries.delete(change.userId);
        this.unsentStamps.add(kvKeys.accountVersion(change.userId));
      }
    }
    await this.sendStamps();
  };

  /** Whether stamps are waiting for the cache to answer again. */
  get hasUnsentStamps(): boolean {
    return this.unsentStamps.size > 0;
  }

  /** Writes the stamps not yet changed; on failure keeps them for the next attempt. */
  async sendStamps(): Promise<void> {
    const keys = [...this.unsentStamps];
    if (keys.length === 0) return;
    this.unsentStamps.clear();
    const results = await Promise.allSettled(
      keys.map((key) => this.deps.kv.set(key, crypto.randomUUID(), ACCOUNT_VERSION_TTL_SECONDS)),
    );
    const failed = keys.filter((_key, index) => results[index]?.status === 'rejected');
    if (failed.length === 0) return;
    for (const key of failed) this.unsentStamps.add(key);
    // Other instances may serve their copies until the stamps go out (or for MAX_AGE_MS).
    this.deps.logger.warn(
      { stamps: failed.length },
      'cache unreachable: account changes not yet announced to other instances',
    );
  }
}
