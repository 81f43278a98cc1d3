/** The Events API as Slack sends it, over HTTP (signed, with Slack's retry headers) or Socket Mode. */
import { randomBytes } from 'node:crypto';
import type { SocketAck, SocketSendOptions } from '../slack-standin.js';
import type { EventOptions, SlackHttpResult } from '../slack-driver-types.js';
import type { StandinUser } from '../workspace/types.js';
import { DriverTransport, JSON_TYPE, nowSec, nowTs, randomId } from './transport.js';

export class EventsDriver extends DriverTransport {
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

  /**
   * Someone joins the stand-in workspace (an admin's invitation accepted, a new account) and the
   * `team_join` event Slack then sends, signed, carries their user object as users.info shows
   * it. A user already in the workspace is sent again as they are (Slack repeats events).
   */
  teamJoin(user: StandinUser, opts: EventOptions = {}): Promise<SlackHttpResult> {
    return this.event(this.teamJoinEvent(user), opts);
  }

  teamJoinEvent(user: StandinUser): Record<string, unknown> {
    let joined = this.standin.users.find((u) => u.id === user.id);
    if (!joined) {
      joined = { ...user };
      this.standin.users.push(joined);
    }
    return { type: 'team_join', user: this.standin.userPayload(joined), cache_ts: nowSec() };
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

}
