/**
 * The three surfaces: a message (the `<li data-ts>` of the message list, with the sender, the
 * time, "Only visible to you" for an ephemeral and "(edited)"), a modal (a dialog named by its
 * title, a form with `data-view-id`, header, blocks and footer) and the Home tab.
 */
import { escapeHtml } from '../../../html.js';
import { renderBlocks } from './blocks.js';
import { scope, type RenderContext } from './context.js';
import { renderMrkdwn } from './mrkdwn.js';
import { attr, isObject, plainHtml, str, textOf } from './text.js';

export interface RenderedMessage {
  ts: string;
  text?: string;
  blocks?: readonly unknown[];
  user?: string;
  ephemeral?: boolean;
  edited?: boolean;
}

/** "3:04 PM" (UTC) from a Slack ts. */
function timeOf(ts: string): { text: string; iso: string } | undefined {
  const seconds = Number(ts);
  if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
  const d = new Date(seconds * 1000);
  const h = d.getUTCHours();
  return { text: `${h % 12 === 0 ? 12 : h % 12}:${String(d.getUTCMinutes()).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`, iso: d.toISOString() };
}

export function renderMessage(m: RenderedMessage, ctx: RenderContext): string {
  const name = m.user ? (ctx.userName(m.user) ?? m.user) : '';
  const body = m.blocks && m.blocks.length > 0 ? renderBlocks(m.blocks, scope(ctx, `m${m.ts}`)) : renderMrkdwn(m.text ?? '', ctx);
  const time = timeOf(m.ts);
  const initial = [...name.trim()][0]?.toUpperCase() ?? '?';
  return (
    `<li${attr('data-ts', m.ts)} class="bk-message${m.ephemeral ? ' bk-ephemeral' : ''}">` +
    // The avatar's letter is drawn by CSS (attr()), so it is not part of the message's text.
    `<span class="bk-avatar"${attr('data-initial', initial)} aria-hidden="true"></span><div class="bk-message-main">` +
    `<div class="bk-meta"><b class="who">${escapeHtml(name)}</b>` +
    (time ? ` <time class="bk-time"${attr('datetime', time.iso)}>${time.text}</time>` : '') +
    (m.ephemeral ? ' <span class="ephemeral">Only visible to you</span>' : '') +
    `</div><div class="body">${body}</div>` +
    (m.edited ? '<span class="edited">(edited)</span>' : '') +
    '</div></li>'
  );
}

export function renderModal(view: Record<string, unknown>, ctx: RenderContext, opts: { errors?: Record<string, string> } = {}): string {
  const id = str(view.id);
  const s = scope(ctx, `v${id}`, opts.errors ?? {});
  const titleId = `${s.prefix}-title`;
  const blocks = Array.isArray(view.blocks) ? view.blocks : [];
  const submit = isObject(view.submit) ? `<button type="submit" class="bk-button bk-primary">${plainHtml(view.submit)}</button>` : '';
  const close = textOf(view.close) ? plainHtml(view.close) : 'Close';
  // novalidate: what the person typed goes to the app, which answers with Slack's inline errors.
  return (
    `<div role="dialog" aria-modal="true"${attr('aria-labelledby', titleId)} class="modal bk-modal">` +
    `<form${attr('data-view-id', id)} novalidate>` +
    `<header class="bk-modal-header"><h2${attr('id', titleId)}>${plainHtml(view.title)}</h2></header>` +
    `<div class="bk-modal-body">${renderBlocks(blocks, s)}</div>` +
    `<footer class="bk-modal-footer"><button type="button" class="bk-button" data-view-close>${close}</button>${submit}</footer>` +
    '</form></div>'
  );
}

export function renderHome(view: Record<string, unknown>, ctx: RenderContext): string {
  const id = str(view.id);
  return `<div class="bk-home home"${attr('data-view-id', id)}>${renderBlocks(Array.isArray(view.blocks) ? view.blocks : [], scope(ctx, `h${id}`))}</div>`;
}
