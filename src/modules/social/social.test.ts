// Follows, requests, blocks, settings and the feed through HTTP, with notifications on the socket.
import { and, eq } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBranch,
  buildCheckedInMember,
  buildSignedInUser,
} from '../../test-support/factories.js';
import { connectSocket, connected, nextEvent } from '../../test-support/socket-test-support.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { follows } from './social.table.js';

type Member = Awaited<ReturnType<typeof buildSignedInUser>>;

let t: TestApp;
let baseUrl: string;
beforeAll(async () => {
  t = await createTestApp();
  baseUrl = await t.listen();
});
afterAll(async () => {
  await t.close();
});
const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

const as = (member: Member) => ({
  get: (path: string) => t.http.get(`/api/social${path}`).set('Authorization', member.auth),
  post: (path: string) => t.http.post(`/api/social${path}`).set('Authorization', member.auth),
  patch: (path: string, body: object) =>
    t.http.patch(`/api/social${path}`).set('Authorization', member.auth).send(body),
  delete: (path: string) => t.http.delete(`/api/social${path}`).set('Authorization', member.auth),
});

const idsOf = (body: { items: { userId?: string; id?: string }[] }) =>
  body.items.map((item) => item.userId ?? item.id);

/** A log entry completed `minutesAgo` minutes ago (0: now, so the workout is still going). */
const logWorkout = (member: Member, minutesAgo: number, exerciseId = 'squat') =>
  t.http
    .post('/api/workouts/logs')
    .set('Authorization', member.auth)
    .send({
      exerciseId,
      exerciseName: exerciseId === 'squat' ? 'Squat' : 'Bench press',
      completedSets: 3,
      completedReps: 5,
      weightKg: 100,
      completedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    })
    .expect(201);

async function notifications(member: Member) {
  const socket = connectSocket(baseUrl, '/workouts', { token: member.session.accessToken });
  sockets.push(socket);
  await connected(socket);
  return socket;
}

const feedOf = async (member: Member) =>
  (await as(member).get('/feed?limit=100').expect(200)).body as {
    items: {
      kind: string;
      author: { userId: string; username: string; name: string };
      workout?: { exercises: unknown[]; completedSets: number; volumeKg: number };
    }[];
  };

describe('following a public member', () => {
  it('when a member follows twice, then the first is 201, the second 200, and the followed member hears new-follower on the socket', async () => {
    const [alice, bob] = [await buildSignedInUser(t), await buildSignedInUser(t)];
    const socket = await notifications(alice);
    const heard = nextEvent<{ type: string; followerId: string }>(
      socket,
      'notification',
      (event) => event.type === 'new-follower',
    );
    const first = await as(bob).post(`/follow/${alice.row.id}`).expect(201);
    expect(first.body).toMatchObject({ userId: alice.row.id, status: 'accepted' });
    expect((await heard).followerId).toBe(bob.row.id);
    await as(bob).post(`/follow/${alice.row.id}`).expect(200);

    expect(idsOf((await as(alice).get('/followers').expect(200)).body)).toEqual([bob.row.id]);
    expect(idsOf((await as(bob).get('/following').expect(200)).body)).toEqual([alice.row.id]);
    await as(bob).delete(`/follow/${alice.row.id}`).expect(204);
    await as(bob).delete(`/follow/${alice.row.id}`).expect(204);
    expect((await as(alice).get('/followers').expect(200)).body.items).toEqual([]);
  });

  it('when ten follows of the same member race, then one row exists and every answer is 201 or 200', async () => {
    const [alice, bob] = [await buildSignedInUser(t), await buildSignedInUser(t)];
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => as(bob).post(`/follow/${alice.row.id}`)),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const rows = await t.container.database.db
      .select()
      .from(follows)
      .where(and(eq(follows.followerId, bob.row.id), eq(follows.followeeId, alice.row.id)));
    expect(rows).toHaveLength(1);
  });

  it('when the target is the caller, unknown, or not a UUID, then 400, 404 and 400', async () => {
    const alice = await buildSignedInUser(t);
    const self = await as(alice).post(`/follow/${alice.row.id}`).expect(400);
    expect(self.body.errors).toEqual([
      { path: 'params.userId', message: 'must be another member' },
    ]);
    await as(alice).post('/follow/0b7e9d62-4a1f-4c3b-8e2d-5f6a7b8c9d0e').expect(404);
    await as(alice).post('/follow/nope').expect(400);
    await as(alice).post(`/blocks/${alice.row.id}`).expect(400);
  });
});

describe('follow requests', () => {
  it('when a followers-only member is followed, then a request waits (202, follow-request on the socket) until approved; a declined one goes away', async () => {
    const [alice, bob, carol] = await Promise.all([
      buildSignedInUser(t),
      buildSignedInUser(t),
      buildSignedInUser(t),
    ]);
    await as(alice).patch('/settings', { privacy: 'followers' }).expect(200);
    const socket = await notifications(alice);
    const heard = nextEvent<{ type: string; followerId: string }>(
      socket,
      'notification',
      (event) => event.type === 'follow-request',
    );
    const asked = await as(bob).post(`/follow/${alice.row.id}`).expect(202);
    expect(asked.body).toMatchObject({ status: 'pending', acceptedAt: null });
    expect((await heard).followerId).toBe(bob.row.id);
    await as(carol).post(`/follow/${alice.row.id}`).expect(202);
    // A request is not a follow yet.
    expect((await as(bob).get('/following').expect(200)).body.items).toEqual([]);
    const requests = (await as(alice).get('/follow-requests').expect(200)).body;
    expect(idsOf(requests)).toEqual([carol.row.id, bob.row.id]);

    // Another member cannot answer requests sent to alice.
    await as(carol).post(`/follow-requests/${bob.row.id}/approve`).expect(404);
    const approved = await as(alice).post(`/follow-requests/${bob.row.id}/approve`).expect(200);
    expect(approved.body).toMatchObject({ userId: bob.row.id, status: 'accepted' });
    await as(alice).post(`/follow-requests/${carol.row.id}/decline`).expect(204);
    await as(alice).post(`/follow-requests/${carol.row.id}/decline`).expect(404);

    expect((await as(alice).get('/follow-requests').expect(200)).body.items).toEqual([]);
    expect(idsOf((await as(alice).get('/followers').expect(200)).body)).toEqual([bob.row.id]);
    expect(idsOf((await as(bob).get('/following').expect(200)).body)).toEqual([alice.row.id]);
  });

  it('when a followers-only member goes public, then waiting requests are accepted; when they go private, every follower and request goes and follows are refused', async () => {
    const [alice, bob, carol, dave] = await Promise.all([
      buildSignedInUser(t),
      buildSignedInUser(t),
      buildSignedInUser(t),
      buildSignedInUser(t),
    ]);
    await as(alice).patch('/settings', { privacy: 'followers' }).expect(200);
    await as(bob).post(`/follow/${alice.row.id}`).expect(202);
    const settings = await as(alice).patch('/settings', { privacy: 'public' }).expect(200);
    expect(settings.body).toMatchObject({ privacy: 'public', showOnLeaderboards: true });
    expect(idsOf((await as(alice).get('/followers').expect(200)).body)).toEqual([bob.row.id]);

    await as(alice).patch('/settings', { privacy: 'followers' }).expect(200);
    await as(carol).post(`/follow/${alice.row.id}`).expect(202);
    await as(alice).patch('/settings', { privacy: 'private' }).expect(200);
    expect((await as(alice).get('/followers').expect(200)).body.items).toEqual([]);
    expect((await as(alice).get('/follow-requests').expect(200)).body.items).toEqual([]);
    const refused = await as(dave).post(`/follow/${alice.row.id}`).expect(409);
    expect(refused.body.reason).toBe('PRIVATE_PROFILE');

    // Back to public starts from zero: nobody returns by themselves.
    await as(alice).patch('/settings', { privacy: 'public' }).expect(200);
    expect((await as(alice).get('/followers').expect(200)).body.items).toEqual([]);
    expect((await as(alice).get('/settings').expect(200)).body.privacy).toBe('public');
  });

  it('when settings are patched with nothing, an unknown field or value, then 400', async () => {
    const alice = await buildSignedInUser(t);
    await as(alice).patch('/settings', {}).expect(400);
    await as(alice).patch('/settings', { privacy: 'friends' }).expect(400);
    await as(alice).patch('/settings', { privacy: 'public', colour: 'red' }).expect(400);
    expect((await as(alice).get('/settings').expect(200)).body).toEqual({
      privacy: 'public',
      showOnLeaderboards: true,
      updatedAt: null,
    });
  });
});

describe('blocks', () => {
  it('when a member blocks a follower they follow back, then both follows go, the blocked member’s follow is a 404, and unblocking restores nothing', async () => {
    const [alice, bob] = [await buildSignedInUser(t), await buildSignedInUser(t)];
    await as(bob).post(`/follow/${alice.row.id}`).expect(201);
    await as(alice).post(`/follow/${bob.row.id}`).expect(201);
    const blocked = await as(alice).post(`/blocks/${bob.row.id}`).expect(201);
    expect(blocked.body).toMatchObject({ userId: bob.row.id, username: bob.row.username });
    await as(alice).post(`/blocks/${bob.row.id}`).expect(200);

    for (const member of [alice, bob]) {
      expect((await as(member).get('/followers').expect(200)).body.items).toEqual([]);
      expect((await as(member).get('/following').expect(200)).body.items).toEqual([]);
    }
    // Bob learns nothing beyond "no such member"; alice is told why.
    const hidden = await as(bob).post(`/follow/${alice.row.id}`).expect(404);
    const unknown = await as(bob).post('/follow/0b7e9d62-4a1f-4c3b-8e2d-5f6a7b8c9d0e').expect(404);
    expect(hidden.body.detail).toBe(unknown.body.detail);
    expect((await as(alice).post(`/follow/${bob.row.id}`).expect(409)).body.reason).toBe(
      'BLOCKED_BY_YOU',
    );
    expect(idsOf((await as(alice).get('/blocks').expect(200)).body)).toEqual([bob.row.id]);
    expect((await as(bob).get('/blocks').expect(200)).body.items).toEqual([]);

    await as(alice).delete(`/blocks/${bob.row.id}`).expect(204);
    expect((await as(alice).get('/followers').expect(200)).body.items).toEqual([]);
    await as(bob).post(`/follow/${alice.row.id}`).expect(201);
  });

  it('when a third member blocks, removes followers or unfollows, then the follows of others are untouched', async () => {
    const [alice, bob, mallory] = await Promise.all([
      buildSignedInUser(t),
      buildSignedInUser(t),
      buildSignedInUser(t),
    ]);
    await as(bob).post(`/follow/${alice.row.id}`).expect(201);
    await as(mallory).delete(`/followers/${bob.row.id}`).expect(204);
    await as(mallory).delete(`/follow/${alice.row.id}`).expect(204);
    await as(mallory).post(`/blocks/${alice.row.id}`).expect(201);
    await as(mallory).post(`/blocks/${bob.row.id}`).expect(201);
    expect(idsOf((await as(alice).get('/followers').expect(200)).body)).toEqual([bob.row.id]);

    await as(alice).delete(`/followers/${bob.row.id}`).expect(204);
    expect((await as(bob).get('/following').expect(200)).body.items).toEqual([]);
  });
});

describe('lists page', () => {
  it('when a member has five followers, then pages of two return each once, newest first', async () => {
    const alice = await buildSignedInUser(t);
    const followers: string[] = [];
    for (let index = 0; index < 5; index++) {
      const follower = await buildSignedInUser(t);
      await as(follower).post(`/follow/${alice.row.id}`).expect(201);
      followers.unshift(follower.row.id);
    }
    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page = (await as(alice).get(`/followers?limit=2${query}`).expect(200)).body as {
        items: { userId: string }[];
        nextCursor: string | null;
      };
      seen.push(...page.items.map((item) => item.userId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(followers);
    await as(alice).get('/followers?cursor=not-a-cursor').expect(400);
  });
});

describe('the feed', () => {
  it('when a followed member logs over three days, then the feed pages through their workouts and unlocks newest first, with author and summary', async () => {
    const [alice, bob] = [await buildSignedInUser(t), await buildSignedInUser(t)];
    await as(bob).post(`/follow/${alice.row.id}`).expect(201);
    // 10:00 and 10:10 UTC (the member's zone) of earlier days, so no pair straddles midnight.
    const minutesSince = (daysAgo: number, minute: number) => {
      const at = new Date();
      at.setUTCDate(at.getUTCDate() - daysAgo);
      at.setUTCHours(10, minute, 0, 0);
      return Math.round((Date.now() - at.getTime()) / 60_000);
    };
    await logWorkout(alice, minutesSince(3, 0));
    await logWorkout(alice, minutesSince(2, 0));
    await logWorkout(alice, minutesSince(1, 0), 'bench-press');
    await logWorkout(alice, minutesSince(1, 10));

    const all = await feedOf(bob);
    const workouts = all.items.filter((item) => item.kind === 'workout');
    expect(workouts).toHaveLength(3);
    expect(workouts[0]?.author).toEqual({
      userId: alice.row.id,
      username: alice.row.username,
      name: alice.row.profile.name,
    });
    expect(workouts[0]?.workout).toMatchObject({
      exercises: [
        { exerciseId: 'bench-press', exerciseName: 'Bench press', completedSets: 3 },
        { exerciseId: 'squat', exerciseName: 'Squat', completedSets: 3 },
      ],
      completedSets: 6,
      volumeKg: 3000,
    });
    expect(all.items.some((item) => item.kind === 'achievement')).toBe(true);

    const paged: unknown[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page = (await as(bob).get(`/feed?limit=1${query}`).expect(200)).body as {
        items: unknown[];
        nextCursor: string | null;
      };
      paged.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all.items);
    // Alice's own feed shows nobody: she follows no one.
    expect((await feedOf(alice)).items).toEqual([]);
  });

  it('when a workout is still going, then it stays out of the feed until the member checks out', async () => {
    const branch = await buildBranch(t);
    const alice = await buildCheckedInMember(t, branch.id);
    const bob = await buildSignedInUser(t);
    await as(bob).post(`/follow/${alice.row.id}`).expect(201);
    await logWorkout(alice, 0);
    expect((await feedOf(bob)).items.filter((item) => item.kind === 'workout')).toEqual([]);
    await t.http.post('/api/sessions/check-out').set('Authorization', alice.auth).expect(200);
    expect((await feedOf(bob)).items.filter((item) => item.kind === 'workout')).toHaveLength(1);
  });

  it('when the author goes private, unfollows are made or a block is placed, then items from before are hidden at once', async () => {
    const [alice, bob, carol] = await Promise.all([
      buildSignedInUser(t),
      buildSignedInUser(t),
      buildSignedInUser(t),
    ]);
    await as(bob).post(`/follow/${alice.row.id}`).expect(201);
    await as(carol).post(`/follow/${alice.row.id}`).expect(201);
    await logWorkout(alice, 120);
    expect((await feedOf(bob)).items.length).toBeGreaterThan(0);

    await as(alice).post(`/blocks/${carol.row.id}`).expect(201);
    expect((await feedOf(carol)).items).toEqual([]);
    await as(alice).patch('/settings', { privacy: 'private' }).expect(200);
    expect((await feedOf(bob)).items).toEqual([]);
    // Public again, bob must follow anew, and then sees the old items again.
    await as(alice).patch('/settings', { privacy: 'public' }).expect(200);
    expect((await feedOf(bob)).items).toEqual([]);
    await as(bob).post(`/follow/${alice.row.id}`).expect(201);
    expect((await feedOf(bob)).items.length).toBeGreaterThan(0);
  });

  it('when the author deletes the day’s only entry, then the workout leaves the feed', async () => {
    const [alice, bob] = [await buildSignedInUser(t), await buildSignedInUser(t)];
    await as(bob).post(`/follow/${alice.row.id}`).expect(201);
    const log = await logWorkout(alice, 120);
    expect((await feedOf(bob)).items.some((item) => item.kind === 'workout')).toBe(true);
    await t.http
      .delete(`/api/workouts/logs/${log.body.id as string}`)
      .set('Authorization', alice.auth)
      .expect(204);
    expect((await feedOf(bob)).items.some((item) => item.kind === 'workout')).toBe(false);
  });
});

describe('export', () => {
  it('when a member exports their data, then it holds their settings, follows both ways and blocks', async () => {
    const [alice, bob, carol] = await Promise.all([
      buildSignedInUser(t),
      buildSignedInUser(t),
      buildSignedInUser(t),
    ]);
    await as(alice).post(`/follow/${bob.row.id}`).expect(201);
    await as(carol).post(`/follow/${alice.row.id}`).expect(201);
    await as(alice).post(`/blocks/${carol.row.id}`).expect(201);
    await as(carol).post(`/follow/${bob.row.id}`).expect(201);
    const exported = await t.http
      .get('/api/users/me/export')
      .set('Authorization', alice.auth)
      .expect(200);
    expect(exported.body.social).toMatchObject({
      settings: { privacy: 'public' },
      following: [{ userId: bob.row.id, username: bob.row.username, status: 'accepted' }],
      followers: [],
      blocks: [{ userId: carol.row.id, username: carol.row.username }],
    });
  });
});
