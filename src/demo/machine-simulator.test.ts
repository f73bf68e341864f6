import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBranch,
  buildBranchMember,
  buildBranchStaff,
  buildCheckedInMember,
  buildMachine,
  linkMachine,
} from '../test-support/factories.js';
import {
  connectSocket,
  connected,
  emitWithAck,
  nextEvent,
} from '../test-support/socket-test-support.js';
import { createTestApp, type TestApp } from '../test-support/test-app.js';
import { startMachineSimulator, type MachineSimulatorOptions } from './machine-simulator.js';

interface StatusEvent {
  machineId: string;
  status: string;
  currentUserId?: string;
}

describe('npm run simulate:machine', () => {
  let t: TestApp;
  let baseUrl: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    baseUrl = await t.listen();
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t.close();
  });

  /** A staff member's live view of the branch's floor. */
  async function watchFloor(branchId: string): Promise<Socket> {
    const staff = await buildBranchStaff(t, branchId);
    const floor = connectSocket(baseUrl, '/machines', { token: staff.session.accessToken });
    sockets.push(floor);
    await connected(floor);
    expect((await emitWithAck(floor, 'branch:subscribe', { branchId })).ok).toBe(true);
    return floor;
  }

  /** Runs the simulator through `body` and stops it on every path. */
  async function simulating(
    options: Omit<MachineSimulatorOptions, 'apiUrl' | 'log' | 'intervalMs'> & {
      intervalMs?: number;
    },
    body: (lines: string[], finished: Promise<string>) => Promise<void>,
  ): Promise<void> {
    const lines: string[] = [];
    const simulator = startMachineSimulator({
      apiUrl: baseUrl,
      intervalMs: 200,
      log: (line) => lines.push(line),
      ...options,
    });
    try {
      await body(lines, simulator.finished);
    } finally {
      await simulator.stop();
    }
  }

  it('when it starts, then the offline machine comes online, and once a member links their sets are logged', async () => {
    const branch = await buildBranch(t);
    const { machine, deviceKey } = await buildMachine(t, branch.id, { type: 'strength' });
    await t.container.gymFloor.machines.markSilentMachinesOffline(0);
    const floor = await watchFloor(branch.id);
    const member = await buildCheckedInMember(t, branch.id);
    const app = connectSocket(baseUrl, '/workouts', { token: member.session.accessToken });
    sockets.push(app);
    await connected(app);

    const online = nextEvent<StatusEvent>(
      floor,
      'machine:status',
      (event) => event.machineId === machine.id && event.status === 'available',
    );
    await simulating(
      { deviceKey, machine: { name: 'Leg press', type: 'strength' }, maxSets: 2 },
      async (lines, finished) => {
        await online;
        const occupied = nextEvent<StatusEvent>(
          floor,
          'machine:status',
          (event) => event.machineId === machine.id && event.status === 'occupied',
        );
        const set = nextEvent<{ userId: string; machineId: string; exerciseName: string }>(
          app,
          'workout:progress',
        );
        await linkMachine(t, member, machine.qrCode);
        expect((await occupied).currentUserId).toBe(member.row.id);
        const recorded = await set;
        expect(recorded).toMatchObject({
          userId: member.row.id,
          machineId: machine.id,
          exerciseName: 'Leg press',
        });
        expect(await finished).toBe('count');
        const logs = await t.container.workoutLogs.exportOf(member.row.id);
        expect(logs.flatMap((log) => log.sets)).toHaveLength(2);
        expect(lines.some((line) => line.startsWith('heartbeat: available'))).toBe(true);
        expect(lines.filter((line) => /^set \d recorded/.test(line))).toHaveLength(2);
      },
    );
  });

  it('when given a member, then it signs them in, checks in and links them, and the floor shows the machine occupied', async () => {
    const branch = await buildBranch(t);
    const { machine, deviceKey } = await buildMachine(t, branch.id, { type: 'cardio' });
    const floor = await watchFloor(branch.id);
    const member = await buildBranchMember(t, branch.id);
    const occupied = nextEvent<StatusEvent>(
      floor,
      'machine:status',
      (event) => event.machineId === machine.id && event.status === 'occupied',
    );
    await simulating(
      {
        deviceKey,
        machine: { name: 'Treadmill', type: 'cardio', qrCode: machine.qrCode, branchId: branch.id },
        member: { login: member.row.username, password: member.password },
        maxSets: 1,
      },
      async (lines, finished) => {
        expect((await occupied).currentUserId).toBe(member.row.id);
        expect(await finished).toBe('count');
        expect(lines).toContain(`${member.row.username} checked in`);
        const [log] = await t.container.workoutLogs.exportOf(member.row.id);
        expect(log?.machineId).toBe(machine.id);
        expect(log?.sets[0]?.durationSec).toBeGreaterThan(0);
      },
    );
  });

  it('when its device key is unknown, then it stops at once as refused', async () => {
    await simulating(
      { deviceKey: 'nxgdk_not-a-key', machine: { name: 'Ghost', type: 'cardio' } },
      async (lines, finished) => {
        expect(await finished).toBe('refused');
        expect(lines.some((line) => line.startsWith('refused:'))).toBe(true);
      },
    );
  });
});
