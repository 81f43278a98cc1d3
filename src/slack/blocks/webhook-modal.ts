import type { WebhookEndpoint } from '../../db/schema.js';
import { EVENT_TYPES } from '../../events/vocabulary.js';
import { option, plain, section, type FormValues, type ModalView, type PlainTextOption } from './kit.js';

/**
 * The webhook dialogs: Add / Edit (one form: URL, event types, description; Edit is the same form
 * filled in, naming its endpoint in `private_metadata`), the secret shown once after adding, and
 * Redeliver (one event by id, or everything since a time). Pure builders and their readers.
 */
export const ADD_WEBHOOK_CALLBACK_ID = 'webhook.add_modal';
export const EDIT_WEBHOOK_CALLBACK_ID = 'webhook.edit_modal';
export const REDELIVER_CALLBACK_ID = 'webhook.redeliver_modal';
export const ADD_WEBHOOK_BLOCKS = { url: 'webhook.add.url', events: 'webhook.add.events', description: 'webhook.add.description' } as const;
export const REDELIVER_BLOCKS = { since: 'webhook.redeliver.since', event: 'webhook.redeliver.event' } as const;
const ACTION = 'value';

/** How far back Redeliver can reach: the delivery bodies are kept 7 days. */
export const REDELIVER_WINDOWS = [
  { value: '1h', text: 'the last hour', ms: 60 * 60 * 1000 },
  { value: '24h', text: 'the last 24 hours', ms: 24 * 60 * 60 * 1000 },
  { value: '3d', text: 'the last 3 days', ms: 3 * 24 * 60 * 60 * 1000 },
  { value: '7d', text: 'the last 7 days', ms: 7 * 24 * 60 * 60 * 1000 },
] as const;

const eventOption = (t: string): PlainTextOption => option(t, t);

/** Add (no endpoint) or Edit (the endpoint's current values filled in). */
export function addWebhookModal(existing?: Pick<WebhookEndpoint, 'id' | 'url' | 'event_types' | 'description'>): ModalView {
  return {
    type: 'modal',
    callback_id: existing ? EDIT_WEBHOOK_CALLBACK_ID : ADD_WEBHOOK_CALLBACK_ID,
    ...(existing ? { private_metadata: existing.id } : {}),
    title: plain(existing ? 'Edit webhook' : 'Add webhook'),
    submit: plain(existing ? 'Save' : 'Add'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'input',
        block_id: ADD_WEBHOOK_BLOCKS.url,
        label: plain('URL'),
        hint: plain('https:// (http://localhost outside production). Events are POSTed here, signed.'),
        element: {
          type: 'url_text_input',
          action_id: ACTION,
          placeholder: plain('https://example.com/webhooks/team-manager'),
          ...(existing ? { initial_value: existing.url } : {}),
        },
      },
      {
        type: 'input',
        block_id: ADD_WEBHOOK_BLOCKS.events,
        label: plain('Events'),
        element: {
          type: 'multi_static_select',
          action_id: ACTION,
          placeholder: plain('Choose events'),
          options: EVENT_TYPES.map(eventOption),
          ...(existing && existing.event_types.length > 0 ? { initial_options: existing.event_types.filter((t) => (EVENT_TYPES as readonly string[]).includes(t)).map(eventOption) } : {}),
        },
      },
      {
        type: 'input',
        block_id: ADD_WEBHOOK_BLOCKS.description,
        label: plain('Description'),
        optional: true,
        element: { type: 'plain_text_input', action_id: ACTION, max_length: 500, ...(existing?.description ? { initial_value: existing.description } : {}) },
      },
    ],
  };
}

export function readAddWebhook(values: FormValues): { url: string; eventTypes: string[]; description: string } {
  const url = values[ADD_WEBHOOK_BLOCKS.url]?.[ACTION]?.value ?? '';
  const eventTypes = (values[ADD_WEBHOOK_BLOCKS.events]?.[ACTION]?.selected_options ?? []).map((o) => o.value ?? '').filter(Boolean);
  const description = values[ADD_WEBHOOK_BLOCKS.description]?.[ACTION]?.value ?? '';
  return { url, eventTypes, description };
}

/** After saving: the secret, shown this once. */
export function webhookAddedView(url: string, secret: string): ModalView {
  return {
    type: 'modal',
    callback_id: `${ADD_WEBHOOK_CALLBACK_ID}.added`,
    title: plain('Webhook added'),
    close: plain('Done'),
    blocks: [
      section(`Events now go to \`${url.replace(/`/g, "'").slice(0, 2000)}\`, signed per Standard Webhooks.`),
      section(`*Signing secret* (shown only now; copy it into the receiver):\n\`${secret}\``),
    ],
  };
}

/** The outcome of a dialog that has nothing more to ask: a sentence and Close. */
export function webhookDoneView(title: string, sentence: string): ModalView {
  return { type: 'modal', callback_id: `${ADD_WEBHOOK_CALLBACK_ID}.done`, title: plain(title), close: plain('Close'), blocks: [section(sentence)] };
}

export function webhookRefusedView(sentence: string, title = 'Add webhook'): ModalView {
  return { type: 'modal', callback_id: `${ADD_WEBHOOK_CALLBACK_ID}.refused`, title: plain(title), close: plain('Close'), blocks: [section(`${sentence} Nothing was changed.`)] };
}

/** Redeliver: everything since a time, or one event by its id (the `webhook-id` the receiver saw). */
export function redeliverModal(endpoint: Pick<WebhookEndpoint, 'id' | 'url'>): ModalView {
  return {
    type: 'modal',
    callback_id: REDELIVER_CALLBACK_ID,
    private_metadata: endpoint.id,
    title: plain('Redeliver events'),
    submit: plain('Redeliver'),
    close: plain('Cancel'),
    blocks: [
      section(`Send events to \`${endpoint.url.replace(/`/g, "'").slice(0, 2000)}\` again, after what is already queued, with the same event ids.`),
      {
        type: 'input',
        block_id: REDELIVER_BLOCKS.since,
        label: plain('Events of'),
        optional: true,
        element: { type: 'static_select', action_id: ACTION, placeholder: plain('Choose a time'), options: REDELIVER_WINDOWS.map((w) => option(w.value, w.text)) },
      },
      {
        type: 'input',
        block_id: REDELIVER_BLOCKS.event,
        label: plain('Or one event id'),
        optional: true,
        hint: plain('The webhook-id header of the delivery, e.g. evt_… (bodies are kept 7 days).'),
        element: { type: 'plain_text_input', action_id: ACTION, max_length: 200 },
      },
    ],
  };
}

export type RedeliverChoice = { eventId: string } | { since: Date } | { error: { block: string; message: string } };

/** Exactly one of the two; otherwise the error to show under the input that needs changing. */
export function readRedeliver(values: FormValues, now: Date): RedeliverChoice {
  const window = values[REDELIVER_BLOCKS.since]?.[ACTION]?.selected_option?.value;
  const eventId = (values[REDELIVER_BLOCKS.event]?.[ACTION]?.value ?? '').trim();
  if (window && eventId) return { error: { block: REDELIVER_BLOCKS.event, message: 'Give either an event id or a time, not both.' } };
  if (eventId) return { eventId };
  const chosen = REDELIVER_WINDOWS.find((w) => w.value === window);
  if (!chosen) return { error: { block: REDELIVER_BLOCKS.since, message: 'Choose how far back to redeliver, or give an event id below.' } };
  return { since: new Date(now.getTime() - chosen.ms) };
}
