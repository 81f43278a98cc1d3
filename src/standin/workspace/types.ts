/** The stand-in workspace's records, as Slack's Web API speaks of them, and the limits its methods enforce. */
import type { StandinWorkspace } from '../oauth.js';

export interface StandinUser {
  id: string;
  name: string;
  realName: string;
  email: string;
  isBot?: boolean;
  deleted?: boolean;
  tz?: string;
  /** A person of another organization, as Slack Connect shows them: their own team id. */
  teamId?: string;
  /** Slack's flag for someone outside the workspace the token can see only through a shared channel. */
  isStranger?: boolean;
  /** A guest of the workspace (Slack's is_restricted / is_ultra_restricted). */
  guest?: 'multi-channel' | 'single-channel';
}
export interface StandinChannel {
  id: string;
  name: string;
}
export interface StandinOptions {
  teamId?: string;
  teamName?: string;
  botToken?: string;
  /** The app-level token (xapp-…) that may call apps.connections.open, and only that. */
  appToken?: string;
  botUserId?: string;
  botId?: string;
  /** Display name of the bot user (auth.test `user`, users.info of the bot). */
  botName?: string;
  /** The Slack app id (api_app_id in payloads, app_id in views). */
  appId?: string;
  users?: StandinUser[];
  channels?: StandinChannel[];
  postMessageIntervalMs?: number;
  triggerTtlMs?: number;
  port?: number;
  /** Interval of the Socket Mode server's pings (default 10 s; 0 disables). */
  socketPingIntervalMs?: number;
  /** How long `socket.send()` waits for a connection and then for the app's ack (default 5 s). */
  socketAckTimeoutMs?: number;
  /** "Add to Slack": the app's client credentials that oauth.v2.access accepts (src/standin/oauth.ts). */
  oauthClient?: { clientId: string; clientSecret: string };
  /** More workspaces the app can be installed in through OAuth, besides the stand-in's own. */
  workspaces?: StandinWorkspace[];
  /** Token rotation: OAuth installs get refresh tokens and tokens expiring after this many seconds. */
  tokenRotationExpiresInSec?: number;
}
export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  status: number;
  response: Record<string, unknown>;
  /** The token the call was made with (Bearer header or token field), if any. */
  token?: string;
  /**
   * Set when a fault made the caller never see `response` although the call took effect
   * (`dropResponse`: the connection was cut; `delayMs`: answered this late, maybe after the
   * caller gave up). What Slack looks like when a request times out on the way back.
   */
  responseLost?: 'dropped' | 'delayed';
  /** The injected fault this call met, if any (so a test can tell its faults from Slack's own pacing). */
  injectedFault?: Fault;
  /** The Retry-After (seconds) of a 429 answer, injected or from the posting pace. */
  retryAfterSec?: number;
}
export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  at: number;
}
/**
 * Trouble injected into the next call(s) of a method. With `status` or `error` the call is
 * refused and has no effect (a 429 carries `Retry-After: retryAfterSec`). Without them the call
 * takes effect and only its answer suffers: `delayMs` holds it back that long (past the
 * client's timeout it is a timeout whose call happened anyway), `dropResponse` cuts the
 * connection instead of answering.
 */
export interface Fault {
  status?: number;
  error?: string;
  retryAfterSec?: number;
  delayMs?: number;
  dropResponse?: boolean;
}
/** Message metadata as chat.postMessage takes it and conversations.history returns it. */
export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}
/** A message as Slack stores it (what chat.update and block_actions payloads see). */
export interface StoredMessage {
  type: 'message';
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  user: string;
  bot_id: string;
  app_id: string;
  team: string;
  thread_ts?: string;
  edited?: { user: string; ts: string };
  metadata?: MessageMetadata;
}
/** A view as Slack returns it from views.* (id, hash, state, defaults, then the app's fields). */
export type StoredView = Record<string, unknown> & { id: string; hash: string; type: string };

export const DEFAULT_USERS: readonly StandinUser[] = [
  { id: 'U0ALICE001', name: 'alice', realName: 'Alice Archer', email: 'alice@acme.test', tz: 'Europe/Paris' },
  { id: 'U0BOB00001', name: 'bob', realName: 'Bob Baker', email: 'bob@acme.test', tz: 'America/New_York' },
  { id: 'U0CAROL001', name: 'carol', realName: 'Carol Chen', email: 'carol@acme.test', tz: 'Asia/Tokyo' },
  { id: 'U0DAVE0001', name: 'dave', realName: 'Dave Diaz', email: 'dave@acme.test', tz: 'America/Los_Angeles' },
];
export const DEFAULT_CHANNELS: readonly StandinChannel[] = [
  { id: 'C0TEAM0001', name: 'team-updates' },
  { id: 'C0APPR0001', name: 'team-approvals' },
  { id: 'C0GENERAL1', name: 'general' },
];

/** Slack's limit on `text` in chat.postMessage/chat.update. */
export const MAX_MESSAGE_TEXT = 40_000;
/** Slack's limit on the members of a group DM opened with conversations.open. */
export const MAX_MPIM_USERS = 8;
/** Slack's ceiling on users.list's `limit` (it advises 200). */
export const MAX_USERS_LIST_LIMIT = 1000;
/** Slack's Tier 2 rate limit (users.list): about 20 calls a minute. */
export const TIER_2_PER_MINUTE = 20;
/** Slack's ceiling on conversations.history's `limit`. */
export const MAX_HISTORY_LIMIT = 999;
/** Slack's documented limit on a message's metadata (event_type + event_payload), in bytes. */
export const MAX_METADATA_BYTES = 8_000;

