import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletedRecords } from '../../db/deleted-records.table.js';
import { localDay } from '../../lib/time/local-day.js';
import { buildSignedInUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { mealLogs } from './meal-logs.table.js';
import { foodId } from './planner/food-table.data.js';

let t: TestApp;

/** What listeners of `meal-logs.changed` saw, and whether the row was visible in their tx. */
const seen: {
  change: string;
  mealId: string;
  day: string;
  previousDay?: string;
  rowInTransaction: boolean;
}[] = [];
/** Copies with this description make a listener fail (to prove all-or-nothing). */
const POISON = 'poison for copies';

beforeAll(async () => {
  t = await createTestApp();
  await t.container.nutrition.installBuiltInFoods();
  t.container.events.on('meal-logs.changed', async ({ uow, change, meal, previousDay }) => {
    const rows = await uow.tx.select().from(mealLogs).where(eq(mealLogs.id, meal.id));
    seen.push({
      change,
      mealId: meal.id,
      day: meal.day,
      ...(previousDay !== undefined && { previousDay }),
      rowInTransaction: rows.length === 1,
    });
    if (change === 'created' && meal.source === 'copy' && meal.mealDescription === POISON) {
      throw new Error('listener failed on purpose');
    }
  });
});
afterAll(async () => {
  await t.close();
});

const OATS = foodId('oats-rolled-dry');
const WHITE_RICE = foodId('white-rice-cooked');
const completeProfile = {
  demographics: { age: 30, heightCm: 180, weightKg: 80, gender: 'male', activityLevel: 'moderate' },
  fitnessProfile: { goal: 'maintain' },
};

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const macros = { calories: 500, protein: 30, carbs: 50, fat: 20 };

async function member(profile?: Record<string, unknown>) {
  const user = await buildSignedInUser(t);
  if (profile) {
    await t.http
      .patch('/api/users/me')
      .set('Authorization', user.auth)
      .send({ profile })
      .expect(200);
  }
  return user;
}

type Member = Awaited<ReturnType<typeof member>>;

async function logMeal(user: Member, body: Record<string, unknown> = {}) {
  const res = await t.http
    .post('/api/nutrition/meals')
    .set('Authorization', user.auth)
    .send({
      mealType: 'lunch',
      mealDescription: 'Chicken salad',
      consumedAt: minutesAgo(30),
      macros,
      ...body,
    })
    .expect(201);
  return res.body;
}

const mealsOf = (userId: string) =>
  t.container.database.db.select().from(mealLogs).where(eq(mealLogs.userId, userId));

const pathsOf = (body: { errors?: { path: string }[] }) =>
  (body.errors ?? []).map((error) => error.path);

describe('POST /api/nutrition/meals', () => {
  it('when macros are given, then the meal is stored on the local day and readable by id', async () => {
    const user = await member();
    const consumedAt = '2025-06-01T12:00:00.000Z';
    const meal = await logMeal(user, { consumedAt, mealType: 'dinner' });
    expect(meal).toMatchObject({
      day: '2025-06-01',
      mealType: 'dinner',
      mealDescription: 'Chicken salad',
      consumedAt,
      macros,
      items: [],
      imageId: null,
      source: 'manual',
    });
    expect(meal.createdAt).toBe(meal.updatedAt);
    const read = await t.http
      .get(`/api/nutrition/meals/${meal.id}`)
      .set('Authorization', user.auth)
      .expect(200);
    expect(read.body).toEqual(meal);
    expect(seen).toContainEqual({
      change: 'created',
      mealId: meal.id,
      day: '2025-06-01',
      rowInTransaction: true,
    });
  });

  it('when built from two built-in foods, then macros are the per-100 g values × grams', async () => {
    const user = await member();
    // A meal may point only at the member's own meal image (the files tests cover the rest).
    const { id: imageId } = await t.container.files.save(user.row.id, {
      purpose: 'meal-image',
      bytes: Buffer.from('stored image'),
      contentType: 'image/jpeg',
    });
    const meal = await logMeal(user, {
      mealType: 'breakfast',
      mealDescription: undefined,
      macros: undefined,
      imageId,
      items: [
        { foodId: OATS, grams: 60 },
        { foodId: WHITE_RICE, grams: 200 },
      ],
    });
    // Oats 379 kcal, 13.2 P, 67.7 C, 6.5 F per 100 g; rice 130, 2.7, 28.2, 0.3.
    expect(meal.items).toEqual([
      {
        foodId: OATS,
        foodName: 'Oats, rolled, dry',
        grams: 60,
        macros: { calories: 227.4, protein: 7.9, carbs: 40.6, fat: 3.9 },
      },
      {
        foodId: WHITE_RICE,
        foodName: 'White rice, long-grain, cooked',
        grams: 200,
        macros: { calories: 260, protein: 5.4, carbs: 56.4, fat: 0.6 },
      },
    ]);
    expect(meal.macros).toEqual({ calories: 487.4, protein: 13.3, carbs: 97, fat: 4.5 });
    expect(meal.mealDescription).toBe('Oats, rolled, dry + White rice, long-grain, cooked');
    expect(meal.source).toBe('foods');
    expect(meal.imageId).toBe(imageId);
  });

  it('when consumedAt is a year ago (logged offline), then it is accepted', async () => {
    const user = await member();
    const consumedAt = new Date(Date.now() - 365 * 24 * 3600_000).toISOString();
    const meal = await logMeal(user, { consumedAt });
    expect(meal.consumedAt).toBe(consumedAt);
  });

  it.each([
    ['both macros and items', { items: [{ foodId: OATS, grams: 50 }] }, 'body.items'],
    ['neither macros nor items', { macros: undefined }, 'body.macros'],
    ['negative macros', { macros: { ...macros, protein: -1 } }, 'body.macros.protein'],
    ['an unknown field', { calories: 5 }, 'body.calories'],
    ['an unknown macro', { macros: { ...macros, fiber: 3 } }, 'body.macros.fiber'],
    [
      'a future consumedAt',
      { consumedAt: new Date(Date.now() + 3600_000).toISOString() },
      'body.consumedAt',
    ],
    ['a malformed consumedAt', { consumedAt: 'yesterday' }, 'body.consumedAt'],
    ['an unknown meal type', { mealType: 'brunch' }, 'body.mealType'],
    ['macros without a description', { mealDescription: undefined }, 'body.mealDescription'],
    [
      'zero grams',
      { macros: undefined, items: [{ foodId: OATS, grams: 0 }] },
      'body.items.0.grams',
    ],
    ['a malformed imageId', { imageId: 'img-1' }, 'body.imageId'],
  ])('when the body has %s, then 400 names %s', async (_case, change, path) => {
    const user = await member();
    const res = await t.http
      .post('/api/nutrition/meals')
      .set('Authorization', user.auth)
      .send({
        mealType: 'lunch',
        mealDescription: 'x',
        consumedAt: minutesAgo(5),
        macros,
        ...change,
      })
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(pathsOf(res.body)).toContain(path);
    expect(await mealsOf(user.row.id)).toHaveLength(0);
  });

  it('when a macro is 1e400, then 400 names it', async () => {
    const user = await member();
    const res = await t.http
      .post('/api/nutrition/meals')
      .set('Authorization', user.auth)
      .set('Content-Type', 'application/json')
      .send(
        `{"mealType":"lunch","mealDescription":"x","consumedAt":"${minutesAgo(5)}",` +
          `"macros":{"calories":1e400,"protein":1,"carbs":1,"fat":1}}`,
      )
      .expect(400);
    expect(pathsOf(res.body)).toEqual(['body.macros.calories']);
  });

  it('when an item names an unknown food, then 400 names that item', async () => {
    const user = await member();
    const res = await t.http
      .post('/api/nutrition/meals')
      .set('Authorization', user.auth)
      .send({
        mealType: 'lunch',
        consumedAt: minutesAgo(5),
        items: [
          { foodId: OATS, grams: 40 },
          { foodId: '00000000-0000-4000-8000-000000000000', grams: 40 },
        ],
      })
      .expect(400);
    expect(res.body.errors).toEqual([
      { path: 'body.items.1.foodId', message: 'no food with this id' },
    ]);
    expect(await mealsOf(user.row.id)).toHaveLength(0);
  });

  it('when the member lives in New York, then a meal at 23:30 local lands on that local day', async () => {
    const user = await member({ timezone: 'America/New_York' });
    // 03:30 UTC on 10 March is 23:30 EDT on 9 March.
    const meal = await logMeal(user, { consumedAt: '2026-03-10T03:30:00.000Z' });
    expect(meal.day).toBe('2026-03-09');
    const ninth = await t.http
      .get('/api/nutrition/meals?date=2026-03-09')
      .set('Authorization', user.auth)
      .expect(200);
    expect(ninth.body.meals.map((m: { id: string }) => m.id)).toEqual([meal.id]);
    const tenth = await t.http
      .get('/api/nutrition/meals?date=2026-03-10')
      .set('Authorization', user.auth)
      .expect(200);
    expect(tenth.body.meals).toEqual([]);

    const utcMember = await member();
    const utcMeal = await logMeal(utcMember, { consumedAt: '2026-03-10T03:30:00.000Z' });
    expect(utcMeal.day).toBe('2026-03-10');
  });
});

describe('Idempotency-Key on POST /api/nutrition/meals', () => {
  it('when the same key is sent twice, then one meal is stored and the first answer replayed', async () => {
    const user = await member();
    const body = { mealType: 'snack', mealDescription: 'Apple', consumedAt: minutesAgo(3), macros };
    const first = await t.http
      .post('/api/nutrition/meals')
      .set('Authorization', user.auth)
      .set('Idempotency-Key', 'meal-replay-1')
      .send(body)
      .expect(201);
    const again = await t.http
      .post('/api/nutrition/meals')
      .set('Authorization', user.auth)
      .set('Idempotency-Key', 'meal-replay-1')
      .send(body)
      .expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await mealsOf(user.row.id)).toHaveLength(1);

    const other = await t.http
      .post('/api/nutrition/meals')
      .set('Authorization', user.auth)
      .set('Idempotency-Key', 'meal-replay-1')
      .send({ ...body, mealDescription: 'Pear' })
      .expect(409);
    expect(other.body.reason).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await mealsOf(user.row.id)).toHaveLength(1);
  });

  it('when duplicates with one key race, then exactly one meal is stored', async () => {
    const user = await member();
    const body = { mealType: 'snack', mealDescription: 'Nuts', consumedAt: minutesAgo(3), macros };
    const responses = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.http
          .post('/api/nutrition/meals')
          .set('Authorization', user.auth)
          .set('Idempotency-Key', 'meal-race-1')
          .send(body),
      ),
    );
    const stored = await mealsOf(user.row.id);
    expect(stored).toHaveLength(1);
    for (const res of responses) {
      if (res.status === 201) expect(res.body.id).toBe(stored[0]?.id);
      else {
        expect(res.status).toBe(409);
        expect(res.body.reason).toBe('IDEMPOTENCY_REQUEST_IN_PROGRESS');
      }
    }
    expect(responses.some((res) => res.status === 201)).toBe(true);
  });
});

describe('GET /api/nutrition/meals?date=', () => {
  it('when a diet plan is active, then totals are set against the plan’s targets', async () => {
    const user = await member(completeProfile);
    const plan = (
      await t.http
        .post('/api/nutrition/plans/generate')
        .set('Authorization', user.auth)
        .send({ days: 1 })
        .expect(201)
    ).body.plan;
    await t.http
      .post(`/api/nutrition/plans/${plan.id}/activate`)
      .set('Authorization', user.auth)
      .expect(200);
    await logMeal(user, {
      consumedAt: '2026-01-15T08:00:00.000Z',
      macros: { calories: 400.2, protein: 20.1, carbs: 50, fat: 10 },
    });
    await logMeal(user, {
      consumedAt: '2026-01-15T13:00:00.000Z',
      macros: { calories: 700.1, protein: 45.2, carbs: 80, fat: 25.3 },
    });
    await logMeal(user, { consumedAt: '2026-01-16T13:00:00.000Z', macros });

    const res = await t.http
      .get('/api/nutrition/meals?date=2026-01-15')
      .set('Authorization', user.auth)
      .expect(200);
    expect(res.body.date).toBe('2026-01-15');
    expect(res.body.meals).toHaveLength(2);
    expect(res.body.totals).toEqual({ calories: 1100.3, protein: 65.3, carbs: 130, fat: 35.3 });
    expect(res.body.targetsSource).toBe('diet-plan');
    expect(res.body.targets).toEqual(plan.targets);
    const round = (value: number) => Math.round(value * 10) / 10;
    expect(res.body.remaining).toEqual({
      calories: round(plan.targets.calories - 1100.3),
      protein: round(plan.targets.protein - 65.3),
      carbs: round(plan.targets.carbs - 130),
      fat: round(plan.targets.fat - 35.3),
    });
    expect(await t.container.nutrition.dailyTargetsOf(user.row.id, '2026-01-15')).toEqual(
      plan.targets,
    );
  });

  it('when only the profile is complete, then its Mifflin–St Jeor targets are used', async () => {
    const user = await member(completeProfile);
    await logMeal(user, { consumedAt: '2026-01-15T08:00:00.000Z' });
    const calculated = await t.http
      .post('/api/nutrition/macros/calculate')
      .set('Authorization', user.auth)
      .send({})
      .expect(200);
    const res = await t.http
      .get('/api/nutrition/meals?date=2026-01-15')
      .set('Authorization', user.auth)
      .expect(200);
    expect(res.body.targetsSource).toBe('profile');
    expect(res.body.targets).toEqual(calculated.body.targets);
    expect(res.body.targets.calories).toBe(2759);
    expect(res.body.remaining.calories).toBe(2759 - 500);
    expect(res.body.totals).toEqual(macros);
  });

  it('when the profile lacks body facts, then targets and remaining are null', async () => {
    const user = await member();
    await logMeal(user, { consumedAt: '2026-01-15T08:00:00.000Z' });
    const res = await t.http
      .get('/api/nutrition/meals?date=2026-01-15')
      .set('Authorization', user.auth)
      .expect(200);
    expect(res.body).toMatchObject({ targets: null, targetsSource: null, remaining: null });
    expect(res.body.totals).toEqual(macros);
    expect(await t.container.nutrition.dailyTargetsOf(user.row.id, '2026-01-15')).toBeNull();
  });

  it('when no date is given, then it is today in the member’s time zone', async () => {
    const zone = 'Pacific/Kiritimati';
    const user = await member({ timezone: zone });
    const before = localDay(new Date(), zone);
    const meal = await logMeal(user, { consumedAt: minutesAgo(1) });
    const res = await t.http
      .get('/api/nutrition/meals')
      .set('Authorization', user.auth)
      .expect(200);
    const after = localDay(new Date(), zone);
    expect([before, after]).toContain(res.body.date);
    if (res.body.date === meal.day) {
      expect(res.body.meals.map((m: { id: string }) => m.id)).toEqual([meal.id]);
    }
  });

  it.each([
    ['a date that does not exist', 'date=2026-02-30', 'query.date'],
    ['a malformed date', 'date=25-11-2026', 'query.date'],
    [
      'date and updatedSince together',
      'date=2026-01-01&updatedSince=2026-01-01T00:00:00Z',
      'query.updatedSince',
    ],
    ['a limit on a day view', 'date=2026-01-01&limit=5', 'query.limit'],
    ['from after to', 'from=2026-02-01&to=2026-01-01', 'query.from'],
    ['a forged cursor', 'from=2026-01-01&cursor=abc', 'query.cursor'],
    ['a forged sync cursor', 'updatedSince=2026-01-01T00:00:00Z&cursor=abc', 'query.cursor'],
    ['an unknown parameter', 'day=2026-01-01', 'query.day'],
    ['a limit over 100', 'from=2026-01-01&limit=101', 'query.limit'],
  ])('when the query has %s, then 400 names %s', async (_case, query, path) => {
    const user = await member();
    const res = await t.http
      .get(`/api/nutrition/meals?${query}`)
      .set('Authorization', user.auth)
      .expect(400);
    expect(pathsOf(res.body)).toContain(path);
  });
});

describe('GET /api/nutrition/meals?from=&to=', () => {
  it('when the range spans days, then its meals page newest first', async () => {
    const user = await member();
    const a = await logMeal(user, { consumedAt: '2026-02-01T08:00:00.000Z' });
    const b = await logMeal(user, { consumedAt: '2026-02-02T08:00:00.000Z' });
    const c = await logMeal(user, { consumedAt: '2026-02-03T08:00:00.000Z' });
    await logMeal(user, { consumedAt: '2026-02-04T08:00:00.000Z' });
    const first = await t.http
      .get('/api/nutrition/meals?from=2026-02-01&to=2026-02-03&limit=2')
      .set('Authorization', user.auth)
      .expect(200);
    expect(first.body.items.map((m: { id: string }) => m.id)).toEqual([c.id, b.id]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.http
      .get(
        `/api/nutrition/meals?from=2026-02-01&to=2026-02-03&limit=2&cursor=${first.body.nextCursor}`,
      )
      .set('Authorization', user.auth)
      .expect(200);
    expect(second.body).toEqual({ items: [a], nextCursor: null });
  });
});

describe('PATCH and DELETE /api/nutrition/meals/:id', () => {
  it('when macros, description and time change, then the meal moves day and says it moved', async () => {
    const user = await member();
    const meal = await logMeal(user, {
      consumedAt: '2026-01-10T12:00:00.000Z',
      macros: undefined,
      mealDescription: undefined,
      items: [{ foodId: OATS, grams: 50 }],
    });
    const res = await t.http
      .patch(`/api/nutrition/meals/${meal.id}`)
      .set('Authorization', user.auth)
      .send({
        mealDescription: 'Porridge',
        macros: { calories: 210, protein: 7, carbs: 35, fat: 4 },
        consumedAt: '2026-01-11T07:00:00.000Z',
      })
      .expect(200);
    expect(res.body).toMatchObject({
      id: meal.id,
      day: '2026-01-11',
      mealDescription: 'Porridge',
      macros: { calories: 210, protein: 7, carbs: 35, fat: 4 },
      items: [],
      source: 'manual',
      createdAt: meal.createdAt,
    });
    expect(new Date(res.body.updatedAt).getTime()).toBeGreaterThanOrEqual(
      new Date(meal.updatedAt).getTime(),
    );
    expect(seen).toContainEqual({
      change: 'updated',
      mealId: meal.id,
      day: '2026-01-11',
      previousDay: '2026-01-10',
      rowInTransaction: true,
    });

    const refoods = await t.http
      .patch(`/api/nutrition/meals/${meal.id}`)
      .set('Authorization', user.auth)
      .send({ items: [{ foodId: WHITE_RICE, grams: 100 }], mealType: 'dinner' })
      .expect(200);
    expect(refoods.body).toMatchObject({
      mealType: 'dinner',
      mealDescription: 'Porridge',
      macros: { calories: 130, protein: 2.7, carbs: 28.2, fat: 0.3 },
      source: 'foods',
      day: '2026-01-11',
    });
  });

  it('when the patch is empty or gives both macros and items, then 400', async () => {
    const user = await member();
    const meal = await logMeal(user);
    const empty = await t.http
      .patch(`/api/nutrition/meals/${meal.id}`)
      .set('Authorization', user.auth)
      .send({})
      .expect(400);
    expect(pathsOf(empty.body)).toEqual(['body']);
    const both = await t.http
      .patch(`/api/nutrition/meals/${meal.id}`)
      .set('Authorization', user.auth)
      .send({ macros, items: [{ foodId: OATS, grams: 10 }] })
      .expect(400);
    expect(pathsOf(both.body)).toEqual(['body.items']);
  });

  it('when deleted, then 204, gone, and a tombstone is written', async () => {
    const user = await member();
    const meal = await logMeal(user);
    await t.http
      .delete(`/api/nutrition/meals/${meal.id}`)
      .set('Authorization', user.auth)
      .expect(204);
    await t.http.get(`/api/nutrition/meals/${meal.id}`).set('Authorization', user.auth).expect(404);
    await t.http
      .delete(`/api/nutrition/meals/${meal.id}`)
      .set('Authorization', user.auth)
      .expect(404);
    const tombstones = await t.container.database.db
      .select()
      .from(deletedRecords)
      .where(and(eq(deletedRecords.kind, 'meal-log'), eq(deletedRecords.recordId, meal.id)));
    expect(tombstones).toHaveLength(1);
    expect(tombstones[0]?.userId).toBe(user.row.id);
    expect(seen.filter((event) => event.mealId === meal.id).map((event) => event.change)).toEqual([
      'created',
      'deleted',
    ]);
  });

  it('when another member’s meal is read, changed, deleted or copied, then 404 and it is untouched', async () => {
    const owner = await member();
    const other = await member();
    const meal = await logMeal(owner);
    const url = `/api/nutrition/meals/${meal.id}`;
    await t.http.get(url).set('Authorization', other.auth).expect(404);
    await t.http
      .patch(url)
      .set('Authorization', other.auth)
      .send({ mealDescription: 'mine' })
      .expect(404);
    await t.http.delete(url).set('Authorization', other.auth).expect(404);
    await t.http.post(`${url}/copy`).set('Authorization', other.auth).send({}).expect(404);
    const still = await t.http.get(url).set('Authorization', owner.auth).expect(200);
    expect(still.body).toEqual(meal);
    expect(await mealsOf(other.row.id)).toHaveLength(0);
  });
});

/** A phone's copy of the diary: sync pages applied by id. */
async function syncInto(
  user: Member,
  phone: Map<string, { mealDescription: string }>,
  updatedSince: string,
  limit: number,
) {
  let cursor: string | null = null;
  let pages = 0;
  for (;;) {
    const query: string = `updatedSince=${encodeURIComponent(updatedSince)}&limit=${String(limit)}${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await t.http
      .get(`/api/nutrition/meals?${query}`)
      .set('Authorization', user.auth)
      .expect(200);
    pages += 1;
    const page = res.body as {
      items: { id: string; mealDescription: string }[];
      deleted: { id: string }[];
      nextCursor: string | null;
      syncCursor: string | null;
    };
    const { items, deleted } = page;
    expect(items.length + deleted.length).toBeLessThanOrEqual(limit);
    for (const meal of items) phone.set(meal.id, meal);
    for (const gone of deleted) phone.delete(gone.id);
    if (page.nextCursor === null) {
      expect(page.syncCursor).toEqual(expect.any(String));
      return { syncCursor: page.syncCursor ?? '', pages };
    }
    expect(page.syncCursor).toBeNull();
    cursor = page.nextCursor;
  }
}

async function serverDiary(user: Member) {
  const rows = await mealsOf(user.row.id);
  return new Map(rows.map((row) => [row.id, row.mealDescription]));
}

const descriptions = (phone: Map<string, { mealDescription: string }>) =>
  new Map([...phone].map(([id, meal]) => [id, meal.mealDescription]));

describe('GET /api/nutrition/meals?updatedSince= (two-way sync)', () => {
  it('when meals are edited and deleted between syncs, then paged syncs leave the phone equal to the server', async () => {
    const user = await member();
    const meals = [];
    for (let i = 0; i < 5; i++) {
      meals.push(await logMeal(user, { mealDescription: `meal ${String(i)}` }));
    }
    const phone = new Map<string, { mealDescription: string }>();
    const first = await syncInto(user, phone, '2000-01-01T00:00:00Z', 2);
    expect(first.pages).toBe(3);
    expect(descriptions(phone)).toEqual(await serverDiary(user));

    await t.http
      .patch(`/api/nutrition/meals/${meals[1].id}`)
      .set('Authorization', user.auth)
      .send({ mealDescription: 'meal 1, corrected' })
      .expect(200);
    await t.http
      .delete(`/api/nutrition/meals/${meals[3].id}`)
      .set('Authorization', user.auth)
      .expect(204);
    await logMeal(user, { mealDescription: 'meal 5' });

    const second = await syncInto(user, phone, first.syncCursor, 2);
    expect(descriptions(phone)).toEqual(await serverDiary(user));
    expect(phone.has(meals[3].id)).toBe(false);
    expect(phone.get(meals[1].id)?.mealDescription).toBe('meal 1, corrected');

    // A phone that saw nothing yet learns only of the deletion's id, and ends equal too.
    const fresh = new Map<string, { mealDescription: string }>();
    await syncInto(user, fresh, second.syncCursor, 100);
    await syncInto(user, fresh, '2000-01-01T00:00:00Z', 3);
    expect(descriptions(fresh)).toEqual(await serverDiary(user));
  });

  it('when a sync page lists a deletion, then it carries the id and time and no meal', async () => {
    const user = await member();
    const meal = await logMeal(user);
    await t.http
      .delete(`/api/nutrition/meals/${meal.id}`)
      .set('Authorization', user.auth)
      .expect(204);
    const res = await t.http
      .get('/api/nutrition/meals?updatedSince=2000-01-01T00:00:00Z')
      .set('Authorization', user.auth)
      .expect(200);
    expect(res.body.items).toEqual([]);
    expect(res.body.deleted).toEqual([{ id: meal.id, deletedAt: expect.any(String) }]);
    expect(res.body.nextCursor).toBeNull();
  });

  it('when a meal was written with a time before the last sync cursor, then the next sync still returns it', async () => {
    const user = await member();
    const phone = new Map<string, { mealDescription: string }>();
    const { syncCursor } = await syncInto(user, phone, '2000-01-01T00:00:00Z', 10);
    // What a transaction that began before the sync and committed after it leaves behind.
    const lateTime = new Date(new Date(syncCursor).getTime() - 60_000);
    const [late] = await t.container.database.db
      .insert(mealLogs)
      .values({
        userId: user.row.id,
        day: localDay(lateTime, 'UTC'),
        mealType: 'snack',
        mealDescription: 'committed late',
        consumedAt: lateTime,
        ...macros,
        source: 'manual',
        createdAt: lateTime,
        updatedAt: lateTime,
      })
      .returning();
    await syncInto(user, phone, syncCursor, 10);
    expect(phone.get(late!.id)?.mealDescription).toBe('committed late');
  });

  it.runIf(process.env.TEST_DATABASE_URL)(
    'when a write commits after a sync that it started before, then the next sync returns it (PostgreSQL)',
    async () => {
      const user = await member();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let inserted!: () => void;
      const wasInserted = new Promise<void>((resolve) => (inserted = resolve));
      const writer = t.container.database.db.transaction(async (tx) => {
        await tx.insert(mealLogs).values({
          userId: user.row.id,
          day: localDay(new Date(), 'UTC'),
          mealType: 'snack',
          mealDescription: 'slow writer',
          consumedAt: new Date(),
          ...macros,
          source: 'manual',
        });
        inserted();
        await held;
      });
      await wasInserted;
      const phone = new Map<string, { mealDescription: string }>();
      const { syncCursor } = await syncInto(user, phone, '2000-01-01T00:00:00Z', 10);
      expect(phone.size).toBe(0);
      release();
      await writer;
      const [row] = await mealsOf(user.row.id);
      expect(row!.updatedAt.getTime()).toBeLessThan(new Date(syncCursor).getTime());
      await syncInto(user, phone, syncCursor, 10);
      expect([...descriptions(phone).values()]).toEqual(['slow writer']);
    },
  );

  it('when another member syncs, then they see none of this member’s changes', async () => {
    const owner = await member();
    const other = await member();
    const meal = await logMeal(owner);
    await t.http
      .delete(`/api/nutrition/meals/${meal.id}`)
      .set('Authorization', owner.auth)
      .expect(204);
    await logMeal(owner);
    const res = await t.http
      .get('/api/nutrition/meals?updatedSince=2000-01-01T00:00:00Z')
      .set('Authorization', other.auth)
      .expect(200);
    expect(res.body).toMatchObject({ items: [], deleted: [], nextCursor: null });
  });
});

describe('copying meals', () => {
  it('when a meal is copied to a day, then the copy is at the same local time with source copy', async () => {
    const user = await member({ timezone: 'Europe/Berlin' });
    const original = await logMeal(user, {
      consumedAt: '2026-01-10T07:15:00.000Z', // 08:15 in Berlin
      macros: undefined,
      mealDescription: undefined,
      items: [{ foodId: OATS, grams: 60 }],
    });
    const res = await t.http
      .post(`/api/nutrition/meals/${original.id}/copy`)
      .set('Authorization', user.auth)
      .send({ date: '2026-07-04', mealType: 'snack' })
      .expect(201);
    expect(res.body).toMatchObject({
      day: '2026-07-04',
      consumedAt: '2026-07-04T06:15:00.000Z', // 08:15 in Berlin, summer time
      mealType: 'snack',
      mealDescription: original.mealDescription,
      macros: original.macros,
      items: original.items,
      source: 'copy',
    });
    expect(res.body.id).not.toBe(original.id);
  });

  it('when no date is given, then the copy lands today and not in the future', async () => {
    const user = await member();
    const original = await logMeal(user, {
      consumedAt: new Date(Date.now() - 24 * 3600_000 + 3 * 3600_000).toISOString(),
    });
    const before = localDay(new Date(), 'UTC');
    const res = await t.http
      .post(`/api/nutrition/meals/${original.id}/copy`)
      .set('Authorization', user.auth)
      .send({})
      .expect(201);
    expect([before, localDay(new Date(), 'UTC')]).toContain(res.body.day);
    expect(new Date(res.body.consumedAt).getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('when the copy’s date is after today, then 400 names it', async () => {
    const user = await member();
    const original = await logMeal(user);
    const res = await t.http
      .post(`/api/nutrition/meals/${original.id}/copy`)
      .set('Authorization', user.auth)
      .send({ date: '2999-01-01' })
      .expect(400);
    expect(pathsOf(res.body)).toEqual(['body.date']);
  });

  it('when a day is copied, then all its meals (or those of the types asked) are copied at once', async () => {
    const user = await member();
    await logMeal(user, {
      consumedAt: '2026-01-20T07:00:00.000Z',
      mealType: 'breakfast',
      mealDescription: 'eggs',
    });
    await logMeal(user, {
      consumedAt: '2026-01-20T12:00:00.000Z',
      mealType: 'lunch',
      mealDescription: 'soup',
    });
    await logMeal(user, {
      consumedAt: '2026-01-20T19:00:00.000Z',
      mealType: 'dinner',
      mealDescription: 'fish',
    });

    const some = await t.http
      .post('/api/nutrition/meals/copy-day')
      .set('Authorization', user.auth)
      .send({ fromDate: '2026-01-20', toDate: '2026-01-21', mealTypes: ['breakfast', 'dinner'] })
      .expect(201);
    expect(some.body.meals.map((m: { mealDescription: string }) => m.mealDescription)).toEqual([
      'eggs',
      'fish',
    ]);

    const all = await t.http
      .post('/api/nutrition/meals/copy-day')
      .set('Authorization', user.auth)
      .set('Idempotency-Key', 'copy-day-1')
      .send({ fromDate: '2026-01-20', toDate: '2026-01-22' })
      .expect(201);
    expect(all.body).toMatchObject({ fromDate: '2026-01-20', toDate: '2026-01-22' });
    expect(all.body.meals.map((m: { consumedAt: string }) => m.consumedAt)).toEqual([
      '2026-01-22T07:00:00.000Z',
      '2026-01-22T12:00:00.000Z',
      '2026-01-22T19:00:00.000Z',
    ]);
    expect(
      all.body.meals.every(
        (m: { source: string; day: string }) => m.source === 'copy' && m.day === '2026-01-22',
      ),
    ).toBe(true);

    const replay = await t.http
      .post('/api/nutrition/meals/copy-day')
      .set('Authorization', user.auth)
      .set('Idempotency-Key', 'copy-day-1')
      .send({ fromDate: '2026-01-20', toDate: '2026-01-22' })
      .expect(201);
    expect(replay.body).toEqual(all.body);
    const day = await t.http
      .get('/api/nutrition/meals?date=2026-01-22')
      .set('Authorization', user.auth)
      .expect(200);
    expect(day.body.meals).toHaveLength(3);
    expect(day.body.totals).toEqual({ calories: 1500, protein: 90, carbs: 150, fat: 60 });
  });

  it('when a copied meal’s listener fails midway, then none of the day’s copies remain', async () => {
    const user = await member();
    await logMeal(user, { consumedAt: '2026-01-25T07:00:00.000Z', mealDescription: 'first' });
    await logMeal(user, { consumedAt: '2026-01-25T12:00:00.000Z', mealDescription: 'second' });
    await logMeal(user, { consumedAt: '2026-01-25T19:00:00.000Z', mealDescription: POISON });
    const copiesBefore = seen.filter((event) => event.day === '2026-01-26').length;

    await t.http
      .post('/api/nutrition/meals/copy-day')
      .set('Authorization', user.auth)
      .send({ fromDate: '2026-01-25', toDate: '2026-01-26' })
      .expect(500);
    // The first two copies were written and announced inside the transaction, then undone.
    expect(seen.filter((event) => event.day === '2026-01-26').length - copiesBefore).toBe(3);
    const rows = await mealsOf(user.row.id);
    expect(rows.filter((row) => row.day === '2026-01-26')).toEqual([]);
    expect(rows).toHaveLength(3);
  });

  it('when the day has nothing to copy, then 404; onto itself, 400', async () => {
    const user = await member();
    await t.http
      .post('/api/nutrition/meals/copy-day')
      .set('Authorization', user.auth)
      .send({ fromDate: '2026-01-01', toDate: '2026-01-02' })
      .expect(404);
    const same = await t.http
      .post('/api/nutrition/meals/copy-day')
      .set('Authorization', user.auth)
      .send({ fromDate: '2026-01-01', toDate: '2026-01-01' })
      .expect(400);
    expect(pathsOf(same.body)).toEqual(['body.toDate']);
  });

  it('when another member copies this member’s day, then they find nothing to copy', async () => {
    const owner = await member();
    const other = await member();
    await logMeal(owner, { consumedAt: '2026-01-28T07:00:00.000Z' });
    await t.http
      .post('/api/nutrition/meals/copy-day')
      .set('Authorization', other.auth)
      .send({ fromDate: '2026-01-28', toDate: '2026-01-29' })
      .expect(404);
    expect(await mealsOf(other.row.id)).toHaveLength(0);
  });
});

describe('GET /api/users/me/export', () => {
  it('when the member has logged meals, then the export lists them, oldest first', async () => {
    const user = await member();
    const other = await member();
    const older = await logMeal(user, { consumedAt: '2026-01-01T08:00:00.000Z' });
    const newer = await logMeal(user, { consumedAt: '2026-01-02T08:00:00.000Z' });
    await logMeal(other);
    const res = await t.http
      .get('/api/users/me/export')
      .set('Authorization', user.auth)
      .expect(200);
    expect(res.body.mealLogs).toEqual([older, newer]);
  });
});
