import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { Role } from '../lib/roles.js';
import type { UserRow } from '../modules/users/index.js';
import { emptyProfile, usersRepository } from '../modules/users/index.js';
import type { TestApp } from './test-app.js';

export interface BuiltUser {
  row: UserRow;
  password: string;
}

const unique = () => randomBytes(4).toString('hex');

/** Inserts a user straight through the repository; overrides pick role, names or password. */
export async function buildUser(
  t: TestApp,
  overrides: {
    role?: Role;
    username?: string;
    email?: string;
    password?: string;
    name?: string;
  } = {},
): Promise<BuiltUser> {
  const tag = unique();
  const password = overrides.password ?? `pw-${tag}-secret`;
  const row = await usersRepository.insert(t.container.database.db, {
    username: overrides.username ?? `user_${tag}`,
    email: overrides.email ?? `user_${tag}@example.test`,
    passwordHash: await bcrypt.hash(password, 4),
    role: overrides.role ?? 'member',
    profile: emptyProfile(overrides.name ?? `User ${tag}`),
  });
  return { row, password };
}

/** Signs a user in through the service and returns the session (tokens and user). */
export async function signIn(t: TestApp, user: BuiltUser) {
  return t.container.auth.login(
    { login: user.row.username, password: user.password },
    { ip: '127.0.0.1', userAgent: 'vitest' },
  );
}

/** A user plus a ready `Authorization` header value. */
export async function buildSignedInUser(
  t: TestApp,
  overrides: Parameters<typeof buildUser>[1] = {},
) {
  const user = await buildUser(t, overrides);
  const session = await signIn(t, user);
  return { ...user, session, auth: `Bearer ${session.accessToken}` };
}

/** A branch made through the service, with a unique name. */
export async function buildBranch(t: TestApp, overrides: { timezone?: string } = {}) {
  return t.container.gymFloor.branches.create({
    name: `Branch ${unique()}`,
    address: '1 Test Street',
    timezone: overrides.timezone ?? 'Europe/London',
  });
}

/** A machine of the branch made as an admin would, with its one-time device key. */
export async function buildMachine(
  t: TestApp,
  branchId: string,
  overrides: { type?: 'cardio' | 'strength' | 'functional'; name?: string } = {},
) {
  return t.container.gymFloor.machines.create(
    { userId: '00000000-0000-4000-8000-000000000000', role: 'admin' },
    {
      branchId,
      name: overrides.name ?? `Machine ${unique()}`,
      type: overrides.type ?? 'cardio',
      location: 'Floor 1',
    },
  );
}

/** A signed-in member who joined the branch. */
export async function buildBranchMember(t: TestApp, branchId: string) {
  const member = await buildSignedInUser(t);
  await t.container.gymFloor.branches.join(member.row.id, branchId);
  return member;
}

/** A signed-in staff user assigned to the branch. */
export async function buildBranchStaff(t: TestApp, branchId: string) {
  const staff = await buildSignedInUser(t, { role: 'staff' });
  await t.container.gymFloor.branches.assignStaff(branchId, staff.row.id);
  return staff;
}

/** A signed-in member who joined the branch and checked in there. */
export async function buildCheckedInMember(t: TestApp, branchId: string) {
  const member = await buildBranchMember(t, branchId);
  const gymSession = await t.container.gymFloor.gymSessions.checkIn(member.row.id, branchId);
  return { ...member, gymSession };
}

/** The machine as the link answer shows it to the member who linked. */
export interface LinkedMachine {
  id: string;
  branchId: string;
  status: string;
  currentUserId: string | null;
  linkedAt: string | null;
}

/**
 * Links the member to the machine whose QR code they scanned, over HTTP as the app does, and
 * expects 200. `idempotencyKey` sends the request as a retry-safe one.
 */
export async function linkMachine(
  t: TestApp,
  member: { auth: string },
  qrCode: string,
  options: { idempotencyKey?: string } = {},
): Promise<LinkedMachine> {
  const request = t.http.post('/api/machines/link').set('Authorization', member.auth);
  if (options.idempotencyKey) request.set('Idempotency-Key', options.idempotencyKey);
  const res = await request.send({ qrCode }).expect(200);
  return res.body as LinkedMachine;
}
