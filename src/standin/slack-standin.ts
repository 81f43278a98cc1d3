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
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateBlocks } from './block-kit/index.js';
import { fail, failWithMessages, ok, parseArgs, parseResponseUrlBody, rateLimited, readBody, sendJson, str, type ApiReply, type Args, type MethodHandler } from './http/reply.js';
import { SocketModeServer } from './socket-mode.js';
import { waitForEmitted } from './wait.js';
import { chatMethods } from './web-api/chat.js';
import { peopleMethods } from './web-api/people.js';
import { viewsMethods } from './web-api/views.js';
import { randomHex, WorkspaceModel } from './workspace/model.js';
import type { Fault, RecordedCall, ResponseUrlPost, StandinOptions } from './workspace/types.js';

// The Socket Mode side is part of the stand-in's API (standin.socket), so it is exported with it.
import { StandinOAuth, type StandinWorkspace } from './oauth.js';
export * from './oauth.js';
export * from './socket-mode.js';
export * from './workspace/types.js';
export { findActionElement, WorkspaceModel, type WorkspaceChange, type WorkspaceSnapshot } from './workspace/model.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SlackStandin extends WorkspaceModel {
  calls: RecordedCall[] = [];
  responseUrlPosts: ResponseUrlPost[] = [];
  /** Socket Mode: connections, frames, and `send()` to deliver envelopes to the app. */
  readonly socket: SocketModeServer;
  /** OAuth v2: the consent page, oauth.v2.access and the tokens installs were given. */
  readonly oauth: StandinOAuth;

  private readonly server: Server;
  private port = 0;
  private readonly methods: Record<string, MethodHandler>;
  private readonly faults = new Map<string, Array<{ fault: Fault; remaining: number }>>();
  private readonly responseUrlIds = new Set<string>();

  private constructor(opts: StandinOptions) {
    super(opts);
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
      ...peopleMethods(this),
      ...chatMethods(this),
      ...viewsMethods(this),
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

  /** Make the next `times` calls of `method` fail (or answer late with only `delayMs`). */
  injectFault(method: string, fault: Fault, times = 1): void {
    const queue = this.faults.get(method) ?? [];
    queue.push({ fault, remaining: times });
    this.faults.set(method, queue);
  }

  /** Drop the faults still queued for `method` (or for every method): Slack is well again. */
  clearFaults(method?: string): void {
    if (method === undefined) this.faults.clear();
    else this.faults.delete(method);
  }

  /** Forget calls, response-URL posts, faults and rate-limit windows (messages and views stay, like in Slack). */
  reset(): void {
    this.calls = [];
    this.responseUrlPosts = [];
    this.faults.clear();
    this.lastPostAt.clear();
    this.socket.reset();
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
}

function faultReply(fault: Fault): ApiReply {
  if (fault.status === 429) return rateLimited(fault.retryAfterSec ?? 1);
  if (fault.status !== undefined && fault.status !== 200) {
    return { status: fault.status, body: { ok: false, error: fault.error ?? 'internal_error' } };
  }
  return fail(fault.error ?? 'internal_error');
}

