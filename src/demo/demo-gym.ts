/* eslint-disable security/detect-non-literal-fs-filename -- the demo file's path comes from DATA_DIR */
/**
 * The demo gym (`npm run demo`): two branches, 30 machines, staff, an admin and members with
 * plans and a few weeks of history, written through the same services the API uses, so points,
 * achievements, analytics rollups and feeds follow from the data exactly as they would in use.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Container } from '../container.js';
import { addDays } from '../lib/time/calendar-days.js';
import { instantOnLocalDay, localDay } from '../lib/time/local-day.js';
import {
  createBodyCompositionBody,
  usersRepository,
  type UserRow,
} from '../modules/users/index.js';

/** Every demo account signs in with this password: the demo is for trying things, not for use. */
export const DEMO_PASSWORD = 'nxg-demo-password';

/** The admin's username; its presence is how a second run recognises a seeded database. */
export const DEMO_ADMIN_USERNAME = 'demo.admin';

type MachineType = 'cardio' | 'strength' | 'functional';
type Goal = 'lose_weight' | 'build_muscle' | 'maintain' | 'improve_endurance' | 'general_fitness';

const branchPlans = [
  {
    key: 'downtown',
    name: 'NXG Demo Downtown',
    address: '12 King Street, London',
    timezone: 'Europe/London',
  },
  {
    key: 'harbour',
    name: 'NXG Demo Harbour',
    address: '200 Harbor Boulevard, Boston',
    timezone: 'America/New_York',
  },
] as const;
type BranchKey = (typeof branchPlans)[number]['key'];

/** 15 machines a branch: what a mid-sized gym floor has, by zone. */
const floorPlan: { name: string; type: MachineType; location: string }[] = [
  ...[1, 2, 3, 4].map((n) => ({
    name: `Treadmill ${n}`,
    type: 'cardio' as const,
    location: 'Cardio deck',
  })),
  ...[1, 2].map((n) => ({
    name: `Spin bike ${n}`,
    type: 'cardio' as const,
    location: 'Cardio deck',
  })),
  { name: 'Rower 1', type: 'cardio', location: 'Cardio deck' },
  { name: 'Leg press', type: 'strength', location: 'Strength floor' },
  { name: 'Chest press', type: 'strength', location: 'Strength floor' },
  { name: 'Lat pulldown', type: 'strength', location: 'Strength floor' },
  { name: 'Seated row', type: 'strength', location: 'Strength floor' },
  { name: 'Cable station', type: 'strength', location: 'Strength floor' },
  { name: 'Smith machine', type: 'strength', location: 'Strength floor' },
  { name: 'Functional rig', type: 'functional', location: 'Functional zone' },
  { name: 'Sled track', type: 'functional', location: 'Functional zone' },
];

/** The machine taken out of service in each branch, so the floor shows every state. */
const MACHINE_IN_MAINTENANCE = 'Treadmill 4';

interface MemberPlan {
  username: string;
  name: string;
  branch: BranchKey;
  age: number;
  heightCm: number;
  weightKg: number;
  gender: 'male' | 'female';
  level: 'beginner' | 'intermediate' | 'advanced';
  goal: Goal;
  daysPerWeek: number;
  focus: 'full_body' | 'upper_lower' | 'push_pull_legs';
  diet: 'omnivore' | 'vegetarian' | 'vegan';
}

const memberPlans: MemberPlan[] = [
  {
    username: 'demo.alex',
    name: 'Alex Morgan',
    branch: 'downtown',
    age: 31,
    heightCm: 180,
    weightKg: 82,
    gender: 'male',
    level: 'intermediate',
    goal: 'build_muscle',
    daysPerWeek: 4,
    focus: 'upper_lower',
    diet: 'omnivore',
  },
  {
    username: 'demo.bea',
    name: 'Bea Okafor',
    branch: 'downtown',
    age: 27,
    heightCm: 168,
    weightKg: 66,
    gender: 'female',
    level: 'beginner',
    goal: 'lose_weight',
    daysPerWeek: 3,
    focus: 'full_body',
    diet: 'vegetarian',
  },
  {
    username: 'demo.chris',
    name: 'Chris Alvarez',
    branch: 'harbour',
    age: 42,
    heightCm: 175,
    weightKg: 88,
    gender: 'male',
    level: 'intermediate',
    goal: 'general_fitness',
    daysPerWeek: 3,
    focus: 'full_body',
    diet: 'omnivore',
  },
  {
    username: 'demo.dana',
    name: 'Dana Kim',
    branch: 'harbour',
    age: 35,
    heightCm: 163,
    weightKg: 58,
    gender: 'female',
    level: 'advanced',
    goal: 'build_muscle',
    daysPerWeek: 5,
    focus: 'push_pull_legs',
    diet: 'vegan',
  },
];

/** Who follows whom (by username). */
const followPlan: [string, string][] = [
  ['demo.alex', 'demo.bea'],
  ['demo.bea', 'demo.alex'],
  ['demo.chris', 'demo.dana'],
  ['demo.dana', 'demo.chris'],
  ['demo.alex', 'demo.dana'],
];

/** How many days of history each member has, ending yesterday. */
export const HISTORY_DAYS = 14;

const emailOf = (username: string) => `${username.replace('demo.', '')}@demo.nxg.example.com`;
const client = { ip: '127.0.0.1', userAgent: 'npm run demo' };

/** A demo machine as the demo file records it: its device key is shown nowhere else. */
export interface DemoMachine {
  id: string;
  name: string;
  type: MachineType;
  location: string;
  branchId: string;
  branchName: string;
  qrCode: string;
  deviceKey: string;
}

/** What `npm run demo` created: written to DATA_DIR/demo-machines.json and printed. */
export interface DemoGym {
  createdAt: string;
  password: string;
  branches: { id: string; name: string; timezone: string }[];
  admin: { username: string; email: string };
  staff: { username: string; email: string; branchName: string }[];
  members: { username: string; email: string; branchName: string }[];
  machines: DemoMachine[];
}

/** Whether the demo gym is already in this database. */
export async function demoGymExists(container: Pick<Container, 'database'>): Promise<boolean> {
  return (
    (await usersRepository.findByLogin(container.database.db, DEMO_ADMIN_USERNAME)) !== undefined
  );
}

/** Hears each step of the seeding, so a long run shows that it moves. */
export type DemoProgress = (step: string) => void;

/**
 * Creates the demo gym. Refuses (throws) when the demo admin already exists: a second gym
 * beside the first would double every branch and machine. `now` fixes "today" (tests).
 */
export async function seedDemoGym(
  container: Container,
  options: { now?: Date; progress?: DemoProgress } = {},
): Promise<DemoGym> {
  const now = options.now ?? new Date();
  const progress = options.progress ?? (() => undefined);
  if (await demoGymExists(container)) {
    throw new Error(`the demo gym is already in this database (${DEMO_ADMIN_USERNAME} exists)`);
  }
  const { auth, users, gymFloor } = container;
  // The library and foods the built-in planners choose from (the server installs them at start).
  await container.workouts.installBuiltInLibrary();
  await container.nutrition.installBuiltInFoods();

  const admin = await auth.createAdmin({
    username: DEMO_ADMIN_USERNAME,
    email: emailOf(DEMO_ADMIN_USERNAME),
    password: DEMO_PASSWORD,
  });
  const adminActor = { userId: admin.id, role: 'admin' as const };
  // Role changes need a recent sign-in, as over the API.
  const adminSession = await auth.login(
    { login: DEMO_ADMIN_USERNAME, password: DEMO_PASSWORD },
    client,
  );
  const { familyId } = container.tokens.verify(adminSession.accessToken);

  const branches = new Map<BranchKey, { id: string; name: string; timezone: string }>();
  for (const plan of branchPlans) {
    const branch = await gymFloor.branches.create({
      name: plan.name,
      address: plan.address,
      timezone: plan.timezone,
    });
    branches.set(plan.key, { id: branch.id, name: branch.name, timezone: branch.timezone });
  }
  const branchOf = (key: BranchKey) => {
    const branch = branches.get(key);
    if (!branch) throw new Error(`no demo branch ${key}`);
    return branch;
  };

  progress(
    `${branchPlans.length} branches, an admin and ${floorPlan.length * branchPlans.length} machines`,
  );
  const machines: DemoMachine[] = [];
  for (const plan of branchPlans) {
    const branch = branchOf(plan.key);
    for (const machine of floorPlan) {
      const created = await gymFloor.machines.create(adminActor, {
        branchId: branch.id,
        ...machine,
      });
      machines.push({
        id: created.machine.id,
        name: machine.name,
        type: machine.type,
        location: machine.location,
        branchId: branch.id,
        branchName: branch.name,
        qrCode: created.machine.qrCode,
        deviceKey: created.deviceKey,
      });
      if (machine.name === MACHINE_IN_MAINTENANCE) {
        await gymFloor.machines.addMaintenance(adminActor, created.machine.id, {
          type: 'repair',
          notes: 'Belt slipping under load; replacement belt ordered.',
        });
        await gymFloor.machines.update(adminActor, created.machine.id, { status: 'maintenance' });
      }
    }
  }

  const staff: DemoGym['staff'] = [];
  for (const plan of branchPlans) {
    const branch = branchOf(plan.key);
    const username = `demo.staff.${plan.key}`;
    const registered = await auth.register(
      {
        username,
        email: emailOf(username),
        password: DEMO_PASSWORD,
        name: `${plan.key === 'downtown' ? 'Downtown' : 'Harbour'} front desk`,
      },
      client,
    );
    await users.changeRole({ userId: admin.id, familyId }, registered.user.id, 'staff');
    await gymFloor.branches.assignStaff(branch.id, registered.user.id);
    staff.push({ username, email: emailOf(username), branchName: branch.name });
  }

  const memberIds = new Map<string, string>();
  const members: DemoGym['members'] = [];
  for (const [index, plan] of memberPlans.entries()) {
    const branch = branchOf(plan.branch);
    progress(`${plan.username}: profile, plans and ${HISTORY_DAYS} days of workouts and meals`);
    const account = await createMember(container, plan, branch.timezone);
    memberIds.set(plan.username, account.id);
    await gymFloor.branches.join(account.id, branch.id);
    await writeHistory(container, account, plan, branch.timezone, now, index);
    members.push({
      username: plan.username,
      email: emailOf(plan.username),
      branchName: branch.name,
    });
  }

  for (const [follower, followed] of followPlan) {
    const followerId = memberIds.get(follower);
    const followedId = memberIds.get(followed);
    if (!followerId || !followedId) continue;
    const outcome = await container.social.follow(followerId, followedId);
    // Followers-only profiles (the default) take requests: the followed member accepts.
    if (outcome.follow.status === 'pending') {
      await container.social.approveRequest(followedId, followerId);
    }
  }

  return {
    createdAt: now.toISOString(),
    password: DEMO_PASSWORD,
    branches: [...branches.values()],
    admin: { username: DEMO_ADMIN_USERNAME, email: emailOf(DEMO_ADMIN_USERNAME) },
    staff,
    members,
    machines,
  };
}

/** Registers a member, fills in their profile and activates built-in workout and diet plans. */
async function createMember(
  container: Container,
  plan: MemberPlan,
  timezone: string,
): Promise<UserRow> {
  const registered = await container.auth.register(
    {
      username: plan.username,
      email: emailOf(plan.username),
      password: DEMO_PASSWORD,
      name: plan.name,
    },
    client,
  );
  const userId = registered.user.id;
  await container.users.updateMe(userId, {
    profile: {
      demographics: {
        age: plan.age,
        heightCm: plan.heightCm,
        weightKg: plan.weightKg,
        gender: plan.gender,
        activityLevel: 'moderate',
      },
      fitnessProfile: { level: plan.level, goal: plan.goal, healthConditions: [] },
      dietPreferences: { cuisinePreferences: [], allergies: [] },
      timezone,
    },
  });
  const account = await usersRepository.findById(container.database.db, userId);
  if (!account) throw new Error(`${plan.username} vanished after registering`);
  const workout = await container.workouts.generate(account, {
    daysPerWeek: plan.daysPerWeek,
    sessionMinutes: 60,
    equipment: ['machine', 'cable', 'dumbbell', 'barbell', 'bench', 'squat_rack'],
    focus: plan.focus,
  });
  await container.workouts.activate(userId, workout.plan.id);
  const diet = await container.nutrition.generate(account, {
    days: 7,
    mealsPerDay: 4,
    diet: plan.diet,
  });
  await container.nutrition.activate(userId, diet.plan.id);
  return account;
}

/**
 * The member's last HISTORY_DAYS days, oldest first as they would have been logged: their
 * plan's workouts on training days (weights creeping up week by week), meals from their diet
 * plan give or take a little, and a weekly body-composition entry.
 */
async function writeHistory(
  container: Container,
  account: UserRow,
  plan: MemberPlan,
  timezone: string,
  now: Date,
  memberIndex: number,
): Promise<void> {
  const userId = account.id;
  const random = seededRandom(memberIndex + 1);
  const workoutPlan = await container.workouts.getActivePlan(userId);
  const dietPlan = await container.nutrition.getActivePlan(userId);
  const workoutDays = workoutPlan.effectivePlanData.workoutDays;
  const today = localDay(now, timezone);
  let trainingSessions = 0;
  for (let daysAgo = HISTORY_DAYS; daysAgo >= 1; daysAgo--) {
    const day = addDays(today, -daysAgo);
    const week = Math.floor((HISTORY_DAYS - daysAgo) / 7);
    const at = (hour: number, minute = 0) =>
      instantOnLocalDay(day, (hour * 60 + minute) * 60_000, timezone);

    if (isTrainingDay(day, plan.daysPerWeek) && workoutDays.length > 0) {
      const session = workoutDays[trainingSessions % workoutDays.length];
      trainingSessions++;
      for (const [order, exercise] of (session?.exercises ?? []).entries()) {
        const reps = exercise.reps ?? 1;
        const baseWeight = exercise.reps === null ? undefined : startingWeight(plan, order);
        await container.workoutLogs.create(userId, {
          exerciseId: exercise.exerciseId,
          exerciseName: exercise.exerciseName,
          completedAt: at(18, 10 + order * 9),
          sets: Array.from({ length: exercise.sets }, () => ({
            reps: Math.max(1, reps - Math.floor(random() * 2)),
            ...(baseWeight !== undefined && { weightKg: baseWeight + week * 2.5 }),
            ...(exercise.seconds !== null && { durationSec: exercise.seconds }),
          })),
        });
      }
    }

    const planDay =
      dietPlan.planData.days[(HISTORY_DAYS - daysAgo) % dietPlan.planData.days.length];
    const mealHours: Record<string, number> = { breakfast: 8, lunch: 12, snack: 16, dinner: 19 };
    for (const meal of planDay?.meals ?? []) {
      // Most days a member logs everything; now and then a snack goes unrecorded.
      if (meal.mealType === 'snack' && random() < 0.3) continue;
      const portion = 0.85 + random() * 0.3;
      await container.mealLogs.create(userId, {
        mealType: meal.mealType,
        mealDescription: meal.items
          .map((item) => item.foodName)
          .join(', ')
          .slice(0, 500),
        consumedAt: at(mealHours[meal.mealType] ?? 12, Math.floor(random() * 40)).toISOString(),
        macros: {
          calories: Math.round(meal.macros.calories * portion),
          protein: Math.round(meal.macros.protein * portion),
          carbs: Math.round(meal.macros.carbs * portion),
          fat: Math.round(meal.macros.fat * portion),
        },
      });
    }

    if (daysAgo % 7 === 0) {
      // Weight moves towards the goal by a few hundred grams a week.
      const trend = plan.goal === 'lose_weight' ? -0.4 : plan.goal === 'build_muscle' ? 0.2 : 0;
      const weightKg = round1(plan.weightKg - trend * (daysAgo / 7));
      await container.users.addBodyComposition(
        userId,
        createBodyCompositionBody.parse({
          measuredAt: at(7, 30).toISOString(),
          weightKg,
          bodyFatPercentage: round1(
            (plan.gender === 'female' ? 26 : 19) - (HISTORY_DAYS - daysAgo) / 14,
          ),
          skeletalMuscleMassKg: round1(weightKg * (plan.gender === 'female' ? 0.42 : 0.46)),
        }),
      );
    }
  }
}

/** Training days spread over the week: 3 days are Mon/Wed/Fri, 4 add Saturday, and so on. */
function isTrainingDay(day: string, daysPerWeek: number): boolean {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  const schedule: Record<number, number[]> = {
    1: [3],
    2: [1, 4],
    3: [1, 3, 5],
    4: [1, 2, 4, 6],
    5: [1, 2, 3, 5, 6],
    6: [1, 2, 3, 4, 5, 6],
    7: [0, 1, 2, 3, 4, 5, 6],
  };
  return (schedule[daysPerWeek] ?? []).includes(weekday);
}

/** A first-week working weight for the plan's n-th exercise of the day, by level. */
function startingWeight(plan: MemberPlan, order: number): number {
  const base = { beginner: 20, intermediate: 35, advanced: 45 }[plan.level];
  const scale = plan.gender === 'female' ? 0.7 : 1;
  // Compound lifts come first in a day, lighter isolation work after.
  return Math.round((base * scale * (order === 0 ? 1.6 : 1 - order * 0.08)) / 2.5) * 2.5;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/** The same numbers on every run (mulberry32), so two demo gyms look alike. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Where `npm run demo` keeps what it created, device keys included (DATA_DIR is gitignored). */
export function demoFileOf(dataDir: string): string {
  return path.join(dataDir, 'demo-machines.json');
}

/** Writes the demo file readable by its owner only: it holds every machine's device key. */
export async function writeDemoFile(file: string, gym: DemoGym): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(gym, null, 2)}\n`, { mode: 0o600 });
}

/** The demo file, or undefined when there is none. */
export async function readDemoFile(file: string): Promise<DemoGym | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DemoGym;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The seeded gym read back from the database when its demo file is gone (another machine
 * seeded the database, or the file was deleted): device keys are kept only as hashes, so each
 * demo machine gets a new one, which cuts off devices still using the old keys.
 */
export async function recoverDemoGym(container: Container): Promise<DemoGym> {
  const db = container.database.db;
  const admin = await usersRepository.findByLogin(db, DEMO_ADMIN_USERNAME);
  if (!admin) throw new Error('the demo gym is not in this database');
  const adminActor = { userId: admin.id, role: 'admin' as const };
  const branches: DemoGym['branches'] = [];
  const machines: DemoMachine[] = [];
  for (const plan of branchPlans) {
    const found = await container.gymFloor.branches.list({ q: plan.name, limit: 10 });
    const branch = found.items.find((item) => item.name === plan.name);
    if (!branch) continue;
    branches.push({ id: branch.id, name: branch.name, timezone: branch.timezone });
    const page = await container.gymFloor.machines.listForBranch(adminActor, branch.id, {
      limit: 100,
    });
    for (const machine of page.items) {
      const replaced = await container.gymFloor.machines.replaceDeviceKey(adminActor, machine.id);
      machines.push({
        id: machine.id,
        name: machine.name,
        type: machine.type,
        location: machine.location,
        branchId: branch.id,
        branchName: branch.name,
        qrCode: machine.qrCode ?? '',
        deviceKey: replaced.deviceKey,
      });
    }
  }
  const branchName = (key: BranchKey) => branchPlans.find((plan) => plan.key === key)?.name ?? key;
  return {
    createdAt: admin.createdAt.toISOString(),
    password: DEMO_PASSWORD,
    branches,
    admin: { username: DEMO_ADMIN_USERNAME, email: emailOf(DEMO_ADMIN_USERNAME) },
    staff: branchPlans.map((plan) => ({
      username: `demo.staff.${plan.key}`,
      email: emailOf(`demo.staff.${plan.key}`),
      branchName: plan.name,
    })),
    members: memberPlans.map((plan) => ({
      username: plan.username,
      email: emailOf(plan.username),
      branchName: branchName(plan.branch),
    })),
    machines,
  };
}

/** What `npm run demo` did: seeded, found the gym and its file, or found it and replaced keys. */
export type DemoOutcome = 'created' | 'already-seeded' | 'keys-replaced';

/**
 * `npm run demo`'s work: seeds the demo gym and writes its file; on a database that has it,
 * changes nothing and answers the file's contents, or, without a file, replaces the machines'
 * device keys (the old ones cannot be recovered) and writes a new file.
 */
export async function prepareDemoGym(
  container: Container,
  file: string,
  options: { now?: Date; progress?: DemoProgress } = {},
): Promise<{ outcome: DemoOutcome; gym: DemoGym }> {
  if (await demoGymExists(container)) {
    const recorded = await readDemoFile(file);
    if (recorded) return { outcome: 'already-seeded', gym: recorded };
    const recovered = await recoverDemoGym(container);
    await writeDemoFile(file, recovered);
    return { outcome: 'keys-replaced', gym: recovered };
  }
  const gym = await seedDemoGym(container, options);
  await writeDemoFile(file, gym);
  return { outcome: 'created', gym };
}
