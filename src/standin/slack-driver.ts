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
 *
 * Layout: ./driver/transport.ts signs and POSTs, ./driver/events.ts builds and sends the Events
 * API; this class adds slash commands and interactivity on top of both.
 */
import { randomBytes } from 'node:crypto';
import {
  findActionElement,
  type SocketAck,
  type SocketSendOptions,
  type StoredMessage,
  type StoredView,
} from './slack-standin.js';

import type { BlockActionsOptions, CommandOptions, DriverAction, DriverView, Minted, SlackHttpResult, SocketResult } from './slack-driver-types.js';
import { EventsDriver } from './driver/events.js';
import { FORM, nowSec, nowTs, randomId } from './driver/transport.js';
export * from './slack-driver-types.js';

export class SlackDriver extends EventsDriver {
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
