// What one member sees of another, for every privacy setting × follow state × block. The states
// are written straight into the tables (as a change of setting after the fact, or a race, would
// leave them), after the author's items exist, so the read-time filters are what is tested.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedInUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { follows, socialSettings, userBlocks } from './social.table.js';

type Member = Awaited<ReturnType<typeof buildSignedInUser>>;
type Privacy = 'public' | 'followers' | 'private';
type FollowState = 'none' | 'pending' | 'accepted';
type Block = 'none' | 'viewer blocked author' | 'author blocked viewer';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const privacies: Privacy[] = ['public', 'followers', 'private'];
const followStates: FollowState[] = ['none', 'pending', 'accepted'];
const blocks: Block[] = ['none', 'viewer blocked author', 'author blocked viewer'];

const cases = privacies.flatMap((privacy) =>
  followStates.flatMap((follow) => blocks.map((block) => ({ privacy, follow, block }))),
);

/** The rule under test: an accepted follow of a member who is not private, with no block. */
const sharesWith = (c: { privacy: Privacy; follow: FollowState; block: Block }) =>
  c.follow === 'accepted' && c.privacy !== 'private' && c.block === 'none';

const get = async (member: Member, path: string) =>
  (await t.http.get(path).set('Authorization', member.auth).expect(200)).body as {
    items: { userId?: string; author?: { userId: string }; kind?: string }[];
  };

describe('privacy × follow state × block', () => {
  it('when every combination is read back, then feed, followers, following and requests show exactly what the setting and blocks allow', async () => {
    const db = t.container.database.db;
    // One author per setting, each with a completed workout (two hours ago) and the
    // first-workout unlock it earned; written before the setting, as a later change would be.
    const authors = new Map<Privacy, Member>();
    for (const privacy of privacies) {
      const author = await buildSignedInUser(t);
      await t.http
        .post('/api/workouts/logs')
        .set('Authorization', author.auth)
        .send({
          exerciseId: 'squat',
          exerciseName: 'Squat',
          completedSets: 3,
          completedReps: 5,
          weightKg: 100,
          completedAt: new Date(Date.now() - 2 * 3600_000).toISOString(),
        })
        .expect(201);
      await db.insert(socialSettings).values({ userId: author.row.id, privacy });
      authors.set(privacy, author);
    }
    const viewers = [];
    for (const c of cases) {
      const author = authors.get(c.privacy);
      if (!author) throw new Error('no author');
      const viewer = await buildSignedInUser(t);
      if (c.follow !== 'none') {
        await db.insert(follows).values({
          followerId: viewer.row.id,
          followeeId: author.row.id,
          status: c.follow,
          acceptedAt: c.follow === 'accepted' ? new Date() : null,
        });
      }
      if (c.block === 'viewer blocked author') {
        await db.insert(userBlocks).values({ blockerId: viewer.row.id, blockedId: author.row.id });
      }
      if (c.block === 'author blocked viewer') {
        await db.insert(userBlocks).values({ blockerId: author.row.id, blockedId: viewer.row.id });
      }
      viewers.push({ ...c, author, viewer });
    }

    const seen = [];
    const expected = [];
    for (const c of viewers) {
      const label = `${c.privacy} / ${c.follow} / ${c.block}`;
      const feed = await get(c.viewer, '/api/social/feed?limit=100');
      const following = await get(c.viewer, '/api/social/following?limit=100');
      const followers = await get(c.author, '/api/social/followers?limit=100');
      const requests = await get(c.author, '/api/social/follow-requests?limit=100');
      seen.push({
        label,
        // The workout and its unlocks (first workout, and whatever else it reached).
        feed: [
          ...new Set(
            feed.items
              .filter((item) => item.author?.userId === c.author.row.id)
              .map((item) => item.kind),
          ),
        ].sort(),
        following: following.items.some((item) => item.userId === c.author.row.id),
        follower: followers.items.some((item) => item.userId === c.viewer.row.id),
        request: requests.items.some((item) => item.userId === c.viewer.row.id),
      });
      const shared = sharesWith(c);
      expected.push({
        label,
        feed: shared ? ['achievement', 'workout'] : [],
        following: shared,
        follower: shared,
        // A request waits while the member takes followers and nobody blocked anybody.
        request: c.follow === 'pending' && c.privacy !== 'private' && c.block === 'none',
      });
    }
    expect(seen).toEqual(expected);
    expect(seen).toHaveLength(27);
  });
});
