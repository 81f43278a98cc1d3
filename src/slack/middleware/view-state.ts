import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';

/**
 * Makes a submitted form's `view.state.values` have the shape Slack documents before any
 * listener reads it: an object of blocks, each an object of elements, each element with only
 * the fields of the types Slack sends (`value` a string or null, `selected_option` an object
 * with a string `value`, `selected_options` a list of those, conversations/users ids as
 * strings). Anything else is dropped, so a forged or corrupted payload reads as an unanswered
 * field — the form's own validation then tells the person — instead of a TypeError inside a
 * reader (test/reliability/generated-inputs.test.ts found `selected_options: "on"`).
 */
export function wellFormedViewState(): Middleware<AnyMiddlewareArgs> {
  return async ({ body, next }) => {
    const view = (body as { type?: unknown; view?: { state?: { values?: unknown } } }).view;
    if ((body as { type?: unknown }).type === 'view_submission' && view && typeof view === 'object') {
      view.state = { ...(isObject(view.state) ? view.state : {}), values: cleanValues(view.state?.values) };
    }
    await next();
  };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isOption = (v: unknown): v is Json => isObject(v) && typeof v.value === 'string';

const STRING_FIELDS = ['type', 'selected_conversation', 'selected_channel', 'selected_user', 'selected_date', 'selected_time', 'selected_date_time'] as const;
const STRING_LIST_FIELDS = ['selected_conversations', 'selected_channels', 'selected_users'] as const;

function cleanElement(raw: unknown): Json | undefined {
  if (!isObject(raw)) return undefined;
  const out: Json = {};
  for (const f of STRING_FIELDS) if (typeof raw[f] === 'string' || (raw[f] === null && f !== 'type')) out[f] = raw[f];
  for (const f of STRING_LIST_FIELDS) if (Array.isArray(raw[f])) out[f] = (raw[f] as unknown[]).filter((x) => typeof x === 'string');
  if ('value' in raw) out.value = typeof raw.value === 'string' ? raw.value : null;
  if ('selected_option' in raw) out.selected_option = isOption(raw.selected_option) ? { ...raw.selected_option } : null;
  if ('selected_options' in raw) out.selected_options = Array.isArray(raw.selected_options) ? raw.selected_options.filter(isOption) : [];
  return out;
}

function cleanValues(values: unknown): Record<string, Record<string, Json>> {
  const out: Record<string, Record<string, Json>> = {};
  if (!isObject(values)) return out;
  for (const [blockId, block] of Object.entries(values)) {
    if (!isObject(block)) continue;
    const elements: Record<string, Json> = {};
    for (const [actionId, element] of Object.entries(block)) {
      const clean = cleanElement(element);
      if (clean) elements[actionId] = clean;
    }
    out[blockId] = elements;
  }
  return out;
}
