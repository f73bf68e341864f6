import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { rowsOf } from '../../db/raw-rows.js';
import type { PointPeriod } from '../rewards/index.js';

/** Whose points a leaderboard ranks, and over what. */
export interface LeaderboardSelection {
  branchId: string;
  /** A kept period and its first day, or lifetime (`users.total_points`). */
  period: { kind: PointPeriod; startsOn: string } | 'all';
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
 * The points of each eligible member of the branch. Eligible: a member of the branch, an active
 * account, not private and not opted out of leaderboards (no settings row: public and shown).
 * Week and month points are the member's `member_period_points` row (0 without one), lifetime
 * points `users.total_points`; both equal the sum of the member's ledger rows of the period.
 * Only what ranking needs is carried (names are read for the answered rows alone), so the sort
 * of 20,000 rows stays in memory.
 */
function eligiblePoints(selection: LeaderboardSelection): SQL {
  const points =
    selection.period === 'all'
      ? { column: sql`u.total_points`, join: sql`` }
      : {
          column: sql`coalesce(p.points, 0)`,
          join: sql`left join member_period_points p
            on p.user_id = bm.user_id
           and p.period = ${selection.period.kind}
           and p.starts_on = ${selection.period.startsOn}::date`,
        };
  return sql`
    select bm.user_id, u.username, ${points.column} as points
    from branch_members bm
    join users u on u.id = bm.user_id
    ${points.join}
    where bm.branch_id = ${selection.branchId}
      and u.is_active
      and not exists (
        select 1 from social_settings s
        where s.user_id = bm.user_id and (s.privacy = 'private' or not s.show_on_leaderboards)
      )`;
}

/**
 * One statement: every eligible member ranked by points (standard competition ranking, ties
 * listed by lower-case username in code-point order, then id), then the first `limit` the viewer
 * may see (not blocked by or blocking them, a set read once), then the viewer's own row when
 * they are ranked. Ranks count every eligible member, hidden ones included. Exported for the
 * benchmark's plans.
 */
export function rankingStatement(selection: LeaderboardSelection): SQL {
  return sql`
    with ranked as materialized (
      select e.user_id, e.points,
             rank() over (order by e.points desc)::int as rank,
             row_number() over (order by e.points desc, lower(e.username) collate "C", e.user_id) as position,
             count(*) over ()::int as ranked
      from (${eligiblePoints(selection)}) e
    ),
    hidden as (
      select blocked_id as user_id from user_blocks where blocker_id = ${selection.viewerId}
      union
      select blocker_id from user_blocks where blocked_id = ${selection.viewerId}
    ),
    answer as (
      (select r.*, false as is_viewer
       from ranked r
       where r.user_id not in (select user_id from hidden)
       order by r.position
       limit ${selection.limit})
      union all
      select r.*, true as is_viewer from ranked r where r.user_id = ${selection.viewerId}
    )
    select a.user_id, u.username, coalesce(u.profile ->> 'name', u.username) as name,
           a.points::int as points, a.rank, a.ranked, a.is_viewer
    from answer a
    join users u on u.id = a.user_id
    order by a.is_viewer, a.position`;
}

/** The only place that queries leaderboards. */
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
};
