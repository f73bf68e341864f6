import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hmacRejection } from '../../integrations/test-support/stub-credentials.js';
import { nutritionExamples } from '../../integrations/test-support/contract-examples.js';
import { StubService } from '../../integrations/test-support/stub-service.js';
import { buildSignedInUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { foodTable } from './planner/food-table.data.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.container.nutrition.installBuiltInFoods();
});
afterAll(async () => {
  await t.close();
});

const completeProfile = {
  demographics: { age: 30, heightCm: 180, weightKg: 80, gender: 'male', activityLevel: 'moderate' },
  fitnessProfile: { goal: 'maintain' },
};

async function memberWithProfile(app: TestApp, profile: Record<string, unknown>) {
  const user = await buildSignedInUser(app);
  await app.http
    .patch('/api/users/me')
    .set('Authorization', user.auth)
    .send({ profile })
    .expect(200);
  return user;
}

const foodsById = new Map(foodTable.map((food) => [food.id, food]));

describe('POST /api/nutrition/macros/calculate without a planning service', () => {
  it('when the profile is complete, then Mifflin–St Jeor answers (worked example)', async () => {
    const user = await memberWithProfile(t, completeProfile);
    const res = await t.http
      .post('/api/nutrition/macros/calculate')
      .set('Authorization', user.auth)
      .send({})
      .expect(200);
    // 10·80 + 6.25·180 − 5·30 + 5 = 1780 kcal; × 1.55 (moderate) = 2759.
    expect(res.body).toMatchObject({ bmr: 1780, tdee: 2759, source: 'fallback' });
    const { calories, protein, carbs, fat } = res.body.targets;
    expect(calories).toBe(2759);
    expect(Math.abs(protein * 4 + carbs * 4 + fat * 9 - calories)).toBeLessThanOrEqual(15);
  });

  it('when values are sent, then they override the profile', async () => {
    const user = await memberWithProfile(t, completeProfile);
    const res = await t.http
      .post('/api/nutrition/macros/calculate')
      .set('Authorization', user.auth)
      .send({ weightKg: 60, heightCm: 165, age: 25, gender: 'female', activityLevel: 'sedentary' })
      .expect(200);
    expect(res.body.bmr).toBe(1345);
    expect(res.body.tdee).toBe(1614);
  });

  it('when the profile lacks body facts, then 400 names them', async () => {
    const user = await buildSignedInUser(t);
    const res = await t.http
      .post('/api/nutrition/macros/calculate')
      .set('Authorization', user.auth)
      .send({ weightKg: 70 })
      .expect(400);
    expect(res.body.code).toBe('PROFILE_INCOMPLETE');
    expect(res.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'profile.demographics.age',
      'profile.demographics.gender',
      'profile.demographics.heightCm',
    ]);
  });
});

describe('diet plans without a planning service', () => {
  it('when generated, then the built-in planner hits the targets and avoids the allergens', async () => {
    const user = await memberWithProfile(t, {
      ...completeProfile,
      dietPreferences: {
        allergies: ['peanuts', 'Shellfish', 'lactose intolerant'],
        cuisinePreferences: ['asian'],
      },
    });
    const res = await t.http
      .post('/api/nutrition/plans/generate')
      .set('Authorization', user.auth)
      .send({ days: 3, mealsPerDay: 4 })
      .expect(201);
    expect(res.body.source).toBe('fallback');
    const plan = res.body.plan;
    expect(plan.planData.days).toHaveLength(3);
    for (const day of plan.planData.days) {
      expect(day.meals).toHaveLength(4);
      expect(
        Math.abs(day.totals.calories - plan.targets.calories) / plan.targets.calories,
      ).toBeLessThanOrEqual(0.1);
      for (const item of day.meals.flatMap((meal: { items: { foodId: string }[] }) => meal.items)) {
        const food = foodsById.get(item.foodId);
        expect(food, item.foodId).toBeDefined();
        expect(food?.allergens).not.toContain('peanut');
        expect(food?.allergens).not.toContain('shellfish');
        expect(food?.allergens).not.toContain('dairy');
      }
    }
    expect(plan.explanation.length).toBeGreaterThan(0);
  });

  it('when activated, then it is the active plan and the user’s dietPlanId; others see 404', async () => {
    const user = await memberWithProfile(t, completeProfile);
    const other = await buildSignedInUser(t);
    const plan = (
      await t.http
        .post('/api/nutrition/plans/generate')
        .set('Authorization', user.auth)
        .send({ days: 1 })
        .expect(201)
    ).body.plan;
    await t.http.get('/api/nutrition/plans/active').set('Authorization', user.auth).expect(404);
    await t.http
      .post(`/api/nutrition/plans/${plan.id}/activate`)
      .set('Authorization', user.auth)
      .expect(200);
    const active = await t.http
      .get('/api/nutrition/plans/active')
      .set('Authorization', user.auth)
      .expect(200);
    expect(active.body).toMatchObject({ id: plan.id, isActive: true });
    const me = await t.http.get('/api/users/me').set('Authorization', user.auth).expect(200);
    expect(me.body.activePlans.dietPlanId).toBe(plan.id);
    await t.http
      .get(`/api/nutrition/plans/${plan.id}`)
      .set('Authorization', other.auth)
      .expect(404);
    await t.http
      .post(`/api/nutrition/plans/${plan.id}/activate`)
      .set('Authorization', other.auth)
      .expect(404);
    const list = await t.http
      .get('/api/nutrition/plans')
      .set('Authorization', user.auth)
      .expect(200);
    expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([plan.id]);
  });
});

describe('GET /api/nutrition/foods', () => {
  it('when searched, then built-in foods match by name, alphabetically and paged', async () => {
    const user = await buildSignedInUser(t);
    const res = await t.http
      .get('/api/nutrition/foods?q=RICE&limit=2')
      .set('Authorization', user.auth)
      .expect(200);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items.every((food: { name: string }) => /rice/i.test(food.name))).toBe(true);
    expect(res.body.items[0].per100g.calories).toBeGreaterThan(0);
    const next = await t.http
      .get(`/api/nutrition/foods?q=rice&limit=2&cursor=${res.body.nextCursor}`)
      .set('Authorization', user.auth)
      .expect(200);
    expect(next.body.items[0].name.toLowerCase() >= res.body.items[1].name.toLowerCase()).toBe(
      true,
    );
  });
});

describe('with the Nutrition Planning service', () => {
  let stub: StubService;
  let app: TestApp;
  const secret = 'nutrition-hmac-secret';

  beforeAll(async () => {
    stub = await StubService.start();
    // The stub checks our HMAC signature for real, as the provider would.
    stub.requireAuth(
      (request) =>
        hmacRejection(request, {
          apiKey: 'nutrition-key',
          secret,
          nowSeconds: Math.floor(Date.now() / 1000),
        }) === null,
    );
    app = await createTestApp(
      {
        NUTRITION_SERVICE_URL: stub.url,
        NUTRITION_SERVICE_API_KEY: 'nutrition-key',
        NUTRITION_SERVICE_HMAC_SECRET: secret,
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

  it('when the food database is refreshed, then service foods are searchable beside built-in ones', async () => {
    stub.on('GET', '/foods/database', () => ({
      json: { ...nutritionExamples.foodPage, nextCursor: null },
    }));
    expect(await app.container.nutrition.refreshServiceFoods()).toBe(1);
    const user = await buildSignedInUser(app);
    const res = await app.http
      .get('/api/nutrition/foods?q=lentils')
      .set('Authorization', user.auth)
      .expect(200);
    expect(res.body.items).toContainEqual(
      expect.objectContaining({ name: 'Lentils, cooked', source: 'service', servingGrams: 200 }),
    );
  });

  it('when the service answers, then targets and plan come from it, signed', async () => {
    stub.on('POST', '/macros/calculate', () => ({ json: nutritionExamples.macroTargets }));
    stub.on('POST', '/plans/generate', () => ({ json: nutritionExamples.mealPlan }));
    const user = await memberWithProfile(app, completeProfile);
    const macros = await app.http
      .post('/api/nutrition/macros/calculate')
      .set('Authorization', user.auth)
      .send({})
      .expect(200);
    expect(macros.body).toMatchObject({ ...nutritionExamples.macroTargets, source: 'ai' });
    const res = await app.http
      .post('/api/nutrition/plans/generate')
      .set('Authorization', user.auth)
      .send({})
      .expect(201);
    expect(res.body).toMatchObject({
      source: 'ai',
      plan: { planName: 'Vegetarian, 2200 kcal', source: 'ai' },
    });
    const item = res.body.plan.planData.days[0].meals[0].items[0];
    expect(item).toMatchObject({ foodName: 'Lentils, cooked', grams: 200 });
    expect(item.foodId).toMatch(/^[0-9a-f-]{36}$/);
    expect(stub.requestsTo('POST', '/plans/generate')[0]?.headers['x-signature']).toMatch(
      /^[0-9a-f]{64}$/,
    );
  });

  it('when the service then fails, then the stored plan is served; with none, the built-in planner', async () => {
    stub.on('POST', '/macros/calculate', () => ({ status: 500, json: {} }));
    stub.on('POST', '/plans/generate', () => ({ json: nutritionExamples.mealPlan }));
    const user = await memberWithProfile(app, completeProfile);
    const stored = await app.http
      .post('/api/nutrition/plans/generate')
      .set('Authorization', user.auth)
      .send({})
      .expect(201);
    expect(stored.body.source).toBe('ai');
    stub.on('POST', '/plans/generate', () => ({ status: 502, json: {} }));
    const served = await app.http
      .post('/api/nutrition/plans/generate')
      .set('Authorization', user.auth)
      .send({})
      .expect(201);
    expect(served.body).toMatchObject({ source: 'cache', plan: { id: stored.body.plan.id } });
    const newcomer = await memberWithProfile(app, completeProfile);
    const fallback = await app.http
      .post('/api/nutrition/plans/generate')
      .set('Authorization', newcomer.auth)
      .send({ days: 1 })
      .expect(201);
    expect(fallback.body.source).toBe('fallback');
  });

  it('when a member lists more allergies than the service accepts, then the built-in planner answers', async () => {
    stub.on('POST', '/plans/generate', () => ({ json: nutritionExamples.mealPlan }));
    const allergies = Array.from({ length: 21 }, (_, i) => `allergen ${String(i)}`);
    const user = await memberWithProfile(app, {
      ...completeProfile,
      dietPreferences: { allergies },
    });
    const before = stub.requestsTo('POST', '/plans/generate').length;
    const res = await app.http
      .post('/api/nutrition/plans/generate')
      .set('Authorization', user.auth)
      .send({ days: 1 })
      .expect(201);
    expect(res.body.source).toBe('fallback');
    expect(stub.requestsTo('POST', '/plans/generate')).toHaveLength(before);
  });

  it('when the service is gone entirely, then nothing answers 500', async () => {
    await stub.close();
    const user = await memberWithProfile(app, completeProfile);
    const macros = await app.http
      .post('/api/nutrition/macros/calculate')
      .set('Authorization', user.auth)
      .send({});
    expect(macros.status).toBe(200);
    expect(macros.body.source).toBe('fallback');
    const plan = await app.http
      .post('/api/nutrition/plans/generate')
      .set('Authorization', user.auth)
      .send({ days: 1 });
    expect(plan.status).toBe(201);
    expect(plan.body.source).toBe('fallback');
  });
});
