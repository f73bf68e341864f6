import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { rowsOf } from '../../db/raw-rows.js';
import type { MachineStatus, MachineType } from './gym-floor.table.js';

/** Machine-time of one machine type in one hour of the day, summed over a range's days. */
export interface HourTypeUse {
  hour: number;
  machineType: MachineType;
  capacitySeconds: number;
  occupiedSeconds: number;
}

/** Machine-time of one machine type over a set of hours. */
export interface TypeUse {
  machineType: MachineType;
  capacitySeconds: number;
  occupiedSeconds: number;
}

/** How long one machine (null: the machines since removed) was in use within a range. */
export interface MachineUse {
  machineId: string | null;
  occupiedSeconds: number;
  links: number;
}

/** A range of instants given as SQL expressions, evaluated by the database. */
interface InstantRange {
  start: SQL;
  end: SQL;
}

/**
 * The range of local days [from, to] in the zone, as instants: from the first day's midnight to
 * the midnight after the last, cut at now (open links count up to now, and hours not yet
 * lived have no machine-time to fill).
 */
function localDaysRange(timezone: string, from: string, to: string): InstantRange {
  return {
    start: sql`(${from}::date::timestamp at time zone ${timezone})`,
    end: sql`greatest(
      (${from}::date::timestamp at time zone ${timezone}),
      least(((${to}::date + 1)::timestamp at time zone ${timezone}), now())
    )`,
  };
}

/**
 * The branch's links that overlap the range, open ones ending now. The condition is the one
 * `machine_links_branch_end_start_idx` serves: links ending after the range starts (an open link
 * ends at infinity) are read from the index in order, and those starting after it ends are
 * dropped from the index entries, so a recent range reads recent rows only, however long the
 * history. Removed machines' links (`machine_id` null) are left to `machineUse`.
 */
function linksOverlapping(branchId: string, range: InstantRange): SQL {
  return sql`
    select machine_id, machine_type, started_at, coalesce(ended_at, now()) as ended_at
    from machine_links
    where branch_id = ${branchId}
      and coalesce(ended_at, 'infinity'::timestamptz) > ${range.start}
      and started_at < ${range.end}`;
}

/**
 * The branch's machines of each type with the instant each joined the range (its creation, or
 * the range's start): machine-time is counted from there. Machines made before the range, most
 * of them, fold into one row per type.
 */
function fleetSince(branchId: string, range: InstantRange): SQL {
  return sql`
    select type as machine_type, greatest(created_at, ${range.start}) as since, count(*) as machines
    from machines
    where branch_id = ${branchId} and created_at < ${range.end}
    group by 1, 2`;
}

/**
 * The statements behind the occupancy figures, built apart from running them so their plans
 * can be looked at (bench/floor-occupancy.bench.ts prints them).
 */
export const occupancyStatements = {
  /**
   * Occupied and available machine-time by hour of the local day and machine type over the
   * local days [from, to]. Hour buckets are a series of hours from the first local midnight, so
   * a day that springs forward has no bucket for the skipped hour and one that falls back has
   * two for the repeated one; each link is cut into the buckets it touches (`date_bin` on the
   * same series) and joined to them by start, so the work grows with links, not links × hours.
   */
  hourlyUse(branchId: string, timezone: string, from: string, to: string): SQL {
    const range = localDaysRange(timezone, from, to);
    return sql`
      with buckets as (
        select bucket_start,
               least(bucket_start + interval '1 hour', ${range.end}) as bucket_end,
               extract(hour from bucket_start at time zone ${timezone})::int as hour
        from generate_series(${range.start}, ${range.end}, interval '1 hour') as bucket_start
        where bucket_start < ${range.end}
      ),
      links as (${linksOverlapping(branchId, range)} and machine_id is not null),
      link_hours as (
        select machine_type, started_at, ended_at,
          -- In the select list (not a lateral FROM): cheaper per link, which is what it runs for.
          generate_series(
            date_bin(interval '1 hour', greatest(started_at, ${range.start}), ${range.start}),
            least(ended_at, ${range.end}),
            interval '1 hour'
          ) as bucket_start
        from links
      ),
      occupied as (
        select buckets.hour, link_hours.machine_type,
               sum(extract(epoch from
                 least(link_hours.ended_at, buckets.bucket_end) - greatest(link_hours.started_at, buckets.bucket_start)
               )) as seconds
        from link_hours join buckets using (bucket_start)
        where link_hours.ended_at > buckets.bucket_start
        group by 1, 2
      ),
      fleet as (${fleetSince(branchId, range)}),
      capacity as (
        select buckets.hour, fleet.machine_type,
               sum(fleet.machines * extract(epoch from buckets.bucket_end - greatest(fleet.since, buckets.bucket_start))) as seconds
        from buckets join fleet on fleet.since < buckets.bucket_end
        group by 1, 2
      )
      select hour, machine_type as "machineType",
             coalesce(capacity.seconds, 0)::float8 as "capacitySeconds",
             coalesce(occupied.seconds, 0)::float8 as "occupiedSeconds"
      from capacity full join occupied using (hour, machine_type)
      order by hour, machine_type`;
  },

  /**
   * Per machine, the time in use within the local days [from, to] (links clipped to the range)
   * and how many links overlap it. The machines since removed come as one row with a null id.
   */
  machineUse(branchId: string, timezone: string, from: string, to: string): SQL {
    const range = localDaysRange(timezone, from, to);
    return sql`
      select machine_id as "machineId",
             coalesce(sum(extract(epoch from least(ended_at, ${range.end}) - greatest(started_at, ${range.start}))), 0)::float8 as "occupiedSeconds",
             count(*)::int as links
      from (${linksOverlapping(branchId, range)}) as links
      group by machine_id`;
  },

  /**
   * Occupied and available machine-time by machine type in the local hour of `at`, on its
   * weekday, in each of the `weeks` weeks before (the same wall-clock hour, so a DST change in
   * between moves the instants with it).
   */
  typicalUse(branchId: string, timezone: string, weeks: number, at: Date): SQL {
    const hourNow = sql`date_trunc('hour', ${at.toISOString()}::timestamptz at time zone ${timezone})`;
    const range = {
      start: sql`((${hourNow} - make_interval(days => 7 * ${weeks}::int)) at time zone ${timezone})`,
      end: sql`((${hourNow} - interval '7 days') at time zone ${timezone} + interval '1 hour')`,
    };
    return sql`
      with buckets as (
        select bucket_start, bucket_start + interval '1 hour' as bucket_end
        from (
          select (${hourNow} - make_interval(days => 7 * week)) at time zone ${timezone} as bucket_start
          from generate_series(1, ${weeks}::int) as week
        ) as weeks
      ),
      occupied as (
        select links.machine_type,
               sum(extract(epoch from least(links.ended_at, buckets.bucket_end) - greatest(links.started_at, buckets.bucket_start))) as seconds
        from buckets
          -- One index range per hour: the links ending after it starts, kept when they start
          -- before it ends (checked on the index entries, so only those rows are read).
          cross join lateral (${linksOverlapping(branchId, {
            start: sql`buckets.bucket_start`,
            end: sql`buckets.bucket_end`,
          })} and machine_id is not null) as links
        group by 1
      ),
      fleet as (${fleetSince(branchId, range)}),
      capacity as (
        select fleet.machine_type,
               sum(fleet.machines * extract(epoch from buckets.bucket_end - greatest(fleet.since, buckets.bucket_start))) as seconds
        from buckets join fleet on fleet.since < buckets.bucket_end
        group by 1
      )
      select machine_type as "machineType",
             coalesce(capacity.seconds, 0)::float8 as "capacitySeconds",
             coalesce(occupied.seconds, 0)::float8 as "occupiedSeconds"
      from capacity full join occupied using (machine_type)
      order by machine_type`;
  },
};

/** The only place that queries the floor's history for occupancy and busyness. */
export const occupancyRepository = {
  /** See `occupancyStatements.hourlyUse`. */
  hourlyUse(
    db: Database,
    branchId: string,
    timezone: string,
    from: string,
    to: string,
  ): Promise<HourTypeUse[]> {
    return rowsOf(db, occupancyStatements.hourlyUse(branchId, timezone, from, to));
  },

  /** See `occupancyStatements.machineUse`. */
  machineUse(
    db: Database,
    branchId: string,
    timezone: string,
    from: string,
    to: string,
  ): Promise<MachineUse[]> {
    return rowsOf(db, occupancyStatements.machineUse(branchId, timezone, from, to));
  },

  /** See `occupancyStatements.typicalUse`. */
  typicalUseNow(
    db: Database,
    branchId: string,
    timezone: string,
    weeks: number,
    at: Date,
  ): Promise<TypeUse[]> {
    return rowsOf(db, occupancyStatements.typicalUse(branchId, timezone, weeks, at));
  },

  /** The instants the local days [from, to] span, as occupancy counts them. */
  async rangeInstants(
    db: Database,
    timezone: string,
    from: string,
    to: string,
  ): Promise<{ start: Date; end: Date }> {
    const range = localDaysRange(timezone, from, to);
    const [row] = await rowsOf<{ start: number; end: number }>(
      db,
      sql`select (extract(epoch from ${range.start}) * 1000)::float8 as start,
                 (extract(epoch from ${range.end}) * 1000)::float8 as "end"`,
    );
    if (!row) throw new Error('select returned no row');
    return { start: new Date(row.start), end: new Date(row.end) };
  },

  /** The branch's machines by type and status, now. */
  async machineCounts(
    db: Database,
    branchId: string,
  ): Promise<{ machineType: MachineType; status: MachineStatus; machines: number }[]> {
    return rowsOf(
      db,
      sql`
      select type as "machineType", status, count(*)::int as machines
      from machines
      where branch_id = ${branchId}
      group by 1, 2`,
    );
  },

  /** Members with an active gym session at the branch, now. */
  async checkedInCount(db: Database, branchId: string): Promise<number> {
    const [row] = await rowsOf<{ members: number }>(
      db,
      sql`
      select count(*)::int as members
      from gym_sessions
      where branch_id = ${branchId} and status = 'active'`,
    );
    return row?.members ?? 0;
  },

  /** The branch's machines as the per-machine totals name them. */
  async machinesOf(
    db: Database,
    branchId: string,
  ): Promise<{ id: string; name: string; type: MachineType }[]> {
    return rowsOf(
      db,
      sql`select id, name, type from machines where branch_id = ${branchId} order by lower(name), id`,
    );
  },
};
