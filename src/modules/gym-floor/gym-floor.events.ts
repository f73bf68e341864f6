import type { Database } from '../../db/database.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import type { NotificationRequest, Notifier } from '../notifications/index.js';
import type { Realtime } from '../../realtime/realtime.js';
import { machineStatusEvent } from './gym-floor.presenter.js';
import type { ReleasedMachine } from './machines.repository.js';
import type { MachineRow } from './gym-floor.table.js';

declare module '../../lib/events/domain-events.js' {
  interface DomainEventMap {
    /**
     * Run inside the check-in's transaction, once per gym session (an idempotent replay of the
     * request answers from its stored outcome and runs nothing): listeners record the visit
     * (points, visit achievements) with `uow.tx`, so a failing listener rolls the check-in back.
     */
    'gym-floor.checked-in': {
      uow: UnitOfWork;
      userId: string;
      sessionId: string;
      branchId: string;
      /** The visit's day (`YYYY-MM-DD`) in the branch's time zone, where the member is. */
      day: string;
    };
    /**
     * Run inside the transaction of a member's check-out (not of an expiry: a forgotten session
     * says nothing about when the workout ended); `at` is the session's end.
     */
    'gym-floor.checked-out': { uow: UnitOfWork; userId: string; sessionId: string; at: Date };
    /**
     * Run inside the transaction that adds (`joined: true`, only when new) or ends a branch
     * membership: what is kept per branch member follows it (leaderboards).
     */
    'gym-floor.membership-changing': {
      tx: Database;
      userId: string;
      branchId: string;
      joined: boolean;
    };
  }
}

/** What the floor tells a member (through the notifier: inbox, sockets, push). */
export type FloorNotification = NotificationRequest & {
  kind: 'gym-session-expired' | 'machine-released';
};

/**
 * What the gym floor tells connected clients, called after the change is committed: every status
 * change to the branch room (`machine:status`), links and releases to the device itself, and
 * notices to the member. The emits go through the adapter, so they reach clients on any instance.
 */
export class FloorEvents {
  constructor(
    private readonly realtime: Realtime,
    private readonly notifier: Notifier,
  ) {}

  /**
   * `machine:status` to the branch: its staff and the member holding the machine hear who holds
   * it (`currentUserId`), every other subscriber only the status.
   */
  statusChanged(machine: MachineRow): void {
    const redacted = machineStatusEvent(machine, { holderVisible: false });
    this.realtime.emitToBranch(
      machine.branchId,
      'machine:status',
      redacted,
      machine.currentUserId
        ? {
            payload: machineStatusEvent(machine, { holderVisible: true }),
            userIds: [machine.currentUserId],
          }
        : undefined,
    );
  }

  linked(machine: MachineRow): void {
    this.statusChanged(machine);
    // A linked machine always has its member; the row's type cannot say so.
    if (!machine.currentUserId) return;
    this.realtime.emitToMachine(machine.id, 'machine:linked', {
      userId: machine.currentUserId,
      at: machine.updatedAt.toISOString(),
    });
  }

  /** Machines freed by a change; the device hears which member it lost. */
  released(changes: ReleasedMachine[]): void {
    for (const { machine, previousUserId } of changes) {
      this.statusChanged(machine);
      if (previousUserId) {
        this.realtime.emitToMachine(machine.id, 'machine:unlinked', {
          userId: previousUserId,
          status: machine.status,
          at: machine.updatedAt.toISOString(),
        });
      }
    }
  }

  removed(machine: MachineRow): void {
    this.realtime.emitToBranch(machine.branchId, 'machine:removed', {
      machineId: machine.id,
      branchId: machine.branchId,
      at: new Date().toISOString(),
    });
    this.realtime.disconnectMachine(machine.id);
  }

  keyReplaced(machineId: string): void {
    this.realtime.disconnectMachine(machineId);
  }

  /** The user may no longer watch the branch: their open subscriptions end too. */
  stoppedWatching(userId: string, branchId: string): void {
    this.realtime.leaveBranch(userId, branchId);
  }

  /** The user no longer staffs the branch: a subscription they keep hears what members hear. */
  stoppedStaffing(userId: string, branchId: string): void {
    this.realtime.leaveBranchStaff(userId, branchId);
  }

  notify(notification: FloorNotification): Promise<void> {
    return this.notifier.notify(notification);
  }
}
