import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, isValidSlackRequest, SocketModeReceiver } from '@slack/bolt';
import { LogLevel, WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebClient, type Logger } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SlackDriver, SlackStandin, type StandinOptions } from '../../src/standin/index.js';

const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => LogLevel.ERROR,
  setName() {},
};

/** A WebClient configured the way the app's tests use it against the stand-in. */
const clientFor = (standin: SlackStandin, token = standin.botToken) =>
  new WebClient(token, {
    slackApiUrl: standin.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: silentLogger,
  });

/** The Slack `error` of a call that must fail with ok:false. */
async function slackError(call: Promise<unknown>): Promise<string> {
  const err = await call.then(
    () => {
      throw new Error('expected the Slack call to fail');
    },
    (e: unknown) => e,
  );
  if (err instanceof WebAPIPlatformError) return err.data.error ?? '';
  throw err;
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const modal = (over: Record<string, unknown> = {}) => ({
  type: 'modal',
  callback_id: 'invite',
  title: { type: 'plain_text', text: 'Invite' },
  blocks: [section('Who?')],
  ...over,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withStandin(opts: StandinOptions, fn: (standin: SlackStandin, client: WebClient) => Promise<void>) {
  const standin = await SlackStandin.start(opts);
  try {
    await fn(standin, clientFor(standin));
  } finally {
    await standin.stop();
  }
}

describe('SlackStandin with a real WebClient', () => {
  let standin: SlackStandin;
  let client: WebClient;

  beforeAll(async () => {
    standin = await SlackStandin.start();
    client = clientFor(standin);
  });
  afterAll(() => standin.stop());
  beforeEach(() => standin.reset());

  describe('auth', () => {
    it('answers auth.test with the bot identity', async () => {
      expect(standin.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
      const res = await client.auth.test();
      expect(res).toMatchObject({
        ok: true,
        url: 'https://acme.slack.com/',
        team: 'Acme',
        team_id: 'T0TEAM0001',
        user_id: 'U0BOT00001',
        bot_id: 'B0BOT00001',
      });
    });

    it('refuses a wrong token with invalid_auth and records the refusal', async () => {
      expect(await slackError(clientFor(standin, 'xoxb-wrong').auth.test())).toBe('invalid_auth');
      expect(standin.calls).toHaveLength(1);
      expect(standin.calls[0]).toMatchObject({ method: 'auth.test', status: 200, response: { ok: false, error: 'invalid_auth' } });
      expect(standin.callsTo('auth.test')).toEqual([]);
    });

    it('refuses a call without a token with not_authed, and accepts a token form field', async () => {
      const noToken = await fetch(`${standin.apiUrl}auth.test`, { method: 'POST' });
      expect(noToken.status).toBe(200);
      expect(await noToken.json()).toEqual({ ok: false, error: 'not_authed' });

      const formToken = await fetch(`${standin.apiUrl}auth.test`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: standin.botToken }).toString(),
      });
      expect(await formToken.json()).toMatchObject({ ok: true, user_id: standin.botUserId });
    });

    it('answers unknown methods with unknown_method', async () => {
      expect(await slackError(client.apiCall('emoji.summon'))).toBe('unknown_method');
    });
  });

  describe('chat.postMessage', () => {
    it('posts to a known channel with a unique, increasing ts and stores the message', async () => {
      const first = await client.chat.postMessage({ channel: 'C0TEAM0001', text: 'hello', blocks: [section('*hello*')] });
      const second = await client.chat.postMessage({ channel: 'C0APPR0001', text: 'again' });
      expect(first).toMatchObject({ ok: true, channel: 'C0TEAM0001', message: { text: 'hello', user: 'U0BOT00001' } });
      expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
      expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
      // Recorded before the HTTP answer, with blocks parsed back into objects.
      expect(standin.callsTo('chat.postMessage')[0]?.args).toMatchObject({ channel: 'C0TEAM0001', blocks: [section('*hello*')] });
      expect(standin.getMessage('C0TEAM0001', first.ts!)?.text).toBe('hello');
    });

    it('refuses unknown channels with channel_not_found', async () => {
      expect(await slackError(client.chat.postMessage({ channel: 'C0NOPE0000', text: 'hi' }))).toBe('channel_not_found');
    });

    it('opens the DM when posting to a user id', async () => {
      const res = await client.chat.postMessage({ channel: 'U0ALICE001', text: 'hi alice' });
      const dm = await client.conversations.open({ users: 'U0ALICE001' });
      expect(res.channel).toMatch(/^D/);
      expect(dm.channel?.id).toBe(res.channel);
    });

    it('needs text or blocks, and text of at most 40000 characters', async () => {
      expect(await slackError(client.chat.postMessage({ channel: 'C0TEAM0001' } as never))).toBe('no_text');
      expect(await slackError(client.chat.postMessage({ channel: 'C0TEAM0001', text: 'x'.repeat(40_001) }))).toBe('msg_too_long');
      await client.chat.postMessage({ channel: 'C0APPR0001', text: 'x'.repeat(40_000) });
    });

    it('refuses 51 blocks with invalid_blocks and Slack-style messages, accepts 50', async () => {
      const blocks = (n: number) => Array.from({ length: n }, () => ({ type: 'divider' }));
      const err = await client.chat.postMessage({ channel: 'C0TEAM0001', text: 'many', blocks: blocks(51) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WebAPIPlatformError);
      const data = (err as WebAPIPlatformError).data;
      expect(data.error).toBe('invalid_blocks');
      expect(data.response_metadata?.messages).toEqual(['[ERROR] no more than 50 items allowed [json-pointer:/blocks]']);

      const ok = await client.chat.postMessage({ channel: 'C0TEAM0001', text: 'many', blocks: blocks(50) });
      expect(ok.ok).toBe(true);
    });

    it('answers a second quick post to the same channel with 429 and Retry-After', async () => {
      await client.chat.postMessage({ channel: 'C0TEAM0001', text: 'one' });
      const err = await client.chat.postMessage({ channel: 'C0TEAM0001', text: 'two' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WebAPIRateLimitedError);
      expect((err as WebAPIRateLimitedError).retryAfter).toBe(1);
      expect(standin.calls.at(-1)).toMatchObject({ status: 429, response: { ok: false, error: 'ratelimited' } });

      // The raw answer, as Slack sends it.
      const raw = await fetch(`${standin.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${standin.botToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ channel: 'C0TEAM0001', text: 'three' }),
      });
      expect(raw.status).toBe(429);
      expect(raw.headers.get('retry-after')).toBe('1');
      expect(await raw.json()).toEqual({ ok: false, error: 'ratelimited' });
    });

    it('paces channels independently', async () => {
      await client.chat.postMessage({ channel: 'C0TEAM0001', text: 'one' });
      await client.chat.postMessage({ channel: 'C0APPR0001', text: 'one' });
      await client.chat.postMessage({ channel: 'C0GENERAL1', text: 'one' });
      expect(standin.callsTo('chat.postMessage')).toHaveLength(3);
    });

    it('accepts the next post once the interval has passed', async () => {
      await withStandin({ postMessageIntervalMs: 50 }, async (s, c) => {
        await c.chat.postMessage({ channel: 'C0TEAM0001', text: 'one' });
        await sleep(60);
        await c.chat.postMessage({ channel: 'C0TEAM0001', text: 'two' });
        expect(s.callsTo('chat.postMessage')).toHaveLength(2);
      });
    });
  });

  describe('chat.update and chat.postEphemeral', () => {
    it('updates a message the bot posted', async () => {
      const posted = await client.chat.postMessage({ channel: 'C0TEAM0001', text: 'pending', blocks: [section('pending')] });
      const updated = await client.chat.update({ channel: 'C0TEAM0001', ts: posted.ts!, text: 'approved', blocks: [section('approved')] });
      expect(updated).toMatchObject({ ok: true, channel: 'C0TEAM0001', ts: posted.ts, text: 'approved' });
      expect(standin.getMessage('C0TEAM0001', posted.ts!)).toMatchObject({ text: 'approved', blocks: [{ text: { text: 'approved' } }] });
    });

    it('refuses unknown messages and channels', async () => {
      expect(await slackError(client.chat.update({ channel: 'C0TEAM0001', ts: '1.000001', text: 'x' }))).toBe('message_not_found');
      expect(await slackError(client.chat.update({ channel: 'C0NOPE0000', ts: '1.000001', text: 'x' }))).toBe('channel_not_found');
    });

    it('validates blocks on update', async () => {
      const posted = await client.chat.postMessage({ channel: 'C0APPR0001', text: 'pending' });
      const header = { type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } };
      expect(await slackError(client.chat.update({ channel: 'C0APPR0001', ts: posted.ts!, text: 'x', blocks: [header] }))).toBe('invalid_blocks');
    });

    it('posts ephemeral messages to existing users only', async () => {
      const res = await client.chat.postEphemeral({ channel: 'C0TEAM0001', user: 'U0BOB00001', text: 'only you' });
      expect(res.message_ts).toMatch(/^\d+\.\d{6}$/);
      expect(await slackError(client.chat.postEphemeral({ channel: 'C0TEAM0001', user: 'U0NOBODY00', text: 'x' }))).toBe('user_not_found');
      expect(await slackError(client.chat.postEphemeral({ channel: 'C0NOPE0000', user: 'U0BOB00001', text: 'x' }))).toBe('channel_not_found');
    });
  });

  describe('views', () => {
    it('opens a modal once per trigger_id', async () => {
      const triggerId = standin.newTriggerId();
      expect(triggerId).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
      const res = await client.views.open({ trigger_id: triggerId, view: modal() as never });
      expect(res.view).toMatchObject({ type: 'modal', callback_id: 'invite', state: { values: {} } });
      expect(res.view?.id).toMatch(/^V/);
      expect(standin.views.get(res.view!.id!)).toBeDefined();
      expect(await slackError(client.views.open({ trigger_id: triggerId, view: modal() as never }))).toBe('expired_trigger_id');
    });

    it('refuses unknown triggers and invalid modals', async () => {
      expect(await slackError(client.views.open({ trigger_id: '1.2.abc', view: modal() as never }))).toBe('invalid_trigger_id');
      const err = await client.views.open({
        trigger_id: standin.newTriggerId(),
        view: modal({ title: { type: 'plain_text', text: 'x'.repeat(25) } }) as never,
      }).catch((e: unknown) => e);
      expect((err as WebAPIPlatformError).data).toMatchObject({
        error: 'invalid_arguments',
        response_metadata: { messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'] },
      });
    });

    it('expires trigger_ids after triggerTtlMs', async () => {
      await withStandin({ triggerTtlMs: 100 }, async (s, c) => {
        const fresh = s.newTriggerId();
        const stale = s.newTriggerId();
        await c.views.open({ trigger_id: fresh, view: modal() as never });
        await sleep(150);
        expect(await slackError(c.views.open({ trigger_id: stale, view: modal() as never }))).toBe('expired_trigger_id');
      });
    });

    it('pushes a view with a fresh trigger', async () => {
      const res = await client.views.push({ trigger_id: standin.newTriggerId(), view: modal({ callback_id: 'step2' }) as never });
      expect(res.view?.callback_id).toBe('step2');
    });

    it('updates by view_id or external_id and refuses a stale hash', async () => {
      const opened = await client.views.open({ trigger_id: standin.newTriggerId(), view: modal({ external_id: 'invite-1' }) as never });
      const { id, hash } = opened.view as { id: string; hash: string };

      const byId = await client.views.update({ view_id: id, hash, view: modal({ blocks: [section('step 2')] }) as never });
      expect(byId.view?.hash).not.toBe(hash);
      expect(await slackError(client.views.update({ view_id: id, hash, view: modal() as never }))).toBe('hash_conflict');

      const byExternal = await client.views.update({ external_id: 'invite-1', view: modal({ blocks: [section('step 3')] }) as never });
      expect(byExternal.view?.id).toBe(id);
      expect(await slackError(client.views.update({ view_id: 'V0NOPE', view: modal() as never }))).toBe('not_found');
    });

    it('publishes home tabs per user', async () => {
      const home = { type: 'home', blocks: [section('Your teams')] };
      const first = await client.views.publish({ user_id: 'U0ALICE001', view: home as never });
      const second = await client.views.publish({ user_id: 'U0ALICE001', view: { ...home, blocks: [section('Updated')] } as never });
      expect(second.view?.id).toBe(first.view?.id);
      expect(standin.homeViews.get('U0ALICE001')?.blocks).toMatchObject([section('Updated')]);
      expect(await slackError(client.views.publish({ user_id: 'U0NOBODY00', view: home as never }))).toBe('user_not_found');
      expect(await slackError(client.views.publish({ user_id: 'U0ALICE001', view: modal() as never }))).toBe('invalid_arguments');
      const tooMany = { type: 'home', blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) };
      expect(await slackError(client.views.publish({ user_id: 'U0ALICE001', view: tooMany as never }))).toBe('invalid_arguments');
    });
  });

  describe('users and conversations', () => {
    it('returns users in Slack shape', async () => {
      const res = await client.users.info({ user: 'U0ALICE001' });
      expect(res.user).toMatchObject({
        id: 'U0ALICE001',
        team_id: 'T0TEAM0001',
        name: 'alice',
        real_name: 'Alice Archer',
        deleted: false,
        is_bot: false,
        profile: { email: 'alice@acme.test', real_name: 'Alice Archer', display_name: 'alice' },
      });
      expect(await slackError(client.users.info({ user: 'U0NOBODY00' }))).toBe('user_not_found');
    });

    it('looks up users by email case-insensitively', async () => {
      const res = await client.users.lookupByEmail({ email: 'Bob@ACME.test' });
      expect(res.user?.id).toBe('U0BOB00001');
      expect(await slackError(client.users.lookupByEmail({ email: 'nobody@acme.test' }))).toBe('users_not_found');
    });

    it('opens stable DM ids', async () => {
      const a = await client.conversations.open({ users: 'U0CAROL001' });
      const b = await client.conversations.open({ users: 'U0CAROL001' });
      const group = await client.conversations.open({ users: 'U0CAROL001,U0DAVE0001' });
      expect(a.channel?.id).toMatch(/^D/);
      expect(b.channel?.id).toBe(a.channel?.id);
      expect(group.channel?.id).not.toBe(a.channel?.id);
      expect(await slackError(client.conversations.open({ users: 'U0NOBODY00' }))).toBe('user_not_found');
    });

    it('keeps message metadata and returns it from conversations.history only with include_all_metadata', async () => {
      const standin = await SlackStandin.start({ postMessageIntervalMs: 0 });
      const client = clientFor(standin);
      try {
        const metadata = { event_type: 'team_manager_delivery', event_payload: { delivery_id: 'd-1' } };
        const first = await client.chat.postMessage({ channel: 'C0TEAM0001', text: 'one', metadata });
        expect(first.message).toMatchObject({ metadata });
        expect(await slackError(client.chat.postMessage({ channel: 'C0TEAM0001', text: 'x', metadata: { event_type: 'has space', event_payload: {} } }))).toBe('invalid_metadata_schema');
        const person = standin.postAsUser('C0TEAM0001', 'U0ALICE001', 'chatter');
        const second = await client.chat.postMessage({ channel: 'C0TEAM0001', text: 'two' });
        await client.chat.postMessage({ channel: 'C0GENERAL1', text: 'elsewhere', metadata });

        const plain = await client.conversations.history({ channel: 'C0TEAM0001' });
        expect(plain.messages?.map((m) => m.text)).toEqual(['two', 'chatter', 'one']);
        expect(plain.messages?.some((m) => 'metadata' in m)).toBe(false);
        const withMetadata = await client.conversations.history({ channel: 'C0TEAM0001', include_all_metadata: true });
        expect(withMetadata.messages?.[2]).toMatchObject({ ts: first.ts, text: 'one', metadata });
        expect(withMetadata.messages?.[1]).toMatchObject({ ts: person.ts, user: 'U0ALICE001' });

        // oldest / latest are exclusive; limit and the cursor page through, newest first.
        const after = await client.conversations.history({ channel: 'C0TEAM0001', oldest: first.ts! });
        expect(after.messages?.map((m) => m.ts)).toEqual([second.ts, person.ts]);
        const page1 = await client.conversations.history({ channel: 'C0TEAM0001', limit: 2 });
        expect(page1).toMatchObject({ has_more: true });
        const page2 = await client.conversations.history({ channel: 'C0TEAM0001', limit: 2, cursor: page1.response_metadata!.next_cursor! });
        expect([...page1.messages!, ...page2.messages!].map((m) => m.text)).toEqual(['two', 'chatter', 'one']);
        expect(page2).toMatchObject({ has_more: false, response_metadata: { next_cursor: '' } });

        // A DM by its conversation id (conversations.open), never by the user's id.
        const dm = await client.chat.postMessage({ channel: 'U0BOB00001', text: 'hi bob', metadata });
        const opened = await client.conversations.open({ users: 'U0BOB00001' });
        expect(opened.channel?.id).toBe(dm.channel);
        const dmHistory = await client.conversations.history({ channel: dm.channel!, include_all_metadata: true });
        expect(dmHistory.messages).toMatchObject([{ ts: dm.ts, metadata }]);
        expect(await slackError(client.conversations.history({ channel: 'U0BOB00001' }))).toBe('channel_not_found');
      } finally {
        await standin.stop();
      }
    });
    it('pages users.list with a cursor (deactivated accounts included) and holds it to Tier 2: the 21st call in a minute is a 429 with Retry-After', async () => {
      const standin = await SlackStandin.start();
      const client = clientFor(standin);
      try {
        standin.users[2]!.deleted = true;
        const first = await client.users.list({ limit: 3 });
        expect(first.members?.map((u) => u.id)).toEqual(['U0ALICE001', 'U0BOB00001', 'U0CAROL001']);
        expect(first.members?.[2]).toMatchObject({ deleted: true, team_id: standin.teamId, profile: { email: 'carol@acme.test' } });
        const next = await client.users.list({ limit: 3, cursor: first.response_metadata!.next_cursor! });
        expect(next.members?.map((u) => u.id)).toEqual(['U0DAVE0001']);
        expect(next.response_metadata?.next_cursor).toBe('');
        expect(await slackError(client.users.list({ cursor: 'not-ours' }))).toBe('invalid_cursor');
        for (let i = 3; i < 20; i++) await client.users.list({ limit: 1 });
        const err = await client.users.list({ limit: 1 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WebAPIRateLimitedError);
        expect((err as WebAPIRateLimitedError).retryAfter).toBeGreaterThanOrEqual(59);
      } finally {
        await standin.stop();
      }
    });
  });

  describe('injected faults', () => {
    it('answers HTTP 500 for the next call only', async () => {
      standin.injectFault('users.info', { status: 500 });
      const err = await client.users.info({ user: 'U0ALICE001' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WebAPIHTTPError);
      expect((err as WebAPIHTTPError).statusCode).toBe(500);
      expect(standin.calls[0]).toMatchObject({ method: 'users.info', status: 500 });
      await client.users.info({ user: 'U0ALICE001' });
    });

    it('rate-limits with the given Retry-After, `times` times', async () => {
      standin.injectFault('users.lookupByEmail', { status: 429, retryAfterSec: 7 }, 2);
      for (let i = 0; i < 2; i++) {
        const err = await client.users.lookupByEmail({ email: 'alice@acme.test' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WebAPIRateLimitedError);
        expect((err as WebAPIRateLimitedError).retryAfter).toBe(7);
      }
      await client.users.lookupByEmail({ email: 'alice@acme.test' });
    });

    it('fails with a Slack error or answers late', async () => {
      standin.injectFault('chat.postMessage', { error: 'fatal_error' });
      expect(await slackError(client.chat.postMessage({ channel: 'C0TEAM0001', text: 'x' }))).toBe('fatal_error');

      standin.injectFault('auth.test', { delayMs: 150 });
      const started = Date.now();
      await client.auth.test();
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    });

    it('times out a call that took effect: a late answer past the client\'s timeout, or a cut connection', async () => {
      const impatient = new WebClient(standin.botToken, { slackApiUrl: standin.apiUrl, retryConfig: { retries: 0 }, timeout: 200, logger: silentLogger });
      standin.injectFault('chat.postMessage', { delayMs: 600 });
      await expect(impatient.chat.postMessage({ channel: 'C0GENERAL1', text: 'late answer' })).rejects.toThrow();
      standin.injectFault('chat.postMessage', { dropResponse: true });
      await expect(client.chat.postMessage({ channel: 'C0TEAM0001', text: 'no answer' })).rejects.toThrow();

      // Both were posted all the same, and the record says their answers were lost.
      expect(standin.messages.filter((m) => m.text === 'late answer' || m.text === 'no answer')).toHaveLength(2);
      expect(standin.callsTo('chat.postMessage').map((c) => c.responseLost)).toEqual(['delayed', 'dropped']);
      await sleep(500); // the late answer is written to a closed connection without harm
    });
  });

  describe('response URLs', () => {
    it('records JSON posts and answers ok', async () => {
      const { id, url } = standin.newResponseUrl();
      const waiting = standin.waitForResponseUrlPost(id);
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'done', replace_original: true }) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true });
      expect((await waiting).body).toEqual({ text: 'done', replace_original: true });
      expect(standin.responseUrlPosts).toHaveLength(1);
    });

    it('answers 404 for unknown response URLs', async () => {
      const res = await fetch(`${standin.baseUrl}/response/nope`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(404);
    });
  });

  describe('waitForCall', () => {
    it('resolves with a future ok call matching the predicate', async () => {
      const waiting = standin.waitForCall('chat.postMessage', (c) => c.args.text === 'second');
      await client.chat.postMessage({ channel: 'C0TEAM0001', text: 'first' });
      await client.chat.postMessage({ channel: 'C0APPR0001', text: 'second' });
      expect((await waiting).args.channel).toBe('C0APPR0001');
    });

    it('times out with a message listing recent calls', async () => {
      await slackError(client.chat.postMessage({ channel: 'C0NOPE0000', text: 'x' }));
      const started = Date.now();
      const err = await standin.waitForCall('chat.postMessage', undefined, 100).catch((e: unknown) => e);
      expect(Date.now() - started).toBeGreaterThanOrEqual(95);
      expect(String(err)).toContain('no ok:true call to chat.postMessage within 100ms');
      expect(String(err)).toContain('chat.postMessage channel=C0NOPE0000 -> 200 channel_not_found');
    });

    it('times out waiting for a response URL post', async () => {
      await expect(standin.waitForResponseUrlPost('nope', 50)).rejects.toThrow(/nothing was posted to response URL nope within 50ms/);
    });
  });
});

// ---------------------------------------------------------------------------
// The driver, against a tiny app that verifies requests the way Bolt does.

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
}

const SIGNING_SECRET = 'standin-signing-secret';

/** Recompute the HMAC, compare in constant time, reject timestamps older than 5 minutes. */
function verify(headers: IncomingHttpHeaders, raw: string): string | undefined {
  const timestamp = Number(headers['x-slack-request-timestamp']);
  const signature = headers['x-slack-signature'];
  if (!Number.isInteger(timestamp) || typeof signature !== 'string') return 'missing headers';
  if (timestamp < Math.floor(Date.now() / 1000) - 5 * 60) return 'stale';
  const expected = Buffer.from(`v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${raw}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'signature mismatch';
}

function parseBody(headers: IncomingHttpHeaders, raw: string): Record<string, unknown> {
  if (headers['content-type']?.startsWith('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const form = Object.fromEntries(new URLSearchParams(raw));
  return typeof form.payload === 'string' ? (JSON.parse(form.payload) as Record<string, unknown>) : form;
}

describe('SlackDriver', () => {
  let standin: SlackStandin;
  let app: Server;
  let driver: SlackDriver;
  const received: Received[] = [];
  const last = () => received.at(-1)!;

  beforeAll(async () => {
    standin = await SlackStandin.start();
    app = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        const problem = verify(req.headers, raw);
        if (problem) {
          res.writeHead(401).end(problem);
          return;
        }
        received.push({ headers: req.headers, raw, body: parseBody(req.headers, raw) });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ received: received.length }));
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const { port } = app.address() as AddressInfo;
    driver = new SlackDriver({ appUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET, standin });
  });
  afterAll(async () => {
    app.closeAllConnections();
    await new Promise((r) => app.close(r));
    await standin.stop();
  });
  afterEach(() => {
    received.length = 0;
  });

  describe('signing', () => {
    it('signs like Slack, as Bolt verifies it', async () => {
      const res = await driver.send('a=1');
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ received: 1 });
      expect(res.ms).toBeGreaterThan(0);
      const { headers, raw } = last();
      expect(headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
      expect(isValidSlackRequest({
        signingSecret: SIGNING_SECRET,
        body: raw,
        headers: {
          'x-slack-signature': String(headers['x-slack-signature']),
          'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
        },
      })).toBe(true);
    });

    it('can send stale, unsigned, mis-signed or timestamp-less requests', async () => {
      expect((await driver.send('a=1', { timestamp: Math.floor(Date.now() / 1000) - 301 })).text).toBe('stale');
      expect((await driver.send('a=1', { signature: null })).status).toBe(401);
      expect((await driver.send('a=1', { signature: driver.sign('a=2', Math.floor(Date.now() / 1000)) })).text).toBe('signature mismatch');
      expect((await driver.send('a=1', { omitTimestamp: true })).status).toBe(401);
      expect(received).toHaveLength(0);
    });
  });

  it('sends slash commands as Slack form fields', async () => {
    const res = await driver.command('U0ALICE001', '/team', 'add @bob as admin', { channelId: 'C0TEAM0001' });
    expect(res.status).toBe(200);
    expect(last().headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(last().body).toEqual({
      token: expect.any(String),
      team_id: 'T0TEAM0001',
      team_domain: 'acme',
      channel_id: 'C0TEAM0001',
      channel_name: 'team-updates',
      user_id: 'U0ALICE001',
      user_name: 'alice',
      command: '/team',
      text: 'add @bob as admin',
      api_app_id: 'A0APP00001',
      is_enterprise_install: 'false',
      response_url: `${standin.baseUrl}/response/${res.responseUrlId}`,
      trigger_id: res.triggerId,
    });
    // The trigger and response URL are live in the stand-in.
    await clientFor(standin).views.open({ trigger_id: res.triggerId, view: modal() as never });
    await fetch(String(last().body.response_url), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"text":"ok"}' });
    expect((await standin.waitForResponseUrlPost(res.responseUrlId)).body).toEqual({ text: 'ok' });
  });

  it('sends block_actions from the message holding the button', async () => {
    const approve = { type: 'button', action_id: 'approve', value: 'req-42', text: { type: 'plain_text', text: 'Approve' }, style: 'primary' };
    const posted = await clientFor(standin).chat.postMessage({
      channel: 'C0APPR0001',
      text: 'Bob asks to join',
      blocks: [section('Bob asks to join'), { type: 'actions', block_id: 'decide', elements: [approve] }] as never,
    });

    const res = await driver.blockActions('U0CAROL001', [{ action_id: 'approve' }]);
    const payload = last().body;
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0CAROL001', username: 'carol', name: 'carol', team_id: 'T0TEAM0001' },
      api_app_id: 'A0APP00001',
      container: { type: 'message', message_ts: posted.ts, channel_id: 'C0APPR0001', is_ephemeral: false },
      trigger_id: res.triggerId,
      team: { id: 'T0TEAM0001', domain: 'acme' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: 'C0APPR0001', name: 'team-approvals' },
      message: { ts: posted.ts, text: 'Bob asks to join', user: 'U0BOT00001' },
      response_url: `${standin.baseUrl}/response/${res.responseUrlId}`,
      actions: [{ action_id: 'approve', block_id: 'decide', value: 'req-42', type: 'button', text: approve.text }],
    });
    expect((payload.actions as Array<Record<string, unknown>>)[0]?.action_ts).toMatch(/^\d+\.\d{6}$/);
    expect(payload).not.toHaveProperty('view');
  });

  it('sends block_actions from a view without a response_url', async () => {
    const opened = await clientFor(standin).views.open({
      trigger_id: standin.newTriggerId(),
      view: modal({ blocks: [{ type: 'actions', block_id: 'role', elements: [{ type: 'static_select', action_id: 'pick_role', placeholder: { type: 'plain_text', text: 'Role' }, options: [{ text: { type: 'plain_text', text: 'Admin' }, value: 'admin' }] }] }] }) as never,
    });
    const viewId = opened.view!.id!;
    const res = await driver.blockActions('U0ALICE001', [{ action_id: 'pick_role', selected_option: { value: 'admin' } }], { view: { id: viewId } });
    const payload = last().body;
    expect(res.responseUrlId).toBe('');
    expect(payload).toMatchObject({
      type: 'block_actions',
      container: { type: 'view', view_id: viewId },
      view: { id: viewId, type: 'modal', callback_id: 'invite', hash: opened.view!.hash },
      actions: [{ action_id: 'pick_role', block_id: 'role', type: 'static_select', selected_option: { value: 'admin' } }],
    });
    expect(payload).not.toHaveProperty('response_url');
    expect(payload).not.toHaveProperty('message');
  });

  it('sends view_submission and view_closed payloads', async () => {
    const values = { email: { email_input: { type: 'plain_text_input', value: 'dave@acme.test' } } };
    const res = await driver.viewSubmission('U0BOB00001', { callback_id: 'invite', private_metadata: '{"team":1}', values });
    expect(last().body).toMatchObject({
      type: 'view_submission',
      team: { id: 'T0TEAM0001', domain: 'acme' },
      user: { id: 'U0BOB00001', username: 'bob' },
      api_app_id: 'A0APP00001',
      trigger_id: res.triggerId,
      view: { type: 'modal', team_id: 'T0TEAM0001', callback_id: 'invite', private_metadata: '{"team":1}', state: { values } },
      response_urls: [],
      is_enterprise_install: false,
    });
    const view = last().body.view as Record<string, unknown>;
    expect(view.id).toMatch(/^V/);
    expect(view.hash).toEqual(expect.any(String));

    await driver.viewClosed('U0BOB00001', { callback_id: 'invite' });
    expect(last().body).toMatchObject({ type: 'view_closed', is_cleared: false, view: { callback_id: 'invite' } });
  });

  it('sends Events API callbacks as JSON, with retry headers', async () => {
    await driver.event({ type: 'member_joined_channel', user: 'U0DAVE0001', channel: 'C0TEAM0001' }, { retryNum: 1, retryReason: 'http_timeout', eventId: 'Ev0TEST0001' });
    const { headers, body } = last();
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-slack-retry-num']).toBe('1');
    expect(headers['x-slack-retry-reason']).toBe('http_timeout');
    expect(body).toMatchObject({
      token: expect.any(String),
      team_id: 'T0TEAM0001',
      api_app_id: 'A0APP00001',
      type: 'event_callback',
      event_id: 'Ev0TEST0001',
      event: { type: 'member_joined_channel', user: 'U0DAVE0001', channel: 'C0TEAM0001' },
      authorizations: [{ team_id: 'T0TEAM0001', user_id: 'U0BOT00001', is_bot: true }],
    });
    expect(body.event_time).toEqual(expect.any(Number));
  });

  it('sends app_home_opened with the DM channel and the published home view', async () => {
    await clientFor(standin).views.publish({ user_id: 'U0DAVE0001', view: { type: 'home', blocks: [section('Home')] } as never });
    await driver.appHomeOpened('U0DAVE0001');
    const event = last().body.event as Record<string, unknown>;
    expect(event).toMatchObject({ type: 'app_home_opened', user: 'U0DAVE0001', tab: 'home', view: { type: 'home' } });
    expect(event.channel).toBe(standin.dmIdFor(['U0DAVE0001']));
    expect(event.event_ts).toMatch(/^\d+\.\d{6}$/);
  });
});

// ---------------------------------------------------------------------------
// Socket Mode: apps.connections.open, the WebSocket, envelopes and acks.

/** A bare WebSocket client, to look at the frames themselves. */
async function connectRaw(url: string) {
  const ws = new WebSocket(url);
  const frames: Array<Record<string, any>> = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()) as Record<string, any>);
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  /** The n-th frame received (0 is hello), waiting for it if needed. */
  const frame = async (n: number): Promise<Record<string, any>> => {
    while (frames.length <= n) await new Promise<void>((wake) => waiters.push(wake));
    return frames[n]!;
  };
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return { ws, frames, frame, closed };
}

/** The HTTP status a WebSocket handshake is refused with. */
function refusedWith(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => reject(new Error(`expected ${url} to be refused`)));
    ws.once('error', () => undefined);
  });
}

async function openSocketUrl(standin: SlackStandin): Promise<string> {
  const res = await clientFor(standin, standin.appToken).apps.connections.open({});
  return res.url!;
}

describe('SlackStandin Socket Mode', () => {
  let standin: SlackStandin;
  beforeAll(async () => {
    // Fast server pings, so the keep-alive test below sees plenty of them.
    standin = await SlackStandin.start({ socketAckTimeoutMs: 2_000, socketPingIntervalMs: 250 });
  });
  afterAll(() => standin.stop());
  beforeEach(() => standin.reset());

  it('opens connections with the app token only, and the app token is refused elsewhere', async () => {
    expect(standin.appToken).toBe('xapp-1-A0APP00001-standin');
    // The bot token cannot open a socket, as with Slack.
    expect(await slackError(clientFor(standin).apps.connections.open({}))).toBe('invalid_auth');
    expect(await slackError(clientFor(standin, 'xapp-1-A0APP00001-wrong').apps.connections.open({}))).toBe('invalid_auth');
    // The app-level token is good for nothing but Socket Mode.
    const asApp = clientFor(standin, standin.appToken);
    expect(await slackError(asApp.auth.test())).toBe('not_allowed_token_type');
    expect(await slackError(asApp.chat.postMessage({ channel: 'C0GENERAL1', text: 'hi' }))).toBe('not_allowed_token_type');

    const res = await asApp.apps.connections.open({});
    expect(res.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/socket\?ticket=[0-9a-f-]{36}$/);
    expect(standin.calls.map((c) => [c.method, c.token, c.response.ok === true ? 'ok' : c.response.error])).toEqual([
      ['apps.connections.open', standin.botToken, 'invalid_auth'],
      ['apps.connections.open', 'xapp-1-A0APP00001-wrong', 'invalid_auth'],
      ['auth.test', standin.appToken, 'not_allowed_token_type'],
      ['chat.postMessage', standin.appToken, 'not_allowed_token_type'],
      ['apps.connections.open', standin.appToken, 'ok'],
    ]);
    expect(standin.callsTo('apps.connections.open')[0]?.response.url).toBe(res.url);
  });

  it('greets with Slack\'s hello, and takes each URL once', async () => {
    const url = await openSocketUrl(standin);
    const client = await connectRaw(url);
    expect(await client.frame(0)).toEqual({
      type: 'hello',
      num_connections: 1,
      debug_info: { host: expect.stringMatching(/^applink-/), build_number: expect.any(Number), approximate_connection_time: expect.any(Number) },
      connection_info: { app_id: 'A0APP00001' },
    });
    expect(standin.socket.isConnected).toBe(true);

    // A reconnect needs a fresh URL from apps.connections.open.
    expect(await refusedWith(url)).toBe(401);
    expect(await refusedWith(url.replace(/ticket=[^&]+/, 'ticket=made-up'))).toBe(401);
    expect(await refusedWith(url.replace('/socket?', '/elsewhere?'))).toBe(404);

    const second = await connectRaw(await openSocketUrl(standin));
    expect((await second.frame(0)).num_connections).toBe(2);
    client.ws.close(1000);
    second.ws.close(1000);
    await standin.socket.waitForAllClosed();
    expect(standin.socket.connections.slice(-2).map((c) => c.closeCode)).toEqual([1000, 1000]);
  });

  it('sends envelopes as Slack does and resolves with the app\'s ack', async () => {
    const client = await connectRaw(await openSocketUrl(standin));
    await client.frame(0);
    client.ws.on('message', (data) => {
      const envelope = JSON.parse(data.toString()) as Record<string, any>;
      if (!envelope.envelope_id) return;
      const payload = envelope.type === 'slash_commands' ? { response_type: 'ephemeral', text: `got ${envelope.payload.text}` } : {};
      client.ws.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload }));
    });

    const ack = await standin.socket.send('slash_commands', { command: '/team', text: 'help' });
    expect(ack).toMatchObject({ payload: { response_type: 'ephemeral', text: 'got help' }, connectionId: expect.any(Number) });
    expect(ack.ms).toBeGreaterThanOrEqual(0);
    expect(await client.frame(1)).toEqual({
      envelope_id: ack.envelope_id,
      payload: { command: '/team', text: 'help' },
      type: 'slash_commands',
      accepts_response_payload: true,
    });
    expect(ack.envelope_id).toMatch(/^[0-9a-f-]{36}$/);

    await standin.socket.send('events_api', { type: 'event_callback', event: { type: 'app_mention' } });
    expect(await client.frame(2)).toMatchObject({ type: 'events_api', accepts_response_payload: false, retry_attempt: 0, retry_reason: '' });
    await standin.socket.send('interactive', { type: 'block_actions' });
    expect(await client.frame(3)).toMatchObject({ type: 'interactive', accepts_response_payload: false });
    expect(await client.frame(3)).not.toHaveProperty('retry_attempt');
    await standin.socket.send('interactive', { type: 'view_submission' });
    expect(await client.frame(4)).toMatchObject({ type: 'interactive', accepts_response_payload: true });

    // Everything is recorded, both ways.
    expect(standin.socket.frames.map((f) => `${f.direction}:${typeof f.data === 'string' ? 'text' : String(f.data.type ?? 'ack')}`)).toEqual([
      'to_app:hello', 'to_app:slash_commands', 'from_app:ack', 'to_app:events_api', 'from_app:ack',
      'to_app:interactive', 'from_app:ack', 'to_app:interactive', 'from_app:ack',
    ]);
    client.ws.close(1000);
    await standin.socket.waitForAllClosed();
  });

  it('explains a missing app, a missing ack and a connection that closes before the ack', async () => {
    await expect(standin.socket.send('slash_commands', { text: 'help' }, { timeoutMs: 150 }))
      .rejects.toThrow(/no app connected over Socket Mode within 150ms/);

    const client = await connectRaw(await openSocketUrl(standin));
    await client.frame(0);
    await expect(standin.socket.send('slash_commands', { text: 'help' }, { timeoutMs: 200 }))
      .rejects.toThrow(/the app did not acknowledge envelope [0-9a-f-]+ within 200ms .*The app sent no frame since/);

    const pending = standin.socket.send('slash_commands', { text: 'help' });
    await client.frame(2);
    client.ws.terminate();
    await expect(pending).rejects.toThrow(/connection \d+ closed \(code 1006\) before the app acknowledged envelope/);
  });

  it('asks the app to reconnect with a disconnect message', async () => {
    const client = await connectRaw(await openSocketUrl(standin));
    await client.frame(0);
    standin.socket.sendDisconnect('refresh_requested');
    expect(await client.frame(1)).toEqual({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'applink-standin' } });
    client.ws.close(1000);
    expect(await client.closed).toBe(1000);
  });

  it('keeps a Bolt connection alive with pings both ways', async () => {
    // Short timeouts so that a missing pong or ping would show within the test: the client
    // pings every 600 ms and drops the connection when the 4th ping still has no pong
    // (2.4 s) or a pong is more than 1.8 s old, or without a ping from the server within
    // 2 s (the defaults are 5 s and 30 s).
    const receiver = new SocketModeReceiver({
      appToken: standin.appToken,
      logger: silentLogger,
      clientPingTimeout: 1_800,
      serverPingTimeout: 2_000,
      installerOptions: { clientOptions: { slackApiUrl: standin.apiUrl } },
    });
    const app = new App({ receiver, token: standin.botToken, botId: standin.botId, botUserId: standin.botUserId, logger: silentLogger });
    const before = standin.socket.connections.length;
    await app.start();
    try {
      await sleep(3_000);
      const connection = standin.socket.connections.at(-1)!;
      expect(standin.socket.connections).toHaveLength(before + 1);
      expect(connection.closedAt).toBeUndefined();
      expect(connection.pingsFromApp).toBeGreaterThanOrEqual(4);
      expect(connection.pongsFromApp).toBeGreaterThanOrEqual(5);
    } finally {
      await app.stop();
    }
    await standin.socket.waitForAllClosed();
  });

  it('speaks Socket Mode to Bolt\'s SocketModeReceiver: hello, envelopes, acks and a clean close', async () => {
    const driver = new SlackDriver({ standin });
    const seen: string[] = [];
    const app = new App({
      receiver: new SocketModeReceiver({
        appToken: standin.appToken,
        logger: silentLogger,
        installerOptions: { clientOptions: { slackApiUrl: standin.apiUrl } },
      }),
      token: standin.botToken,
      botId: standin.botId,
      botUserId: standin.botUserId,
      logger: silentLogger,
      clientOptions: { slackApiUrl: standin.apiUrl },
    });
    app.command('/echo', async ({ command, ack }) => {
      await ack({ response_type: 'ephemeral', text: `echo: ${command.text} from ${command.user_name} via ${command.response_url}` });
    });
    app.action('approve', async ({ ack, body }) => {
      await ack();
      seen.push(`action by ${body.user.id}`);
    });
    app.view('invite', async ({ ack, view }) => {
      await ack({ response_action: 'errors', errors: { email: `not ${String(view.state.values.email?.email_input?.value)}` } });
    });
    app.event('app_mention', async ({ event }) => {
      seen.push(`mention ${event.text}`);
    });

    await app.start();
    try {
      expect(standin.callsTo('apps.connections.open')).toHaveLength(1);
      expect(standin.callsTo('apps.connections.open')[0]?.token).toBe(standin.appToken);

      const command = await driver.socketCommand('U0ALICE001', '/echo', 'hello');
      expect(command.payload).toEqual({
        response_type: 'ephemeral',
        text: `echo: hello from alice via ${standin.baseUrl}/response/${command.responseUrlId}`,
      });
      expect(command.triggerId).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
      // The envelope carried the same fields the HTTP driver sends as a form.
      const envelope = standin.socket.frames.find((f) => f.direction === 'to_app' && typeof f.data !== 'string' && f.data.envelope_id === command.envelope_id);
      expect(envelope?.data).toMatchObject({
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: { command: '/echo', text: 'hello', user_id: 'U0ALICE001', team_id: 'T0TEAM0001', api_app_id: 'A0APP00001', trigger_id: command.triggerId },
      });

      await driver.socketBlockActions('U0BOB00001', [{ action_id: 'approve', value: 'x' }]);
      const values = { email: { email_input: { type: 'plain_text_input', value: 'nobody' } } };
      const submitted = await driver.socketViewSubmission('U0CAROL001', { callback_id: 'invite', values });
      expect(submitted.payload).toEqual({ response_action: 'errors', errors: { email: 'not nobody' } });
      const event = await driver.socketEvent({ type: 'app_mention', user: 'U0DAVE0001', text: '<@U0BOT00001> hi', channel: 'C0GENERAL1' });
      expect(event.payload).toEqual({});
      await expect.poll(() => seen).toEqual(['action by U0BOB00001', 'mention <@U0BOT00001> hi']);
    } finally {
      await app.stop();
    }
    await standin.socket.waitForAllClosed();
    expect(standin.socket.connections.at(-1)?.closeCode).toBe(1000);
  });
});
