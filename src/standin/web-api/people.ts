/** auth.test, users.info, users.lookupByEmail, users.list, conversations.open, conversations.history. */
import { fail, ok, rateLimited, str, truthy, type Args, type MethodHandler } from '../http/reply.js';
import { messagePayload, type WorkspaceModel } from '../workspace/model.js';
import { MAX_HISTORY_LIMIT, MAX_MPIM_USERS, MAX_USERS_LIST_LIMIT, TIER_2_PER_MINUTE } from '../workspace/types.js';

export function peopleMethods(w: WorkspaceModel): Record<string, MethodHandler> {
  const usersListCalls: number[] = [];
  return {
    'users.list': (a) => usersList(w, a, usersListCalls),
    'auth.test': () => authTest(w),
    'users.info': (a) => {
      const user = w.findUser(String(a.user ?? ''));
      return user ? ok({ user: w.userPayload(user) }) : fail('user_not_found');
    },
    'users.lookupByEmail': (a) => {
      const email = String(a.email ?? '').toLowerCase();
      const user = email ? w.users.find((u) => u.email.toLowerCase() === email) : undefined;
      return user ? ok({ user: w.userPayload(user) }) : fail('users_not_found');
    },
    'conversations.open': (a) => conversationsOpen(w, a),
    'conversations.history': (a) => conversationsHistory(w, a),
  };
}

function authTest(w: WorkspaceModel) {
  return ok({
    url: `https://${w.teamDomain}.slack.com/`,
    team: w.teamName,
    user: w.botName,
    team_id: w.teamId,
    user_id: w.botUserId,
    bot_id: w.botId,
    is_enterprise_install: false,
  });
}

function conversationsOpen(w: WorkspaceModel, args: Args) {
  const channel = str(args.channel);
  if (channel) {
    return w.dmMembersOf(channel) ? ok({ no_op: true, already_open: true, channel: { id: channel } }) : fail('channel_not_found');
  }
  const userIds = String(args.users ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  if (userIds.length === 0) return fail('users_list_not_supplied');
  if (userIds.length > MAX_MPIM_USERS) return fail('too_many_users');
  if (userIds.some((id) => !w.findUser(id))) return fail('user_not_found');
  const alreadyOpen = w.hasDmFor(userIds);
  const id = w.dmIdFor(userIds);
  return ok({ ...(alreadyOpen ? { no_op: true, already_open: true } : {}), channel: { id } });
}

/**
 * A conversation's messages, newest first, as Slack pages them: `oldest` / `latest` bound the
 * ts (exclusive unless `inclusive`), `limit` (default 100, at most 999) and an opaque `cursor`
 * page through. Message metadata is returned only with `include_all_metadata`. Like Slack it
 * needs a conversation id: a user id is `channel_not_found` (conversations.open gives the DM's id).
 */
function conversationsHistory(w: WorkspaceModel, args: Args) {
  const channel = str(args.channel);
  if (!channel || !w.isConversation(channel)) return fail('channel_not_found');
  const limitArg = args.limit === undefined ? 100 : Number(args.limit);
  if (!Number.isInteger(limitArg) || limitArg < 1) return fail('invalid_limit');
  const limit = Math.min(limitArg, MAX_HISTORY_LIMIT);
  const inclusive = truthy(args.inclusive);
  const oldest = str(args.oldest) !== undefined ? Number(args.oldest) : undefined;
  const latest = str(args.latest) !== undefined ? Number(args.latest) : undefined;
  if ((oldest !== undefined && Number.isNaN(oldest)) || (latest !== undefined && Number.isNaN(latest))) return fail('invalid_ts_oldest');
  let offset = 0;
  const cursor = str(args.cursor);
  if (cursor) {
    const decoded = /^next_ts:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
    if (!decoded) return fail('invalid_cursor');
    offset = Number(decoded[1]);
  }
  const withMetadata = truthy(args.include_all_metadata);
  const inRange = w.messages
    .filter((m) => m.channel === channel && !m.thread_ts)
    .filter((m) => {
      const ts = Number(m.ts);
      if (oldest !== undefined && (inclusive ? ts < oldest : ts <= oldest)) return false;
      if (latest !== undefined && (inclusive ? ts > latest : ts >= latest)) return false;
      return true;
    })
    .reverse();
  const page = inRange.slice(offset, offset + limit);
  const hasMore = offset + limit < inRange.length;
  return ok({
    messages: page.map((m) => {
      const { metadata, ...rest } = messagePayload(m);
      return structuredClone(withMetadata && metadata ? { ...rest, metadata } : rest);
    }),
    has_more: hasMore,
    pin_count: 0,
    response_metadata: { next_cursor: hasMore ? Buffer.from(`next_ts:${offset + limit}`).toString('base64') : '' },
  });
}

/**
 * The workspace's accounts (deactivated ones included, with `deleted: true`), paged as Slack
 * pages them: `limit` (Slack caps it at 1000 and advises 200) and an opaque `cursor`. Tier 2:
 * past 20 calls in a minute the answer is 429 with Retry-After, as Slack's.
 */
function usersList(w: WorkspaceModel, args: Args, calls: number[]) {
  const now = Date.now();
  while (calls.length > 0 && calls[0]! <= now - 60_000) calls.shift();
  if (calls.length >= TIER_2_PER_MINUTE) return rateLimited(Math.max(1, Math.ceil((calls[0]! + 60_000 - now) / 1000)));
  calls.push(now);
  const limitArg = args.limit === undefined ? 0 : Number(args.limit);
  if (!Number.isInteger(limitArg) || limitArg < 0) return fail('invalid_limit');
  const limit = limitArg === 0 ? MAX_USERS_LIST_LIMIT : Math.min(limitArg, MAX_USERS_LIST_LIMIT);
  let offset = 0;
  const cursor = str(args.cursor);
  if (cursor) {
    const decoded = /^dXNlcj:(\d+)$/.exec(cursor);
    if (!decoded) return fail('invalid_cursor');
    offset = Number(decoded[1]);
  }
  const page = w.users.slice(offset, offset + limit);
  const more = offset + limit < w.users.length;
  return ok({
    members: page.map((u) => w.userPayload(u)),
    cache_ts: Math.floor(now / 1000),
    response_metadata: { next_cursor: more ? `dXNlcj:${offset + limit}` : '' },
  });
}
