/**
 * A local stand-in for Slack's Web API (https://slack.com/api/...).
 *
 * Slack's servers are unreachable from where tests, the demo and the benchmark
 * run, so this server speaks the Web API methods the app uses, over real HTTP,
 * with Slack's error names and limits (Block Kit limits, per-channel posting
 * pace, single-use expiring trigger_ids, view hashes). A real `WebClient`
 * pointed at `apiUrl` cannot tell the difference for the methods below.
 *
 * Every call is recorded (including refused ones) before the answer is sent,
 * so a test that awaited the HTTP response can assert on `calls` right away.
 *
 * It also speaks Socket Mode: `apps.connections.open` (app-level token only) hands out
 * a one-time ws:// URL on this same server, where `socket` (see socket-mode.ts) greets
 * the app and carries envelopes to it and its acks back.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateBlocks, validateView, type ViewType } from './block-kit-limits.js';
import { SocketModeServer } from './socket-mode.js';
import { waitForEmitted } from './wait.js';

// The Socket Mode side is part of the stand-in's API (standin.socket), so it is exported with it.
import { StandinOAuth, type StandinWorkspace } from './oauth.js';
export * from './oauth.js';
export * from './socket-mode.js';

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
const MAX_MPIM_USERS = 8;
/** Form fields that WebClient sends as JSON strings. */
const JSON_FIELDS = ['blocks', 'view', 'attachments', 'metadata'] as const;
/** Slack's ceiling on conversations.history's `limit`. */
const MAX_HISTORY_LIMIT = 999;
/** Slack's documented limit on a message's metadata (event_type + event_payload), in bytes. */
const MAX_METADATA_BYTES = 8_000;

type Args = Record<string, unknown>;
interface ApiReply {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}
type MethodHandler = (args: Args) => ApiReply;

const ok = (body: Record<string, unknown> = {}): ApiReply => ({ status: 200, body: { ok: true, ...body } });
/** Slack reports API errors with HTTP 200 and `ok: false`. */
const fail = (error: string, extra: Record<string, unknown> = {}): ApiReply => ({
  status: 200,
  body: { ok: false, error, ...extra },
});
const failWithMessages = (error: string, problems: string[]): ApiReply =>
  fail(error, { response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
const rateLimited = (retryAfterSec: number): ApiReply => ({
  status: 429,
  body: { ok: false, error: 'ratelimited' },
  headers: { 'Retry-After': String(retryAfterSec) },
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const randomHex = (bytes: number) => randomBytes(bytes).toString('hex');
const randomUpper = (n: number) => randomBytes(n).toString('base64url').replace(/[^A-Za-z0-9]/g, '0').toUpperCase().slice(0, n);

export class SlackStandin {
  readonly teamId: string;
  readonly teamName: string;
  /** Workspace subdomain, as in team_domain and `https://acme.slack.com/`. */
  readonly teamDomain: string;
  readonly botToken: string;
  readonly appToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly botName: string;
  readonly appId: string;
  readonly postMessageIntervalMs: number;
  readonly triggerTtlMs: number;

  users: StandinUser[];
  channels: StandinChannel[];
  calls: RecordedCall[] = [];
  responseUrlPosts: ResponseUrlPost[] = [];
  /** Every message the bot posted, in order (updated in place by chat.update). */
  messages: StoredMessage[] = [];
  /** Views opened/pushed/published, by view id. */
  views = new Map<string, StoredView>();
  /** The latest published home tab per user id. */
  homeViews = new Map<string, StoredView>();
  /** Socket Mode: connections, frames, and `send()` to deliver envelopes to the app. */
  readonly socket: SocketModeServer;
  /** OAuth v2: the consent page, oauth.v2.access and the tokens installs were given. */
  readonly oauth: StandinOAuth;
  /** The workspaces an install can pick: the stand-in's own first. */
  readonly workspaces: StandinWorkspace[];

  private readonly server: Server;
  private port = 0;
  private readonly events = new EventEmitter();
  private readonly methods: Record<string, MethodHandler>;
  private readonly faults = new Map<string, Array<{ fault: Fault; remaining: number }>>();
  private readonly lastPostAt = new Map<string, number>();
  private readonly triggers = new Map<string, { mintedAt: number; used: boolean }>();
  private readonly responseUrlIds = new Set<string>();
  private readonly viewIdByExternalId = new Map<string, string>();
  private readonly dmIdByMembers = new Map<string, string>();
  private readonly dmMembers = new Map<string, string[]>();
  private lastTsMicros = 0;
  private idCounter = 0;

  private constructor(opts: StandinOptions) {
    this.teamId = opts.teamId ?? 'T0TEAM0001';
    this.teamName = opts.teamName ?? 'Acme';
    this.teamDomain = this.teamName.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    this.botToken = opts.botToken ?? 'xoxb-standin-token';
    this.appToken = opts.appToken ?? 'xapp-1-A0APP00001-standin';
    this.botUserId = opts.botUserId ?? 'U0BOT00001';
    this.botId = opts.botId ?? 'B0BOT00001';
    this.botName = opts.botName ?? 'team-manager';
    this.appId = opts.appId ?? 'A0APP00001';
    this.postMessageIntervalMs = opts.postMessageIntervalMs ?? 1000;
    this.triggerTtlMs = opts.triggerTtlMs ?? 3000;
    this.users = (opts.users ?? DEFAULT_USERS).map((u) => ({ ...u }));
    this.channels = (opts.channels ?? DEFAULT_CHANNELS).map((c) => ({ ...c }));
    this.events.setMaxListeners(0);
    this.workspaces = [{ teamId: this.teamId, teamName: this.teamName }, ...(opts.workspaces ?? [])];
    // Every channel is known to the stand-in (ids are unique across Slack); which token may reach it is checked per workspace.
    for (const id of (opts.workspaces ?? []).flatMap((w) => w.channels ?? [])) {
      if (!this.channels.some((c) => c.id === id)) this.channels.push({ id, name: id.toLowerCase() });
    }
    this.oauth = new StandinOAuth({
      clientId: opts.oauthClient?.clientId ?? '1111111111.2222222222',
      clientSecret: opts.oauthClient?.clientSecret ?? 'standin-client-secret-0123456789',
      scopes: ['commands', 'chat:write', 'users:read', 'users:read.email', 'im:write', 'channels:history', 'groups:history', 'im:history'],
      botUserId: this.botUserId,
      botId: this.botId,
      appId: this.appId,
      ...(opts.tokenRotationExpiresInSec !== undefined ? { rotationExpiresInSec: opts.tokenRotationExpiresInSec } : {}),
    });
    this.methods = {
      'auth.test': () => this.authTest(),
      'chat.postMessage': (a) => this.chatPostMessage(a),
      'chat.update': (a) => this.chatUpdate(a),
      'chat.postEphemeral': (a) => this.chatPostEphemeral(a),
      'views.open': (a) => this.viewsOpen(a),
      'views.push': (a) => this.viewsOpen(a),
      'views.update': (a) => this.viewsUpdate(a),
      'views.publish': (a) => this.viewsPublish(a),
      'users.info': (a) => this.usersInfo(a),
      'users.lookupByEmail': (a) => this.usersLookupByEmail(a),
      'conversations.open': (a) => this.conversationsOpen(a),
      'conversations.history': (a) => this.conversationsHistory(a),
      'apps.connections.open': () => ok({ url: this.socket.newConnectionUrl() }),
    };
    this.socket = new SocketModeServer({
      appId: this.appId,
      baseUrl: () => this.baseUrl,
      pingIntervalMs: opts.socketPingIntervalMs ?? 10_000,
      ackTimeoutMs: opts.socketAckTimeoutMs ?? 5_000,
    });
    this.server = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, { status: 500, body: { ok: false, error: 'internal_error', detail: String(err) } });
      });
    });
    this.server.on('upgrade', (req, socket, head) => this.socket.handleUpgrade(req, socket, head));
  }

  static async start(opts: StandinOptions = {}): Promise<SlackStandin> {
    const standin = new SlackStandin(opts);
    await new Promise<void>((resolve, reject) => {
      standin.server.once('error', reject);
      standin.server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    standin.port = (standin.server.address() as AddressInfo).port;
    return standin;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** In WebClient's `slackApiUrl` format (trailing slash). */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  async stop(): Promise<void> {
    // Upgraded (WebSocket) connections are no longer the HTTP server's to close.
    await this.socket.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // WebClient keeps connections alive; without this close() waits for them to idle out.
    this.server.closeAllConnections();
    await closed;
  }

  // -------------------------------------------------------------------------
  // Test helpers

  /** Successful (ok:true) calls of one method, in order. */
  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && c.response.ok === true);
  }

  /** Resolves with the first ok:true call of `method` matching `predicate`, already recorded or future. */
  waitForCall(method: string, predicate?: (c: RecordedCall) => boolean, timeoutMs = 5000): Promise<RecordedCall> {
    const matches = (c: RecordedCall): boolean => {
      if (c.method !== method || c.response.ok !== true) return false;
      try {
        return predicate ? predicate(c) : true;
      } catch {
        return false;
      }
    };
    const existing = this.calls.find(matches);
    if (existing) return Promise.resolve(existing);
    return this.waitForEvent<RecordedCall>('call', matches, timeoutMs, () =>
      `waitForCall: no ok:true call to ${method}${predicate ? ' matching the predicate' : ''} within ${timeoutMs}ms. ${this.describeRecentCalls()}`,
    );
  }

  /** Resolves with the first post to the response URL `id` (or to any response URL), already recorded or future. */
  waitForResponseUrlPost(id?: string, timeoutMs = 5000): Promise<ResponseUrlPost> {
    const matches = (p: ResponseUrlPost) => id === undefined || p.id === id;
    const existing = this.responseUrlPosts.find(matches);
    if (existing) return Promise.resolve(existing);
    return this.waitForEvent<ResponseUrlPost>('responseUrlPost', matches, timeoutMs, () =>
      `waitForResponseUrlPost: nothing was posted to ${id === undefined ? 'any response URL' : `response URL ${id}`} within ${timeoutMs}ms ` +
      `(${this.responseUrlPosts.length} post(s) to other response URLs). ${this.describeRecentCalls()}`,
    );
  }

  /** A response_url like the one Slack puts in slash commands and message actions. */
  newResponseUrl(): { id: string; url: string } {
    const id = randomHex(12);
    this.responseUrlIds.add(id);
    return { id, url: `${this.baseUrl}/response/${id}` };
  }

  /** A trigger_id like Slack's ('12345.98765.abcd…'): valid for triggerTtlMs, usable once. */
  newTriggerId(): string {
    const id = `${Date.now()}${++this.idCounter}.${100000 + Math.floor(Math.random() * 900000)}.${randomHex(16)}`;
    this.triggers.set(id, { mintedAt: Date.now(), used: false });
    return id;
  }

  /** Make the next `times` calls of `method` fail (or answer late with only `delayMs`). */
  injectFault(method: string, fault: Fault, times = 1): void {
    const queue = this.faults.get(method) ?? [];
    queue.push({ fault, remaining: times });
    this.faults.set(method, queue);
  }

  /** Forget calls, response-URL posts, faults and rate-limit windows (messages and views stay, like in Slack). */
  reset(): void {
    this.calls = [];
    this.responseUrlPosts = [];
    this.faults.clear();
    this.lastPostAt.clear();
    this.socket.reset();
  }

  findUser(id: string): StandinUser | undefined {
    if (id === this.botUserId) {
      return { id, name: this.botName, realName: this.botName, email: '', isBot: true };
    }
    return this.users.find((u) => u.id === id);
  }

  channelName(id: string): string | undefined {
    return this.channels.find((c) => c.id === id)?.name;
  }

  /** The stable DM (one user) or group DM (several) id for these users, as conversations.open returns. */
  dmIdFor(userIds: string[]): string {
    const members = [...new Set(userIds)].sort();
    const key = members.join(',');
    let id = this.dmIdByMembers.get(key);
    if (!id) {
      id = `${members.length === 1 ? 'D' : 'G'}0DM${String(this.dmIdByMembers.size + 1).padStart(6, '0')}`;
      this.dmIdByMembers.set(key, id);
      this.dmMembers.set(id, members);
    }
    return id;
  }

  getMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  /**
   * The latest bot message containing an interactive element with this action_id
   * (and block_id, if given), i.e. the message a user would click on.
   */
  findMessageWithAction(actionId: string, opts: { blockId?: string; channelId?: string } = {}):
    { message: StoredMessage; block: Record<string, unknown>; element: Record<string, unknown> } | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const message = this.messages[i]!;
      if (opts.channelId && message.channel !== opts.channelId) continue;
      const found = findActionElement(message.blocks, actionId, opts.blockId);
      if (found) return { message, ...found };
    }
    return undefined;
  }

  // -------------------------------------------------------------------------
  // HTTP plumbing

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const raw = await readBody(req);
    const [, prefix, rest] = url.pathname.match(/^\/(api|response)\/(.+)$/) ?? [];
    if (prefix === 'api' && rest) return this.handleApi(rest, req, url, raw, res);
    if (prefix === 'response' && rest && req.method === 'POST') return this.handleResponseUrl(rest, req, raw, res);
    if (url.pathname === '/oauth/v2/authorize' && req.method === 'GET') {
      const answer = this.oauth.authorize(url, (team) => this.workspaces.find((w) => w.teamId === (team ?? this.teamId)));
      res.writeHead(answer.status, answer.location ? { location: answer.location } : { 'content-type': 'text/plain' }).end(answer.text ?? '');
      return;
    }
    sendJson(res, { status: 404, body: { ok: false, error: 'not_found' } });
  }

  private async handleApi(method: string, req: IncomingMessage, url: URL, raw: string, res: ServerResponse): Promise<void> {
    const parsed = parseArgs(req, url, raw);
    const args = parsed.args;
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const { reply, delayMs, dropResponse, fault } = parsed.error
      ? { reply: fail(parsed.error), delayMs: 0, dropResponse: false, fault: undefined }
      : method === 'oauth.v2.access'
        ? { reply: this.oauth.access(args, basic), delayMs: 0, dropResponse: false, fault: undefined }
        : this.dispatch(method, args, parsed.token);
    const lost = dropResponse ? ('dropped' as const) : delayMs > 0 ? ('delayed' as const) : undefined;
    this.record({
      method,
      args,
      at: Date.now(),
      status: reply.status,
      response: reply.body,
      ...(parsed.token ? { token: parsed.token } : {}),
      ...(lost ? { responseLost: lost } : {}),
      ...(fault ? { injectedFault: fault } : {}),
      ...(reply.headers?.['Retry-After'] ? { retryAfterSec: Number(reply.headers['Retry-After']) } : {}),
    });
    if (dropResponse) {
      // The call took effect; the caller only sees the connection go away.
      res.socket?.destroy();
      return;
    }
    if (delayMs > 0) await sleep(delayMs);
    if (res.destroyed || res.socket?.destroyed) return; // the caller gave up waiting
    sendJson(res, reply);
  }

  /** Mirrors Slack's order: unknown method, then (injected) server trouble, then auth, then the method itself. */
  private dispatch(method: string, args: Args, token: string | undefined): { reply: ApiReply; delayMs: number; dropResponse: boolean; fault?: Fault } {
    const handler = this.methods[method];
    if (!handler) return { reply: fail('unknown_method', { req_method: method }), delayMs: 0, dropResponse: false };
    const fault = this.takeFault(method);
    const delayMs = fault?.delayMs ?? 0;
    const dropResponse = fault?.dropResponse === true;
    const answer = (reply: ApiReply) => ({ reply, delayMs, dropResponse, ...(fault ? { fault } : {}) });
    if (fault && (fault.status !== undefined || fault.error !== undefined)) return answer(faultReply(fault));
    if (token === undefined) return answer(fail('not_authed'));
    if (method === 'apps.connections.open') {
      // Only the app-level token opens Socket Mode connections.
      if (token !== this.appToken) return answer(fail('invalid_auth'));
    } else {
      // ...and it is good for nothing else (Slack: "not_allowed_token_type").
      if (token === this.appToken) return answer(fail('not_allowed_token_type'));
      const installed = this.oauth.tokens.get(token);
      if (token !== this.botToken && !installed) return answer(fail('invalid_auth'));
      if (installed && method === 'auth.test') return answer({ status: 200, body: this.oauth.authTest(installed) });
      // A workspace's token reaches only that workspace's channels, as in Slack.
      const channel = str(args.channel);
      if (installed && channel && /^[CG]/.test(channel) && !this.channelsOf(installed.workspace).includes(channel)) return answer(fail('channel_not_found'));
    }
    return answer(handler(args));
  }

  private channelsOf(workspace: StandinWorkspace): string[] {
    if (workspace.teamId !== this.teamId || workspace.enterpriseId) return workspace.channels ?? [];
    const elsewhere = new Set(this.workspaces.flatMap((w) => (w.teamId === this.teamId ? [] : (w.channels ?? []))));
    return this.channels.map((c) => c.id).filter((id) => !elsewhere.has(id));
  }

  private takeFault(method: string): Fault | undefined {
    const queue = this.faults.get(method);
    const next = queue?.[0];
    if (!queue || !next) return undefined;
    if (--next.remaining <= 0) queue.shift();
    return next.fault;
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    this.events.emit('call', call);
  }

  private handleResponseUrl(id: string, req: IncomingMessage, raw: string, res: ServerResponse): void {
    if (!this.responseUrlIds.has(id)) return sendJson(res, { status: 404, body: { ok: false, error: 'not_found' } });
    const body = parseResponseUrlBody(req, raw);
    if (!body) return sendJson(res, { status: 400, body: { ok: false, error: 'invalid_payload' } });
    // Like Slack's hooks (incoming webhooks answer 400 invalid_blocks): a refused message is not posted.
    const problems = body.blocks === undefined ? [] : validateBlocks(body.blocks, 'message');
    if (problems.length > 0) return sendJson(res, { ...failWithMessages('invalid_blocks', problems), status: 400 });
    const post: ResponseUrlPost = { id, body, at: Date.now() };
    this.responseUrlPosts.push(post);
    this.events.emit('responseUrlPost', post);
    sendJson(res, ok());
  }

  private waitForEvent<T>(event: string, matches: (value: T) => boolean, timeoutMs: number, describe: () => string): Promise<T> {
    return waitForEmitted(this.events, event, matches, timeoutMs, describe);
  }

  private describeRecentCalls(): string {
    if (this.calls.length === 0) return 'No Web API calls were recorded.';
    const recent = this.calls.slice(-10).map((c) => {
      const outcome = c.response.ok === true ? 'ok' : `${c.status} ${String(c.response.error)}`;
      const channel = typeof c.args.channel === 'string' ? ` channel=${c.args.channel}` : '';
      return `  ${c.method}${channel} -> ${outcome}`;
    });
    return `Last ${recent.length} of ${this.calls.length} call(s):\n${recent.join('\n')}`;
  }

  // -------------------------------------------------------------------------
  // Shared Slack rules

  private nextTs(): string {
    // Slack ts are unique, increasing "seconds.microseconds" strings.
    const micros = Math.max(Date.now() * 1000, this.lastTsMicros + 100);
    this.lastTsMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  private newId(prefix: string): string {
    return `${prefix}0${randomUpper(9)}`;
  }

  private isConversation(id: string): boolean {
    return this.channelName(id) !== undefined || this.dmMembers.has(id);
  }

  /** Channel ids, DM ids from conversations.open, or a user id (Slack opens the DM for you). */
  private resolveChannel(channel: unknown): string | undefined {
    const id = str(channel);
    if (!id) return undefined;
    if (this.isConversation(id)) return id;
    const user = this.findUser(id);
    if (user && !user.isBot) return this.dmIdFor([id]);
    return undefined;
  }

  /** text/blocks rules shared by chat.postMessage, chat.update and chat.postEphemeral. */
  private checkMessageContent(args: Args, requireContent = true): ApiReply | undefined {
    if (typeof args.blocks === 'string') return fail('invalid_blocks_format');
    const hasText = str(args.text) !== undefined;
    const hasBlocks = Array.isArray(args.blocks) && args.blocks.length > 0;
    const hasAttachments = Array.isArray(args.attachments) && args.attachments.length > 0;
    if (requireContent && !hasText && !hasBlocks && !hasAttachments) return fail('no_text');
    if (typeof args.text === 'string' && args.text.length > MAX_MESSAGE_TEXT) return fail('msg_too_long');
    if (args.blocks !== undefined) {
      const problems = validateBlocks(args.blocks, 'message');
      if (problems.length > 0) return failWithMessages('invalid_blocks', problems);
    }
    return undefined;
  }

  /** Slack allows about one message per second per channel; bursts get HTTP 429. */
  private checkPace(channel: string): ApiReply | undefined {
    const last = this.lastPostAt.get(channel);
    if (last === undefined) return undefined;
    const remaining = this.postMessageIntervalMs - (Date.now() - last);
    return remaining > 0 ? rateLimited(Math.max(1, Math.ceil(remaining / 1000))) : undefined;
  }

  private checkTrigger(triggerId: unknown): ApiReply | undefined {
    const id = str(triggerId);
    if (!id) return failWithMessages('invalid_arguments', ['missing required field: trigger_id']);
    const trigger = this.triggers.get(id);
    if (!trigger) return fail('invalid_trigger_id');
    if (trigger.used || Date.now() - trigger.mintedAt > this.triggerTtlMs) return fail('expired_trigger_id');
    return undefined;
  }

  private buildView(view: Record<string, unknown>, previous?: StoredView): StoredView {
    const id = previous?.id ?? this.newId('V');
    return {
      // Defaults Slack fills in on every view it returns.
      team_id: this.teamId,
      private_metadata: '',
      callback_id: '',
      external_id: '',
      title: null,
      close: null,
      submit: null,
      clear_on_close: false,
      notify_on_close: false,
      previous_view_id: null,
      root_view_id: id,
      app_id: this.appId,
      app_installed_team_id: this.teamId,
      bot_id: this.botId,
      ...view,
      blocks: withBlockIds(view.blocks),
      id,
      type: String(view.type),
      hash: `${Math.floor(Date.now() / 1000)}.${randomHex(4)}`,
      state: { values: {} },
    };
  }

  private storeView(view: StoredView, previous?: StoredView): void {
    const oldExternal = str(previous?.external_id);
    if (oldExternal) this.viewIdByExternalId.delete(oldExternal);
    this.views.set(view.id, view);
    const external = str(view.external_id);
    if (external) this.viewIdByExternalId.set(external, view.id);
  }

  private userPayload(user: StandinUser): Record<string, unknown> {
    return {
      id: user.id,
      team_id: user.teamId ?? this.teamId,
      ...(user.isStranger ? { is_stranger: true } : {}),
      name: user.name,
      real_name: user.realName,
      deleted: user.deleted ?? false,
      is_bot: user.isBot ?? false,
      is_app_user: false,
      tz: user.tz ?? 'America/Los_Angeles',
      profile: {
        email: user.isBot ? undefined : user.email,
        real_name: user.realName,
        display_name: user.name,
        image_72: `https://avatars.${this.teamDomain}.test/${user.id}_72.png`,
        ...(user.isBot ? { bot_id: this.botId } : {}),
      },
    };
  }

  // -------------------------------------------------------------------------
  // Web API methods

  private authTest(): ApiReply {
    return ok({
      url: `https://${this.teamDomain}.slack.com/`,
      team: this.teamName,
      user: this.botName,
      team_id: this.teamId,
      user_id: this.botUserId,
      bot_id: this.botId,
      is_enterprise_install: false,
    });
  }

  private chatPostMessage(args: Args): ApiReply {
    const channel = this.resolveChannel(args.channel);
    if (!channel) return fail('channel_not_found');
    const paced = this.checkPace(channel);
    if (paced) return paced;
    const invalid = this.checkMessageContent(args);
    if (invalid) return invalid;
    const metadata = parseMetadata(args.metadata);
    if (metadata && 'error' in metadata) return fail(metadata.error);

    this.lastPostAt.set(channel, Date.now());
    const message: StoredMessage = {
      type: 'message',
      channel,
      ts: this.nextTs(),
      text: typeof args.text === 'string' ? args.text : '',
      ...(Array.isArray(args.blocks) ? { blocks: withBlockIds(args.blocks) } : {}),
      user: this.botUserId,
      bot_id: this.botId,
      app_id: this.appId,
      team: this.teamId,
      ...(str(args.thread_ts) ? { thread_ts: str(args.thread_ts) } : {}),
      ...(metadata ? { metadata } : {}),
    };
    this.messages.push(message);
    return ok({ channel, ts: message.ts, message: messagePayload(message) });
  }

  private chatUpdate(args: Args): ApiReply {
    // Unlike chat.postMessage, chat.update needs the conversation id, not a user id.
    const channel = str(args.channel);
    if (!channel || !this.isConversation(channel)) return fail('channel_not_found');
    const message = this.getMessage(channel, String(args.ts ?? ''));
    if (!message || message.user !== this.botUserId) return fail('message_not_found');
    const invalid = this.checkMessageContent(args, false);
    if (invalid) return invalid;
    if (args.text === undefined && args.blocks === undefined && args.attachments === undefined) return fail('no_text');

    // Fields that are passed replace the stored ones; omitted ones are kept.
    if (typeof args.text === 'string') message.text = args.text;
    if (Array.isArray(args.blocks)) message.blocks = withBlockIds(args.blocks);
    message.edited = { user: this.botUserId, ts: this.nextTs() };
    return ok({ channel, ts: message.ts, text: message.text, message: messagePayload(message) });
  }

  private chatPostEphemeral(args: Args): ApiReply {
    const channel = this.resolveChannel(args.channel);
    if (!channel) return fail('channel_not_found');
    const user = this.findUser(String(args.user ?? ''));
    if (!user || user.isBot) return fail('user_not_found');
    const invalid = this.checkMessageContent(args);
    if (invalid) return invalid;
    return ok({ message_ts: this.nextTs() });
  }

  /** views.open and views.push share the same rules. */
  private viewsOpen(args: Args): ApiReply {
    const triggerProblem = this.checkTrigger(args.trigger_id);
    if (triggerProblem) return triggerProblem;
    if (!isObject(args.view)) return failWithMessages('invalid_arguments', ['missing required field: view']);
    const problems = validateView(args.view, 'modal');
    if (problems.length > 0) return failWithMessages('invalid_arguments', problems);
    const external = str(args.view.external_id);
    if (external && this.viewIdByExternalId.has(external)) return fail('duplicate_external_id');

    // The trigger is only spent by a successful open, so a fixed view can be retried within the TTL.
    this.triggers.get(String(args.trigger_id))!.used = true;
    const view = this.buildView(args.view);
    this.storeView(view);
    return ok({ view });
  }

  private viewsUpdate(args: Args): ApiReply {
    const byId = str(args.view_id);
    const byExternalId = str(args.external_id);
    if (!byId && !byExternalId) return failWithMessages('invalid_arguments', ['either view_id or external_id is required']);
    const viewId = byId ?? this.viewIdByExternalId.get(byExternalId!);
    const previous = viewId ? this.views.get(viewId) : undefined;
    if (!previous) return fail('not_found');
    // The hash guards against overwriting a view that changed since the app last saw it.
    if (str(args.hash) && args.hash !== previous.hash) return fail('hash_conflict');
    if (!isObject(args.view)) return failWithMessages('invalid_arguments', ['missing required field: view']);
    const problems = validateView(args.view, previous.type as ViewType);
    if (problems.length > 0) return failWithMessages('invalid_arguments', problems);

    // An update that omits external_id keeps the one the view already had.
    const next = args.view.external_id === undefined && str(previous.external_id)
      ? { ...args.view, external_id: previous.external_id }
      : args.view;
    const view = this.buildView(next, previous);
    this.storeView(view, previous);
    for (const [user, home] of this.homeViews) if (home.id === view.id) this.homeViews.set(user, view);
    return ok({ view });
  }

  private viewsPublish(args: Args): ApiReply {
    const userId = String(args.user_id ?? '');
    const user = this.findUser(userId);
    if (!user || user.isBot) return fail('user_not_found');
    if (!isObject(args.view)) return failWithMessages('invalid_arguments', ['missing required field: view']);
    const problems = validateView(args.view, 'home');
    if (problems.length > 0) return failWithMessages('invalid_arguments', problems);
    const previous = this.homeViews.get(userId);
    if (str(args.hash) && previous && args.hash !== previous.hash) return fail('hash_conflict');

    // A user's home tab keeps its view id across publishes.
    const view = this.buildView(args.view, previous);
    this.storeView(view, previous);
    this.homeViews.set(userId, view);
    return ok({ view });
  }

  private usersInfo(args: Args): ApiReply {
    const user = this.findUser(String(args.user ?? ''));
    return user ? ok({ user: this.userPayload(user) }) : fail('user_not_found');
  }

  private usersLookupByEmail(args: Args): ApiReply {
    const email = String(args.email ?? '').toLowerCase();
    const user = email ? this.users.find((u) => u.email.toLowerCase() === email) : undefined;
    return user ? ok({ user: this.userPayload(user) }) : fail('users_not_found');
  }

  private conversationsOpen(args: Args): ApiReply {
    const channel = str(args.channel);
    if (channel) {
      return this.dmMembers.has(channel) ? ok({ no_op: true, already_open: true, channel: { id: channel } }) : fail('channel_not_found');
    }
    const userIds = String(args.users ?? '').split(',').map((u) => u.trim()).filter(Boolean);
    if (userIds.length === 0) return fail('users_list_not_supplied');
    if (userIds.length > MAX_MPIM_USERS) return fail('too_many_users');
    if (userIds.some((id) => !this.findUser(id))) return fail('user_not_found');
    const alreadyOpen = this.dmIdByMembers.has([...new Set(userIds)].sort().join(','));
    const id = this.dmIdFor(userIds);
    return ok({ ...(alreadyOpen ? { no_op: true, already_open: true } : {}), channel: { id } });
  }

  /**
   * A conversation's messages, newest first, as Slack pages them: `oldest` / `latest` bound the
   * ts (exclusive unless `inclusive`), `limit` (default 100, at most 999) and an opaque `cursor`
   * page through. Message metadata is returned only with `include_all_metadata`. Like Slack it
   * needs a conversation id: a user id is `channel_not_found` (conversations.open gives the DM's id).
   */
  private conversationsHistory(args: Args): ApiReply {
    const channel = str(args.channel);
    if (!channel || !this.isConversation(channel)) return fail('channel_not_found');
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
    const inRange = this.messages
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

  /** A message from a person (not the bot) in a conversation: other traffic, as in a busy channel. */
  postAsUser(channel: string, userId: string, text: string): StoredMessage {
    const resolved = this.resolveChannel(channel);
    if (!resolved) throw new Error(`postAsUser: no conversation ${channel}`);
    const message: StoredMessage = { type: 'message', channel: resolved, ts: this.nextTs(), text, user: userId, bot_id: '', app_id: '', team: this.teamId };
    this.messages.push(message);
    return message;
  }
}

// ---------------------------------------------------------------------------
// Helpers without state

/** Form fields arrive as strings: 'true' / '1' are true, as with Slack. */
function truthy(v: unknown): boolean {
  return v === true || v === 'true' || v === '1' || v === 1;
}

/** chat.postMessage's `metadata`: an event_type and an event_payload object, at most 8 kB. */
function parseMetadata(v: unknown): MessageMetadata | { error: string } | undefined {
  if (v === undefined || v === '') return undefined;
  if (!isObject(v)) return { error: 'invalid_metadata_format' };
  if (typeof v.event_type !== 'string' || !/^[A-Za-z0-9_]{1,255}$/.test(v.event_type) || !isObject(v.event_payload)) {
    return { error: 'invalid_metadata_schema' };
  }
  if (Buffer.byteLength(JSON.stringify(v)) > MAX_METADATA_BYTES) return { error: 'metadata_too_large' };
  return { event_type: v.event_type, event_payload: structuredClone(v.event_payload) };
}

function faultReply(fault: Fault): ApiReply {
  if (fault.status === 429) return rateLimited(fault.retryAfterSec ?? 1);
  if (fault.status !== undefined && fault.status !== 200) {
    return { status: fault.status, body: { ok: false, error: fault.error ?? 'internal_error' } };
  }
  return fail(fault.error ?? 'internal_error');
}

function sendJson(res: ServerResponse, reply: ApiReply): void {
  res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8', ...reply.headers });
  res.end(JSON.stringify(reply.body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const isJson = (req: IncomingMessage) => (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');

/**
 * Query string + body (form or JSON). As with Slack, the token may come from
 * `Authorization: Bearer` or a `token` field; JSON-valued form fields are parsed.
 */
function parseArgs(req: IncomingMessage, url: URL, raw: string): { args: Args; token: string | undefined; error?: string } {
  const args: Args = Object.fromEntries(url.searchParams);
  if (raw.length > 0) {
    if (isJson(req)) {
      try {
        const body: unknown = JSON.parse(raw);
        if (!isObject(body)) return { args, token: undefined, error: 'invalid_json' };
        Object.assign(args, body);
      } catch {
        return { args: { raw }, token: undefined, error: 'invalid_json' };
      }
    } else {
      Object.assign(args, Object.fromEntries(new URLSearchParams(raw)));
    }
  }
  for (const field of JSON_FIELDS) {
    const value = args[field];
    if (typeof value !== 'string') continue;
    try {
      args[field] = JSON.parse(value);
    } catch {
      // Left as a string: the method answers with its "invalid format" error.
    }
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const token = bearer ?? str(args.token);
  delete args.token;
  return { args, token };
}

/** Bolt's respond() posts JSON; older integrations post `payload=<json>` forms. */
function parseResponseUrlBody(req: IncomingMessage, raw: string): Record<string, unknown> | undefined {
  try {
    const json = isJson(req) ? raw : new URLSearchParams(raw).get('payload') ?? raw;
    const body: unknown = JSON.parse(json);
    return isObject(body) ? body : undefined;
  } catch {
    return undefined;
  }
}

/** Slack gives every block a block_id when the app did not set one. */
function withBlockIds(blocks: unknown): unknown[] {
  if (!Array.isArray(blocks)) return [];
  return blocks.map((b) => (isObject(b) && b.block_id === undefined ? { ...b, block_id: randomUpper(5) } : b));
}

function messagePayload(m: StoredMessage): Record<string, unknown> {
  const { channel: _channel, ...message } = m;
  return message;
}

/** The interactive element with this action_id (in an accessory, input or actions/context block), and its block. */
export function findActionElement(blocks: unknown, actionId: string, blockId?: string):
  { block: Record<string, unknown>; element: Record<string, unknown> } | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks) {
    if (!isObject(block) || (blockId !== undefined && block.block_id !== blockId)) continue;
    const candidates = [block.accessory, block.element, ...(Array.isArray(block.elements) ? block.elements : [])];
    const element = candidates.find((e): e is Record<string, unknown> => isObject(e) && e.action_id === actionId);
    if (element) return { block, element };
  }
  return undefined;
}
