/**
 * The reference point for the HTTP benchmark: a bare Express 5 hello world with no middleware,
 * so the ratio to it shows what the API's own stack (logging, helmet, auth, rate limits,
 * database, Redis) costs on this machine. It listens as the API does (16 SO_REUSEPORT sockets,
 * a 4096-deep backlog): on one socket with Node's defaults, 200-300 of a thousand clients
 * connecting at once waited out the 10 s timeout, which lowered the reference rather than
 * measured it.
 */
import { createServer } from 'node:http';
import express from 'express';
import { listenWithAcceptSockets } from '../src/lib/http/accept-sockets.js';

const port = Number(process.env.PORT ?? '0');
const app = express();

app.get('/', (_req, res) => {
  res.json({ hello: 'world' });
});

const server = createServer(app);
// Loopback only: the benchmark must never expose anything beyond this machine.
const acceptors = await listenWithAcceptSockets(server, {
  host: '127.0.0.1',
  port,
  backlog: 4096,
  sockets: 16,
  onUnsupported: (error) => process.stderr.write(`fewer accept sockets: ${String(error)}\n`),
});

const stop = () => {
  for (const acceptor of acceptors) acceptor.close();
  // Benchmark clients may leave keep-alive sockets open; they would hold close() forever.
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
