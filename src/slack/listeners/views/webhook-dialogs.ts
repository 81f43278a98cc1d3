import type { AckFn, App, ViewResponseAction, ViewSubmitAction } from '@slack/bolt';
import { ZodError } from 'zod';
import { AppError } from '../../../errors.js';
import { resolveActingMember } from '../../../team/acting-member.js';
import { changeEndpoint, createEndpoint, redeliver, WebhookError, type WebhookDeps } from '../../../webhooks/endpoints.js';
import { secretBox } from '../../../webhooks/signing.js';
import { systemResolver } from '../../../webhooks/ssrf.js';
import { organizationOf } from '../../context.js';
import {
  ADD_WEBHOOK_BLOCKS,
  ADD_WEBHOOK_CALLBACK_ID,
  EDIT_WEBHOOK_CALLBACK_ID,
  readAddWebhook,
  readRedeliver,
  REDELIVER_BLOCKS,
  REDELIVER_CALLBACK_ID,
  webhookAddedView,
  webhookDoneView,
  webhookRefusedView,
} from '../../blocks/webhook-modal.js';
import type { SlackDeps } from '../../deps.js';
import { slackMessage } from '../../mrkdwn.js';

type Ack = AckFn<ViewResponseAction>;

/** A URL or event problem goes under its input; anything else the service refused replaces the dialog. */
async function refuse(ack: Ack, err: unknown, title: string): Promise<void> {
  if (err instanceof WebhookError && err.field === 'url') return ack({ response_action: 'errors', errors: { [ADD_WEBHOOK_BLOCKS.url]: slackMessage(err) } });
  if (err instanceof ZodError) return ack({ response_action: 'errors', errors: { [ADD_WEBHOOK_BLOCKS.events]: 'Choose at least one event.' } });
  if (!(err instanceof AppError)) throw err;
  return ack({ response_action: 'update', view: webhookRefusedView(slackMessage(err), title) });
}

/**
 * The webhook dialogs' submissions, each one service call that decides from the database whether
 * the submitter may (owners only). Add shows the secret once; Edit and Redeliver say what happened.
 */
export function registerWebhookDialogSubmissions(app: App, deps: SlackDeps): void {
  const webhooks: WebhookDeps = { db: deps.db, ...(deps.webhooks ?? { box: secretBox(undefined), urls: { production: false, resolve: systemResolver } }) };
  const who = async (body: ViewSubmitAction, context: Parameters<typeof organizationOf>[0]) => {
    const organization = organizationOf(context);
    const actor = await resolveActingMember(deps.db, organization.id, body.user.id, deps.peopleFor(organization.id));
    return { organizationId: organization.id, actor: { kind: 'member' as const, memberId: actor?.id ?? null }, source: 'slack' as const };
  };

  app.view<ViewSubmitAction>(ADD_WEBHOOK_CALLBACK_ID, async ({ ack, body, view, context }) => {
    const form = readAddWebhook(view.state.values);
    try {
      const { endpoint, secret } = await createEndpoint(webhooks, {
        ...(await who(body, context)),
        endpoint: { url: form.url, event_types: form.eventTypes as never, description: form.description },
      });
      await ack({ response_action: 'update', view: webhookAddedView(endpoint.url, secret) });
    } catch (err) {
      await refuse(ack, err, 'Add webhook');
    }
  });

  app.view<ViewSubmitAction>(EDIT_WEBHOOK_CALLBACK_ID, async ({ ack, body, view, context }) => {
    const form = readAddWebhook(view.state.values);
    try {
      const endpoint = await changeEndpoint(webhooks, {
        ...(await who(body, context)),
        endpointId: view.private_metadata,
        change: { fields: { url: form.url, event_types: form.eventTypes as never, description: form.description } },
      });
      await ack({ response_action: 'update', view: webhookDoneView('Webhook saved', `Saved. \`${endpoint.url.replace(/`/g, "'")}\` now gets ${endpoint.event_types.map((t) => `\`${t}\``).join(', ')}.`) });
    } catch (err) {
      await refuse(ack, err, 'Edit webhook');
    }
  });

  app.view<ViewSubmitAction>(REDELIVER_CALLBACK_ID, async ({ ack, body, view, context }) => {
    const choice = readRedeliver(view.state.values, new Date());
    if ('error' in choice) return ack({ response_action: 'errors', errors: { [choice.error.block]: choice.error.message } });
    try {
      const count = await redeliver(webhooks, { ...(await who(body, context)), endpointId: view.private_metadata, what: choice });
      const sentence =
        count === 0
          ? 'There was nothing to redeliver in that time (delivery bodies are kept 7 days).'
          : `Queued ${count} event${count === 1 ? '' : 's'} again, after what was already waiting, with the same event ids.`;
      await ack({ response_action: 'update', view: webhookDoneView('Redeliver events', sentence) });
    } catch (err) {
      if (err instanceof WebhookError && err.code === 'not_found' && 'eventId' in choice) {
        return ack({ response_action: 'errors', errors: { [REDELIVER_BLOCKS.event]: slackMessage(err) } });
      }
      await refuse(ack, err, 'Redeliver events');
    }
  });
}
