/**
 * The menus: static selects (with option groups), the people and conversation pickers (a
 * `<select>` of the workspace's people or channels, from RenderContext), their multi-select
 * versions, and the overflow menu. Each `<option>` of a static menu carries the option as Slack
 * echoes it (`data-option`), so `selected_option` comes back exactly as the app defined it.
 */
import { escapeHtml } from '../../../html.js';
import type { Person } from './context.js';
import { nextId } from './context.js';
import { dataAttrs, nameAttrs, type Place } from './place.js';
import { attr, echoOption, isObject, list, plainOf, str, type Obj } from './text.js';

export function renderSelect(el: Obj, p: Place): string {
  const type = str(el.type);
  const multiple = type.startsWith('multi_');
  const id = p.id ?? nextId(p.s);
  const placeholder = plainOf(el.placeholder);
  const head = `<select class="bk-select${type === 'overflow' ? ' bk-overflow' : ''}"${attr('id', id)}${dataAttrs(el, p)}${multiple ? ' multiple' : ''}`;
  if (type === 'overflow') {
    return `${head}${nameAttrs(p, 'More actions')}><option value="">⋯</option>${list(el.options).map((o) => staticOption(o, new Set())).join('')}</select>`;
  }
  const named = nameAttrs(p, placeholder || 'Select an option');
  const blank = multiple ? '' : `<option value="">${escapeHtml(placeholder || 'Select an option')}</option>`;
  if (type.endsWith('static_select') || type.endsWith('external_select')) {
    const initial = new Set([el.initial_option, ...list(el.initial_options)].filter(isObject).map((o) => str(o.value)));
    const groups = list(el.option_groups);
    const options = groups.length
      ? groups.map((g) => `<optgroup${attr('label', plainOf(g.label))}>${list(g.options).map((o) => staticOption(o, initial)).join('')}</optgroup>`).join('')
      : list(el.options).map((o) => staticOption(o, initial)).join('');
    return `${head}${named}>${blank}${options}</select>`;
  }
  const { people, initial } = pickerChoices(el, p);
  return `${head}${named}>${blank}${people.map((x) => `<option${attr('value', x.id)}${initial.has(x.id) ? ' selected' : ''}>${escapeHtml(x.name)}</option>`).join('')}</select>`;
}

function staticOption(o: Obj, initial: ReadonlySet<string>): string {
  const value = str(o.value);
  const description = isObject(o.description) ? attr('title', plainOf(o.description)) : '';
  return `<option${attr('value', value)}${attr('data-option', JSON.stringify(echoOption(o)))}${description}${initial.has(value) ? ' selected' : ''}>${escapeHtml(plainOf(o.text))}</option>`;
}

/** The people or channels a picker offers, with its initial choices among them (shown even when the lists are not known). */
function pickerChoices(el: Obj, p: Place): { people: readonly Person[]; initial: ReadonlySet<string> } {
  const type = str(el.type);
  const ctx = p.s.ctx;
  const users = type.endsWith('users_select');
  const initialIds = users
    ? [el.initial_user, ...(Array.isArray(el.initial_users) ? el.initial_users : [])]
    : type.endsWith('channels_select')
      ? [el.initial_channel, ...(Array.isArray(el.initial_channels) ? el.initial_channels : [])]
      : [el.initial_conversation, ...(Array.isArray(el.initial_conversations) ? el.initial_conversations : [])];
  const initial = new Set(initialIds.filter((v): v is string => typeof v === 'string' && v !== ''));
  const known = (users ? ctx.people?.() : ctx.channels?.()) ?? [];
  const missing = [...initial].filter((id) => !known.some((k) => k.id === id)).map((id) => ({ id, name: (users ? ctx.userName(id) : ctx.channelName(id)) ?? id }));
  const named = (x: Person) => ({ id: x.id, name: users ? x.name : `#${x.name}` });
  return { people: [...known, ...missing].map(named), initial };
}
