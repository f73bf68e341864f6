import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBranch,
  buildBranchMember,
  buildCheckedInMember,
  buildMachine,
  buildSignedInUser,
} from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { conflictReasons } from '../errors.js';

interface SchemaDoc {
  properties?: { reason?: { enum?: string[] } };
  allOf?: SchemaDoc[];
}
interface ProblemResponseDoc {
  description: string;
  content: Record<string, { schema: SchemaDoc }>;
}
type OpenApiPaths = Record<
  string,
  Record<string, { responses: Record<string, ProblemResponseDoc> }>
>;

let t: TestApp;
let paths: OpenApiPaths;
beforeAll(async () => {
  t = await createTestApp();
  paths = (await t.http.get('/api/openapi.json').expect(200)).body.paths as OpenApiPaths;
});
afterAll(async () => {
  await t.close();
});

/** The reasons the OpenAPI document lists for one status of one operation. */
function documentedReasons(method: string, path: string, status: number): string[] {
  const response = paths[path]?.[method]?.responses[String(status)];
  const schema = response?.content['application/problem+json']?.schema;
  // The route's problem schema is the shared Problem extended with its own `reason` enum.
  const parts = [schema, ...(schema?.allOf ?? [])];
  return parts.flatMap((part) => part?.properties?.reason?.enum ?? []);
}

/** A 409 that names a reason its route documents. */
function expectDocumentedConflict(res: Response, method: string, path: string, reason: string) {
  expect(res.status).toBe(409);
  expect(res.body).toMatchObject({ code: 'CONFLICT', reason });
  expect(documentedReasons(method, path, 409)).toContain(reason);
}

describe('problem reasons in the OpenAPI document', () => {
  it('when a route can answer 409, then its document lists the reasons, each a known one', () => {
    const conflicts = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.responses['409'] !== undefined)
        .map(([method]) => ({
          route: `${method} ${path}`,
          reasons: documentedReasons(method, path, 409),
        })),
    );
    expect(conflicts.length).toBeGreaterThan(10);
    for (const { route, reasons } of conflicts) {
      expect({ route, empty: reasons.length === 0 }).toEqual({ route, empty: false });
      for (const reason of reasons) expect(Object.keys(conflictReasons)).toContain(reason);
    }
    const link = paths['/api/machines/link']?.post?.responses['409'];
    expect(link?.description).toMatch(/MACHINE_OCCUPIED.*in use/);
  });
});

describe('409 problems carry their documented reason', () => {
  it('when a username or email is taken, then register and PATCH /me say which', async () => {
    const taken = await buildSignedInUser(t);
    const body = { email: 'fresh@example.test', password: 'a sound password', name: 'N' };
    const byName = await t.http
      .post('/api/auth/register')
      .send({ ...body, username: taken.row.username.toUpperCase() });
    expectDocumentedConflict(byName, 'post', '/api/auth/register', 'USERNAME_TAKEN');
    const byEmail = await t.http
      .post('/api/auth/register')
      .send({ ...body, username: 'fresh_name', email: taken.row.email });
    expectDocumentedConflict(byEmail, 'post', '/api/auth/register', 'EMAIL_TAKEN');

    const other = await buildSignedInUser(t);
    const rename = await t.http
      .patch('/api/users/me')
      .set('Authorization', other.auth)
      .send({ username: taken.row.username });
    expectDocumentedConflict(rename, 'patch', '/api/users/me', 'USERNAME_TAKEN');
  });

  it('when a machine cannot be linked, then the reason tells occupied, maintenance and not checked in apart', async () => {
    const branch = await buildBranch(t);
    const { machine } = await buildMachine(t, branch.id);
    const staff = await buildSignedInUser(t, { role: 'admin' });
    const outsider = await buildBranchMember(t, branch.id);
    const notCheckedIn = await t.http
      .post('/api/machines/link')
      .set('Authorization', outsider.auth)
      .send({ qrCode: machine.qrCode });
    expectDocumentedConflict(notCheckedIn, 'post', '/api/machines/link', 'NOT_CHECKED_IN');

    const holder = await buildCheckedInMember(t, branch.id);
    await t.http
      .post('/api/machines/link')
      .set('Authorization', holder.auth)
      .send({ qrCode: machine.qrCode })
      .expect(200);
    const second = await buildCheckedInMember(t, branch.id);
    const occupied = await t.http
      .post('/api/machines/link')
      .set('Authorization', second.auth)
      .send({ qrCode: machine.qrCode });
    expectDocumentedConflict(occupied, 'post', '/api/machines/link', 'MACHINE_OCCUPIED');

    await t.http
      .patch(`/api/machines/${machine.id}`)
      .set('Authorization', staff.auth)
      .send({ status: 'maintenance' })
      .expect(200);
    const maintenance = await t.http
      .post('/api/machines/link')
      .set('Authorization', second.auth)
      .send({ qrCode: machine.qrCode });
    expectDocumentedConflict(maintenance, 'post', '/api/machines/link', 'MACHINE_IN_MAINTENANCE');

    const unlinkFree = await t.http
      .post(`/api/machines/${machine.id}/unlink`)
      .set('Authorization', staff.auth);
    expectDocumentedConflict(unlinkFree, 'post', '/api/machines/{id}/unlink', 'MACHINE_NOT_LINKED');
  });

  it('when sessions, idempotency keys and branches conflict, then each names its case', async () => {
    const branch = await buildBranch(t);
    const member = await buildCheckedInMember(t, branch.id);
    const again = await t.http
      .post('/api/sessions/check-in')
      .set('Authorization', member.auth)
      .send({ branchId: branch.id });
    expectDocumentedConflict(again, 'post', '/api/sessions/check-in', 'SESSION_ALREADY_ACTIVE');

    const idle = await buildSignedInUser(t);
    const checkOut = await t.http.post('/api/sessions/check-out').set('Authorization', idle.auth);
    expectDocumentedConflict(checkOut, 'post', '/api/sessions/check-out', 'NO_ACTIVE_SESSION');

    await t.http
      .post('/api/sessions/check-in')
      .set('Authorization', member.auth)
      .set('Idempotency-Key', 'reason-key-1')
      .send({ branchId: branch.id });
    const reused = await t.http
      .post('/api/sessions/check-in')
      .set('Authorization', member.auth)
      .set('Idempotency-Key', 'reason-key-1')
      .send({ branchId: '00000000-0000-4000-8000-000000000000' });
    expectDocumentedConflict(reused, 'post', '/api/sessions/check-in', 'IDEMPOTENCY_KEY_REUSED');

    const admin = await buildSignedInUser(t, { role: 'admin' });
    const duplicate = await t.http
      .post('/api/branches')
      .set('Authorization', admin.auth)
      .send({ name: branch.name.toUpperCase(), address: '2 Road', timezone: 'UTC' });
    expectDocumentedConflict(duplicate, 'post', '/api/branches', 'BRANCH_NAME_TAKEN');
    await buildMachine(t, branch.id);
    const inUse = await t.http
      .delete(`/api/branches/${branch.id}`)
      .set('Authorization', admin.auth);
    expectDocumentedConflict(inUse, 'delete', '/api/branches/{id}', 'BRANCH_IN_USE');
    const notStaff = await t.http
      .post(`/api/branches/${branch.id}/staff`)
      .set('Authorization', admin.auth)
      .send({ userId: idle.row.id });
    expectDocumentedConflict(notStaff, 'post', '/api/branches/{id}/staff', 'NOT_STAFF_ROLE');
  });
});
