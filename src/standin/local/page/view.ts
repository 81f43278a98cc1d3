/** The page's HTML: Slack's layout in miniature (picker, sidebar, message pane, composer, modals, Mail). */
import { escapeHtml } from '../../../html.js';
import type { SpooledMail } from '../../../mail/spool.js';
import type { SlackStandin } from '../../slack-standin.js';
import { MESSAGES_TAB_OFF, MESSAGES_TAB_READ_ONLY } from '../app-manifest.js';
import type { LocalSession } from '../session.js';
import { renderHome, renderMessage, renderModal, type RenderContext } from './renderer.js';

export interface PageState {
  standin: SlackStandin;
  session: LocalSession;
  /** Who is typing and clicking. */
  as: string;
  /** A conversation id, 'home' or 'mail'. */
  c: string;
}

export function contextOf(standin: SlackStandin): RenderContext {
  return {
    userName: (id) => standin.findUser(id)?.realName ?? undefined,
    channelName: (id) => standin.channelName(id),
    // What the users_select / conversations_select menus offer (the settings modal's channel pickers).
    people: () => standin.users.filter((u) => !u.isBot && !u.deleted).map((u) => ({ id: u.id, name: u.realName })),
    channels: () => standin.channels.map((c) => ({ id: c.id, name: c.name })),
  };
}

const href = (as: string, c: string) => `/?as=${encodeURIComponent(as)}&amp;c=${encodeURIComponent(c)}`;

export function conversationLabel(s: PageState, c: string): string {
  if (c === 'home') return 'Home';
  if (c === 'mail') return 'Mail';
  const name = s.standin.channelName(c);
  return name ? `#${name}` : 'Team Manager';
}

export function pageHtml(s: PageState, pane: string): string {
  const { standin, as, c } = s;
  const dm = standin.dmIdFor([as]);
  const people = standin.users.filter((u) => !u.isBot && !u.deleted);
  const link = (target: string, label: string) =>
    `<li><a href="${href(as, target)}"${target === c ? ' aria-current="page"' : ''}>${escapeHtml(label)}</a></li>`;
  const composer = c === 'home' || c === 'mail' ? '' : c === dm && MESSAGES_TAB_READ_ONLY ? `<p class="composer-off">${MESSAGES_TAB_OFF}</p>` :
    `<form id="composer"><textarea name="message" aria-label="Message" rows="2" placeholder="Message ${escapeHtml(conversationLabel(s, c))}"></textarea><button type="submit">Send</button></form>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(conversationLabel(s, c))} — Local Slack</title>
<link rel="stylesheet" href="/local/page.css"></head>
<body data-as="${escapeHtml(as)}" data-c="${escapeHtml(c)}">
<header><label for="you-are">You are</label> <select id="you-are">${people
    .map((u) => `<option value="${escapeHtml(u.id)}"${u.id === as ? ' selected' : ''}>${escapeHtml(u.realName)}</option>`)
    .join('')}</select> <span class="workspace">${escapeHtml(standin.teamName)} (local Slack)</span></header>
<nav aria-label="Sidebar">
<h2>Channels</h2><ul>${standin.channels.map((ch) => link(ch.id, `#${ch.name}`)).join('')}</ul>
<h2>Team Manager</h2><ul>${link('home', 'Home')}${link(dm, 'Messages')}</ul>
<h2>Outside Slack</h2><ul>${link('mail', 'Mail')}</ul>
<form method="post" action="/local/people" class="add"><h2>Add a person</h2>
<input type="hidden" name="as" value="${escapeHtml(as)}"><input type="hidden" name="c" value="${escapeHtml(c)}">
<label>Name <input name="name" required maxlength="80"></label><label>Email <input name="email" type="email" required maxlength="254"></label><button type="submit">Add person</button></form>
<form method="post" action="/local/channels" class="add"><h2>Add a channel</h2>
<input type="hidden" name="as" value="${escapeHtml(as)}"><input type="hidden" name="c" value="${escapeHtml(c)}">
<label>Channel name <input name="name" required maxlength="80" pattern="[a-z0-9_-]+"></label><button type="submit">Add channel</button></form>
</nav>
<main><div id="pane">${pane}</div>${composer}</main>
<script src="/local/block-kit.js"></script><script src="/local/page.js"></script>
</body></html>`;
}

/** The part the script re-reads on every change: notices, the conversation (or Home, or Mail), the top modal. */
export function paneHtml(s: PageState, mail: SpooledMail[] | undefined): string {
  const { standin, session, as, c } = s;
  const ctx = contextOf(standin);
  const label = conversationLabel(s, c);
  const channel = c === 'home' || c === 'mail' ? undefined : c;
  const notices = session.noticesFor(as, channel).slice(-5)
    .map((n) => `<p role="alert" class="notice">${escapeHtml(n.text)}</p>`).join('');
  let body: string;
  if (c === 'mail') {
    body = `<h1>Mail</h1><ul class="mail" aria-label="Mail">${(mail ?? []).map(mailItem).join('')}</ul>${mail?.length ? '' : '<p>No email yet.</p>'}`;
  } else if (c === 'home') {
    const home = standin.homeViews.get(as);
    body = `<h1>Home</h1>${home ? renderHome(home, ctx) : '<p>Loading the Home tab…</p>'}`;
  } else {
    const items = [
      ...standin.messages.filter((m) => m.channel === c && !m.thread_ts).map((m) => ({ ts: m.ts, html: renderMessage({ ts: m.ts, text: m.text, ...(m.blocks ? { blocks: m.blocks } : {}), user: m.user, edited: m.edited !== undefined }, ctx) })),
      ...session.ephemeralsOf(as, c).map((e) => ({ ts: e.ts, html: renderMessage({ ts: e.ts, text: e.text, ...(e.blocks ? { blocks: e.blocks } : {}), user: standin.botUserId, ephemeral: true }, ctx) })),
    ].sort((a, b) => Number(a.ts) - Number(b.ts));
    body = `<h1>${escapeHtml(label)}</h1><ul class="messages" aria-label="${escapeHtml(label)}">${items.map((i) => i.html).join('\n')}</ul>`;
  }
  const top = session.modalStack(as).at(-1);
  const errors = top ? session.errorsOf(top.id) : undefined;
  const modal = top ? `<div class="overlay">${renderModal(top, ctx, errors ? { errors } : {})}</div>` : '';
  // Three parts the script replaces one by one, only when changed: a new message never re-renders an open modal.
  return `<div id="pane-notices">${notices}</div><div id="pane-body">${body}</div><div id="pane-modal">${modal}</div>`;
}

function mailItem(m: SpooledMail): string {
  // Escaped first, then links made clickable: nothing in the mail becomes markup but the URLs.
  const text = escapeHtml(m.text).replace(/https?:\/\/[^\s<&]+/g, (url) => `<a href="${url}">${url}</a>`);
  return `<li><article aria-label="${escapeHtml(m.subject)}"><p>To: ${escapeHtml(m.to)}</p><h2>${escapeHtml(m.subject)}</h2><pre>${text}</pre></article></li>`;
}
