import { and, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Database } from '../../db/database.js';
import { encodeCursor, type Cursor } from '../../lib/http/cursor.js';
import type { Page } from '../../db/keyset-page.js';
import { users } from '../users/users.table.js';
import {
  follows,
  socialSettings,
  userBlocks,
  type FollowRow,
  type FollowStatus,
  type PrivacySetting,
} from './social.table.js';

/** Another member as social lists show them, with the time of the relation listed. */
export interface MemberEntry {
  userId: string;
  username: string;
  name: string;
  since: Date;
}

/** A member's sharing settings, with the defaults when they never changed them. */
export interface SocialSettings {
  privacy: PrivacySetting;
  showOnLeaderboards: boolean;
  updatedAt: Date | null;
}

export interface ListRequest {
  limit: number;
  cursor?: Cursor | undefined;
}

const defaultSettings: SocialSettings = {
  privacy: 'public',
  showOnLeaderboards: true,
  updatedAt: null,
};

/** SQL true when either member blocked the other. */
export const blockedBetween = (a: SQL | string, b: SQL | string): SQL =>
  sql`exists (select 1 from ${userBlocks} where (${userBlocks.blockerId} = ${a} and ${userBlocks.blockedId} = ${b}) or (${userBlocks.blockerId} = ${b} and ${userBlocks.blockedId} = ${a}))`;

/** SQL true when the member's current setting shares nothing (no row is `public`). */
export const isPrivate = (userId: SQL): SQL =>
  sql`exists (select 1 from ${socialSettings} where ${socialSettings.userId} = ${userId} and ${socialSettings.privacy} = 'private')`;

/**
 * A page of members in one relation to the caller, newest first by `since` then user id, the
 * cursor carrying both (the keyset order of every list).
 */
async function memberPage(
  db: Database,
  other: PgColumn,
  since: SQL,
  from: typeof follows | typeof userBlocks,
  filters: SQL[],
  page: ListRequest,
): Promise<Page<MemberEntry>> {
  const where = [...filters, eq(users.isActive, true)];
  if (page.cursor) {
    where.push(
      sql`(${since}, ${other}) < (${page.cursor.at.toISOString()}::timestamptz, ${page.cursor.id}::uuid)`,
    );
  }
  const rows = await db
    .select({
      userId: sql<string>`${other}`,
      username: users.username,
      name: sql<string>`${users.profile}->>'name'`,
      since: sql`${since}`.mapWith((value: string | Date) => new Date(value)),
    })
    .from(from)
    .innerJoin(users, eq(users.id, other))
    .where(and(...where))
    .orderBy(desc(since), desc(other))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      rows.length > page.limit && last ? encodeCursor({ at: last.since, id: last.userId }) : null,
  };
}

/** The only place that queries follows, blocks and social settings. */
export const socialRepository = {
  /**
   * Serialises every change to the relations of these members (follows, requests, blocks,
   * privacy) until the transaction ends. Locks are taken in id order, so two transactions that
   * share members never wait on each other in a cycle.
   */
  async lockMembers(tx: Database, userIds: string[]): Promise<void> {
    for (const userId of [...new Set(userIds)].sort()) {
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtextextended(${`social:${userId}`}, 0))`,
      );
    }
  },

  async settingsOf(db: Database, userId: string): Promise<SocialSettings> {
    const [row] = await db.select().from(socialSettings).where(eq(socialSettings.userId, userId));
    return row
      ? {
          privacy: row.privacy,
          showOnLeaderboards: row.showOnLeaderboards,
          updatedAt: row.updatedAt,
        }
      : defaultSettings;
  },

  async saveSettings(
    db: Database,
    userId: string,
    settings: { privacy: PrivacySetting; showOnLeaderboards: boolean },
  ): Promise<SocialSettings> {
    const [row] = await db
      .insert(socialSettings)
      .values({ userId, ...settings })
      .onConflictDoUpdate({
        target: socialSettings.userId,
        set: { ...settings, updatedAt: sql`now()` },
      })
      .returning();
    if (!row) throw new Error('upsert returned no row');
    return {
      privacy: row.privacy,
      showOnLeaderboards: row.showOnLeaderboards,
      updatedAt: row.updatedAt,
    };
  },

  /** The active member with this id, as another member may see them. */
  async findMember(
    db: Database,
    userId: string,
  ): Promise<{ id: string; username: string; name: string } | undefined> {
    const [row] = await db
      .select({
        id: users.id,
        username: users.username,
        name: sql<string>`${users.profile}->>'name'`,
      })
      .from(users)
      .where(and(eq(users.id, userId), eq(users.isActive, true)));
    return row;
  },

  /** Who of the two blocked whom. */
  async blocksBetween(
    db: Database,
    userId: string,
    otherId: string,
  ): Promise<{ blockedByMe: boolean; blockedMe: boolean }> {
    const rows = await db
      .select({ blockerId: userBlocks.blockerId })
      .from(userBlocks)
      .where(
        or(
          and(eq(userBlocks.blockerId, userId), eq(userBlocks.blockedId, otherId)),
          and(eq(userBlocks.blockerId, otherId), eq(userBlocks.blockedId, userId)),
        ),
      );
    return {
      blockedByMe: rows.some((row) => row.blockerId === userId),
      blockedMe: rows.some((row) => row.blockerId === otherId),
    };
  },

  async findFollow(
    db: Database,
    followerId: string,
    followeeId: string,
  ): Promise<FollowRow | undefined> {
    const [row] = await db
      .select()
      .from(follows)
      .where(and(eq(follows.followerId, followerId), eq(follows.followeeId, followeeId)));
    return row;
  },

  /** Inserts the follow; undefined when one already exists (the primary key decides). */
  async insertFollow(
    db: Database,
    followerId: string,
    followeeId: string,
    status: FollowStatus,
  ): Promise<FollowRow | undefined> {
    const [row] = await db
      .insert(follows)
      .values({
        followerId,
        followeeId,
        status,
        acceptedAt: status === 'accepted' ? sql`now()` : null,
      })
      .onConflictDoNothing()
      .returning();
    return row;
  },

  /** Deletes the follow in any state; whether there was one. */
  async deleteFollow(
    db: Database,
    followerId: string,
    followeeId: string,
    status?: FollowStatus,
  ): Promise<boolean> {
    const filters = [eq(follows.followerId, followerId), eq(follows.followeeId, followeeId)];
    if (status) filters.push(eq(follows.status, status));
    const rows = await db
      .delete(follows)
      .where(and(...filters))
      .returning({ followerId: follows.followerId });
    return rows.length > 0;
  },

  /** Accepts a pending request; undefined when there is none. */
  async acceptRequest(
    db: Database,
    followerId: string,
    followeeId: string,
  ): Promise<FollowRow | undefined> {
    const [row] = await db
      .update(follows)
      .set({ status: 'accepted', acceptedAt: sql`now()` })
      .where(
        and(
          eq(follows.followerId, followerId),
          eq(follows.followeeId, followeeId),
          eq(follows.status, 'pending'),
        ),
      )
      .returning();
    return row;
  },

  /** Accepts every pending request to the member (they went public). */
  async acceptAllRequests(db: Database, followeeId: string): Promise<number> {
    const rows = await db
      .update(follows)
      .set({ status: 'accepted', acceptedAt: sql`now()` })
      .where(and(eq(follows.followeeId, followeeId), eq(follows.status, 'pending')))
      .returning({ followerId: follows.followerId });
    return rows.length;
  },

  /** Removes every follower and request of the member (they went private). */
  async deleteAllFollowers(db: Database, followeeId: string): Promise<number> {
    const rows = await db
      .delete(follows)
      .where(eq(follows.followeeId, followeeId))
      .returning({ followerId: follows.followerId });
    return rows.length;
  },

  /** Inserts the block; false when it existed already. */
  async insertBlock(db: Database, blockerId: string, blockedId: string): Promise<boolean> {
    const rows = await db
      .insert(userBlocks)
      .values({ blockerId, blockedId })
      .onConflictDoNothing()
      .returning({ blockerId: userBlocks.blockerId });
    return rows.length > 0;
  },

  async blockedSince(
    db: Database,
    blockerId: string,
    blockedId: string,
  ): Promise<Date | undefined> {
    const [row] = await db
      .select({ createdAt: userBlocks.createdAt })
      .from(userBlocks)
      .where(and(eq(userBlocks.blockerId, blockerId), eq(userBlocks.blockedId, blockedId)));
    return row?.createdAt;
  },

  async deleteBlock(db: Database, blockerId: string, blockedId: string): Promise<void> {
    await db
      .delete(userBlocks)
      .where(and(eq(userBlocks.blockerId, blockerId), eq(userBlocks.blockedId, blockedId)));
  },

  /** Deletes the follows between the two, in both directions and any state. */
  async deleteFollowsBetween(db: Database, userId: string, otherId: string): Promise<void> {
    await db
      .delete(follows)
      .where(
        or(
          and(eq(follows.followerId, userId), eq(follows.followeeId, otherId)),
          and(eq(follows.followerId, otherId), eq(follows.followeeId, userId)),
        ),
      );
  },

  /**
   * The member's followers as they count now: accepted, not blocked either way, and none at all
   * while the member is private.
   */
  followersOf(db: Database, userId: string, page: ListRequest): Promise<Page<MemberEntry>> {
    return memberPage(
      db,
      follows.followerId,
      sql`${follows.acceptedAt}`,
      follows,
      [
        eq(follows.followeeId, userId),
        eq(follows.status, 'accepted'),
        sql`not ${isPrivate(sql`${follows.followeeId}`)}`,
        sql`not ${blockedBetween(sql`${follows.followerId}`, sql`${follows.followeeId}`)}`,
      ],
      page,
    );
  },

  /** Whom the member follows as it counts now: accepted, not private, not blocked either way. */
  followingOf(db: Database, userId: string, page: ListRequest): Promise<Page<MemberEntry>> {
    return memberPage(
      db,
      follows.followeeId,
      sql`${follows.acceptedAt}`,
      follows,
      [
        eq(follows.followerId, userId),
        eq(follows.status, 'accepted'),
        sql`not ${isPrivate(sql`${follows.followeeId}`)}`,
        sql`not ${blockedBetween(sql`${follows.followerId}`, sql`${follows.followeeId}`)}`,
      ],
      page,
    );
  },

  /** Requests waiting for the member's answer, newest first. */
  requestsTo(db: Database, userId: string, page: ListRequest): Promise<Page<MemberEntry>> {
    return memberPage(
      db,
      follows.followerId,
      sql`${follows.createdAt}`,
      follows,
      [
        eq(follows.followeeId, userId),
        eq(follows.status, 'pending'),
        sql`not ${isPrivate(sql`${follows.followeeId}`)}`,
        sql`not ${blockedBetween(sql`${follows.followerId}`, sql`${follows.followeeId}`)}`,
      ],
      page,
    );
  },

  blocksOf(db: Database, userId: string, page: ListRequest): Promise<Page<MemberEntry>> {
    return memberPage(
      db,
      userBlocks.blockedId,
      sql`${userBlocks.createdAt}`,
      userBlocks,
      [eq(userBlocks.blockerId, userId)],
      page,
    );
  },

  /** Every follow and block the member is part of, oldest first, for their data export. */
  async exportOf(db: Database, userId: string) {
    const [followRows, blockRows] = await Promise.all([
      db
        .select()
        .from(follows)
        .where(or(eq(follows.followerId, userId), eq(follows.followeeId, userId)))
        .orderBy(follows.createdAt),
      db
        .select()
        .from(userBlocks)
        .where(eq(userBlocks.blockerId, userId))
        .orderBy(userBlocks.createdAt),
    ]);
    const otherIds = [
      ...new Set([
        ...followRows.map((row) => (row.followerId === userId ? row.followeeId : row.followerId)),
        ...blockRows.map((row) => row.blockedId),
      ]),
    ];
    const names = new Map(
      otherIds.length === 0
        ? []
        : (
            await db
              .select({ id: users.id, username: users.username })
              .from(users)
              .where(inArray(users.id, otherIds))
          ).map((row) => [row.id, row.username]),
    );
    return { followRows, blockRows, names };
  },
};
