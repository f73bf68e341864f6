import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import { WORKOUT_QUIET_MINUTES } from './feed.repository.js';
import {
  blockSchema,
  feedPageSchema,
  followSchema,
  memberParams,
  socialMemberPageSchema,
  socialPageQuery,
  socialSettingsSchema,
  updateSocialSettingsBody,
} from './social.schemas.js';
import type { SocialService } from './social.service.js';

const blockNote =
  'A member who blocked the caller answers as an unknown one (404), so a block is never ' +
  'revealed to the member blocked.';

const listNote =
  'Newest first, paged with `?limit=&cursor=` (`nextCursor` of the previous page). Only ' +
  'relations that count now are listed: never a member blocked by either side, and no ' +
  'followers at all while the followed member is `private`.';

/** `/api/social`: privacy, follows and follow requests, blocks, and the feed. */
export function socialRoutes(social: SocialService): RouteGroup {
  return {
    basePath: '/api/social',
    tag: 'Social',
    routes: [
      defineRoute({
        method: 'get',
        path: '/settings',
        summary: 'The caller’s privacy and leaderboard settings',
        description: 'A member who never changed them is `public` and on leaderboards.',
        access: 'user',
        responses: { 200: { description: 'The settings', schema: socialSettingsSchema } },
        handler: async ({ user }) => ({ status: 200, body: await social.settingsOf(user.userId) }),
      }),
      defineRoute({
        method: 'patch',
        path: '/settings',
        summary: 'Change the caller’s privacy or leaderboard settings',
        description:
          'Effects, in the same transaction as the change: going `private` removes every ' +
          'follower and pending request (none are kept dormant: switching back starts from ' +
          'zero, and nobody is told); going `public` accepts every pending request. Going from ' +
          '`public` to `followers` keeps the followers already accepted. What followers see in ' +
          'their feed is decided when they read it, by the setting at that moment, so items ' +
          'from before a change to `private` are hidden too.',
        access: 'user',
        body: updateSocialSettingsBody,
        responses: { 200: { description: 'The settings now', schema: socialSettingsSchema } },
        handler: async ({ user, body }) => ({
          status: 200,
          body: await social.updateSettings(user.userId, body),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/follow/:userId',
        summary: 'Follow a member (or ask to)',
        description:
          'A `public` member is followed at once (201, they receive a `new-follower` ' +
          'notification); a `followers` member receives a request (202, `follow-request` ' +
          'notification) to approve or decline. Following a member already followed or asked ' +
          'answers 200 with the follow as it stands (also when requests race: one row). ' +
          'Yourself: 400. A `private` member: 409 `PRIVATE_PROFILE`; a member you blocked: 409 ' +
          `\`BLOCKED_BY_YOU\`. ${blockNote}`,
        access: 'user',
        params: memberParams,
        responses: {
          200: { description: 'Already following or asked', schema: followSchema },
          201: { description: 'Following now', schema: followSchema },
          202: { description: 'Request sent, waiting for approval', schema: followSchema },
        },
        errors: [404],
        reasons: { 409: ['PRIVATE_PROFILE', 'BLOCKED_BY_YOU'] },
        handler: async ({ user, params }) => {
          const outcome = await social.follow(user.userId, params.userId);
          return { status: outcome.status, body: outcome.follow };
        },
      }),
      defineRoute({
        method: 'delete',
        path: '/follow/:userId',
        summary: 'Unfollow a member, or withdraw a request',
        description: 'Idempotent: 204 also when there was nothing to undo (or no such member).',
        access: 'user',
        params: memberParams,
        responses: { 204: { description: 'Not following (any more)' } },
        handler: async ({ user, params }) => {
          await social.unfollow(user.userId, params.userId);
          return { status: 204 };
        },
      }),
      defineRoute({
        method: 'get',
        path: '/followers',
        summary: 'The caller’s followers',
        description: `${listNote} \`since\` is when the follow was accepted.`,
        access: 'user',
        query: socialPageQuery,
        responses: { 200: { description: 'A page of followers', schema: socialMemberPageSchema } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await social.followers(user.userId, query),
        }),
      }),
      defineRoute({
        method: 'delete',
        path: '/followers/:userId',
        summary: 'Remove a follower',
        description:
          'The member no longer follows the caller (a pending request of theirs goes too); they ' +
          'are not told and may follow again (block them to prevent it). Idempotent.',
        access: 'user',
        params: memberParams,
        responses: { 204: { description: 'Not a follower (any more)' } },
        handler: async ({ user, params }) => {
          await social.removeFollower(user.userId, params.userId);
          return { status: 204 };
        },
      }),
      defineRoute({
        method: 'get',
        path: '/following',
        summary: 'The members the caller follows',
        description:
          `${listNote} \`since\` is when the follow was accepted; requests still waiting are ` +
          'not listed.',
        access: 'user',
        query: socialPageQuery,
        responses: { 200: { description: 'A page of members', schema: socialMemberPageSchema } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await social.following(user.userId, query),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/follow-requests',
        summary: 'Follow requests waiting for the caller’s answer',
        description: `Newest first, paged as the other lists. \`since\` is when it was sent.`,
        access: 'user',
        query: socialPageQuery,
        responses: { 200: { description: 'A page of requests', schema: socialMemberPageSchema } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await social.followRequests(user.userId, query),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/follow-requests/:userId/approve',
        summary: 'Approve a follow request',
        description:
          'The member follows the caller from now on. 404 when no request of theirs waits.',
        access: 'user',
        params: memberParams,
        responses: { 200: { description: 'The accepted follow', schema: followSchema } },
        errors: [404],
        handler: async ({ user, params }) => ({
          status: 200,
          body: await social.approveRequest(user.userId, params.userId),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/follow-requests/:userId/decline',
        summary: 'Decline a follow request',
        description:
          'The request goes; the member is not told and may ask again (block them to prevent ' +
          'it). 404 when no request of theirs waits.',
        access: 'user',
        params: memberParams,
        responses: { 204: { description: 'Declined' } },
        errors: [404],
        handler: async ({ user, params }) => {
          await social.declineRequest(user.userId, params.userId);
          return { status: 204 };
        },
      }),
      defineRoute({
        method: 'get',
        path: '/blocks',
        summary: 'The members the caller blocked',
        description: 'Newest block first, paged as the other lists.',
        access: 'user',
        query: socialPageQuery,
        responses: { 200: { description: 'A page of blocks', schema: socialMemberPageSchema } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await social.blocks(user.userId, query),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/blocks/:userId',
        summary: 'Block a member',
        description:
          'In one transaction: the block, and the end of every follow and request between the ' +
          'two, both ways. From then on neither appears in the other’s followers, following, ' +
          'requests, feed or leaderboards, and the blocked member’s follow attempts answer 404 ' +
          'as for an unknown member (they are not told). Blocking again answers 200. Yourself: 400.',
        access: 'user',
        params: memberParams,
        responses: {
          200: { description: 'Blocked already', schema: blockSchema },
          201: { description: 'Blocked', schema: blockSchema },
        },
        errors: [404],
        handler: async ({ user, params }) => {
          const outcome = await social.block(user.userId, params.userId);
          return { status: outcome.created ? 201 : 200, body: outcome.block };
        },
      }),
      defineRoute({
        method: 'delete',
        path: '/blocks/:userId',
        summary: 'Unblock a member',
        description:
          'Follows the block removed do not come back. Idempotent: 204 also when there was no block.',
        access: 'user',
        params: memberParams,
        responses: { 204: { description: 'Not blocked (any more)' } },
        handler: async ({ user, params }) => {
          await social.unblock(user.userId, params.userId);
          return { status: 204 };
        },
      }),
      defineRoute({
        method: 'get',
        path: '/feed',
        summary: 'Completed workouts and achievements of the members the caller follows',
        description:
          'Newest first by `at`, paged with `?limit=&cursor=`. Items of members the caller ' +
          'follows (accepted) as things stand when the feed is read: a member who is `private` ' +
          'now, blocked by either side, or no longer followed shows nothing, including items ' +
          'from before the change.\n\n' +
          'A **workout** is a member’s log entries of one local day with at least one completed ' +
          'set. It is completed, and enters the feed, when the member checks out of the gym ' +
          `after its last entry, or ${String(WORKOUT_QUIET_MINUTES)} minutes after its last ` +
          'entry without one (entries imported or logged for the past are completed at once). ' +
          'More entries that day reopen it: it comes back, summarised anew, when they are ' +
          'completed in turn. Deleting every entry removes it. An **achievement** is an unlock ' +
          '(see `GET /api/users/me/achievements`), shown from the moment it happens.',
        access: 'user',
        query: socialPageQuery,
        responses: { 200: { description: 'A page of the feed', schema: feedPageSchema } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await social.feed(user.userId, query),
        }),
      }),
    ],
  };
}
