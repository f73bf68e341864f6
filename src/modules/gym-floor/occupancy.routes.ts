import { idParams } from '../../lib/http/common.schemas.js';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import type { GymFloor } from './gym-floor.js';
import { OCCUPANCY_MAX_DAYS, occupancyQuery, occupancySchema } from './gym-floor.schemas.js';
import { OCCUPANCY_DEFAULT_DAYS } from './occupancy.service.js';

/** `/api/analytics/branches`: how a branch's machines are used, for its staff. */
export function occupancyRoutes({ occupancy }: GymFloor): RouteGroup {
  return {
    basePath: '/api/analytics/branches',
    tag: 'Analytics',
    routes: [
      defineRoute({
        method: 'get',
        path: '/:id/occupancy',
        summary: 'Machine utilisation of a branch by hour of the day',
        description: [
          'Computed from the history of machine links (when each started and ended; a link ' +
            'still open counts up to now), for the local days `from`–`to` in the branch’s time ' +
            `zone (default: the ${String(OCCUPANCY_DEFAULT_DAYS)} days up to today; at most ` +
            `${String(OCCUPANCY_MAX_DAYS)} days; 400 otherwise).`,
          '**Definitions.** The range is cut into the hours of the branch’s local clock, from ' +
            'the first local midnight to the midnight after `to` or now, whichever comes first ' +
            '(a day that springs forward has 23 hours, one that falls back 25, its repeated hour ' +
            'counted twice). *Capacity* of an hour is the machine-time the branch’s machines ' +
            'offered in it: each machine counts from its creation, whatever its status (time in ' +
            'maintenance or offline is not kept as history). *Occupied* time is the part of ' +
            'each link that falls in the hour. `hours[h]` sums every day’s hour `h` over the ' +
            'range; `occupancy` = occupied / capacity, to 4 decimals, null without capacity. ' +
            '`byType` splits the same by machine type; `overall` covers the whole range.',
          '`busiestHours`: up to three hours of the day with the highest overall occupancy above ' +
            '0 (ties: earlier hour first). `machines`: each machine of the branch with its ' +
            'minutes in use within the range and the number of links overlapping it, most used ' +
            'first. Machines deleted since are left out of the fractions (their capacity is no ' +
            'longer known); their use is summed in `removedMachines`.',
          'For the branch’s staff and admins; other staff 403, an unknown branch 404.',
        ].join('\n\n'),
        access: ['admin', 'staff'],
        params: idParams,
        query: occupancyQuery,
        errors: [404],
        responses: {
          200: { description: 'Utilisation by hour, type and machine', schema: occupancySchema },
        },
        handler: async ({ user, params, query }) => ({
          status: 200,
          body: await occupancy.occupancy(user, params.id, query),
        }),
      }),
    ],
  };
}
