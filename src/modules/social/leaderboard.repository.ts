import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { rowsOf } from '../../db/raw-rows.js';
import { LIFETIME_STARTS_ON, type BranchPointPeriod } from './leaderboard.table.js';

/** Whose points a leaderboard ranks, and over what. */
export interface LeaderboardSelection {
  branchId: string;
  /** A period and its first day (LIFETIME_STARTS_ON for `all`). */
  period: { kind: BranchPointPeriod; startsOn: string };
  /** The caller: their own row is always returned, and members blocked either way are not. */
  viewerId: string;
  limit: number;
}

/** One ranked member, as the query answers it. */
export interface RankedRow {
  userId: string;
  username: string;
  name: string;
  points: number;
  rank: number;
  /** Ranked members in all, on every row. */
  ranked: number;
  /** Whether this is the caller's row (the last row when the caller is ranked). */
  isViewer: boolean;
}

/**
 * Whether a member is ranked at all: an active account, not private, not opted out (no settings
 * row: public and shown). Copied into `branch_period_points.eligible` whenever a source changes.
 */
const eligibleMember = (userId: SQL): SQL => sql`(
  select eu.is_active and not exists (
    select 1 from social_settings s
    where s.user_id = eu.id and (s.privacy = 'private' or not s.show_on_leaderboards))
  from users eu where eu.id = ${userId})`;

/**
 * Takes the member's row lock, the one the ledger writer takes (`no key update`), so a ledger
 * write and a change of the member's leaderboard rows never interleave: each sees the other's
 * rows committed, none is lost.
 */
async function lockMember(db: Database, userId: string): Promise<void> {
  await db.execute(sql`select 1 from users where id = ${userId} for no key update`);
}

/**
 * One statement: the first `limit` ranked members the viewer may see (not blocked by or blocking
 * them, a set read once), then the viewer's own row when they are ranked, each with its rank and
 * the count of ranked members. Every part is a range of an index of `branch_period_points`:
 *
 * - the page: eligible rows of the period in ranking order (points, then lower-case username in
 *   code-point order, then id). Members without a row in a week or month have 0 points; only
 *   when fewer than `limit` visible members have more than 0 are they read, from the branch's
 *   lifetime rows by name, and merged in (their order among 0-point rows is the same);
 * - a rank: 1 + the eligible rows with more points (plus the members without a row when the
 *   points are negative, which reversals within a period never make, but the rule holds);
 * - ranked members: the eligible lifetime rows of the branch.
 *
 * Exported for the benchmark's plans.
 */
export function rankingStatement(selection: LeaderboardSelection): SQL {
  const { branchId, limit } = selection;
  const { kind, startsOn } = selection.period;
  const inPeriod = (alias: SQL) =>
    sql`${alias}.branch_id = ${branchId} and ${alias}.period = ${kind} and ${alias}.starts_on = ${startsOn}::date`;
  const lifetimeRow = (alias: SQL) =>
    sql`${alias}.branch_id = ${branchId} and ${alias}.period = 'all' and ${alias}.starts_on = ${LIFETIME_STARTS_ON}::date`;
  const lifetime = kind === 'all';
  // Members without a row in the week or month have 0 points, ranked after every positive row
  // (all of which are in `head` when fewer than `limit` visible ones have more than 0).
  const withoutRow = lifetime
    ? sql``
    : sql`
    union all
    (select a.user_id, 0 as points, a.sort_name,
            (1 + (select count(*) from head where points > 0))::int as rank
     from branch_period_points a
     where ${lifetimeRow(sql`a`)} and a.eligible
       and a.user_id not in (select user_id from hidden)
       and not exists (select 1 from branch_period_points w where ${inPeriod(sql`w`)} and w.user_id = a.user_id)
       and (select count(*) from head where points > 0 and user_id not in (select user_id from hidden)) < ${limit}
     order by a.sort_name collate "C", a.user_id
     limit ${limit})`;
  const viewerPoints = lifetime
    ? sql`a.points`
    : sql`coalesce((select w.points from branch_period_points w where ${inPeriod(sql`w`)} and w.user_id = a.user_id), 0)`;
  return sql`
    with hidden as (
      select blocked_id as user_id from user_blocks where blocker_id = ${selection.viewerId}
      union
      select blocker_id from user_blocks where blocked_id = ${selection.viewerId}
    ),
    ranked as (
      select count(*)::int as n from branch_period_points r
      where r.branch_id = ${branchId} and r.period = 'all' and r.eligible
    ),
    -- The start of the period's ranking, long enough to hold the page's visible rows: being a
    -- prefix of the whole order, rank() over it is the rank over everyone.
    head as materialized (
      select x.*, rank() over (order by x.points desc nulls last)::int as rank
      from (select e.user_id, e.points, e.sort_name
            from branch_period_points e
            where ${inPeriod(sql`e`)} and e.eligible
            order by e.points desc nulls last, e.sort_name collate "C", e.user_id
            limit ${limit} + (select count(*) from hidden)) x
    ),
    page as (
      select * from (
        (select * from head where user_id not in (select user_id from hidden)
         order by points desc nulls last, sort_name collate "C", user_id limit ${limit})
        ${withoutRow}) merged
      order by points desc nulls last, sort_name collate "C", user_id
      limit ${limit}
    ),
    viewer as (
      select a.user_id, ${viewerPoints} as points, a.sort_name
      from branch_period_points a
      where ${lifetimeRow(sql`a`)} and a.user_id = ${selection.viewerId} and a.eligible
    ),
    answer as (
      select p.user_id, p.points, p.sort_name, p.rank, false as is_viewer from page p
      union all
      select v.user_id, v.points, v.sort_name,
             (1 + (select count(*) from branch_period_points c
                   where ${inPeriod(sql`c`)} and c.eligible and c.points > v.points))::int,
             true
      from viewer v
    )
    select a.user_id, u.username, coalesce(u.profile ->> 'name', u.username) as name,
           a.points::int as points,
           -- Negative points (never made by reversals within a period, but the rule holds)
           -- rank after the members without a row.
           (a.rank + case when a.points < 0
                          then (select n from ranked)
                               - (select count(*) from branch_period_points c where ${inPeriod(sql`c`)} and c.eligible)
                          else 0 end)::int as rank,
           (select n from ranked) as ranked,
           a.is_viewer
    from answer a
    join users u on u.id = a.user_id
    order by a.is_viewer, a.points desc nulls last, a.sort_name collate "C", a.user_id`;
}

/** The only place that queries or writes leaderboards (the ledger writer adds points). */
export const leaderboardRepository = {
  /** The ranking as `rankingStatement` describes it. */
  async ranking(db: Database, selection: LeaderboardSelection): Promise<RankedRow[]> {
    const rows = await rowsOf<{
      user_id: string;
      username: string;
      name: string;
      points: number;
      rank: number;
      ranked: number;
      is_viewer: boolean;
    }>(db, rankingStatement(selection));
    return rows.map((row) => ({
      userId: row.user_id,
      username: row.username,
      name: row.name,
      points: row.points,
      rank: row.rank,
      ranked: row.ranked,
      isViewer: row.is_viewer,
    }));
  },

  /**
   * In the transaction that makes the member join the branch: their lifetime row (the sum of
   * their months is the sum of all their ledger rows) and their week and month rows, copied
   * from their own sums (`member_period_points`), with their name and eligibility.
   */
  async memberJoined(db: Database, branchId: string, userId: string): Promise<void> {
    await lockMember(db, userId);
    await db.execute(sql`
      insert into branch_period_points (branch_id, period, starts_on, user_id, points, sort_name, eligible)
      select ${branchId}, 'all', ${LIFETIME_STARTS_ON}::date, u.id,
             coalesce((select sum(p.points) from member_period_points p
                       where p.user_id = u.id and p.period = 'month'), 0)::int,
             lower(u.username), ${eligibleMember(sql`u.id`)}
      from users u where u.id = ${userId}
      on conflict do nothing`);
    await db.execute(sql`
      insert into branch_period_points (branch_id, period, starts_on, user_id, points, sort_name, eligible)
      select a.branch_id, p.period, p.starts_on, a.user_id, p.points, a.sort_name, a.eligible
      from branch_period_points a
      join member_period_points p on p.user_id = a.user_id
      where a.branch_id = ${branchId} and a.period = 'all' and a.user_id = ${userId}
      on conflict do nothing`);
  },

  /** In the transaction that ends the membership: the member's rows of that branch go. */
  async memberLeft(db: Database, branchId: string, userId: string): Promise<void> {
    await lockMember(db, userId);
    await db.execute(
      sql`delete from branch_period_points where branch_id = ${branchId} and user_id = ${userId}`,
    );
  },

  /**
   * In the transaction that changed the member's username, settings or account: their name and
   * eligibility read again from those sources, on every row in every branch.
   */
  async refreshMember(db: Database, userId: string): Promise<void> {
    await lockMember(db, userId);
    await db.execute(sql`
      update branch_period_points b
      set sort_name = lower(u.username), eligible = ${eligibleMember(sql`u.id`)}
      from users u
      where u.id = ${userId} and b.user_id = ${userId}
        and (b.sort_name, b.eligible) is distinct from (lower(u.username), ${eligibleMember(sql`u.id`)})`);
  },
};
