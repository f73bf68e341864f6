import type { UnitOfWork } from '../../db/unit-of-work.js';
import type { Realtime } from '../../realtime/realtime.js';

/** Every kind of notification a member can receive (and set preferences for). */
export const notificationKinds = [
  'workout-reminder',
  'meal-reminder',
  'achievement-unlocked',
  'new-follower',
  'follow-request',
  'gym-session-expired',
  'machine-released',
  'scan-finished',
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/** Scalar details a client needs to act on a notification (ids, names, times). */
export type NotificationData = Record<string, string | number | boolean | null>;

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

/**
 * Delivery over the member's sockets only (what the product did before the inbox existed); the
 * notifications module replaces it with the stored, pushed service.
 */
export class SocketOnlyNotifier implements Notifier {
  constructor(private readonly realtime: Realtime) {}

  notify(request: NotificationRequest, uow?: UnitOfWork): Promise<void> {
    const emit = () =>
      this.realtime.emitToUser(request.userId, 'notification', {
        type: request.kind,
        message: request.body,
        at: new Date().toISOString(),
        title: request.title,
        ...request.data,
      });
    if (uow) uow.afterCommit(emit);
    else emit();
    return Promise.resolve();
  }
}
