import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../db/raw-rows.js';
import { localDay } from '../../lib/time/local-day.js';
import {
  buildBranch,
  buildBranchMember,
  buildBranchStaff,
  buildCheckedInMember,
  buildSignedInUser,
} from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
// The one writer of ledger rows, used as the rewards service uses it, with amounts no point rule
// gives (ties, reversals) so the comparison covers them.
// eslint-disable-next-line no-restricted-imports -- the ledger's own writer, on purpose
import { rewardsRepository } from '../rewards/rewards.repository.js';
import type { LeaderboardEntry, LeaderboardView } from './leaderboard.schemas.js';
import { LeaderboardService } from './leaderboard.service.js';
import { userBlocks } from './social.table.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const db = () => t.container.database.db;
type Member = Awaited<ReturnType<typeof buildBranchMember>>;

/**
 * Points written the way the rewards service writes them: in one transaction with the member's
 * row locked, the ledger rows of one day through the ledger writer (which moves the total too).
 */
async function award(userId: string, day: string, amounts: number[]) {
  await db().transaction(async (tx) => {
    await rewardsRepository.lockMember(tx, userId);
    await rewardsRepository.insertLedgerRows(
      tx,
      userId,
      day,
      amounts.map((amount) => ({
        rule: 'completed-set' as const,
        sourceKind: 'workout-log' as const,
        sourceId: randomUUID(),
        amount,
        reversesId: null,
      })),
    );
  });
}

async function leaderboard(auth: string, query: string) {
  return t.http.get(`/api/social/leaderboard?${query}`).set('authorization', auth);
}

/** Changes the caller's social settings as members do. */
async function settings(auth: string, body: Record<string, unknown>) {
  const response = await t.http.patch('/api/social/settings').set('authorization', auth).send(body);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

async function board(auth: string, query: string): Promise<LeaderboardView> {
  const response = await leaderboard(auth, query);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as LeaderboardView;
}

const addDays = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * The leaderboard recomputed plainly from the ledger rows: each ranked member's sum over the
 * days [from, to] (all days when null), ranked 1, 2, 2, 4 with ties by lower-case username.
 */
async function expectedFromLedger(
  ranked: Member[],
  viewer: Member,
  period: { from: string | null; to: string | null },
  limit: number,
  hiddenFromViewer: Set<string> = new Set(),
) {
  const rows = await rowsOf<{ user_id: string; day: string; amount: number }>(
    db(),
    sql`select user_id, day::text as day, amount from points_ledger`,
  );
  const points = new Map<string, number>(ranked.map((member) => [member.row.id, 0]));
  for (const row of rows) {
    const inPeriod =
      period.from === null || (row.day >= period.from && row.day <= (period.to ?? ''));
    const sum = points.get(row.user_id);
    if (inPeriod && sum !== undefined) points.set(row.user_id, sum + row.amount);
  }
  const entries: LeaderboardEntry[] = ranked
    .map((member) => {
      const mine = points.get(member.row.id) ?? 0;
      return {
        rank: 1 + [...points.values()].filter((other) => other > mine).length,
        userId: member.row.id,
        username: member.row.username,
        name: member.row.profile.name,
        points: mine,
      };
    })
    .sort(
      (a, b) =>
        b.points - a.points || (a.username.toLowerCase() < b.username.toLowerCase() ? -1 : 1),
    );
  return {
    rankedMembers: ranked.length,
    entries: entries.filter((entry) => !hiddenFromViewer.has(entry.userId)).slice(0, limit),
    me: entries.find((entry) => entry.userId === viewer.row.id) ?? null,
  };
}

describe('GET /api/social/leaderboard', () => {
  it('when points are awarded and reversed at random, then every period agrees with the ledger exactly (ties, reversals, the caller outside the top)', async () => {
    const branch = await buildBranch(t, { timezone: 'Pacific/Auckland' });
    const members: Member[] = [];
    for (let i = 0; i < 7; i++) members.push(await buildBranchMember(t, branch.id));
    const viewer = members[0];
    if (!viewer) throw new Error('no viewer');
    // Someone else's points must not leak in: a member of another branch only.
    const outsider = await buildSignedInUser(t);
    const today = localDay(new Date(), branch.timezone);

    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            member: fc.integer({ min: 0, max: members.length }),
            // From well before this month to a few days ahead (members in zones ahead).
            dayOffset: fc.integer({ min: -45, max: 3 }),
            amount: fc.integer({ min: 1, max: 6 }),
            reversed: fc.integer({ min: 0, max: 6 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.integer({ min: 1, max: 4 }),
        async (awards, limit) => {
          for (const { member, dayOffset, amount, reversed } of awards) {
            const userId = (members[member] ?? outsider).row.id;
            // A reversal takes back at most what its award gave, on the award's day.
            const rows = reversed > 0 ? [amount, -Math.min(reversed, amount)] : [amount];
            await award(userId, addDays(today, dayOffset), rows);
          }
          for (const period of ['week', 'month', 'all'] as const) {
            const answer = await board(
              viewer.auth,
              `branchId=${branch.id}&period=${period}&limit=${String(limit)}`,
            );
            const expected = await expectedFromLedger(members, viewer, answer, limit);
            expect({
              rankedMembers: answer.rankedMembers,
              entries: answer.entries,
              me: answer.me,
            }).toEqual(expected);
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it('when members join, leave, change settings and rename between awards, then every period still agrees with the ledger exactly', async () => {
    const branch = await buildBranch(t, { timezone: 'America/Los_Angeles' });
    const elsewhere = await buildBranch(t);
    const members: Member[] = [];
    for (let i = 0; i < 6; i++) members.push(await buildBranchMember(t, branch.id));
    const viewer = members[0];
    if (!viewer) throw new Error('no viewer');
    // What the board should rank: who is in the branch, shown, and under which name.
    const state = members.map((member) => ({
      member,
      inBranch: true,
      shown: true,
      username: member.row.username,
    }));
    const today = localDay(new Date(), branch.timezone);
    let renames = 0;

    const change = fc.oneof(
      fc.record({
        kind: fc.constant('award' as const),
        dayOffset: fc.integer({ min: -40, max: 2 }),
        amount: fc.integer({ min: 1, max: 4 }),
      }),
      fc.record({ kind: fc.constant('membership' as const) }),
      fc.record({
        kind: fc.constant('settings' as const),
        privacy: fc.constantFrom('public', 'followers', 'private'),
        showOnLeaderboards: fc.boolean(),
      }),
      // Names from a small alphabet, so renames reorder members with equal points.
      fc.record({
        kind: fc.constant('rename' as const),
        prefix: fc.constantFrom('a', 'B', 'm', 'Z'),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        // Member 0 (the caller) only earns points: they keep the right to look.
        fc.array(fc.tuple(fc.integer({ min: 0, max: members.length - 1 }), change), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.integer({ min: 1, max: 4 }),
        async (changes, limit) => {
          for (const [index, step] of changes) {
            const entry = state[index];
            if (!entry) throw new Error('no member');
            const { member } = entry;
            if (step.kind === 'award') {
              await award(member.row.id, addDays(today, step.dayOffset), [step.amount]);
            } else if (index === 0) {
              continue;
            } else if (step.kind === 'membership') {
              if (entry.inBranch) {
                await t.container.gymFloor.branches.leave(
                  { userId: member.row.id, role: 'member' },
                  branch.id,
                );
              } else {
                await t.container.gymFloor.branches.join(member.row.id, branch.id);
              }
              // Another branch's membership changes nothing here.
              await t.container.gymFloor.branches.join(member.row.id, elsewhere.id);
              entry.inBranch = !entry.inBranch;
            } else if (step.kind === 'settings') {
              await settings(member.auth, {
                privacy: step.privacy,
                showOnLeaderboards: step.showOnLeaderboards,
              });
              entry.shown = step.privacy !== 'private' && step.showOnLeaderboards;
            } else {
              renames += 1;
              const username = `${step.prefix}${String(renames)}_${member.row.id.slice(0, 8)}`;
              const response = await t.http
                .patch('/api/users/me')
                .set('authorization', member.auth)
                .send({ username });
              expect(response.status, JSON.stringify(response.body)).toBe(200);
              entry.username = username;
            }
          }
          const ranked = state
            .filter((entry) => entry.inBranch && entry.shown)
            .map((entry) => ({
              ...entry.member,
              row: { ...entry.member.row, username: entry.username },
            }));
          for (const period of ['week', 'month', 'all'] as const) {
            const answer = await board(
              viewer.auth,
              `branchId=${branch.id}&period=${period}&limit=${String(limit)}`,
            );
            const expected = await expectedFromLedger(ranked, viewer, answer, limit);
            expect({
              rankedMembers: answer.rankedMembers,
              entries: answer.entries,
              me: answer.me,
            }).toEqual(expected);
          }
        },
      ),
      { numRuns: 10 },
    );
  });

  it('when points are awarded while the member joins or leaves, then no points are lost and no rows are left behind', async () => {
    for (let round = 0; round < 6; round++) {
      const branch = await buildBranch(t);
      const member = await buildSignedInUser(t);
      const today = localDay(new Date(), branch.timezone);
      await Promise.all([
        award(member.row.id, today, [5]),
        t.container.gymFloor.branches.join(member.row.id, branch.id),
      ]);
      for (const period of ['week', 'month', 'all']) {
        const view = await board(member.auth, `branchId=${branch.id}&period=${period}`);
        expect(view.me?.points, period).toBe(5);
      }
      await Promise.all([
        award(member.row.id, today, [3]),
        t.container.gymFloor.branches.leave({ userId: member.row.id, role: 'member' }, branch.id),
      ]);
      const [left] = await rowsOf<{ count: number }>(
        db(),
        sql`select count(*)::int as count from branch_period_points
            where branch_id = ${branch.id} and user_id = ${member.row.id}`,
      );
      expect(left?.count).toBe(0);
    }
  });

  it('when a member opted out or is private, then they are not ranked; followers-only and no settings are', async () => {
    const branch = await buildBranch(t);
    const [shown, followersOnly, optedOut, secret] = [
      await buildBranchMember(t, branch.id),
      await buildBranchMember(t, branch.id),
      await buildBranchMember(t, branch.id),
      await buildBranchMember(t, branch.id),
    ];
    await settings(followersOnly.auth, { privacy: 'followers' });
    await settings(optedOut.auth, { showOnLeaderboards: false });
    await settings(secret.auth, { privacy: 'private' });
    const day = localDay(new Date(), branch.timezone);
    await award(optedOut.row.id, day, [50]);
    await award(secret.row.id, day, [40]);
    await award(followersOnly.row.id, day, [5]);

    const seen = await board(shown.auth, `branchId=${branch.id}&period=week`);
    expect(seen.rankedMembers).toBe(2);
    expect(seen.entries.map((entry) => [entry.userId, entry.rank, entry.points])).toEqual([
      [followersOnly.row.id, 1, 5],
      [shown.row.id, 2, 0],
    ]);
    // Outside the top: the caller still gets their own entry and rank.
    const top = await board(shown.auth, `branchId=${branch.id}&period=week&limit=1`);
    expect(top.entries.map((entry) => entry.userId)).toEqual([followersOnly.row.id]);
    expect(top.me).toMatchObject({ userId: shown.row.id, rank: 2, points: 0 });
    // Hidden members see the board without themselves on it.
    expect((await board(secret.auth, `branchId=${branch.id}`)).me).toBeNull();
    expect((await board(optedOut.auth, `branchId=${branch.id}`)).me).toBeNull();
  });

  it('when two members blocked each other, then neither sees the other, and ranks stay those of everyone', async () => {
    const branch = await buildBranch(t);
    const [top, blocker, other] = [
      await buildBranchMember(t, branch.id),
      await buildBranchMember(t, branch.id),
      await buildBranchMember(t, branch.id),
    ];
    const day = localDay(new Date(), branch.timezone);
    await award(top.row.id, day, [30]);
    await award(blocker.row.id, day, [20]);
    await award(other.row.id, day, [10]);
    await db().insert(userBlocks).values({ blockerId: blocker.row.id, blockedId: top.row.id });

    const ranks = (view: LeaderboardView) =>
      view.entries.map((entry) => [entry.userId, entry.rank]);
    const query = `branchId=${branch.id}&period=all`;
    expect(ranks(await board(blocker.auth, query))).toEqual([
      [blocker.row.id, 2],
      [other.row.id, 3],
    ]);
    expect(ranks(await board(top.auth, query))).toEqual([
      [top.row.id, 1],
      [other.row.id, 3],
    ]);
    expect(ranks(await board(other.auth, query))).toHaveLength(3);
  });

  it('when points come from a real check-in, then the board shows the ledger the rewards service wrote', async () => {
    const branch = await buildBranch(t);
    const member = await buildCheckedInMember(t, branch.id);
    const [ledger] = await rowsOf<{ sum: number }>(
      db(),
      sql`select coalesce(sum(amount), 0)::int as sum from points_ledger where user_id = ${member.row.id}`,
    );
    expect(ledger?.sum).toBeGreaterThan(0);
    for (const period of ['week', 'month', 'all']) {
      const view = await board(member.auth, `branchId=${branch.id}&period=${period}`);
      expect(view.me?.points).toBe(ledger?.sum);
    }
  });

  it('when the caller is staff of the branch or an admin, then they see the board without an entry; others are refused', async () => {
    const branch = await buildBranch(t);
    const member = await buildBranchMember(t, branch.id);
    const staff = await buildBranchStaff(t, branch.id);
    const admin = await buildSignedInUser(t, { role: 'admin' });
    const elsewhere = await buildBranchStaff(t, (await buildBranch(t)).id);
    const stranger = await buildSignedInUser(t);

    for (const viewer of [staff, admin]) {
      const view = await board(viewer.auth, `branchId=${branch.id}&period=month`);
      expect(view.entries.map((entry) => entry.userId)).toEqual([member.row.id]);
      expect(view.me).toBeNull();
    }
    for (const viewer of [elsewhere, stranger]) {
      const response = await leaderboard(viewer.auth, `branchId=${branch.id}`);
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    const anonymous = await t.http.get(`/api/social/leaderboard?branchId=${branch.id}`);
    expect(anonymous.status).toBe(401);
  });

  it('when the query is wrong, then the answer is a 4xx problem naming it', async () => {
    const branch = await buildBranch(t);
    const member = await buildBranchMember(t, branch.id);
    const cases: [string, number, string][] = [
      [`branchId=${branch.id}&period=year`, 400, 'query.period'],
      ['branchId=not-a-uuid', 400, 'query.branchId'],
      ['period=week', 400, 'query.branchId'],
      [`branchId=${branch.id}&limit=101`, 400, 'query.limit'],
      [`branchId=${branch.id}&limit=0`, 400, 'query.limit'],
      [`branchId=${branch.id}&sort=name`, 400, 'query'],
      [`branchId=${randomUUID()}`, 404, ''],
    ];
    for (const [query, status, path] of cases) {
      const response = await leaderboard(member.auth, query);
      expect(response.status, query).toBe(status);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      if (path) {
        const paths = (response.body as { errors: { path: string }[] }).errors.map((e) => e.path);
        expect(
          paths.some((p) => p.startsWith(path)),
          JSON.stringify(paths),
        ).toBe(true);
      }
    }
  });
});

describe('periods in the branch time zone', () => {
  it('when it is Sunday evening in one branch and Monday morning in another, then each counts its own week and month', async () => {
    const losAngeles = await buildBranch(t, { timezone: 'America/Los_Angeles' });
    const berlin = await buildBranch(t, { timezone: 'Europe/Berlin' });
    const member = await buildBranchMember(t, losAngeles.id);
    await t.container.gymFloor.branches.join(member.row.id, berlin.id);
    await award(member.row.id, '2026-11-29', [1]); // Sunday
    await award(member.row.id, '2026-11-30', [10]); // Monday
    await award(member.row.id, '2026-12-01', [100]); // Tuesday

    const at = (instant: string) =>
      new LeaderboardService({
        db: db(),
        branches: t.container.gymFloor.branches,
        now: () => new Date(instant),
      });
    const pointsOf = async (
      service: LeaderboardService,
      branchId: string,
      period: 'week' | 'month',
    ) => {
      const view = await service.leaderboard(
        { userId: member.row.id, role: 'member' },
        { branchId, period, limit: 10 },
      );
      return [view.from, view.to, view.me?.points];
    };

    // Monday 05:00 UTC: Sunday 21:00 in Los Angeles, Monday 06:00 in Berlin.
    const mondayMorning = at('2026-11-30T05:00:00Z');
    expect(await pointsOf(mondayMorning, losAngeles.id, 'week')).toEqual([
      '2026-11-23',
      '2026-11-29',
      1,
    ]);
    expect(await pointsOf(mondayMorning, berlin.id, 'week')).toEqual([
      '2026-11-30',
      '2026-12-06',
      110,
    ]);
    // 1 December 05:00 UTC: still 30 November in Los Angeles.
    const firstOfMonth = at('2026-12-01T05:00:00Z');
    expect(await pointsOf(firstOfMonth, losAngeles.id, 'month')).toEqual([
      '2026-11-01',
      '2026-11-30',
      11,
    ]);
    expect(await pointsOf(firstOfMonth, berlin.id, 'month')).toEqual([
      '2026-12-01',
      '2026-12-31',
      100,
    ]);
  });
});

describe('a new week', () => {
  it('when the week has just begun and nobody has points in it yet, then everyone ranks first at 0, by username, and last week stays out', async () => {
    const branch = await buildBranch(t, { timezone: 'UTC' });
    const members: Member[] = [];
    for (let i = 0; i < 4; i++) members.push(await buildBranchMember(t, branch.id));
    const viewer = members[0];
    if (!viewer) throw new Error('no viewer');
    // Sunday 29 November 2026 and the month before: nothing on Monday 30 November yet.
    for (const [i, member] of members.entries()) {
      await award(member.row.id, '2026-11-29', [10 * (i + 1)]);
    }
    const mondayMorning = new LeaderboardService({
      db: db(),
      branches: t.container.gymFloor.branches,
      now: () => new Date('2026-11-30T00:05:00Z'),
    });
    const view = await mondayMorning.leaderboard(
      { userId: viewer.row.id, role: 'member' },
      { branchId: branch.id, period: 'week', limit: 3 },
    );
    const byName = [...members]
      .map((member) => member.row)
      .sort((a, b) => (a.username.toLowerCase() < b.username.toLowerCase() ? -1 : 1));
    expect(view.from).toBe('2026-11-30');
    expect(view.rankedMembers).toBe(4);
    expect(view.entries.map((entry) => [entry.userId, entry.rank, entry.points])).toEqual(
      byName.slice(0, 3).map((row) => [row.id, 1, 0]),
    );
    expect(view.me).toMatchObject({ userId: viewer.row.id, rank: 1, points: 0 });
    // The month that holds that Sunday is November, still running: the points count there.
    const month = await mondayMorning.leaderboard(
      { userId: viewer.row.id, role: 'member' },
      { branchId: branch.id, period: 'month', limit: 4 },
    );
    expect(month.entries.map((entry) => entry.points)).toEqual([40, 30, 20, 10]);
  });
});
