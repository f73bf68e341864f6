import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StubService } from '../../integrations/test-support/stub-service.js';
import {
  buildBranch,
  buildBranchMember,
  buildBranchStaff,
  buildMachine,
  buildSignedInUser,
  signIn,
} from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';

/**
 * Who calls each operation of the served OpenAPI document, and what each caller gets. Every
 * operation must have a row below and every row an operation: a new route cannot ship without
 * someone deciding, here, who may call it.
 *
 * Callers (the columns, in this order):
 * - `anon`: no credentials at all.
 * - `member`: the member who owns the fixture resources (logs, meals, plans, files, scans,
 *   reminders, notifications, device tokens, follow requests) and belongs to branch A.
 * - `other`: another member of branch A, calling with the owner's resource ids.
 * - `staffB`: staff assigned to branch B only, calling on branch A's branch and machines.
 * - `staffA`: staff assigned to branch A.
 * - `admin`.
 * - `device`: machine A's `X-Machine-Key` and no user token; the only credential device routes
 *   (`/heartbeat`) take, and no credential at all to every other route.
 *
 * What the table says, in short: a member's own data (logs, meals, plans, files, scans,
 * reminders, notifications) is scoped to its owner, so every other caller, admins included, gets
 * 404 as if it did not exist; branch management is for that branch's staff and admins (403 for
 * staff of another branch); the scanning webhook is authenticated by its HMAC signature alone.
 *
 * Each caller gets a body that passes validation where it is past authorization, so the status
 * is the meaningful one. Calls that end the caller's session or account run as a fresh user of
 * the caller's kind; calls that delete or rotate something get a fresh resource of their own.
 */
const callers = ['anon', 'member', 'other', 'staffB', 'staffA', 'admin', 'device'] as const;
type Caller = (typeof callers)[number];
type Row = readonly [number, number, number, number, number, number, number];

// prettier-ignore
const expectedStatuses: Record<string, Row> = {
  //                                                           anon member  other staffB staffA  admin device
  'GET /health/live':                                        [ 200,   200,   200,   200,   200,   200,   200],
  'GET /health/ready':                                       [ 200,   200,   200,   200,   200,   200,   200],
  'GET /metrics':                                            [ 200,   200,   200,   200,   200,   200,   200],
  'POST /api/auth/register':                                 [ 201,   201,   201,   201,   201,   201,   201],
  'POST /api/auth/login':                                    [ 200,   200,   200,   200,   200,   200,   200],
  'POST /api/auth/refresh':                                  [ 200,   200,   200,   200,   200,   200,   200],
  'POST /api/auth/logout':                                   [ 401,   204,   204,   204,   204,   204,   401],
  'POST /api/auth/logout-all':                               [ 401,   204,   204,   204,   204,   204,   401],
  'POST /api/auth/password':                                 [ 401,   204,   204,   204,   204,   204,   401],
  'POST /api/auth/password/forgot':                          [ 202,   202,   202,   202,   202,   202,   202],
  'POST /api/auth/password/reset':                           [ 400,   400,   400,   400,   400,   400,   400],
  'POST /api/auth/email/verify':                             [ 400,   400,   400,   400,   400,   400,   400],
  'POST /api/auth/email/verification':                       [ 401,   202,   202,   202,   202,   202,   401],
  'POST /api/auth/mfa/verify':                               [ 401,   401,   401,   401,   401,   401,   401],
  'POST /api/auth/reauthenticate':                           [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/auth/mfa':                                       [ 401,   200,   200,   200,   200,   200,   401],
  'POST /api/auth/mfa/totp':                                 [ 401,   200,   200,   200,   200,   200,   401],
  'DELETE /api/auth/mfa/totp':                               [ 401,   409,   409,   409,   409,   409,   401],
  'POST /api/auth/mfa/totp/confirm':                         [ 401,   409,   409,   409,   409,   409,   401],
  'POST /api/auth/mfa/recovery-codes':                       [ 401,   409,   409,   409,   409,   409,   401],
  'POST /api/auth/mfa/enrolment':                            [ 401,   401,   401,   401,   401,   401,   401],
  'POST /api/auth/mfa/enrolment/confirm':                    [ 401,   401,   401,   401,   401,   401,   401],
  'GET /account/verify-email':                               [ 200,   200,   200,   200,   200,   200,   200],
  'GET /account/reset-password':                             [ 200,   200,   200,   200,   200,   200,   200],
  'GET /account/account-page.js':                            [ 200,   200,   200,   200,   200,   200,   200],
  'GET /api/users/me':                                       [ 401,   200,   200,   200,   200,   200,   401],
  'PATCH /api/users/me':                                     [ 401,   200,   200,   200,   200,   200,   401],
  'DELETE /api/users/me':                                    [ 401,   204,   204,   204,   204,   204,   401],
  'POST /api/users/me/email':                                [ 401,   202,   202,   202,   202,   202,   401],
  'GET /api/users/me/export':                                [ 401,   200,   200,   200,   200,   200,   401],
  'POST /api/users/me/body-composition':                     [ 401,   201,   201,   201,   201,   201,   401],
  'GET /api/users/me/body-composition':                      [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/users':                                          [ 401,   403,   403,   403,   403,   200,   401],
  'PATCH /api/users/{id}/role':                              [ 401,   403,   403,   403,   403,   200,   401],
  'POST /api/workouts/generate':                             [ 401,   201,   201,   201,   201,   201,   401],
  'GET /api/workouts/plans':                                 [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/workouts/plans/active':                          [ 401,   404,   404,   404,   404,   404,   401],
  'GET /api/workouts/plans/{id}':                            [ 401,   200,   404,   404,   404,   404,   401],
  'PATCH /api/workouts/plans/{id}':                          [ 401,   200,   404,   404,   404,   404,   401],
  'POST /api/workouts/plans/{id}/activate':                  [ 401,   200,   404,   404,   404,   404,   401],
  'GET /api/workouts/exercises':                             [ 401,   200,   200,   200,   200,   200,   401],
  'POST /api/workouts/logs/import':                          [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/workouts/logs/export':                           [ 401,   200,   200,   200,   200,   200,   401],
  'POST /api/workouts/logs':                                 [ 401,   201,   201,   201,   201,   201,   401],
  'GET /api/workouts/logs':                                  [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/workouts/logs/{id}':                             [ 401,   200,   404,   404,   404,   404,   401],
  'PATCH /api/workouts/logs/{id}':                           [ 401,   200,   404,   404,   404,   404,   401],
  'DELETE /api/workouts/logs/{id}':                          [ 401,   204,   404,   404,   404,   404,   401],
  'GET /api/workouts/records':                               [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/workouts/activity':                              [ 401,   200,   200,   200,   200,   200,   401],
  'POST /api/nutrition/plans/generate':                      [ 401,   201,   201,   201,   201,   201,   401],
  'GET /api/nutrition/plans':                                [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/nutrition/plans/active':                         [ 401,   404,   404,   404,   404,   404,   401],
  'GET /api/nutrition/plans/{id}':                           [ 401,   200,   404,   404,   404,   404,   401],
  'POST /api/nutrition/plans/{id}/activate':                 [ 401,   200,   404,   404,   404,   404,   401],
  'POST /api/nutrition/macros/calculate':                    [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/nutrition/foods':                                [ 401,   200,   200,   200,   200,   200,   401],
  'POST /api/nutrition/meals':                               [ 401,   201,   201,   201,   201,   201,   401],
  'GET /api/nutrition/meals':                                [ 401,   200,   200,   200,   200,   200,   401],
  'POST /api/nutrition/meals/copy-day':                      [ 401,   201,   201,   201,   201,   201,   401],
  'GET /api/nutrition/meals/{id}':                           [ 401,   200,   404,   404,   404,   404,   401],
  'PATCH /api/nutrition/meals/{id}':                         [ 401,   200,   404,   404,   404,   404,   401],
  'DELETE /api/nutrition/meals/{id}':                        [ 401,   204,   404,   404,   404,   404,   401],
  'POST /api/nutrition/meals/{id}/copy':                     [ 401,   201,   404,   404,   404,   404,   401],
  'POST /api/nutrition/meals/analyze':                       [ 401,   200,   404,   404,   404,   404,   401],
  'GET /api/nutrition/meals/analyze/{analysisId}':           [ 401,   200,   404,   404,   404,   404,   401],
  'POST /api/nutrition/meals/analyze/{analysisId}/confirm':  [ 401,   201,   404,   404,   404,   404,   401],
  'POST /api/nutrition/meals/analyze/{analysisId}/feedback': [ 401,   200,   404,   404,   404,   404,   401],
  'POST /api/nutrition/meals/estimate':                      [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/nutrition/foods/barcode/{code}':                 [ 401,   404,   404,   404,   404,   404,   401],
  'POST /api/branches':                                      [ 401,   403,   403,   403,   403,   201,   401],
  'GET /api/branches':                                       [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/branches/{id}':                                  [ 401,   200,   200,   200,   200,   200,   401],
  'PATCH /api/branches/{id}':                                [ 401,   403,   403,   403,   403,   200,   401],
  'DELETE /api/branches/{id}':                               [ 401,   403,   403,   403,   403,   204,   401],
  'POST /api/branches/{id}/join':                            [ 401,   200,   200,   200,   200,   200,   401],
  'POST /api/branches/{id}/leave':                           [ 401,   200,   200,   404,   404,   404,   401],
  'GET /api/branches/{id}/machines':                         [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/branches/{id}/busyness':                         [ 401,   200,   200,   403,   200,   200,   401],
  'GET /api/branches/{id}/staff':                            [ 401,   403,   403,   403,   200,   200,   401],
  'POST /api/branches/{id}/staff':                           [ 401,   403,   403,   403,   403,   200,   401],
  'DELETE /api/branches/{id}/staff/{userId}':                [ 401,   403,   403,   403,   403,   204,   401],
  'POST /api/machines':                                      [ 401,   403,   403,   403,   201,   201,   401],
  'POST /api/machines/link':                                 [ 401,   200,   200,   409,   409,   409,   401],
  'GET /api/machines/{id}':                                  [ 401,   200,   200,   200,   200,   200,   401],
  'PATCH /api/machines/{id}':                                [ 401,   403,   403,   403,   200,   200,   401],
  'DELETE /api/machines/{id}':                               [ 401,   403,   403,   403,   204,   204,   401],
  'POST /api/machines/{id}/device-key':                      [ 401,   403,   403,   403,   200,   200,   401],
  'POST /api/machines/{id}/maintenance':                     [ 401,   403,   403,   403,   201,   201,   401],
  'GET /api/machines/{id}/maintenance':                      [ 401,   403,   403,   403,   200,   200,   401],
  'POST /api/machines/{id}/unlink':                          [ 401,   200,   403,   403,   200,   200,   401],
  'POST /api/machines/{id}/heartbeat':                       [ 401,   401,   401,   401,   401,   401,   200],
  'POST /api/sessions/check-in':                             [ 401,   201,   201,   403,   403,   403,   401],
  'POST /api/sessions/check-out':                            [ 401,   200,   200,   409,   409,   409,   401],
  'GET /api/sessions/active':                                [ 401,   404,   404,   404,   404,   404,   401],
  'GET /api/sessions':                                       [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/users/me/points':                                [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/users/me/achievements':                          [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/analytics/workout/summary':                      [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/analytics/workout/progress':                     [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/analytics/nutrition/compliance':                 [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/analytics/body/trends':                          [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/analytics/branches/{id}/occupancy':              [ 401,   403,   403,   403,   200,   200,   401],
  'GET /api/social/settings':                                [ 401,   200,   200,   200,   200,   200,   401],
  'PATCH /api/social/settings':                              [ 401,   200,   200,   200,   200,   200,   401],
  'POST /api/social/follow/{userId}':                        [ 401,   201,   201,   201,   201,   201,   401],
  'DELETE /api/social/follow/{userId}':                      [ 401,   204,   204,   204,   204,   204,   401],
  'GET /api/social/followers':                               [ 401,   200,   200,   200,   200,   200,   401],
  'DELETE /api/social/followers/{userId}':                   [ 401,   204,   204,   204,   204,   204,   401],
  'GET /api/social/following':                               [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/social/follow-requests':                         [ 401,   200,   200,   200,   200,   200,   401],
  'POST /api/social/follow-requests/{userId}/approve':       [ 401,   200,   404,   404,   404,   404,   401],
  'POST /api/social/follow-requests/{userId}/decline':       [ 401,   204,   404,   404,   404,   404,   401],
  'GET /api/social/blocks':                                  [ 401,   200,   200,   200,   200,   200,   401],
  'POST /api/social/blocks/{userId}':                        [ 401,   201,   201,   201,   201,   201,   401],
  'DELETE /api/social/blocks/{userId}':                      [ 401,   204,   204,   204,   204,   204,   401],
  'GET /api/social/feed':                                    [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/notifications/reminders':                        [ 401,   200,   200,   200,   200,   200,   401],
  'POST /api/notifications/reminders':                       [ 401,   201,   201,   201,   201,   201,   401],
  'GET /api/notifications/reminders/{id}':                   [ 401,   200,   404,   404,   404,   404,   401],
  'PATCH /api/notifications/reminders/{id}':                 [ 401,   200,   404,   404,   404,   404,   401],
  'DELETE /api/notifications/reminders/{id}':                [ 401,   204,   404,   404,   404,   404,   401],
  'GET /api/social/leaderboard':                             [ 401,   200,   200,   403,   200,   200,   401],
  'POST /api/upload/meal-images':                            [ 401,   201,   201,   201,   201,   201,   401],
  'POST /api/upload/avatar':                                 [ 401,   201,   201,   201,   201,   201,   401],
  'GET /api/files/{id}':                                     [ 401,   200,   404,   404,   404,   404,   401],
  'POST /api/upload/scan-data':                              [ 401,   202,   202,   202,   202,   202,   401],
  'GET /api/scans':                                          [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/scans/{id}':                                     [ 401,   200,   404,   404,   404,   404,   401],
  'POST /api/webhooks/scanning':                             [ 200,   200,   200,   200,   200,   200,   200],
  'GET /api/notifications':                                  [ 401,   200,   200,   200,   200,   200,   401],
  'POST /api/notifications/read-all':                        [ 401,   200,   200,   200,   200,   200,   401],
  'POST /api/notifications/register':                        [ 401,   201,   201,   201,   201,   201,   401],
  'DELETE /api/notifications/devices/{token}':               [ 401,   204,   404,   404,   404,   404,   401],
  'GET /api/notifications/vapid-public-key':                 [ 401,   200,   200,   200,   200,   200,   401],
  'GET /api/notifications/preferences':                      [ 401,   200,   200,   200,   200,   200,   401],
  'PATCH /api/notifications/preferences':                    [ 401,   200,   200,   200,   200,   200,   401],
  'POST /api/notifications/{id}/read':                       [ 401,   200,   404,   404,   404,   404,   401],
  'GET /api/openapi.json':                                   [ 200,   200,   200,   200,   200,   200,   200],
  'GET /api/asyncapi.json':                                  [ 200,   200,   200,   200,   200,   200,   200],
  'GET /':                                                   [ 200,   200,   200,   200,   200,   200,   200],
  'GET /api/docs':                                           [ 200,   200,   200,   200,   200,   200,   200],
};

type Identity = Awaited<ReturnType<typeof buildSignedInUser>>;
type UserCaller = Exclude<Caller, 'anon' | 'device'>;

/** One request: path parameters, query, body and extra headers. */
interface Call {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: object;
  /** A raw text body of this media type instead of JSON. */
  text?: { mediaType: string; content: string };
  /** A multipart body with one file. */
  file?: { field: string; bytes: Buffer; name: string };
  headers?: Record<string, string>;
}

interface Plan {
  /** What to send; `who` is the user making the call (undefined for anon and device). */
  call?(who: Identity | undefined, caller: Caller): Call | Promise<Call>;
  /** The call ends or changes the caller's session or account: a fresh user of the kind makes it. */
  freshCaller?: true;
  /** Puts back what the call changed, so later operations see the fixture world as built. */
  after?(who: Identity | undefined, caller: Caller): Promise<void>;
}

let t: TestApp;
const WEBHOOK_SECRET = 'whsec-matrix-0123456789abcdef0123456789ab';
let services: StubService;
const scanFixture = readFileSync(
  new URL('../scans/fixtures/inbody-app-export.csv', import.meta.url),
);
const now = () => new Date().toISOString();
/** A small solid-colour image of the format. */
const imageBytes = (format: 'jpeg' | 'png') =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: '#2a7f62' } })
    [format]()
    .toBuffer();

let branches: { a: { id: string }; b: { id: string } };

/** The fixture resources path parameters resolve to; built once in beforeAll. */
interface World {
  machineA: { id: string; qrCode: string; deviceKey: string };
  users: Record<UserCaller, Identity>;
  workoutPlanId: string;
  workoutLogId: string;
  nutritionPlanId: string;
  mealId: string;
  analysisId: string;
  mealImageId: string;
  reminderId: string;
  scanId: string;
  notificationId: string;
  /** A member with a public profile whom callers follow, unfollow and block. */
  stranger: Identity;
  /** Members with a pending follow request to `member` (one to approve, one to decline). */
  requesters: { approve: Identity; decline: Identity };
}
let world: World;

/** The callers who joined branch A; staff are assigned to a branch, not members of it. */
const branchAMembers = new Set<Caller>(['member', 'other']);

const newUser: Record<UserCaller, () => Promise<Identity>> = {
  member: () => buildBranchMember(t, branches.a.id),
  other: () => buildBranchMember(t, branches.a.id),
  staffB: () => buildBranchStaff(t, branches.b.id),
  staffA: () => buildBranchStaff(t, branches.a.id),
  admin: () => buildSignedInUser(t, { role: 'admin' }),
};

/** A request as `who`, expecting `status`; answers the body. */
async function as(
  who: Identity,
  method: 'get' | 'post' | 'patch',
  path: string,
  status: number,
  body?: object,
): Promise<Record<string, unknown>> {
  const request = t.http[method](path).set('Authorization', who.auth);
  const response = await (body ? request.send(body) : request);
  expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBe(status);
  return response.body as Record<string, unknown>;
}
const idOf = (body: Record<string, unknown>) => String(body.id);

const workoutLogBody = () => ({
  exerciseId: 'barbell-bench-press',
  exerciseName: 'Barbell bench press',
  completedAt: now(),
  completedSets: 3,
  completedReps: 10,
  weightKg: 60,
});
const mealBody = () => ({
  mealType: 'lunch',
  consumedAt: now(),
  mealDescription: 'Chicken and rice',
  macros: { calories: 650, protein: 42, carbs: 70, fat: 18 },
});
const reminderBody = { kind: 'workout', days: ['mon', 'wed'], time: '07:00' };

async function newWorkoutLog(owner: Identity) {
  return idOf(await as(owner, 'post', '/api/workouts/logs', 201, workoutLogBody()));
}
async function newMeal(owner: Identity) {
  return idOf(await as(owner, 'post', '/api/nutrition/meals', 201, mealBody()));
}
async function newReminder(owner: Identity) {
  return idOf(await as(owner, 'post', '/api/notifications/reminders', 201, reminderBody));
}
async function newMachine() {
  const { machine, deviceKey } = await buildMachine(t, branches.a.id);
  return { id: machine.id, qrCode: machine.qrCode, deviceKey };
}
async function newAnalysis(owner: Identity) {
  const image = await t.container.files.save(owner.row.id, {
    purpose: 'meal-image',
    bytes: await imageBytes('jpeg'),
    contentType: 'image/jpeg',
    width: 64,
    height: 48,
  });
  const analysis = await as(owner, 'post', '/api/nutrition/meals/analyze', 201, {
    imageId: image.id,
  });
  return { imageId: image.id, analysisId: String(analysis.analysisId) };
}

/** The owner's resource for `{id}` of each path, by the path's start. */
function ownedId(template: string): string {
  const byPrefix: [string, string][] = [
    ['/api/workouts/plans/', world.workoutPlanId],
    ['/api/workouts/logs/', world.workoutLogId],
    ['/api/nutrition/plans/', world.nutritionPlanId],
    ['/api/nutrition/meals/analyze/', world.analysisId],
    ['/api/nutrition/meals/', world.mealId],
    ['/api/branches/', branches.a.id],
    ['/api/analytics/branches/', branches.a.id],
    ['/api/machines/', world.machineA.id],
    ['/api/notifications/reminders/', world.reminderId],
    ['/api/notifications/', world.notificationId],
    ['/api/files/', world.mealImageId],
    ['/api/scans/', world.scanId],
    ['/api/users/', world.users.other.row.id],
  ];
  const match = byPrefix.find(([prefix]) => template.startsWith(prefix));
  if (!match) throw new Error(`${template}: no fixture resource for its {id}; add one`);
  return match[1];
}

const unique = () => Math.random().toString(36).slice(2, 10);
const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (days: number) =>
  new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
const me = (who: Identity | undefined) => who ?? world.users.member;
const ownerOnly = (id: () => Promise<string>) => ({
  call: async () => ({ params: { id: await id() } }),
});

/** Checks in at branch A over HTTP, as far as the caller may (staff and admins may not). */
async function checkIn(who: Identity) {
  await t.http
    .post('/api/sessions/check-in')
    .set('Authorization', who.auth)
    .send({ branchId: branches.a.id });
}
async function checkOut(who: Identity | undefined) {
  if (who) await t.http.post('/api/sessions/check-out').set('Authorization', who.auth);
}

const plans: Record<string, Plan> = {
  'POST /api/auth/register': {
    call: () => {
      const tag = unique();
      return {
        body: {
          username: `matrix_${tag}`,
          email: `matrix_${tag}@example.test`,
          password: `pw-${tag}-secret`,
          name: 'Matrix Member',
        },
      };
    },
  },
  'POST /api/auth/login': {
    call: (who) => ({ body: { login: me(who).row.username, password: me(who).password } }),
  },
  'POST /api/auth/refresh': {
    call: async (who) => ({ body: { refreshToken: (await signIn(t, me(who))).refreshToken } }),
  },
  'POST /api/auth/logout': { freshCaller: true, call: () => ({ body: {} }) },
  'POST /api/auth/logout-all': { freshCaller: true },
  'POST /api/auth/password': {
    freshCaller: true,
    call: (who) => ({
      body: { currentPassword: me(who).password, newPassword: `new-${unique()}-secret` },
    }),
  },
  'POST /api/auth/password/forgot': { call: () => ({ body: { email: 'nobody@example.test' } }) },
  'POST /api/auth/password/reset': {
    call: () => ({ body: { token: 'x'.repeat(43), password: `new-${unique()}-secret` } }),
  },
  'POST /api/auth/email/verify': { call: () => ({ body: { token: 'x'.repeat(43) } }) },
  'POST /api/auth/email/verification': { freshCaller: true },
  'POST /api/auth/mfa/verify': {
    call: () => ({ body: { mfaToken: 'x'.repeat(43), code: '123456' } }),
  },
  'POST /api/auth/reauthenticate': { call: (who) => ({ body: { password: me(who).password } }) },
  'POST /api/auth/mfa/totp': { freshCaller: true },
  'DELETE /api/auth/mfa/totp': {
    call: (who) => ({ body: { password: me(who).password, code: '123456' } }),
  },
  'POST /api/auth/mfa/totp/confirm': { call: () => ({ body: { code: '123456' } }) },
  'POST /api/auth/mfa/recovery-codes': {
    call: (who) => ({ body: { password: me(who).password } }),
  },
  'POST /api/auth/mfa/enrolment': { call: () => ({ body: { enrolmentToken: 'x'.repeat(43) } }) },
  'POST /api/auth/mfa/enrolment/confirm': {
    call: () => ({ body: { enrolmentToken: 'x'.repeat(43), code: '123456' } }),
  },
  'PATCH /api/users/me': {
    call: () => ({ body: { profile: { demographics: { heightCm: 178 } } } }),
  },
  'DELETE /api/users/me': {
    freshCaller: true,
    call: (who) => ({ body: { password: me(who).password } }),
  },
  'POST /api/users/me/email': {
    freshCaller: true,
    call: (who) => ({
      body: { email: `changed_${unique()}@example.test`, password: me(who).password },
    }),
  },
  'POST /api/users/me/body-composition': {
    call: () => ({ body: { measuredAt: now(), weightKg: 80 } }),
  },
  'PATCH /api/users/{id}/role': {
    call: async () => ({ params: { id: (await newUser.other()).row.id }, body: { role: 'staff' } }),
  },
  'POST /api/workouts/generate': { call: () => ({ body: {} }) },
  'PATCH /api/workouts/plans/{id}': { call: () => ({ body: { customizations: {} } }) },
  'POST /api/workouts/logs/import': {
    call: () => ({
      text: {
        mediaType: 'text/csv',
        content: readFileSync(
          new URL('../workout-logs/import/fixtures/hevy-export.csv', import.meta.url),
          'utf8',
        ),
      },
    }),
  },
  'POST /api/workouts/logs': { call: () => ({ body: workoutLogBody() }) },
  'PATCH /api/workouts/logs/{id}': { call: () => ({ body: { performanceNotes: 'Felt strong' } }) },
  'DELETE /api/workouts/logs/{id}': ownerOnly(() => newWorkoutLog(world.users.member)),
  'GET /api/analytics/workout/progress': {
    call: () => ({ query: { exerciseId: 'barbell-bench-press' } }),
  },
  'GET /api/analytics/body/trends': { call: () => ({ query: { metric: 'weightKg' } }) },
  'POST /api/nutrition/plans/generate': { call: () => ({ body: {} }) },
  'POST /api/nutrition/macros/calculate': { call: () => ({ body: {} }) },
  'POST /api/nutrition/meals': { call: () => ({ body: mealBody() }) },
  'POST /api/nutrition/meals/copy-day': {
    call: () => ({ body: { fromDate: today(), toDate: daysAgo(2) } }),
  },
  'PATCH /api/nutrition/meals/{id}': {
    call: () => ({ body: { mealDescription: 'Chicken, rice and beans' } }),
  },
  'DELETE /api/nutrition/meals/{id}': ownerOnly(() => newMeal(world.users.member)),
  'POST /api/nutrition/meals/{id}/copy': { call: () => ({ body: {} }) },
  'POST /api/nutrition/meals/analyze': { call: () => ({ body: { imageId: world.mealImageId } }) },
  'POST /api/nutrition/meals/analyze/{analysisId}/confirm': {
    call: async () => ({
      params: { analysisId: (await newAnalysis(world.users.member)).analysisId },
      body: { mealType: 'lunch', consumedAt: now() },
    }),
  },
  'POST /api/nutrition/meals/analyze/{analysisId}/feedback': {
    call: () => ({ body: { corrections: [{ itemIndex: 0, correctedGrams: 150 }] } }),
  },
  'POST /api/nutrition/meals/estimate': {
    call: () => ({ body: { description: 'Two eggs and a slice of toast' } }),
  },
  'GET /api/nutrition/foods/barcode/{code}': {
    call: () => ({ params: { code: '3017620422003' } }),
  },
  'POST /api/branches': {
    call: () => ({
      body: { name: `Branch ${unique()}`, address: '2 Test Street', timezone: 'Europe/London' },
    }),
  },
  'PATCH /api/branches/{id}': { call: () => ({ body: { address: '1 Test Street' } }) },
  'DELETE /api/branches/{id}': ownerOnly(async () => (await buildBranch(t)).id),
  'POST /api/branches/{id}/join': {
    async after(who, caller) {
      if (who && !branchAMembers.has(caller)) {
        await t.container.gymFloor.branches.leave(
          { userId: who.row.id, role: who.row.role },
          branches.a.id,
        );
      }
    },
  },
  'POST /api/branches/{id}/leave': {
    async after(who, caller) {
      if (who && branchAMembers.has(caller)) {
        await t.container.gymFloor.branches.join(who.row.id, branches.a.id);
      }
    },
  },
  'POST /api/branches/{id}/staff': {
    call: async () => ({
      body: { userId: (await buildSignedInUser(t, { role: 'staff' })).row.id },
    }),
  },
  'DELETE /api/branches/{id}/staff/{userId}': {
    call: async () => ({
      params: { id: branches.a.id, userId: (await buildBranchStaff(t, branches.a.id)).row.id },
    }),
  },
  'POST /api/machines': {
    call: () => ({
      body: { branchId: branches.a.id, name: `Machine ${unique()}`, type: 'strength' },
    }),
  },
  'POST /api/machines/link': {
    // Linking needs a check-in at the machine's branch; whoever may check in does first.
    call: async (who) => {
      if (who) await checkIn(who);
      return { body: { qrCode: (await newMachine()).qrCode } };
    },
    after: checkOut,
  },
  'PATCH /api/machines/{id}': { call: () => ({ body: { location: 'Floor 2' } }) },
  'DELETE /api/machines/{id}': ownerOnly(async () => (await newMachine()).id),
  'POST /api/machines/{id}/device-key': ownerOnly(async () => (await newMachine()).id),
  'POST /api/machines/{id}/maintenance': {
    call: async () => ({ params: { id: (await newMachine()).id }, body: { type: 'inspection' } }),
  },
  'POST /api/machines/{id}/unlink': {
    call: async () => {
      const machine = await newMachine();
      await checkIn(world.users.member);
      await as(world.users.member, 'post', '/api/machines/link', 200, { qrCode: machine.qrCode });
      return { params: { id: machine.id } };
    },
    after: () => checkOut(world.users.member),
  },
  'POST /api/machines/{id}/heartbeat': { call: () => ({ body: {} }) },
  'POST /api/sessions/check-in': { call: () => ({ body: { branchId: branches.a.id } }) },
  'GET /api/social/leaderboard': { call: () => ({ query: { branchId: branches.a.id } }) },
  'PATCH /api/social/settings': { call: () => ({ body: { privacy: 'followers' } }) },
  'POST /api/social/follow/{userId}': {
    call: () => ({ params: { userId: world.stranger.row.id } }),
  },
  'DELETE /api/social/follow/{userId}': {
    call: () => ({ params: { userId: world.stranger.row.id } }),
  },
  'DELETE /api/social/followers/{userId}': {
    call: () => ({ params: { userId: world.stranger.row.id } }),
  },
  'POST /api/social/follow-requests/{userId}/approve': {
    call: () => ({ params: { userId: world.requesters.approve.row.id } }),
  },
  'POST /api/social/follow-requests/{userId}/decline': {
    call: () => ({ params: { userId: world.requesters.decline.row.id } }),
  },
  'POST /api/social/blocks/{userId}': {
    call: () => ({ params: { userId: world.stranger.row.id } }),
  },
  'DELETE /api/social/blocks/{userId}': {
    call: () => ({ params: { userId: world.stranger.row.id } }),
  },
  'POST /api/notifications/reminders': { call: () => ({ body: reminderBody }) },
  'PATCH /api/notifications/reminders/{id}': { call: () => ({ body: { time: '08:00' } }) },
  'DELETE /api/notifications/reminders/{id}': ownerOnly(() => newReminder(world.users.member)),
  'POST /api/upload/meal-images': {
    call: async () => ({
      file: { field: 'image', bytes: await imageBytes('jpeg'), name: 'm.jpg' },
    }),
  },
  'POST /api/upload/avatar': {
    call: async () => ({ file: { field: 'image', bytes: await imageBytes('png'), name: 'a.png' } }),
  },
  'POST /api/upload/scan-data': {
    call: () => ({ file: { field: 'file', bytes: scanFixture, name: 'export.csv' } }),
  },
  'POST /api/webhooks/scanning': {
    // Signed as the scanning service signs; the job is none of ours, which is still a 2xx.
    call: () => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const content = JSON.stringify({
        jobId: `job_${unique()}`,
        status: 'processing',
        progress: 0.1,
        eventId: `ev_${unique()}`,
      });
      const signature = createHmac('sha256', WEBHOOK_SECRET)
        .update(`${timestamp}.${content}`)
        .digest('hex');
      return {
        headers: {
          'X-Scanning-Signature': `sha256=${signature}`,
          'X-Scanning-Timestamp': timestamp,
        },
        text: { mediaType: 'application/json', content },
      };
    },
  },
  'POST /api/notifications/register': {
    call: () => ({ body: { platform: 'android', token: `fcm-${unique()}:APA91bGk` } }),
  },
  'DELETE /api/notifications/devices/{token}': {
    call: async () => {
      const token = `fcm-${unique()}:APA91bGk`;
      await as(world.users.member, 'post', '/api/notifications/register', 201, {
        platform: 'android',
        token,
      });
      return { params: { token } };
    },
  },
  'PATCH /api/notifications/preferences': { call: () => ({ body: {} }) },
};

beforeAll(async () => {
  services = await StubService.start();
  services.on('POST', '/v1/analyze/image', () => ({
    json: {
      analysisId: 'an_matrix',
      items: [
        { name: 'Rice', grams: 180, macros: { calories: 234, protein: 5, carbs: 51, fat: 1 } },
      ],
      macros: { calories: 234, protein: 5, carbs: 51, fat: 1 },
      confidence: 0.9,
    },
  }));
  services.on('POST', '/v1/correction/feedback', () => ({
    json: { feedbackId: 'fb_matrix', accepted: true },
  }));
  // Open Food Facts is the same stub, which knows no product: lookups end in 404.
  t = await createTestApp({
    MEAL_DETECTION_URL: `${services.url}/v1`,
    MEAL_DETECTION_TOKEN: 'matrix-token',
    OPEN_FOOD_FACTS_URL: services.url,
    SCANNING_WEBHOOK_SECRET: WEBHOOK_SECRET,
  });
  branches = { a: await buildBranch(t), b: await buildBranch(t) };
  const machineA = await newMachine();
  await buildMachine(t, branches.b.id);
  const users = {} as Record<UserCaller, Identity>;
  for (const kind of Object.keys(newUser) as UserCaller[]) users[kind] = await newUser[kind]();
  // A full profile lets everyone past the nutrition and scan routes' profile checks.
  for (const user of Object.values(users)) {
    await as(user, 'patch', '/api/users/me', 200, {
      profile: {
        demographics: { heightCm: 178, weightKg: 80, age: 34, gender: 'male' },
        timezone: 'Europe/Berlin',
      },
    });
  }
  const { member } = users;
  const planOf = (body: Record<string, unknown>) => idOf(body.plan as Record<string, unknown>);
  const analysis = await newAnalysis(member);
  const scan = await t.http
    .post('/api/upload/scan-data')
    .set('Authorization', member.auth)
    .attach('file', scanFixture, 'export.csv');
  expect(scan.status).toBe(202);
  await t.container.notifier.notify({
    userId: member.row.id,
    kind: 'new-follower',
    title: 'New follower',
    body: 'Someone follows you now.',
    data: {},
  });
  const inbox = await as(member, 'get', '/api/notifications', 200);
  await as(member, 'patch', '/api/social/settings', 200, { privacy: 'followers' });
  const requesters = { approve: await newUser.other(), decline: await newUser.other() };
  for (const requester of Object.values(requesters)) {
    await as(requester, 'post', `/api/social/follow/${member.row.id}`, 202);
  }
  world = {
    machineA,
    users,
    workoutPlanId: planOf(await as(member, 'post', '/api/workouts/generate', 201, {})),
    workoutLogId: await newWorkoutLog(member),
    nutritionPlanId: planOf(await as(member, 'post', '/api/nutrition/plans/generate', 201, {})),
    mealId: await newMeal(member),
    analysisId: analysis.analysisId,
    mealImageId: analysis.imageId,
    reminderId: await newReminder(member),
    scanId: (scan.body as { scanId: string }).scanId,
    notificationId: String((inbox.items as { id: string }[])[0]?.id),
    requesters,
    stranger: await newUser.other(),
  };
}, 120_000);

afterAll(async () => {
  await t.close();
  await services.close();
});

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Sends one operation as one caller and answers the status. */
async function statusOf(operation: string, caller: Caller): Promise<number> {
  const [method, template] = operation.split(' ') as [string, string];
  const plan = plans[operation] ?? {};
  const who =
    caller === 'anon' || caller === 'device'
      ? undefined
      : plan.freshCaller
        ? await newUser[caller]()
        : world.users[caller];
  const call = (await plan.call?.(who, caller)) ?? {};
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(call.params?.[name] ?? ownedId(template)),
  );
  let request = t.http[method.toLowerCase() as Method](path);
  if (who) request = request.set('Authorization', who.auth);
  if (caller === 'device') request = request.set('X-Machine-Key', world.machineA.deviceKey);
  for (const [name, value] of Object.entries(call.headers ?? {}))
    request = request.set(name, value);
  if (call.query) request = request.query(call.query);
  const response = call.file
    ? await request.attach(call.file.field, call.file.bytes, call.file.name)
    : call.text
      ? await request.set('Content-Type', call.text.mediaType).send(call.text.content)
      : call.body
        ? await request.send(call.body)
        : await request;
  await plan.after?.(who, caller);
  return response.status;
}

/** Every operation of the served document, as `METHOD /path`. */
async function documentedOperations(): Promise<string[]> {
  const document = (await t.http.get('/api/openapi.json').expect(200)).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

describe('route × role access matrix', () => {
  it('when every operation is called by every kind of caller, then each gets the status the table says', async () => {
    const operations = await documentedOperations();
    expect(
      operations.filter((operation) => !(operation in expectedStatuses)),
      'operations of the document without a row in expectedStatuses: decide who may call them',
    ).toEqual([]);
    expect(
      Object.keys(expectedStatuses).filter((operation) => !operations.includes(operation)),
      'rows of expectedStatuses for operations the document no longer has',
    ).toEqual([]);

    // In document order, callers in column order: the plans above rely on it (e.g. a follow
    // request is approved once, by its owner, before anyone else tries).
    const actual: Record<string, number[]> = {};
    for (const operation of operations) {
      const statuses: number[] = [];
      for (const caller of callers) statuses.push(await statusOf(operation, caller));
      actual[operation] = statuses;
    }
    expect(actual).toEqual(expectedStatuses);
  }, 600_000);
});
