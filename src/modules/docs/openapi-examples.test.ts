import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedInUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';

/**
 * "Try it out" with the documented examples, unchanged, against the real app: a new member's
 * main flows and an admin's gym set-up. Each step sends the request body example of its
 * operation as the served document has it and expects the documented success status.
 *
 * Only what a person using the docs would also change is changed: path parameters, and the
 * ids in a body that name something an earlier step created (`branchId`, `qrCode`), are taken
 * from earlier answers (`with` below), as they would be copied from the earlier response in
 * the API reference. Every other field is the example's own.
 */

interface MediaTypeDoc {
  example?: unknown;
}
interface OperationDoc {
  requestBody?: { content: Record<string, MediaTypeDoc> };
  responses: Record<string, { content?: Record<string, MediaTypeDoc> }>;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, OperationDoc>>;
  components: { securitySchemes: Record<string, { name?: string }> };
}

let t: TestApp;
let doc: OpenApiDoc;
beforeAll(async () => {
  t = await createTestApp();
  doc = (await t.http.get('/api/openapi.json').expect(200)).body as OpenApiDoc;
});
afterAll(async () => {
  await t.close();
});

type Json = Record<string, unknown>;

interface Step {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** The documented path, e.g. `/api/machines/{id}/heartbeat`. */
  path: string;
  /** Values for the path's `{parameters}`, from earlier answers. */
  params?: Record<string, string>;
  /** Body fields that name what an earlier step created; the rest is the example as is. */
  with?: Json;
  /** `Authorization` value, or other headers the operation documents. */
  headers?: Record<string, string>;
}

/** The operation's documented success status: its only 2xx response. */
function successStatusOf(operation: OperationDoc): number {
  const statuses = Object.keys(operation.responses)
    .map(Number)
    .filter((status) => status >= 200 && status < 300);
  expect(statuses).toHaveLength(1);
  return statuses[0] ?? 0;
}

/**
 * Sends one operation's documented request example and checks the answer has the documented
 * success status and every top-level field of the documented success example.
 */
async function tryItOut(step: Step): Promise<Json> {
  const operation = doc.paths[step.path]?.[step.method];
  if (!operation) throw new Error(`${step.method} ${step.path} is not documented`);
  const name = `${step.method.toUpperCase()} ${step.path}`;
  const example = operation.requestBody?.content['application/json']?.example;
  if (operation.requestBody) expect(example, `${name} has no request example`).toBeDefined();
  const url = step.path.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = step.params?.[key];
    if (value === undefined) throw new Error(`${name}: no value for {${key}}`);
    return value;
  });
  const body = example === undefined ? undefined : { ...(example as Json), ...step.with };
  let request = t.http[step.method](url);
  for (const [header, value] of Object.entries(step.headers ?? {})) {
    request = request.set(header, value);
  }
  const res = body === undefined ? await request : await request.send(body);
  const expected = successStatusOf(operation);
  expect({
    name,
    status: res.status,
    body: res.status === expected ? undefined : res.body,
  }).toEqual({ name, status: expected, body: undefined });
  const documented = operation.responses[String(expected)]?.content?.['application/json']?.example;
  if (documented && typeof documented === 'object' && !Array.isArray(documented)) {
    expect(Object.keys(res.body as Json), name).toEqual(
      expect.arrayContaining(Object.keys(documented)),
    );
  }
  return res.body as Json;
}

const bearer = (session: Json) => ({ Authorization: `Bearer ${String(session.accessToken)}` });

describe('documented examples sent as they are', () => {
  it('when a new member follows the examples from sign-up to a logged meal, then every step succeeds', async () => {
    const registered = await tryItOut({ method: 'post', path: '/api/auth/register' });
    const signedIn = await tryItOut({ method: 'post', path: '/api/auth/login' });
    expect(signedIn.accessToken).toEqual(expect.any(String));
    // The example's refresh token is a made-up one: the member sends the one they were given.
    const refreshed = await tryItOut({
      method: 'post',
      path: '/api/auth/refresh',
      with: { refreshToken: registered.refreshToken },
    });
    const member = bearer(refreshed);

    await tryItOut({ method: 'get', path: '/api/users/me', headers: member });
    await tryItOut({ method: 'patch', path: '/api/users/me', headers: member });
    await tryItOut({ method: 'post', path: '/api/users/me/body-composition', headers: member });
    await tryItOut({ method: 'post', path: '/api/workouts/generate', headers: member });
    await tryItOut({ method: 'post', path: '/api/nutrition/plans/generate', headers: member });
    await tryItOut({ method: 'post', path: '/api/nutrition/macros/calculate', headers: member });
    await tryItOut({ method: 'post', path: '/api/workouts/logs', headers: member });
    await tryItOut({ method: 'post', path: '/api/nutrition/meals', headers: member });
    await tryItOut({ method: 'post', path: '/api/nutrition/meals/estimate', headers: member });
    await tryItOut({ method: 'post', path: '/api/notifications/reminders', headers: member });
    await tryItOut({ method: 'patch', path: '/api/social/settings', headers: member });
    await tryItOut({ method: 'patch', path: '/api/notifications/preferences', headers: member });
    await tryItOut({ method: 'post', path: '/api/auth/password', headers: member });
  });

  it('when an admin sets up a branch and a machine and a member uses it, then every step succeeds', async () => {
    const admin = await buildSignedInUser(t, { role: 'admin' });
    const member = await buildSignedInUser(t);
    const asAdmin = { Authorization: admin.auth };
    const asMember = { Authorization: member.auth };

    const branch = await tryItOut({ method: 'post', path: '/api/branches', headers: asAdmin });
    const branchId = String(branch.id);
    await tryItOut({
      method: 'patch',
      path: '/api/branches/{id}',
      params: { id: branchId },
      headers: asAdmin,
    });
    const created = await tryItOut({
      method: 'post',
      path: '/api/machines',
      with: { branchId },
      headers: asAdmin,
    });
    const machine = created.machine as Json;
    const machineId = String(machine.id);
    await tryItOut({
      method: 'post',
      path: '/api/machines/{id}/maintenance',
      params: { id: machineId },
      headers: asAdmin,
    });

    // The machine authenticates as the document's `machineKey` scheme says.
    const keyHeader = doc.components.securitySchemes.machineKey?.name ?? 'missing';
    await tryItOut({
      method: 'post',
      path: '/api/machines/{id}/heartbeat',
      params: { id: machineId },
      headers: { [keyHeader]: String(created.deviceKey) },
    });

    await tryItOut({
      method: 'post',
      path: '/api/branches/{id}/join',
      params: { id: branchId },
      headers: asMember,
    });
    await tryItOut({
      method: 'post',
      path: '/api/sessions/check-in',
      with: { branchId },
      headers: asMember,
    });
    await tryItOut({
      method: 'post',
      path: '/api/machines/link',
      with: { qrCode: machine.qrCode },
      headers: asMember,
    });
    await tryItOut({ method: 'post', path: '/api/workouts/logs', headers: asMember });
    await tryItOut({
      method: 'post',
      path: '/api/machines/{id}/unlink',
      params: { id: machineId },
      headers: asMember,
    });
    await tryItOut({ method: 'post', path: '/api/sessions/check-out', headers: asMember });
    await tryItOut({
      method: 'patch',
      path: '/api/machines/{id}',
      params: { id: machineId },
      headers: asAdmin,
    });
  });
});
