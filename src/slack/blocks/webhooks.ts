import type { WebhookEndpoint } from '../../db/schema.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { button, clip, confirmDialog, context, header, section, SECTION_TEXT_MAX, type KnownBlock } from './kit.js';
import type { SlackReply } from './reply.js';

export const WEBHOOK_ACTIONS = {
  pause: 'webhook.pause',
  resume: 'webhook.resume',
  rotate: 'webhook.rotate',
  delete: 'webhook.delete',
} as const;
export const ADD_WEBHOOK_ACTION = 'webhook.add';
/** Buttons that open a dialog about one endpoint (Edit, Redeliver) rather than acting at once. */
export const WEBHOOK_DIALOG_ACTIONS = { edit: 'webhook.edit', redeliver: 'webhook.redeliver' } as const;

export interface RecentDelivery {
  event_type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_latency_ms: number | null;
}

/** Four blocks per endpoint: at most 10 endpoints stay well inside a message's 50 blocks. */
export const WEBHOOKS_SHOWN = 10;

/** `/team webhooks`: each endpoint with its status, its last deliveries and (owners) its buttons. Pure. */
export function webhooksMessage(rows: ReadonlyArray<{ endpoint: WebhookEndpoint; recent: readonly RecentDelivery[] }>, notice?: string): SlackReply {
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push(section(clip(notice, SECTION_TEXT_MAX)));
  blocks.push(header('Webhook endpoints'));
  if (rows.length === 0) blocks.push(section('No webhook endpoints yet. Add one below, or with `POST /api/v1/webhooks` (see docs/api.md).'));
  for (const { endpoint, recent } of rows.slice(0, WEBHOOKS_SHOWN)) {
    const status = endpoint.status === 'active' ? ':large_green_circle: active' : endpoint.status === 'paused' ? ':double_vertical_bar: paused' : ':red_circle: disabled';
    const why = endpoint.disabled_reason ? `\n${escapeMrkdwn(endpoint.disabled_reason)}` : '';
    blocks.push(
      section(
        clip(`*${escapeMrkdwn(endpoint.url)}* · ${status}${endpoint.description ? `\n${escapeMrkdwn(endpoint.description)}` : ''}\nEvents: ${endpoint.event_types.map((t) => `\`${t}\``).join(', ')}${why}`, SECTION_TEXT_MAX),
        `webhook|${endpoint.id}`,
      ),
    );
    blocks.push(
      context(
        recent.length === 0
          ? 'No deliveries yet.'
          : `Recent: ${recent
              .map((d) => `${d.status === 'delivered' ? ':white_check_mark:' : d.status === 'pending' ? ':hourglass:' : ':x:'} ${d.event_type} (${d.last_status_code ?? '–'}, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${d.last_latency_ms !== null ? `, ${d.last_latency_ms} ms` : ''})`)
              .join(' · ')}`.slice(0, 2900),
      ),
    );
    const toggle = endpoint.status === 'active' ? button(WEBHOOK_ACTIONS.pause, 'Pause', endpoint.id) : button(WEBHOOK_ACTIONS.resume, 'Resume', endpoint.id, { style: 'primary' });
    blocks.push({
      type: 'actions',
      block_id: `webhook-actions|${endpoint.id}`,
      elements: [
        toggle,
        button(WEBHOOK_DIALOG_ACTIONS.edit, 'Edit', endpoint.id),
        button(WEBHOOK_DIALOG_ACTIONS.redeliver, 'Redeliver', endpoint.id),
        button(WEBHOOK_ACTIONS.rotate, 'Rotate secret', endpoint.id, {
          confirm: confirmDialog({ title: 'Rotate the signing secret?', text: 'A new secret is shown once; the old one keeps signing for 24 hours.', confirm: 'Rotate', deny: 'Keep it' }),
        }),
        button(WEBHOOK_ACTIONS.delete, 'Delete', endpoint.id, {
          style: 'danger',
          confirm: confirmDialog({ title: 'Delete this endpoint?', text: 'It gets nothing more, and its delivery log goes with it.', confirm: 'Delete', deny: 'Keep it', style: 'danger' }),
        }),
      ],
    });
  }
  blocks.push({ type: 'actions', block_id: 'webhooks-add', elements: [button(ADD_WEBHOOK_ACTION, 'Add endpoint', 'add', { style: 'primary' })] });
  if (rows.length > WEBHOOKS_SHOWN) blocks.push(context(`Showing ${WEBHOOKS_SHOWN} of ${rows.length}; the API lists them all.`));
  return { text: `Webhook endpoints: ${rows.length}`, blocks };
}
