import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fastResilience } from '../../integrations/test-support/integration-harness.js';
import { OAuthTokenStub, TOKEN_PATH } from '../../integrations/test-support/stub-credentials.js';
import { StubService, type StubReply } from '../../integrations/test-support/stub-service.js';
import { buildSignedInUser } from '../../test-support/factories.js';
import { waitUntil } from '../../test-support/job-test-support.js';
import {
  connectSocket,
  connected,
  nextEvent,
  recordEvents,
} from '../../test-support/socket-test-support.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { files } from '../files/index.js';
import { MAX_POLLS } from './scan-processing.js';
import { scans } from './scans.table.js';

const CLIENT = { id: 'nxg-scans', secret: 'scan-client-secret/with+odd chars' };
const WEBHOOK_SECRET = 'whsec-0123456789abcdef0123456789abcdef';
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

/** A glTF 2 binary whose every byte is ASCII, so the stub can send it as text. */
const GLB = Buffer.concat([
  Buffer.from('glTF', 'ascii'),
  Buffer.from([2, 0, 0, 0, 48, 0, 0, 0]),
  Buffer.from('{"asset":{"version":"2.0"}}     '.padEnd(36, ' '), 'ascii'),
]);

/**
 * The 3D Scanning service on loopback: a real OAuth token endpoint checking our client
 * credentials and the bearer tokens it issued, the three API routes, and a CDN of its own for
 * the models (no credentials there).
 */
class ScanningStub {
  readonly oauth: OAuthTokenStub;
  /** What GET /processing/status answers per job. */
  readonly statuses = new Map<string, StubReply>();
  processReply: () => StubReply = () => ({
    status: 202,
    json: { jobId: 'job_s', status: 'queued' },
  });
  private jobs = 0;

  private constructor(
    readonly stub: StubService,
    readonly cdn: StubService,
  ) {
    this.oauth = new OAuthTokenStub(CLIENT, stub);
    stub
      .on('POST', '/v1/scans/process', () => this.processReply())
      .on('POST', '/v1/avatars/generate', () => {
        this.jobs += 1;
        return {
          status: 202,
          json: { jobId: `job_avatar_${String(this.jobs)}`, status: 'processing' },
        };
      })
      .on('GET', '/v1/processing/status', (request) => {
        const jobId = request.query.get('jobId') ?? '';
        return this.statuses.get(jobId) ?? { status: 404, json: { error: 'unknown job' } };
      });
    cdn.on('GET', '/models/avatar.glb', () => ({
      text: GLB.toString('latin1'),
      headers: { 'Content-Type': 'model/gltf-binary' },
    }));
  }

  static async start(): Promise<ScanningStub> {
    return new ScanningStub(await StubService.start(), await StubService.start());
  }

  async close(): Promise<void> {
    await this.stub.close();
    await this.cdn.close();
  }

  get modelUrl(): string {
    return `${this.cdn.url}/models/avatar.glb`;
  }

  env(): Record<string, string> {
    return {
      SCANNING_SERVICE_URL: `${this.stub.url}/v1`,
      SCANNING_TOKEN_URL: `${this.stub.url}${TOKEN_PATH}`,
      SCANNING_CLIENT_ID: CLIENT.id,
      SCANNING_CLIENT_SECRET: CLIENT.secret,
      SCANNING_WEBHOOK_SECRET: WEBHOOK_SECRET,
      SCAN_UPLOAD_MAX_KB: '8',
    };
  }

  completed(
    jobId: string,
    avatarUrl: string | null,
    metrics: Record<string, number> = {},
  ): StubReply {
    return {
      json: {
        jobId,
        status: 'completed',
        progress: 1,
        result: { avatarUrl, metrics },
        error: null,
      },
    };
  }

  processing(jobId: string, progress: number): StubReply {
    return { json: { jobId, status: 'processing', progress, result: null, error: null } };
  }
}

/** Signs as the service does, written from the documented scheme, not from our verifier. */
function signature(body: string, timestamp: string, secret = WEBHOOK_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

const nowSeconds = () => String(Math.floor(Date.now() / 1000));

async function postWebhook(
  t: TestApp,
  event: Record<string, unknown>,
  options: { timestamp?: string; secret?: string; signature?: string | null } = {},
) {
  const body = JSON.stringify(event);
  const timestamp = options.timestamp ?? nowSeconds();
  const request = t.http
    .post('/api/webhooks/scanning')
    .set('Content-Type', 'application/json')
    .set('X-Scanning-Timestamp', timestamp);
  const signed =
    options.signature === undefined
      ? signature(body, timestamp, options.secret)
      : options.signature;
  if (signed !== null) request.set('X-Scanning-Signature', signed);
  return request.send(body);
}

async function memberWithProfile(
  t: TestApp,
  heightCm: number | null = 178,
  timezone = 'Europe/Berlin',
) {
  const member = await buildSignedInUser(t);
  const patched = await t.http
    .patch('/api/users/me')
    .set('Authorization', member.auth)
    .send({ profile: { demographics: { heightCm }, timezone } });
  expect(patched.status).toBe(200);
  return member;
}

const upload = (t: TestApp, auth: string, bytes: Buffer, name = 'export.csv') =>
  t.http.post('/api/upload/scan-data').set('Authorization', auth).attach('file', bytes, name);

const scanRow = async (t: TestApp, id: string) => {
  const [row] = await t.container.database.db.select().from(scans).where(eq(scans.id, id));
  if (!row) throw new Error(`no scan ${id}`);
  return row;
};

describe('scans without the job runner (steps driven directly)', () => {
  let t: TestApp;
  let service: ScanningStub;
  let baseUrl: string;

  beforeAll(async () => {
    service = await ScanningStub.start();
    t = await createTestApp(service.env(), { resilience: fastResilience });
    baseUrl = await t.listen();
  });
  afterAll(async () => {
    await t.close();
    await service.close();
  });
  beforeEach(() => {
    service.statuses.clear();
    service.processReply = () => ({
      status: 202,
      json: { jobId: `job_${crypto.randomUUID()}`, status: 'queued' },
    });
  });
  afterEach(() => {
    expect(t.logs.text).not.toContain(CLIENT.secret);
    expect(t.logs.text).not.toContain(WEBHOOK_SECRET);
  });

  it('when an InBody export is uploaded, then 202, and the newest row is a body-composition entry (inbody) at its local time, with the raw file kept', async () => {
    const member = await memberWithProfile(t);

    const response = await upload(t, member.auth, fixture('inbody-app-export.csv'));

    expect(response.status).toBe(202);
    expect(response.body).toEqual({ scanId: expect.any(String), status: 'processing' });
    const scan = await t.http
      .get(`/api/scans/${response.body.scanId as string}`)
      .set('Authorization', member.auth);
    expect(scan.body).toMatchObject({
      status: 'processing',
      // 08:30:12 on the device, in Berlin (UTC+1 in March).
      measuredAt: '2026-03-01T07:30:12.000Z',
      metrics: {
        heightCm: 178,
        weightKg: 81.4,
        bodyFatPercentage: 18.2,
        skeletalMuscleMassKg: 37.9,
      },
      avatarUrl: null,
      completedAt: null,
    });
    const entries = await t.http
      .get('/api/users/me/body-composition')
      .set('Authorization', member.auth);
    expect(entries.body.items).toEqual([
      expect.objectContaining({
        id: scan.body.bodyCompositionId,
        source: 'inbody',
        measuredAt: '2026-03-01T07:30:12.000Z',
        weightKg: 81.4,
        visceralFatLevel: 7,
      }),
    ]);
    const row = await scanRow(t, response.body.scanId as string);
    const [raw] = await t.container.database.db
      .select()
      .from(files)
      .where(eq(files.id, row.dataFileId ?? ''));
    expect(raw).toMatchObject({
      purpose: 'scan-data',
      contentType: 'text/csv',
      referencedAt: expect.any(Date),
    });
  });

  it('when neither the file nor the profile gives a height, then 422 names it and nothing is stored', async () => {
    const member = await memberWithProfile(t, null);

    const response = await upload(t, member.auth, fixture('inbody-app-export-lb-semicolon.csv'));

    expect(response.status).toBe(422);
    expect(response.headers['content-type']).toMatch(/problem\+json/);
    expect(response.body.errors).toEqual([
      { path: 'profile.demographics.heightCm', message: expect.stringMatching(/height/) },
    ]);
    const list = await t.http.get('/api/scans').set('Authorization', member.auth);
    expect(list.body.items).toEqual([]);
    const entries = await t.http
      .get('/api/users/me/body-composition')
      .set('Authorization', member.auth);
    expect(entries.body.items).toEqual([]);
  });

  it('when the form or the file is wrong, then 400, 413 or 415 as problems, and without a token 401', async () => {
    const member = await memberWithProfile(t);
    const csv = fixture('inbody-app-export.csv');

    const twoFiles = await t.http
      .post('/api/upload/scan-data')
      .set('Authorization', member.auth)
      .attach('file', csv, 'a.csv')
      .attach('file', csv, 'b.csv');
    const wrongPart = await t.http
      .post('/api/upload/scan-data')
      .set('Authorization', member.auth)
      .attach('scan', csv, 'a.csv');
    const unknownField = await upload(t, member.auth, csv).field('shoeSize', '44');
    const tooLarge = await upload(t, member.auth, Buffer.alloc(9 * 1024, 0x41));
    const notMultipart = await t.http
      .post('/api/upload/scan-data')
      .set('Authorization', member.auth)
      .send({ weightKg: 80 });
    const pdf = await upload(
      t,
      member.auth,
      Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(200, 1)]),
      'scan.pdf',
    );
    const anonymous = await t.http.post('/api/upload/scan-data').attach('file', csv, 'a.csv');

    expect(twoFiles.status).toBe(400);
    expect(wrongPart.status).toBe(400);
    expect(wrongPart.body.errors).toEqual([
      { path: 'body.scan', message: expect.stringMatching(/send exactly one, as "file"/) },
    ]);
    expect(unknownField.status).toBe(400);
    expect(tooLarge.status).toBe(413);
    expect(notMultipart.status).toBe(415);
    expect(pdf.status).toBe(415);
    expect(anonymous.status).toBe(401);
    for (const response of [twoFiles, tooLarge, notMultipart, pdf]) {
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it('when a JSON document is uploaded, then it becomes a scan; another member sees neither it nor the list entry', async () => {
    const member = await memberWithProfile(t);
    const other = await memberWithProfile(t);

    const response = await upload(t, member.auth, fixture('scan-document.json'), 'scan.json');

    expect(response.status).toBe(202);
    const id = response.body.scanId as string;
    const own = await t.http.get('/api/scans').set('Authorization', member.auth);
    expect(own.body.items.map((item: { id: string }) => item.id)).toEqual([id]);
    expect(own.body.items[0].metrics.segmentalLeanMassKg).toEqual({
      leftArm: 3.6,
      rightArm: 3.7,
      trunk: 28.4,
      leftLeg: 9.9,
      rightLeg: 10,
    });
    expect((await t.http.get(`/api/scans/${id}`).set('Authorization', other.auth)).status).toBe(
      404,
    );
    expect((await t.http.get('/api/scans').set('Authorization', other.auth)).body.items).toEqual(
      [],
    );
  });

  it('when the service is down, then the step is retried later and then succeeds with the client credentials and a bearer token', async () => {
    const member = await memberWithProfile(t);
    const { body } = await upload(t, member.auth, fixture('inbody-app-export.csv'));
    const id = body.scanId as string;
    service.processReply = () => ({ status: 503, json: { error: 'maintenance' } });

    await t.container.scanProcessing.advance(id);

    const deferred = await scanRow(t, id);
    expect(deferred).toMatchObject({
      status: 'processing',
      stage: 'submit-scan',
      transientFailures: 1,
      claimedUntil: null,
    });
    expect(deferred.nextStepAt?.getTime()).toBeGreaterThan(Date.now());

    service.processReply = () => ({
      status: 202,
      json: { jobId: 'job_after_outage', status: 'queued' },
    });
    // The failed attempts opened the circuit breaker: later runs of the step are refused locally
    // until it half-opens, and are rescheduled the same way, until one gets through.
    await waitUntil(async () => {
      await t.container.scanProcessing.advance(id);
      return (await scanRow(t, id)).stage === 'scan';
    });

    expect(await scanRow(t, id)).toMatchObject({
      stage: 'scan',
      scanJobId: 'job_after_outage',
      scanJobStatus: 'queued',
      transientFailures: 0,
    });
    const sent = service.stub.requestsTo('POST', '/v1/scans/process').at(-1);
    expect(sent?.headers.authorization).toMatch(/^Bearer [0-9a-f]{32}$/);
    expect(JSON.parse(sent?.body ?? '{}')).toMatchObject({
      clientReference: id,
      scan: {
        device: 'inbody',
        heightCm: 178,
        weightKg: 81.4,
        bodyFatPercent: 18.2,
        skeletalMuscleMassKg: 37.9,
        visceralFatLevel: 7,
      },
    });
    // The tokens came from the token endpoint, with the client's Basic credentials.
    expect(service.oauth.tokenRequests).toBeGreaterThan(0);
  });

  it('when the hourly quota is spent, then the step waits for the next window without counting as a failure or reaching the service', async () => {
    const member = await memberWithProfile(t);
    const { body } = await upload(t, member.auth, fixture('inbody-app-export.csv'));
    const id = body.scanId as string;
    const windowStart = Math.floor(Date.now() / 1000 / 3600) * 3600;
    await t.container.kv.increment(`rl:quota:scanning:${String(windowStart)}`, 3700, 100);
    const before = service.stub.requestsTo('POST', '/v1/scans/process').length;

    try {
      await t.container.scanProcessing.advance(id);
    } finally {
      await t.container.kv.delete(`rl:quota:scanning:${String(windowStart)}`);
    }

    const row = await scanRow(t, id);
    expect(row).toMatchObject({ status: 'processing', stage: 'submit-scan', transientFailures: 0 });
    expect(row.nextStepAt?.getTime()).toBeGreaterThan(Date.now());
    expect(row.nextStepAt?.getTime()).toBeLessThanOrEqual((windowStart + 3601) * 1000);
    expect(service.stub.requestsTo('POST', '/v1/scans/process')).toHaveLength(before);
  });

  it('when no callback comes, then status polls back off and the scan fails as timed out after the last one, telling the member', async () => {
    const member = await memberWithProfile(t);
    const { body } = await upload(t, member.auth, fixture('inbody-app-export.csv'));
    const id = body.scanId as string;
    service.processReply = () => ({ status: 202, json: { jobId: 'job_slow', status: 'queued' } });
    await t.container.scanProcessing.advance(id);
    service.statuses.set('job_slow', service.processing('job_slow', 0.2));
    const socket = await connected(
      connectSocket(baseUrl, '/workouts', { token: member.session.accessToken }),
    );
    const notified = recordEvents(socket, 'notification');
    const delays: number[] = [];
    for (let poll = 1; poll < MAX_POLLS; poll++) {
      await t.container.scanProcessing.advance(id);
      const row = await scanRow(t, id);
      expect(row).toMatchObject({
        status: 'processing',
        stage: 'scan',
        pollCount: poll,
        progress: 0.1,
      });
      delays.push(Math.round(((row.nextStepAt?.getTime() ?? 0) - row.updatedAt.getTime()) / 1000));
    }
    expect(delays).toEqual([60, 120, 240, 480, 900, 900, 900, 900, 900, 900, 900]);

    await t.container.scanProcessing.advance(id);

    const scan = await t.http.get(`/api/scans/${id}`).set('Authorization', member.auth);
    expect(scan.body).toMatchObject({
      status: 'failed',
      failureReason: expect.stringMatching(/in time/),
      completedAt: expect.any(String),
    });
    expect(service.stub.requestsTo('GET', '/v1/processing/status')).toHaveLength(MAX_POLLS);
    await waitUntil(() => notified.length > 0);
    expect(notified).toEqual([
      expect.objectContaining({ type: 'scan-finished', scanId: id, status: 'failed' }),
    ]);
    socket.close();
  });

  it('when callbacks arrive, then only signed, fresh ones count; replays and older statuses change nothing; unknown jobs are acknowledged', async () => {
    const member = await memberWithProfile(t);
    const { body } = await upload(t, member.auth, fixture('inbody-app-export.csv'));
    const id = body.scanId as string;
    service.processReply = () => ({ status: 202, json: { jobId: 'job_hooked', status: 'queued' } });
    await t.container.scanProcessing.advance(id);
    const processing = {
      eventId: 'evt_1',
      jobId: 'job_hooked',
      status: 'processing',
      progress: 0.4,
    };
    const completed = {
      eventId: 'evt_2',
      jobId: 'job_hooked',
      status: 'completed',
      progress: 1,
      result: { avatarUrl: null, metrics: { waistCm: 84.2 } },
    };

    const unsigned = await postWebhook(t, processing, { signature: null });
    const wrongSecret = await postWebhook(t, processing, {
      secret: 'someone-else-0123456789abcdef0123',
    });
    const stale = await postWebhook(t, processing, {
      timestamp: String(Math.floor(Date.now() / 1000) - 301),
    });
    expect([unsigned.status, wrongSecret.status, stale.status]).toEqual([401, 401, 401]);
    expect(stale.body.detail).toMatch(/300 s/);
    expect(await scanRow(t, id)).toMatchObject({ scanJobStatus: 'queued', progress: 0 });

    expect((await postWebhook(t, processing)).status).toBe(200);
    expect(await scanRow(t, id)).toMatchObject({ scanJobStatus: 'processing', progress: 0.2 });
    expect((await postWebhook(t, completed)).body).toEqual({ received: true });
    const afterCompleted = await scanRow(t, id);
    expect(afterCompleted).toMatchObject({
      scanJobStatus: 'completed',
      stage: 'submit-avatar',
      serviceMetrics: { waistCm: 84.2 },
    });

    // The same event again, and an older status under a new id: both acknowledged, neither applied.
    expect((await postWebhook(t, processing)).status).toBe(200);
    expect((await postWebhook(t, { ...processing, eventId: 'evt_3', progress: 0.6 })).status).toBe(
      200,
    );
    const unchanged = await scanRow(t, id);
    expect(unchanged).toMatchObject({
      scanJobStatus: 'completed',
      stage: 'submit-avatar',
      progress: 0.5,
    });
    expect(unchanged.updatedAt).toEqual(afterCompleted.updatedAt);

    const unknown = await postWebhook(t, { ...completed, eventId: 'evt_x', jobId: 'job_nobody' });
    expect(unknown.status).toBe(200);
    const malformed = await postWebhook(t, {
      eventId: 'evt_4',
      jobId: 'job_hooked',
      status: 'exploded',
    });
    expect(malformed.status).toBe(400);
  });
});

describe('scans with the job runner', () => {
  let t: TestApp;
  let service: ScanningStub;

  beforeEach(async () => {
    service = await ScanningStub.start();
    t = await createTestApp(
      { ...service.env(), SCAN_DISPATCH_INTERVAL_SECONDS: '1' },
      { resilience: fastResilience },
    );
    await t.container.jobs.start();
  });
  afterEach(async () => {
    await t.close();
    await service.close();
  });

  it('when the scan and avatar jobs call back, then the model is copied into storage, shown as a file, and the member hears of it on their socket', async () => {
    const baseUrl = await t.listen();
    const member = await memberWithProfile(t);
    const socket = await connected(
      connectSocket(baseUrl, '/workouts', { token: member.session.accessToken }),
    );
    try {
      service.processReply = () => ({ status: 202, json: { jobId: 'job_e2e', status: 'queued' } });
      const { body } = await upload(t, member.auth, fixture('lookinbody120-export.csv'));
      const id = body.scanId as string;
      await waitUntil(async () => (await scanRow(t, id)).stage === 'scan');

      await postWebhook(t, {
        eventId: 'evt_scan_done',
        jobId: 'job_e2e',
        status: 'completed',
        progress: 1,
        result: { avatarUrl: null, metrics: { waistCm: 82 } },
      });
      await waitUntil(async () => (await scanRow(t, id)).stage === 'avatar');
      const avatarRequest = JSON.parse(
        service.stub.requestsTo('POST', '/v1/avatars/generate')[0]?.body ?? '{}',
      );
      expect(avatarRequest).toMatchObject({
        clientReference: id,
        scanJobId: 'job_e2e',
        measurements: { heightCm: 177.8, weightKg: 76.9, bodyFatPercent: 21.6, waistCm: 82 },
        format: 'glb',
      });
      const avatarJob = (await scanRow(t, id)).avatarJobId ?? '';
      const notification = nextEvent(
        socket,
        'notification',
        (payload) => payload.scanId === id,
        60_000,
      );

      await postWebhook(t, {
        eventId: 'evt_avatar_done',
        jobId: avatarJob,
        status: 'completed',
        progress: 1,
        result: { avatarUrl: service.modelUrl, metrics: {} },
      });

      expect(await notification).toMatchObject({
        type: 'scan-finished',
        status: 'completed',
        title: 'Your body scan is ready',
      });
      const scan = await t.http.get(`/api/scans/${id}`).set('Authorization', member.auth);
      expect(scan.body).toMatchObject({
        status: 'completed',
        progress: 1,
        avatarUrl: expect.stringMatching(/^\/api\/files\/[0-9a-f-]{36}$/),
      });
      const fileId = (scan.body.avatarUrl as string).split('/').pop() ?? '';
      const stored = await t.container.files.findOwned(member.row.id, fileId, 'scan-model');
      expect(stored).toMatchObject({
        contentType: 'model/gltf-binary',
        referencedAt: expect.any(Date),
      });
      expect(stored && (await t.container.files.readBytes(stored))).toEqual(GLB);
      // The CDN got no credentials.
      expect(
        service.cdn.requestsTo('GET', '/models/avatar.glb')[0]?.headers.authorization,
      ).toBeUndefined();
    } finally {
      socket.close();
    }
  });
});
