import type { RequestHandler } from 'express';
import { idParams } from '../../lib/http/common.schemas.js';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import { z } from '../../lib/zod.js';
import type { GymFloor } from './gym-floor.js';
import {
  assignStaffBody,
  branchListQuery,
  branchPage,
  branchSchema,
  busynessSchema,
  createBranchBody,
  machineListQuery,
  machinePage,
  membershipSchema,
  staffMemberSchema,
  staffParams,
  updateBranchBody,
} from './gym-floor.schemas.js';

const membershipsSchema = z
  .object({ branches: z.array(membershipSchema) })
  .openapi('BranchMemberships');
const staffListSchema = z.object({ items: z.array(staffMemberSchema) }).openapi('BranchStaff');

/** `/api/branches`: gym locations, membership, staff assignment and each branch's machines. */
export function branchesRoutes(
  { branches, machines, occupancy }: GymFloor,
  deps: { idempotent: RequestHandler },
): RouteGroup {
  return {
    basePath: '/api/branches',
    tag: 'Branches',
    routes: [
      defineRoute({
        method: 'post',
        path: '/',
        summary: 'Create a branch',
        description: 'Honours `Idempotency-Key`.',
        access: ['admin'],
        body: createBranchBody,
        before: [deps.idempotent],
        errors: [409],
        reasons: { 409: ['BRANCH_NAME_TAKEN'] },
        responses: { 201: { description: 'The branch', schema: branchSchema } },
        handler: async ({ body }) => ({ status: 201, body: await branches.create(body) }),
      }),
      defineRoute({
        method: 'get',
        path: '/',
        summary: 'Branches by name',
        description: '`q` keeps branches whose name contains it (case-insensitive).',
        access: 'user',
        query: branchListQuery,
        responses: { 200: { description: 'A page of branches', schema: branchPage } },
        handler: async ({ query }) => ({ status: 200, body: await branches.list(query) }),
      }),
      defineRoute({
        method: 'get',
        path: '/:id',
        summary: 'One branch',
        access: 'user',
        params: idParams,
        errors: [404],
        responses: { 200: { description: 'The branch', schema: branchSchema } },
        handler: async ({ params }) => ({ status: 200, body: await branches.get(params.id) }),
      }),
      defineRoute({
        method: 'patch',
        path: '/:id',
        summary: 'Change a branch',
        access: ['admin'],
        params: idParams,
        body: updateBranchBody,
        errors: [404, 409],
        reasons: { 409: ['BRANCH_NAME_TAKEN'] },
        responses: { 200: { description: 'The branch', schema: branchSchema } },
        handler: async ({ params, body }) => ({
          status: 200,
          body: await branches.update(params.id, body),
        }),
      }),
      defineRoute({
        method: 'delete',
        path: '/:id',
        summary: 'Delete a branch',
        description: 'Only a branch without machines and gym-session history can be deleted (409).',
        access: ['admin'],
        params: idParams,
        errors: [404, 409],
        reasons: { 409: ['BRANCH_IN_USE'] },
        responses: { 204: { description: 'Deleted' } },
        handler: async ({ params }) => {
          await branches.delete(params.id);
          return { status: 204 };
        },
      }),
      defineRoute({
        method: 'post',
        path: '/:id/join',
        summary: 'Join a branch',
        description: 'Joining again changes nothing. Answers the caller’s `branches[]`.',
        access: 'user',
        params: idParams,
        errors: [404],
        responses: { 200: { description: 'The caller’s memberships', schema: membershipsSchema } },
        handler: async ({ user, params }) => ({
          status: 200,
          body: { branches: await branches.join(user.userId, params.id) },
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/:id/leave',
        summary: 'Leave a branch',
        description:
          'A gym session the caller has at this branch ends with it, as `completed`, and the ' +
          'machine they hold is released (subscribers get `machine:status`). A session at ' +
          'another branch is left alone. 404 when the caller is not a member.',
        access: 'user',
        params: idParams,
        errors: [404],
        responses: { 200: { description: 'The caller’s memberships', schema: membershipsSchema } },
        handler: async ({ user, params }) => ({
          status: 200,
          body: { branches: await branches.leave(user, params.id) },
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/:id/machines',
        summary: 'The branch’s machines with live status',
        description:
          'Ordered by name; filter by `status` and `type`. `qrCode`, `telemetry` and ' +
          '`currentUserId` are shown to staff of the branch, admins and the member linked to ' +
          'the machine; for anyone else they are `null` (an `occupied` machine then has a null ' +
          '`currentUserId`).',
        access: 'user',
        params: idParams,
        query: machineListQuery,
        errors: [404],
        responses: { 200: { description: 'A page of machines', schema: machinePage } },
        handler: async ({ user, params, query }) => ({
          status: 200,
          body: await machines.listForBranch(user, params.id, query),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/:id/busyness',
        summary: 'How busy the branch is now',
        description:
          'Members checked in now, the machines by type and live status (`inUse` = occupied), ' +
          '`occupancyNow` (machines in use / all machines), and `typical`: the occupancy of ' +
          'this hour of the local day on this weekday over the previous 4 weeks, from the link ' +
          'history (occupied machine-time / the machine-time the branch’s machines offered, as ' +
          'in GET /api/analytics/branches/{id}/occupancy), so an app can say “busier than ' +
          'usual”. The live numbers are read fresh on every request (indexed counts); `typical` ' +
          'changes only when the hour does and is cached until then. Counts only: who is ' +
          'where is never shown. For the branch’s members, its staff and admins (403 for ' +
          'others, 404 for an unknown branch).',
        access: 'user',
        params: idParams,
        errors: [403, 404],
        responses: { 200: { description: 'The branch now', schema: busynessSchema } },
        handler: async ({ user, params }) => ({
          status: 200,
          body: await occupancy.busyness(user, params.id),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/:id/staff',
        summary: 'The branch’s staff',
        access: ['admin', 'staff'],
        params: idParams,
        errors: [404],
        responses: { 200: { description: 'Staff of the branch', schema: staffListSchema } },
        handler: async ({ user, params }) => {
          await branches.assertCanManage(user, params.id);
          return { status: 200, body: { items: await branches.listStaff(params.id) } };
        },
      }),
      defineRoute({
        method: 'post',
        path: '/:id/staff',
        summary: 'Make a staff user staff of the branch',
        description:
          'The user must have the `staff` role (409 otherwise). Assigning twice is fine.',
        access: ['admin'],
        params: idParams,
        body: assignStaffBody,
        errors: [404, 409],
        reasons: { 409: ['NOT_STAFF_ROLE'] },
        responses: { 200: { description: 'Staff of the branch', schema: staffListSchema } },
        handler: async ({ params, body }) => ({
          status: 200,
          body: { items: await branches.assignStaff(params.id, body.userId) },
        }),
      }),
      defineRoute({
        method: 'delete',
        path: '/:id/staff/:userId',
        summary: 'Remove a staff member from the branch',
        access: ['admin'],
        params: staffParams,
        errors: [404],
        responses: { 204: { description: 'Removed' } },
        handler: async ({ params }) => {
          await branches.removeStaff(params.id, params.userId);
          return { status: 204 };
        },
      }),
    ],
  };
}
