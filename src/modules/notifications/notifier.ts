import type { UnitOfWork } from '../../db/unit-of-work.js';
import type { NotificationData, NotificationKind } from './notification-kinds.js';

export {
  notificationKinds,
  type NotificationData,
  type NotificationKind,
} from './notification-kinds.js';

/** One thing to tell one member. */
export interface NotificationRequest {
  userId: string;
  kind: NotificationKind;
  /** Short headline, as a push shows it. */
  title: string;
  /** The sentence the member reads. */
  body: string;
  data?: NotificationData;
  /**
   * The same key for the same user is delivered once, however often it is sent (a retried job,
   * two instances, a replayed event). Omit for notifications that are new each time.
   */
  dedupeKey?: string;
}

/**
 * The one way modules tell a member something. Given a unit of work, the notification is
 * stored with that transaction and delivered only after it commits.
 */
export interface Notifier {
  notify(request: NotificationRequest, uow?: UnitOfWork): Promise<void>;
}
