/**
 * The stand-in's workspace: who is in it, its conversations, the messages and views the app
 * made, and the single-use things Slack hands out (trigger ids, ts). The Web API methods
 * (../web-api/) read and change it; the server (../slack-standin.ts) only routes to them.
 * Every change emits 'change' on `events`, which the local Slack's store and page listen to.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { validateView } from '../block-kit/index.js';
import { isObject, str } from '../http/reply.js';
import type { StandinWorkspace } from '../oauth.js';
import { slackUserObject } from './user-object.js';
import {
  DEFAULT_CHANNELS,
  DEFAULT_USERS,
  type StandinChannel,
  type StandinOptions,
  type StandinUser,
  type StoredMessage,
  type StoredView,
} from './types.js';

export const randomHex = (bytes: number) => randomBytes(bytes).toString('hex');
const randomUpper = (n: number) => randomBytes(n).toString('base64url').replace(/[^A-Za-z0-9]/g, '0').toUpperCase().slice(0, n);

/** What a workspace change was about, for listeners of 'change'. */
export type WorkspaceChange =
  | { kind: 'message'; message: StoredMessage }
  | { kind: 'ephemeral'; channel: string; user: string; message: { ts: string; text: string; blocks?: unknown[] } }
  | { kind: 'view'; view: StoredView; how: 'open' | 'push' | 'update' | 'publish'; userId?: string; triggerId?: string }
  | { kind: 'people' };

/** Everything the workspace holds that outlives a process (the local Slack's DATA_DIR store). */
export interface WorkspaceSnapshot {
  users: StandinUser[];
  channels: StandinChannel[];
  messages: StoredMessage[];
  views: StoredView[];
  homeViews: Array<[string, string]>;
  dms: Array<[string, string[]]>;
  lastTsMicros: number;
}

export class WorkspaceModel {
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
  /** Every message the bot posted, in order (updated in place by chat.update). */
  messages: StoredMessage[] = [];
  /** Views opened/pushed/published, by view id. */
  views = new Map<string, StoredView>();
  /** The latest published home tab per user id. */
  homeViews = new Map<string, StoredView>();
  /** The workspaces an install can pick: the stand-in's own first. */
  readonly workspaces: StandinWorkspace[];

  /** @internal Shared by the Web API methods (the rules Slack enforces across calls). */
  readonly lastPostAt = new Map<string, number>();
  /** @internal */
  readonly triggers = new Map<string, { mintedAt: number; used: boolean }>();
  /** @internal */
  readonly viewIdByExternalId = new Map<string, string>();
  /** @internal 'call', 'responseUrlPost' (the recorder) and 'change' (the workspace). */
  readonly events = new EventEmitter();
  private readonly dmIdByMembers = new Map<string, string>();
  private readonly dmMembers = new Map<string, string[]>();
  private lastTsMicros = 0;
  protected idCounter = 0;

  protected constructor(opts: StandinOptions) {
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
  }

  /** @internal Tell listeners (store, page) what changed. */
  changed(change: WorkspaceChange): void {
    this.events.emit('change', change);
  }

  snapshot(): WorkspaceSnapshot {
    return {
      users: this.users,
      channels: this.channels,
      messages: this.messages,
      views: [...this.views.values()],
      homeViews: [...this.homeViews].map(([user, view]) => [user, view.id]),
      dms: [...this.dmMembers],
      lastTsMicros: this.lastTsMicros,
    };
  }

  restore(s: WorkspaceSnapshot): void {
    this.users = s.users;
    this.channels = s.channels;
    this.messages = s.messages;
    this.views = new Map(s.views.map((v) => [v.id, v]));
    for (const v of s.views) if (str(v.external_id)) this.viewIdByExternalId.set(String(v.external_id), v.id);
    this.homeViews = new Map(s.homeViews.flatMap(([user, id]) => { const v = this.views.get(id); return v ? [[user, v] as const] : []; }));
    for (const [id, members] of s.dms) {
      this.dmMembers.set(id, members);
      this.dmIdByMembers.set(members.join(','), id);
    }
    this.lastTsMicros = s.lastTsMicros;
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

  /** @internal The members of a DM id, if it is one. */
  dmMembersOf(id: string): string[] | undefined {
    return this.dmMembers.get(id);
  }

  /** @internal Whether this member set already has a DM. */
  hasDmFor(userIds: string[]): boolean {
    return this.dmIdByMembers.has([...new Set(userIds)].sort().join(','));
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

  /** A message from a person (not the bot) in a conversation: other traffic, as in a busy channel. */
  postAsUser(channel: string, userId: string, text: string): StoredMessage {
    const resolved = this.resolveChannel(channel);
    if (!resolved) throw new Error(`postAsUser: no conversation ${channel}`);
    const message: StoredMessage = { type: 'message', channel: resolved, ts: this.nextTs(), text, user: userId, bot_id: '', app_id: '', team: this.teamId };
    this.messages.push(message);
    this.changed({ kind: 'message', message });
    return message;
  }

  /** A message from the app that did not go through chat.postMessage (a response_url reply `in_channel`). */
  postAsBot(channel: string, text: string, blocks?: unknown[]): StoredMessage {
    const message: StoredMessage = {
      type: 'message', channel, ts: this.nextTs(), text, ...(blocks ? { blocks: withBlockIds(blocks) } : {}),
      user: this.botUserId, bot_id: this.botId, app_id: this.appId, team: this.teamId,
    };
    this.messages.push(message);
    this.changed({ kind: 'message', message });
    return message;
  }

  /**
   * A view the app returned in a view_submission ack (response_action update or push): Slack
   * checks it like views.update / views.push, and says why when it refuses it.
   */
  acceptViewFromAck(view: Record<string, unknown>, previous?: StoredView): StoredView | string {
    const problems = validateView(view, 'modal');
    if (problems.length > 0) return `Slack refused the view in the response_action: invalid_arguments — ${problems.map((p) => `[ERROR] ${p}`).join(' ')}`;
    const stored = this.buildView(view, previous);
    this.storeView(stored, previous);
    this.changed({ kind: 'view', view: stored, how: previous ? 'update' : 'push' });
    return stored;
  }

  /** A trigger_id like Slack's ('12345.98765.abcd…'): valid for triggerTtlMs, usable once. */
  newTriggerId(): string {
    const id = `${Date.now()}${++this.idCounter}.${100000 + Math.floor(Math.random() * 900000)}.${randomHex(16)}`;
    this.triggers.set(id, { mintedAt: Date.now(), used: false });
    return id;
  }

  /** @internal Slack ts are unique, increasing "seconds.microseconds" strings. */
  nextTs(): string {
    const micros = Math.max(Date.now() * 1000, this.lastTsMicros + 100);
    this.lastTsMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  /** @internal */
  newId(prefix: string): string {
    return `${prefix}0${randomUpper(9)}`;
  }

  /** @internal */
  isConversation(id: string): boolean {
    return this.channelName(id) !== undefined || this.dmMembers.has(id);
  }

  /** @internal Channel ids, DM ids from conversations.open, or a user id (Slack opens the DM for you). */
  resolveChannel(channel: unknown): string | undefined {
    const id = str(channel);
    if (!id) return undefined;
    if (this.isConversation(id)) return id;
    const user = this.findUser(id);
    if (user && !user.isBot) return this.dmIdFor([id]);
    return undefined;
  }

  /** @internal */
  buildView(view: Record<string, unknown>, previous?: StoredView): StoredView {
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

  /** @internal */
  storeView(view: StoredView, previous?: StoredView): void {
    const oldExternal = str(previous?.external_id);
    if (oldExternal) this.viewIdByExternalId.delete(oldExternal);
    this.views.set(view.id, view);
    const external = str(view.external_id);
    if (external) this.viewIdByExternalId.set(external, view.id);
  }

  /** @internal Slack's user object (users.info, users.list, user_change). */
  userPayload(user: StandinUser): Record<string, unknown> {
    return slackUserObject(user, this);
  }
}

/** Slack gives every block a block_id when the app did not set one. */
export function withBlockIds(blocks: unknown): unknown[] {
  if (!Array.isArray(blocks)) return [];
  return blocks.map((b) => (isObject(b) && b.block_id === undefined ? { ...b, block_id: randomUpper(5) } : b));
}

export function messagePayload(m: StoredMessage): Record<string, unknown> {
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
