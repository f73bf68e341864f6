import type { RequestHandler } from 'express';
import { idParams, pageQuery } from '../../lib/http/common.schemas.js';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import type { GymFloor } from './gym-floor.js';
import {
  addMaintenanceBody,
  createMachineBody,
  createdMachineSchema,
  heartbeatBody,
  heartbeatResultSchema,
  linkBody,
  machineDetailsSchema,
  machineSchema,
  maintenanceEntrySchema,
  maintenancePage,
  updateMachineBody,
} from './gym-floor.schemas.js';

const staff = ['admin', 'staff'] as const;

/** `/api/machines`: inventory and upkeep for staff, linking for members. */
export function machinesRoutes(
  { machines }: GymFloor,
  deps: { idempotent: RequestHandler },
): RouteGroup {
  return {
    basePath: '/api/machines',
    tag: 'Machines',
    routes: [
      defineRoute({
        method: 'post',
        path: '/',
        summary: 'Add a machine to a branch',
        description:
          'The answer holds the machine’s `deviceKey` (for `X-Machine-Key` and the socket ' +
          'handshake) this once; only its hash is stored. `qrCode` is unique and is what members scan. ' +
          'No `Idempotency-Key`: a replay would have to keep the device key, which is never stored.',
        access: staff,
        body: createMachineBody,
        errors: [404],
        responses: {
          201: { description: 'The machine and its key', schema: createdMachineSchema },
        },
        handler: async ({ user, body }) => ({
          status: 201,
          body: await machines.create(user, body),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/link',
        summary: 'Link to the machine whose QR code was scanned',
        description:
          'Needs an active gym session at the machine’s branch. A machine the caller already ' +
          'holds is released first; linking the held machine again answers 200. 409 when the ' +
          'machine is occupied, in maintenance or offline, without a session there, or when the ' +
          'caller no longer belongs to the branch. Of members racing for one machine exactly one ' +
          'wins. A check-out, expiry or leave racing the link either comes first (409 here) or ' +
          'releases the machine right after it: a machine is never left held without an active ' +
          'session at its branch. Honours `Idempotency-Key`.',
        access: 'user',
        body: linkBody,
        before: [deps.idempotent],
        errors: [404, 409],
        reasons: {
          409: [
            'NOT_CHECKED_IN',
            'NOT_A_MEMBER',
            'MACHINE_OCCUPIED',
            'MACHINE_IN_MAINTENANCE',
            'MACHINE_OFFLINE',
            'CONCURRENT_LINK',
            'IDEMPOTENCY_KEY_REUSED',
            'IDEMPOTENCY_REQUEST_IN_PROGRESS',
          ],
        },
        responses: {
          200: { description: 'The machine, now occupied by the caller', schema: machineSchema },
        },
        handler: async ({ user, body }) => ({
          status: 200,
          body: await machines.link(user.userId, body.qrCode),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/:id',
        summary: 'One machine with its recent maintenance',
        description:
          '`maintenanceLog` (the 20 newest entries) is included for staff of the machine’s ' +
          'branch and admins only. `qrCode`, `telemetry` and `currentUserId` are shown to them ' +
          'and to the member using the machine; for anyone else they are `null`.',
        access: 'user',
        params: idParams,
        errors: [404],
        responses: { 200: { description: 'The machine', schema: machineDetailsSchema } },
        handler: async ({ user, params }) => ({
          status: 200,
          body: await machines.get(user, params.id),
        }),
      }),
      defineRoute({
        method: 'patch',
        path: '/:id',
        summary: 'Rename, move, or set maintenance / back to available',
        description:
          '`status: maintenance` releases a linked member; `status: available` is accepted only ' +
          'from maintenance (an offline machine comes back with its next heartbeat).',
        access: staff,
        params: idParams,
        body: updateMachineBody,
        errors: [404, 409],
        reasons: { 409: ['MACHINE_NOT_IN_MAINTENANCE'] },
        responses: { 200: { description: 'The machine', schema: machineSchema } },
        handler: async ({ user, params, body }) => ({
          status: 200,
          body: await machines.update(user, params.id, body),
        }),
      }),
      defineRoute({
        method: 'delete',
        path: '/:id',
        summary: 'Remove a machine',
        description:
          'Subscribers of the branch receive `machine:removed`; the device is disconnected. A ' +
          'member linked to it is released in the same transaction (the link history keeps the ' +
          'link, ended as `machine-removed`, without the machine id).',
        access: staff,
        params: idParams,
        errors: [404],
        responses: { 204: { description: 'Removed' } },
        handler: async ({ user, params }) => {
          await machines.remove(user, params.id);
          return { status: 204 };
        },
      }),
      defineRoute({
        method: 'post',
        path: '/:id/device-key',
        summary: 'Replace the machine’s device key',
        description: 'The new key is shown once; devices connected with the old one are cut off.',
        access: staff,
        params: idParams,
        errors: [404],
        responses: {
          200: { description: 'The machine and its new key', schema: createdMachineSchema },
        },
        handler: async ({ user, params }) => ({
          status: 200,
          body: await machines.replaceDeviceKey(user, params.id),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/:id/maintenance',
        summary: 'Record maintenance',
        description: 'Honours `Idempotency-Key`.',
        access: staff,
        params: idParams,
        body: addMaintenanceBody,
        before: [deps.idempotent],
        errors: [404],
        responses: { 201: { description: 'The log entry', schema: maintenanceEntrySchema } },
        handler: async ({ user, params, body }) => ({
          status: 201,
          body: await machines.addMaintenance(user, params.id, body),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/:id/maintenance',
        summary: 'The machine’s maintenance log, newest first',
        access: staff,
        params: idParams,
        query: pageQuery,
        errors: [404],
        responses: { 200: { description: 'A page of entries', schema: maintenancePage } },
        handler: async ({ user, params, query }) => ({
          status: 200,
          body: await machines.listMaintenance(user, params.id, query),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/:id/unlink',
        summary: 'Release a machine',
        description: 'By the member linked to it, or by admins and the branch’s staff.',
        access: 'user',
        params: idParams,
        errors: [403, 404, 409],
        reasons: { 409: ['MACHINE_NOT_LINKED', 'MACHINE_CHANGED_HANDS'] },
        responses: { 200: { description: 'The machine, now available', schema: machineSchema } },
        handler: async ({ user, params }) => ({
          status: 200,
          body: await machines.unlink(user, params.id),
        }),
      }),
    ],
  };
}

/**
 * `/api/machines/:id/heartbeat`: called by the machines themselves with `X-Machine-Key`, under
 * the device limit instead of the general one.
 */
export function machineDeviceRoutes(
  { machines }: GymFloor,
  deps: { rateLimit: RequestHandler },
): RouteGroup {
  return {
    basePath: '/api/machines',
    tag: 'Machines',
    generalRateLimit: false,
    routes: [
      defineRoute({
        method: 'post',
        path: '/:id/heartbeat',
        summary: 'Device heartbeat over HTTP',
        description:
          'Authenticated by the machine’s `X-Machine-Key` header, not a user token. Records the ' +
          'time and the latest telemetry; an offline machine becomes available again. The ' +
          '`machine:heartbeat` socket event does the same.',
        access: 'public',
        params: idParams,
        body: heartbeatBody,
        rateLimit: deps.rateLimit,
        errors: [401, 404],
        responses: { 200: { description: 'The machine’s state', schema: heartbeatResultSchema } },
        handler: async ({ params, body, req }) => ({
          status: 200,
          body: await machines.heartbeatWithKey(
            params.id,
            req.get('x-machine-key'),
            body.telemetry,
          ),
        }),
      }),
    ],
  };
}
