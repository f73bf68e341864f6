import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildBranch, buildMachine, buildSignedInUser } from '../test-support/factories.js';
import { createLogger } from '../lib/logger.js';
import {
  connectSocket,
  connected,
  nextEvent,
  recordEvents,
  refusal,
  type AckReply,
} from '../test-support/socket-test-support.js';
import { createTestApp, openTestKeyValueStore, type TestApp } from '../test-support/test-app.js';
import { RedisKeyValueStore } from '../lib/kv/redis-kv.js';
import { createConnectionSlots } from './socket-quotas.js';

type SignedInUser = Awaited<ReturnType<typeof buildSignedInUser>>;

const PER_USER = 3;
const PER_MACHINE = 1;
const EVENTS_PER_MINUTE = 20;
const quotaEnvironment = {
  SOCKETS_PER_USER: String(PER_USER),
  SOCKETS_PER_MACHINE: String(PER_MACHINE),
  SOCKET_USER_EVENTS_PER_MINUTE: String(EVENTS_PER_MINUTE),
};

const set = (setNumber: number) => ({
  exerciseId: 'bench-press',
  exerciseName: 'Bench press',
  setNumber,
  reps: 8,
});

const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

/** A socket that is closed after the test; not yet known to be accepted. */
function open(baseUrl: string, namespace: string, auth: Record<string, unknown>): Socket {
  const socket = connectSocket(baseUrl, namespace, auth);
  sockets.push(socket);
  return socket;
}

/** `count` concurrent `workout:progress` emits per socket; every ack, in no particular order. */
async function flood(from: Socket[], count: number): Promise<AckReply[]> {
  const acks = from.flatMap((socket, index) =>
    Array.from(
      { length: count },
      (_, n) =>
        socket
          .timeout(20_000)
          .emitWithAck(
            'workout:progress',
            set(((index * count + n) % 100) + 1),
          ) as Promise<AckReply>,
    ),
  );
  return Promise.all(acks);
}

/**
 * Resolves once every socket has received a notification emitted after everything before it:
 * it travels the same adapter (the Redis stream, or memory) as the progress copies, so copies
 * sent earlier have been delivered (or dropped) by then.
 */
async function barrier(t: TestApp, userId: string, on: Socket[]): Promise<void> {
  const marker = `barrier-${Date.now()}`;
  const heard = on.map((socket) =>
    nextEvent<{ message: string }>(socket, 'notification', (n) => n.message === marker, 15_000),
  );
  t.container.realtime.emitToUser(userId, 'notification', {
    type: 'achievement-unlocked',
    message: marker,
    at: new Date().toISOString(),
    title: 'Barrier',
    notificationId: randomUUID(),
  });
  await Promise.all(heard);
}

describe('socket quotas on one instance', () => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    t = await createTestApp(quotaEnvironment);
    baseUrl = await t.listen();
  });
  afterAll(async () => {
    await t.close();
  });

  const openUser = (user: SignedInUser, namespace = '/workouts') =>
    open(baseUrl, namespace, { token: user.session.accessToken });

  it('when a user opens more sockets than the cap, then the extra ones are refused with TOO_MANY_CONNECTIONS on both namespaces until one closes', async () => {
    const member = await buildSignedInUser(t);
    const held = [
      await connected(openUser(member)),
      await connected(openUser(member)),
      await connected(openUser(member, '/machines')),
    ];
    expect(held).toHaveLength(PER_USER);

    for (const namespace of ['/workouts', '/machines']) {
      const refused = await refusal(openUser(member, namespace));
      expect(refused, namespace).toEqual({
        message: 'TOO_MANY_CONNECTIONS',
        data: {
          code: 'TOO_MANY_CONNECTIONS',
          message: `At most ${PER_USER} connections at once for this account; close one first.`,
        },
      });
    }
    // Someone else's cap is their own.
    const other = await buildSignedInUser(t);
    await connected(openUser(other));

    // Closing one gives its slot back once the server has seen the disconnect.
    held[0]!.close();
    await expect
      .poll(
        async () => {
          const socket = openUser(member);
          try {
            await connected(socket);
            return 'connected';
          } catch (error) {
            return (error as Error).message;
          }
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBe('connected');
  });

  it('when a machine’s device key opens a second socket, then TOO_MANY_CONNECTIONS', async () => {
    const branch = await buildBranch(t);
    const { deviceKey } = await buildMachine(t, branch.id);
    await connected(open(baseUrl, '/machines', { machineKey: deviceKey }));
    const refused = await refusal(open(baseUrl, '/machines', { machineKey: deviceKey }));
    expect(refused.data).toEqual({
      code: 'TOO_MANY_CONNECTIONS',
      message: `At most ${PER_MACHINE} connections at once for this machine; close one first.`,
    });
  });

  it('when a user floods events from every socket, then those over the budget get RATE_LIMITED and the copies are bounded by budget × other sockets', async () => {
    const member = await buildSignedInUser(t);
    const devices = [
      await connected(openUser(member)),
      await connected(openUser(member)),
      await connected(openUser(member)),
    ];
    const copies = devices.map((socket) =>
      recordEvents<{ id: string }>(socket, 'workout:progress'),
    );
    // Each socket stays inside its own limit (bursts of 40): only the shared budget refuses.
    const perSocket = 25;
    const acks = await flood(devices, perSocket);

    const accepted = acks.filter((ack) => ack.ok);
    const refused = acks.filter((ack) => !ack.ok);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.length).toBeLessThanOrEqual(EVENTS_PER_MINUTE);
    expect(refused.length).toBe(devices.length * perSocket - accepted.length);
    for (const ack of refused) {
      expect(ack.error).toEqual({
        code: 'RATE_LIMITED',
        message: `At most ${EVENTS_PER_MINUTE} events per minute.`,
      });
    }

    await barrier(t, member.row.id, devices);
    const acceptedIds = new Set(accepted.map((ack) => (ack.record as { id: string }).id));
    const received = copies.flat();
    expect(received.length).toBeLessThanOrEqual(accepted.length * (devices.length - 1));
    for (const copy of received) expect(acceptedIds.has(copy.id)).toBe(true);

    const exported = await t.http
      .get('/api/users/me/export')
      .set('Authorization', member.auth)
      .expect(200);
    const storedSets = (exported.body.workoutLogs as { sets: unknown[] }[]).flatMap(
      (log) => log.sets,
    );
    expect(storedSets).toHaveLength(accepted.length);
  });
});

const redisUrl = process.env.TEST_REDIS_URL;

describe.runIf(Boolean(redisUrl))('socket quotas over two instances behind one Redis', () => {
  let a: TestApp;
  let urlA: string;
  let urlB: string;
  beforeAll(async () => {
    a = await createTestApp({ ...quotaEnvironment, SOCKETS_PER_USER: '2' });
    const b = await a.startAnotherInstance();
    urlA = await a.listen();
    urlB = await b.listen();
  });
  afterAll(async () => {
    await a.close();
  });

  it('when a user’s sockets are spread over instances, then the cap and the event budget count them together', async () => {
    const member = await buildSignedInUser(a);
    const auth = { token: member.session.accessToken };
    const onA = await connected(open(urlA, '/workouts', auth));
    const onB = await connected(open(urlB, '/workouts', auth));
    expect((await refusal(open(urlA, '/workouts', auth))).data?.code).toBe('TOO_MANY_CONNECTIONS');
    expect((await refusal(open(urlB, '/machines', auth))).data?.code).toBe('TOO_MANY_CONNECTIONS');

    const acks = await flood([onA, onB], 15);
    const accepted = acks.filter((ack) => ack.ok).length;
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(EVENTS_PER_MINUTE);
    expect(acks.filter((ack) => ack.error?.code === 'RATE_LIMITED')).toHaveLength(30 - accepted);
  });
});

describe('connection slots', () => {
  const logger = createLogger('silent');

  it('when a holder is at its maximum, then more are refused until one is released', async () => {
    const store = openTestKeyValueStore();
    const redis = store.kv instanceof RedisKeyValueStore ? store.kv.client : undefined;
    const slots = createConnectionSlots({ redis, keyPrefix: store.prefix, logger });
    try {
      expect(await slots.acquire('user:1', 'socket-a', 2)).toBe(true);
      expect(await slots.acquire('user:1', 'socket-b', 2)).toBe(true);
      expect(await slots.acquire('user:1', 'socket-c', 2)).toBe(false);
      expect(await slots.acquire('user:2', 'socket-d', 2)).toBe(true);
      slots.release('user:1', 'socket-a');
      slots.release('user:1', 'socket-a');
      expect(await slots.acquire('user:1', 'socket-c', 2)).toBe(true);
      expect(await slots.acquire('user:1', 'socket-e', 2)).toBe(false);
    } finally {
      slots.abandon();
      await store.drop();
    }
  });

  it.runIf(Boolean(redisUrl))(
    'when an instance stops renewing its slots (a crash), then they free themselves after the lease, while a live instance’s stay held',
    async () => {
      const store = openTestKeyValueStore();
      const redis = store.kv instanceof RedisKeyValueStore ? store.kv.client : undefined;
      const leaseMs = 2_000;
      const live = createConnectionSlots({ redis, keyPrefix: store.prefix, logger, leaseMs });
      const crashing = createConnectionSlots({ redis, keyPrefix: store.prefix, logger, leaseMs });
      const other = createConnectionSlots({ redis, keyPrefix: store.prefix, logger, leaseMs });
      try {
        expect(await live.acquire('user:live', 'socket-1', 1)).toBe(true);
        expect(await crashing.acquire('user:crash', 'socket-2', 1)).toBe(true);
        crashing.abandon();

        await expect
          .poll(() => other.acquire('user:crash', 'socket-3', 1), {
            timeout: 15_000,
            interval: 250,
          })
          .toBe(true);
        // Several leases later the live instance's slot is still held through its renewals.
        await new Promise((resolve) => setTimeout(resolve, 3 * leaseMs));
        expect(await other.acquire('user:live', 'socket-4', 1)).toBe(false);
      } finally {
        for (const slots of [live, crashing, other]) slots.abandon();
        await store.drop();
      }
    },
  );
});
