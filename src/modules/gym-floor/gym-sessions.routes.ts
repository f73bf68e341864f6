import type { RequestHandler } from 'express';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import type { GymFloor } from './gym-floor.js';
import {
  checkInBody,
  gymSessionPage,
  gymSessionSchema,
  gymSessionHistoryQuery,
} from './gym-floor.schemas.js';

/** `/api/sessions`: gym visits. */
export function gymSessionsRoutes(
  { gymSessions }: GymFloor,
  deps: { idempotent: RequestHandler },
): RouteGroup {
  return {
    basePath: '/api/sessions',
    tag: 'Gym sessions',
    routes: [
      defineRoute({
        method: 'post',
        path: '/check-in',
        summary: 'Check in at a branch',
        description:
          'The caller must have joined the branch (403 otherwise). 409 while another session is ' +
          'active. Honours `Idempotency-Key`. Sessions left open longer than ' +
          '`GYM_SESSION_EXPIRE_AFTER_SECONDS` end as `expired`.',
        access: 'user',
        body: checkInBody,
        before: [deps.idempotent],
        errors: [403, 404, 409],
        reasons: {
          409: [
            'SESSION_ALREADY_ACTIVE',
            'IDEMPOTENCY_KEY_REUSED',
            'IDEMPOTENCY_REQUEST_IN_PROGRESS',
          ],
        },
        responses: { 201: { description: 'The active session', schema: gymSessionSchema } },
        handler: async ({ user, body }) => ({
          status: 201,
          body: await gymSessions.checkIn(user.userId, body.branchId),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/check-out',
        summary: 'Check out',
        description:
          'Ends the active session (`completed`, `endTime`, `duration` in whole minutes, ' +
          '`machinesUsed`) and releases a linked machine. 409 when no session is active.',
        access: 'user',
        errors: [409],
        reasons: { 409: ['NO_ACTIVE_SESSION'] },
        responses: { 200: { description: 'The ended session', schema: gymSessionSchema } },
        handler: async ({ user }) => ({
          status: 200,
          body: await gymSessions.checkOut(user.userId),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/active',
        summary: 'The active gym session',
        access: 'user',
        errors: [404],
        responses: { 200: { description: 'The active session', schema: gymSessionSchema } },
        handler: async ({ user }) => ({
          status: 200,
          body: await gymSessions.getActive(user.userId),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/',
        summary: 'The caller’s gym sessions, newest first',
        description: '`from` / `to` bound the start time (inclusive).',
        access: 'user',
        query: gymSessionHistoryQuery,
        responses: { 200: { description: 'A page of gym sessions', schema: gymSessionPage } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await gymSessions.list(user.userId, query),
        }),
      }),
    ],
  };
}
