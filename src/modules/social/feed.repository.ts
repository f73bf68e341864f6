import { and, eq, gt, lte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { rowsOf } from '../../db/raw-rows.js';
import type { Cursor } from '../../lib/http/cursor.js';
import { users } from '../users/users.table.js';
import {
  feedWorkouts,
  follows,
  socialSettings,
  type FeedWorkoutExercise,
  type FeedWorkoutRecord,
} from './social.table.js';
import { blockedBetween } from './social.repository.js';

/**
 * How long after a day's last log entry its workout counts as completed when the member does not
 * check out of the gym: a pause this long means the session is over.
 */
export const WORKOUT_QUIET_MINUTES = 60;

/** One feed item as read: a workout or an achievement unlock, with its author. */
export interface FeedRow {
  kind: 'workout' | 'achievement';
  id: string;
  at: Date;
  authorId: string;
  username: string;
  name: string;
  workout: {
    day: string;
    exercises: FeedWorkoutExercise[];
    completedSets: number;
    volumeKg: number;
    personalRecords: FeedWorkoutRecord[];
    startedAt: Date;
    lastEntryAt: Date;
    checkedOutAt: Date | null;
  } | null;
  achievement: { key: string; unlockedAt: Date } | null;
}

interface RawFeedRow {
  kind: 'workout' | 'achievement';
  id: string;
  at: string | Date;
  author_id: string;
  username: string;
  name: string;
  day: string | null;
  exercises: FeedWorkoutExercise[] | null;
  completed_sets: number | null;
  volume_kg: number | null;
  personal_records: FeedWorkoutRecord[] | null;
  started_at: string | Date | null;
  last_entry_at: string | Date | null;
  checked_out_at: string | Date | null;
  achievement_key: string | null;
}

const asDate = (value: string | Date) => (value instanceof Date ? value : new Date(value));

// The same definition of a completed set as the rewards module's (point-rules.ts).
const daySummary = (userId: string, day: string) => sql`
  with entries as (
    select l.id, l.exercise_id, l.exercise_name, l.completed_at, l.personal_records,
      count(s.id) filter (where s.reps >= 1 or coalesce(s.duration_sec, 0) >= 1)::int as sets,
      coalesce(sum(s.reps * s.weight_kg) filter (where s.reps >= 1 or coalesce(s.duration_sec, 0) >= 1), 0)::float8 as volume
    from workout_logs l left join workout_sets s on s.log_id = l.id
    where l.user_id = ${userId} and l.day = ${day}
    group by l.id
  ), done as (select * from entries where sets > 0),
  exercises as (
    select exercise_id, (array_agg(exercise_name order by completed_at desc, id desc))[1] as name,
      sum(sets)::int as sets, min(completed_at) as first_at
    from done group by exercise_id
  ), records as (
    select d.exercise_id, (array_agg(d.exercise_name order by d.completed_at desc, d.id desc))[1] as name,
      array_agg(distinct k.kind order by k.kind) as kinds, min(d.completed_at) as first_at
    from done d cross join lateral unnest(d.personal_records) as k(kind)
    group by d.exercise_id
  )
  select
    (select jsonb_agg(jsonb_build_object('exerciseId', exercise_id, 'exerciseName', name, 'completedSets', sets) order by first_at, exercise_id) from exercises) as exercises,
    coalesce((select jsonb_agg(jsonb_build_object('exerciseId', exercise_id, 'exerciseName', name, 'kinds', to_jsonb(kinds)) order by first_at, exercise_id) from records), '[]'::jsonb) as personal_records,
    sum(sets)::int as completed_sets, sum(volume)::float8 as volume_kg,
    min(completed_at) as started_at, max(completed_at) as last_entry_at
  from done
  having count(*) > 0`;

/** The only place that queries the feed. */
export const feedRepository = {
  /** One writer of the member's feed workouts at a time, until the transaction ends. */
  async lockAuthor(tx: Database, userId: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`feed:${userId}`}, 0))`);
  },

  /**
   * Rewrites the member's workout of the day from its log entries (or removes it when none has a
   * completed set left). A check-out recorded after the last entry still ends the workout; a
   * later entry reopens it until the next check-out or quiet period.
   */
  async refreshWorkoutDay(tx: Database, userId: string, day: string): Promise<void> {
    const quiet = `${String(WORKOUT_QUIET_MINUTES)} minutes`;
    const written = await rowsOf<{ id: string }>(
      tx,
      sql`
      insert into feed_workouts (author_id, day, exercises, completed_sets, volume_kg,
        personal_records, started_at, last_entry_at, visible_from)
      select ${userId}, ${day}, summary.exercises, summary.completed_sets, summary.volume_kg,
        summary.personal_records, summary.started_at, summary.last_entry_at,
        summary.last_entry_at + ${quiet}::interval
      from (${daySummary(userId, day)}) as summary
      on conflict (author_id, day) do update set
        exercises = excluded.exercises,
        completed_sets = excluded.completed_sets,
        volume_kg = excluded.volume_kg,
        personal_records = excluded.personal_records,
        started_at = excluded.started_at,
        last_entry_at = excluded.last_entry_at,
        visible_from = case
          when feed_workouts.checked_out_at >= excluded.last_entry_at
            then least(feed_workouts.checked_out_at, excluded.visible_from)
          else excluded.visible_from end,
        updated_at = now()
      returning id`,
    );
    if (written.length === 0) {
      await tx
        .delete(feedWorkouts)
        .where(and(eq(feedWorkouts.authorId, userId), eq(feedWorkouts.day, day)));
    }
  },

  /** The member checked out: their workouts not yet over whose last entry came before are now. */
  async checkedOut(tx: Database, userId: string, at: Date): Promise<void> {
    await tx
      .update(feedWorkouts)
      .set({ checkedOutAt: at, visibleFrom: at, updatedAt: sql`now()` })
      .where(
        and(
          eq(feedWorkouts.authorId, userId),
          lte(feedWorkouts.lastEntryAt, at),
          gt(feedWorkouts.visibleFrom, at),
        ),
      );
  },

  /**
   * The viewer's feed page, newest first by (at, id): the completed workouts and achievement
   * unlocks of the members they follow as it stands now (accepted, author not private, no block
   * either way, author active). Workouts are read per author from the (author, visible_from, id)
   * index, at most a page each; achievements are few per member (the catalogue's size).
   */
  async feedOf(
    db: Database,
    viewerId: string,
    page: { limit: number; cursor?: Cursor | undefined },
  ): Promise<FeedRow[]> {
    const limit = page.limit + 1;
    const after = (at: SQL, id: SQL) =>
      page.cursor
        ? sql`and (${at}, ${id}) < (${page.cursor.at.toISOString()}::timestamptz, ${page.cursor.id}::uuid)`
        : sql``;
    const rows = await rowsOf<RawFeedRow>(
      db,
      sql`
      with followed as (
        select ${follows.followeeId} as author_id
        from ${follows}
        join ${users} on ${users.id} = ${follows.followeeId} and ${users.isActive}
        left join ${socialSettings} on ${socialSettings.userId} = ${follows.followeeId}
        where ${follows.followerId} = ${viewerId} and ${follows.status} = 'accepted'
          and coalesce(${socialSettings.privacy}, 'public') <> 'private'
          and not ${blockedBetween(sql`${follows.followerId}`, sql`${follows.followeeId}`)}
      ), items as (
        select 'workout' as kind, w.id, w.visible_from as at, followed.author_id
        from followed cross join lateral (
          select fw.id, fw.visible_from from feed_workouts fw
          where fw.author_id = followed.author_id and fw.visible_from <= now()
            ${after(sql`fw.visible_from`, sql`fw.id`)}
          order by fw.visible_from desc, fw.id desc
          limit ${limit}
        ) w
        union all
        select 'achievement' as kind, a.id, a.unlocked_at as at, followed.author_id
        from followed join user_achievements a on a.user_id = followed.author_id
        where true ${after(sql`a.unlocked_at`, sql`a.id`)}
      ), page as (
        select * from items order by at desc, id desc limit ${limit}
      )
      select page.kind, page.id, page.at, page.author_id, u.username, u.profile->>'name' as name,
        w.day::text as day, w.exercises, w.completed_sets, w.volume_kg, w.personal_records,
        w.started_at, w.last_entry_at, w.checked_out_at, a.key as achievement_key
      from page
      join users u on u.id = page.author_id
      left join feed_workouts w on page.kind = 'workout' and w.id = page.id
      left join user_achievements a on page.kind = 'achievement' and a.id = page.id
      order by page.at desc, page.id desc`,
    );
    return rows.map((row) => ({
      kind: row.kind,
      id: row.id,
      at: asDate(row.at),
      authorId: row.author_id,
      username: row.username,
      name: row.name,
      workout:
        row.kind === 'workout' && row.day && row.started_at && row.last_entry_at
          ? {
              day: row.day,
              exercises: row.exercises ?? [],
              completedSets: row.completed_sets ?? 0,
              volumeKg: row.volume_kg ?? 0,
              personalRecords: row.personal_records ?? [],
              startedAt: asDate(row.started_at),
              lastEntryAt: asDate(row.last_entry_at),
              checkedOutAt: row.checked_out_at ? asDate(row.checked_out_at) : null,
            }
          : null,
      achievement:
        row.kind === 'achievement' && row.achievement_key
          ? { key: row.achievement_key, unlockedAt: asDate(row.at) }
          : null,
    }));
  },
};
