/**
 * Real-time benchmark: member sockets subscribed to one branch and machines heartbeating every
 * second, against the real API (built, on PostgreSQL and Redis) and against a bare Socket.IO
 * server (bench/realtime-baseline-server.ts) driven by exactly the same client code.
 *
 *   npm run bench:realtime
 *
 * For each target: BENCH_MACHINES device sockets send `machine:heartbeat` every second (with
 * ack) for the whole run; BENCH_MEMBERS member sockets send `branch:subscribe`; then a few
 * "linker" members link and unlink the machines one pair at a time. Each link is timed from
 * the moment its HTTP request is sent until the matching `machine:status` (machineId, status
 * 'occupied') has reached every subscriber: each subscriber's delivery latency
 * and the time to the last one are recorded. Unlinks are timed the same way ('available').
 *
 * Then, with the member sockets still connected, the heartbeat saturation phase: the same device
 * sockets send `machine:heartbeat` in a closed loop (the next one as soon as the previous ack
 * is back, BENCH_SATURATION_INFLIGHT of them outstanding per socket) for a short unmeasured
 * warm-up and then BENCH_SATURATION_SECONDS. Heartbeats acknowledged per second is the
 * throughput; refusals (RATE_LIMITED included) and ack timeouts are counted as errors.
 *
 * All client sockets live in this one process. A burst of 1,000 deliveries is decoded one
 * after another on its event loop, so part of every fan-out time is this process's own work;
 * the baseline, measured with the same clients, shows that floor. The event-loop delay and CPU
 * use of this process are printed next to the results so a saturated client can be told from
 * a slow server.
 *
 * Settings (environment):
 *   BENCH_MEMBERS          subscribed member sockets (default 1000)
 *   BENCH_MACHINES         heartbeating machines (default 100)
 *   BENCH_LINKS            measured link/unlink pairs per target (default 200)
 *   BENCH_WARMUP_LINKS     unmeasured link/unlink pairs first (default 10)
 *   BENCH_LINKERS          members who take turns linking (default 4)
 *   BENCH_LINK_GAP_MS      pause after each link/unlink pair (default 100), so fan-outs are
 *                          isolated events, as on a gym floor, not back-to-back load
 *   BENCH_HEARTBEAT_MS     heartbeat interval per machine (default 1000)
 *   BENCH_FANOUT_TIMEOUT_MS  longest wait for one fan-out to complete (default 10000)
 *   BENCH_SATURATION_SECONDS  measured length of the heartbeat saturation phase (default 10)
 *   BENCH_SATURATION_WARMUP_SECONDS  unmeasured closed-loop heartbeats before it (default 2;
 *                          0 for none), so connections and caches are warm when it starts
 *   BENCH_SATURATION_INFLIGHT  heartbeats outstanding per device socket in that phase
 *                          (default 1: each device waits for its ack, as a real one would)
 *   BENCH_TARGETS          comma-separated subset of "baseline,api" (default both)
 *   BENCH_DATABASE_URL     database to DROP and recreate (default postgres://postgres@127.0.0.1:5432/nxg_bench)
 *   BENCH_REDIS_URL        Redis to use (default redis://127.0.0.1:6379); keys get a per-run prefix
 *   BENCH_SKIP_BUILD=1     reuse the existing dist/ instead of running `npm run build`
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import {
  UNLIMITED,
  apiServerNotes,
  call,
  cleanUpRun,
  databaseName,
  isRecord,
  log,
  positiveInteger,
  positiveNumber,
  prepareApi,
  readApiSettings,
  registerUser,
  runBenchmark,
  startApiServer,
  startBaselineServer,
  stopServers,
  targetsFromEnv,
  twoFreePorts,
  waitUntilReady,
  type ApiSettings,
  type BenchServer,
} from './api-under-test.js';
import { stopChild, type ChildHandle } from './children.js';
import {
  describeEnvironment,
  formatTable,
  latencyPercentiles,
  out,
  appendHistory,
  printResultsAndGoal,
  round,
  writeResults,
  type GoalVerdict,
  type LatencyPercentiles,
} from './report.js';

/** Concurrency of the REST set-up (bcrypt at cost 4 makes 20 registrations at a time cheap). */
const SETUP_CONCURRENCY = 20;
/** Sockets connecting at once; a wider burst only queues handshakes. */
const CONNECT_CONCURRENCY = 50;
const CONNECT_TIMEOUT_MS = 20_000;
const ACK_TIMEOUT_MS = 10_000;
/** The goal: p99 link → last subscriber under 100 ms with 1,000 subscribers. */
const GOAL = { target: 'api', members: 1000, maxP99Ms: 100 } as const;
/** Above this p99 event-loop delay the client process is called out as a distortion. */
const CLIENT_LAG_WARNING_MS = 20;

type TargetKey = 'baseline' | 'api';

interface Settings extends ApiSettings {
  members: number;
  machines: number;
  links: number;
  warmupLinks: number;
  linkers: number;
  linkGapMs: number;
  heartbeatMs: number;
  fanOutTimeoutMs: number;
  saturationSeconds: number;
  saturationWarmupSeconds: number;
  saturationInflight: number;
  targets: TargetKey[];
}

function readSettings(): Settings {
  // In this order whatever the input order: the baseline first, as in http.bench.ts.
  const targets = targetsFromEnv<TargetKey>(['baseline', 'api']);
  const warmupRaw = process.env.BENCH_WARMUP_LINKS;
  return {
    members: positiveInteger('BENCH_MEMBERS', 1000),
    machines: positiveInteger('BENCH_MACHINES', 100),
    links: positiveInteger('BENCH_LINKS', 200),
    // Zero is allowed here: no warm-up at all.
    warmupLinks: warmupRaw === '0' ? 0 : positiveInteger('BENCH_WARMUP_LINKS', 10),
    linkers: positiveInteger('BENCH_LINKERS', 4),
    linkGapMs: process.env.BENCH_LINK_GAP_MS === '0' ? 0 : positiveNumber('BENCH_LINK_GAP_MS', 100),
    heartbeatMs: positiveNumber('BENCH_HEARTBEAT_MS', 1000),
    fanOutTimeoutMs: positiveNumber('BENCH_FANOUT_TIMEOUT_MS', 10_000),
    saturationSeconds: positiveNumber('BENCH_SATURATION_SECONDS', 10),
    // Zero is allowed here: measure from the first closed-loop heartbeat.
    saturationWarmupSeconds:
      process.env.BENCH_SATURATION_WARMUP_SECONDS === '0'
        ? 0
        : positiveNumber('BENCH_SATURATION_WARMUP_SECONDS', 2),
    saturationInflight: positiveInteger('BENCH_SATURATION_INFLIGHT', 1),
    targets,
    ...readApiSettings(),
  };
}

function requireString(value: unknown, what: string, body: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new Error(`${what} missing in ${JSON.stringify(body).slice(0, 500)}`);
  }
  return value;
}

/** Runs `task` over `items` with at most `limit` in flight; results keep the input order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const range = (count: number) => Array.from({ length: count }, (_, index) => index);

interface LatencyMs extends LatencyPercentiles {
  samples: number;
}

function latencySummary(values: ArrayLike<number>): LatencyMs {
  const sorted = Float64Array.from(values).sort();
  return { samples: sorted.length, ...latencyPercentiles(sorted) };
}

// ---------------------------------------------------------------------------------------------
// Sockets
// ---------------------------------------------------------------------------------------------

interface Telemetry {
  speedKmh: number;
  inclinePercent: number;
  cadenceRpm: number;
  powerW: number;
  heartRateBpm: number;
  distanceM: number;
  energyKcal: number;
  elapsedSec: number;
}

interface ServerEvents {
  'machine:status': (event: unknown) => void;
}

interface ClientEvents {
  'branch:subscribe': (body: { branchId: string }, ack: (reply: unknown) => void) => void;
  'machine:heartbeat': (body: { telemetry: Telemetry }, ack: (reply: unknown) => void) => void;
}

type BenchSocket = Socket<ServerEvents, ClientEvents>;

/** Every socket this process opened, so each exit path can close them. */
const openSockets = new Set<BenchSocket>();
/** Sockets the server (or the network) dropped while a target was running. */
let unexpectedDisconnects: { reason: string; count: number }[] = [];

function closeAllSockets(): void {
  for (const socket of openSockets) socket.disconnect();
  openSockets.clear();
}

/** Connects one socket to `/machines`, as the API's clients do; no reconnection, so a drop shows. */
function connectSocket(base: string, auth: Record<string, string>): Promise<BenchSocket> {
  const socket: BenchSocket = io(`${base}/machines`, {
    path: '/api/ws',
    transports: ['websocket'],
    auth,
    // One connection per socket: io() would otherwise share a Manager between sockets.
    forceNew: true,
    reconnection: false,
    timeout: CONNECT_TIMEOUT_MS,
  });
  openSockets.add(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.off('connect_error');
      socket.on('disconnect', (reason) => {
        openSockets.delete(socket);
        // Our own disconnect() at the end of a target is expected; anything else is counted.
        if (reason === 'io client disconnect') return;
        const entry = unexpectedDisconnects.find((seen) => seen.reason === reason);
        if (entry) entry.count += 1;
        else unexpectedDisconnects.push({ reason, count: 1 });
      });
      resolve(socket);
    });
    socket.once('connect_error', (error) => {
      openSockets.delete(socket);
      socket.disconnect();
      reject(new Error(`socket to ${base}/machines refused: ${error.message}`));
    });
  });
}

function describeAck(reply: unknown): string {
  // JSON.stringify answers undefined for undefined, whatever its declared type says.
  const text = JSON.stringify(reply) as string | undefined;
  return (text ?? String(reply)).slice(0, 300);
}

// ---------------------------------------------------------------------------------------------
// Targets: what differs between the API and the baseline is only how the fixture is made
// ---------------------------------------------------------------------------------------------

interface Fixture {
  base: string;
  branchId: string;
  /** Handshake auth of each subscribed member. */
  memberAuths: { token: string }[];
  machines: { id: string; qrCode: string; deviceKey: string }[];
  /** Members who link and unlink; checked in at the branch. */
  linkers: { userId: string; accessToken: string }[];
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const bearer = (token: string) => ({ ...JSON_HEADERS, authorization: `Bearer ${token}` });
const MACHINE_TYPES = ['cardio', 'strength', 'functional'] as const;

interface AdminAccount {
  username: string;
  email: string;
  password: string;
}

/** Creates the branch, machines and members through the API's own endpoints. */
async function setUpApiFixture(
  base: string,
  settings: Settings,
  runId: string,
  admin: AdminAccount,
): Promise<Fixture> {
  const adminSession = await call(
    `${base}/api/auth/login`,
    {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ login: admin.username, password: admin.password }),
    },
    200,
  );
  const adminToken = requireString(adminSession.accessToken, 'admin accessToken', adminSession);
  const branch = await call(
    `${base}/api/branches`,
    {
      method: 'POST',
      headers: bearer(adminToken),
      body: JSON.stringify({
        name: `Bench branch ${runId}`,
        address: '1 Benchmark Street, London',
        timezone: 'Europe/London',
      }),
    },
    201,
  );
  const branchId = requireString(branch.id, 'branch id', branch);

  log(`api: creating ${settings.machines} machines`);
  const machines = await mapLimit(range(settings.machines), SETUP_CONCURRENCY, async (i) => {
    const created = await call(
      `${base}/api/machines`,
      {
        method: 'POST',
        headers: bearer(adminToken),
        body: JSON.stringify({
          branchId,
          name: `Bench machine ${i + 1}`,
          type: MACHINE_TYPES[i % MACHINE_TYPES.length],
          location: `Zone ${String.fromCharCode(65 + (i % 6))}`,
        }),
      },
      201,
    );
    const machine = isRecord(created.machine) ? created.machine : {};
    return {
      id: requireString(machine.id, 'machine.id', created),
      qrCode: requireString(machine.qrCode, 'machine.qrCode', created),
      deviceKey: requireString(created.deviceKey, 'deviceKey', created),
    };
  });

  const total = settings.members + settings.linkers;
  log(`api: registering ${total} members and joining them to the branch`);
  const password = `bench-${randomBytes(12).toString('hex')}`;
  const users = await mapLimit(range(total), SETUP_CONCURRENCY, async (i) => {
    const username = `rt${runId}_${i}`;
    const session = await registerUser(base, { username, password, name: 'Bench Member' });
    const accessToken = requireString(session.accessToken, 'accessToken', session);
    const user = isRecord(session.user) ? session.user : {};
    const userId = requireString(user.id, 'user.id', session);
    await call(
      `${base}/api/branches/${branchId}/join`,
      { method: 'POST', headers: bearer(accessToken) },
      200,
    );
    return { userId, accessToken };
  });
  const linkers = users.slice(settings.members);
  for (const linker of linkers) {
    await call(
      `${base}/api/sessions/check-in`,
      { method: 'POST', headers: bearer(linker.accessToken), body: JSON.stringify({ branchId }) },
      201,
    );
  }
  return {
    base,
    branchId,
    memberAuths: users.slice(0, settings.members).map((user) => ({ token: user.accessToken })),
    machines,
    linkers,
  };
}

/** The baseline has no accounts: ids are made up and the token is the user id itself. */
function baselineFixture(base: string, settings: Settings): Fixture {
  const id = () => randomBytes(8).toString('hex');
  const branchId = id();
  return {
    base,
    branchId,
    memberAuths: range(settings.members).map((i) => ({ token: `member-${i}` })),
    machines: range(settings.machines).map((i) => {
      const machineId = id();
      return { id: machineId, qrCode: `${branchId}:${machineId}`, deviceKey: `device-${i}` };
    }),
    linkers: range(settings.linkers).map((i) => ({
      userId: `linker-${i}`,
      accessToken: `linker-${i}`,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Heartbeats
// ---------------------------------------------------------------------------------------------

interface HeartbeatStats {
  sent: number;
  acked: number;
  /** Acks that were not `{ ok: true }`, by error code. */
  rejected: Record<string, number>;
  timeouts: number;
  latencies: number[];
  windowStart: number;
}

/** A device's `beat`-th telemetry: a machine in motion, its counters rising with every beat. */
function telemetryFor(beat: number): Telemetry {
  return {
    speedKmh: 10,
    inclinePercent: 1,
    cadenceRpm: 80,
    powerW: 150 + (beat % 50),
    heartRateBpm: 120 + (beat % 30),
    distanceM: beat * 3,
    energyKcal: Math.floor(beat / 5),
    elapsedSec: beat,
  };
}

/** The error code of a refused ack (`{ ok: false, error: { code } }`), or UNKNOWN. */
function refusalCode(reply: unknown): string {
  return isRecord(reply) && isRecord(reply.error) && typeof reply.error.code === 'string'
    ? reply.error.code
    : 'UNKNOWN';
}

/** Each device emits `machine:heartbeat` every interval, spread evenly over the interval. */
class HeartbeatDriver {
  private readonly timers: NodeJS.Timeout[] = [];
  private stats: HeartbeatStats = HeartbeatDriver.emptyStats();
  private readonly beats: number[];
  private readonly firstAck: Promise<void>[];
  private readonly firstAckResolvers: ((outcome: string | undefined) => void)[] = [];
  private firstRejection: string | undefined;

  constructor(
    private readonly devices: BenchSocket[],
    private readonly intervalMs: number,
  ) {
    this.beats = devices.map(() => 0);
    this.firstAck = devices.map(
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          this.firstAckResolvers[i] = (problem) => {
            if (problem === undefined) resolve();
            else reject(new Error(problem));
          };
        }),
    );
    // Rejections are read through ready(); an unread one must not crash the process.
    for (const promise of this.firstAck) promise.catch(() => undefined);
  }

  private static emptyStats(): HeartbeatStats {
    return {
      sent: 0,
      acked: 0,
      rejected: {},
      timeouts: 0,
      latencies: [],
      windowStart: performance.now(),
    };
  }

  start(): void {
    this.devices.forEach((socket, i) => {
      const offset = (i * this.intervalMs) / this.devices.length;
      this.timers.push(
        setTimeout(() => {
          this.beat(socket, i);
          this.timers.push(setInterval(() => this.beat(socket, i), this.intervalMs));
        }, offset),
      );
    });
  }

  private beat(socket: BenchSocket, i: number): void {
    const beat = (this.beats[i] ?? 0) + 1;
    this.beats[i] = beat;
    const telemetry = telemetryFor(beat);
    const stats = this.stats;
    const sentAt = performance.now();
    stats.sent += 1;
    socket
      .timeout(ACK_TIMEOUT_MS)
      .emit('machine:heartbeat', { telemetry }, (error: Error | null, reply: unknown) => {
        if (error) {
          stats.timeouts += 1;
          this.firstAckResolvers[i]?.(`device ${i}: no heartbeat ack within ${ACK_TIMEOUT_MS} ms`);
          return;
        }
        if (isRecord(reply) && reply.ok === true) {
          stats.acked += 1;
          stats.latencies.push(performance.now() - sentAt);
          this.firstAckResolvers[i]?.(undefined);
          return;
        }
        const code = refusalCode(reply);
        stats.rejected[code] = (stats.rejected[code] ?? 0) + 1;
        this.firstRejection ??= describeAck(reply);
        this.firstAckResolvers[i]?.(`device ${i}: heartbeat refused: ${describeAck(reply)}`);
      });
  }

  /** Resolves once every device has had one heartbeat acknowledged. */
  async ready(): Promise<void> {
    await Promise.all(this.firstAck);
  }

  /** Starts a new measurement window; beats in flight are counted in the old one. */
  resetWindow(): void {
    this.stats = HeartbeatDriver.emptyStats();
  }

  window(): HeartbeatStats & { seconds: number; firstRejection: string | undefined } {
    return {
      ...this.stats,
      seconds: (performance.now() - this.stats.windowStart) / 1000,
      firstRejection: this.firstRejection,
    };
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.length = 0;
  }
}

let activeHeartbeats: HeartbeatDriver | undefined;

/** What the saturation phase counted between openWindow() and closeWindow(). */
interface SaturationWindow {
  /** Heartbeats emitted during the window. */
  sent: number;
  /** `{ ok: true }` acks that arrived during the window, whenever their heartbeat was sent. */
  acked: number;
  /** Acks that were not `{ ok: true }`, by error code (RATE_LIMITED among them). */
  rejected: Record<string, number>;
  timeouts: number;
  latencies: number[];
  seconds: number;
  firstRejection: string | undefined;
}

/**
 * Closed-loop heartbeats: each device keeps `inflight` heartbeats outstanding and sends the next
 * as soon as one is answered, so the rate is whatever the server (and this process) sustain.
 * Acks are counted only while a window is open; before it they are the warm-up.
 */
class SaturationDriver {
  private stopping = false;
  private counting: Omit<SaturationWindow, 'seconds' | 'firstRejection'> | undefined;
  private windowStart = 0;
  private firstRejection: string | undefined;
  private readonly beats: number[];
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly devices: BenchSocket[],
    private readonly inflight: number,
  ) {
    this.beats = devices.map(() => 0);
  }

  start(): void {
    this.devices.forEach((socket, i) => {
      for (let slot = 0; slot < this.inflight; slot += 1) {
        this.loops.push(new Promise((resolve) => this.beat(socket, i, resolve)));
      }
    });
  }

  /** Sends one heartbeat, and from its ack the next; `done` once the loop has stopped. */
  private beat(socket: BenchSocket, i: number, done: () => void): void {
    // A dropped socket would only queue heartbeats until each timed out; the drop is counted
    // with the unexpected disconnects instead.
    if (this.stopping || !socket.connected) {
      done();
      return;
    }
    const beat = (this.beats[i] ?? 0) + 1;
    this.beats[i] = beat;
    const sentAt = performance.now();
    if (this.counting) this.counting.sent += 1;
    socket
      .timeout(ACK_TIMEOUT_MS)
      .emit(
        'machine:heartbeat',
        { telemetry: telemetryFor(beat) },
        (error: Error | null, reply: unknown) => {
          // The window the ack arrives in counts it: a rate is what comes back per second.
          const stats = this.counting;
          if (stats) {
            if (error) stats.timeouts += 1;
            else if (isRecord(reply) && reply.ok === true) {
              stats.acked += 1;
              stats.latencies.push(performance.now() - sentAt);
            } else {
              const code = refusalCode(reply);
              stats.rejected[code] = (stats.rejected[code] ?? 0) + 1;
              this.firstRejection ??= describeAck(reply);
            }
          }
          this.beat(socket, i, done);
        },
      );
  }

  /** Starts counting: from here on sends, acks, refusals and timeouts are the measurement. */
  openWindow(): void {
    this.counting = { sent: 0, acked: 0, rejected: {}, timeouts: 0, latencies: [] };
    this.windowStart = performance.now();
  }

  /** Stops counting (the loops keep going until stop()) and answers what was counted. */
  closeWindow(): SaturationWindow {
    const seconds = (performance.now() - this.windowStart) / 1000;
    const counted = this.counting;
    if (!counted) throw new Error('closeWindow() without openWindow()');
    this.counting = undefined;
    return { ...counted, seconds, firstRejection: this.firstRejection };
  }

  /** Stops sending; resolves once every outstanding heartbeat has its ack or has timed out. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }
}

let activeSaturation: SaturationDriver | undefined;

// ---------------------------------------------------------------------------------------------
// Fan-out
// ---------------------------------------------------------------------------------------------

interface Expectation {
  machineId: string;
  status: 'occupied' | 'available';
  /** Checked when given: the linker for 'occupied'. */
  currentUserId?: string;
}

interface PendingFanOut extends Expectation {
  startedAt: number;
  /** Per subscriber, ms from the request to delivery; NaN until delivered. */
  arrivals: Float64Array;
  received: number;
  done: () => void;
}

/** The one fan-out being measured; subscribers compare every `machine:status` against it. */
let pending: PendingFanOut | undefined;
/** Per run: every `machine:status` seen, the ones matching nothing, a sample of those. */
let statusCounters = { seen: 0, unmatched: 0, duplicates: 0 };
let unmatchedSample: unknown[] = [];

function onMachineStatus(index: number, event: unknown): void {
  const now = performance.now();
  statusCounters.seen += 1;
  const current = pending;
  const matches =
    current !== undefined &&
    isRecord(event) &&
    event.machineId === current.machineId &&
    event.status === current.status &&
    (current.currentUserId === undefined || event.currentUserId === current.currentUserId);
  if (!matches) {
    statusCounters.unmatched += 1;
    if (unmatchedSample.length < 5 && index === 0) unmatchedSample.push(event);
    return;
  }
  if (!Number.isNaN(current.arrivals[index])) {
    statusCounters.duplicates += 1;
    return;
  }
  current.arrivals[index] = now - current.startedAt;
  current.received += 1;
  if (current.received === current.arrivals.length) current.done();
}

interface FanOutSample {
  httpMs: number;
  /** ms to the first and last subscriber; the last is the timeout when some never arrived. */
  firstMs: number;
  lastMs: number;
  missed: number;
  arrivals: Float64Array;
}

/**
 * Sends one request and waits until every subscriber has the expected `machine:status`. The
 * clock starts right before the request is sent, so the HTTP round trip is part of the time.
 */
async function measureFanOut(
  subscriberCount: number,
  expectation: Expectation,
  send: () => Promise<void>,
  timeoutMs: number,
): Promise<FanOutSample> {
  let done: () => void = () => undefined;
  const allArrived = new Promise<void>((resolve) => {
    done = resolve;
  });
  const arrivals = new Float64Array(subscriberCount).fill(Number.NaN);
  const current: PendingFanOut = {
    ...expectation,
    startedAt: performance.now(),
    arrivals,
    received: 0,
    done,
  };
  pending = current;
  let timer: NodeJS.Timeout | undefined;
  try {
    await send();
    const httpMs = performance.now() - current.startedAt;
    const remaining = Math.max(0, timeoutMs - httpMs);
    await Promise.race([
      allArrived,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, remaining);
      }),
    ]);
    const delivered = arrivals.filter((value) => !Number.isNaN(value));
    const missed = subscriberCount - delivered.length;
    return {
      httpMs,
      firstMs: delivered.length === 0 ? Number.NaN : Math.min(...delivered),
      lastMs: missed > 0 ? timeoutMs : Math.max(...delivered),
      missed,
      arrivals: delivered,
    };
  } finally {
    clearTimeout(timer);
    pending = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// One target
// ---------------------------------------------------------------------------------------------

interface HeartbeatResult {
  sent: number;
  acked: number;
  acksPerSecond: number;
  offeredPerSecond: number;
  rejected: Record<string, number>;
  timeouts: number;
  ackLatencyMs: LatencyMs;
  firstRejection?: string;
}

interface SaturationResult {
  sockets: number;
  inflightPerSocket: number;
  warmupSeconds: number;
  measuredSeconds: number;
  sent: number;
  acked: number;
  /** The throughput: `{ ok: true }` acks per second of the window. */
  acksPerSecond: number;
  rejected: Record<string, number>;
  timeouts: number;
  /** Refusals of any code plus timeouts. */
  errors: number;
  ackLatencyMs: LatencyMs;
  firstRejection?: string;
  /** Sockets dropped during the phase (the fan-out's own drops are in unexpectedDisconnects). */
  unexpectedDisconnects: { reason: string; count: number }[];
  load: ClientLoad;
  acksPerSecondRatioToBaseline: number | null;
}

interface ClientLoad {
  /** Event-loop delay of this (client) process during the measured phase. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** CPU time over wall time, in % of one core. */
  benchCpuPercent: number;
  serverCpuPercent: number | null;
  /** Busy share of all CPUs of the machine. */
  machineCpuPercent: number;
  /**
   * What the rest of the machine used, in % of all CPUs: PostgreSQL and Redis, and anything
   * else running at the time (high in the baseline too means the numbers are noisy).
   */
  otherProcessesPercent: number | null;
}

interface TargetResult {
  target: TargetKey;
  label: string;
  members: number;
  machines: number;
  links: number;
  setupSeconds: { fixture: number; connectDevices: number; connectMembers: number };
  measuredSeconds: number;
  linkToLast: LatencyMs;
  linkToFirst: LatencyMs;
  linkToEach: LatencyMs;
  linkHttp: LatencyMs;
  unlinkToLast: LatencyMs;
  unlinkHttp: LatencyMs;
  missedDeliveries: { link: number; unlink: number };
  linksWithMisses: number;
  statusEvents: { seen: number; unmatched: number; duplicates: number };
  unmatchedSample: unknown[];
  unexpectedDisconnects: { reason: string; count: number }[];
  heartbeats: HeartbeatResult;
  client: ClientLoad;
  p99RatioToBaseline: number | null;
  heartbeatSaturation: SaturationResult;
}

/** Sampling interval of the event-loop delay histogram. */
const EVENT_LOOP_RESOLUTION_MS = 10;

/**
 * The histogram records the whole time between its samples, the resolution included (an idle
 * loop reads ~10 ms at 10 ms resolution); only the excess is delay caused by work.
 */
const excessDelayMs = (nanoseconds: number) =>
  Math.max(0, nanoseconds / 1e6 - EVENT_LOOP_RESOLUTION_MS);

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds a process has used so far, from /proc (Linux); undefined elsewhere. */
function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, utime field 14, stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function machineCpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, idle, irq } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + idle + irq;
  }
  return { busy, total };
}

/**
 * Starts watching the load of a phase: this process's event-loop delay and CPU, the server's
 * CPU and the whole machine's. The returned function ends the watch and reports the phase.
 */
function watchLoad(serverPid: number | undefined): () => ClientLoad {
  const delay = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  const cpuBefore = process.cpuUsage();
  const serverCpuBefore = processCpuSeconds(serverPid);
  const machineBefore = machineCpuTimes();
  delay.enable();
  const start = performance.now();
  return () => {
    const wallSeconds = (performance.now() - start) / 1000;
    delay.disable();
    const cpu = process.cpuUsage(cpuBefore);
    const serverCpuAfter = processCpuSeconds(serverPid);
    const machineAfter = machineCpuTimes();
    const benchCpuPercent = ((cpu.user + cpu.system) / 1e6 / wallSeconds) * 100;
    const serverCpuPercent =
      serverCpuBefore === undefined || serverCpuAfter === undefined
        ? null
        : ((serverCpuAfter - serverCpuBefore) / wallSeconds) * 100;
    const machinePercent =
      ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100;
    const cpuCount = os.cpus().length;
    return {
      eventLoopDelayMs: {
        p50: round(excessDelayMs(delay.percentile(50))),
        p99: round(excessDelayMs(delay.percentile(99))),
        max: round(excessDelayMs(delay.max)),
      },
      benchCpuPercent: round(benchCpuPercent),
      serverCpuPercent: serverCpuPercent === null ? null : round(serverCpuPercent),
      machineCpuPercent: round(machinePercent),
      otherProcessesPercent:
        serverCpuPercent === null
          ? null
          : round(Math.max(0, machinePercent - (benchCpuPercent + serverCpuPercent) / cpuCount)),
    };
  };
}

/**
 * The saturation phase on connected device sockets: a closed-loop warm-up, then the measured
 * window. Unexpected disconnects are collected afresh, so they are the phase's own.
 */
async function saturateHeartbeats(
  label: string,
  devices: BenchSocket[],
  server: ChildHandle,
  settings: Settings,
): Promise<SaturationResult> {
  unexpectedDisconnects = [];
  const driver = new SaturationDriver(devices, settings.saturationInflight);
  activeSaturation = driver;
  log(
    `${label}: heartbeat saturation, ${devices.length} devices x ${settings.saturationInflight} ` +
      `in flight, ${settings.saturationWarmupSeconds}s warm-up + ${settings.saturationSeconds}s`,
  );
  driver.start();
  if (settings.saturationWarmupSeconds > 0) await sleep(settings.saturationWarmupSeconds * 1000);
  const finishLoad = watchLoad(server.child.pid);
  driver.openWindow();
  await sleep(settings.saturationSeconds * 1000);
  const window = driver.closeWindow();
  const load = finishLoad();
  await driver.stop();
  activeSaturation = undefined;
  const rejected = Object.values(window.rejected).reduce((sum, count) => sum + count, 0);
  return {
    sockets: devices.length,
    inflightPerSocket: settings.saturationInflight,
    warmupSeconds: settings.saturationWarmupSeconds,
    measuredSeconds: round(window.seconds, 2),
    sent: window.sent,
    acked: window.acked,
    acksPerSecond: round(window.acked / window.seconds),
    rejected: window.rejected,
    timeouts: window.timeouts,
    errors: rejected + window.timeouts,
    ackLatencyMs: latencySummary(window.latencies),
    ...(window.firstRejection === undefined ? {} : { firstRejection: window.firstRejection }),
    unexpectedDisconnects,
    load,
    acksPerSecondRatioToBaseline: null,
  };
}

async function runTarget(
  key: TargetKey,
  label: string,
  fixture: Fixture,
  fixtureSeconds: number,
  server: ChildHandle,
  settings: Settings,
): Promise<TargetResult> {
  unexpectedDisconnects = [];
  statusCounters = { seen: 0, unmatched: 0, duplicates: 0 };
  unmatchedSample = [];
  const { base } = fixture;

  log(`${label}: connecting ${fixture.machines.length} device sockets`);
  let started = performance.now();
  const devices = await mapLimit(fixture.machines, CONNECT_CONCURRENCY, (machine) =>
    connectSocket(base, { machineKey: machine.deviceKey }),
  );
  const connectDevicesSeconds = (performance.now() - started) / 1000;
  const heartbeats = new HeartbeatDriver(devices, settings.heartbeatMs);
  activeHeartbeats = heartbeats;
  heartbeats.start();
  await heartbeats.ready();
  log(`${label}: every machine has a heartbeat acknowledged`);

  log(`${label}: connecting and subscribing ${fixture.memberAuths.length} member sockets`);
  started = performance.now();
  await mapLimit(fixture.memberAuths, CONNECT_CONCURRENCY, async (auth, index) => {
    const socket = await connectSocket(base, auth);
    socket.on('machine:status', (event) => onMachineStatus(index, event));
    const reply: unknown = await socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('branch:subscribe', { branchId: fixture.branchId });
    if (!isRecord(reply) || reply.ok !== true) {
      throw new Error(`member ${index}: branch:subscribe answered ${describeAck(reply)}`);
    }
    return socket;
  });
  const connectMembersSeconds = (performance.now() - started) / 1000;
  const subscriberCount = fixture.memberAuths.length;

  const post = async (url: string, token: string, body?: unknown) => {
    await call(
      url,
      {
        method: 'POST',
        headers: bearer(token),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      200,
    );
  };
  const linkPair = async (pair: number) => {
    const machine = fixture.machines[pair % fixture.machines.length]!;
    const linker = fixture.linkers[pair % fixture.linkers.length]!;
    const link = await measureFanOut(
      subscriberCount,
      // Members are not told who holds a machine (only staff and the holder are).
      { machineId: machine.id, status: 'occupied' },
      () => post(`${base}/api/machines/link`, linker.accessToken, { qrCode: machine.qrCode }),
      settings.fanOutTimeoutMs,
    );
    const unlink = await measureFanOut(
      subscriberCount,
      { machineId: machine.id, status: 'available' },
      () => post(`${base}/api/machines/${machine.id}/unlink`, linker.accessToken),
      settings.fanOutTimeoutMs,
    );
    if (link.missed === subscriberCount || unlink.missed === subscriberCount) {
      const which = link.missed === subscriberCount ? 'link' : 'unlink';
      throw new Error(
        `${label}: no subscriber received machine:status for the ${which} of machine ` +
          `${machine.id} within ${settings.fanOutTimeoutMs} ms (HTTP answered 200). ` +
          `machine:status events seen this run: ${statusCounters.seen}; first unmatched ones ` +
          `(subscriber 0): ${JSON.stringify(unmatchedSample).slice(0, 1000)}`,
      );
    }
    return { link, unlink };
  };

  if (settings.warmupLinks > 0) {
    log(`${label}: warm-up, ${settings.warmupLinks} link/unlink pairs`);
    for (let pair = 0; pair < settings.warmupLinks; pair += 1) await linkPair(pair);
  }

  log(`${label}: measuring ${settings.links} link/unlink pairs with heartbeats running`);
  const links: FanOutSample[] = [];
  const unlinks: FanOutSample[] = [];
  const finishLoad = watchLoad(server.child.pid);
  heartbeats.resetWindow();
  const measureStart = performance.now();
  for (let pair = 0; pair < settings.links; pair += 1) {
    const { link, unlink } = await linkPair(settings.warmupLinks + pair);
    links.push(link);
    unlinks.push(unlink);
    if (settings.linkGapMs > 0) await sleep(settings.linkGapMs);
  }
  const measuredSeconds = (performance.now() - measureStart) / 1000;
  const client = finishLoad();
  const beats = heartbeats.window();
  heartbeats.stop();
  activeHeartbeats = undefined;
  const fanOutDisconnects = unexpectedDisconnects;

  // The members stay subscribed: the server keeps their connections while devices saturate it.
  const heartbeatSaturation = await saturateHeartbeats(label, devices, server, settings);
  closeAllSockets();

  const allDeliveries = new Float64Array(
    links.reduce((sum, link) => sum + link.arrivals.length, 0),
  );
  let offset = 0;
  for (const link of links) {
    allDeliveries.set(link.arrivals, offset);
    offset += link.arrivals.length;
  }
  return {
    target: key,
    label,
    members: subscriberCount,
    machines: fixture.machines.length,
    links: settings.links,
    setupSeconds: {
      fixture: round(fixtureSeconds),
      connectDevices: round(connectDevicesSeconds),
      connectMembers: round(connectMembersSeconds),
    },
    measuredSeconds: round(measuredSeconds),
    linkToLast: latencySummary(links.map((link) => link.lastMs)),
    linkToFirst: latencySummary(links.map((link) => link.firstMs)),
    linkToEach: latencySummary(allDeliveries),
    linkHttp: latencySummary(links.map((link) => link.httpMs)),
    unlinkToLast: latencySummary(unlinks.map((unlink) => unlink.lastMs)),
    unlinkHttp: latencySummary(unlinks.map((unlink) => unlink.httpMs)),
    missedDeliveries: {
      link: links.reduce((sum, link) => sum + link.missed, 0),
      unlink: unlinks.reduce((sum, unlink) => sum + unlink.missed, 0),
    },
    linksWithMisses: links.filter((link) => link.missed > 0).length,
    statusEvents: { ...statusCounters },
    unmatchedSample,
    unexpectedDisconnects: fanOutDisconnects,
    heartbeats: {
      sent: beats.sent,
      acked: beats.acked,
      acksPerSecond: round(beats.acked / beats.seconds),
      offeredPerSecond: round(beats.sent / beats.seconds),
      rejected: beats.rejected,
      timeouts: beats.timeouts,
      ackLatencyMs: latencySummary(beats.latencies),
      ...(beats.firstRejection === undefined ? {} : { firstRejection: beats.firstRejection }),
    },
    client,
    p99RatioToBaseline: null,
    heartbeatSaturation,
  };
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

/**
 * The printed table: per target, one row per measurement, its p99 next to the baseline's; the
 * saturation throughput row compares rates instead.
 */
function resultsTable(results: TargetResult[]): string {
  const header = [
    'Measurement',
    'Samples',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'max ms',
    'Missed/Err',
    'Rate',
    'vs baseline',
  ];
  const rows: string[][] = [];
  const baseline = results.find((r) => r.target === 'baseline');
  const versus = (value: number, reference: number | undefined) =>
    reference === undefined || reference <= 0 || !Number.isFinite(value)
      ? '-'
      : `${round(value / reference, 2).toFixed(2)}x`;
  for (const r of results) {
    const other = r.target === 'baseline' ? undefined : baseline;
    const row = (
      name: string,
      latency: LatencyMs,
      missed: string,
      rate: string,
      reference: LatencyMs | undefined,
    ) =>
      rows.push([
        `${r.label}: ${name}`,
        String(latency.samples),
        latency.p50.toFixed(1),
        latency.p95.toFixed(1),
        latency.p99.toFixed(1),
        latency.max.toFixed(1),
        missed,
        rate,
        versus(latency.p99, reference?.p99),
      ]);
    row(
      'link -> last subscriber',
      r.linkToLast,
      String(r.missedDeliveries.link),
      '-',
      other?.linkToLast,
    );
    row('link -> first subscriber', r.linkToFirst, '-', '-', other?.linkToFirst);
    row('link -> each subscriber', r.linkToEach, '-', '-', other?.linkToEach);
    row('link HTTP answer', r.linkHttp, '0', '-', other?.linkHttp);
    row(
      'unlink -> last subscriber',
      r.unlinkToLast,
      String(r.missedDeliveries.unlink),
      '-',
      other?.unlinkToLast,
    );
    row('unlink HTTP answer', r.unlinkHttp, '0', '-', other?.unlinkHttp);
    const rejected = Object.values(r.heartbeats.rejected).reduce((a, b) => a + b, 0);
    row(
      'heartbeat ack',
      r.heartbeats.ackLatencyMs,
      `${rejected}/${r.heartbeats.timeouts}`,
      `${r.heartbeats.acksPerSecond.toFixed(1)} acks/s`,
      other?.heartbeats.ackLatencyMs,
    );
    const saturation = r.heartbeatSaturation;
    // No latency on this row: its numbers are the count, the errors and the rate.
    rows.push([
      `${r.label}: heartbeat saturation throughput`,
      String(saturation.acked),
      '-',
      '-',
      '-',
      '-',
      `${saturation.errors - saturation.timeouts}/${saturation.timeouts}`,
      `${saturation.acksPerSecond.toFixed(1)} acks/s`,
      versus(saturation.acksPerSecond, other?.heartbeatSaturation.acksPerSecond),
    ]);
    row(
      'heartbeat saturation ack',
      saturation.ackLatencyMs,
      '-',
      '-',
      other?.heartbeatSaturation.ackLatencyMs,
    );
  }
  return formatTable(header, rows);
}

function judgeGoal(results: TargetResult[]): GoalVerdict | undefined {
  const api = results.find((r) => r.target === GOAL.target);
  if (api?.members !== GOAL.members) return undefined;
  const p99Ok = api.linkToLast.p99 < GOAL.maxP99Ms;
  // A missed delivery or a dropped socket would flatter the numbers, so they void the verdict.
  const disconnects = api.unexpectedDisconnects.reduce((sum, entry) => sum + entry.count, 0);
  const clean =
    api.missedDeliveries.link === 0 && api.missedDeliveries.unlink === 0 && disconnects === 0;
  return {
    met: p99Ok && clean,
    lines: [
      `  p99 link -> last subscriber: ${api.linkToLast.p99} ms (need < ${GOAL.maxP99Ms} ms) ${p99Ok ? 'OK' : 'NOT MET'}`,
      `  every subscriber got every event, no socket dropped: ${clean ? 'yes' : 'NO'}`,
    ],
  };
}

/** On top of the shared API environment: what a thousand sockets and their set-up need. */
function realtimeEnvironment(admin: AdminAccount): NodeJS.ProcessEnv {
  return {
    // Sockets are authenticated once at the handshake; the longest lifetime keeps a slow
    // set-up of 1,000 members from outliving its tokens.
    ACCESS_TOKEN_TTL_SECONDS: '3600',
    BCRYPT_COST: '4',
    RATE_LIMIT_MACHINE_MAX: UNLIMITED,
    // Per socket. The saturation phase sends as fast as acks return, and with few machines or
    // several heartbeats in flight one device can pass 1,000/s; the configured maximum keeps
    // refusals out of the throughput while every event still passes through the limiter.
    SOCKET_EVENTS_PER_SECOND: '10000',
    // The same for the budget per user or device across all their sockets (300 a minute by
    // default, far below a closed loop): its maximum, so the phase measures heartbeats, while every
    // event is still counted against it.
    SOCKET_USER_EVENTS_PER_MINUTE: '1000000',
    // The first admin creates the branch and the machines.
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    ADMIN_USERNAME: admin.username,
    CORS_ORIGINS: '',
  };
}

async function main(): Promise<void> {
  const settings = readSettings();
  const startedAt = new Date();
  const runId = randomBytes(4).toString('hex');
  const redisPrefix = `bench:${runId}:`;
  const runApi = settings.targets.includes('api');
  const admin: AdminAccount = {
    username: `benchadmin_${runId}`,
    email: `benchadmin_${runId}@example.com`,
    password: `bench-${randomBytes(12).toString('hex')}`,
  };
  let api: BenchServer | undefined;

  try {
    if (runApi) await prepareApi(settings);

    const [baselinePort, apiPort] = await twoFreePorts();
    // Both start up front, so a server that cannot start fails the run before any measuring.
    const baseline = settings.targets.includes('baseline')
      ? startBaselineServer('realtime baseline server', 'realtime-baseline-server.ts', baselinePort)
      : undefined;
    if (runApi) {
      api = startApiServer(settings, apiPort, redisPrefix, {
        environment: realtimeEnvironment(admin),
      });
    }
    await waitUntilReady([baseline, api]);

    const results: TargetResult[] = [];
    if (baseline) {
      log(`baseline on ${baseline.base}`);
      results.push(
        await runTarget(
          'baseline',
          'baseline',
          baselineFixture(baseline.base, settings),
          0,
          baseline.handle,
          settings,
        ),
      );
      await stopChild(baseline.handle, 5_000);
      // Let closed sockets settle before the next target opens 1,000 new ones.
      await sleep(1_000);
    }
    if (api) {
      log(`API on ${api.base}; creating the branch, machines and members`);
      const fixtureStart = performance.now();
      const fixture = await setUpApiFixture(api.base, settings, runId, admin);
      const fixtureSeconds = (performance.now() - fixtureStart) / 1000;
      results.push(await runTarget('api', 'API', fixture, fixtureSeconds, api.handle, settings));
    }
    const baselineResult = results.find((r) => r.target === 'baseline');
    for (const result of results) {
      if (result !== baselineResult && baselineResult && baselineResult.linkToLast.p99 > 0) {
        result.p99RatioToBaseline = round(result.linkToLast.p99 / baselineResult.linkToLast.p99, 3);
      }
      const baselineRate = baselineResult?.heartbeatSaturation.acksPerSecond ?? 0;
      if (result !== baselineResult && baselineRate > 0) {
        result.heartbeatSaturation.acksPerSecondRatioToBaseline = round(
          result.heartbeatSaturation.acksPerSecond / baselineRate,
          3,
        );
      }
    }

    const apiServer = await stopServers(api);

    const verdict = judgeGoal(results);
    const environment = describeEnvironment();
    const file = writeResults('realtime', startedAt, environment, {
      settings: {
        members: settings.members,
        machines: settings.machines,
        links: settings.links,
        warmupLinks: settings.warmupLinks,
        linkers: settings.linkers,
        linkGapMs: settings.linkGapMs,
        heartbeatMs: settings.heartbeatMs,
        fanOutTimeoutMs: settings.fanOutTimeoutMs,
        saturationSeconds: settings.saturationSeconds,
        saturationWarmupSeconds: settings.saturationWarmupSeconds,
        saturationInflight: settings.saturationInflight,
        database: databaseName(settings.databaseUrl),
      },
      results,
      goal: verdict ? { ...GOAL, met: verdict.met } : null,
      apiServer: apiServer ?? null,
    });

    const historyFile = appendHistory(
      'realtime',
      startedAt,
      environment,
      verdict?.met ?? null,
      results.map((r) => ({
        target: r.target,
        members: r.members,
        machines: r.machines,
        linkToLastP50Ms: r.linkToLast.p50,
        linkToLastP99Ms: r.linkToLast.p99,
        unlinkToLastP99Ms: r.unlinkToLast.p99,
        missedDeliveries: r.missedDeliveries,
        p99RatioToBaseline: r.p99RatioToBaseline,
        heartbeatAcksPerSecond: r.heartbeatSaturation.acksPerSecond,
        heartbeatAckP99Ms: r.heartbeatSaturation.ackLatencyMs.p99,
        heartbeatErrors: r.heartbeatSaturation.errors,
      })),
    );

    out('');
    out(
      `Real-time benchmark: ${settings.members} member sockets subscribed to one branch, ` +
        `${settings.machines} machines heartbeating every ${settings.heartbeatMs} ms, ` +
        `${settings.links} measured link/unlink pairs per target (${settings.warmupLinks} warm-up, ${settings.linkGapMs} ms apart), ` +
        `Node ${environment.node}, ${environment.cpus} CPU (${environment.cpuModel}); then ` +
        `heartbeat saturation: ${settings.machines} devices in a closed loop, ` +
        `${settings.saturationInflight} in flight each, ${settings.saturationSeconds}s ` +
        `(${settings.saturationWarmupSeconds}s warm-up), members still connected`,
    );
    out(
      'Times from the moment the HTTP request is sent; "last subscriber" = until all have the ' +
        'event. Missed/Err = deliveries missing after the timeout, or heartbeat refusals/timeouts.',
    );
    out(
      'vs baseline = p99 / baseline p99; on the saturation throughput row, acks/s / baseline ' +
        'acks/s (below 1 = fewer heartbeats per second than the bare Socket.IO server).',
    );
    out('');
    out(resultsTable(results));
    out('');
    out('Client process (all sockets run in this one bench process):');
    for (const r of results) {
      const c = r.client;
      out(
        `  ${r.label}: event-loop delay p50 ${c.eventLoopDelayMs.p50} / p99 ${c.eventLoopDelayMs.p99}` +
          ` / max ${c.eventLoopDelayMs.max} ms; bench CPU ${c.benchCpuPercent}% of a core, ` +
          `server CPU ${c.serverCpuPercent ?? 'n/a'}%; machine ${c.machineCpuPercent}% busy, of ` +
          `which other processes ${c.otherProcessesPercent ?? 'n/a'}%; ` +
          `set-up ${r.setupSeconds.fixture}s, sockets connected in ` +
          `${r.setupSeconds.connectDevices}s + ${r.setupSeconds.connectMembers}s; ` +
          `${r.heartbeats.acked}/${r.heartbeats.sent} heartbeats acked ` +
          `(${r.heartbeats.offeredPerSecond}/s offered)`,
      );
      if (c.eventLoopDelayMs.p99 > CLIENT_LAG_WARNING_MS || c.benchCpuPercent > 80) {
        out(
          `  ${r.label}: the client process was busy (event-loop p99 > ${CLIENT_LAG_WARNING_MS} ms` +
            ' or CPU > 80%): decoding 1 event per socket one after another is part of every ' +
            'fan-out time above; compare with the baseline, which pays the same client cost.',
        );
      }
      const disconnects = r.unexpectedDisconnects.map((d) => `${d.count} x ${d.reason}`);
      if (disconnects.length > 0) {
        out(`  ${r.label}: sockets dropped during the run: ${disconnects.join(', ')}`);
      }
      if (r.linksWithMisses > 0) {
        out(
          `  ${r.label}: ${r.linksWithMisses} link(s) did not reach every subscriber within ` +
            `${settings.fanOutTimeoutMs} ms (counted at the timeout in "last subscriber").`,
        );
      }
      if (r.statusEvents.duplicates > 0) {
        out(`  ${r.label}: ${r.statusEvents.duplicates} duplicate machine:status deliveries`);
      }
      if (r.heartbeats.firstRejection !== undefined) {
        out(`  ${r.label}: first refused heartbeat: ${r.heartbeats.firstRejection}`);
      }
    }
    out('Heartbeat saturation phase (same processes; CPU in % of one core):');
    for (const r of results) {
      const s = r.heartbeatSaturation;
      const c = s.load;
      const refusals = Object.entries(s.rejected).map(([code, count]) => `${count} x ${code}`);
      out(
        `  ${r.label}: ${s.acksPerSecond} acks/s over ${s.measuredSeconds}s ` +
          `(${s.sockets} sockets x ${s.inflightPerSocket} in flight; ${s.acked}/${s.sent} acked); ` +
          `server CPU ${c.serverCpuPercent ?? 'n/a'}%, bench CPU ${c.benchCpuPercent}%, ` +
          `machine ${c.machineCpuPercent}% busy of ${os.cpus().length} CPUs, of which other ` +
          `processes ${c.otherProcessesPercent ?? 'n/a'}%; bench event-loop delay p99 ` +
          `${c.eventLoopDelayMs.p99} ms; errors: ` +
          `${refusals.length === 0 ? 'no refusals' : refusals.join(', ')}, ${s.timeouts} timeouts`,
      );
      if (s.firstRejection !== undefined) {
        out(`  ${r.label}: first refused saturation heartbeat: ${s.firstRejection}`);
      }
      const disconnects = s.unexpectedDisconnects.map((d) => `${d.count} x ${d.reason}`);
      if (disconnects.length > 0) {
        out(`  ${r.label}: sockets dropped during saturation: ${disconnects.join(', ')}`);
      }
    }
    for (const line of apiServerNotes(apiServer)) out(line);
    printResultsAndGoal(file, historyFile, verdict, {
      title: `API, ${GOAL.members} subscribers`,
      notJudged: `the API target with ${GOAL.members} members was not run.`,
    });
  } catch (error) {
    // The server's own words usually explain a refused request or a missing event.
    if (api) {
      log(`API server output (last lines):\n${api.handle.tail().join('\n')}`);
    }
    throw error;
  } finally {
    activeHeartbeats?.stop();
    void activeSaturation?.stop();
    closeAllSockets();
    await cleanUpRun(api, settings.redisUrl, redisPrefix);
  }
}

runBenchmark(main, {
  stopping: 'sockets and children',
  onSignal: () => {
    activeHeartbeats?.stop();
    // Only stops new heartbeats: the sockets close next, whatever is still outstanding.
    void activeSaturation?.stop();
    closeAllSockets();
  },
  // Every way out of the process takes the sockets with it, too.
  onExit: closeAllSockets,
});
