import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { StubService } from '../../integrations/test-support/stub-service.js';
import { buildSignedInUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { exerciseLibrary } from './planner/exercise-library.data.js';
import { refreshExerciseLibrary } from './workouts.jobs.js';
import { planCacheKey, plannerInputFor } from './workouts.service.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.container.workouts.installBuiltInLibrary();
});
afterAll(async () => {
  await t.close();
});

const library = new Map(exerciseLibrary.map((exercise) => [exercise.id, exercise]));
const allExercises = (plan: {
  planData: { workoutDays: { exercises: { exerciseId: string }[] }[] };
}) => plan.planData.workoutDays.flatMap((day) => day.exercises);

async function memberWithProfile(app: TestApp, profile: Record<string, unknown>) {
  const user = await buildSignedInUser(app);
  await app.http
    .patch('/api/users/me')
    .set('Authorization', user.auth)
    .send({ profile })
    .expect(200);
  return user;
}

describe('POST /api/workouts/generate without a planning service', () => {
  it('when a member asks, then the built-in planner answers with a plan that fits the request', async () => {
    const user = await memberWithProfile(t, {
      fitnessProfile: { level: 'beginner', goal: 'build_muscle', healthConditions: ['bad knee'] },
    });
    const res = await t.http
      .post('/api/workouts/generate')
      .set('Authorization', user.auth)
      .send({ daysPerWeek: 4, sessionMinutes: 40, equipment: ['dumbbell', 'bench'] })
      .expect(201);
    expect(res.body.source).toBe('fallback');
    const plan = res.body.plan;
    expect(plan).toMatchObject({ source: 'fallback', isActive: false, customizations: {} });
    expect(plan.planData.workoutDays).toHaveLength(4);
    expect(plan.effectivePlanData).toEqual(plan.planData);
    expect(plan.explanation.join(' ')).toMatch(/knee/i);
    for (const exercise of allExercises(plan)) {
      const known = library.get(exercise.exerciseId);
      expect(known, exercise.exerciseId).toBeDefined();
      expect(known?.contraindications).not.toContain('knee_injury');
      expect(known?.level).toBe('beginner');
      expect(
        known?.equipment.every((item) => ['dumbbell', 'bench', 'bodyweight'].includes(item)),
      ).toBe(true);
    }
  });

  it('when the body is invalid, then 400 names the field', async () => {
    const user = await buildSignedInUser(t);
    const res = await t.http
      .post('/api/workouts/generate')
      .set('Authorization', user.auth)
      .send({ daysPerWeek: 9, equipment: ['jetpack'] })
      .expect(400);
    expect(res.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'body.daysPerWeek',
      'body.equipment.0',
    ]);
  });
});

describe('plans', () => {
  it('when plans are listed, read, activated and customized, then the user sees their own only', async () => {
    const user = await buildSignedInUser(t);
    const other = await buildSignedInUser(t);
    const first = (
      await t.http
        .post('/api/workouts/generate')
        .set('Authorization', user.auth)
        .send({})
        .expect(201)
    ).body.plan;
    const second = (
      await t.http
        .post('/api/workouts/generate')
        .set('Authorization', user.auth)
        .send({ daysPerWeek: 2 })
        .expect(201)
    ).body.plan;

    const list = await t.http
      .get('/api/workouts/plans?limit=1')
      .set('Authorization', user.auth)
      .expect(200);
    expect(list.body.items[0].id).toBe(second.id);
    const next = await t.http
      .get(`/api/workouts/plans?limit=1&cursor=${list.body.nextCursor}`)
      .set('Authorization', user.auth)
      .expect(200);
    expect(next.body.items[0].id).toBe(first.id);

    await t.http.get('/api/workouts/plans/active').set('Authorization', user.auth).expect(404);
    await t.http
      .post(`/api/workouts/plans/${first.id}/activate`)
      .set('Authorization', user.auth)
      .expect(200);
    await t.http
      .post(`/api/workouts/plans/${second.id}/activate`)
      .set('Authorization', user.auth)
      .expect(200);
    const active = await t.http
      .get('/api/workouts/plans/active')
      .set('Authorization', user.auth)
      .expect(200);
    expect(active.body.id).toBe(second.id);
    const me = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    expect(me.body.activePlans.workoutPlanId).toBe(second.id);
    const old = await t.http
      .get(`/api/workouts/plans/${first.id}`)
      .set('Authorization', user.auth)
      .expect(200);
    expect(old.body.isActive).toBe(false);

    await t.http
      .get(`/api/workouts/plans/${first.id}`)
      .set('Authorization', other.auth)
      .expect(404);
    await t.http
      .post(`/api/workouts/plans/${first.id}/activate`)
      .set('Authorization', other.auth)
      .expect(404);
    await t.http
      .patch(`/api/workouts/plans/${first.id}`)
      .set('Authorization', other.auth)
      .send({ customizations: {} })
      .expect(404);
  });

  it('when activations race, then exactly one plan ends up active', async () => {
    const user = await buildSignedInUser(t);
    const ids: string[] = [];
    for (const days of [1, 2, 3]) {
      const res = await t.http
        .post('/api/workouts/generate')
        .set('Authorization', user.auth)
        .send({ daysPerWeek: days })
        .expect(201);
      ids.push(res.body.plan.id);
    }
    const results = await Promise.all(
      ids.map((id) =>
        t.http.post(`/api/workouts/plans/${id}/activate`).set('Authorization', user.auth),
      ),
    );
    expect(results.every((res) => res.status === 200)).toBe(true);
    const plans = await t.http
      .get('/api/workouts/plans')
      .set('Authorization', user.auth)
      .expect(200);
    const activeIds = plans.body.items.filter((plan: { isActive: boolean }) => plan.isActive);
    expect(activeIds).toHaveLength(1);
    const me = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    expect(me.body.activePlans.workoutPlanId).toBe(activeIds[0].id);
  });

  it('when exercises are swapped, adjusted and removed, then effectivePlanData shows it', async () => {
    const user = await buildSignedInUser(t);
    const plan = (
      await t.http
        .post('/api/workouts/generate')
        .set('Authorization', user.auth)
        .send({ daysPerWeek: 1, sessionMinutes: 60 })
        .expect(201)
    ).body.plan;
    const day = plan.planData.workoutDays[0];
    const [swapped, adjusted, removed] = day.exercises;
    const replacement = exerciseLibrary.find(
      (exercise) =>
        !day.exercises.some((e: { exerciseId: string }) => e.exerciseId === exercise.id),
    )!;
    const res = await t.http
      .patch(`/api/workouts/plans/${plan.id}`)
      .set('Authorization', user.auth)
      .send({
        customizations: {
          swaps: [
            {
              dayOrder: day.dayOrder,
              exerciseId: swapped.exerciseId,
              replacementExerciseId: replacement.id,
            },
          ],
          adjustments: [{ dayOrder: day.dayOrder, exerciseId: adjusted.exerciseId, sets: 5 }],
          removals: [{ dayOrder: day.dayOrder, exerciseId: removed.exerciseId }],
          notes: 'no jumping today',
        },
      })
      .expect(200);
    const effective = res.body.effectivePlanData.workoutDays[0].exercises;
    expect(effective).toHaveLength(day.exercises.length - 1);
    expect(effective[0]).toMatchObject({
      exerciseId: replacement.id,
      exerciseName: replacement.name,
    });
    expect(effective[1]).toMatchObject({ exerciseId: adjusted.exerciseId, sets: 5 });
    expect(res.body.planData).toEqual(plan.planData);
    expect(res.body.customizations.swaps[0]).toEqual({
      dayOrder: day.dayOrder,
      exerciseId: swapped.exerciseId,
      replacementExerciseId: replacement.id,
    });

    const bad = await t.http
      .patch(`/api/workouts/plans/${plan.id}`)
      .set('Authorization', user.auth)
      .send({
        customizations: {
          removals: [{ dayOrder: 7, exerciseId: swapped.exerciseId }],
          swaps: [
            {
              dayOrder: day.dayOrder,
              exerciseId: swapped.exerciseId,
              replacementExerciseId: '00000000-0000-4000-8000-000000000000',
            },
          ],
        },
      })
      .expect(400);
    expect(bad.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'body.customizations.removals.0',
      'body.customizations.swaps.0.replacementExerciseId',
    ]);
    const unchanged = await t.http
      .get(`/api/workouts/plans/${plan.id}`)
      .set('Authorization', user.auth)
      .expect(200);
    expect(unchanged.body.customizations.notes).toBe('no jumping today');
  });
});

describe('GET /api/workouts/exercises', () => {
  it('when searched by text, muscle and equipment, then matching exercises come back by name, paged', async () => {
    const user = await buildSignedInUser(t);
    const res = await t.http
      .get('/api/workouts/exercises?muscleGroup=chest&equipment=dumbbell&limit=3')
      .set('Authorization', user.auth)
      .expect(200);
    expect(res.body.items).toHaveLength(3);
    for (const exercise of res.body.items) {
      expect([...exercise.primaryMuscles, ...exercise.secondaryMuscles]).toContain('chest');
      expect(exercise.equipment).toContain('dumbbell');
      expect(exercise.source).toBe('builtin');
    }
    const names = res.body.items.map((exercise: { name: string }) => exercise.name.toLowerCase());
    expect(names).toEqual([...names].sort());
    const next = await t.http
      .get(
        `/api/workouts/exercises?muscleGroup=chest&equipment=dumbbell&limit=3&cursor=${res.body.nextCursor}`,
      )
      .set('Authorization', user.auth)
      .expect(200);
    expect(next.body.items[0].name.toLowerCase() >= names[2]).toBe(true);
    const text = await t.http
      .get('/api/workouts/exercises?q=SQUAT')
      .set('Authorization', user.auth)
      .expect(200);
    expect(text.body.items.length).toBeGreaterThan(0);
    expect(
      text.body.items.every((exercise: { name: string }) => /squat/i.test(exercise.name)),
    ).toBe(true);
  });
});

describe('with the Workout Planning service', () => {
  const servicePlan = {
    externalId: 'plan-77',
    name: 'Coach Plan',
    planData: {
      workoutDays: [
        {
          muscleGroup: 'Full body',
          dayOrder: 1,
          exercises: [
            { exerciseId: 'ex-1', exerciseName: 'Goblet Squat', sets: 3, reps: 10, seconds: 0 },
            { exerciseId: 'ex-2', exerciseName: 'Plank', sets: 3, reps: 0, seconds: 45 },
          ],
        },
      ],
    },
  };
  let stub: StubService;
  let app: TestApp;

  beforeAll(async () => {
    stub = await StubService.start();
    app = await createTestApp(
      {
        WORKOUT_SERVICE_URL: stub.url,
        WORKOUT_SERVICE_API_KEY: 'workout-key',
        AI_REQUEST_BUDGET_MS: '1500',
      },
      {
        resilience: {
          aiTimeoutMs: 300,
          standardTimeoutMs: 300,
          backoffInitialMs: 10,
          backoffMaxMs: 50,
          minAttemptMs: 50,
        },
      },
    );
  });
  afterAll(async () => {
    await app.close();
    await stub.close();
  });

  it('when the service catalogue is refreshed, then its exercises are searchable beside the built-in ones', async () => {
    stub.on('GET', '/exercises/library', (request) => ({
      json:
        request.query.get('cursor') === null
          ? {
              exercises: [
                {
                  exerciseId: 'svc-1',
                  name: 'Zercher Carry',
                  muscleGroups: ['core'],
                  equipment: ['barbell'],
                  difficulty: 'advanced',
                },
              ],
              nextCursor: 'page-2',
            }
          : {
              exercises: [
                {
                  exerciseId: 'svc-2',
                  name: 'Zottman Curl',
                  muscleGroups: ['biceps'],
                  equipment: ['dumbbell'],
                  difficulty: 'beginner',
                },
              ],
              nextCursor: null,
            },
    }));
    expect(await app.container.workouts.refreshServiceLibrary()).toBe(2);
    // A second refresh updates rows in place instead of duplicating them.
    expect(await app.container.workouts.refreshServiceLibrary()).toBe(2);
    const user = await buildSignedInUser(app);
    const res = await app.http
      .get('/api/workouts/exercises?q=z')
      .set('Authorization', user.auth)
      .expect(200);
    const fromService = res.body.items.filter(
      (exercise: { source: string }) => exercise.source === 'service',
    );
    expect(fromService.map((exercise: { name: string }) => exercise.name)).toEqual([
      'Zercher Carry',
      'Zottman Curl',
    ]);
  });

  it('when the scheduled refresh job is sent, then a worker copies the catalogue', async () => {
    stub.on('GET', '/exercises/library', () => ({
      json: {
        exercises: [
          {
            exerciseId: 'svc-9',
            name: 'Zig-zag Sprint',
            muscleGroups: ['quadriceps'],
            equipment: [],
            difficulty: 'intermediate',
          },
        ],
        nextCursor: null,
      },
    }));
    await app.container.jobs.start();
    try {
      await app.container.jobs.send(refreshExerciseLibrary, {});
      const user = await buildSignedInUser(app);
      await vi.waitFor(
        async () => {
          const res = await app.http
            .get('/api/workouts/exercises?q=zig')
            .set('Authorization', user.auth);
          const names = res.body.items.map((exercise: { name: string }) => exercise.name);
          expect(names).toContain('Zig-zag Sprint');
        },
        { timeout: 45_000, interval: 200 },
      );
    } finally {
      await app.container.jobs.stop();
    }
  });

  it('when the service answers, then the plan is stored with our ids and repeated requests hit the cache', async () => {
    stub.on('POST', '/plans/generate', () => ({ json: servicePlan }));
    const user = await buildSignedInUser(app);
    const first = await app.http
      .post('/api/workouts/generate')
      .set('Authorization', user.auth)
      .send({})
      .expect(201);
    expect(first.body.source).toBe('ai');
    expect(first.body.plan).toMatchObject({ planName: 'Coach Plan', source: 'ai' });
    const [squat, plank] = first.body.plan.planData.workoutDays[0].exercises;
    expect(squat).toMatchObject({ exerciseName: 'Goblet Squat', reps: 10, seconds: null });
    expect(plank).toMatchObject({ reps: null, seconds: 45 });
    expect(squat.exerciseId).toMatch(/^[0-9a-f-]{36}$/);
    expect(stub.requestsTo('POST', '/plans/generate')[0]?.headers['x-api-key']).toBe('workout-key');
    // The service never learns who the member is.
    expect(stub.requestsTo('POST', '/plans/generate')[0]?.body).not.toContain(user.row.email);

    const again = await app.http
      .post('/api/workouts/generate')
      .set('Authorization', user.auth)
      .send({})
      .expect(201);
    expect(again.body).toMatchObject({ source: 'cache', plan: { id: first.body.plan.id } });
    expect(stub.requestsTo('POST', '/plans/generate')).toHaveLength(1);
  });

  it('when the service fails after a plan was stored, then that plan is served from the store', async () => {
    stub.on('POST', '/plans/generate', () => ({ json: servicePlan }));
    const user = await buildSignedInUser(app);
    const stored = await app.http
      .post('/api/workouts/generate')
      .set('Authorization', user.auth)
      .send({})
      .expect(201);
    stub.on('POST', '/plans/generate', () => ({ status: 503, json: { error: 'down' } }));
    // As after 24 h: the cache entry is gone, the stored plan is not.
    await app.container.kv.delete(planCacheKey(user.row.id, plannerInputFor(user.row, {})));
    const res = await app.http
      .post('/api/workouts/generate')
      .set('Authorization', user.auth)
      .send({})
      .expect(201);
    expect(res.body).toMatchObject({ source: 'cache', plan: { id: stored.body.plan.id } });
    expect(stub.requestsTo('POST', '/plans/generate').length).toBeGreaterThan(1);
    // Other inputs (here another week length) never get a plan made for different ones.
    const other = await app.http
      .post('/api/workouts/generate')
      .set('Authorization', user.auth)
      .send({ daysPerWeek: 5 })
      .expect(201);
    expect(other.body.source).toBe('fallback');
  });

  it('when the service is slow or malformed and nothing is stored, then the built-in planner answers', async () => {
    const user = await buildSignedInUser(app);
    stub.on('POST', '/plans/generate', () => ({ json: { externalId: 'x', name: 'Broken' } }));
    const malformed = await app.http
      .post('/api/workouts/generate')
      .set('Authorization', user.auth)
      .send({})
      .expect(201);
    expect(malformed.body.source).toBe('fallback');
    const other = await buildSignedInUser(app);
    stub.on('POST', '/plans/generate', () => ({ json: servicePlan, delayMs: 2_000 }));
    const slow = await app.http
      .post('/api/workouts/generate')
      .set('Authorization', other.auth)
      .send({})
      .expect(201);
    expect(slow.body.source).toBe('fallback');
  });

  it('when the readiness probe runs, then it reports the service without failing', async () => {
    const res = await app.http.get('/health/ready').expect(200);
    expect(res.body.services).toContainEqual({
      service: 'workout-planning',
      configured: true,
      breaker: expect.any(String),
    });
  });
});

describe('when the Workout Planning service keeps failing', () => {
  it('then its breaker opens, readiness still answers 200 and /metrics shows it', async () => {
    const stub = await StubService.start();
    stub.on('POST', '/plans/generate', () => ({ status: 500, json: {} }));
    const app = await createTestApp(
      {
        WORKOUT_SERVICE_URL: stub.url,
        WORKOUT_SERVICE_API_KEY: 'workout-key',
        AI_REQUEST_BUDGET_MS: '1000',
      },
      {
        resilience: {
          aiTimeoutMs: 200,
          maxRetries: 1,
          backoffInitialMs: 5,
          backoffMaxMs: 10,
          minAttemptMs: 20,
          breakerWindowSize: 4,
          breakerMinimumCalls: 4,
          breakerHalfOpenAfterMs: 60_000,
        },
      },
    );
    try {
      const user = await buildSignedInUser(app);
      for (let i = 0; i < 3; i++) {
        const res = await app.http
          .post('/api/workouts/generate')
          .set('Authorization', user.auth)
          .send({ daysPerWeek: i + 1 })
          .expect(201);
        expect(['cache', 'fallback']).toContain(res.body.source);
      }
      const ready = await app.http.get('/health/ready').expect(200);
      expect(ready.body.services).toContainEqual({
        service: 'workout-planning',
        configured: true,
        breaker: 'open',
      });
      const calls = stub.requestsTo('POST', '/plans/generate').length;
      await app.http
        .post('/api/workouts/generate')
        .set('Authorization', user.auth)
        .send({ daysPerWeek: 6 })
        .expect(201);
      // An open breaker answers at once, without another request reaching the service.
      expect(stub.requestsTo('POST', '/plans/generate')).toHaveLength(calls);
      const metrics = await app.http.get('/metrics').expect(200);
      expect(metrics.text).toMatch(/external_breaker_state\{service="workout-planning"\} 2/);
      expect(metrics.text).toMatch(
        /external_calls_total\{service="workout-planning",outcome="breaker_open"\} [1-9]/,
      );
    } finally {
      await app.close();
      await stub.close();
    }
  });
});
