import { conflict, forbidden } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { namespaces, rooms } from '../../realtime/realtime.js';
import { onEvent, type AppSocket, type SocketFeature } from '../../realtime/socket-events.js';
import { workoutProgressPayload, type WorkoutLogsService } from '../workout-logs/index.js';
import type { GymFloor } from './gym-floor.js';
import { branchSubscribePayload, machineHeartbeatPayload } from './gym-floor.schemas.js';

/**
 * `/machines`: members and staff subscribe to a branch's `machine:status`; devices heartbeat,
 * report their linked member's workout progress, and hear `machine:linked` / `machine:unlinked`.
 */
export function machinesSocket(
  gymFloor: GymFloor,
  workoutLogs: WorkoutLogsService,
  logger: Logger,
): SocketFeature {
  return {
    namespace: namespaces.machines,
    admitsMachines: true,
    onConnection(socket) {
      if (socket.data.identity.kind === 'machine') onDevice(socket, socket.data.identity.machineId);
      else onUser(socket);
    },
  };

  function onUser(socket: AppSocket): void {
    const identity = socket.data.identity;
    if (identity.kind !== 'user') return;
    onEvent(socket, 'branch:subscribe', branchSubscribePayload, logger, async ({ branchId }) => {
      await gymFloor.branches.require(branchId);
      const access = await gymFloor.branches.watchAccess(identity, branchId);
      if (!access) throw forbidden('Join this branch (or staff it) to follow its machines.');
      // Staff also join the room that hears who holds each machine; every subscriber joins
      // their own, where they hear their own id on the machine they hold.
      await socket.join([
        rooms.branch(branchId),
        rooms.branchUser(branchId, identity.userId),
        ...(access === 'staff' ? [rooms.branchStaff(branchId)] : []),
      ]);
      // The current state, so the client needs no separate request before following changes.
      return {
        branchId,
        machines: await gymFloor.machines.branchSnapshot(branchId, {
          userId: identity.userId,
          staff: access === 'staff',
        }),
      };
    });
    onEvent(socket, 'branch:unsubscribe', branchSubscribePayload, logger, async ({ branchId }) => {
      for (const room of [
        rooms.branch(branchId),
        rooms.branchUser(branchId, identity.userId),
        rooms.branchStaff(branchId),
      ]) {
        await socket.leave(room);
      }
      return { branchId };
    });
  }

  function onDevice(socket: AppSocket, machineId: string): void {
    // Connecting is a sign of life: an offline machine comes back at once.
    gymFloor.machines.heartbeat(machineId).catch((error: unknown) => {
      logger.warn({ err: error, machineId }, 'heartbeat on connect failed');
    });
    onEvent(socket, 'machine:heartbeat', machineHeartbeatPayload, logger, ({ telemetry }) =>
      gymFloor.machines.heartbeat(machineId, telemetry),
    );
    onEvent(socket, 'workout:progress', workoutProgressPayload, logger, async (payload) => {
      const userId = await gymFloor.machines.linkedUser(machineId);
      if (!userId) throw conflict('No member is linked to this machine.', 'MACHINE_NOT_LINKED');
      const record = await workoutLogs.recordSet(
        userId,
        { ...payload, machineId },
        { kind: 'machine' },
      );
      return { record };
    });
  }
}
