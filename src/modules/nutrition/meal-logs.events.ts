import type { UnitOfWork } from '../../db/unit-of-work.js';
import type { MealLogRow } from './meal-logs.table.js';

declare module '../../lib/events/domain-events.js' {
  interface DomainEventMap {
    /**
     * Run inside the transaction that created, changed or deleted a logged meal; listeners keep
     * what is derived from meals (points, achievements, rollups) in step, in that transaction.
     */
    'meal-logs.changed': {
      uow: UnitOfWork;
      userId: string;
      change: 'created' | 'updated' | 'deleted';
      /** The meal as written, or as it was before deletion. */
      meal: MealLogRow;
      /** The day the meal was on before an update moved it, when it moved. */
      previousDay?: string;
    };
  }
}
