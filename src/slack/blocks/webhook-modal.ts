import { EVENT_TYPES } from '../../events/vocabulary.js';
import { option, plain, section, type FormValues, type ModalView } from './kit.js';

/** The Add-endpoint dialog: URL, event types, description; after saving, the secret once. Pure builders and the reader. */
export const ADD_WEBHOOK_CALLBACK_ID = 'webhook.add_modal';
export const ADD_WEBHOOK_BLOCKS = { url: 'webhook.add.url', events: 'webhook.add.events', description: 'webhook.add.description' } as const;
const ACTION = 'value';

export function addWebhookModal(): ModalView {
  return {
    type: 'modal',
    callback_id: ADD_WEBHOOK_CALLBACK_ID,
    title: plain('Add webhook'),
    submit: plain('Add'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'input',
        block_id: ADD_WEBHOOK_BLOCKS.url,
        label: plain('URL'),
        hint: plain('https:// (http://localhost outside production). Events are POSTed here, signed.'),
        element: { type: 'url_text_input', action_id: ACTION, placeholder: plain('https://example.com/webhooks/team-manager') },
      },
      {
        type: 'input',
        block_id: ADD_WEBHOOK_BLOCKS.events,
        label: plain('Events'),
        element: { type: 'multi_static_select', action_id: ACTION, placeholder: plain('Choose events'), options: EVENT_TYPES.map((t) => option(t, t)) },
      },
      {
        type: 'input',
        block_id: ADD_WEBHOOK_BLOCKS.description,
        label: plain('Description'),
        optional: true,
        element: { type: 'plain_text_input', action_id: ACTION, max_length: 500 },
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

export function webhookRefusedView(sentence: string): ModalView {
  return { type: 'modal', callback_id: `${ADD_WEBHOOK_CALLBACK_ID}.refused`, title: plain('Add webhook'), close: plain('Close'), blocks: [section(`${sentence} Nothing was changed.`)] };
}
