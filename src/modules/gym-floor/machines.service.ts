import { createHash, randomBytes } from 'node:crypto';
import { uniqueViolation } from '../../db/constraint-violations.js';
import type { Database } from '../../db/database.js';
import { mapPage, type PageRequest } from '../../db/keyset-page.js';
import { conflict, forbidden, notFound, unauthenticated } from '../../lib/errors.js';
import { branchesRepository } from './branches.repository.js';
import type { Actor, BranchesService } from './branches.service.js';
import type { FloorEvents } from './gym-floor.events.js';
import {
  machineStatusEvent,
  presentMachine,
  presentMachineLink,
  presentMaintenanceEntry,
} from './gym-floor.presenter.js';
import type {
  AddMaintenanceBody,
  CreateMachineBody,
  MachineDetailsView,
  MachineLinkView,
  MachineListQuery,
  MachineTelemetry,
  MachineView,
  UpdateMachineBody,
} from './gym-floor.schemas.js';
import type { MachineRow, MachineStatus } from './gym-floor.table.js';
import {
  machinesRepository,
  type HeartbeatOutcome,
  type ReleasedMachine,
} from './machines.repository.js';
import { gymSessionsRepository } from './gym-sessions.repository.js';

const hashDeviceKey = (key: string) => createHash('sha256').update(key).digest('hex');
// 256 random bits: a hash lookup is enough, no slow password hash is needed for such a key.
const newDeviceKey = () => `nxgdk_${randomBytes(32).toString('base64url')}`;
// Printed on the machine as a QR code; unguessable, so knowing one proves presence at the machine.
const newQrCode = () => `NXG-${randomBytes(12).toString('base64url')}`;

const unavailableBecause: Record<Exclude<MachineStatus, 'available'>, string> = {
  occupied: 'The machine is in use by another member.',
  maintenance: 'The machine is under maintenance.',
  offline: 'The machine is offline.',
};

/** Telemetry that shows someone on the machine, which keeps a link alive. */
const inMotion = (telemetry?: MachineTelemetry) =>
  (telemetry?.speedKmh ?? 0) > 0 ||
  (telemetry?.cadenceRpm ?? 0) > 0 ||
  (telemetry?.powerW ?? 0) > 0;

/** The gym's machines: inventory, live status, linking members, heartbeats and upkeep. */
export class MachinesService {
  constructor(
    private readonly deps: { db: Database; branches: BranchesService; events: FloorEvents },
  ) {}

  /** Creates a machine; its device key is returned here once and only its hash is kept. */
  async create(actor: Actor, body: CreateMachineBody) {
    await this.deps.branches.require(body.branchId);
    await this.deps.branches.assertCanManage(actor, body.branchId);
    const deviceKey = newDeviceKey();
    const row = await machinesRepository.insert(this.deps.db, {
      ...body,
      qrCode: newQrCode(),
      deviceKeyHash: hashDeviceKey(deviceKey),
    });
    this.deps.events.statusChanged(row);
    // Whoever creates a machine prints its QR code.
    return {
      machine: { ...presentMachine(row, { privileged: true }), qrCode: row.qrCode },
      deviceKey,
    };
  }

  /**
   * One machine. Staff of its branch (and admins) also get the 20 newest maintenance entries,
   * whose notes and `performedBy` are staff business; others get the machine alone.
   */
  async get(actor: Actor, id: string): Promise<MachineDetailsView> {
    const row = await this.require(id);
    const staff = await this.deps.branches.canManage(actor, row.branchId);
    const machine = presentMachine(row, {
      privileged: staff || row.currentUserId === actor.userId,
    });
    if (!staff) return machine;
    const maintenance = await machinesRepository.listMaintenance(this.deps.db, id, { limit: 20 });
    return { ...machine, maintenanceLog: maintenance.items.map(presentMaintenanceEntry) };
  }

  async listForBranch(actor: Actor, branchId: string, query: MachineListQuery) {
    await this.deps.branches.require(branchId);
    const page = await machinesRepository.list(this.deps.db, branchId, query);
    const staff = await this.deps.branches.canManage(actor, branchId);
    return mapPage(page, (row) =>
      presentMachine(row, { privileged: staff || row.currentUserId === actor.userId }),
    );
  }

  /** Renames or moves a machine, or takes it out of service and back (staff of its branch). */
  async update(actor: Actor, id: string, body: UpdateMachineBody): Promise<MachineView> {
    const current = await this.require(id);
    await this.deps.branches.assertCanManage(actor, current.branchId);
    const { status, ...details } = body;
    // Details and status change together or not at all.
    const { row, change } = await this.deps.db.transaction(async (tx) => {
      const updated =
        Object.keys(details).length > 0
          ? ((await machinesRepository.update(tx, id, details)) ?? notFoundMachine())
          : current;
      if (!status || status === updated.status) return { row: updated, change: undefined };
      const serviceChange = await machinesRepository.setServiceStatus(tx, id, status);
      if (!serviceChange) {
        throw conflict(
          'Only a machine in maintenance can be put back into service.',
          'MACHINE_NOT_IN_MAINTENANCE',
        );
      }
      return { row: serviceChange.machine, change: serviceChange };
    });
    if (change) this.deps.events.released([change]);
    return presentMachine(row, { privileged: true });
  }

  async remove(actor: Actor, id: string): Promise<void> {
    const row = await this.require(id);
    await this.deps.branches.assertCanManage(actor, row.branchId);
    const deleted = await this.deps.db.transaction((tx) => machinesRepository.delete(tx, id));
    if (!deleted) notFoundMachine();
    this.deps.events.removed(row);
  }

  /** Replaces a lost or leaked device key; connected devices with the old key are cut off. */
  async replaceDeviceKey(actor: Actor, id: string) {
    const row = await this.require(id);
    await this.deps.branches.assertCanManage(actor, row.branchId);
    const deviceKey = newDeviceKey();
    const updated = await machinesRepository.update(this.deps.db, id, {
      deviceKeyHash: hashDeviceKey(deviceKey),
    });
    this.deps.events.keyReplaced(id);
    return {
      machine: presentMachine(updated ?? notFoundMachine(), { privileged: true }),
      deviceKey,
    };
  }

  async addMaintenance(actor: Actor, id: string, body: AddMaintenanceBody) {
    const row = await this.require(id);
    await this.deps.branches.assertCanManage(actor, row.branchId);
    const entry = await machinesRepository.addMaintenanceEntry(this.deps.db, {
      machineId: id,
      type: body.type,
      notes: body.notes,
      performedBy: actor.userId,
    });
    return presentMaintenanceEntry(entry);
  }

  async listMaintenance(actor: Actor, id: string, query: PageRequest) {
    const row = await this.require(id);
    await this.deps.branches.assertCanManage(actor, row.branchId);
    const page = await machinesRepository.listMaintenance(this.deps.db, id, query);
    return mapPage(page, presentMaintenanceEntry);
  }

  /**
   * Links the member to the machine whose QR code they scanned. Needs an active gym session at
   * the machine's branch, which it holds locked until the link commits, and membership of that
   * branch; a machine the member already holds is released first. The machine is
   * taken by a conditional update, so of many members racing for it exactly one wins, and a
   * member racing for two machines keeps one (the partial unique index refuses the second).
   */
  async link(userId: string, qrCode: string): Promise<MachineView> {
    const machine = await machinesRepository.findByQrCode(this.deps.db, qrCode);
    if (!machine) throw notFound('Machine');
    if (machine.currentUserId === userId) return presentMachine(machine, { privileged: true });

    let outcome: { linked: MachineRow; released: ReleasedMachine[] };
    try {
      outcome = await this.deps.db.transaction(async (tx) => {
        // Locked first, as everything that ends a session updates this row first: a check-out,
        // expiry or leave racing this link either ends the session before (no row here) or
        // waits for this commit and then releases the machine taken below.
        const gymSession = await gymSessionsRepository.lockActive(tx, userId);
        if (gymSession?.branchId !== machine.branchId) {
          throw conflict(
            'Check in at this machine’s branch before linking to it.',
            'NOT_CHECKED_IN',
          );
        }
        // Checked under the lock: a check-in that raced leaving the branch leaves a session
        // at a branch the member no longer belongs to.
        if (!(await branchesRepository.isMember(tx, machine.branchId, userId))) {
          throw conflict('You no longer belong to this machine’s branch.', 'NOT_A_MEMBER');
        }
        const released = await machinesRepository.releaseHeldBy(
          tx,
          [userId],
          'relinked',
          machine.id,
        );
        const linked = await machinesRepository.occupy(tx, machine.id, userId);
        if (!linked) {
          const now = await machinesRepository.findById(tx, machine.id);
          const status = now?.status === 'available' || !now ? 'occupied' : now.status;
          throw conflict(
            unavailableBecause[status],
            status === 'occupied'
              ? 'MACHINE_OCCUPIED'
              : status === 'maintenance'
                ? 'MACHINE_IN_MAINTENANCE'
                : 'MACHINE_OFFLINE',
          );
        }
        await gymSessionsRepository.addMachineUsed(tx, gymSession.id, machine.id);
        return { linked, released };
      });
    } catch (error) {
      if (uniqueViolation(error) !== undefined) {
        throw conflict(
          'You are linking to another machine at the same time; try again.',
          'CONCURRENT_LINK',
        );
      }
      throw error;
    }
    this.deps.events.released(outcome.released);
    this.deps.events.linked(outcome.linked);
    return presentMachine(outcome.linked, { privileged: true });
  }

  /** Releases a machine: by the member holding it, or by admins and the branch's staff. */
  async unlink(actor: Actor, id: string): Promise<MachineView> {
    const machine = await this.require(id);
    const holder = machine.currentUserId;
    if (holder === null)
      throw conflict('The machine is not linked to anyone.', 'MACHINE_NOT_LINKED');
    if (holder !== actor.userId && !(await this.deps.branches.canManage(actor, machine.branchId))) {
      throw forbidden('Only the member using the machine or the branch’s staff can release it.');
    }
    const change = await machinesRepository.releaseIfHeldBy(
      this.deps.db,
      id,
      holder,
      holder === actor.userId ? 'unlinked' : 'released-by-staff',
    );
    if (!change)
      throw conflict('The machine changed hands meanwhile; reload it.', 'MACHINE_CHANGED_HANDS');
    this.deps.events.released([change]);
    return presentMachine(change.machine, { privileged: true });
  }

  /** The machine a device key belongs to; anything else is a 401. */
  async authenticateDevice(deviceKey: string): Promise<MachineRow> {
    const row =
      deviceKey.length <= 200
        ? await machinesRepository.findByDeviceKeyHash(this.deps.db, hashDeviceKey(deviceKey))
        : undefined;
    if (!row) throw unauthenticated('Unknown machine key.');
    return row;
  }

  /** An HTTP heartbeat: the key must be the machine's own. */
  async heartbeatWithKey(id: string, deviceKey: string | undefined, telemetry?: MachineTelemetry) {
    const machine = deviceKey ? await this.authenticateDevice(deviceKey) : undefined;
    if (machine?.id !== id)
      throw unauthenticated('X-Machine-Key is missing or not this machine’s.');
    return this.heartbeat(id, telemetry);
  }

  /**
   * Records that the machine is alive, with its latest telemetry. A machine that was marked
   * offline becomes available again and the branch hears about it.
   */
  async heartbeat(machineId: string, telemetry?: MachineTelemetry) {
    let row: HeartbeatOutcome | undefined = await machinesRepository.recordHeartbeat(
      this.deps.db,
      machineId,
      telemetry,
      inMotion(telemetry),
    );
    if (!row) throw notFound('Machine');
    if (row.status === 'offline') {
      const online = await machinesRepository.markOnline(this.deps.db, machineId);
      if (online) {
        this.deps.events.statusChanged(online);
        row = online;
      } else {
        // A concurrent heartbeat (the device's connect and its first beat, say) brought it
        // back first: answer the state it is in now, not the offline one read before.
        row = (await machinesRepository.findById(this.deps.db, machineId)) ?? row;
      }
    }
    return {
      machineId: row.id,
      status: row.status,
      currentUserId: row.currentUserId,
      at: (row.lastHeartbeat ?? new Date()).toISOString(),
    };
  }

  /**
   * Every machine's status in the branch (at most 1,000), for a new subscriber: who holds each
   * machine only for staff, and for the viewer their own.
   */
  async branchSnapshot(branchId: string, viewer: { userId: string; staff: boolean }) {
    const page = await machinesRepository.list(this.deps.db, branchId, { limit: 1000 });
    return page.items.map((row) =>
      machineStatusEvent(row, {
        holderVisible: viewer.staff || row.currentUserId === viewer.userId,
      }),
    );
  }

  /** The member currently linked to the machine, if any. */
  async linkedUser(machineId: string): Promise<string | null> {
    return (await this.require(machineId)).currentUserId;
  }

  /** Releases the machine the member holds, if any (their account is going away). */
  async releaseHeldBy(userId: string): Promise<void> {
    this.deps.events.released(
      await machinesRepository.releaseHeldBy(this.deps.db, [userId], 'account-deleted'),
    );
  }

  /** The member's machine links, oldest first, for their data export. */
  async exportOf(userId: string): Promise<MachineLinkView[]> {
    return (await machinesRepository.linksOf(this.deps.db, userId)).map(presentMachineLink);
  }

  /** The id of the machine the member holds, if any. */
  async heldBy(userId: string): Promise<string | undefined> {
    return (await machinesRepository.findHeldBy(this.deps.db, userId))?.id;
  }

  /** Notes activity on the machine the member holds, so it is not released as idle. */
  touchHeldBy(userId: string): Promise<void> {
    return machinesRepository.touchHeldBy(this.deps.db, userId);
  }

  /** Job: machines silent for `seconds` go offline, releasing their members. */
  async markSilentMachinesOffline(seconds: number): Promise<number> {
    const changes = await machinesRepository.markSilentOffline(this.deps.db, seconds);
    this.deps.events.released(changes);
    return changes.length;
  }

  /** Job: links with no activity for `seconds` are released. */
  async releaseIdleLinks(seconds: number): Promise<number> {
    const changes = await machinesRepository.releaseIdleLinks(this.deps.db, seconds);
    this.deps.events.released(changes);
    for (const { machine, previousUserId } of changes) {
      if (previousUserId) {
        await this.deps.events.notify({
          userId: previousUserId,
          kind: 'machine-released',
          title: 'Machine released',
          body: `${machine.name} was released after a period without activity.`,
          data: { machineId: machine.id },
          // One notice per release: the machine's update time tells releases apart.
          dedupeKey: `machine-released:${machine.id}:${machine.updatedAt.toISOString()}`,
        });
      }
    }
    return changes.length;
  }

  private async require(id: string): Promise<MachineRow> {
    return (await machinesRepository.findById(this.deps.db, id)) ?? notFoundMachine();
  }
}

function notFoundMachine(): never {
  throw notFound('Machine');
}
