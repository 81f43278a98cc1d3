/**
 * Blocks as Slack lays them out: header, section (text, two columns of fields, one accessory),
 * context (small grey images and texts), actions, divider, image, input (label, optional,
 * hint, inline error, dispatch_action) and rich_text. A block without a block_id gets one, as
 * Slack gives one when the app leaves it out (deterministic here, so a re-render keeps it).
 */
import { escapeHtml } from '../../../html.js';
import { nextId, type Scope } from './context.js';
import { GROUPS, image, renderElement, type Place } from './elements.js';
import { renderRichText } from './rich-text.js';
import { attr, isObject, list, plainHtml, str, textHtml, type Obj } from './text.js';

export function renderBlocks(blocks: readonly unknown[], s: Scope): string {
  let out = '';
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    // Unique within the surface is enough: state.values and actions are per surface.
    if (isObject(b)) out += block(b, str(b.block_id) || `b${i}`, s, typeof b.block_id === 'string');
  }
  return out;
}

/** The app's block_id is on the block's element (tests and people find a row by it); a generated one only on its controls. */
function block(b: Obj, blockId: string, s: Scope, own: boolean): string {
  const data = own ? attr('data-block-id', blockId) : '';
  switch (b.type) {
    case 'header':
      return `<h3 class="bk-header"${data}>${plainHtml(b.text)}</h3>`;
    case 'divider':
      return `<hr class="bk-divider"${data}>`;
    case 'section':
      return section(b, blockId, s, data);
    case 'context':
      return `<div class="bk-context"${data}>${list(b.elements)
        .map((e) => (e.type === 'image' ? image(e, 'bk-context-image') : `<span class="bk-context-text">${textHtml(e, s.ctx)}</span>`))
        .join('')}</div>`;
    case 'actions':
      return `<div class="bk-actions"${data}>${list(b.elements)
        .map((e) => renderElement(e, { s, blockId }))
        .join('')}</div>`;
    case 'image': {
      const title = isObject(b.title) ? `<figcaption class="bk-image-title">${plainHtml(b.title)}</figcaption>` : '';
      return `<figure class="bk-image"${data}>${title}${image(b, 'bk-image-block')}</figure>`;
    }
    case 'input':
      return input(b, blockId, s);
    case 'rich_text':
      return `<div class="bk-rich-text"${data}>${renderRichText(b, s.ctx)}</div>`;
    default:
      // file, video, call, …: the app sends none; say what it is rather than show nothing.
      return `<div class="bk-unsupported"${data}>[${escapeHtml(str(b.type).replace(/[^a-z_]/g, '') || 'block')}]</div>`;
  }
}

function section(b: Obj, blockId: string, s: Scope, data: string): string {
  const acc = isObject(b.accessory) ? b.accessory : undefined;
  // The section's text names its accessory (a role menu is named by the member's row).
  const textId = acc && isObject(b.text) ? nextId(s) : '';
  const text = isObject(b.text) ? `<div class="bk-section-text"${textId ? attr('id', textId) : ''}>${textHtml(b.text, s.ctx)}</div>` : '';
  const fields = list(b.fields);
  const grid = fields.length ? `<div class="bk-fields">${fields.map((f) => `<div class="bk-field">${textHtml(f, s.ctx)}</div>`).join('')}</div>` : '';
  const place: Place = textId ? { s, blockId, labelledBy: textId } : { s, blockId };
  const accessory = acc
    ? `<div class="bk-accessory">${acc.type === 'image' ? image(acc, 'bk-accessory-image') : renderElement(acc, place)}</div>`
    : '';
  // Text alone (most messages) needs no column for an accessory.
  return accessory || grid ? `<div class="bk-section"${data}><div class="bk-section-main">${text}${grid}</div>${accessory}</div>` : `<div class="bk-section"${data}>${text}</div>`;
}

/** Slack's default trigger of a dispatching text input is Enter; other elements dispatch on every change. */
function dispatchOf(b: Obj, el: Obj): string | undefined {
  if (b.dispatch_action !== true) return undefined;
  const config = isObject(el.dispatch_action_config) ? el.dispatch_action_config : {};
  const triggers = Array.isArray(config.trigger_actions_on) ? config.trigger_actions_on.filter((t): t is string => t === 'on_enter_pressed' || t === 'on_character_entered') : [];
  const text = ['plain_text_input', 'email_text_input', 'url_text_input', 'number_input'].includes(str(el.type));
  return text ? (triggers.length ? triggers.join(' ') : 'on_enter_pressed') : 'on_change';
}

function input(b: Obj, blockId: string, s: Scope): string {
  const el = isObject(b.element) ? b.element : {};
  const id = nextId(s);
  const label = str(isObject(b.label) ? b.label.text : '');
  const error = s.errors[blockId];
  const hint = isObject(b.hint) ? `<p class="bk-hint"${attr('id', `${id}-hint`)}>${plainHtml(b.hint)}</p>` : '';
  const errorHtml = error !== undefined ? `<p class="bk-error" role="alert"${attr('id', `${id}-error`)}>${escapeHtml(error)}</p>` : '';
  const describedBy = [error !== undefined ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  const optional = b.optional === true;
  const group = GROUPS.has(str(el.type));
  const dispatch = dispatchOf(b, el);
  const place: Place = {
    s,
    blockId,
    ...(group ? { label } : { id }),
    ...(describedBy ? { describedBy } : {}),
    ...(error !== undefined ? { invalid: true } : {}),
    ...(optional ? { optional: true } : { required: true }),
    ...(dispatch ? { dispatch } : {}),
  };
  const labelHtml = group ? '' : `<label class="bk-label"${attr('for', id)}>${plainHtml(b.label)}</label>`;
  const optionalHtml = optional ? '<span class="bk-optional">(optional)</span>' : '';
  // The "(optional)" mark sits beside the label, not in it: the control's name is the label alone
  // (a group's legend carries it hidden from the name, see elements.ts).
  const top = group ? '' : `<div class="bk-label-row">${labelHtml}${optionalHtml}</div>`;
  return `<div class="bk-input"${attr('data-input-block', blockId)}>${top}${renderElement(el, place)}${errorHtml}${hint}</div>`;
}
