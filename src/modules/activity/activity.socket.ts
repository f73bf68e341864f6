import type { Logger } from '../../lib/logger.js';
import { namespaces } from '../../realtime/realtime.js';
import { onEvent, type SocketFeature } from '../../realtime/socket-events.js';
import { workoutProgressPayload } from './activity.schemas.js';
import type { ActivityService } from './activity.service.js';

/**
 * `/workouts`: a member's devices, joined to the member's room. `workout:progress` is stored in
 * today's activity, acked with the stored record and sent to the member's other devices; the
 * room also carries `notification` events.
 */
export function workoutsSocket(activity: ActivityService, logger: Logger): SocketFeature {
  return {
    namespace: namespaces.workouts,
    admitsMachines: false,
    onConnection(socket) {
      const identity = socket.data.identity;
      if (identity.kind !== 'user') return;
      onEvent(socket, 'workout:progress', workoutProgressPayload, logger, async (payload) => ({
        record: await activity.recordProgress(identity.userId, payload, {
          kind: 'app',
          socketId: socket.id,
        }),
      }));
    },
  };
}
