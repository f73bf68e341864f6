/**
 * The reference point for the HTTP benchmark: a bare Express 5 hello world with no middleware,
 * so the ratio to it shows what the API's own stack (logging, helmet, auth, rate limits,
 * database, Redis) costs on this machine.
 */
import express from 'express';

const port = Number(process.env.PORT ?? '0');
const app = express();

app.get('/', (_req, res) => {
  res.json({ hello: 'world' });
});

// Loopback only: the benchmark must never expose anything beyond this machine. The API's accept
// backlog (4096): with Node's default of 511, a thousand clients connecting at once lost SYNs
// and some waited out the 10 s timeout, which lowered the reference rather than measured it.
const server = app.listen(port, '127.0.0.1', 4096, (error?: Error) => {
  if (error) {
    process.stderr.write(`baseline server failed to listen: ${error.message}\n`);
    process.exit(1);
  }
});

const stop = () => {
  // Benchmark clients may leave keep-alive sockets open; they would hold close() forever.
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
