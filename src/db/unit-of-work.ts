import type { Logger } from '../lib/logger.js';
import { describeErrorForLog } from '../lib/errors.js';
import type { Database } from './database.js';

/** Something to do once the transaction has committed (a socket emit, a cache drop). */
export type AfterCommit = () => void | Promise<void>;

/**
 * One transaction and what should happen after it commits. In-transaction domain events carry
 * it, so a listener writes with `tx` (rolled back with everything else) and schedules its
 * outside effects with `afterCommit` (never run when the transaction fails).
 */
export interface UnitOfWork {
  tx: Database;
  afterCommit(effect: AfterCommit): void;
}

/**
 * Runs `work` in a transaction, then the effects it scheduled, in order. A failing effect is
 * logged and does not fail the caller: the data is committed by then.
 */
export async function inUnitOfWork<T>(
  db: Database,
  logger: Logger,
  work: (uow: UnitOfWork) => Promise<T>,
): Promise<T> {
  const effects: AfterCommit[] = [];
  const result = await db.transaction((tx) =>
    work({ tx, afterCommit: (effect) => effects.push(effect) }),
  );
  for (const effect of effects) {
    try {
      await effect();
    } catch (error) {
      logger.error({ error: describeErrorForLog(error) }, 'after-commit effect failed');
    }
  }
  return result;
}
