/**
 * What a person sees in the local Slack beyond the stored workspace: their ephemeral replies,
 * their stack of open modals, and Slack's refusals of the app's calls. It plays Slack's part
 * for the page: every click and keystroke becomes the payload Slack would send (through
 * SlackDriver, over the same signed HTTP as the tests), and every answer of the app (the ack,
 * the response_url posts, views.open/push/update) lands where Slack would show it.
 */
import { EventEmitter } from 'node:events';
import { validateBlocks } from '../block-kit/index.js';
import { MESSAGES_TAB_OFF, MESSAGES_TAB_READ_ONLY } from './app-manifest.js';
import { checkMessageContent } from '../web-api/rules.js';
import type { SlackDriver, SlackHttpResult } from '../slack-driver.js';
import type { SlackStandin } from '../slack-standin.js';
import type { WorkspaceChange } from '../workspace/model.js';
import type { RecordedCall, ResponseUrlPost, StoredView } from '../workspace/types.js';

export interface Ephemeral {
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown[];
}
export interface Notice {
  at: number;
  channel?: string;
  user?: string;
  text: string;
}
export interface BlockAction {
  action_id: string;
  block_id?: string;
  type?: string;
  [extra: string]: unknown;
}
/**
 * Whom and where a change shows: a page re-reads its pane only for an update that concerns it
 * (its person, its conversation, or Mail), so a message in one channel does not re-render every
 * open Home tab. An empty scope concerns every page.
 */
export interface UpdateScope {
  user?: string;
  channel?: string;
  mail?: true;
}
type StateValues = Record<string, Record<string, unknown>>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** The Web API errors that mean "your payload is wrong": shown on the page, as a second check of our payloads. */
const PAYLOAD_ERRORS = new Set(['invalid_blocks', 'invalid_arguments', 'msg_too_long', 'invalid_blocks_format', 'no_text', 'metadata_too_large', 'invalid_metadata_schema', 'invalid_metadata_format']);

export class LocalSession {
  /** 'update' on anything the page shows changing (the SSE stream listens). */
  readonly events = new EventEmitter();
  private readonly ephemerals = new Map<string, Ephemeral[]>();
  private readonly modals = new Map<string, string[]>();
  private readonly errors = new Map<string, Record<string, string>>();
  private readonly triggerUser = new Map<string, string>();
  private readonly responseUrls = new Map<string, { user: string; channel: string; messageTs?: string; ephemeral?: boolean }>();
  readonly notices: Notice[] = [];

  constructor(readonly standin: SlackStandin, private readonly driver: () => SlackDriver) {
    this.events.setMaxListeners(0);
    standin.events.on('change', (c: WorkspaceChange) => this.onChange(c));
    standin.events.on('responseUrlPost', (p: ResponseUrlPost) => this.onResponseUrl(p));
    standin.events.on('call', (c: RecordedCall) => this.onCall(c));
  }

  ephemeralsOf(user: string, channel: string): Ephemeral[] {
    return (this.ephemerals.get(user) ?? []).filter((e) => e.channel === channel);
  }

  /** The user's open modals, bottom first (views.push stacks). */
  modalStack(user: string): StoredView[] {
    return (this.modals.get(user) ?? []).flatMap((id) => this.standin.views.get(id) ?? []);
  }

  errorsOf(viewId: string): Record<string, string> | undefined {
    return this.errors.get(viewId);
  }

  noticesFor(user: string, channel: string | undefined): Notice[] {
    return this.notices.filter((n) => (n.user === undefined || n.user === user) && (n.channel === undefined || n.channel === channel));
  }

  /** The composer: `/command text` becomes a slash command, anything else a message from the person. */
  async compose(user: string, channel: string, typed: string): Promise<void> {
    if (MESSAGES_TAB_READ_ONLY && channel === this.standin.dmIdFor([user])) {
      // The page shows no composer there; a post that comes anyway is refused as Slack would.
      this.notify({ user, channel, text: MESSAGES_TAB_OFF });
      return;
    }
    const text = this.linkMentions(typed);
    const command = /^(\/\S+)\s*([\s\S]*)$/.exec(typed.trim());
    if (!command) {
      // A person's message meets the same limits as the app's (one definition, web-api/rules.ts).
      const refused = checkMessageContent({ text });
      if (refused) this.notify({ user, channel, text: `Slack refused chat.postMessage: ${String(refused.body.error)}` });
      else this.standin.postAsUser(channel, user, text);
      return;
    }
    const [, name, rest] = command;
    if (name !== '/team') {
      // Slack's own answer to a command no app in the workspace registered.
      this.addEphemeral(user, { channel, text: `${name} is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands. If you are trying to send a message that starts with a "/" character, try adding a space before the "/".` });
      return;
    }
    const { fields, responseUrlId, triggerId } = this.driver().commandFields(user, name, this.linkMentions(rest ?? ''), { channelId: channel });
    this.triggerUser.set(triggerId, user);
    this.responseUrls.set(responseUrlId, { user, channel });
    const result = await this.driver().send(new URLSearchParams(fields).toString());
    this.onAck(user, channel, result, `${name} failed`);
  }

  /** A click or change on an element of a message, a modal or the Home tab, with that surface's state. */
  async act(user: string, action: BlockAction, where: { channel?: string; messageTs?: string; viewId?: string; state: StateValues }): Promise<void> {
    const driver = this.driver();
    let payload: Record<string, unknown>;
    let responseUrlId = '';
    let triggerId: string;
    if (where.viewId) {
      ({ payload, triggerId } = driver.blockActionsPayload(user, [action], { view: { ...this.standin.views.get(where.viewId), id: where.viewId, values: where.state } as never }));
    } else {
      const channel = where.channel ?? '';
      const ts = where.messageTs ?? '';
      const message = this.standin.getMessage(channel, ts);
      const ephemeral = message ? undefined : this.ephemeralsOf(user, channel).find((e) => e.ts === ts);
      if (!message && !ephemeral) return;
      ({ payload, responseUrlId, triggerId } = driver.blockActionsPayload(user, [action], {
        message: message ? { ...message } : { type: 'message', ts, text: ephemeral!.text, ...(ephemeral!.blocks ? { blocks: ephemeral!.blocks } : {}), user: this.standin.botUserId, bot_id: this.standin.botId },
        channelId: channel,
        // Slack marks a click in an ephemeral message so, and sends no copy of the message.
        ...(ephemeral ? { container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: true } } : {}),
      }));
      if (ephemeral) delete payload.message;
      payload.state = { values: where.state };
      this.responseUrls.set(responseUrlId, { user, channel, messageTs: ts, ...(ephemeral ? { ephemeral: true } : {}) });
    }
    this.triggerUser.set(triggerId, user);
    const result = await driver.sendPayload(payload);
    this.onAck(user, where.channel, result, 'The app did not respond');
  }

  /** Submit of the top modal: view_submission, then what the ack's response_action says. */
  async submit(user: string, viewId: string, state: StateValues): Promise<void> {
    const view = this.standin.views.get(viewId);
    if (!view) return;
    const { payload, triggerId } = this.driver().viewSubmissionPayload(user, { ...view, id: viewId, callback_id: String(view.callback_id ?? ''), values: state });
    this.triggerUser.set(triggerId, user);
    const result = await this.driver().sendPayload(payload);
    const stack = this.modals.get(user) ?? [];
    const ack: unknown = result.json;
    if (result.status !== 200) {
      this.notify({ user, text: `We had some trouble connecting. Try again? (the app answered HTTP ${result.status})` });
    } else if (isObject(ack) && ack.response_action === 'errors' && isObject(ack.errors)) {
      this.errors.set(viewId, Object.fromEntries(Object.entries(ack.errors).map(([k, v]) => [k, String(v)])));
    } else if (isObject(ack) && (ack.response_action === 'update' || ack.response_action === 'push') && isObject(ack.view)) {
      const problem = this.standin.acceptViewFromAck(ack.view, ack.response_action === 'update' ? view : undefined);
      if (typeof problem === 'string') this.notify({ user, text: problem });
      else if (ack.response_action === 'update') stack.splice(stack.indexOf(viewId), 1, problem.id);
      else stack.push(problem.id);
      this.errors.delete(viewId);
    } else if (isObject(ack) && ack.response_action === 'clear') {
      this.modals.delete(user);
    } else {
      stack.splice(stack.indexOf(viewId), 1);
      this.errors.delete(viewId);
    }
    this.update({ user });
  }

  /** Close (or Escape): the top modal goes; view_closed when the view asked for it. */
  async close(user: string, viewId: string): Promise<void> {
    const view = this.standin.views.get(viewId);
    const stack = this.modals.get(user) ?? [];
    const at = stack.indexOf(viewId);
    if (at >= 0) stack.splice(at, 1);
    this.errors.delete(viewId);
    this.update({ user });
    if (view?.notify_on_close === true) await this.driver().viewClosed(user, { ...view, id: viewId, callback_id: String(view.callback_id ?? '') });
  }

  async openHome(user: string): Promise<void> {
    await this.driver().appHomeOpened(user);
  }

  /**
   * What Slack's client sends for what a person typed: `&`, `<` and `>` escaped (so a typed
   * `<!channel>` is text, not a mention of everyone), then `@name` → `<@U…|name>` for every
   * person of the workspace.
   */
  linkMentions(typed: string): string {
    const text = typed.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return text.replace(/(^|\s)@([a-z0-9._-]+)/gi, (whole, lead: string, name: string) => {
      const person = this.standin.users.find((u) => u.name.toLowerCase() === name.toLowerCase());
      return person ? `${lead}<@${person.id}|${person.name}>` : whole;
    });
  }

  notify(notice: Omit<Notice, 'at'>): void {
    this.notices.push({ at: Date.now(), ...notice });
    if (this.notices.length > 50) this.notices.shift();
    this.update({ ...(notice.user ? { user: notice.user } : {}), ...(notice.channel ? { channel: notice.channel } : {}) });
  }

  /** An email was written to the spool (the page watches the folder): the Mail panes read it. */
  mailArrived(): void {
    this.update({ mail: true });
  }

  private update(scope: UpdateScope = {}): void {
    this.events.emit('update', scope);
  }

  private addEphemeral(user: string, e: Omit<Ephemeral, 'ts'> & { ts?: string }): void {
    const list = this.ephemerals.get(user) ?? [];
    list.push({ ts: e.ts ?? this.standin.nextTs(), ...e });
    this.ephemerals.set(user, list);
    this.update({ user, channel: e.channel });
  }

  /** The app's HTTP answer to a command or action: a body is a reply (ephemeral unless in_channel). */
  private onAck(user: string, channel: string | undefined, result: SlackHttpResult, failure: string): void {
    if (result.status !== 200) {
      this.notify({ user, ...(channel ? { channel } : {}), text: `${failure} with the error "dispatch_failed" (HTTP ${result.status})` });
      return;
    }
    const body: unknown = result.json;
    if (!channel || !isObject(body) || (typeof body.text !== 'string' && !Array.isArray(body.blocks))) return;
    // Slack checks a reply in the ack like a posted message, and shows its error instead of the reply.
    const problems = body.blocks === undefined ? [] : validateBlocks(body.blocks, 'message');
    if (problems.length > 0) {
      this.notify({ user, channel, text: `Slack refused the app's reply: invalid_blocks — ${problems.map((p) => `[ERROR] ${p}`).join(' ')}` });
      return;
    }
    this.reply(user, channel, body);
  }

  private reply(user: string, channel: string, body: Record<string, unknown>, messageTs?: string, ephemeral = false): void {
    const text = typeof body.text === 'string' ? body.text : '';
    const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
    if (ephemeral && messageTs && (body.replace_original === true || body.delete_original === true)) {
      // An ephemeral message replaced (or deleted) through its response_url, in place, for its one reader.
      const list = this.ephemerals.get(user) ?? [];
      const at = list.findIndex((e) => e.channel === channel && e.ts === messageTs);
      if (at >= 0) {
        if (body.delete_original === true) list.splice(at, 1);
        else list[at] = { channel, ts: messageTs, text, ...(blocks ? { blocks } : {}) };
      }
      this.update({ user, channel });
      return;
    }
    if (messageTs && body.delete_original === true) {
      this.standin.messages = this.standin.messages.filter((m) => !(m.channel === channel && m.ts === messageTs));
      this.standin.changed({ kind: 'people' });
      return;
    }
    if (messageTs && body.replace_original === true) {
      const message = this.standin.getMessage(channel, messageTs);
      if (message) {
        message.text = text;
        if (blocks) message.blocks = blocks;
        message.edited = { user: this.standin.botUserId, ts: this.standin.nextTs() };
        this.standin.changed({ kind: 'message', message });
      }
      return;
    }
    if (body.response_type === 'in_channel') {
      this.standin.postAsBot(channel, text, blocks);
      return;
    }
    this.addEphemeral(user, { channel, text, ...(blocks ? { blocks } : {}) });
  }

  private onResponseUrl(post: ResponseUrlPost): void {
    const to = this.responseUrls.get(post.id);
    if (to) this.reply(to.user, to.channel, post.body, to.messageTs, to.ephemeral);
  }

  private onChange(change: WorkspaceChange): void {
    if (change.kind === 'ephemeral') {
      this.addEphemeral(change.user, { ...change.message, channel: change.channel });
      return;
    }
    if (change.kind === 'message') {
      this.update({ channel: change.message.channel });
      return;
    }
    if (change.kind === 'view') {
      const user = change.userId ?? (change.triggerId ? this.triggerUser.get(change.triggerId) : undefined) ?? this.modalOwner(change.view.id);
      if (user && change.triggerId && (change.how === 'open' || change.how === 'push')) {
        const stack = change.how === 'open' ? [] : (this.modals.get(user) ?? []);
        stack.push(change.view.id);
        this.modals.set(user, stack);
      }
      this.update(user ? { user } : {});
      return;
    }
    this.update();
  }

  /** Whose stack holds this modal (a views.update names only the view). */
  private modalOwner(viewId: string): string | undefined {
    for (const [user, stack] of this.modals) if (stack.includes(viewId)) return user;
    return undefined;
  }

  /** A refused payload shows Slack's error where the person is, never a silent blank. */
  private onCall(call: RecordedCall): void {
    const error = typeof call.response.error === 'string' ? call.response.error : undefined;
    if (!error || !PAYLOAD_ERRORS.has(error)) return;
    const meta = call.response.response_metadata;
    const messages = isObject(meta) && Array.isArray(meta.messages) ? meta.messages.map(String) : [];
    const user = typeof call.args.trigger_id === 'string' ? this.triggerUser.get(call.args.trigger_id) : typeof call.args.user_id === 'string' ? call.args.user_id : undefined;
    const channel = typeof call.args.channel === 'string' ? this.standin.resolveChannel(call.args.channel) : undefined;
    this.notify({
      ...(user ? { user } : {}),
      ...(channel ? { channel } : {}),
      text: `Slack refused ${call.method}: ${error}${messages.length ? ` — ${messages.join(' ')}` : ''}`,
    });
  }
}
