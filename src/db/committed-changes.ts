import type { Database } from './database.js';

/**
 * Rows whose change must reach caches kept outside PostgreSQL (the auth guard's per-process
 * copy of each account, validated by a version in the cache): repositories record them where
 * they write, and listeners hear them once the write is final.
 */
export type CommittedChange =
  /** The user's row or their branch memberships changed (or the user is gone). */
  | { kind: 'account'; userId: string }
  /** A branch was renamed or deleted: every member's `branches[]` may show it. */
  | { kind: 'branches' };

export type ChangeListener = (changes: CommittedChange[]) => Promise<void>;

interface Tracked {
  listeners: Set<ChangeListener>;
}

/** Root databases with listeners, and each open transaction's pending changes. */
const roots = new WeakMap<Database, Tracked>();
const openTransactions = new WeakMap<Database, { root: Database; pending: CommittedChange[] }>();

/**
 * Makes `db.transaction` (and nested savepoints) collect recorded changes and hand them to the
 * listeners after the outermost transaction ends, before it returns to its caller, so the
 * writer's response goes out only once every cache has heard. Listeners also hear changes of a
 * transaction that rolled back: a needless invalidation costs one reload, a missed one a stale
 * read. Idempotent; returns a function that removes the listener.
 */
export function listenForCommittedChanges(db: Database, listener: ChangeListener): () => void {
  let tracked = roots.get(db);
  if (!tracked) {
    tracked = { listeners: new Set() };
    roots.set(db, tracked);
    wrapTransactions(db, db);
  }
  tracked.listeners.add(listener);
  const listeners = tracked.listeners;
  return () => {
    listeners.delete(listener);
  };
}

function wrapTransactions(target: Database, root: Database): void {
  const original = target.transaction.bind(target);
  const wrapped: Database['transaction'] = async (work, config) => {
    const outer = openTransactions.get(target);
    if (outer) {
      // A savepoint: its changes join the enclosing transaction's.
      return original(async (tx) => {
        openTransactions.set(tx, outer);
        wrapTransactions(tx, root);
        return work(tx);
      }, config);
    }
    const pending: CommittedChange[] = [];
    try {
      return await original(async (tx) => {
        openTransactions.set(tx, { root, pending });
        wrapTransactions(tx, root);
        return work(tx);
      }, config);
    } finally {
      if (pending.length > 0) await deliver(root, pending);
    }
  };
  target.transaction = wrapped;
}

async function deliver(root: Database, changes: CommittedChange[]): Promise<void> {
  const tracked = roots.get(root);
  if (!tracked) return;
  await Promise.all([...tracked.listeners].map((listener) => listener(changes)));
}

/**
 * Records a change written through `db`: inside a transaction it is delivered when the
 * transaction ends; outside one (the statement has committed) at once. Resolves once delivered
 * (or queued), so a writer that awaits it answers only after every cache has heard.
 */
export async function recordCommittedChange(db: Database, change: CommittedChange): Promise<void> {
  const open = openTransactions.get(db);
  if (open) {
    open.pending.push(change);
    return;
  }
  await deliver(db, [change]);
}
