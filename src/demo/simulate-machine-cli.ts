/**
 * `npm run simulate:machine -- [options]`: one demo machine online against a running API (see
 * machine-simulator.ts). Machines come from DATA_DIR/demo-machines.json (`npm run demo`), or
 * any machine by its device key (`--key`). Ctrl-C disconnects and exits.
 */
import 'dotenv/config';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config/config.js';
import { demoFileOf, readDemoFile, type DemoGym, type DemoMachine } from './demo-gym.js';
import { startMachineSimulator, type SimulatedMachine } from './machine-simulator.js';

const usage = `usage: npm run simulate:machine -- [options]

  --machine <id|qr|name>  a machine of the demo gym (default: the first one)
  --key <device key>      any machine, by the device key its creation answered
  --type <type>           with --key: cardio, strength or functional (default strength)
  --name <name>           with --key: the machine's name, which its sets are logged under
  --member <username>     also sign in as this member, check in and link to the machine
  --password <password>   the member's password (default: the demo password)
  --api <url>             the API (default http://localhost:$PORT)
  --interval <seconds>    between heartbeats, each followed by a set while linked (default 15)
  --count <n>             stop after reporting n sets
  --duration <seconds>    stop after this long`;

const machineTypes = ['cardio', 'strength', 'functional'] as const;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      machine: { type: 'string' },
      key: { type: 'string' },
      type: { type: 'string' },
      name: { type: 'string' },
      member: { type: 'string' },
      password: { type: 'string' },
      api: { type: 'string' },
      interval: { type: 'string', default: '15' },
      count: { type: 'string' },
      duration: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const config = loadConfigOrExit();
  const demoFile = demoFileOf(config.dataDir);
  const gym = await readDemoFile(demoFile);
  const chosen = values.key
    ? {
        deviceKey: values.key,
        machine: machineByKey(values.type, values.name),
      }
    : fromDemoFile(gym, demoFile, values.machine);

  const intervalSeconds = positive(values.interval, '--interval');
  const simulator = startMachineSimulator({
    apiUrl: (values.api ?? `http://localhost:${config.port}`).replace(/\/+$/, ''),
    deviceKey: chosen.deviceKey,
    machine: chosen.machine,
    intervalMs: intervalSeconds * 1000,
    maxSets: values.count === undefined ? undefined : positive(values.count, '--count'),
    durationMs:
      values.duration === undefined ? undefined : positive(values.duration, '--duration') * 1000,
    member: values.member
      ? { login: values.member, password: values.password ?? gym?.password ?? '' }
      : undefined,
    log: (line) => process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`),
  });
  const stopOnSignal = () => void simulator.stop();
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const reason = await simulator.finished;
  process.off('SIGINT', stopOnSignal);
  process.off('SIGTERM', stopOnSignal);
  if (reason === 'refused') process.exitCode = 1;
}

function fromDemoFile(gym: DemoGym | undefined, file: string, wanted: string | undefined) {
  if (!gym) {
    throw new UsageError(
      `${file} does not exist: run npm run demo first, or give a device key with --key.`,
    );
  }
  const machine = wanted ? findMachine(gym.machines, wanted) : gym.machines[0];
  if (!machine) {
    throw new UsageError(`no demo machine "${wanted ?? ''}": give an id, a QR code or a name.`);
  }
  const simulated: SimulatedMachine = {
    name: machine.name,
    branchName: machine.branchName,
    type: machine.type,
    qrCode: machine.qrCode,
    branchId: machine.branchId,
  };
  return { deviceKey: machine.deviceKey, machine: simulated };
}

/** By id or QR code, else the first machine of that name (names repeat across branches). */
function findMachine(machines: DemoMachine[], wanted: string): DemoMachine | undefined {
  const lower = wanted.toLowerCase();
  return (
    machines.find((machine) => machine.id === wanted || machine.qrCode === wanted) ??
    machines.find((machine) => machine.name.toLowerCase() === lower)
  );
}

/** A machine known by its key alone: what it is comes from the options. */
function machineByKey(typeOption = 'strength', name?: string): SimulatedMachine {
  const type = machineTypes.find((candidate) => candidate === typeOption);
  if (!type) throw new UsageError(`--type must be one of ${machineTypes.join(', ')}`);
  return { type, name: name ?? defaultNames[type] };
}

const defaultNames: Record<SimulatedMachine['type'], string> = {
  cardio: 'Cardio machine',
  strength: 'Strength machine',
  functional: 'Functional station',
};

function positive(value: string, name: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new UsageError(`${name} must be a positive number`);
  return number;
}

class UsageError extends Error {}

try {
  await main();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(error instanceof UsageError ? `${message}\n\n${usage}\n` : `${message}\n`);
  process.exitCode = 1;
}
