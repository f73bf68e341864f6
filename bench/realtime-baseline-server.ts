/**
 * The reference point for the real-time benchmark: plain `node:http` and Socket.IO on the API's
 * path, with only what the benchmark's clients need and none of the API's work (no token
 * checks, no database, no Redis adapter). The ratio to it shows what the API's own stack costs
 * on this machine, next to what the benchmark's client process itself adds to every number.
 *
 *   - Socket.IO at `/api/ws`, namespace `/machines`. A handshake needs `auth.token` (a member;
 *     the token is taken as its user id) or `auth.machineKey` (a device), so the same client
 *     code connects here and to the API.
 *   - `branch:subscribe {branchId}` joins the branch's room and acks `{ ok: true, branchId }`.
 *   - `machine:heartbeat {telemetry?}` acks `{ ok: true, at }`.
 *   - `POST /api/machines/link {qrCode}` with `Authorization: Bearer <userId>`: the QR code is
 *     `<branchId>:<machineId>`; broadcasts `machine:status` (occupied) to the branch's room and
 *     answers 200. `POST /api/machines/:id/unlink` broadcasts `available` and answers 200.
 *   - `GET /` answers 200 for the readiness poll.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.env.PORT ?? '0');
const MAX_BODY_BYTES = 16 * 1024;

const httpServer = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    answer(res, 500, { error: error instanceof Error ? error.message : String(error) });
  });
});

const io = new Server(httpServer, { path: '/api/ws', serveClient: false });
const machines = io.of('/machines');

/** Which branch each linked machine belongs to, so an unlink knows the room to tell. */
const machineBranch = new Map<string, string>();

machines.use((socket, next) => {
  const auth = socket.handshake.auth as Record<string, unknown>;
  if (typeof auth.token === 'string' || typeof auth.machineKey === 'string') next();
  else next(new Error('UNAUTHENTICATED'));
});

machines.on('connection', (socket) => {
  socket.on('branch:subscribe', (body: unknown, ack: unknown) => {
    const branchId =
      typeof body === 'object' && body !== null
        ? (body as Record<string, unknown>).branchId
        : undefined;
    if (typeof ack !== 'function') return;
    if (typeof branchId !== 'string') {
      ack({ ok: false, error: { code: 'VALIDATION_ERROR', message: 'branchId required' } });
      return;
    }
    void socket.join(`branch:${branchId}`);
    ack({ ok: true, branchId });
  });
  socket.on('machine:heartbeat', (_body: unknown, ack: unknown) => {
    if (typeof ack === 'function') ack({ ok: true, at: new Date().toISOString() });
  });
});

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(buffer);
  }
  if (size === 0) return {};
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

function broadcast(
  branchId: string,
  machineId: string,
  status: string,
  currentUserId: string | null,
): void {
  machines.to(`branch:${branchId}`).emit('machine:status', {
    machineId,
    branchId,
    status,
    currentUserId,
    at: new Date().toISOString(),
  });
}

const UNLINK_PATH = /^\/api\/machines\/([^/]+)\/unlink$/;

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  if (req.method === 'GET' && url === '/') {
    answer(res, 200, { ok: true });
    return;
  }
  if (req.method !== 'POST') {
    answer(res, 404, { error: 'not found' });
    return;
  }
  const body = await readJson(req);
  const userId = (req.headers.authorization ?? '').replace(/^Bearer /, '');
  if (url === '/api/machines/link') {
    const qrCode = typeof body.qrCode === 'string' ? body.qrCode : '';
    const separator = qrCode.indexOf(':');
    if (separator < 1 || userId === '') {
      answer(res, 400, { error: 'qrCode must be <branchId>:<machineId>, with a bearer user id' });
      return;
    }
    const branchId = qrCode.slice(0, separator);
    const machineId = qrCode.slice(separator + 1);
    machineBranch.set(machineId, branchId);
    broadcast(branchId, machineId, 'occupied', userId);
    answer(res, 200, { machineId, status: 'occupied' });
    return;
  }
  const unlink = UNLINK_PATH.exec(url);
  const machineId = unlink?.[1] === undefined ? undefined : decodeURIComponent(unlink[1]);
  const branchId = machineId === undefined ? undefined : machineBranch.get(machineId);
  if (machineId !== undefined && branchId !== undefined) {
    broadcast(branchId, machineId, 'available', null);
    answer(res, 200, { machineId, status: 'available' });
    return;
  }
  answer(res, 404, { error: 'not found' });
}

// Loopback only: the benchmark must never expose anything beyond this machine.
httpServer.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => undefined);
httpServer.on('error', (error) => {
  process.stderr.write(`realtime baseline server failed: ${error.message}\n`);
  process.exit(1);
});

const stop = () => {
  // io.close() disconnects every socket and closes the HTTP server.
  void io.close().finally(() => process.exit(0));
  httpServer.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
