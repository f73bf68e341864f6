import { leaderboardRepository } from './leaderboard.repository.js';
import type { Database } from '../../db/database.js';
import { mapPage, type Page } from '../../db/keyset-page.js';
import { inUnitOfWork, type UnitOfWork } from '../../db/unit-of-work.js';
import { conflict, notFound, validationError } from '../../lib/errors.js';
import { encodeCursor } from '../../lib/http/cursor.js';
import type { Logger } from '../../lib/logger.js';
import type { Notifier } from '../notifications/index.js';
import { feedRepository, type FeedRow } from './feed.repository.js';
import {
  socialRepository as repository,
  type ListRequest,
  type MemberEntry,
  type SocialSettings,
} from './social.repository.js';
import type {
  FeedItemView,
  FollowView,
  SocialMemberView,
  SocialSettingsView,
  UpdateSocialSettings,
} from './social.schemas.js';
import type { FollowRow } from './social.table.js';

/** What the feed shows of an achievement, from the rewards catalogue. */
export interface AchievementDescriptions {
  describe(key: string): { title: string; description: string; points: number } | undefined;
}

export interface SocialServiceDeps {
  db: Database;
  logger: Logger;
  notifier: Notifier;
  achievements: AchievementDescriptions;
}

/** A follow answered: 201 new and accepted, 202 new and pending, 200 already there. */
export interface FollowOutcome {
  status: 200 | 201 | 202;
  follow: FollowView;
}

const presentMember = (entry: MemberEntry): SocialMemberView => ({
  userId: entry.userId,
  username: entry.username,
  name: entry.name,
  since: entry.since.toISOString(),
});

const presentSettings = (settings: SocialSettings): SocialSettingsView => ({
  privacy: settings.privacy,
  showOnLeaderboards: settings.showOnLeaderboards,
  updatedAt: settings.updatedAt?.toISOString() ?? null,
});

const notYourself = (what: string) =>
  validationError(`You cannot ${what} yourself.`, [
    { path: 'params.userId', message: 'must be another member' },
  ]);

/**
 * Follows, follow requests, blocks and privacy. Every change to the relations between members
 * runs in one transaction under a lock on each member involved (`lockMembers`), so a follow
 * racing a block or a change of privacy sees it or is undone by it, never half of each.
 */
export class SocialService {
  constructor(private readonly deps: SocialServiceDeps) {}

  async settingsOf(userId: string): Promise<SocialSettingsView> {
    return presentSettings(await repository.settingsOf(this.deps.db, userId));
  }

  /**
   * Changes the caller's settings. Going `private` removes every follower and pending request
   * (the member then has none, and switching back starts from zero); going `public` accepts the
   * pending requests, as a follow would be accepted now.
   */
  async updateSettings(userId: string, body: UpdateSocialSettings): Promise<SocialSettingsView> {
    const saved = await inUnitOfWork(this.deps.db, this.deps.logger, async ({ tx }) => {
      await repository.lockMembers(tx, [userId]);
      const current = await repository.settingsOf(tx, userId);
      const next = {
        privacy: body.privacy ?? current.privacy,
        showOnLeaderboards: body.showOnLeaderboards ?? current.showOnLeaderboards,
      };
      if (next.privacy === 'private') await repository.deleteAllFollowers(tx, userId);
      if (next.privacy === 'public') await repository.acceptAllRequests(tx, userId);
      const saved = await repository.saveSettings(tx, userId, next);
      // Leaderboards rank only members who are shown: their rows follow in this transaction.
      await leaderboardRepository.refreshMember(tx, userId);
      return saved;
    });
    return presentSettings(saved);
  }

  /**
   * Follows a member: accepted at once when they are public (they hear `new-follower`), a request
   * when they take followers by approval (they hear `follow-request`). Following again is a
   * no-op that answers the follow as it stands. A member who blocked the caller answers as an
   * unknown one (404); a private member or one the caller blocked is a 409 with its reason.
   */
  async follow(userId: string, targetId: string): Promise<FollowOutcome> {
    if (userId === targetId) throw notYourself('follow');
    return inUnitOfWork(this.deps.db, this.deps.logger, async (uow) => {
      const { tx } = uow;
      await repository.lockMembers(tx, [userId, targetId]);
      const [target, follower] = await Promise.all([
        repository.findMember(tx, targetId),
        repository.findMember(tx, userId),
      ]);
      const blocks = await repository.blocksBetween(tx, userId, targetId);
      if (!target || !follower || blocks.blockedMe) throw notFound('Member');
      if (blocks.blockedByMe) {
        throw conflict('You blocked this member; unblock them to follow.', 'BLOCKED_BY_YOU');
      }
      const existing = await repository.findFollow(tx, userId, targetId);
      if (existing) return { status: 200, follow: presentFollow(existing, target) };
      const { privacy } = await repository.settingsOf(tx, targetId);
      if (privacy === 'private') {
        throw conflict('This member does not take followers.', 'PRIVATE_PROFILE');
      }
      const status = privacy === 'public' ? 'accepted' : 'pending';
      const created = await repository.insertFollow(tx, userId, targetId, status);
      // The lock makes a duplicate impossible here; the key would turn one into a no-op anyway.
      if (!created) throw new Error('follow vanished under the member lock');
      await this.notifyFollowed(uow, targetId, follower, status);
      return { status: status === 'accepted' ? 201 : 202, follow: presentFollow(created, target) };
    });
  }

  /** Unfollows, or withdraws a request; nothing to undo is fine too. */
  async unfollow(userId: string, targetId: string): Promise<void> {
    await inUnitOfWork(this.deps.db, this.deps.logger, async ({ tx }) => {
      await repository.lockMembers(tx, [userId, targetId]);
      await repository.deleteFollow(tx, userId, targetId);
    });
  }

  /** Removes a follower (or their pending request) from the caller; idempotent. */
  async removeFollower(userId: string, followerId: string): Promise<void> {
    await inUnitOfWork(this.deps.db, this.deps.logger, async ({ tx }) => {
      await repository.lockMembers(tx, [userId, followerId]);
      await repository.deleteFollow(tx, followerId, userId);
    });
  }

  async approveRequest(userId: string, requesterId: string): Promise<FollowView> {
    return inUnitOfWork(this.deps.db, this.deps.logger, async ({ tx }) => {
      await repository.lockMembers(tx, [userId, requesterId]);
      const requester = await repository.findMember(tx, requesterId);
      const accepted = requester && (await repository.acceptRequest(tx, requesterId, userId));
      if (!requester || !accepted) throw notFound('Follow request');
      return presentFollow(accepted, requester);
    });
  }

  async declineRequest(userId: string, requesterId: string): Promise<void> {
    await inUnitOfWork(this.deps.db, this.deps.logger, async ({ tx }) => {
      await repository.lockMembers(tx, [userId, requesterId]);
      if (!(await repository.deleteFollow(tx, requesterId, userId, 'pending'))) {
        throw notFound('Follow request');
      }
    });
  }

  /**
   * Blocks a member: the follows between the two (either way, any state) go in the same
   * transaction, and from then on neither sees the other (lists, feed, leaderboards) and the
   * blocked member cannot follow. Blocking again is a no-op (200).
   */
  async block(
    userId: string,
    targetId: string,
  ): Promise<{ created: boolean; block: SocialMemberView }> {
    if (userId === targetId) throw notYourself('block');
    return inUnitOfWork(this.deps.db, this.deps.logger, async ({ tx }) => {
      await repository.lockMembers(tx, [userId, targetId]);
      const target = await repository.findMember(tx, targetId);
      if (!target) throw notFound('Member');
      const created = await repository.insertBlock(tx, userId, targetId);
      await repository.deleteFollowsBetween(tx, userId, targetId);
      const since = (await repository.blockedSince(tx, userId, targetId)) ?? new Date();
      const { id, username, name } = target;
      return { created, block: { userId: id, username, name, since: since.toISOString() } };
    });
  }

  /** Lifts a block; follows it removed do not come back. Idempotent. */
  async unblock(userId: string, targetId: string): Promise<void> {
    await inUnitOfWork(this.deps.db, this.deps.logger, async ({ tx }) => {
      await repository.lockMembers(tx, [userId, targetId]);
      await repository.deleteBlock(tx, userId, targetId);
    });
  }

  async followers(userId: string, page: ListRequest): Promise<Page<SocialMemberView>> {
    return mapPage(await repository.followersOf(this.deps.db, userId, page), presentMember);
  }

  async following(userId: string, page: ListRequest): Promise<Page<SocialMemberView>> {
    return mapPage(await repository.followingOf(this.deps.db, userId, page), presentMember);
  }

  async followRequests(userId: string, page: ListRequest): Promise<Page<SocialMemberView>> {
    return mapPage(await repository.requestsTo(this.deps.db, userId, page), presentMember);
  }

  async blocks(userId: string, page: ListRequest): Promise<Page<SocialMemberView>> {
    return mapPage(await repository.blocksOf(this.deps.db, userId, page), presentMember);
  }

  /** The caller's feed (see feedRepository.feedOf for who is shown). */
  async feed(userId: string, page: ListRequest): Promise<Page<FeedItemView>> {
    const rows = await feedRepository.feedOf(this.deps.db, userId, page);
    const hasMore = rows.length > page.limit;
    const kept = rows.slice(0, page.limit);
    const last = kept.at(-1);
    return {
      // An unlock whose key left the catalogue is not shown; the page still moves past it.
      items: kept.flatMap((row) => {
        const item = this.presentFeedItem(row);
        return item ? [item] : [];
      }),
      nextCursor: hasMore && last ? encodeCursor({ at: last.at, id: last.id }) : null,
    };
  }

  /** Settings, follows both ways and blocks, for the member's data export. */
  async exportOf(userId: string) {
    const [settings, { followRows, blockRows, names }] = await Promise.all([
      repository.settingsOf(this.deps.db, userId),
      repository.exportOf(this.deps.db, userId),
    ]);
    const relation = (row: FollowRow, otherId: string) => ({
      userId: otherId,
      username: names.get(otherId) ?? null,
      status: row.status,
      requestedAt: row.createdAt.toISOString(),
      acceptedAt: row.acceptedAt?.toISOString() ?? null,
    });
    return {
      settings: presentSettings(settings),
      following: followRows
        .filter((row) => row.followerId === userId)
        .map((row) => relation(row, row.followeeId)),
      followers: followRows
        .filter((row) => row.followeeId === userId)
        .map((row) => relation(row, row.followerId)),
      blocks: blockRows.map((row) => ({
        userId: row.blockedId,
        username: names.get(row.blockedId) ?? null,
        blockedAt: row.createdAt.toISOString(),
      })),
    };
  }

  /** Keeps the author's feed workout of the day(s) a log change touched in step, in its transaction. */
  async onWorkoutLogChanged(event: {
    uow: UnitOfWork;
    userId: string;
    log: { day: string };
    previousDay?: string;
  }): Promise<void> {
    const days = new Set([event.log.day, ...(event.previousDay ? [event.previousDay] : [])]);
    // One writer per member at a time, so concurrent log changes each see the other's rows.
    await feedRepository.lockAuthor(event.uow.tx, event.userId);
    for (const day of days) await feedRepository.refreshWorkoutDay(event.uow.tx, event.userId, day);
  }

  /** A check-out completes the member's workout in progress at once. */
  async onCheckedOut(event: { uow: UnitOfWork; userId: string; at: Date }): Promise<void> {
    await feedRepository.checkedOut(event.uow.tx, event.userId, event.at);
  }

  private async notifyFollowed(
    uow: UnitOfWork,
    targetId: string,
    follower: { id: string; username: string; name: string },
    status: 'accepted' | 'pending',
  ): Promise<void> {
    const data = { followerId: follower.id, username: follower.username, name: follower.name };
    await this.deps.notifier.notify(
      status === 'accepted'
        ? {
            userId: targetId,
            kind: 'new-follower',
            title: 'New follower',
            body: `${follower.name} (@${follower.username}) started following you.`,
            data,
            dedupeKey: `new-follower:${follower.id}`,
          }
        : {
            userId: targetId,
            kind: 'follow-request',
            title: 'Follow request',
            body: `${follower.name} (@${follower.username}) asked to follow you.`,
            data,
            dedupeKey: `follow-request:${follower.id}`,
          },
      uow,
    );
  }

  private presentFeedItem(row: FeedRow): FeedItemView | undefined {
    const author = { userId: row.authorId, username: row.username, name: row.name };
    if (row.workout) {
      const { workout } = row;
      const finishedAt =
        workout.checkedOutAt && workout.checkedOutAt >= workout.lastEntryAt
          ? workout.checkedOutAt
          : workout.lastEntryAt;
      return {
        id: row.id,
        kind: 'workout',
        at: row.at.toISOString(),
        author,
        workout: {
          day: workout.day,
          exercises: workout.exercises,
          completedSets: workout.completedSets,
          volumeKg: workout.volumeKg,
          durationSec: Math.round((finishedAt.getTime() - workout.startedAt.getTime()) / 1000),
          startedAt: workout.startedAt.toISOString(),
          finishedAt: finishedAt.toISOString(),
          personalRecords: workout.personalRecords,
        },
      };
    }
    const described = row.achievement && this.deps.achievements.describe(row.achievement.key);
    if (!row.achievement || !described) return undefined;
    return {
      id: row.id,
      kind: 'achievement',
      at: row.at.toISOString(),
      author,
      achievement: {
        key: row.achievement.key,
        ...described,
        unlockedAt: row.achievement.unlockedAt.toISOString(),
      },
    };
  }
}

function presentFollow(
  row: FollowRow,
  other: { id: string; username: string; name: string },
): FollowView {
  return {
    userId: other.id,
    username: other.username,
    name: other.name,
    status: row.status,
    requestedAt: row.createdAt.toISOString(),
    acceptedAt: row.acceptedAt?.toISOString() ?? null,
  };
}
