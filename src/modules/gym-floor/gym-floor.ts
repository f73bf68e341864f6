import type { Database } from '../../db/database.js';
import type { Realtime } from '../../realtime/realtime.js';
import { BranchesService } from './branches.service.js';
import { FloorEvents } from './gym-floor.events.js';
import { MachinesService } from './machines.service.js';
import { GymSessionsService } from './gym-sessions.service.js';

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
  settings: FloorSettings;
}

export function createGymFloor(deps: {
  db: Database;
  realtime: Realtime;
  settings: FloorSettings;
}): GymFloor {
  const events = new FloorEvents(deps.realtime);
  const branches = new BranchesService({ db: deps.db, events });
  return {
    branches,
    machines: new MachinesService({ db: deps.db, branches, events }),
    gymSessions: new GymSessionsService({ db: deps.db, branches, events }),
    settings: deps.settings,
  };
}
