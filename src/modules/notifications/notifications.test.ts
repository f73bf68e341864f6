import { and, eq } from 'drizzle-orm';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedInUser } from '../../test-support/factories.js';
import { queryRows, waitUntil } from '../../test-support/job-test-support.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { WebPushService, type TestSubscription } from '../../test-support/web-push-service.js';
import { users } from '../users/users.table.js';
import type { NotificationRequest } from './notifier.js';
import { pushDeliveries, pushDevices } from './notifications.table.js';
import { quietHoursEnd } from './quiet-hours.js';

const vapid = webpush.generateVAPIDKeys();
const SUBJECT = 'mailto:push@nxg.test';
let push: WebPushService;
let t: TestApp;

const pushEnv = () => ({
  VAPID_PUBLIC_KEY: vapid.publicKey,
  VAPID_PRIVATE_KEY: vapid.privateKey,
  VAPID_SUBJECT: SUBJECT,
  WEB_PUSH_ENDPOINT_HOSTS: '127.0.0.1',
  PUSH_RETRY_DELAY_SECONDS: '1',
  PUSH_DISPATCH_INTERVAL_SECONDS: '1',
});

beforeAll(async () => {
  push = await WebPushService.start(vapid.publicKey);
  t = await createTestApp(pushEnv(), { webPushAgent: push.agent });
  await t.container.jobs.start();
});
afterAll(async () => {
  await t.close();
  await push.close();
});

type Member = Awaited<ReturnType<typeof buildSignedInUser>>;

const note = (member: Member, extra: Partial<NotificationRequest> = {}): NotificationRequest => ({
  userId: member.row.id,
  kind: 'new-follower',
  title: 'New follower',
  body: 'Ada follows you now.',
  data: { followerId: 'a1' },
  ...extra,
});

async function register(member: Member, subscription: TestSubscription, asString = false) {
  const json = { endpoint: subscription.endpoint, keys: subscription.keys };
  return t.http
    .post('/api/notifications/register')
    .set('Authorization', member.auth)
    .send({ platform: 'web', token: asString ? JSON.stringify(json) : json });
}

async function inbox(member: Member, query = '') {
  const response = await t.http.get(`/api/notifications${query}`).set('Authorization', member.auth);
  expect(response.status).toBe(200);
  return response.body as {
    items: { id: string; kind: string; body: string; readAt: string | null }[];
    nextCursor: string | null;
    unreadCount: number;
  };
}

const deliveriesOf = (notificationId: string) =>
  t.container.database.db
    .select()
    .from(pushDeliveries)
    .where(eq(pushDeliveries.notificationId, notificationId));

describe('inbox', () => {
  it('when a member has notifications, then they page newest first with the unread count, and reading them counts down', async () => {
    const member = await buildSignedInUser(t);
    for (const body of ['first', 'second', 'third']) {
      await t.container.notifier.notify(note(member, { body }));
    }
    const page1 = await inbox(member, '?limit=2');
    expect(page1.items.map((item) => item.body)).toEqual(['third', 'second']);
    expect(page1.unreadCount).toBe(3);
    const page2 = await inbox(member, `?limit=2&cursor=${String(page1.nextCursor)}`);
    expect(page2).toMatchObject({ items: [{ body: 'first' }], nextCursor: null });

    const [newest] = page1.items;
    const read = await t.http
      .post(`/api/notifications/${String(newest?.id)}/read`)
      .set('Authorization', member.auth);
    expect(read.status).toBe(200);
    expect(read.body.readAt).toEqual(expect.any(String));
    expect((await inbox(member)).unreadCount).toBe(2);

    const all = await t.http.post('/api/notifications/read-all').set('Authorization', member.auth);
    expect(all.body).toEqual({ updated: 2, unreadCount: 0 });
    expect((await inbox(member)).unreadCount).toBe(0);
  });

  it('when another member marks a notification read, then it is a 404 and stays unread', async () => {
    const owner = await buildSignedInUser(t);
    const other = await buildSignedInUser(t);
    await t.container.notifier.notify(note(owner));
    const [item] = (await inbox(owner)).items;
    const response = await t.http
      .post(`/api/notifications/${String(item?.id)}/read`)
      .set('Authorization', other.auth);
    expect(response.status).toBe(404);
    expect((await inbox(owner)).unreadCount).toBe(1);
    expect((await inbox(other)).items).toEqual([]);
  });

  it('when the same dedupe key is sent twice, then the member has it once', async () => {
    const member = await buildSignedInUser(t);
    await t.container.notifier.notify(note(member, { dedupeKey: 'follow:a1' }));
    await t.container.notifier.notify(note(member, { dedupeKey: 'follow:a1', body: 'again' }));
    expect((await inbox(member)).items.map((item) => item.body)).toEqual(['Ada follows you now.']);
  });
});

describe('preferences', () => {
  it('when preferences are invalid, then each is a 400 naming the field', async () => {
    const member = await buildSignedInUser(t);
    const patch = (body: object) =>
      t.http.patch('/api/notifications/preferences').set('Authorization', member.auth).send(body);
    for (const [body, path] of [
      [{ kinds: { 'no-such-kind': { push: false } } }, 'body.kinds.no-such-kind'],
      [{ kinds: { 'new-follower': { sms: false } } }, 'body.kinds.new-follower.sms'],
      [{ kinds: { 'new-follower': { push: 'no' } } }, 'body.kinds.new-follower.push'],
      [{ quietHours: { start: '22:00', end: '22:00' } }, 'body.quietHours.end'],
      [{ quietHours: { start: '24:00', end: '07:00' } }, 'body.quietHours.start'],
      [{ quietHours: { start: '22:00' } }, 'body.quietHours.end'],
      [{ mute: true }, 'body.mute'],
    ] as const) {
      const response = await patch(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
    }
  });

  it('when a kind’s inbox is turned off, then its notifications stay out of the inbox and the rest are unchanged', async () => {
    const member = await buildSignedInUser(t);
    const response = await t.http
      .patch('/api/notifications/preferences')
      .set('Authorization', member.auth)
      .send({
        kinds: { 'new-follower': { inbox: false } },
        quietHours: { start: '22:00', end: '07:00' },
      });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      kinds: {
        'new-follower': { inbox: false, socket: true, push: true },
        'scan-finished': { inbox: true, socket: true, push: true },
      },
      quietHours: { start: '22:00', end: '07:00' },
      timezone: 'UTC',
      pushAvailable: { ios: false, android: false, web: true },
    });
    await t.container.notifier.notify(note(member));
    await t.container.notifier.notify(note(member, { kind: 'scan-finished', body: 'scan' }));
    expect((await inbox(member)).items.map((item) => item.kind)).toEqual(['scan-finished']);
  });
});

describe('devices', () => {
  it('when a registration is malformed or names an unknown push service, then it is a 400', async () => {
    const member = await buildSignedInUser(t);
    const send = (body: object) =>
      t.http.post('/api/notifications/register').set('Authorization', member.auth).send(body);
    const good = push.subscribe();
    const json = { endpoint: good.endpoint, keys: good.keys };
    for (const body of [
      { platform: 'web', token: { ...json, endpoint: 'https://evil.example/push/1' } },
      { platform: 'web', token: { ...json, endpoint: good.endpoint.replace('https', 'http') } },
      { platform: 'web', token: { ...json, keys: { ...json.keys, auth: 'c2hvcnQ' } } },
      { platform: 'web', token: 'not json' },
      { platform: 'ios', token: 'has spaces in it' },
      { platform: 'ios', token: json },
      { platform: 'blackberry', token: 'abc' },
    ]) {
      expect((await send(body)).status, JSON.stringify(body)).toBe(400);
    }
  });

  it('when a device is registered twice, moved, and removed, then each answer says so', async () => {
    const owner = await buildSignedInUser(t);
    const other = await buildSignedInUser(t);
    const subscription = push.subscribe();
    expect((await register(owner, subscription, true)).status).toBe(201);
    expect((await register(owner, subscription)).status).toBe(200);
    const remove = (member: Member) =>
      t.http
        .delete(`/api/notifications/devices/${encodeURIComponent(subscription.endpoint)}`)
        .set('Authorization', member.auth);
    expect((await remove(other)).status).toBe(404);
    // Registering the same subscription moves it: the previous holder no longer has it.
    expect((await register(other, subscription)).status).toBe(201);
    expect((await remove(owner)).status).toBe(404);
    expect((await remove(other)).status).toBe(204);
    expect((await remove(other)).status).toBe(404);
  });
});

describe('Web Push', () => {
  it('when a member with a browser is notified, then the push service gets it signed with our VAPID key and encrypted for that browser', async () => {
    const member = await buildSignedInUser(t);
    const subscription = push.subscribe();
    expect((await register(member, subscription)).status).toBe(201);
    await t.container.notifier.notify(note(member, { dedupeKey: 'e2e' }));
    await waitUntil(() => push.pushesTo(subscription).length > 0);
    const [received] = push.pushesTo(subscription);
    const [stored] = (await inbox(member)).items;
    expect(received?.payload).toEqual({
      notificationId: stored?.id,
      kind: 'new-follower',
      title: 'New follower',
      body: 'Ada follows you now.',
      data: { followerId: 'a1' },
    });
    expect(received?.claims).toMatchObject({ aud: push.origin, sub: SUBJECT });
    expect(received?.claims.exp).toBeGreaterThan(Date.now() / 1000);
    expect(push.refused).toEqual([]);
    const key = await t.http
      .get('/api/notifications/vapid-public-key')
      .set('Authorization', member.auth);
    expect(key.body).toEqual({ publicKey: vapid.publicKey });

    const exported = await t.http.get('/api/users/me/export').set('Authorization', member.auth);
    expect(exported.body).toMatchObject({
      notifications: [{ id: stored?.id, kind: 'new-follower' }],
      pushDevices: [{ platform: 'web', token: `${push.origin}/…` }],
      notificationPreferences: { quietHours: null },
    });

    // The account goes, and its inbox and devices with it.
    await t.http
      .delete('/api/users/me')
      .set('Authorization', member.auth)
      .send({ password: member.password })
      .expect(204);
    const left = await t.container.database.db
      .select()
      .from(pushDevices)
      .where(eq(pushDevices.userId, member.row.id));
    expect(left).toEqual([]);
    expect(await deliveriesOf(String(stored?.id))).toEqual([]);
  });

  it('when the push service answers 410, then the device is removed', async () => {
    const member = await buildSignedInUser(t);
    const gone = push.subscribe(() => 410);
    await register(member, gone);
    await t.container.notifier.notify(note(member));
    await waitUntil(async () => {
      const rows = await t.container.database.db
        .select()
        .from(pushDevices)
        .where(eq(pushDevices.userId, member.row.id));
      return rows.length === 0;
    });
    expect(push.attemptsOn(gone)).toBe(1);
  });

  it('when one browser’s service fails twice, then the retries reach it once and never repeat the others', async () => {
    const member = await buildSignedInUser(t);
    const flaky = push.subscribe((attempt) => (attempt <= 2 ? 503 : 201));
    const steady = [push.subscribe(), push.subscribe()];
    for (const subscription of [flaky, ...steady]) await register(member, subscription);
    await t.container.notifier.notify(note(member));
    const [stored] = (await inbox(member)).items;
    // Delivery rows appear when the job first runs: wait for all three, each sent.
    await waitUntil(async () => {
      const rows = await deliveriesOf(String(stored?.id));
      return rows.length === 3 && rows.every((row) => row.status === 'sent');
    });
    expect(push.attemptsOn(flaky)).toBe(3);
    for (const subscription of [flaky, ...steady]) {
      expect(push.pushesTo(subscription)).toHaveLength(1);
    }
    const rows = await deliveriesOf(String(stored?.id));
    expect(rows.map((row) => row.attempts).sort()).toEqual([1, 1, 3]);
  });

  it('when it is quiet hours in the member’s zone, then the inbox has it at once and the push is queued for their end', async () => {
    const member = await buildSignedInUser(t);
    await t.container.database.db
      .update(users)
      .set({ profile: { ...member.row.profile, timezone: 'Asia/Tokyo' } })
      .where(eq(users.id, member.row.id));
    // Quiet from an hour ago until two hours from now, on Tokyo's wall clock.
    const hhmm = (at: Date) =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Asia/Tokyo',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(at);
    const quiet = {
      start: hhmm(new Date(Date.now() - 3600_000)),
      end: hhmm(new Date(Date.now() + 2 * 3600_000)),
    };
    await t.http
      .patch('/api/notifications/preferences')
      .set('Authorization', member.auth)
      .send({ quietHours: quiet })
      .expect(200);
    const subscription = push.subscribe();
    await register(member, subscription);

    const before = new Date();
    await t.container.notifier.notify(note(member));
    const [stored] = (await inbox(member)).items;
    expect(stored).toBeDefined();
    const endsAt = quietHoursEnd(before, quiet, 'Asia/Tokyo');
    const jobs = await queryRows<{ start_after: Date }>(
      t.container.database,
      `select start_after from pgboss.job where name = 'notifications.deliver-push' and id = $1`,
      [stored?.id],
    );
    expect(jobs).toHaveLength(1);
    const startAfter = new Date(jobs[0]?.start_after ?? 0).getTime();
    // Queued with the delay rounded up to a whole second after notify read the clock.
    expect(startAfter).toBeGreaterThanOrEqual(endsAt?.getTime() ?? Infinity);
    expect(startAfter - (endsAt?.getTime() ?? 0)).toBeLessThan(60_000);
    expect(push.pushesTo(subscription)).toEqual([]);
  });
});

describe('two instances', () => {
  it('when two instances work the queue, then each of ten devices gets each notification exactly once', async () => {
    const other = await t.startAnotherInstance(pushEnv(), {});
    await other.container.jobs.start();
    const member = await buildSignedInUser(t);
    const browsers = Array.from({ length: 10 }, () => push.subscribe());
    for (const subscription of browsers) await register(member, subscription);
    const senders = [t, other, t, other];
    await Promise.all(
      senders.map((instance, index) =>
        instance.container.notifier.notify(note(member, { body: `n${String(index)}` })),
      ),
    );
    const ids = (await inbox(member)).items.map((item) => item.id);
    expect(ids).toHaveLength(4);
    // Both instances also deliver the same notifications by hand, racing the queue.
    await Promise.all(
      ids.flatMap((id) =>
        [t, other].map((instance) =>
          instance.container.notifications
            .deliverPush(id, { attempt: 1, retryLimit: 5 })
            .catch(() => undefined),
        ),
      ),
    );
    await waitUntil(async () => {
      for (const id of ids) {
        const rows = await deliveriesOf(id);
        if (rows.length !== 10 || rows.some((row) => row.status !== 'sent')) return false;
      }
      return true;
    });
    for (const subscription of browsers) {
      const received = push.pushesTo(subscription).map((p) => p.payload.notificationId);
      expect(received.sort()).toEqual([...ids].sort());
    }
    const sent = await t.container.database.db
      .select()
      .from(pushDeliveries)
      .where(and(eq(pushDeliveries.status, 'sent')));
    expect(sent.filter((row) => ids.includes(row.notificationId))).toHaveLength(40);
  });
});
