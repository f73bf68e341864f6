/**
 * The container's health check (`node dist/healthcheck.js`): exits 0 when this process's API
 * answers `/health/live` on PORT, 1 otherwise. Plain Node, no dependencies, so the check costs
 * a few milliseconds and works in the slim runtime image. The worker has no HTTP port: for it
 * the check passes when the process is alive (ECS restarts a worker that exits).
 */
import { request } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const isWorker = process.argv.includes('--worker') || process.env.NXG_ROLE === 'worker';

if (isWorker) process.exit(0);

const probe = request(
  { host: '127.0.0.1', port, path: '/health/live', method: 'GET', timeout: 3_000 },
  (response) => {
    response.resume();
    process.exit(response.statusCode === 200 ? 0 : 1);
  },
);
probe.on('timeout', () => probe.destroy(new Error('timed out')));
probe.on('error', () => process.exit(1));
probe.end();
