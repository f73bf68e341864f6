import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quotaKey } from '../../integrations/http/shared-quota.js';
import { fastResilience } from '../../integrations/test-support/integration-harness.js';
import { StubService, type StubReply } from '../../integrations/test-support/stub-service.js';
import { buildSignedInUser } from '../../test-support/factories.js';
import { waitUntil } from '../../test-support/job-test-support.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { mealAnalysisRepository } from './meal-analysis.repository.js';

const TOKEN = 'md-token-5c2e81';
let t: TestApp;
let stub: StubService;
/** What the stub's endpoints answer now; tests switch them (service up, down, wrong). */
let analyzeReply: () => StubReply;
let feedbackReply: () => StubReply;
let analysisCounter = 0;

const analysisAnswer = (confidence: number): StubReply => {
  analysisCounter += 1;
  return {
    json: {
      analysisId: `an_${String(analysisCounter)}`,
      items: [
        {
          name: 'Grilled chicken',
          grams: 150,
          macros: { calories: 248, protein: 46, carbs: 0, fat: 5.4 },
        },
        {
          name: 'White rice',
          grams: 180,
          macros: { calories: 234, protein: 4.9, carbs: 51, fat: 0.5 },
        },
      ],
      macros: { calories: 482, protein: 50.9, carbs: 51, fat: 5.9 },
      confidence,
    },
  };
};
const down: StubReply = { status: 503, json: { error: 'maintenance' } };

beforeAll(async () => {
  stub = await StubService.start();
  stub.requireAuth((request) => request.headers.authorization === `Bearer ${TOKEN}`);
  analyzeReply = () => analysisAnswer(0.64);
  feedbackReply = () => ({ json: { feedbackId: 'fb_1', accepted: true } });
  stub.on('POST', '/v1/analyze/image', () => analyzeReply());
  stub.on('POST', '/v1/correction/feedback', () => feedbackReply());
  t = await createTestApp(
    {
      MEAL_DETECTION_URL: `${stub.url}/v1`,
      MEAL_DETECTION_TOKEN: TOKEN,
      MEAL_ANALYSIS_CONFIRM_BELOW: '0.7',
      MEAL_FEEDBACK_RETRY_DELAY_SECONDS: '1',
    },
    // The breaker must not open on the deliberate outages below and spill into later tests.
    {
      resilience: {
        ...fastResilience,
        breakerWindowSize: 20,
        breakerMinimumCalls: 20,
        maxRetries: 1,
      },
    },
  );
});
afterAll(async () => {
  await t.close();
  await stub.close();
});

const analyzeCalls = () => stub.requestsTo('POST', '/v1/analyze/image');
const feedbackCalls = () => stub.requestsTo('POST', '/v1/correction/feedback');

/** A real photo-sized JPEG, different for each seed. */
async function jpeg(seed: number): Promise<Buffer> {
  return sharp({
    create: {
      width: 1600,
      height: 1200,
      channels: 3,
      background: { r: seed % 256, g: (seed * 7) % 256, b: (seed * 13) % 256 },
    },
  })
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function uploaded(userId: string, bytes: Buffer): Promise<string> {
  const file = await t.container.files.save(userId, {
    purpose: 'meal-image',
    bytes,
    contentType: 'image/jpeg',
    width: 1600,
    height: 1200,
  });
  return file.id;
}

let jobsStarted = false;
async function startJobs() {
  if (!jobsStarted) await t.container.jobs.start();
  jobsStarted = true;
}

async function member() {
  const user = await buildSignedInUser(t);
  return { ...user, id: user.row.id };
}

describe('POST /api/nutrition/meals/analyze', () => {
  it('when a member sends their photo, then the service gets a scaled JPEG with our token and the analysis is stored', async () => {
    const alice = await member();
    const imageId = await uploaded(alice.id, await jpeg(1));
    const before = analyzeCalls().length;

    const res = await t.http
      .post('/api/nutrition/meals/analyze')
      .set('Authorization', alice.auth)
      .send({ imageId })
      .expect(201);

    expect(res.body).toMatchObject({
      imageId,
      items: [
        { name: 'Grilled chicken', grams: 150 },
        { name: 'White rice', grams: 180 },
      ],
      macros: { calories: 482, protein: 50.9, carbs: 51, fat: 5.9 },
      confidence: 0.64,
      needsConfirmation: true,
      status: 'pending',
      mealLogId: null,
    });
    const sent = analyzeCalls().slice(before);
    expect(sent).toHaveLength(1);
    const body = JSON.parse(sent[0]?.body ?? '{}') as {
      image: { base64: string; contentType: string };
    };
    expect(body.image.contentType).toBe('image/jpeg');
    const sentImage = await sharp(Buffer.from(body.image.base64, 'base64')).metadata();
    expect([sentImage.format, sentImage.width, sentImage.height]).toEqual(['jpeg', 1024, 768]);
  });

  it('when the same photo is analysed again, by its owner or another member, then the service is not called again', async () => {
    const alice = await member();
    const bob = await member();
    const bytes = await jpeg(2);
    const aliceImage = await uploaded(alice.id, bytes);
    const first = await t.http
      .post('/api/nutrition/meals/analyze')
      .set('Authorization', alice.auth)
      .send({ imageId: aliceImage })
      .expect(201);
    const calls = analyzeCalls().length;

    const again = await t.http
      .post('/api/nutrition/meals/analyze')
      .set('Authorization', alice.auth)
      .send({ imageId: aliceImage })
      .expect(200);
    const bobImage = await uploaded(bob.id, bytes);
    const bobs = await t.http
      .post('/api/nutrition/meals/analyze')
      .set('Authorization', bob.auth)
      .send({ imageId: bobImage })
      .expect(201);

    expect(analyzeCalls()).toHaveLength(calls);
    expect(again.body.analysisId).toBe(first.body.analysisId);
    expect(bobs.body.analysisId).not.toBe(first.body.analysisId);
    expect(bobs.body).toMatchObject({ imageId: bobImage, items: first.body.items });
  });

  it('when a member names another member’s image or analysis, then 404', async () => {
    const alice = await member();
    const eve = await member();
    const imageId = await uploaded(alice.id, await jpeg(3));
    const analysis = await t.http
      .post('/api/nutrition/meals/analyze')
      .set('Authorization', alice.auth)
      .send({ imageId })
      .expect(201);
    const calls = analyzeCalls().length;

    await t.http
      .post('/api/nutrition/meals/analyze')
      .set('Authorization', eve.auth)
      .send({ imageId })
      .expect(404);
    const id = analysis.body.analysisId as string;
    await t.http
      .get(`/api/nutrition/meals/analyze/${id}`)
      .set('Authorization', eve.auth)
      .expect(404);
    await t.http
      .post(`/api/nutrition/meals/analyze/${id}/confirm`)
      .set('Authorization', eve.auth)
      .send({ mealType: 'lunch', consumedAt: new Date().toISOString() })
      .expect(404);
    await t.http
      .post(`/api/nutrition/meals/analyze/${id}/feedback`)
      .set('Authorization', eve.auth)
      .send({ corrections: [{ itemIndex: 0, correctedGrams: 100 }] })
      .expect(404);
    expect(analyzeCalls()).toHaveLength(calls);
  });

  it('when the service answers a body that breaks its contract, then 502 and nothing is stored', async () => {
    const alice = await member();
    const imageId = await uploaded(alice.id, await jpeg(4));
    analyzeReply = () => ({ json: { analysisId: 'an_x', items: [], macros: {}, confidence: 1.7 } });
    try {
      const res = await t.http
        .post('/api/nutrition/meals/analyze')
        .set('Authorization', alice.auth)
        .send({ imageId })
        .expect(502);
      expect(res.body.code).toBe('UPSTREAM_BAD_RESPONSE');
      expect(res.headers['content-type']).toContain('application/problem+json');
    } finally {
      analyzeReply = () => analysisAnswer(0.9);
    }
    const file = await t.container.files.findOwned(alice.id, imageId);
    expect(
      await mealAnalysisRepository.findForFile(t.container.database.db, alice.id, imageId),
    ).toBeUndefined();
    expect(
      await mealAnalysisRepository.findImageAnalysis(t.container.database.db, file?.sha256 ?? ''),
    ).toBeUndefined();
  });

  it('when the service goes down, then a new photo is 503 pointing to the estimate, and a cached one is still answered', async () => {
    const alice = await member();
    const bob = await member();
    const bytes = await jpeg(5);
    await t.http
      .post('/api/nutrition/meals/analyze')
      .set('Authorization', alice.auth)
      .send({ imageId: await uploaded(alice.id, bytes) })
      .expect(201);

    analyzeReply = () => down;
    try {
      const res = await t.http
        .post('/api/nutrition/meals/analyze')
        .set('Authorization', alice.auth)
        .send({ imageId: await uploaded(alice.id, await jpeg(6)) })
        .expect(503);
      expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
      expect(res.body.detail).toContain('/api/nutrition/meals/estimate');
      expect(res.body.detail).toContain('POST /api/nutrition/meals');

      const calls = analyzeCalls().length;
      const cached = await t.http
        .post('/api/nutrition/meals/analyze')
        .set('Authorization', bob.auth)
        .send({ imageId: await uploaded(bob.id, bytes) })
        .expect(201);
      expect(cached.body.items).toHaveLength(2);
      expect(analyzeCalls()).toHaveLength(calls);
    } finally {
      analyzeReply = () => analysisAnswer(0.9);
    }
  });

  it('when the hourly quota is spent, then 503 with Retry-After and nothing is sent', async () => {
    const alice = await member();
    const imageId = await uploaded(alice.id, await jpeg(7));
    const now = Math.floor(Date.now() / 1000);
    const key = quotaKey('meal-detection', now - (now % 3600));
    await t.container.kv.increment(key, 3_700, 500);
    try {
      const calls = analyzeCalls().length;
      const res = await t.http
        .post('/api/nutrition/meals/analyze')
        .set('Authorization', alice.auth)
        .send({ imageId })
        .expect(503);
      expect(res.body.detail).toContain('quota');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(analyzeCalls()).toHaveLength(calls);
    } finally {
      await t.container.kv.delete(key);
    }
  });
});

describe('confirming an analysis', () => {
  it('when confirmed with corrections, then one meal with the image and points, and the corrections reach the service through the job', async () => {
    const alice = await member();
    const imageId = await uploaded(alice.id, await jpeg(8));
    const analysis = await t.http
      .post('/api/nutrition/meals/analyze')
      .set('Authorization', alice.auth)
      .send({ imageId })
      .expect(201);
    const id = analysis.body.analysisId as string;
    const body = {
      mealType: 'lunch',
      consumedAt: new Date().toISOString(),
      items: [
        { fromItem: 0, name: 'Grilled chicken', grams: 75 },
        { name: 'Olive oil', grams: 10, macros: { calories: 88, protein: 0, carbs: 0, fat: 10 } },
      ],
    };

    const res = await t.http
      .post(`/api/nutrition/meals/analyze/${id}/confirm`)
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', `confirm-${id}`)
      .send(body)
      .expect(201);

    // Chicken halved (248 → 124 kcal), rice removed, oil added.
    expect(res.body.meal).toMatchObject({
      source: 'analysis',
      imageId,
      mealType: 'lunch',
      macros: { calories: 212, protein: 23, carbs: 0, fat: 12.7 },
    });
    expect(res.body.analysis).toMatchObject({ status: 'confirmed', mealLogId: res.body.meal.id });
    expect(res.body.feedback).toMatchObject({ status: 'queued' });
    const me = await t.http.get('/api/users/me').set('Authorization', alice.auth).expect(200);
    expect(me.body.totalPoints).toBeGreaterThan(0);

    const replay = await t.http
      .post(`/api/nutrition/meals/analyze/${id}/confirm`)
      .set('Authorization', alice.auth)
      .set('Idempotency-Key', `confirm-${id}`)
      .send(body)
      .expect(201);
    expect(replay.body.meal.id).toBe(res.body.meal.id);
    const twice = await t.http
      .post(`/api/nutrition/meals/analyze/${id}/confirm`)
      .set('Authorization', alice.auth)
      .send(body)
      .expect(409);
    expect(twice.body.reason).toBe('ANALYSIS_ALREADY_CONFIRMED');
    const day = await t.http
      .get('/api/nutrition/meals')
      .set('Authorization', alice.auth)
      .expect(200);
    expect(
      day.body.meals.filter((meal: { imageId: string }) => meal.imageId === imageId),
    ).toHaveLength(1);

    // Jobs were not running when it was confirmed: the sweep queues the stored corrections.
    const before = feedbackCalls().length;
    await startJobs();
    expect(await t.container.mealAnalysis.queueUndeliveredFeedback(0)).toBeGreaterThan(0);
    await waitUntil(() => feedbackCalls().length > before);
    const [sent] = feedbackCalls().slice(before);
    expect(JSON.parse(sent?.body ?? '{}')).toEqual({
      analysisId: expect.stringMatching(/^an_/) as unknown,
      corrections: [
        { itemIndex: 0, correctedGrams: 75 },
        { itemIndex: 1, removed: true },
      ],
      addedItems: [{ name: 'Olive oil', grams: 10 }],
    });
    expect(sent?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('when feedback is sent while the service is down, then 202, and the job delivers it exactly once after the service is back', async () => {
    const alice = await member();
    const imageId = await uploaded(alice.id, await jpeg(9));
    const analysis = await t.http
      .post('/api/nutrition/meals/analyze')
      .set('Authorization', alice.auth)
      .send({ imageId })
      .expect(201);
    const id = analysis.body.analysisId as string;
    const corrections = { corrections: [{ itemIndex: 1, correctedName: 'Brown rice' }] };
    let delivered = 0;
    feedbackReply = () => down;
    await startJobs();

    const res = await t.http
      .post(`/api/nutrition/meals/analyze/${id}/feedback`)
      .set('Authorization', alice.auth)
      .send(corrections)
      .expect(202);
    expect(res.body.status).toBe('queued');
    const afterInline = feedbackCalls().length;
    // The job's first run meets the outage too, then the service comes back for its retry.
    await waitUntil(() => feedbackCalls().length > afterInline);
    feedbackReply = () => {
      delivered += 1;
      return { json: { feedbackId: 'fb_late', accepted: true } };
    };
    const feedbackId = res.body.feedbackId as string;
    await waitUntil(
      async () =>
        (await mealAnalysisRepository.findFeedback(t.container.database.db, feedbackId))
          ?.deliveredAt != null,
    );
    expect(delivered).toBe(1);
    const row = await mealAnalysisRepository.findFeedback(t.container.database.db, feedbackId);
    expect(row?.serviceFeedbackId).toBe('fb_late');

    const again = await t.http
      .post(`/api/nutrition/meals/analyze/${id}/feedback`)
      .set('Authorization', alice.auth)
      .send(corrections)
      .expect(409);
    expect(again.body.reason).toBe('FEEDBACK_ALREADY_SENT');
    expect(delivered).toBe(1);
  });

  it('when the service is up, then feedback is forwarded at once (200) and an index out of range is a 400', async () => {
    const alice = await member();
    const imageId = await uploaded(alice.id, await jpeg(10));
    const analysis = await t.http
      .post('/api/nutrition/meals/analyze')
      .set('Authorization', alice.auth)
      .send({ imageId })
      .expect(201);
    const id = analysis.body.analysisId as string;
    feedbackReply = () => ({ json: { feedbackId: 'fb_now', accepted: true } });

    const bad = await t.http
      .post(`/api/nutrition/meals/analyze/${id}/feedback`)
      .set('Authorization', alice.auth)
      .send({ corrections: [{ itemIndex: 7, removed: true }] })
      .expect(400);
    expect(bad.body.errors).toEqual([
      { path: 'body.corrections.0.itemIndex', message: 'the analysis has 2 items' },
    ]);
    const res = await t.http
      .post(`/api/nutrition/meals/analyze/${id}/feedback`)
      .set('Authorization', alice.auth)
      .send({ corrections: [{ itemIndex: 0, correctedGrams: 120 }] })
      .expect(200);
    expect(res.body.status).toBe('delivered');
  });
});

describe('POST /api/nutrition/meals/estimate', () => {
  it('when a description is sent, then its foods come back with grams, macros and the words not understood', async () => {
    const alice = await member();
    const res = await t.http
      .post('/api/nutrition/meals/estimate')
      .set('Authorization', alice.auth)
      .send({ description: '2 eggs, a slice of wholemeal toast and a latte with a zorgblat' })
      .expect(200);

    expect(
      res.body.items.map((item: { name: string; grams: number }) => [item.name, item.grams]),
    ).toEqual([
      ['Egg, whole, raw weight', 100],
      ['Whole-wheat bread', 32],
      ['Caffè latte, whole milk', 360],
    ]);
    expect(res.body.macros.calories).toBe(400);
    expect(res.body.unrecognized).toEqual(['a zorgblat']);
    await t.http
      .post('/api/nutrition/meals/estimate')
      .set('Authorization', alice.auth)
      .send({ description: 'toast', guess: true })
      .expect(400);
    await t.http.post('/api/nutrition/meals/estimate').send({ description: 'toast' }).expect(401);
  });
});
