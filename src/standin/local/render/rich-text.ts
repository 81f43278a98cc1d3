/**
 * The rich_text block (what Slack's composer sends): sections, bullet and numbered lists,
 * quotes and preformatted text, with styled text, links, mentions, emoji and dates inside.
 * The app sends none today; a person's message or a future payload may.
 */
import { escapeHtml } from '../../../html.js';
import type { RenderContext } from './context.js';
import { formatSlackDate } from './dates.js';
import { emojiFor } from './emoji.js';
import { isObject, list, str, type Obj } from './text.js';

export function renderRichText(b: Obj, ctx: RenderContext): string {
  return list(b.elements).map((e) => container(e, ctx)).join('');
}

function container(e: Obj, ctx: RenderContext): string {
  const inner = () => list(e.elements).map((x) => leaf(x, ctx)).join('');
  switch (e.type) {
    case 'rich_text_section':
      return `<div class="bk-rt-section">${inner()}</div>`;
    case 'rich_text_quote':
      return `<blockquote class="bk-quote">${inner()}</blockquote>`;
    case 'rich_text_preformatted':
      return `<pre class="bk-pre">${inner()}</pre>`;
    case 'rich_text_list': {
      const tag = e.style === 'ordered' ? 'ol' : 'ul';
      const indent = typeof e.indent === 'number' ? Math.max(0, Math.min(6, Math.floor(e.indent))) : 0;
      return `<${tag} class="bk-rt-list bk-indent-${indent}">${list(e.elements).map((x) => `<li>${list(x.elements).map((y) => leaf(y, ctx)).join('')}</li>`).join('')}</${tag}>`;
    }
    default:
      return '';
  }
}

function styled(html: string, style: unknown): string {
  if (!isObject(style)) return html;
  let out = html;
  if (style.code === true) out = `<code>${out}</code>`;
  if (style.bold === true) out = `<b>${out}</b>`;
  if (style.italic === true) out = `<i>${out}</i>`;
  if (style.strike === true) out = `<s>${out}</s>`;
  return out;
}

const text = (t: string) => escapeHtml(t).replace(/\n/g, '<br>');

function leaf(x: Obj, ctx: RenderContext): string {
  switch (x.type) {
    case 'text':
      return styled(text(str(x.text)), x.style);
    case 'link': {
      const url = str(x.url);
      const shown = text(str(x.text) || url);
      return styled(/^(https?:\/\/|mailto:)/i.test(url) ? `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${shown}</a>` : shown, x.style);
    }
    case 'user':
      return styled(`<span class="bk-mention">@${escapeHtml(ctx.userName(str(x.user_id)) ?? str(x.user_id))}</span>`, x.style);
    case 'channel':
      return styled(`<span class="bk-channel">#${escapeHtml(ctx.channelName(str(x.channel_id)) ?? str(x.channel_id))}</span>`, x.style);
    case 'usergroup':
      return `<span class="bk-mention">@${escapeHtml(str(x.usergroup_id))}</span>`;
    case 'broadcast':
      return `<span class="bk-mention bk-broadcast">@${escapeHtml(str(x.range))}</span>`;
    case 'emoji': {
      const unicode = /^[0-9a-f]{2,6}(-[0-9a-f]{2,6})*$/i.test(str(x.unicode))
        ? String.fromCodePoint(...str(x.unicode).split('-').map((h) => parseInt(h, 16)).filter((n) => n <= 0x10ffff))
        : undefined;
      return escapeHtml(emojiFor(str(x.name)) ?? unicode ?? `:${str(x.name)}:`);
    }
    case 'date': {
      const date = formatSlackDate(`${str(x.timestamp)}^${str(x.format)}`, ctx.now ?? new Date());
      return date ? `<time datetime="${escapeHtml(date.iso)}">${escapeHtml(date.text)}</time>` : escapeHtml(str(x.fallback));
    }
    default:
      return '';
  }
}
