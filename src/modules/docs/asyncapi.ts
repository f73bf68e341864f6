import { getOpenApiMetadata, getRefId } from '@asteasolutions/zod-to-openapi';
import type { ZodType } from 'zod';
import { release } from '../../lib/release.js';
import { z } from '../../lib/zod.js';
import { MAX_SOCKET_MESSAGE_BYTES } from '../../realtime/realtime.js';
import {
  connectRefusalSchema,
  failedAckSchema,
  type ConnectRefusal,
} from '../../realtime/socket-errors.schemas.js';
import {
  socketContract,
  type ClientEventContract,
  type ServerEventContract,
  type SocketParty,
} from './socket-contract.js';

/** A JSON Schema (draft-07, AsyncAPI's default schema format) or any part of the document. */
type JsonObject = Record<string, unknown>;

/** The AsyncAPI 3.0 document, as plain JSON. */
export interface AsyncApiDocument extends JsonObject {
  asyncapi: '3.0.0';
  info: JsonObject;
  servers: JsonObject;
  channels: Record<string, JsonObject & { messages: Record<string, JsonObject> }>;
  operations: Record<string, JsonObject>;
  components: {
    messages: Record<string, JsonObject>;
    schemas: Record<string, JsonObject>;
    securitySchemes: Record<string, JsonObject>;
  };
}

/** Whether a schema describes what clients send (input) or what the server sends (output). */
type Direction = 'input' | 'output';

/**
 * The Zod schema as JSON Schema draft-07 with the descriptions given through `.openapi()`.
 * What the server sends is documented open to additions, as in the OpenAPI document: Zod's
 * output view would close every object (`additionalProperties: false`), and a client holding
 * to that would break on each new field. What clients send stays as strict as it is validated.
 */
export function jsonSchemaOf(schema: ZodType, io: Direction): JsonObject {
  const jsonSchema: JsonObject = z.toJSONSchema(schema, {
    target: 'draft-07',
    io,
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema: node }) => {
      // Every schema of ours is a classic Zod schema, which is what carries `.openapi()` data.
      const description: unknown =
        zodSchema instanceof z.ZodType ? getOpenApiMetadata(zodSchema).description : undefined;
      if (typeof description === 'string' && node.description === undefined) {
        node.description = description;
      }
      const def = zodSchema._zod.def;
      if (io === 'output' && def.type === 'object' && !('catchall' in def && def.catchall)) {
        delete node.additionalProperties;
      }
    },
  });
  // The components are schemas within the document, not documents of their own.
  delete jsonSchema.$schema;
  return jsonSchema;
}

/** `branch:subscribe` → `branchSubscribe`: component names must be plain identifiers. */
function identifierOf(event: string): string {
  return event.replace(/[:_-](\w)/g, (_match, letter: string) => letter.toUpperCase());
}

const pascal = (identifier: string) => identifier.charAt(0).toUpperCase() + identifier.slice(1);

const ref = (pointer: string) => ({ $ref: pointer });

/** The security schemes: the two kinds of handshake credentials. */
const securitySchemes = {
  userToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A user’s access token (`POST /api/auth/login`, `POST /api/auth/refresh`), sent in the ' +
      'Socket.IO handshake as `auth: { token }`, not in an HTTP header. The socket is closed ' +
      'when the token expires or its session is logged out or revoked: reconnect with a fresh ' +
      'token.',
  },
  machineKey: {
    type: 'apiKey',
    in: 'user',
    description:
      'A gym machine’s device key (shown once when the machine is created or its key ' +
      'replaced), sent in the Socket.IO handshake as `auth: { machineKey }`. `/machines` only. ' +
      'The device’s sockets are closed when the machine is removed or its key replaced.',
  },
} as const satisfies Record<string, JsonObject>;

const securityOf: Record<SocketParty, keyof typeof securitySchemes> = {
  user: 'userToken',
  machine: 'machineKey',
};

const securityRefs = (parties: readonly SocketParty[]) =>
  parties.map((party) => ref(`#/components/securitySchemes/${securityOf[party]}`));

/** Socket.IO's own query parameters on the WebSocket upgrade (the client library sets them). */
const socketIoBindings = {
  ws: {
    method: 'GET',
    query: {
      type: 'object',
      properties: {
        EIO: { type: 'string', const: '4', description: 'Engine.IO protocol version' },
        transport: {
          type: 'string',
          enum: ['websocket', 'polling'],
          description:
            'Socket.IO starts with HTTP long-polling and upgrades unless told to use `websocket` only',
        },
      },
      required: ['EIO', 'transport'],
    },
    bindingVersion: '0.1.0',
  },
};

const rateLimitedAck = {
  name: 'rateLimited',
  summary: 'Over the per-connection or per-user/machine event limit; nothing changed',
  payload: {
    ok: false,
    error: { code: 'RATE_LIMITED', message: 'At most 20 events per second.' },
  },
};

const connectRefusalExamples: { name: string; summary: string; payload: ConnectRefusal }[] = [
  {
    name: 'unauthenticated',
    summary: 'No credentials, or an expired, revoked or unknown token or key',
    payload: { code: 'UNAUTHENTICATED', message: 'The access token has expired.' },
  },
  {
    name: 'tooManyConnections',
    summary: 'The account already holds its maximum of connections',
    payload: {
      code: 'TOO_MANY_CONNECTIONS',
      message: 'At most 10 connections at once for this account; close one first.',
    },
  },
  {
    name: 'serviceUnavailable',
    summary: 'The credentials could not be checked right now; retry',
    payload: { code: 'SERVICE_UNAVAILABLE', message: 'Try connecting again shortly.' },
  },
];

const description = [
  'The real-time half of the NXG Connect API: Socket.IO 4 over WebSocket (or HTTP ' +
    'long-polling), next to the REST API described at `/api/openapi.json`. This document ' +
    'describes the server: `receive` operations are events clients send, `send` operations ' +
    'events clients receive.',
  '**Connecting.** Use a Socket.IO 4 client with `path: "/api/ws"` and connect to a ' +
    'namespace (a channel here): `io("https://HOST/machines", { path: "/api/ws", auth: { ' +
    'token } })`. The main namespace `/` refuses every connection. Browsers must be on an ' +
    'origin in the server’s `CORS_ORIGINS`; apps and devices send no Origin. Messages are ' +
    `JSON, at most ${MAX_SOCKET_MESSAGE_BYTES / 1024} KiB each.`,
  '**Authentication.** In the handshake’s `auth`: `{ token }` with a user’s access token, or ' +
    '`{ machineKey }` with a gym machine’s device key (`/machines` only). A refused connection ' +
    'ends in `connect_error`, whose `message` is a code and whose `data` is ' +
    '`{ code, message }` (see the `connectError` message): `UNAUTHENTICATED` means sign in ' +
    'again (or fix the key), `SERVICE_UNAVAILABLE` means retry, `TOO_MANY_CONNECTIONS` means ' +
    'close another connection first.',
  '**Acknowledgements.** Every client event takes an ack callback as its last argument and is ' +
    'answered `{ ok: true, ... }` with the event’s result, or `{ ok: false, error: { code, ' +
    'reason?, message, errors? } }` with nothing changed: `VALIDATION_ERROR` (with `errors` ' +
    'as `{ path, message }`, paths starting at `payload`), `RATE_LIMITED`, `NOT_FOUND` (also ' +
    'for an event the namespace does not handle for this kind of client), `FORBIDDEN`, ' +
    '`CONFLICT` and the other codes of the HTTP problem documents. Each operation’s `reply` ' +
    'is its ack.',
  '**Limits.** A user holds at most `SOCKETS_PER_USER` connections at once over both ' +
    'namespaces, a machine’s device key `SOCKETS_PER_MACHINE`, counted over every server ' +
    'instance (`TOO_MANY_CONNECTIONS`). Events are limited per connection ' +
    '(`SOCKET_EVENTS_PER_SECOND`, bursts up to twice that) and per user or machine over all ' +
    'their connections (`SOCKET_USER_EVENTS_PER_MINUTE`); events over either get a ' +
    '`RATE_LIMITED` ack and change nothing.',
  '**Reconnecting.** Connection state recovery is off: events sent while a client was away are ' +
    'not replayed, and subscriptions (`branch:subscribe`) end with the connection. After a ' +
    'reconnect, subscribe again (its ack carries the current state) and reload what the REST ' +
    'API holds. A user’s socket is closed when its access token expires; reconnect with a ' +
    'refreshed token. Reconnect with backoff (the Socket.IO client’s default does).',
].join('\n\n');

/** Builds the AsyncAPI 3.0 document from the socket contract's schemas and examples. */
export function buildAsyncApiDocument(): AsyncApiDocument {
  const messages: AsyncApiDocument['components']['messages'] = {};
  const schemas: AsyncApiDocument['components']['schemas'] = {};
  const schemaSources = new Map<string, ZodType>();
  const channels: AsyncApiDocument['channels'] = {};
  const operations: AsyncApiDocument['operations'] = {};

  /** Registers a named schema once; one name must always mean one Zod schema. */
  const schemaRef = (fallbackName: string, schema: ZodType, io: Direction) => {
    const name = getRefId(schema) ?? fallbackName;
    const known = schemaSources.get(name);
    if (known && known !== schema) throw new Error(`Two socket schemas are named ${name}`);
    schemaSources.set(name, schema);
    schemas[name] = jsonSchemaOf(schema, io);
    return ref(`#/components/schemas/${name}`);
  };

  /** An envelope schema of our own: its name must not be taken by another schema. */
  const addSchema = (name: string, schema: JsonObject) => {
    const known = schemas[name];
    if (schemaSources.has(name) || (known && JSON.stringify(known) !== JSON.stringify(schema))) {
      throw new Error(`Two socket schemas are named ${name}`);
    }
    schemas[name] = schema;
  };

  const failedAck = schemaRef('FailedAck', failedAckSchema, 'output');
  // Every namespace refuses connections alike, so the one message lives in the components.
  messages.connectError = {
    name: 'connect_error',
    title: 'Connection refused',
    summary: 'The handshake was refused; the client sees `connect_error` with this as `data`',
    description:
      'Not an event a handler emits: Socket.IO answers the handshake with a CONNECT_ERROR ' +
      'packet, and the client library raises `connect_error` with an `Error` whose `message` ' +
      'is the code and whose `data` is this payload.',
    contentType: 'application/json',
    payload: schemaRef('ConnectRefusal', connectRefusalSchema, 'output'),
    examples: connectRefusalExamples,
  };

  for (const [channelKey, contract] of Object.entries(socketContract)) {
    // A namespace's own messages live in its channel: the same event can differ between
    // namespaces (who sends it, how it fails), while the schemas are shared components.
    const channelMessages: Record<string, JsonObject> = {
      connectError: ref(`#/components/messages/connectError`),
    };
    const channelRef = ref(`#/channels/${channelKey}`);
    const operationId = (action: string, identifier: string) =>
      `${channelKey}${pascal(action)}${pascal(identifier)}`;

    operations[operationId('send', 'connectError')] = {
      action: 'send',
      channel: channelRef,
      summary: 'Refuse a connection',
      security: securityRefs(contract.admits),
      messages: [ref(`#/channels/${channelKey}/messages/connectError`)],
    };

    const clientEvents: Record<
      string,
      ClientEventContract<unknown, unknown>
    > = contract.clientEvents;
    for (const [event, entry] of Object.entries(clientEvents)) {
      const identifier = identifierOf(event);
      const replyKey = `${identifier}Ack`;
      const replyName = `${pascal(identifier)}Ack`;
      channelMessages[identifier] = {
        name: event,
        title: event,
        summary: entry.summary,
        contentType: 'application/json',
        payload: schemaRef(`${pascal(identifier)}Payload`, entry.payload, 'input'),
        examples: [{ name: 'example', payload: entry.payloadExample }],
      };
      const result = schemaRef(`${pascal(identifier)}Result`, entry.reply, 'output');
      addSchema(replyName, {
        description: `The ${event} acknowledgement`,
        oneOf: [
          {
            allOf: [
              {
                type: 'object',
                properties: { ok: { type: 'boolean', const: true } },
                required: ['ok'],
              },
              result,
            ],
          },
          failedAck,
        ],
      });
      channelMessages[replyKey] = {
        name: event,
        title: `${event} ack`,
        summary: `The acknowledgement of ${event}: its result, or why it was refused`,
        contentType: 'application/json',
        payload: ref(`#/components/schemas/${replyName}`),
        examples: [
          { name: 'ok', payload: { ok: true, ...(entry.replyExample as JsonObject) } },
          ...entry.failureExamples.map(({ name, summary, ack }) => ({
            name,
            summary,
            payload: ack,
          })),
          rateLimitedAck,
        ],
      };
      operations[operationId('receive', identifier)] = {
        action: 'receive',
        channel: channelRef,
        title: event,
        summary: entry.summary,
        description: entry.description,
        security: securityRefs(entry.senders),
        messages: [ref(`#/channels/${channelKey}/messages/${identifier}`)],
        reply: {
          channel: channelRef,
          messages: [ref(`#/channels/${channelKey}/messages/${replyKey}`)],
        },
      };
    }

    const serverEvents: Record<string, ServerEventContract<unknown>> = contract.serverEvents;
    for (const [event, entry] of Object.entries(serverEvents)) {
      const key = `${identifierOf(event)}Event`;
      channelMessages[key] = {
        name: event,
        title: event,
        summary: entry.summary,
        contentType: 'application/json',
        payload: schemaRef(pascal(key), entry.payload, 'output'),
        examples: entry.examples.map((example) => ({ ...example })),
      };
      operations[operationId('send', key)] = {
        action: 'send',
        channel: channelRef,
        title: event,
        summary: entry.summary,
        description: entry.description,
        security: securityRefs(entry.recipients),
        messages: [ref(`#/channels/${channelKey}/messages/${key}`)],
      };
    }

    channels[channelKey] = {
      address: contract.namespace,
      title: contract.title,
      description: contract.description,
      messages: channelMessages,
      bindings: socketIoBindings,
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'NXG Connect real-time API',
      version: release.version,
      description,
    },
    defaultContentType: 'application/json',
    servers: {
      deployment: {
        host: '{host}',
        protocol: 'wss',
        pathname: '/api/ws',
        title: 'A deployment, behind TLS',
        description:
          'Socket.IO 4 (Engine.IO protocol 4) on the same host and port as the REST API; the ' +
          'path is the engine path, the namespace (channel address) is given to the client ' +
          'separately. Plain WebSocket clients must speak the Socket.IO protocol.',
        variables: {
          host: {
            description: 'Host (and port) the API is served at',
            examples: ['api.example.com'],
          },
        },
        security: securityRefs(['user', 'machine']),
      },
      local: {
        host: 'localhost:3000',
        protocol: 'ws',
        pathname: '/api/ws',
        title: 'A local server (`npm start`)',
        security: securityRefs(['user', 'machine']),
      },
    },
    channels,
    operations,
    components: { messages, schemas, securitySchemes },
  };
}
