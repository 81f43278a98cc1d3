/** The shapes SlackDriver takes and returns (see slack-driver.ts). */
import type { SlackStandin } from './slack-standin.js';
import type { SocketAck } from './socket-mode.js';

export interface DriverOptions {
  /** The app's Request URL, e.g. 'http://127.0.0.1:3000/slack/events'. Only HTTP sends need it. */
  appUrl?: string;
  /** Only HTTP sends need it (Socket Mode envelopes are not signed). */
  signingSecret?: string;
  standin: SlackStandin;
  /** Defaults to the stand-in's appId ('A0APP00001'). */
  apiAppId?: string;
  /** The legacy verification token Slack still includes in payloads. */
  verificationToken?: string;
}

export interface SlackHttpResult {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when the app answered with no/non-JSON body. */
  json: any;
  /** Measured HTTP round-trip time in milliseconds. */
  ms: number;
}

export interface SendOptions {
  contentType?: string;
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  /** Use this signature instead of the correct one; `null` omits the header. */
  signature?: string | null;
  omitTimestamp?: boolean;
  headers?: Record<string, string>;
}

export interface DriverAction {
  action_id: string;
  block_id?: string;
  value?: string;
  selected_option?: { value: string; text?: { type: 'plain_text'; text: string } };
  type?: string;
  [extra: string]: unknown;
}

export interface BlockActionsOptions {
  container?: Record<string, unknown>;
  /** Set for actions inside a modal or home tab: Slack then sends the view and no response_url. */
  view?: Record<string, unknown>;
  /** The message the action came from; by default the latest bot message holding the action_id. */
  message?: Record<string, unknown>;
  channelId?: string;
}

export interface DriverView {
  id?: string;
  callback_id: string;
  private_metadata?: string;
  values?: Record<string, Record<string, unknown>>;
  hash?: string;
  [extra: string]: unknown;
}

export interface EventOptions {
  retryNum?: number;
  retryReason?: string;
  eventId?: string;
}

export interface CommandOptions {
  channelId?: string;
}

/** The live response URL and trigger_id minted for a payload ('' when it has none). */
export interface Minted {
  responseUrlId: string;
  triggerId: string;
}

/** The app's ack of an envelope sent over Socket Mode, with what was minted for it. */
export type SocketResult = SocketAck & Minted;
