import type { UnitOfWork } from '../../db/unit-of-work.js';
import type { WorkoutLogRow } from './workout-logs.table.js';

declare module '../../lib/events/domain-events.js' {
  interface DomainEventMap {
    /**
     * Run inside the transaction that created, changed (a set added over the socket counts) or
     * deleted a log entry; listeners keep what is derived from logs (points, achievements,
     * rollups) in step, in the same transaction. An entry is announced `created` once, with
     * all its sets written (listeners may add it to what they keep as a whole).
     */
    'workout-logs.changed': {
      uow: UnitOfWork;
      userId: string;
      change: 'created' | 'updated' | 'deleted';
      /** The entry as written, or as it was before deletion. */
      log: WorkoutLogRow;
      /** The day the entry was on before an update moved it, when it moved. */
      previousDay?: string;
    };
    /**
     * Published after the commit of a set recorded live (socket) or a log posted by the member:
     * they are active on the floor now (the gym floor keeps their machine link alive with it).
     */
    'workout-logs.set-recorded': { userId: string };
  }
}
