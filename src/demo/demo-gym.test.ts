import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test-support/test-app.js';
import {
  DEMO_PASSWORD,
  demoFileOf,
  prepareDemoGym,
  readDemoFile,
  seedDemoGym,
  type DemoGym,
} from './demo-gym.js';

describe('npm run demo', () => {
  let t: TestApp;
  let directory: string;
  let file: string;
  let gym: DemoGym;
  const login = (username: string) =>
    t.http.post('/api/auth/login').send({ login: username, password: DEMO_PASSWORD });

  beforeAll(async () => {
    t = await createTestApp();
    directory = await mkdtemp(path.join(tmpdir(), 'nxg-demo-'));
    file = demoFileOf(directory);
    const first = await prepareDemoGym(t.container, file);
    expect(first.outcome).toBe('created');
    gym = first.gym;
  });

  afterAll(async () => {
    await t.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('when it runs, then two branches in their time zones hold 30 machines with working device keys', async () => {
    expect(gym.branches.map((branch) => branch.timezone).sort()).toEqual([
      'America/New_York',
      'Europe/London',
    ]);
    expect(gym.machines).toHaveLength(30);
    expect(new Set(gym.machines.map((machine) => machine.deviceKey)).size).toBe(30);
    expect(new Set(gym.machines.map((machine) => machine.type))).toEqual(
      new Set(['cardio', 'strength', 'functional']),
    );
    for (const machine of gym.machines) {
      const found = await t.container.gymFloor.machines.authenticateDevice(machine.deviceKey);
      expect(found.id).toBe(machine.id);
      expect(found.branchId).toBe(machine.branchId);
    }
    const statuses = await Promise.all(
      gym.branches.map(async (branch) => {
        const admin = (await login(gym.admin.username).expect(200)).body.accessToken as string;
        const page = await t.http
          .get(`/api/branches/${branch.id}/machines?limit=100`)
          .set('Authorization', `Bearer ${admin}`)
          .expect(200);
        return page.body.items.map((machine: { status: string }) => machine.status);
      }),
    );
    for (const branchStatuses of statuses) {
      expect(branchStatuses).toHaveLength(15);
      expect(branchStatuses.filter((status: string) => status === 'maintenance')).toHaveLength(1);
    }
    expect(await readDemoFile(file)).toEqual(gym);
  });

  it('when it runs, then the admin, the staff and the members sign in with the printed password', async () => {
    const admin = await login(gym.admin.username).expect(200);
    expect(admin.body.user.role).toBe('admin');
    for (const staff of gym.staff) {
      const signedIn = await login(staff.username).expect(200);
      expect(signedIn.body.user.role).toBe('staff');
      const branch = gym.branches.find((candidate) => candidate.name === staff.branchName);
      expect(
        await t.container.gymFloor.branches.canManage(
          { userId: signedIn.body.user.id, role: 'staff' },
          branch?.id ?? '',
        ),
      ).toBe(true);
    }
    expect(gym.members.length).toBeGreaterThanOrEqual(3);
    for (const member of gym.members) {
      const signedIn = await login(member.username).expect(200);
      expect(signedIn.body.user.role).toBe('member');
      expect(signedIn.body.user.branches.map((b: { branchName: string }) => b.branchName)).toEqual([
        member.branchName,
      ]);
    }
  });

  it('when it runs, then members have active plans, logs, meals, body composition, follows and points that add up', async () => {
    for (const member of gym.members) {
      const session = (await login(member.username).expect(200)).body;
      const auth = `Bearer ${session.accessToken as string}`;
      const userId = session.user.id as string;
      expect(session.user.activePlans.workoutPlanId).toEqual(expect.any(String));
      expect(session.user.activePlans.dietPlanId).toEqual(expect.any(String));
      expect(session.user.profile.timezone).toEqual(expect.any(String));

      const logs = await t.http.get('/api/workouts/logs?limit=100').set('Authorization', auth);
      expect(logs.status).toBe(200);
      expect(logs.body.items.length).toBeGreaterThanOrEqual(6);
      const meals = await t.container.mealLogs.exportOf(userId);
      expect(meals.length).toBeGreaterThanOrEqual(14 * 3);
      const bodyComposition = await t.container.users.listBodyComposition(userId, { limit: 10 });
      expect(bodyComposition.items.length).toBeGreaterThanOrEqual(2);

      // Points came from the logs through the rewards rules, so the ledger explains the total.
      const points = await t.http.get('/api/users/me/points').set('Authorization', auth);
      expect(points.status).toBe(200);
      const ledger = await t.container.rewards.exportPoints(userId);
      expect(points.body.totalPoints).toBeGreaterThan(0);
      expect(points.body.totalPoints).toBe(ledger.reduce((sum, entry) => sum + entry.amount, 0));
      const sources = new Set(ledger.map((entry) => entry.sourceKind));
      expect(sources).toContain('workout-log');
      expect(sources).toContain('meal-log');

      const following = await t.container.social.following(userId, { limit: 10 });
      expect(following.items.length).toBeGreaterThanOrEqual(1);
    }
  });

  it('when it runs again, then nothing changes and the demo file is answered', async () => {
    const again = await prepareDemoGym(t.container, file);
    expect(again.outcome).toBe('already-seeded');
    expect(again.gym).toEqual(gym);
    const branches = await t.container.gymFloor.branches.list({ q: 'NXG Demo', limit: 10 });
    expect(branches.items).toHaveLength(2);
    await expect(seedDemoGym(t.container)).rejects.toThrow(/already in this database/);
  });

  it('when it runs again without its file, then every demo machine gets a new device key', async () => {
    await rm(file);
    const recovered = await prepareDemoGym(t.container, file);
    expect(recovered.outcome).toBe('keys-replaced');
    expect(recovered.gym.machines).toHaveLength(30);
    for (const machine of recovered.gym.machines) {
      const before = gym.machines.find((candidate) => candidate.id === machine.id);
      expect(machine.qrCode).toBe(before?.qrCode);
      expect(machine.deviceKey).not.toBe(before?.deviceKey);
      expect((await t.container.gymFloor.machines.authenticateDevice(machine.deviceKey)).id).toBe(
        machine.id,
      );
    }
    await expect(
      t.container.gymFloor.machines.authenticateDevice(gym.machines[0]?.deviceKey ?? ''),
    ).rejects.toThrow();
    expect(await readDemoFile(file)).toEqual(recovered.gym);
  });
});
