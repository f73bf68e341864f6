/**
 * The built API as a node cluster of BENCH_WORKERS processes sharing one port, as PM2's
 * cluster mode runs it: the primary forks the workers and stops them when it is stopped.
 */
import cluster from 'node:cluster';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (cluster.isPrimary) {
  const workers = Number(process.env.BENCH_WORKERS ?? '2');
  for (let index = 0; index < workers; index++) cluster.fork();
  let stopping = false;
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  cluster.on('exit', () => {
    if (Object.keys(cluster.workers ?? {}).length > 0) return;
    process.exit(stopping ? 0 : 1);
  });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  await import(path.join(root, 'dist', 'server.js'));
}
