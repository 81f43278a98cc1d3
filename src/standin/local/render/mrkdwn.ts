/**
 * Slack's mrkdwn as Slack shows it. The text arrives as Slack expects it from an app: `&`, `<`
 * and `>` escaped (src/slack/mrkdwn.ts escapes what people typed), so every literal `<…>` is a
 * control sequence: a mention, a channel, a broadcast, a date or a link. Everything else is
 * text: decoded (`&lt;` shows as `<`) and then HTML-escaped, so nothing a person typed becomes
 * markup. Formatting (`*bold*`, `_italic_`, `~strike~`) is matched on that text with Slack's
 * rule that markers sit at word boundaries and do not span lines; code, pre and the control
 * sequences are placeholders meanwhile, so a marker inside them never formats.
 */
import { escapeHtml } from '../../../html.js';
import type { RenderContext } from './context.js';
import { formatSlackDate } from './dates.js';
import { replaceEmoji } from './emoji.js';

/** Placeholder brackets (private-use characters, removed from the input first so nobody can forge one). */
const OPEN = '\uE000';
const CLOSE = '\uE001';
const FORGED = /[\uE000\uE001]/g;
const ATOM = /\uE000(\d+)\uE001/g;
const ENTITY = /&(amp|lt|gt);/g;
const PRE = /```([\s\S]*?)```/g;
const CODE = /`([^`\n]+)`/g;
const CONTROL = /<([^<>\n]*)>/g;
/** How deep `*_~x~_*` may nest before the rest is shown as typed. */
const MAX_DEPTH = 3;
const LINK_SCHEMES = /^(https?:\/\/|mailto:)/i;
const BARE_URL = /\bhttps?:\/\/[^\s<>\uE000\uE001]+/gi;

export const decodeEntities = (text: string): string => text.replace(ENTITY, (_, e: string) => (e === 'amp' ? '&' : e === 'lt' ? '<' : '>'));

export function renderMrkdwn(text: string, ctx: RenderContext): string {
  const clean = text.replace(FORGED, '');
  let out = '';
  let last = 0;
  for (const m of clean.matchAll(PRE)) {
    out += lines(trimNewline(clean.slice(last, m.index), 'end'), ctx);
    out += `<pre class="bk-pre">${escapeHtml(decodeEntities(m[1]!.replace(/^\n/, '')))}</pre>`;
    last = m.index + m[0].length;
  }
  return out + lines(last === 0 ? clean : trimNewline(clean.slice(last), 'start'), ctx);
}

/** The newline beside a pre block is the block's own edge. */
const trimNewline = (s: string, side: 'start' | 'end') => (side === 'start' ? s.replace(/^\n/, '') : s.replace(/\n$/, ''));

const QUOTE = /^(?:>|&gt;) ?/;
const QUOTE_REST = /^(?:>>>|&gt;&gt;&gt;) ?/;

/** Lines, with `>` lines grouped into one quote a run and `>>>` quoting the rest of the text. */
function lines(text: string, ctx: RenderContext): string {
  if (text === '') return '';
  const all = text.split('\n');
  let out = '';
  let quote: string[] = [];
  let afterLine = false;
  const flush = () => {
    if (quote.length) out += `<blockquote class="bk-quote">${quote.join('<br>')}</blockquote>`;
    quote = [];
  };
  for (let i = 0; i < all.length; i++) {
    const line = all[i]!;
    const rest = QUOTE_REST.exec(line);
    if (rest) {
      flush();
      quote = [line.slice(rest[0].length), ...all.slice(i + 1)].map((l) => inline(l, ctx));
      break;
    }
    const quoted = QUOTE.exec(line);
    if (quoted) {
      quote.push(inline(line.slice(quoted[0].length), ctx));
      afterLine = false;
      continue;
    }
    flush();
    // A quote is a block of its own: no line break after it, one between two lines.
    out += `${afterLine ? '<br>' : ''}${inline(line, ctx)}`;
    afterLine = true;
  }
  flush();
  return out;
}

/** One line: code and control sequences become placeholders, the rest is decoded, formatted and escaped. */
function inline(line: string, ctx: RenderContext): string {
  const atoms: string[] = [];
  const atom = (html: string) => `${OPEN}${atoms.push(html) - 1}${CLOSE}`;
  let s = line.includes('`') ? line.replace(CODE, (_, code: string) => atom(`<code>${escapeHtml(decodeEntities(code))}</code>`)) : line;
  if (s.includes('<')) s = s.replace(CONTROL, (whole, body: string) => {
    const html = controlSequence(body, ctx);
    return html === undefined ? whole : atom(html);
  });
  // A bare address is a link too (Slack's default, `verbatim: false`), less the punctuation that ends a sentence.
  if (s.includes('://')) s = s.replace(BARE_URL, (url: string) => {
    const trimmed = url.replace(/[.,;:!?)'"*_~]+$/, '');
    return atom(anchor(decodeEntities(trimmed), escapeHtml(decodeEntities(trimmed)))) + url.slice(trimmed.length);
  });
  s = replaceEmoji(decodeEntities(s), (emoji) => atom(emoji));
  return format(s, 0).replace(ATOM, (_, n: string) => atoms[Number(n)] ?? '');
}

const MARKERS: Readonly<Record<string, string>> = { '*': 'b', _: 'i', '~': 's' };
const WORD = /[\p{L}\p{N}]/u;
const SPACE = /\s/;

/** Where each marker can close: after a non-space, before a non-word character or the end. */
function closers(s: string): Record<string, number[]> {
  const at: Record<string, number[]> = { '*': [], _: [], '~': [] };
  for (let j = 1; j < s.length; j++) {
    const c = s[j]!;
    if (c in MARKERS && !SPACE.test(s[j - 1]!) && (j + 1 === s.length || !WORD.test(s[j + 1]!))) at[c]!.push(j);
  }
  return at;
}

/** The first closer after `from` (binary search: a line of thousands of unmatched markers stays linear-ish). */
function firstAfter(sorted: number[], from: number): number | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= from) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo];
}

function format(s: string, depth: number): string {
  if (depth >= MAX_DEPTH || !/[*_~]/.test(s)) return escapeHtml(s);
  const close = closers(s);
  let out = '';
  let last = 0;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    const tag = MARKERS[c];
    const opens = tag !== undefined && (i === 0 || !WORD.test(s[i - 1]!)) && i + 1 < s.length && !SPACE.test(s[i + 1]!) && s[i + 1] !== c;
    const j = opens ? firstAfter(close[c]!, i + 1) : undefined;
    if (j === undefined) {
      i++;
      continue;
    }
    out += `${escapeHtml(s.slice(last, i))}<${tag}>${format(s.slice(i + 1, j), depth + 1)}</${tag}>`;
    last = i = j + 1;
  }
  return out + escapeHtml(s.slice(last));
}

/**
 * `<@U…|name>`, `<#C…|name>`, `<!here>`, `<!subteam^S…|@handle>`, `<!date^…|fallback>`,
 * `<url|text>`; undefined when it is none of these (shown as typed).
 */
function controlSequence(body: string, ctx: RenderContext): string | undefined {
  const bar = body.indexOf('|');
  const head = bar === -1 ? body : body.slice(0, bar);
  const label = bar === -1 ? '' : decodeEntities(body.slice(bar + 1));
  const span = (cls: string, text: string) => `<span class="${cls}">${escapeHtml(replaceEmoji(text))}</span>`;
  switch (head[0]) {
    case '@': {
      const id = head.slice(1);
      return span('bk-mention', `@${ctx.userName(id) ?? (label.replace(/^@/, '') || id)}`);
    }
    case '#': {
      const id = head.slice(1);
      return span('bk-channel', `#${ctx.channelName(id) ?? (label.replace(/^#/, '') || id)}`);
    }
    case '!':
      return special(head.slice(1), label, ctx, span);
    default:
      return link(decodeEntities(head), label);
  }
}

function special(name: string, label: string, ctx: RenderContext, span: (cls: string, text: string) => string): string {
  if (name === 'here' || name === 'channel' || name === 'everyone') return span('bk-mention bk-broadcast', `@${name}`);
  if (name.startsWith('subteam^')) return span('bk-mention', label || `@${name.slice('subteam^'.length)}`);
  if (name.startsWith('date^')) {
    const date = formatSlackDate(decodeEntities(name.slice('date^'.length)), ctx.now ?? new Date());
    if (!date) return escapeHtml(label);
    const shown = `<time datetime="${escapeHtml(date.iso)}" title="${escapeHtml(label || date.iso)} (shown in UTC)">${escapeHtml(date.text)}</time>`;
    return date.link && LINK_SCHEMES.test(date.link) ? anchor(date.link, shown) : shown;
  }
  return escapeHtml(label || name);
}

/** Only http(s) and mailto become links; `javascript:` and the like show as their text. */
function link(url: string, label: string): string | undefined {
  if (LINK_SCHEMES.test(url)) return anchor(url, escapeHtml(label || url.replace(/^mailto:/i, '')));
  // Another scheme (`javascript:`, `slack:`): the label or the address, as text.
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return escapeHtml(label || url);
  return undefined;
}

const anchor = (url: string, html: string) => `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${html}</a>`;
