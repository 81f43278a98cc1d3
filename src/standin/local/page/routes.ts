/**
 * The local Slack's page on the app's own HTTP server (local mode only): `/` and `/local/*`.
 * The page's POSTs are JSON (a cross-site form cannot send that without a preflight this server
 * never answers) and the Host must be this machine's (no DNS rebinding from a web page).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, watch } from 'node:fs';
import express, { Router, type RequestHandler, type Response } from 'express';
import { mailFolder, readMailSpool } from '../../../mail/spool.js';
import type { SlackStandin } from '../../slack-standin.js';
import type { LocalSession, UpdateScope } from '../session.js';
import { PAGE_SCRIPT } from './client.js';
import { BLOCK_KIT_CLIENT, PAGE_CSS } from './renderer.js';
import { LAYOUT_CSS } from './style.js';
import { pageHtml, paneHtml, type PageState } from './view.js';

export interface PageDeps {
  standin: SlackStandin;
  session: LocalSession;
  dataDir: string;
  /** Ends what the page keeps running (the Mail folder's watch) when the local Slack stops. */
  signal?: AbortSignal;
}

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const LOCAL_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown, max: number): string => (typeof v === 'string' ? v.slice(0, max) : '');

export function localSlackPage(deps: PageDeps): Router {
  const { standin, session } = deps;
  const router = Router();
  const json = express.json({ limit: '256kb' });
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });

  const onlyLocal: RequestHandler = (req, res, next) => {
    if (!LOCAL_HOST.test(req.get('host') ?? '')) {
      res.status(403).type('text/plain').send('The local Slack answers on localhost only.');
      return;
    }
    next();
  };
  router.use(['/', '/local'], onlyLocal);

  /** "You are" and the open conversation, from the query or body; unknown ids fall back to the first person and the team channel. */
  const stateOf = (source: Record<string, unknown>): PageState => {
    const people = standin.users.filter((u) => !u.isBot && !u.deleted);
    const as = people.find((u) => u.id === source.as)?.id ?? people[0]?.id ?? '';
    const wanted = typeof source.c === 'string' ? source.c : '';
    const c = wanted === 'home' || wanted === 'mail' || standin.isConversation(wanted) ? wanted : (standin.channels[0]?.id ?? 'home');
    return { standin, session, as, c };
  };
  // The Mail pane is live like a channel: an email written to the spool is an update on the
  // page's event stream (the folder is made now, as the mailer makes it, so it can be watched).
  const mailDir = mailFolder(deps.dataDir);
  mkdirSync(mailDir, { recursive: true, mode: 0o700 });
  watch(mailDir, { persistent: false, ...(deps.signal ? { signal: deps.signal } : {}) }, () => session.mailArrived());
  const pane = async (s: PageState) => paneHtml(s, s.c === 'mail' ? await readMailSpool(deps.dataDir) : undefined);

  router.get('/', async (req, res) => {
    const s = stateOf(req.query);
    html(res, pageHtml(s, await pane(s)));
  });
  router.get('/local/pane', async (req, res) => html(res, await pane(stateOf(req.query))));
  router.get('/local/page.js', (_req, res) => asset(res, 'text/javascript', PAGE_SCRIPT));
  router.get('/local/block-kit.js', (_req, res) => asset(res, 'text/javascript', BLOCK_KIT_CLIENT));
  router.get('/local/page.css', (_req, res) => asset(res, 'text/css', `${LAYOUT_CSS}\n${PAGE_CSS}`));

  router.get('/local/events', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n');
    // Each update says whom and where it concerns (UpdateScope); the page decides whether to re-read.
    const send = (scope: UpdateScope = {}) => res.write(`event: update\ndata: ${JSON.stringify(scope)}\n\n`);
    session.events.on('update', send);
    req.on('close', () => session.events.off('update', send));
  });

  const action = (fn: (s: PageState, body: Record<string, unknown>) => Promise<void>): RequestHandler => async (req, res) => {
    const body: unknown = req.body;
    if (!isObject(body)) {
      res.status(400).json({ error: 'expected a JSON object' });
      return;
    }
    await fn(stateOf(body), body);
    res.status(204).end();
  };
  const stateValues = (v: unknown) => (isObject(v) ? (v as Record<string, Record<string, unknown>>) : {});

  router.post('/local/compose', json, action((s, b) => session.compose(s.as, s.c, text(b.text, Infinity))));
  router.post('/local/action', json, action(async (s, b) => {
    if (!isObject(b.action) || typeof b.action.action_id !== 'string') return;
    const { confirm: _confirm, ...clicked } = b.action;
    await session.act(s.as, { ...clicked, action_id: b.action.action_id }, {
      ...(typeof b.viewId === 'string' ? { viewId: b.viewId } : { channel: s.c, messageTs: text(b.messageTs, 40) }),
      state: stateValues(b.state),
    });
  }));
  router.post('/local/submit', json, action((s, b) => session.submit(s.as, text(b.viewId, 40), stateValues(b.state))));
  router.post('/local/close', json, action((s, b) => session.close(s.as, text(b.viewId, 40))));
  router.post('/local/home', json, action((s) => session.openHome(s.as)));

  router.post('/local/people', form, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const realName = text(body.name, 80).trim();
    const email = text(body.email, 254).trim().toLowerCase();
    const s = stateOf(body);
    if (realName && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) && !standin.users.some((u) => u.email.toLowerCase() === email)) {
      const handle = realName.toLowerCase().split(/\s+/)[0]!.replace(/[^a-z0-9._-]/g, '') || 'person';
      standin.users.push({ id: `U0${randomBytes(5).toString('hex').toUpperCase().slice(0, 9)}`, name: handle, realName, email, tz: 'Europe/Paris' });
      standin.changed({ kind: 'people' });
    }
    res.redirect(303, `/?as=${encodeURIComponent(s.as)}&c=${encodeURIComponent(s.c)}`);
  });
  router.post('/local/channels', form, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const name = text(body.name, 80).trim().toLowerCase();
    const s = stateOf(body);
    let c = s.c;
    if (/^[a-z0-9_-]+$/.test(name) && !standin.channels.some((ch) => ch.name === name)) {
      c = `C0${randomBytes(5).toString('hex').toUpperCase().slice(0, 9)}`;
      standin.channels.push({ id: c, name });
      standin.changed({ kind: 'people' });
    }
    res.redirect(303, `/?as=${encodeURIComponent(s.as)}&c=${encodeURIComponent(c)}`);
  });
  return router;
}

function html(res: Response, body: string): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.type('text/html').send(body);
}

function asset(res: Response, type: string, body: string): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.type(type).send(body);
}
