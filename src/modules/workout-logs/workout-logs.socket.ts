import type { Logger } from '../../lib/logger.js';
import { namespaces } from '../../realtime/realtime.js';
import { onEvent, type SocketFeature } from '../../realtime/socket-events.js';
import { workoutProgressPayload } from './workout-logs.schemas.js';
import type { WorkoutLogsService } from './workout-logs.service.js';

/**
 * `/workouts`: a member's devices, joined to the member's room. `workout:progress` is stored as
 * a set of today's log entry for its exercise, acked with the stored set (and its `logId`) and
 * sent to the member's other devices; the room also carries `notification` events.
 */
export function workoutsSocket(workoutLogs: WorkoutLogsService, logger: Logger): SocketFeature {
  return {
    namespace: namespaces.workouts,
    admitsMachines: false,
    onConnection(socket) {
      const identity = socket.data.identity;
      if (identity.kind !== 'user') return;
      onEvent(socket, 'workout:progress', workoutProgressPayload, logger, async (payload) => ({
        record: await workoutLogs.recordSet(identity.userId, payload, {
          kind: 'app',
          socketId: socket.id,
        }),
      }));
    },
  };
}
