import type { Database } from '../../db/database.js';
import { forbidden } from '../../lib/errors.js';
import { localDay } from '../../lib/time/local-day.js';
import type { Role } from '../../lib/roles.js';
import type { GymFloor } from '../gym-floor/index.js';
import { periodEnd, periodStart, type PointPeriod } from '../rewards/index.js';
import { leaderboardRepository, type RankedRow } from './leaderboard.repository.js';
import { LIFETIME_STARTS_ON } from './leaderboard.table.js';
import type {
  LeaderboardEntry,
  LeaderboardPeriod,
  LeaderboardQuery,
  LeaderboardView,
} from './leaderboard.schemas.js';

/** Who is looking, as branch access rules need it. */
export interface Viewer {
  userId: string;
  role: Role;
}

/** The branch lookups and access rule leaderboards share with the gym floor. */
export type LeaderboardBranches = Pick<GymFloor['branches'], 'require' | 'canWatch'>;

/** The dates [from, to] of the period containing `today`, or null bounds for lifetime. */
export function currentPeriod(
  period: LeaderboardPeriod,
  today: string,
): { kind: PointPeriod; from: string; to: string } | undefined {
  if (period === 'all') return undefined;
  const from = periodStart(period, today);
  const end = periodEnd(period, from);
  const to = new Date(Date.parse(`${end}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return { kind: period, from, to };
}

const presentEntry = (row: RankedRow): LeaderboardEntry => ({
  rank: row.rank,
  userId: row.userId,
  username: row.username,
  name: row.name,
  points: row.points,
});

/** Branch leaderboards: members ranked by the points of this week, this month or ever. */
export class LeaderboardService {
  constructor(
    private readonly deps: {
      db: Database;
      branches: LeaderboardBranches;
      /** The clock the current week and month are read from (tests fix it). */
      now?: () => Date;
    },
  ) {}

  /** In the membership change's transaction: the member's rows of the branch come or go. */
  async onMembershipChanging(event: {
    tx: Database;
    userId: string;
    branchId: string;
    joined: boolean;
  }): Promise<void> {
    if (event.joined)
      await leaderboardRepository.memberJoined(event.tx, event.branchId, event.userId);
    else await leaderboardRepository.memberLeft(event.tx, event.branchId, event.userId);
  }

  /** In the username change's transaction: the member's place among equal points follows it. */
  async onRenamed(event: { tx: Database; userId: string }): Promise<void> {
    await leaderboardRepository.refreshMember(event.tx, event.userId);
  }

  /**
   * The branch's leaderboard as the actor sees it: members, staff of the branch and admins
   * (others 403, an unknown branch 404, as for the branch's busyness).
   */
  async leaderboard(actor: Viewer, query: LeaderboardQuery): Promise<LeaderboardView> {
    const branch = await this.deps.branches.require(query.branchId);
    if (!(await this.deps.branches.canWatch(actor, branch.id))) {
      throw forbidden('Join this branch (or staff it) to see its leaderboard.');
    }
    const today = localDay(this.deps.now?.() ?? new Date(), branch.timezone);
    const period = currentPeriod(query.period, today);
    const rows = await leaderboardRepository.ranking(this.deps.db, {
      branchId: branch.id,
      period: period
        ? { kind: period.kind, startsOn: period.from }
        : { kind: 'all', startsOn: LIFETIME_STARTS_ON },
      viewerId: actor.userId,
      limit: query.limit,
    });
    const me = rows.find((row) => row.isViewer);
    return {
      branchId: branch.id,
      period: query.period,
      timezone: branch.timezone,
      from: period?.from ?? null,
      to: period?.to ?? null,
      rankedMembers: rows[0]?.ranked ?? 0,
      entries: rows.filter((row) => !row.isViewer).map(presentEntry),
      me: me ? presentEntry(me) : null,
    };
  }
}
