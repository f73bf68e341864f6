/**
 * A gym machine on the wire (`npm run simulate:machine`): connects to `/machines` with its
 * device key, heartbeats with telemetry, and while a member is linked reports their sets with
 * `workout:progress`, so the branch's floor and the member's log change as they would with a
 * real device. Optionally plays the member's app too: signs in, checks in and links by QR code.
 */
import { io, type Socket } from 'socket.io-client';

type MachineType = 'cardio' | 'strength' | 'functional';

/** The machine being simulated, as far as the simulator knows it. */
export interface SimulatedMachine {
  /** What its sets are logged as. */
  name: string;
  /** Shown in the log only. */
  branchName?: string;
  type: MachineType;
  /** Needed to link a member (`member`); the demo file has it. */
  qrCode?: string;
  branchId?: string;
}

export interface MachineSimulatorOptions {
  /** The API's base URL, e.g. http://localhost:3000. */
  apiUrl: string;
  deviceKey: string;
  machine: SimulatedMachine;
  /** Time between heartbeats (each followed by a set while a member is linked). */
  intervalMs: number;
  /** Stop after reporting this many sets. */
  maxSets?: number;
  /** Stop after this long. */
  durationMs?: number;
  /** A member who signs in, checks in at the machine's branch and links to it. */
  member?: { login: string; password: string };
  /** One readable line per event. */
  log: (line: string) => void;
}

/** Why the simulator stopped. */
export type StopReason = 'stopped' | 'count' | 'duration' | 'refused';

export interface MachineSimulator {
  /** Resolves once the simulator has stopped and its socket is closed. */
  readonly finished: Promise<StopReason>;
  /** Disconnects and stops; safe to call more than once. */
  stop(): Promise<StopReason>;
}

interface Ack {
  ok: boolean;
  error?: { code: string; reason?: string; message: string };
  [field: string]: unknown;
}

/** How long the simulator waits for an ack or an HTTP answer. */
const REPLY_TIMEOUT_MS = 15_000;

/** Starts simulating; runs until `stop()`, `maxSets`, `durationMs` or a refused device key. */
export function startMachineSimulator(options: MachineSimulatorOptions): MachineSimulator {
  const { machine, log } = options;
  const socket: Socket = io(`${options.apiUrl}/machines`, {
    path: '/api/ws',
    auth: { machineKey: options.deviceKey },
    transports: ['websocket'],
    // A restarted server is reconnected to; a refused key stops the simulator (below).
    reconnectionDelayMax: 5_000,
  });
  let linkedUserId: string | null = null;
  let setNumber = 0;
  let setsReported = 0;
  let linkRequested = false;
  let ticking = false;
  const session = { startedAt: Date.now(), distanceM: 0, energyKcal: 0 };

  let finish: (reason: StopReason) => void = () => undefined;
  const finished = new Promise<StopReason>((resolve) => {
    finish = resolve;
  });
  let stopReason: StopReason | undefined;
  const timer = setInterval(() => void tick(), options.intervalMs);
  const deadline =
    options.durationMs === undefined
      ? undefined
      : setTimeout(() => void stop('duration'), options.durationMs);

  // A function, not the variable: the compiler would take it as unchanged across awaits.
  const stopped = () => stopReason !== undefined;

  function stop(reason: StopReason): Promise<StopReason> {
    if (stopReason === undefined) {
      stopReason = reason;
      clearInterval(timer);
      if (deadline) clearTimeout(deadline);
      socket.disconnect();
      log(`stopped (${reason})`);
      finish(reason);
    }
    return finished;
  }

  socket.on('connect', () => {
    const at = machine.branchName ? `, ${machine.branchName}` : '';
    log(`connected to ${options.apiUrl} as ${machine.name}${at}`);
    void tick();
  });
  socket.on('connect_error', (error: Error & { data?: { code?: string; message?: string } }) => {
    if (error.data?.code) {
      // The server refused the handshake (unknown key, too many sockets): retrying won't help.
      log(`refused: ${error.data.message ?? error.data.code}`);
      void stop('refused');
      return;
    }
    log(`cannot reach ${options.apiUrl} (${error.message}); retrying`);
  });
  socket.on('disconnect', (reason) => {
    if (stopReason === undefined) log(`disconnected (${reason}); reconnecting`);
  });
  socket.on('machine:linked', ({ userId }) => {
    linkedUserId = userId as string;
    setNumber = 0;
    Object.assign(session, { startedAt: Date.now(), distanceM: 0, energyKcal: 0 });
    log(`member ${String(userId)} linked`);
  });
  socket.on('machine:unlinked', ({ userId, status }) => {
    linkedUserId = null;
    log(`member ${String(userId)} unlinked (machine now ${String(status)})`);
  });

  async function tick(): Promise<void> {
    // One beat at a time: a slow server must not pile up overlapping heartbeats.
    if (ticking || !socket.connected || stopped()) return;
    ticking = true;
    try {
      await heartbeat();
      if (linkedUserId && !stopped()) await reportSet(linkedUserId);
      if (options.member && !linkRequested && !linkedUserId && !stopped()) {
        linkRequested = true;
        await linkMember(options.member);
      }
    } catch (error) {
      log(`error: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      ticking = false;
    }
  }

  async function heartbeat(): Promise<void> {
    const telemetry = telemetryOf(machine.type, linkedUserId !== null, session);
    const ack = await emit('machine:heartbeat', { telemetry });
    if (!ack.ok) {
      log(`heartbeat refused: ${describe(ack)}`);
      return;
    }
    const holder = typeof ack.currentUserId === 'string' ? ack.currentUserId : null;
    if (holder !== linkedUserId) {
      // A link made while we were away: the heartbeat's answer is the truth.
      linkedUserId = holder;
      setNumber = 0;
    }
    log(`heartbeat: ${String(ack.status)}${formatTelemetry(telemetry)}`);
  }

  async function reportSet(userId: string): Promise<void> {
    setNumber = (setNumber % 100) + 1;
    const set = setOf(machine, setNumber, options.intervalMs);
    const ack = await emit('workout:progress', set);
    if (!ack.ok) {
      log(`set refused: ${describe(ack)}`);
      return;
    }
    setsReported++;
    log(`set ${setNumber} recorded for member ${userId}: ${set.exerciseName}, ${describeSet(set)}`);
    if (options.maxSets !== undefined && setsReported >= options.maxSets) void stop('count');
  }

  async function linkMember(member: { login: string; password: string }): Promise<void> {
    if (!machine.qrCode || !machine.branchId) {
      log('cannot link a member: the QR code and branch of this machine are unknown');
      return;
    }
    const login = await post('/api/auth/login', {
      login: member.login,
      password: member.password,
    });
    const token = typeof login.body.accessToken === 'string' ? login.body.accessToken : undefined;
    if (!token) {
      log(`${member.login} cannot sign in: ${problem(login.body)}`);
      return;
    }
    const checkIn = await post('/api/sessions/check-in', { branchId: machine.branchId }, token);
    if (checkIn.status === 201 || checkIn.status === 200) log(`${member.login} checked in`);
    else if (checkIn.body.reason === 'SESSION_ALREADY_ACTIVE') {
      log(`${member.login} is already checked in`);
    } else {
      log(`${member.login} cannot check in: ${problem(checkIn.body)}`);
      return;
    }
    const link = await post('/api/machines/link', { qrCode: machine.qrCode }, token);
    if (link.status !== 200) log(`${member.login} cannot link: ${problem(link.body)}`);
  }

  async function post(path: string, body: unknown, token?: string) {
    const response = await fetch(`${options.apiUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token && { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REPLY_TIMEOUT_MS),
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : {};
    return { status: response.status, body: (parsed ?? {}) as Record<string, unknown> };
  }

  async function emit(event: string, payload: unknown): Promise<Ack> {
    return (await socket.timeout(REPLY_TIMEOUT_MS).emitWithAck(event, payload)) as Ack;
  }

  return { finished, stop: () => stop('stopped') };
}

/** What the machine's sensors say: moving while someone uses it, at rest otherwise. */
function telemetryOf(
  type: MachineType,
  inUse: boolean,
  session: { startedAt: number; distanceM: number; energyKcal: number },
): Record<string, number> {
  if (!inUse) return type === 'cardio' ? { speedKmh: 0 } : {};
  const elapsedSec = Math.round((Date.now() - session.startedAt) / 1000);
  const heartRateBpm = 115 + Math.round(Math.random() * 40);
  if (type === 'cardio') {
    const speedKmh = Math.round((8 + Math.random() * 3) * 10) / 10;
    session.distanceM = Math.round((speedKmh / 3.6) * elapsedSec);
    session.energyKcal = Math.round(elapsedSec * 0.18);
    return {
      speedKmh,
      inclinePercent: 1,
      heartRateBpm,
      distanceM: session.distanceM,
      energyKcal: session.energyKcal,
      elapsedSec,
    };
  }
  // Strength and functional machines measure work as power.
  return { powerW: 120 + Math.round(Math.random() * 80), heartRateBpm, elapsedSec };
}

interface SetReport {
  exerciseId: string;
  exerciseName: string;
  setNumber: number;
  reps: number;
  weightKg?: number;
  durationSec?: number;
  distanceM?: number;
}

/** A plausible set for the machine: intervals on cardio, loaded reps on the rest. */
function setOf(machine: SimulatedMachine, setNumber: number, intervalMs: number): SetReport {
  const exerciseId = `machine-${machine.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`.slice(
    0,
    100,
  );
  if (machine.type === 'cardio') {
    const durationSec = Math.max(1, Math.round(intervalMs / 1000));
    return {
      exerciseId,
      exerciseName: machine.name,
      setNumber,
      reps: 1,
      durationSec,
      distanceM: Math.round(durationSec * (2.2 + Math.random() * 0.8)),
    };
  }
  if (machine.type === 'functional') {
    return { exerciseId, exerciseName: machine.name, setNumber, reps: 8, durationSec: 45 };
  }
  return {
    exerciseId,
    exerciseName: machine.name,
    setNumber,
    reps: 10 + Math.floor(Math.random() * 3),
    weightKg: 40 + Math.min(setNumber, 4) * 2.5,
  };
}

function describeSet(set: SetReport): string {
  return [
    `${set.reps} rep${set.reps === 1 ? '' : 's'}`,
    set.weightKg !== undefined && `${set.weightKg} kg`,
    set.durationSec !== undefined && `${set.durationSec} s`,
    set.distanceM !== undefined && `${set.distanceM} m`,
  ]
    .filter(Boolean)
    .join(', ');
}

function formatTelemetry(telemetry: Record<string, number>): string {
  const parts = Object.entries(telemetry).map(([name, value]) => `${name} ${value}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function describe(ack: Ack): string {
  return ack.error ? `${ack.error.reason ?? ack.error.code}: ${ack.error.message}` : 'no reason';
}

function problem(body: Record<string, unknown>): string {
  const reason = [body.reason, body.code].find((value) => typeof value === 'string');
  const detail = typeof body.detail === 'string' ? body.detail : JSON.stringify(body);
  return typeof reason === 'string' ? `${reason}: ${detail}` : detail;
}
