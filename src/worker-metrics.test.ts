import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitUntil } from './test-support/job-test-support.js';
import {
  closedPort,
  exitCodeOf,
  spawnEntryPoint,
  type ServerProcess,
} from './test-support/server-process.js';
import { openTestDatabase } from './test-support/test-database.js';

// The worker runs on PostgreSQL only (a PGlite directory belongs to the API process).
describe.runIf(Boolean(process.env.TEST_DATABASE_URL))('the worker process', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'nxg-worker-metrics-'));
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let worker: ServerProcess | undefined;

  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await worker?.kill();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when WORKER_METRICS_PORT is set, then the worker serves /metrics with the job runs it works, and stops cleanly', async () => {
    const port = await closedPort();
    const signing = inject('signingKeys');
    const started = spawnEntryPoint(
      {
        HOST: '127.0.0.1',
        WORKER_METRICS_PORT: String(port),
        DATABASE_URL: database.url ?? '',
        DATA_DIR: dataDir,
        JWT_PRIVATE_KEY: signing.privateKeyPem,
        JWT_PUBLIC_KEY: signing.publicKeyPem,
        MAIL_DISPATCH_INTERVAL_SECONDS: '1',
      },
      'src/worker.ts',
    );
    worker = started;
    await waitUntil(() => started.output().includes('NXG Connect worker running'), 90_000);

    let scraped = '';
    await waitUntil(async () => {
      const res = await fetch(`http://127.0.0.1:${String(port)}/metrics`);
      scraped = await res.text();
      return /^job_duration_seconds_count\{queue="[^"]+"\} [1-9]/m.test(scraped);
    }, 60_000);
    expect(scraped).toMatch(/^db_pool_connections \d+/m);
    const ready = await fetch(`http://127.0.0.1:${String(port)}/health/ready`);
    expect(ready.status).toBe(200);

    started.child.kill('SIGTERM');
    expect(await exitCodeOf(started)).toBe(0);
  }, 180_000);
});
