/**
 * Upload memory benchmark: the built API (NODE_ENV=production, info logs) takes 50 photo
 * uploads of 8 MB at once while the server process's RSS is sampled from /proc. Two runs: the
 * configured gate (IMAGE_PROCESSING_CONCURRENCY / IMAGE_QUEUE_MAX defaults), then with the gate
 * opened wide (every upload decoded at once), to show what the gate saves.
 *
 *   npm run bench:uploads
 *
 * Settings (environment):
 *   BENCH_CLIENTS       uploads sent at once (default 50)
 *   BENCH_SCENARIOS     comma-separated subset of "gated,ungated" (default both)
 *   BENCH_DATABASE_URL  database to DROP and recreate (default .../nxg_bench_uploads)
 *   BENCH_REDIS_URL     Redis to use (default redis://127.0.0.1:6379); keys get a per-run prefix
 *   BENCH_SKIP_BUILD=1  reuse the existing dist/ instead of running `npm run build`
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import {
  buildApi,
  cleanUpRun,
  log,
  positiveInteger,
  readApiSettings,
  recreateDatabase,
  registerUser,
  runBenchmark,
  startApiServer,
  stopServers,
  waitUntilReady,
  type ApiSettings,
  type BenchServer,
} from './api-under-test.js';
import { freePort } from './children.js';
import { describeEnvironment, formatTable, out, round, writeResults } from './report.js';

const SCENARIOS = {
  gated: {},
  ungated: { IMAGE_PROCESSING_CONCURRENCY: '64', IMAGE_QUEUE_MAX: '0' },
} as const;
type ScenarioKey = keyof typeof SCENARIOS;

const SAMPLE_INTERVAL_MS = 25;
const UPLOAD_TIMEOUT_MS = 300_000;
const MB = 1024 * 1024;

/** A noisy 4000×3000 JPEG near 8 MB: noise is what keeps a phone-sized photo this large. */
async function eightMegabytePhoto(): Promise<Buffer> {
  for (const quality of [90, 85, 80, 75]) {
    const photo = await sharp({
      create: {
        width: 4000,
        height: 3000,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma: 40 },
      },
    })
      .jpeg({ quality })
      .toBuffer();
    if (photo.length <= 9 * MB) return photo;
  }
  throw new Error('could not make a photo under 9 MB');
}

/** RSS of a process in bytes, from /proc (Linux). */
function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface ScenarioResult {
  scenario: ScenarioKey;
  settings: Record<string, string>;
  clients: number;
  photoBytes: number;
  statuses: Record<string, number>;
  idleRssMb: number;
  peakRssMb: number;
  afterRssMb: number;
  wallSeconds: number;
  uploadsPerSecond: number;
  megabytesInPerSecond: number;
  latencyMs: { p50: number; p95: number; max: number };
}

/** The shared settings, on a database of this benchmark's own unless one is given. */
function apiSettings(): ApiSettings {
  return {
    ...readApiSettings(),
    databaseUrl:
      process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/nxg_bench_uploads',
  };
}

async function runScenario(
  scenario: ScenarioKey,
  clients: number,
  photo: Buffer,
): Promise<ScenarioResult> {
  const settings = apiSettings();
  await recreateDatabase(settings.databaseUrl);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'nxg-bench-uploads-'));
  const prefix = `bench-uploads:${randomBytes(4).toString('hex')}:`;
  const port = await freePort();
  let api: BenchServer | undefined;
  try {
    api = startApiServer(settings, port, prefix, {
      environment: {
        LOG_LEVEL: 'info',
        DATA_DIR: dataDir,
        BCRYPT_COST: '8',
        ...SCENARIOS[scenario],
      },
    });
    await waitUntilReady([api]);
    const pid = api.handle.child.pid;
    if (pid === undefined) throw new Error('the API has no pid');

    log(`${scenario}: registering ${clients} members`);
    const tokens: string[] = [];
    for (let i = 0; i < clients; i++) {
      const session = await registerUser(api.base, {
        username: `upl${i}${randomBytes(3).toString('hex')}`,
        password: 'bench-password-1',
        name: `Uploader ${i}`,
      });
      tokens.push(String(session.accessToken));
    }
    const idleRss = rssOf(pid) ?? 0;
    let peakRss = idleRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssOf(pid) ?? 0);
    }, SAMPLE_INTERVAL_MS);

    log(`${scenario}: ${clients} uploads of ${round(photo.length / MB, 2)} MB at once`);
    const statuses: Record<string, number> = {};
    const latencies: number[] = [];
    const started = performance.now();
    const base = api.base;
    await Promise.all(
      tokens.map(async (token) => {
        const form = new FormData();
        form.append('image', new Blob([photo], { type: 'image/jpeg' }), 'photo.jpg');
        const sent = performance.now();
        let status: string;
        try {
          const response = await fetch(`${base}/api/upload/meal-images`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}` },
            body: form,
            signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
          });
          await response.arrayBuffer();
          status = String(response.status);
        } catch (error) {
          status = error instanceof Error ? error.name : 'error';
        }
        latencies.push(performance.now() - sent);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }),
    );
    const wallSeconds = (performance.now() - started) / 1000;
    // A few more samples once the burst is over: is the memory given back?
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    clearInterval(sampler);
    const afterRss = rssOf(pid) ?? 0;
    const report = await stopServers(api);
    if (report.outputTail.some((line) => line.includes('"level":50'))) {
      log(`${scenario}: the API logged errors: ${report.outputTail.join('\n')}`);
    }
    latencies.sort((a, b) => a - b);
    const at = (p: number) =>
      round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0, 0);
    const succeeded = statuses['201'] ?? 0;
    return {
      scenario,
      settings: { ...SCENARIOS[scenario] },
      clients,
      photoBytes: photo.length,
      statuses,
      idleRssMb: round(idleRss / MB),
      peakRssMb: round(peakRss / MB),
      afterRssMb: round(afterRss / MB),
      wallSeconds: round(wallSeconds, 2),
      uploadsPerSecond: round(succeeded / wallSeconds, 2),
      megabytesInPerSecond: round((clients * photo.length) / MB / wallSeconds, 1),
      latencyMs: { p50: at(0.5), p95: at(0.95), max: at(1) },
    };
  } finally {
    await cleanUpRun(api, settings.redisUrl, prefix);
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const clients = positiveInteger('BENCH_CLIENTS', 50);
  const scenarios = (process.env.BENCH_SCENARIOS ?? 'gated,ungated')
    .split(',')
    .map((name) => name.trim())
    .filter((name): name is ScenarioKey => name in SCENARIOS);
  await buildApi(apiSettings());
  log('making an 8 MB photo');
  const photo = await eightMegabytePhoto();
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) results.push(await runScenario(scenario, clients, photo));

  out(
    formatTable(
      [
        'scenario',
        'statuses',
        'idle RSS',
        'peak RSS',
        'after',
        'wall s',
        'uploads/s',
        'MB/s in',
        'p50 ms',
        'p95 ms',
      ],
      results.map((r) => [
        r.scenario,
        JSON.stringify(r.statuses),
        `${r.idleRssMb} MB`,
        `${r.peakRssMb} MB`,
        `${r.afterRssMb} MB`,
        String(r.wallSeconds),
        String(r.uploadsPerSecond),
        String(r.megabytesInPerSecond),
        String(r.latencyMs.p50),
        String(r.latencyMs.p95),
      ]),
    ),
  );
  const file = writeResults('uploads', startedAt, describeEnvironment(), { results });
  log(`results written to ${file}`);
}

runBenchmark(main, { stopping: 'uploads and children', onSignal: () => undefined });
