/**
 * Plays Slack's side of the app's Request URL: slash commands, interactivity
 * payloads and Events API callbacks, signed with the signing secret exactly
 * as Slack signs them, sent over real HTTP into the real Bolt app.
 *
 * Payload shapes and field names follow Slack's documented payloads
 * (slash command form fields, block_actions, view_submission, view_closed,
 * event_callback envelopes), filled from the stand-in's workspace so ids,
 * names, trigger_ids and response_urls are consistent with what the app sees
 * through the Web API.
 *
 * The same payloads go over Socket Mode with the `socket*` methods: Slack wraps
 * them in envelopes (`slash_commands` with the command's fields as an object,
 * `interactive` with the payload object, `events_api` with the event_callback
 * envelope) sent through `standin.socket`, and the app's ack frame comes back.
 * The payload builders (`commandFields`, `blockActionsPayload`, …) are shared
 * by both transports. A driver used only over Socket Mode needs no appUrl or
 * signing secret.
 */
import { createHmac, randomBytes } from 'node:crypto';
import {
  findActionElement,
  type SlackStandin,
  type SocketAck,
  type SocketSendOptions,
  type StoredMessage,
  type StoredView,
} from './slack-standin.js';

import type { BlockActionsOptions, CommandOptions, DriverAction, DriverOptions, DriverView, EventOptions, Minted, SendOptions, SlackHttpResult, SocketResult } from './slack-driver-types.js';
export * from './slack-driver-types.js';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
/** Slack identifies itself with this User-Agent on Request URL calls. */
const SLACK_USER_AGENT = 'Slackbot 1.0 (+https://api.slack.com/robots)';

const nowSec = () => Math.floor(Date.now() / 1000);
/** "seconds.microseconds", the shape of action_ts and event_ts. */
const nowTs = () => {
  const micros = Date.now() * 1000 + Math.floor(Math.random() * 1000);
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
};
const randomId = (prefix: string, n: number) =>
  prefix + randomBytes(n).toString('base64url').replace(/[^A-Za-z0-9]/g, '0').toUpperCase().slice(0, n);

export class SlackDriver {
  readonly appUrl: string;
  readonly apiAppId: string;
  private readonly signingSecret: string;
  private readonly standin: SlackStandin;
  private readonly verificationToken: string;

  constructor(opts: DriverOptions) {
    this.appUrl = opts.appUrl ?? '';
    this.signingSecret = opts.signingSecret ?? '';
    this.standin = opts.standin;
    this.apiAppId = opts.apiAppId ?? opts.standin.appId;
    this.verificationToken = opts.verificationToken ?? 'standin-verification-token';
  }

  /** Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}`. */
  sign(rawBody: string, timestamp: number): string {
    return `v0=${createHmac('sha256', this.signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
  }

  /** Sign (unless told otherwise) and POST a raw body to the app. */
  async send(rawBody: string, opts: SendOptions = {}): Promise<SlackHttpResult> {
    if (!this.appUrl) throw new Error('SlackDriver: no appUrl was given, so nothing can be sent over HTTP (use the socket* methods for Socket Mode)');
    if (opts.signature === undefined && !this.signingSecret) {
      throw new Error('SlackDriver: no signingSecret was given; pass one, or an explicit `signature` (null for none)');
    }
    const timestamp = opts.timestamp ?? nowSec();
    const headers: Record<string, string> = { 'Content-Type': opts.contentType ?? FORM, 'User-Agent': SLACK_USER_AGENT };
    if (!opts.omitTimestamp) headers['X-Slack-Request-Timestamp'] = String(timestamp);
    const signature = opts.signature === undefined ? this.sign(rawBody, timestamp) : opts.signature;
    if (signature !== null) headers['X-Slack-Signature'] = signature;
    Object.assign(headers, opts.headers);

    const started = performance.now();
    const res = await fetch(this.appUrl, { method: 'POST', headers, body: rawBody });
    const text = await res.text();
    const ms = performance.now() - started;
    return { status: res.status, headers: res.headers, text, json: parseJson(text), ms };
  }

  // -------------------------------------------------------------------------
  // Slash commands

  async command(userId: string, command: string, text: string, opts: CommandOptions = {}):
    Promise<SlackHttpResult & Minted> {
    const { fields, ...minted } = this.commandFields(userId, command, text, opts);
    const result = await this.send(new URLSearchParams(fields).toString(), { contentType: FORM });
    return { ...result, ...minted };
  }

  /** The same command over Socket Mode: a `slash_commands` envelope whose payload is the form fields. */
  async socketCommand(userId: string, command: string, text: string, opts: CommandOptions = {}, send: SocketSendOptions = {}):
    Promise<SocketResult> {
    const { fields, ...minted } = this.commandFields(userId, command, text, opts);
    const ack = await this.standin.socket.send('slash_commands', fields, send);
    return { ...ack, ...minted };
  }

  /** Slack's slash command fields (form fields over HTTP, the envelope payload over Socket Mode). */
  commandFields(userId: string, command: string, text: string, opts: CommandOptions = {}):
    Minted & { fields: Record<string, string> } {
    const channelId = opts.channelId ?? this.defaultChannelId();
    const { id: responseUrlId, url: responseUrl } = this.standin.newResponseUrl();
    const triggerId = this.standin.newTriggerId();
    const fields: Record<string, string> = {
      token: this.verificationToken,
      team_id: this.standin.teamId,
      team_domain: this.standin.teamDomain,
      channel_id: channelId,
      channel_name: this.channelName(channelId),
      user_id: userId,
      user_name: this.userName(userId),
      command,
      text,
      api_app_id: this.apiAppId,
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: triggerId,
    };
    return { fields, responseUrlId, triggerId };
  }

  // -------------------------------------------------------------------------
  // Interactivity

  /**
   * A block_actions payload. From a view (opts.view) Slack sends the view and
   * no response_url; otherwise the action comes from a message, which is
   * looked up in the stand-in (the latest bot message holding the first
   * action_id) unless given, and a fresh response_url is included.
   * `responseUrlId` is '' for view actions.
   */
  async blockActions(userId: string, actions: DriverAction[], opts: BlockActionsOptions = {}):
    Promise<SlackHttpResult & Minted> {
    const { payload, ...minted } = this.blockActionsPayload(userId, actions, opts);
    const result = await this.sendPayload(payload);
    return { ...result, ...minted };
  }

  /** The same block_actions over Socket Mode, in an `interactive` envelope. */
  async socketBlockActions(userId: string, actions: DriverAction[], opts: BlockActionsOptions = {}, send: SocketSendOptions = {}):
    Promise<SocketResult> {
    const { payload, ...minted } = this.blockActionsPayload(userId, actions, opts);
    const ack = await this.standin.socket.send('interactive', payload, send);
    return { ...ack, ...minted };
  }

  /** The block_actions payload (see blockActions). */
  blockActionsPayload(userId: string, actions: DriverAction[], opts: BlockActionsOptions = {}):
    Minted & { payload: Record<string, unknown> } {
    const triggerId = this.standin.newTriggerId();
    const payload: Record<string, unknown> = {
      type: 'block_actions',
      user: this.userPayload(userId),
      api_app_id: this.apiAppId,
      token: this.verificationToken,
      trigger_id: triggerId,
      team: this.teamPayload(),
      enterprise: null,
      is_enterprise_install: false,
    };
    let responseUrlId = '';

    if (opts.view) {
      const view = this.viewPayload(opts.view);
      payload.container = opts.container ?? { type: 'view', view_id: view.id };
      payload.view = view;
      payload.actions = actions.map((a) => this.actionPayload(a, findInBlocks(view.blocks, a)));
    } else {
      const source = this.sourceMessage(actions[0], opts);
      const { id, url } = this.standin.newResponseUrl();
      responseUrlId = id;
      payload.container = opts.container ?? {
        type: 'message',
        message_ts: source.message.ts,
        channel_id: source.channelId,
        is_ephemeral: false,
      };
      payload.channel = { id: source.channelId, name: this.channelName(source.channelId) };
      payload.message = source.message;
      payload.state = { values: {} };
      payload.response_url = url;
      payload.actions = actions.map((a) => this.actionPayload(a, findInBlocks(source.message.blocks, a)));
    }
    return { payload, responseUrlId, triggerId };
  }

  async viewSubmission(userId: string, view: SubmittedView): Promise<SlackHttpResult & { triggerId: string }> {
    const { payload, triggerId } = this.viewSubmissionPayload(userId, view);
    const result = await this.sendPayload(payload);
    return { ...result, triggerId };
  }

  /** The same view_submission over Socket Mode (accepts_response_payload: the ack may carry a response_action). */
  async socketViewSubmission(userId: string, view: SubmittedView, send: SocketSendOptions = {}): Promise<SocketResult> {
    const { payload, triggerId } = this.viewSubmissionPayload(userId, view);
    const ack = await this.standin.socket.send('interactive', payload, send);
    return { ...ack, triggerId, responseUrlId: '' };
  }

  viewSubmissionPayload(userId: string, view: SubmittedView): { payload: Record<string, unknown>; triggerId: string } {
    const triggerId = this.standin.newTriggerId();
    const payload = {
      type: 'view_submission',
      team: this.teamPayload(),
      user: this.userPayload(userId),
      api_app_id: this.apiAppId,
      token: this.verificationToken,
      trigger_id: triggerId,
      view: this.viewPayload(view),
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    return { payload, triggerId };
  }

  /** Sent when the user cancels a modal opened with notify_on_close. */
  viewClosed(userId: string, view: DriverView): Promise<SlackHttpResult> {
    return this.sendPayload(this.viewClosedPayload(userId, view));
  }

  socketViewClosed(userId: string, view: DriverView, send: SocketSendOptions = {}): Promise<SocketAck> {
    return this.standin.socket.send('interactive', this.viewClosedPayload(userId, view), send);
  }

  viewClosedPayload(userId: string, view: DriverView): Record<string, unknown> {
    return {
      type: 'view_closed',
      team: this.teamPayload(),
      user: this.userPayload(userId),
      api_app_id: this.apiAppId,
      token: this.verificationToken,
      view: this.viewPayload(view),
      is_cleared: false,
      is_enterprise_install: false,
      enterprise: null,
    };
  }

  // -------------------------------------------------------------------------
  // Events API

  /** An event_callback envelope; retries carry X-Slack-Retry-Num / X-Slack-Retry-Reason like Slack's. */
  event(event: Record<string, unknown>, opts: EventOptions = {}): Promise<SlackHttpResult> {
    const envelope = this.eventCallback(event, opts);
    const headers: Record<string, string> = {};
    if (opts.retryNum !== undefined) {
      headers['X-Slack-Retry-Num'] = String(opts.retryNum);
      headers['X-Slack-Retry-Reason'] = opts.retryReason ?? 'http_timeout';
    }
    return this.send(JSON.stringify(envelope), { contentType: JSON_TYPE, headers });
  }

  /**
   * The same event over Socket Mode: an `events_api` envelope whose payload is the
   * event_callback; retries carry retry_attempt / retry_reason on the envelope instead of headers.
   */
  socketEvent(event: Record<string, unknown>, opts: EventOptions = {}, send: SocketSendOptions = {}): Promise<SocketAck> {
    return this.standin.socket.send('events_api', this.eventCallback(event, opts), {
      ...(opts.retryNum !== undefined ? { retryAttempt: opts.retryNum, retryReason: opts.retryReason ?? 'timeout' } : {}),
      ...send,
    });
  }

  /** The event_callback envelope Slack wraps an event in. */
  eventCallback(event: Record<string, unknown>, opts: EventOptions = {}): Record<string, unknown> {
    return {
      token: this.verificationToken,
      team_id: this.standin.teamId,
      api_app_id: this.apiAppId,
      event: { event_ts: nowTs(), ...event },
      type: 'event_callback',
      event_id: opts.eventId ?? randomId('Ev0', 10),
      event_time: nowSec(),
      authorizations: [
        { enterprise_id: null, team_id: this.standin.teamId, user_id: this.standin.botUserId, is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: false,
      event_context: `4-${randomBytes(24).toString('base64url')}`,
    };
  }

  /**
   * Changes a stand-in workspace account the way an admin would in Slack (deactivate it, edit
   * its email) and sends the `user_change` event Slack then sends, signed, with the account as
   * users.info shows it. Without changes, the account as it is (Slack repeats such events).
   */
  userChange(userId: string, changes: { deleted?: boolean; email?: string } = {}, opts: EventOptions = {}): Promise<SlackHttpResult> {
    return this.event(this.userChangeEvent(userId, changes), opts);
  }

  userChangeEvent(userId: string, changes: { deleted?: boolean; email?: string } = {}): Record<string, unknown> {
    const user = this.standin.users.find((u) => u.id === userId);
    if (!user) throw new Error(`the stand-in workspace has no user ${userId}`);
    if (changes.deleted !== undefined) user.deleted = changes.deleted;
    if (changes.email !== undefined) user.email = changes.email;
    return { type: 'user_change', user: this.standin.userPayload(user), cache_ts: nowSec() };
  }

  /** The user opened the app's Home tab; Slack includes the last published home view, if any. */
  appHomeOpened(userId: string): Promise<SlackHttpResult> {
    return this.event(this.appHomeOpenedEvent(userId));
  }

  socketAppHomeOpened(userId: string, send: SocketSendOptions = {}): Promise<SocketAck> {
    return this.socketEvent(this.appHomeOpenedEvent(userId), {}, send);
  }

  appHomeOpenedEvent(userId: string): Record<string, unknown> {
    const view = this.standin.homeViews.get(userId);
    return {
      type: 'app_home_opened',
      user: userId,
      channel: this.standin.dmIdFor([userId]),
      tab: 'home',
      ...(view ? { view } : {}),
    };
  }

  // -------------------------------------------------------------------------
  // Payload pieces

  /** An interactivity payload as Slack posts it: a form with one `payload` field of JSON. */
  sendPayload(payload: Record<string, unknown>): Promise<SlackHttpResult> {
    return this.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), { contentType: FORM });
  }

  private teamPayload() {
    return { id: this.standin.teamId, domain: this.standin.teamDomain };
  }

  private userPayload(userId: string) {
    const name = this.userName(userId);
    return { id: userId, username: name, name, team_id: this.standin.teamId };
  }

  private userName(userId: string): string {
    return this.standin.findUser(userId)?.name ?? userId.toLowerCase();
  }

  private channelName(channelId: string): string {
    const name = this.standin.channelName(channelId);
    if (name) return name;
    return channelId.startsWith('D') ? 'directmessage' : 'privategroup';
  }

  private defaultChannelId(): string {
    const { channels } = this.standin;
    return (channels.find((c) => c.name === 'general') ?? channels[0])?.id ?? 'C0GENERAL1';
  }

  /** The message a clicked element lives in: given, found in the stand-in, or a minimal bot message. */
  private sourceMessage(first: DriverAction | undefined, opts: BlockActionsOptions):
    { channelId: string; message: Record<string, unknown> & { ts: string; blocks?: unknown } } {
    if (opts.message) {
      const channelId = opts.channelId ?? String(opts.message.channel ?? this.defaultChannelId());
      const { channel: _channel, ...message } = opts.message;
      return { channelId, message: { ts: nowTs(), ...message } };
    }
    const found = first && this.standin.findMessageWithAction(first.action_id, { blockId: first.block_id, channelId: opts.channelId });
    if (found) return { channelId: found.message.channel, message: messageFromStore(found.message) };
    return {
      channelId: opts.channelId ?? this.defaultChannelId(),
      message: { type: 'message', ts: nowTs(), text: '', user: this.standin.botUserId, bot_id: this.standin.botId, blocks: [] },
    };
  }

  /** Slack fills type/text/value from the element that was clicked; explicit fields win. */
  private actionPayload(action: DriverAction, found: Found | undefined): Record<string, unknown> {
    const element = found?.element ?? {};
    const type = action.type ?? str(element.type) ?? (action.selected_option ? 'static_select' : 'button');
    return {
      ...(type === 'button' && element.text ? { text: element.text } : {}),
      ...(type === 'button' && element.value !== undefined ? { value: element.value } : {}),
      ...action,
      type,
      block_id: action.block_id ?? str(found?.block.block_id) ?? randomId('', 5),
      action_ts: nowTs(),
    };
  }

  /** A full view as Slack sends it: the stand-in's stored view (when id is known) overlaid with the given fields. */
  private viewPayload(view: DriverView | Record<string, unknown>): StoredView & { blocks?: unknown } {
    const id = str(view.id) ?? randomId('V0', 9);
    const stored = this.standin.views.get(id);
    const { values, ...fields } = view as DriverView;
    const base: Record<string, unknown> = stored ?? {
      id,
      team_id: this.standin.teamId,
      type: 'modal',
      blocks: [],
      private_metadata: '',
      callback_id: '',
      state: { values: {} },
      hash: `${nowSec()}.${randomBytes(4).toString('hex')}`,
      title: { type: 'plain_text', text: 'Modal', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      previous_view_id: null,
      root_view_id: id,
      app_id: this.apiAppId,
      external_id: '',
      app_installed_team_id: this.standin.teamId,
      bot_id: this.standin.botId,
    };
    const merged = { ...base, ...stripUndefined(fields), id } as StoredView;
    if (values !== undefined) merged.state = { values };
    return merged;
  }
}

type Found = { block: Record<string, unknown>; element: Record<string, unknown> };
type SubmittedView = DriverView & { values: Record<string, Record<string, unknown>> };

const findInBlocks = (blocks: unknown, action: DriverAction): Found | undefined =>
  findActionElement(blocks, action.action_id, action.block_id);

function messageFromStore(m: StoredMessage): Record<string, unknown> & { ts: string } {
  const { channel: _channel, ...message } = m;
  return structuredClone(message);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
