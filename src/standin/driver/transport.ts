/** How Slack reaches the app's Request URL: the signature Slack computes and the signed POST, and the ids Slack mints. */
import { createHmac, randomBytes } from 'node:crypto';
import type { SlackStandin } from '../slack-standin.js';
import type { DriverOptions, SendOptions, SlackHttpResult } from '../slack-driver-types.js';

export const FORM = 'application/x-www-form-urlencoded';
export const JSON_TYPE = 'application/json';
/** Slack identifies itself with this User-Agent on Request URL calls. */
const SLACK_USER_AGENT = 'Slackbot 1.0 (+https://api.slack.com/robots)';

export const nowSec = () => Math.floor(Date.now() / 1000);
/** "seconds.microseconds", the shape of action_ts and event_ts. */
export const nowTs = () => {
  const micros = Date.now() * 1000 + Math.floor(Math.random() * 1000);
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
};
export const randomId = (prefix: string, n: number) =>
  prefix + randomBytes(n).toString('base64url').replace(/[^A-Za-z0-9]/g, '0').toUpperCase().slice(0, n);

export function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export class DriverTransport {
  readonly appUrl: string;
  readonly apiAppId: string;
  protected readonly signingSecret: string;
  protected readonly standin: SlackStandin;
  protected readonly verificationToken: string;

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

}
