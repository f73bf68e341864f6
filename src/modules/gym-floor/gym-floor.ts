import type { Database } from '../../db/database.js';
import type { DomainEvents } from '../../lib/events/domain-events.js';
import type { KeyValueStore } from '../../lib/kv/kv.js';
import type { Logger } from '../../lib/logger.js';
import type { Realtime } from '../../realtime/realtime.js';
import type { Notifier } from '../notifications/index.js';
import { BranchesService, type BranchAccounts } from './branches.service.js';
import { FloorEvents } from './gym-floor.events.js';
import { MachinesService } from './machines.service.js';
import { GymSessionsService } from './gym-sessions.service.js';
import { OccupancyService } from './occupancy.service.js';

/** How long things may stay untouched on the floor before the sweeps step in. */
export interface FloorSettings {
  gymSessionExpireAfterSeconds: number;
  machineOfflineAfterSeconds: number;
  linkIdleAfterSeconds: number;
  /** How often each sweep runs. */
  sweepIntervalSeconds: number;
}

/** The gym floor's services, wired to one database and one real-time server. */
export interface GymFloor {
  branches: BranchesService;
  machines: MachinesService;
  gymSessions: GymSessionsService;
  /** Utilisation from the link history, and how busy a branch is now. */
  occupancy: OccupancyService;
  /** Where a member is on the floor now (the workout logs' `MemberPresence`, the time zones). */
  presence: {
    /** The branch the member is at, else their home zone, else UTC. */
    timezoneOf(userId: string): Promise<string>;
    machineHeldBy(userId: string): Promise<string | undefined>;
  };
  settings: FloorSettings;
}

/**
 * Builds the gym floor and subscribes it to what other modules announce: a recorded set keeps
 * the member's machine link alive, an account being deleted lets go of its machine first, and a
 * role change that ends someone's staff role drops their branch assignments with it.
 */
export function createGymFloor(deps: {
  db: Database;
  /** Short-lived caches (a branch's typical busyness). */
  kv: KeyValueStore;
  logger: Logger;
  realtime: Realtime;
  /** Expired sessions and released machines are told to their members through it. */
  notifier: Notifier;
  events: DomainEvents;
  /** Account lookups (the users module's repository). */
  accounts: BranchAccounts;
  settings: FloorSettings;
}): GymFloor {
  const floorEvents = new FloorEvents(deps.realtime, deps.notifier);
  const branches = new BranchesService({
    db: deps.db,
    events: floorEvents,
    domainEvents: deps.events,
    accounts: deps.accounts,
  });
  const machines = new MachinesService({ db: deps.db, branches, events: floorEvents });
  const gymSessions = new GymSessionsService({
    db: deps.db,
    logger: deps.logger,
    branches,
    events: floorEvents,
    domainEvents: deps.events,
  });
  const occupancy = new OccupancyService({
    db: deps.db,
    kv: deps.kv,
    logger: deps.logger,
    branches,
  });
  deps.events.on('workout-logs.set-recorded', ({ userId }) => machines.touchHeldBy(userId));
  deps.events.on('users.deleting', ({ userId }) => machines.releaseHeldBy(userId));
  deps.events.on('users.role-changing', ({ tx, userId, role }) =>
    branches.onRoleChanging(tx, userId, role),
  );
  return {
    branches,
    machines,
    gymSessions,
    occupancy,
    presence: {
      timezoneOf: (userId) => gymSessions.timezoneOf(userId),
      machineHeldBy: (userId) => machines.heldBy(userId),
    },
    settings: deps.settings,
  };
}
