import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { release } from '../../lib/release.js';
import { z } from '../../lib/zod.js';
import { connectRefusalSchema, failedAckSchema } from '../../realtime/socket-errors.schemas.js';
import { buildBranch, buildMachine, buildSignedInUser } from '../../test-support/factories.js';
import {
  connectSocket,
  connected,
  emitWithAck,
  nextEvent,
} from '../../test-support/socket-test-support.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { buildAsyncApiDocument, jsonSchemaOf, type AsyncApiDocument } from './asyncapi.js';
import {
  socketContract,
  type ClientEventContract,
  type ServerEventContract,
  type SocketParty,
} from './socket-contract.js';

// The contract's completeness against the event maps is checked by the compiler (its mapped
// types); these tests check it against what the server really does, and the document's shape.

type Contract = (typeof socketContract)[keyof typeof socketContract];

const contracts: Contract[] = Object.values(socketContract);
const clientEventsOf = (contract: Contract): [string, ClientEventContract<unknown, unknown>][] =>
  Object.entries(contract.clientEvents as Record<string, ClientEventContract<unknown, unknown>>);
const serverEventsOf = (contract: Contract): [string, ServerEventContract<unknown>][] =>
  Object.entries(contract.serverEvents as Record<string, ServerEventContract<unknown>>);

/**
 * Events Socket.IO itself uses, which no feature handles or emits; it listens for `error` on
 * every server-side socket itself (a no-op, so that an `error` event cannot crash the process).
 */
const reservedEvents = new Set([
  'error',
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
]);

const srcDir = path.resolve(import.meta.dirname, '../..');

/** Every non-test TypeScript file under src/. */
async function sourceFiles(): Promise<string[]> {
  const entries = await readdir(srcDir, { recursive: true, withFileTypes: true });
  return entries
    .filter(
      (entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.includes('.test.'),
    )
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Resolves a local `$ref` pointer (`#/components/schemas/X`) in the document. */
function resolve(document: AsyncApiDocument, pointer: string): unknown {
  expect(pointer.startsWith('#/'), pointer).toBe(true);
  let node: unknown = document;
  for (const segment of pointer.slice(2).split('/')) {
    const key = segment.replaceAll('~1', '/').replaceAll('~0', '~');
    node =
      typeof node === 'object' && node !== null
        ? (node as Record<string, unknown>)[key]
        : undefined;
    expect(node, `${pointer} resolves`).toBeDefined();
  }
  return node;
}

/** Every `$ref` anywhere in a JSON value. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner),
  );
}

describe('AsyncAPI document, as built', () => {
  const document = buildAsyncApiDocument();

  it('when built, then it is AsyncAPI 3.0 at the release version with every reference resolving', () => {
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.info.version).toBe(release.version);
    expect(Object.values(document.servers)).toEqual(
      expect.arrayContaining([expect.objectContaining({ pathname: '/api/ws' })]),
    );
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(50);
    for (const pointer of refs) resolve(document, pointer);
  });

  it('when each namespace is listed, then it is a channel at its address with every event', () => {
    expect(Object.keys(document.channels).sort()).toEqual(Object.keys(socketContract).sort());
    for (const [key, contract] of Object.entries(socketContract)) {
      const channel = document.channels[key];
      expect(channel?.address).toBe(contract.namespace);
      const names = Object.values(channel?.messages ?? {}).map((message) => {
        const resolved =
          typeof message.$ref === 'string' ? resolve(document, message.$ref) : message;
        return (resolved as { name: string }).name;
      });
      const documented = [
        ...clientEventsOf(contract).map(([event]) => event),
        ...serverEventsOf(contract).map(([event]) => event),
        'connect_error',
      ];
      expect(new Set(names)).toEqual(new Set(documented));
    }
  });

  it('when an operation is read, then its messages are its channel’s and every ack is its reply', () => {
    const receives = Object.values(document.operations).filter((op) => op.action === 'receive');
    const clientEventCount = contracts.reduce((n, c) => n + clientEventsOf(c).length, 0);
    expect(receives).toHaveLength(clientEventCount);
    for (const operation of Object.values(document.operations)) {
      const channelRef = (operation.channel as { $ref: string }).$ref;
      const messageRefs = (operation.messages as { $ref: string }[]).map(({ $ref }) => $ref);
      expect(messageRefs.length).toBe(1);
      for (const pointer of messageRefs)
        expect(pointer.startsWith(`${channelRef}/messages/`)).toBe(true);
      expect(operation.security, 'who may use the operation').toEqual(expect.any(Array));
      if (operation.action === 'receive') {
        const reply = operation.reply as {
          channel: { $ref: string };
          messages: { $ref: string }[];
        };
        expect(reply.channel.$ref).toBe(channelRef);
        expect(reply.messages[0]?.$ref.startsWith(`${channelRef}/messages/`)).toBe(true);
      } else {
        expect(operation.reply).toBeUndefined();
      }
    }
  });

  it('when each message is read, then it has a payload schema and examples', () => {
    const messages = [
      ...Object.values(document.components.messages),
      ...Object.values(document.channels).flatMap((channel) =>
        Object.values(channel.messages).filter((message) => message.$ref === undefined),
      ),
    ];
    expect(messages.length).toBeGreaterThan(10);
    for (const message of messages) {
      const schema = resolve(document, (message.payload as { $ref: string }).$ref);
      expect(schema, String(message.name)).toMatchObject({});
      const examples = message.examples as { payload: unknown }[];
      expect(examples.length, String(message.name)).toBeGreaterThan(0);
      for (const example of examples) expect(example.payload).toEqual(expect.any(Object));
    }
  });

  it('when each example is parsed with the Zod schema it documents, then it is valid and unchanged', () => {
    const okAck = z.object({ ok: z.literal(true) });
    for (const contract of contracts) {
      for (const [event, entry] of clientEventsOf(contract)) {
        expect(entry.payload.parse(entry.payloadExample), event).toEqual(entry.payloadExample);
        expect(entry.reply.parse(entry.replyExample), event).toEqual(entry.replyExample);
        for (const { ack } of entry.failureExamples)
          expect(failedAckSchema.parse(ack)).toEqual(ack);
      }
      for (const [event, entry] of serverEventsOf(contract)) {
        expect(entry.examples.length, event).toBeGreaterThan(0);
        for (const { payload } of entry.examples) {
          expect(entry.payload.parse(payload), event).toEqual(payload);
        }
      }
    }
    // What the builder adds: the ack envelopes' examples and the connection refusals.
    for (const channel of Object.values(document.channels)) {
      for (const [key, message] of Object.entries(channel.messages)) {
        if (!key.endsWith('Ack')) continue;
        for (const { payload } of message.examples as { payload: { ok: boolean } }[]) {
          if (payload.ok) expect(okAck.parse(payload)).toEqual({ ok: true });
          else expect(failedAckSchema.parse(payload)).toEqual(payload);
        }
      }
    }
    const refusals = document.components.messages.connectError?.examples as { payload: unknown }[];
    for (const { payload } of refusals)
      expect(connectRefusalSchema.parse(payload)).toEqual(payload);
  });

  it('when the server’s emits are read from the source, then each namespace’s are the documented ones', async () => {
    // Every emit goes through Realtime: emitToBranch and emitToMachine reach `/machines`,
    // emitToUser `/workouts`.
    const namespaceOf = { Branch: '/machines', Machine: '/machines', User: '/workouts' } as const;
    const emitted = new Map<string, Set<string>>();
    const emitCall = /\.emitTo(Branch|Machine|User)\(\s*[^,]+,\s*'([^']+)'/g;
    for (const file of await sourceFiles()) {
      const source = await readFile(file, 'utf8');
      for (const [, target, event] of source.matchAll(emitCall)) {
        const namespace = namespaceOf[target as keyof typeof namespaceOf];
        emitted.set(namespace, (emitted.get(namespace) ?? new Set()).add(event ?? ''));
      }
    }
    for (const contract of contracts) {
      const documented = new Set(serverEventsOf(contract).map(([event]) => event));
      expect(emitted.get(contract.namespace), contract.namespace).toEqual(documented);
    }
  });
});

describe('AsyncAPI document against a running server', () => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    t = await createTestApp();
    baseUrl = await t.listen();
  });
  afterAll(async () => {
    await t.close();
  });

  const sockets: Socket[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  const open = (namespace: string, auth: Record<string, unknown>) => {
    const socket = connectSocket(baseUrl, namespace, auth);
    sockets.push(socket);
    return connected(socket);
  };

  /** The events the server-side twin of a connected client socket listens for. */
  function handledEvents(namespace: string, client: Socket): Set<string> {
    const serverSocket = t.container.realtime.io.of(namespace).sockets.get(client.id ?? '');
    expect(serverSocket, 'the server-side socket').toBeDefined();
    return new Set(
      (serverSocket?.eventNames() ?? []).map(String).filter((event) => !reservedEvents.has(event)),
    );
  }

  const documentedFor = (contract: Contract, party: SocketParty) =>
    new Set(
      clientEventsOf(contract)
        .filter(([, entry]) => entry.senders.includes(party))
        .map(([event]) => event),
    );

  it('when a user and a device connect, then the events handled for each are the documented ones', async () => {
    const user = await buildSignedInUser(t);
    const branch = await buildBranch(t);
    const { deviceKey } = await buildMachine(t, branch.id);
    const token = user.session.accessToken;

    const handled = {
      machinesUser: handledEvents('/machines', await open('/machines', { token })),
      machinesDevice: handledEvents(
        '/machines',
        await open('/machines', { machineKey: deviceKey }),
      ),
      workoutsUser: handledEvents('/workouts', await open('/workouts', { token })),
    };
    expect(handled).toEqual({
      machinesUser: documentedFor(socketContract.machines, 'user'),
      machinesDevice: documentedFor(socketContract.machines, 'machine'),
      workoutsUser: documentedFor(socketContract.workouts, 'user'),
    });
    // A kind of client a namespace does not admit is not documented as connecting there.
    expect(socketContract.workouts.admits).toEqual(['user']);
  });

  it('when the documented workout:progress example is sent, then the ack and the copy match the documented schemas', async () => {
    const served = (await t.http.get('/api/asyncapi.json').expect(200)).body as AsyncApiDocument;
    const contract = socketContract.workouts;
    const sent = contract.clientEvents['workout:progress'];
    const copied = contract.serverEvents['workout:progress'];
    // The served document shows exactly these Zod schemas.
    expect(served.components.schemas.WorkoutProgressResult).toEqual(
      jsonSchemaOf(sent.reply, 'output'),
    );
    expect(served.components.schemas.WorkoutProgressRecord).toEqual(
      jsonSchemaOf(copied.payload, 'output'),
    );

    const user = await buildSignedInUser(t);
    const token = user.session.accessToken;
    const phone = await open('/workouts', { token });
    const watch = await open('/workouts', { token });
    const copy = nextEvent(watch, 'workout:progress');

    const { ok, ...result } = await emitWithAck(phone, 'workout:progress', sent.payloadExample);
    expect(ok).toBe(true);
    // Parsing drops fields a schema does not know: equal means nothing undocumented was sent.
    expect(sent.reply.parse(result)).toEqual(result);
    const record = await copy;
    expect(copied.payload.parse(record)).toEqual(record);
    expect(record).toEqual(result.record);
  });

  it('when an invalid payload is sent, then the ack is the documented failed ack', async () => {
    const user = await buildSignedInUser(t);
    const socket = await open('/workouts', { token: user.session.accessToken });
    const ack = await emitWithAck(socket, 'workout:progress', { setNumber: 0 });
    expect(failedAckSchema.parse(ack)).toEqual(ack);
    expect(ack.error?.code).toBe('VALIDATION_ERROR');
  });
});
