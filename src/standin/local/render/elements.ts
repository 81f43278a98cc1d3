/**
 * Block Kit's interactive elements as real HTML controls. Each carries what the browser-side
 * reader (client.ts) needs to send Slack's payloads: `data-block-id`, `data-action-id`,
 * `data-element` (the element type), `data-value` / `data-text` (a button's), `data-option`
 * (an option as Slack echoes it) and `data-confirm` (the confirm dialog the page shows first).
 * Radio buttons and checkboxes carry these on their fieldset; the other controls on themselves.
 */
import { escapeHtml } from '../../../html.js';
import { nextId } from './context.js';
import { dataAttrs, nameAttrs, type Place } from './place.js';
import { renderSelect } from './selects.js';
import { attr, echoOption, isObject, list, plainHtml, plainOf, str, textHtml, textOf, type Obj } from './text.js';

export { GROUPS, type Place } from './place.js';

export function renderElement(el: unknown, p: Place): string {
  if (!isObject(el)) return '';
  switch (el.type) {
    case 'button':
    case 'workflow_button':
      return button(el, p);
    case 'static_select':
    case 'external_select':
    case 'multi_static_select':
    case 'multi_external_select':
    case 'users_select':
    case 'multi_users_select':
    case 'conversations_select':
    case 'multi_conversations_select':
    case 'channels_select':
    case 'multi_channels_select':
    case 'overflow':
      return renderSelect(el, p);
    case 'radio_buttons':
    case 'checkboxes':
      return choices(el, p);
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
    case 'rich_text_input':
      return textInput(el, p);
    case 'datepicker':
    case 'timepicker':
    case 'datetimepicker':
      return picker(el, p);
    case 'image':
      return image(el, 'bk-image-element');
    default:
      return `<span class="bk-unsupported">[${escapeType(el.type)}]</span>`;
  }
}

const escapeType = (t: unknown) => str(t).replace(/[^a-z_]/g, '') || 'element';

function button(el: Obj, p: Place): string {
  const style = el.style === 'primary' || el.style === 'danger' ? el.style : '';
  const a =
    dataAttrs(el, p) +
    attr('class', `bk-button${style ? ` bk-${style}` : ''}`) +
    // The text as the app wrote it, when it differs from what is shown (readAction echoes it).
    (plainHtml(el.text) === escapeHtml(textOf(el.text)) ? '' : attr('data-text', textOf(el.text))) +
    (el.value !== undefined ? attr('data-value', str(el.value)) : '') +
    (style ? attr('data-style', style) : '') +
    (typeof el.accessibility_label === 'string' ? attr('aria-label', el.accessibility_label) : '');
  const url = str(el.url);
  // A link button opens its address (only http(s): anything else stays a plain button).
  if (/^https?:\/\//i.test(url)) return `<a${a}${attr('href', url)} target="_blank" rel="noopener noreferrer">${plainHtml(el.text)}</a>`;
  return `<button type="button"${a}>${plainHtml(el.text)}</button>`;
}

function choices(el: Obj, p: Place): string {
  const kind = el.type === 'radio_buttons' ? 'radio' : 'checkbox';
  const group = nextId(p.s);
  const initial = new Set([el.initial_option, ...list(el.initial_options)].filter(isObject).map((o) => str(o.value)));
  const options = list(el.options)
    .map((o, i) => {
      const id = `${group}-${i}`;
      const description = isObject(o.description) ? `<div class="bk-description" id="${id}-d">${textHtml(o.description, p.s.ctx)}</div>` : '';
      return (
        `<div class="bk-choice"><input type="${kind}"${attr('id', id)}${attr('name', group)}${attr('value', str(o.value))}` +
        `${attr('data-option', JSON.stringify(echoOption(o)))}${initial.has(str(o.value)) ? ' checked' : ''}${description ? attr('aria-describedby', `${id}-d`) : ''}>` +
        `<label${attr('for', id)}>${textHtml(o.text, p.s.ctx)}</label>${description}</div>`
      );
    })
    .join('');
  const legend = p.label !== undefined ? `<legend class="bk-label">${plainHtml({ type: 'plain_text', text: p.label })}${p.optional ? '<span class="bk-optional" aria-hidden="true">(optional)</span>' : ''}</legend>` : '';
  const named = p.label === undefined ? (p.labelledBy ? attr('aria-labelledby', p.labelledBy) : attr('aria-label', kind === 'radio' ? 'Choose one' : 'Choose')) : '';
  const described = (p.describedBy ? attr('aria-describedby', p.describedBy) : '') + (p.invalid ? ' aria-invalid="true"' : '');
  return `<fieldset class="bk-choices"${dataAttrs(el, p)}${named}${described}>${legend}${options}</fieldset>`;
}

function textInput(el: Obj, p: Place): string {
  const id = p.id ?? nextId(p.s);
  const max = typeof el.max_length === 'number' ? attr('maxlength', String(el.max_length)) : '';
  const min = typeof el.min_length === 'number' ? attr('minlength', String(el.min_length)) : '';
  const placeholder = isObject(el.placeholder) ? attr('placeholder', plainOf(el.placeholder)) : '';
  const common = `${attr('id', id)}${dataAttrs(el, p)}${nameAttrs(p, plainOf(el.placeholder) || 'Text')}${placeholder}`;
  const initial = str(el.initial_value);
  if (el.multiline === true || el.type === 'rich_text_input') return `<textarea class="bk-textarea" rows="3"${common}${max}${min}>${escapeHtml(initial)}</textarea>`;
  // A number is typed as text (Slack's number field is a text box that refuses what is not a number on submit).
  const type = el.type === 'email_text_input' ? 'email' : el.type === 'url_text_input' ? 'url' : 'text';
  const number =
    el.type === 'number_input'
      ? attr('inputmode', el.is_decimal_allowed === true ? 'decimal' : 'numeric') +
        (el.min_value !== undefined ? attr('data-min', str(el.min_value)) : '') +
        (el.max_value !== undefined ? attr('data-max', str(el.max_value)) : '')
      : '';
  return `<input class="bk-text" type="${type}"${common}${max}${min}${number}${attr('value', initial)}>`;
}

function picker(el: Obj, p: Place): string {
  const id = p.id ?? nextId(p.s);
  let type = 'date';
  let value = str(el.initial_date);
  if (el.type === 'timepicker') {
    type = 'time';
    value = str(el.initial_time);
  } else if (el.type === 'datetimepicker') {
    type = 'datetime-local';
    const epoch = typeof el.initial_date_time === 'number' ? el.initial_date_time : NaN;
    value = Number.isFinite(epoch) ? new Date(epoch * 1000).toISOString().slice(0, 16) : '';
  }
  return `<input class="bk-picker" type="${type}"${attr('id', id)}${dataAttrs(el, p)}${nameAttrs(p, plainOf(el.placeholder) || 'Pick')}${attr('value', value)}>`;
}

/** An image element or block: only an http(s) or data:image address is loaded; the alt text names it. */
export function image(el: Obj, cls: string): string {
  const url = str(el.image_url);
  const alt = str(el.alt_text);
  if (!/^(https?:\/\/|data:image\/(png|gif|jpeg|webp);base64,)/i.test(url)) return `<span class="${cls} bk-image-missing" role="img"${attr('aria-label', alt)}>${plainHtml({ type: 'plain_text', text: alt, emoji: false })}</span>`;
  return `<img class="${cls}"${attr('src', url)}${attr('alt', alt)} loading="lazy">`;
}
