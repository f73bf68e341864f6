import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBranch,
  buildBranchMember,
  buildMachine,
  buildSignedInUser,
} from '../test-support/factories.js';
import {
  adapterSubscribed,
  connectSocket,
  connected,
  emitWithAck,
  nextEvent,
  recordEvents,
} from '../test-support/socket-test-support.js';
import { startTcpProxy, type TcpProxy } from '../test-support/tcp-proxy.js';
import { createTestApp, type TestApp } from '../test-support/test-app.js';

const redisUrl = process.env.TEST_REDIS_URL;

// Instance A serves the subscriber; instance B reaches Redis through a proxy the test cuts, as
// a network partition between one instance and Redis would.
describe.runIf(Boolean(redisUrl))('events emitted while Redis is unreachable', () => {
  let a: TestApp;
  let b: TestApp;
  let proxy: TcpProxy;
  let baseUrl: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const target = new URL(redisUrl ?? 'redis://127.0.0.1:6379');
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    a = await createTestApp();
    baseUrl = await a.listen();
    const viaProxy = new URL(target.toString());
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    b = await a.startAnotherInstance({}, { redisUrl: viaProxy.toString() });
    await adapterSubscribed(a, 2);
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(async () => {
    await proxy.restore();
    await a.close();
    await proxy.close();
  });

  it('when an instance emits during an outage, then subscribers elsewhere get the event once Redis is back', async () => {
    const branch = await buildBranch(a);
    const { machine } = await buildMachine(a, branch.id);
    const admin = await buildSignedInUser(a, { role: 'admin' });
    const member = await buildBranchMember(a, branch.id);
    const socket = connectSocket(baseUrl, '/machines', { token: member.session.accessToken });
    sockets.push(socket);
    await connected(socket);
    expect((await emitWithAck(socket, 'branch:subscribe', { branchId: branch.id })).ok).toBe(true);
    const heard = recordEvents<{ machineId: string; status: string }>(socket, 'machine:status');
    const maintenance = nextEvent<{ status: string }>(
      socket,
      'machine:status',
      (event) => event.status === 'maintenance',
      30_000,
    );

    await proxy.cut();
    // B changes the machine (the database is reachable; only Redis is not) and emits.
    await b.container.gymFloor.machines.update(
      { userId: admin.row.id, role: 'admin' },
      machine.id,
      { status: 'maintenance' },
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(heard.filter((event) => event.machineId === machine.id)).toEqual([]);

    await proxy.restore();
    expect(await maintenance).toMatchObject({ status: 'maintenance' });
  });
});
