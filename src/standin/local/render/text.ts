/**
 * Reading the stored payload defensively (it is JSON the app sent, checked against Slack's
 * limits but typed as nothing) and rendering Block Kit text objects.
 */
import { escapeHtml } from '../../../html.js';
import type { RenderContext } from './context.js';
import { replaceEmoji } from './emoji.js';
import { renderMrkdwn } from './mrkdwn.js';

export type Obj = Record<string, unknown>;

export const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
export const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObject) : []);

/** A text object's raw text ('' when it is not one). */
export const textOf = (t: unknown): string => (isObject(t) ? str(t.text) : '');

/** ` name="value"`, escaped. */
export const attr = (name: string, value: string): string => ` ${name}="${escapeHtml(value)}"`;

/** plain_text as Slack shows it: literal, with shortcodes as emoji unless `emoji: false`, lines kept. */
export function plainHtml(t: unknown): string {
  const raw = textOf(t);
  const text = isObject(t) && t.emoji === false ? raw : replaceEmoji(raw);
  return escapeHtml(text).replace(/\n/g, '<br>');
}

/** A text object of either type. */
export function textHtml(t: unknown, ctx: RenderContext): string {
  return isObject(t) && t.type === 'mrkdwn' ? renderMrkdwn(textOf(t), ctx) : plainHtml(t);
}

/** The text as a screen reader or an aria-label should get it: emoji, no markers. */
export function plainOf(t: unknown): string {
  const raw = textOf(t);
  return replaceEmoji(isObject(t) && t.type === 'mrkdwn' ? raw.replace(/[*_~\u0060]/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') : raw);
}

/**
 * A text object as Slack echoes it in payloads (`selected_option.text`, a button's `text`):
 * as the app sent it, plain_text with `emoji: true` added when the app left it out.
 */
export function echoText(t: unknown): Obj {
  if (!isObject(t)) return { type: 'plain_text', text: '', emoji: true };
  return t.type === 'plain_text' && t.emoji === undefined ? { ...t, emoji: true } : t;
}

/** An option as Slack sends it back in `selected_option(s)`: text, value and description when there is one. */
export function echoOption(o: Obj): Obj {
  return { text: echoText(o.text), value: str(o.value), ...(isObject(o.description) ? { description: echoText(o.description) } : {}) };
}
