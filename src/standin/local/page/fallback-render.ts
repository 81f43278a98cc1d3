/**
 * A stopgap renderer with the contract of ../render/index.ts (the full Block Kit and mrkdwn
 * renderer, built on branch issue15-render): plain escaped text, buttons, selects and text
 * inputs, enough for the page to work before that branch is merged. renderer.ts picks which one
 * the page uses; this file goes once ../render/ is in.
 */
import { escapeHtml } from '../../../html.js';

export interface RenderContext { userName(id: string): string | undefined; channelName(id: string): string | undefined; now?: Date }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const textOf = (t: unknown): string => (isObject(t) && typeof t.text === 'string' ? t.text : '');

export function renderMrkdwn(text: string, ctx: RenderContext): string {
  return escapeHtml(text)
    .replace(/&lt;@([UW][A-Z0-9]+)(?:\|[^&]*)?&gt;/g, (_, id: string) => `<b>@${escapeHtml(ctx.userName(id) ?? id)}</b>`)
    .replace(/&lt;#([CG][A-Z0-9]+)(?:\|[^&]*)?&gt;/g, (_, id: string) => `<b>#${escapeHtml(ctx.channelName(id) ?? id)}</b>`)
    .replace(/&lt;(https?:[^|&]+)\|([^&]*)&gt;/g, (_, url: string, label: string) => `<a href="${url}">${label}</a>`)
    .replace(/\*([^*\n]+)\*/g, '<b>$1</b>')
    .replace(/\n/g, '<br>');
}

function attrs(block: Record<string, unknown>, el: Record<string, unknown>): string {
  return `data-block-id="${escapeHtml(String(block.block_id ?? ''))}" data-action-id="${escapeHtml(String(el.action_id ?? ''))}" data-element="${escapeHtml(String(el.type ?? ''))}"`;
}

function element(block: Record<string, unknown>, el: unknown, ctx: RenderContext, label?: string): string {
  if (!isObject(el)) return '';
  const a = attrs(block, el);
  const confirm = isObject(el.confirm) ? ` data-confirm="${escapeHtml(JSON.stringify(el.confirm))}"` : '';
  switch (el.type) {
    case 'button':
      return `<button type="button" ${a} data-value="${escapeHtml(String(el.value ?? ''))}"${confirm}>${escapeHtml(textOf(el.text))}</button>`;
    case 'static_select': {
      const options = Array.isArray(el.options) ? el.options.filter(isObject) : [];
      const initial = isObject(el.initial_option) ? String(el.initial_option.value) : '';
      return `<select ${a} aria-label="${escapeHtml(label ?? textOf(el.placeholder))}"${confirm}><option value="">${escapeHtml(textOf(el.placeholder))}</option>${options
        .map((o) => `<option value="${escapeHtml(String(o.value))}"${String(o.value) === initial ? ' selected' : ''}>${escapeHtml(textOf(o.text))}</option>`)
        .join('')}</select>`;
    }
    case 'radio_buttons':
    case 'checkboxes': {
      const options = Array.isArray(el.options) ? el.options.filter(isObject) : [];
      const initial = new Set([el.initial_option, ...(Array.isArray(el.initial_options) ? el.initial_options : [])].filter(isObject).map((o) => String(o.value)));
      const kind = el.type === 'radio_buttons' ? 'radio' : 'checkbox';
      return `<fieldset ${a}><legend>${escapeHtml(label ?? '')}</legend>${options
        .map((o) => `<label><input type="${kind}" name="${escapeHtml(String(block.block_id))}" value="${escapeHtml(String(o.value))}"${initial.has(String(o.value)) ? ' checked' : ''}> ${escapeHtml(textOf(o.text))}</label>`)
        .join('')}</fieldset>`;
    }
    case 'plain_text_input':
    case 'email_text_input':
    case 'number_input':
      return el.multiline === true
        ? `<textarea ${a} aria-label="${escapeHtml(label ?? '')}">${escapeHtml(String(el.initial_value ?? ''))}</textarea>`
        : `<input ${a} aria-label="${escapeHtml(label ?? '')}" value="${escapeHtml(String(el.initial_value ?? ''))}">`;
    default:
      return `<span ${a}>${escapeHtml(textOf(el.text) || String(el.type))}</span>`;
  }
}

export function renderBlocks(blocks: readonly unknown[], ctx: RenderContext, opts: { errors?: Record<string, string> } = {}): string {
  return blocks
    .filter(isObject)
    .map((b) => {
      const id = String(b.block_id ?? '');
      switch (b.type) {
        case 'header':
          return `<h3>${escapeHtml(textOf(b.text))}</h3>`;
        case 'divider':
          return '<hr>';
        case 'section':
          return `<div class="section"><div>${renderMrkdwn(textOf(b.text), ctx)}</div>${element(b, b.accessory, ctx, textOf(b.text))}</div>`;
        case 'context':
          return `<div class="context">${(Array.isArray(b.elements) ? b.elements : []).map((e) => renderMrkdwn(textOf(e), ctx)).join(' ')}</div>`;
        case 'actions':
          return `<div class="actions">${(Array.isArray(b.elements) ? b.elements : []).map((e) => element(b, e, ctx)).join(' ')}</div>`;
        case 'input': {
          const label = textOf(b.label);
          const error = opts.errors?.[id];
          return `<div class="input" data-input-block="${escapeHtml(id)}"><span>${escapeHtml(label)}</span> ${element(b, b.element, ctx, label)}</div>${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}`;
        }
        default:
          return `<div>${escapeHtml(String(b.type))}</div>`;
      }
    })
    .join('\n');
}

export function renderMessage(m: { ts: string; text?: string; blocks?: readonly unknown[]; user?: string; ephemeral?: boolean; edited?: boolean }, ctx: RenderContext): string {
  const who = m.user ? escapeHtml(ctx.userName(m.user) ?? m.user) : '';
  const body = m.blocks && m.blocks.length > 0 ? renderBlocks(m.blocks, ctx) : renderMrkdwn(m.text ?? '', ctx);
  return `<li data-ts="${escapeHtml(m.ts)}"><b class="who">${who}</b>${m.ephemeral ? ' <span class="ephemeral">Only visible to you</span>' : ''}${m.edited ? ' <span class="edited">(edited)</span>' : ''}<div class="body">${body}</div></li>`;
}

export function renderModal(view: Record<string, unknown>, ctx: RenderContext, opts: { errors?: Record<string, string> } = {}): string {
  const title = textOf(view.title);
  const submit = isObject(view.submit) ? `<button type="submit">${escapeHtml(textOf(view.submit))}</button>` : '';
  return `<div role="dialog" aria-modal="true" aria-label="${escapeHtml(title)}" class="modal"><form data-view-id="${escapeHtml(String(view.id))}"><h2>${escapeHtml(title)}</h2>${renderBlocks(Array.isArray(view.blocks) ? view.blocks : [], ctx, opts)}<footer><button type="button" data-view-close>${escapeHtml(textOf(view.close) || 'Close')}</button>${submit}</footer></form></div>`;
}

export function renderHome(view: Record<string, unknown>, ctx: RenderContext): string {
  return `<div class="home" data-view-id="${escapeHtml(String(view.id))}">${renderBlocks(Array.isArray(view.blocks) ? view.blocks : [], ctx)}</div>`;
}

export const PAGE_CSS = '.modal{position:fixed;inset:10% 20%;background:#fff;border:1px solid #888;padding:1em;overflow:auto}.error{color:#b00}';

/** Reads values and actions off the rendered elements (data-block-id / data-action-id / data-element). */
export const BLOCK_KIT_CLIENT = `window.blockKit = {
  readState(root) {
    const values = {};
    for (const el of root.querySelectorAll('[data-action-id]')) {
      const type = el.dataset.element, b = el.dataset.blockId, a = el.dataset.actionId;
      if (type === 'button') continue;
      const v = (values[b] ??= {});
      if (type === 'radio_buttons') { const c = el.querySelector('input:checked'); v[a] = { type, selected_option: c ? { text: { type: 'plain_text', text: c.parentElement.textContent.trim() }, value: c.value } : null }; continue; }
      if (type === 'checkboxes') { v[a] = { type, selected_options: [...el.querySelectorAll('input:checked')].map((c) => ({ text: { type: 'plain_text', text: c.parentElement.textContent.trim() }, value: c.value })) }; continue; }
      if (type === 'static_select') v[a] = { type, selected_option: el.value ? { text: { type: 'plain_text', text: el.selectedOptions[0].textContent }, value: el.value } : null };
      else v[a] = { type, value: el.value === '' ? null : el.value };
    }
    return values;
  },
  readAction(el) {
    const type = el.dataset.element;
    const base = { type, block_id: el.dataset.blockId, action_id: el.dataset.actionId, confirm: el.dataset.confirm ? JSON.parse(el.dataset.confirm) : null };
    if (type === 'button') return { ...base, value: el.dataset.value, text: { type: 'plain_text', text: el.textContent } };
    if (type === 'static_select') return { ...base, selected_option: { text: { type: 'plain_text', text: el.selectedOptions[0].textContent }, value: el.value } };
    return { ...base, value: el.value };
  },
};`;
